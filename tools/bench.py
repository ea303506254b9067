"""``make bench``: how fast is the warehouse, against the PostgreSQL floor, on this machine.

For a generated region at each size (events of all sources) it measures, in one run on one
server:

* **floor** — ``COPY`` of the same lines (every landed file, one text column) plus one
  ``GROUP BY`` pass over them: what PostgreSQL needs at least to take the bytes in and look at
  them once (the median of three runs: one run is noisy);
* **ingest** — parse, validate (GX), pseudonymise, load every day of every source, in a child
  process whose peak memory is reported: by default the history as one backfill batch per source
  (``--history-batch run``, as ``make demo`` loads it: GX once per source and run), or one batch
  per month or day;
* **build** — ``dbt build`` (models + tests) + GX audit + publish; **end-to-end** = ingest + build;
* **incremental** — one more day after a year of history: ingest + build, as a share of the full
  build. Between the two, a build with nothing new is run and published (and reported): the two
  mart schemas take turns (``include/publish.py``), so in daily operation a build writes into the
  schema published two builds before; without it the day would be measured as the first build
  of the second schema, which has to make its incremental marts from nothing;
* **dashboard** — p95 latency of the queries the KPI pages and a BI dashboard send;
* **DAG parse** — time to parse the DAG files.

Prints a table and writes ``var/bench/bench-<timestamp>.json``. Not part of ``make test``.

    python -m tools.bench                       # 1M and 10M events
    python -m tools.bench --sizes 1M --months 3 # smaller, quicker
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from include import settings
from include.connectors import SOURCES

TARGET_EVENTS = {"100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}
START = date(2025, 10, 1)
HISTORY_MONTHS = 12  # the history ends where START + 12 months ends, however long it is


def history_start(months: int) -> date:
    """The first day of a history of ``months`` that ends where the default 12 months end."""
    first = START.year * 12 + START.month - 1 + HISTORY_MONTHS - months
    return date(first // 12, first % 12 + 1, 1)


DASHBOARD_QUERIES = {
    "tiles: region, last month": (
        "select k.kpi_id, k.value, k.status, k.sample_size from marts.fct_touchpoint_kpis k"
        " where k.office_id is null and k.period_grain = 'month'"
        " and k.period_start = (select max(period_start) from marts.fct_touchpoint_kpis where period_grain = 'month')"
    ),
    "office table, one month": (
        "select k.office_id, o.office_name_ru, k.kpi_id, k.value, k.status from marts.fct_touchpoint_kpis k"
        " join marts.dim_offices o using (office_id) where k.period_grain = 'month'"
        " and k.period_start = (select max(period_start) from marts.fct_touchpoint_kpis where period_grain = 'month')"
    ),
    "daily trend of one KPI, all offices": (
        "select office_id, period_start, value from marts.fct_touchpoint_kpis"
        " where kpi_id = 'office_wait_walkin' and period_grain = 'day' order by office_id, period_start"
    ),
    "weekday profile of one KPI": (
        "select office_id, bucket, value, status from marts.fct_kpi_profiles"
        " where kpi_id = 'office_wait_walkin' and profile = 'weekday'"
    ),
    "BI: calls per queue and outcome, one month": (
        "select queue_name, outcome, sum(calls), sum(hold_seconds_total)::numeric / nullif(sum(calls_with_hold_seconds), 0)"
        " from marts.fct_call_queue_days"
        " where offered_local_date >= (select max(offered_local_date) - 30 from marts.fct_call_queue_days)"
        " group by queue_name, outcome"
    ),
}
# The same question asked ad hoc of the call fact (one row per call): reported beside the
# dashboard queries, not held to their target, since it grows with the calls of a month.
AD_HOC_QUERIES = {
    "ad hoc: the same from fct_calls": (
        "select queue_name, outcome, count(*), avg(hold_seconds) from marts.fct_calls"
        " where offered_local_date >= (select max(offered_local_date) - 30 from marts.fct_calls)"
        " group by queue_name, outcome"
    ),
}


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


@contextmanager
def timed(into: dict[str, float], key: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        into[key] = round(time.perf_counter() - started, 3)


# -- set-up -------------------------------------------------------------------------------------


def scale_for(target: int, offices: int, months: int) -> float:
    """Generator scale that gives about ``target`` events: measured on one generated week."""
    from include.generator import generate_region

    probe = settings.var_dir() / "bench" / "probe"
    manifest = generate_region(probe, seed=1, offices=offices, days=7, scale=1.0, start=START, noise=False)
    per_day = manifest["counts"]["events_total"] / 7
    return max(0.05, round(target / (per_day * months * 30.4), 3))


def generate(size: str, offices: int, months: int) -> tuple[Path, dict[str, Any]]:
    from include.generator import generate_region, source_digest

    landing = settings.var_dir() / "bench" / size / "landing"
    stamp = landing / ".bench-args.json"
    scale = scale_for(TARGET_EVENTS[size], offices, months)
    start = history_start(months)
    # the generator's code too: a region generated by older code is generated again
    wanted = {
        "offices": offices,
        "months": months,
        "scale": scale,
        "start": start.isoformat(),
        "generator": source_digest(),
    }
    manifest_path = landing / "enskaya" / "manifest.json"
    if stamp.exists() and manifest_path.exists() and json.loads(stamp.read_text()) == wanted:
        return landing, json.loads(manifest_path.read_text())
    say(f"{size}: generating {offices} offices × {months} months at scale {scale}")
    manifest = generate_region(landing, seed=11, offices=offices, months=months, scale=scale, start=start, noise=True)
    stamp.write_text(json.dumps(wanted))
    return landing, manifest


def fresh_database(server: str) -> str:
    name = f"cjw_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    return make_conninfo(server, dbname=name)


def drop_database(server: str, dsn: str) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(
                sql.Identifier(str(conninfo_to_dict(dsn)["dbname"]))
            )
        )


def landed_files(landing: Path) -> list[Path]:
    return sorted(p for p in landing.rglob("*") if p.is_file() and "truth" not in p.parts and p.suffix != ".json")


# -- the floor ----------------------------------------------------------------------------------


def file_encoding(path: Path) -> str:
    """UTF8, or WIN1251 for the exports some systems still write in it."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "WIN1251"
    return "UTF8"


