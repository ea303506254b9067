"""``make demo``: a synthetic region from source files to published, tested KPI pages.

1. warehouse: ``WAREHOUSE_DSN`` or the embedded PostgreSQL in ``var/warehouse``;
2. a pseudonymisation key (``CJW_PSEUDONYM_KEY`` or one generated once in ``var/pseudonym.key``);
3. the synthetic region (Энская область) written to the landing folder in the real formats;
4. every source's ``ingest_<source>`` DAG (``dag.test()``): the history as one backfill batch, the
   last days as daily runs;
5. ``build_journeys``: dbt through Cosmos, quality gate, publish, pages; then ``model_scenarios``
   (the measures modelled, published through their own gate, the page «Моделирование мер»);
6. where to look, and what was loaded and rejected per source.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from include import airflow_env, settings


def say(message: str) -> None:
    print(f"[demo {time.strftime('%H:%M:%S')}] {message}", flush=True)


def ensure_key() -> None:
    if os.environ.get("CJW_PSEUDONYM_KEY"):
        return
    path = settings.var_dir() / "pseudonym.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32) + "\n")
        path.chmod(0o600)
        say(f"generated a pseudonymisation key in {path} (keep it secret; same key = same hashes)")
    os.environ["CJW_PSEUDONYM_KEY"] = path.read_text().strip()


def generate(args: argparse.Namespace) -> dict[str, Any]:
    from include.generator import generate_region, source_digest

    landing = settings.landing_dir()
    manifest_path = landing / args.region / "manifest.json"
    first, last = demo_period(args)
    wanted = {
        "seed": args.seed,
        "offices": args.offices,
        "start": first.isoformat(),
        "end": last.isoformat(),
        "scale": args.scale,
        # a changed generator (a new source, say) makes new files: an old landing is not reused
        "generator": source_digest(),
    }
    stamp = landing / args.region / ".demo-args.json"
    if manifest_path.exists() and stamp.exists() and json.loads(stamp.read_text()) == wanted:
        say(f"synthetic region already generated in {landing / args.region}")
        return dict(json.loads(manifest_path.read_text()))
    if stamp.exists():  # a region generated before, for another period: its loaded data must go too
        forget_region(args.region)
    days = (last - first).days + 1
    say(
        f"generating {args.region}: {args.offices} offices, {first}…{last} ({days} days), scale {args.scale}, seed {args.seed}"
    )
    manifest = generate_region(
        landing,
        seed=args.seed,
        offices=args.offices,
        days=days,
        scale=args.scale,
        start=first,
        region_id=args.region,
        progress=say,
    )
    stamp.write_text(json.dumps(wanted))
    return manifest


def forget_region(region: str) -> None:
    """Delete what an earlier demo loaded for ``region`` (raw rows, rejected lines, batches): a
    region generated for another period has other events on the same days, and the warehouse
    would keep the old ones beside them. The next build recomputes every mart from raw."""
    import psycopg

    with psycopg.connect(settings.warehouse_dsn()) as conn:
        if not conn.execute("select to_regclass('raw.ingest_batches')").fetchone()[0]:  # type: ignore[index]
            return
        tables = [
            row[0]
            for row in conn.execute(
                "select quote_ident(table_schema) || '.' || quote_ident(table_name) from information_schema.columns"
                " where table_schema = 'raw' and column_name = 'region_id' and table_name <> 'ingest_batches'"
            ).fetchall()
        ]
        conn.execute(
            "delete from raw.ingest_files where batch_id in (select batch_id from raw.ingest_batches where region_id = %s)",
            (region,),
        )
        for table in tables:
            conn.execute(f"delete from {table} where region_id = %s", (region,))
        conn.execute("delete from raw.ingest_batches where region_id = %s", (region,))
    say(f"{region}: the data an earlier demo loaded for another period deleted from raw")


DAILY_RUNS = 3  # the last days of the period run one by one, as the daily schedule would
# The demo's seeds were written for data from this day: the registered improvement measure
# (ens-03, from 1 October 2026, compared over 28 days each side) and the revised registration
# journey (version 2 from 1 October 2026) need the weeks around 1 October in the data.
DEMO_FROM = date(2026, 9, 1)
MAX_DAYS = 184  # the period is cut to this many days when the demo runs much later


def demo_period(args: argparse.Namespace) -> tuple[date, date]:
    """First and last day of the demo's data: up to yesterday, so the front page shows fresh
    data, from ``DEMO_FROM`` (at most ``MAX_DAYS``), or ``--start`` / ``--months`` when given."""
    from include.generator.schedule import add_months

    if args.start:
        first = date.fromisoformat(args.start)
        last = add_months(first, args.months or 2) - timedelta(days=1)
        return first, last
    today = datetime.now(ZoneInfo(settings.schedule_timezone())).date()
    last = date.fromisoformat(args.end) if args.end else today - timedelta(days=1)
    if args.months:
        return add_months(last + timedelta(days=1), -args.months), last
    first = max(DEMO_FROM, last - timedelta(days=MAX_DAYS - 1))
    if first > last - timedelta(days=27):  # a clock before the demo's period: four weeks from DEMO_FROM
        first, last = DEMO_FROM, DEMO_FROM + timedelta(days=60)
    return first, last


def ingest(days: list[date]) -> None:
    """Every source system of the region (call centre, office queue, website + portal, chatbot,
    case management, surveys) the way an operator starts a deployment: the history as one backfill
    batch per source (a run with ``interval_start`` / ``interval_end``), then the last days daily."""
    from include.connectors import SOURCES
    from include.dag_runs import load_dag, run_day, run_days

    history, daily = days[:-DAILY_RUNS], days[-DAILY_RUNS:]
    for dag_id in (f"ingest_{source}" for source in SOURCES):
        dag = load_dag(dag_id)
        started = time.perf_counter()
        if history:
            run_days(dag, history[0], history[-1])
        for day in daily:
            run_day(dag, day)
        say(
            f"{dag_id}: {history[0] if history else daily[0]}…{days[-1]} as a backfill batch and "
            f"{len(daily)} daily runs ({time.perf_counter() - started:.0f} s)"
        )


def build() -> None:
    from include.dag_runs import load_dag, run

    say("build_journeys: dbt (Cosmos) → quality gate → publish → pages")
    run(load_dag("build_journeys"))
    say("model_scenarios: queueing and funnel models → scenarios, backtest → «Моделирование мер»")
    run(load_dag("model_scenarios"))


def summary() -> list[tuple[str, int, int, int, int]]:
    import psycopg

    with psycopg.connect(settings.warehouse_dsn()) as conn:
        return [
            tuple(row)
            for row in conn.execute(
                "select source, sum(rows_read), sum(rows_loaded), sum(rows_rejected), sum(rows_duplicate)"
                " from raw.ingest_batches where status = 'validated' group by source order by source"
            ).fetchall()
        ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--region", default="enskaya")
    parser.add_argument("--offices", type=int, default=4)
    parser.add_argument("--months", type=int, default=None, help="length of the period (default: from 1 Sep 2026)")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--start", default=None, help="first day (with --months: a fixed period, as before)")
    parser.add_argument("--end", default=None, help="last day of the data (default: yesterday)")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    airflow_env.configure()
    # dbt's per-model lines are in dbt/logs/dbt.log and the Airflow task logs; errors still print
    os.environ.setdefault("DBT_QUIET", "true")
    from tools.warehouse import resolve_dsn

    os.environ["WAREHOUSE_DSN"] = resolve_dsn()
    say(f"warehouse: {os.environ['WAREHOUSE_DSN']}")
    ensure_key()
    say("Airflow metadata database (SQLite in var/airflow)")
    airflow_env.migrate_metadata_db()

    manifest = generate(args)
    first = date.fromisoformat(manifest["start_date"])
    last = date.fromisoformat(manifest["end_date"])
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    ingest(days)
    build()

    index = settings.site_dir() / "index.html"
    say(f"done in {time.perf_counter() - started:.0f} s")
    print("\nsource          read     loaded   rejected  duplicate")
    for source, read, loaded, rejected, duplicate in summary():
        print(f"{source:<14}{read:>7}{loaded:>11}{rejected:>11}{duplicate:>11}")
    print(f"\nPages:      {index}  (overview; KPI dashboard: kpi.html, journey maps: journeys/)")
    print(f"            open file://{index} in a browser")
    print(f"Warehouse:  {os.environ['WAREHOUSE_DSN']}  (published schema: marts)")
    print("Airflow UI: make airflow")
    return 0


if __name__ == "__main__":
    sys.exit(main())
