"""``python -m include.modelling``: run the models on the published marts and print the results.

``--publish`` also writes them through write–audit–publish into the schema ``modelling``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

import pandas as pd

from include import settings
from include.modelling import run, store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schema", default="marts", help="where the inputs are read (default: marts)")
    parser.add_argument("--replications", type=int, default=run.REPLICATIONS)
    parser.add_argument("--seed", type=int, default=run.SEED)
    parser.add_argument("--publish", action="store_true", help="write, audit and publish into schema modelling")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.perf_counter()
    inputs = run.load_inputs(settings.warehouse_dsn(), schema=args.schema)
    tables = run.run_all(inputs, replications=args.replications, seed=args.seed)
    with pd.option_context("display.width", 250, "display.max_columns", 30, "display.max_rows", 200):
        cal = tables["model_calibration"]
        print(cal[["unit_id", "kpi_id", "measured_value", "modelled_value", "modelled_low", "modelled_high",
                   "is_within_tolerance", "runtime_s"]].round(4).to_string(index=False))  # fmt: skip
        res = tables["scenario_results"]
        print(res[["scenario_id", "kpi_id", "now_value", "baseline_model_value", "predicted_value", "predicted_low",
                   "predicted_high", "norm_value", "meets_norm_predicted", "status", "runtime_s"]]
              .round(4).to_string(index=False))  # fmt: skip
        for message in res.loc[res["status"] == "error", "error_ru"]:
            print("ERROR", message)
        print(tables["model_backtest"].round(4).T.to_string())
    print(f"models run in {time.perf_counter() - started:.1f} s")
    if args.publish:
        print(store.write_audit_publish(f"manual__{int(time.time())}", tables))
    return 0


if __name__ == "__main__":
    sys.exit(main())