def measure_floor(dsn: str, landing: Path, runs: int = 3) -> dict[str, Any]:
    """COPY every landed line into one text column, then one GROUP BY pass over them.

    Measured ``runs`` times (the table emptied between) and reported as the run with the median
    total: one run of it swung by half on the same machine (31 to 46 s at 10M), and every ratio
    of the table divides by it. Each run's figures are kept in ``runs``.
    """
    measured: list[dict[str, float]] = []
    lines = 0
    with psycopg.connect(dsn) as conn:
        conn.execute("create unlogged table bench_floor (line text)")
        conn.commit()
        # the encodings are found before the clock starts: the floor is PostgreSQL's work only
        encodings = {path: file_encoding(path) for path in landed_files(landing)}
        for _ in range(runs):
            conn.execute("truncate bench_floor")
            conn.commit()
            result: dict[str, float] = {}
            with timed(result, "copy_s"), conn.cursor() as cur:
                for path, encoding in encodings.items():
                    # CSV format with characters that never occur in exports: each line is one value;
                    # the Windows-1251 exports are declared as such, as any loader has to
                    statement = sql.SQL(
                        "copy bench_floor (line) from stdin (format csv, delimiter e'\\x01', quote e'\\x02', encoding {})"
                    ).format(sql.Literal(encoding))
                    with cur.copy(statement) as copy, path.open("rb") as handle:
                        for chunk in iter(lambda: handle.read(1 << 20), b""):
                            copy.write(chunk)
                conn.commit()
            with timed(result, "group_by_s"):
                row = conn.execute(
                    "select count(*) from (select left(line, 12), count(*), max(length(line))"
                    " from bench_floor group by 1) t"
                ).fetchone()
            assert row is not None
            result["floor_s"] = round(result["copy_s"] + result["group_by_s"], 3)
            measured.append(result)
        lines = int(conn.execute("select count(*) from bench_floor").fetchone()[0])  # type: ignore[index]
        conn.execute("drop table bench_floor")
        conn.commit()
    median = sorted(measured, key=lambda r: r["floor_s"])[len(measured) // 2]
    return {**median, "lines": lines, "runs": measured}


# -- ingestion (in a child process, for its peak memory) ----------------------------------------


def intervals(days: list[date], batch: str) -> list[tuple[date, date]]:
    """``days`` cut into data intervals: one per day (as the daily DAG runs), per calendar month, or
    one for them all (``run``: the history as one backfill batch, as ``make demo`` loads it)."""
    if batch == "run":
        return [(days[0], days[-1] + timedelta(days=1))] if days else []
    cuts: list[tuple[date, date]] = []
    for day in days:
        same = cuts and batch == "month" and (cuts[-1][0].year, cuts[-1][0].month) == (day.year, day.month)
        if same:
            cuts[-1] = (cuts[-1][0], day + timedelta(days=1))
        else:
            cuts.append((day, day + timedelta(days=1)))
    return cuts


# The generated case feed's defects are per file (a truncated last line, a BOM …) and a day has few
# case events, so one batch of ten years' case lines is ≈ 5.5 % rejected: over the 5 % gate, the
# 10 M region was built without case events. The bench measures every source (the rejected lines
# are quarantined as always); an operator raises the same variable for such an export.
BENCH_GATE = {"CJW_MAX_REJECT_SHARE_CASES": "0.10"}


def ingest_days(dsn: str, landing: Path, days: list[date], batch: str = "day") -> dict[str, Any]:
    """Run the ingest child process over ``days`` in ``batch`` intervals; returns its timings and
    peak RSS."""
    spans = json.dumps([[a.isoformat(), b.isoformat()] for a, b in intervals(days, batch)])
    child = subprocess.run(
        [sys.executable, "-m", "tools.bench", "_ingest", dsn, str(landing), spans],
        check=True,
        capture_output=True,
        text=True,
        env={**BENCH_GATE, **os.environ, "WAREHOUSE_DSN": dsn},
    )
    result = dict(json.loads(child.stdout.strip().splitlines()[-1]))
    for failed in result.get("failed_batches", []):
        say(f"  batch {failed['batch_id']} of {failed['source']} failed validation: {failed['reason'][:200]}")
    return result


def peak_rss_kib() -> int:
    """This process's peak resident set since it started (VmHWM). Not ``ru_maxrss``: Linux
    carries that across exec from the forking parent, so the ingest child reported the bench's own
    size (its dbt runs of an earlier size) — 598 MiB after a 100k run against 312 MiB alone."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _ingest_child(dsn: str, landing: Path, spans: list[tuple[date, date]]) -> dict[str, Any]:
    from include.ingest import load_interval, validate_batch

    tz = ZoneInfo(settings.schedule_timezone())
    loaded = {"read": 0, "loaded": 0, "rejected": 0, "duplicate": 0, "batches": 0}
    timings = {"load_s": 0.0, "validate_s": 0.0}
    # per source, so a run says which source's load or validation grows with history
    by_source: dict[str, dict[str, float]] = {}
    failed: list[dict[str, Any]] = []
    for first, end in spans:
        start = datetime.combine(first, datetime.min.time(), tz)
        stop = datetime.combine(end, datetime.min.time(), tz)
        for source in SOURCES:
            if not (landing / "enskaya" / source).is_dir():
                continue
            began = time.perf_counter()
            report = load_interval(source, "enskaya", start, stop, dsn=dsn, landing=landing, progress=lambda _m: None)
            spent = by_source.setdefault(source, {"load_s": 0.0, "validate_s": 0.0})
            spent["load_s"] += time.perf_counter() - began
            began = time.perf_counter()
            verdict = validate_batch(source, report["batch_id"], dsn=dsn)
            spent["validate_s"] += time.perf_counter() - began
            if not verdict["success"]:
                failed.append({"source": source, "batch_id": report["batch_id"], "reason": verdict.get("reason", "")})
            loaded["batches"] += 1
            for key in ("read", "loaded", "rejected", "duplicate"):
                loaded[key] += report[key]
    for spent in by_source.values():
        for key in timings:
            timings[key] += spent[key]
    peak_kib = peak_rss_kib()
    return {
        **loaded,
        **{k: round(v, 3) for k, v in timings.items()},
        "validate_per_batch_s": round(timings["validate_s"] / max(1, loaded["batches"]), 3),
        "lines_per_s": round(loaded["read"] / max(timings["load_s"], 1e-9)),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "failed_batches": failed,
        "by_source_s": {source: {k: round(v, 3) for k, v in spent.items()} for source, spent in by_source.items()},
    }


# -- build, publish, dashboard --------------------------------------------------------------------


def io_stall_total_s(text: str) -> float | None:
    """Seconds, since boot, in which some task of the machine waited for I/O: the ``some`` line's
    ``total`` (microseconds) of Linux's pressure file ``/proc/pressure/io``; None without it."""
    for line in text.splitlines():
        fields = line.split()
        if fields[:1] == ["some"]:
            for field in fields[1:]:
                if field.startswith("total="):
                    return int(field.removeprefix("total=")) / 1e6
    return None


def io_stall_now_s() -> float | None:
    try:
        return io_stall_total_s(Path("/proc/pressure/io").read_text())
    except OSError:
        return None


def build_and_publish(dsn: str) -> dict[str, Any]:
    """dbt build, audit, publish, timed; ``io_stall_s``: how long of it some task waited for the
    disk (a build that reads pages the page cache no longer holds — the 10 M day on a machine with
    less memory than the warehouse — says so here, not only in a slower figure)."""
    from include.dbt_runner import PRODUCTION_BUILD_ENV, dbt_env, invoke
    from include.publish import audit_build, prepare_build, publish

    result: dict[str, float] = {}
    stalled_before = io_stall_now_s()
    with timed(result, "dbt_build_s"):
        prepare_build(dsn)
        outcome = invoke(["build", "--quiet"], env={**dbt_env(dsn), **PRODUCTION_BUILD_ENV})
        if not outcome.success:
            raise RuntimeError(f"dbt build failed: {outcome.exception}")
    profile = build_profile()
    with timed(result, "audit_s"):
        quality = audit_build(dsn)
        if not quality["success"]:
            raise RuntimeError(f"audit failed: {quality['failed']}")
    with timed(result, "publish_s"):
        publish(f"bench-{uuid.uuid4().hex[:6]}", quality=quality, dsn=dsn)
    result["build_gate_publish_s"] = round(sum(result.values()), 3)
    stalled_after = io_stall_now_s()
    if stalled_before is not None and stalled_after is not None:
        result["io_stall_s"] = round(stalled_after - stalled_before, 3)
    return {**result, "profile": profile}


def build_profile(slowest: int = 15) -> dict[str, Any]:
    """Where the build's time went, from dbt's run_results.json: thread seconds and node counts
    by resource type (model, test, seed, unit test) and the slowest models — so a bench run says
    which models grow with history, not just that the build does."""
    from include.dbt_runner import target_dir

    path = target_dir() / "run_results.json"
    if not path.exists():
        return {}
    nodes = json.loads(path.read_text())["results"]
    by_type: dict[str, dict[str, float]] = {}
    for node in nodes:
        kind = node["unique_id"].split(".", 1)[0]
        entry = by_type.setdefault(kind, {"nodes": 0, "thread_s": 0.0})
        entry["nodes"] += 1
        entry["thread_s"] = round(entry["thread_s"] + node["execution_time"], 3)
    models = sorted(
        (node for node in nodes if node["unique_id"].startswith("model.")), key=lambda node: -node["execution_time"]
    )
    return {
        "by_type": by_type,
        "slowest_models_s": {
            node["unique_id"].split(".")[-1]: round(node["execution_time"], 2) for node in models[:slowest]
        },
        # every node (model, test, seed): which ones a larger history makes slower (day_growth)
        "nodes_s": {node["unique_id"]: round(node["execution_time"], 3) for node in nodes},
    }


def day_growth(small: dict[str, Any], large: dict[str, Any], top: int = 10) -> list[tuple[str, float, float]]:
    """The nodes of the one more day's build that took longest more at the larger size: (node,
    seconds at the smaller size, at the larger), largest difference first — where a day's cost
    grows with the history."""
    a = small["incremental_day"]["build"].get("profile", {}).get("nodes_s", {})
    b = large["incremental_day"]["build"].get("profile", {}).get("nodes_s", {})
    grown = sorted(((b.get(k, 0.0) - a.get(k, 0.0), k) for k in set(a) | set(b)), reverse=True)
    return [(k.split(".", 1)[0] + " " + k.rsplit(".", 1)[-1], a.get(k, 0.0), b.get(k, 0.0)) for _, k in grown[:top]]


def database_size_gib(dsn: str) -> float:
    """The warehouse's size on disk: against the machine's memory, whether a day's reads can hit
    the page cache."""
    with psycopg.connect(dsn) as conn:
        row = conn.execute("select pg_database_size(current_database())").fetchone()
    return round(int(row[0]) / 2**30, 2) if row else 0.0


def dashboard_latency(dsn: str, queries: dict[str, str], repeats: int = 40) -> dict[str, float]:
    latencies: dict[str, float] = {}
    with psycopg.connect(dsn) as conn:
        for name, query in queries.items():
            samples = []
            conn.execute(query).fetchall()  # warm
            for _ in range(repeats):
                began = time.perf_counter()
                conn.execute(query).fetchall()
                samples.append((time.perf_counter() - began) * 1000)
            latencies[name] = round(statistics.quantiles(samples, n=20)[18], 2)  # p95, ms
    return latencies


def dag_parse_seconds() -> float:
    code = (
        "import time; from include import airflow_env; airflow_env.configure();"
        "from airflow.dag_processing.dagbag import DagBag; t = time.perf_counter();"
        "DagBag(dag_folder='dags'); print(time.perf_counter() - t)"
    )
    child = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=settings.PROJECT_ROOT
    )
    return round(float(child.stdout.strip().splitlines()[-1]), 3)


