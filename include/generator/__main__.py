"""Command line: ``python -m include.generator --out DIR [options]``.

Writes a synthetic region (call centre, offices, website and portal, chatbot, cases, surveys,
manifest and truth) under ``DIR/<region>``, printing one progress line per generated week and a
final summary with the event rate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from include.generator.region import generate_region


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m include.generator",
        description="Generate a synthetic ЦЗН region's exports of every source, with the truth behind them.",
    )
    parser.add_argument("--out", type=Path, required=True, help="landing folder to write into")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--offices", type=int, default=4, help="first N offices of the region")
    parser.add_argument("--months", type=int, default=2)
    parser.add_argument("--days", type=int, default=None, help="period in days (overrides --months)")
    parser.add_argument("--scale", type=float, default=1.0, help="volume multiplier")
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2026, 9, 1))
    parser.add_argument("--region", default="enskaya", help="region_id from dbt/seeds/regions.csv")
    parser.add_argument("--no-noise", action="store_true", help="write perfectly clean files")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the generator from the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    began = time.perf_counter()
    try:
        manifest = generate_region(
            args.out,
            seed=args.seed,
            offices=args.offices,
            months=args.months,
            days=args.days,
            scale=args.scale,
            start=args.start,
            region_id=args.region,
            noise=not args.no_noise,
            progress=lambda line: print(line, flush=True),
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - began
    print(_summary(manifest, args.out, elapsed))
    return 0


def _summary(manifest: dict, out: Path, elapsed: float) -> str:
    counts = manifest["counts"]
    rate = counts["events_total"] / elapsed if elapsed > 0 else float("inf")
    pains = ", ".join(p["id"] for p in manifest["planted_pain_points"])
    facts = ", ".join(f["id"] for f in manifest["planted_facts"])
    population = manifest["population"]
    period = f"{manifest['start_date']} … {manifest['end_date']}"
    region = f"{manifest['region_id']} ({manifest['region_name_ru']})"
    files = len(manifest["files"])
    lines = [
        f"region {region}, {period}, offices {', '.join(manifest['offices'])}",
        f"written to {out / manifest['region_id']}: {files:,} files",
        f"calls {counts['calls']:,}, queue_log lines {counts['queue_log_lines']:,}, "
        + f"topic rows {counts['topic_rows']:,}, tickets {counts['tickets']:,}",
        f"hits {counts['hits']:,}, visits {counts['visits']:,}, portal events {counts['portal_events']:,}, "
        + f"chat events {counts['chatbot_events']:,}, case events {counts['case_events']:,}, "
        + f"survey responses {counts['survey_responses']:,}",
        f"clients {population['clients']:,}, journey runs {sum(population['journey_runs'].values()):,}",
        f"noise items {len(manifest['noise']):,}, planted pain points {pains}, planted facts {facts}",
        f"{counts['events_total']:,} events in {elapsed:.2f} s ({rate:,.0f} events/s)",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