# -- one size -------------------------------------------------------------------------------------


def bench_size(server: str, size: str, offices: int, months: int, batch: str, keep: bool = False) -> dict[str, Any]:
    landing, manifest = generate(size, offices, months)
    first, last = date.fromisoformat(manifest["start_date"]), date.fromisoformat(manifest["end_date"])
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    dsn = fresh_database(server)
    try:
        say(f"{size}: floor (COPY + GROUP BY of {len(landed_files(landing))} files)")
        floor = measure_floor(dsn, landing)
        say(f"{size}: ingest {len(days) - 1} days of every source, one batch per {batch}")
        ingest = ingest_days(dsn, landing, days[:-1], batch)
        ingest["ingest_s"] = round(ingest["load_s"] + ingest["validate_s"], 3)
        say(f"{size}: dbt build + audit + publish")
        full = build_and_publish(dsn)
        say(f"{size}: a build with nothing new (the other mart schema, as in daily operation)")
        settle = build_and_publish(dsn)
        say(f"{size}: one more day (incremental)")
        day_ingest = ingest_days(dsn, landing, days[-1:])
        day_build = build_and_publish(dsn)
        dashboard = dashboard_latency(dsn, DASHBOARD_QUERIES)
        ad_hoc = dashboard_latency(dsn, AD_HOC_QUERIES)
        database_gib = database_size_gib(dsn)
    finally:
        if keep:
            say(f"{size}: kept the database for a look at its plans: {dsn}")
        else:
            drop_database(server, dsn)
    floor_s = floor["floor_s"]
    end_to_end = ingest["ingest_s"] + full["build_gate_publish_s"]
    incremental = day_ingest["load_s"] + day_ingest["validate_s"] + day_build["build_gate_publish_s"]
    return {
        "size": size,
        "history_months": months,
        "events": manifest["counts"]["events_total"],
        "lines": floor["lines"],
        "floor": floor,
        "ingest": ingest,
        "build": full,
        "build_nothing_new": settle,
        "incremental_day": {"ingest": day_ingest, "build": day_build, "total_s": round(incremental, 3)},
        "database_gib": database_gib,
        "dashboard_p95_ms": dashboard,
        "ad_hoc_p95_ms": ad_hoc,
        "ratios": {
            "ingest_vs_floor": round(ingest["ingest_s"] / floor_s, 2),
            "load_vs_floor": round(ingest["load_s"] / floor_s, 2),
            "build_gate_publish_vs_floor": round(full["build_gate_publish_s"] / floor_s, 2),
            "end_to_end_vs_floor": round(end_to_end / floor_s, 2),
            "incremental_day_vs_full_build": round(incremental / (end_to_end or 1), 4),
        },
    }


def print_table(results: list[dict[str, Any]], parse_s: float) -> None:
    rows: list[tuple[str, Callable[[dict[str, Any]], Any], str]] = [
        ("events (all sources)", lambda r: f"{r['events']:,}", ""),
        ("history, months", lambda r: r.get("history_months", ""), ""),
        ("floor: COPY + GROUP BY, median of runs, s", lambda r: r["floor"]["floor_s"], ""),
        ("  its runs, s", lambda r: "/".join(f"{x['floor_s']:.1f}" for x in r["floor"].get("runs", [])), ""),
        ("ingest (parse, validate, pseudonymise, load), s", lambda r: r["ingest"]["ingest_s"], ""),
        ("  ratio to floor", lambda r: r["ratios"]["ingest_vs_floor"], "≤ 4"),
        ("  of which parse + pseudonymise + COPY, s", lambda r: r["ingest"]["load_s"], ""),
        ("    ratio to floor", lambda r: r["ratios"]["load_vs_floor"], ""),
        ("  of which GX validation, s", lambda r: r["ingest"]["validate_s"], ""),
        ("    per batch (fixed cost), s", lambda r: r["ingest"]["validate_per_batch_s"], ""),
        ("dbt build + gate + publish, s", lambda r: r["build"]["build_gate_publish_s"], ""),
        ("  ratio to floor", lambda r: r["ratios"]["build_gate_publish_vs_floor"], ""),
        ("end-to-end ratio to floor", lambda r: r["ratios"]["end_to_end_vs_floor"], "≤ 15"),
        ("build + gate + publish, nothing new, s", lambda r: r["build_nothing_new"]["build_gate_publish_s"], ""),
        ("one more day: ingest, s", lambda r: r["incremental_day"]["ingest"]["load_s"], ""),
        ("  its GX validation, s", lambda r: r["incremental_day"]["ingest"]["validate_s"], ""),
        ("  its build + gate + publish, s", lambda r: r["incremental_day"]["build"]["build_gate_publish_s"], ""),
        (
            "    of which some task waited for I/O, s",
            lambda r: r["incremental_day"]["build"].get("io_stall_s", "–"),
            "",
        ),
        ("one more day / full run", lambda r: f"{r['ratios']['incremental_day_vs_full_build']:.1%}", "≤ 5 %"),
        ("warehouse on disk after the day, GiB", lambda r: r.get("database_gib", "–"), ""),
        ("ingestion peak RSS, MiB", lambda r: r["ingest"]["peak_rss_mib"], "flat"),
        ("dashboard p95, worst query, ms", lambda r: max(r["dashboard_p95_ms"].values()), "≤ 100"),
        ("ad hoc on fct_calls, one month, p95, ms", lambda r: max(r["ad_hoc_p95_ms"].values()), ""),
    ]
    header = f"{'measure':<52}" + "".join(f"{r['size']:>14}" for r in results) + f"{'target':>10}"
    print("\n" + header + "\n" + "-" * len(header))
    for label, value, target in rows:
        print(f"{label:<52}" + "".join(f"{value(r)!s:>14}" for r in results) + f"{target:>10}")
    print(f"{'DAG files parse, s':<52}{parse_s:>14}")
    for r in results:
        profile = r["incremental_day"]["build"].get("profile") or {}
        if profile:
            kinds = ", ".join(f"{kind} {v['nodes']} in {v['thread_s']} s" for kind, v in profile["by_type"].items())
            slowest = ", ".join(f"{name} {sec}" for name, sec in list(profile["slowest_models_s"].items())[:8])
            print(f"\n{r['size']}, one more day's dbt build (thread seconds): {kinds}\n  slowest models: {slowest}")
        sources = r["incremental_day"]["ingest"].get("by_source_s") or {}
        if sources:
            spent = ", ".join(f"{name} {v['load_s']} + {v['validate_s']}" for name, v in sources.items())
            print(f"{r['size']}, one more day's ingest by source (load + validation, s): {spent}")
    if len(results) > 1:
        small, large = results[0], results[-1]
        grown = day_growth(small, large)
        if grown:
            listed = ", ".join(f"{name} {x:.2f} → {y:.2f}" for name, x, y in grown)
            print(f"\none more day's nodes that grew most, {small['size']} → {large['size']} (thread s): {listed}")


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    if args_list[:1] == ["_ingest"]:
        dsn, landing, spans = args_list[1:4]
        parsed = [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in json.loads(spans)]
        print(json.dumps(_ingest_child(dsn, Path(landing), parsed)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["1M", "10M"], choices=sorted(TARGET_EVENTS))
    parser.add_argument("--offices", type=int, default=4)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument(
        "--history-batch",
        choices=["run", "month", "day"],
        default="run",
        help="data intervals of the history load: run (the whole history as one backfill batch per "
        "source, validated once, as `make demo` and an operator load it), month or day (as many "
        "daily runs); the one more day is always one daily batch",
    )
    parser.add_argument(
        "--same-daily-volume",
        action="store_true",
        help="every size with the daily volume of 1M over --months: a larger size is a longer history "
        "(10M: ten times the months), so 'one more day' is the same day's worth of data at every size — "
        "what 'a day costs the same whatever the history' needs; without it a larger size is a denser region",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep each size's database after the run (to look at its plans; drop it yourself)",
    )
    args = parser.parse_args(args_list)
    from include import airflow_env

    airflow_env.configure()
    os.environ.setdefault("CJW_PSEUDONYM_KEY", "be" * 32)
    from tools.warehouse import resolve_dsn

    server = resolve_dsn()
    out = settings.var_dir() / "bench" / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    machine = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "platform": platform.platform(),
    }
    parse_s = dag_parse_seconds()
    results: list[dict[str, Any]] = []
    for size in args.sizes:
        months = args.months
        if args.same_daily_volume:
            months = max(1, round(args.months * TARGET_EVENTS[size] / TARGET_EVENTS["1M"]))
        results.append(bench_size(server, size, args.offices, months, args.history_batch, args.keep))
        # each size is written as soon as it is measured: a 10M run takes hours
        print_table(results, parse_s)
        out.write_text(
            json.dumps(
                {"machine": machine, "history_batch": args.history_batch, "dag_parse_s": parse_s, "results": results},
                indent=2,
            )
        )
        print(f"\nwritten {out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
