"""The benchmark's own helpers: how history is cut into batches and how the floor reads files."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tools import bench
from tools.bench import file_encoding, intervals


def test_history_is_one_backfill_or_cut_into_days_or_calendar_months() -> None:
    days = [date(2025, 10, 28) + timedelta(days=n) for n in range(8)]
    assert intervals(days, "run") == [(date(2025, 10, 28), date(2025, 11, 5))]
    assert intervals(days, "month") == [
        (date(2025, 10, 28), date(2025, 11, 1)),
        (date(2025, 11, 1), date(2025, 11, 5)),
    ]
    daily = intervals(days, "day")
    assert len(daily) == 8
    assert all(end - start == timedelta(days=1) for start, end in daily)


def test_the_floor_declares_windows_1251_exports(tmp_path: Path) -> None:
    utf8 = tmp_path / "a.csv"
    utf8.write_text("талон;окно\n" * 100_000, encoding="utf-8")  # crosses a read chunk
    cp1251 = tmp_path / "b.csv"
    cp1251.write_text("талон;окно\n", encoding="cp1251")
    assert file_encoding(utf8) == "UTF8"
    assert file_encoding(cp1251) == "WIN1251"


def test_the_time_stalled_on_io_is_read_from_the_pressure_file() -> None:
    # the format of Linux's /proc/pressure/io (PSI): microseconds since boot in `total`
    text = (
        "some avg10=0.77 avg60=23.64 avg300=23.09 total=456787044\n"
        "full avg10=0.67 avg60=22.20 avg300=20.99 total=406480566\n"
    )
    assert bench.io_stall_total_s(text) == pytest.approx(456.787044)
    assert bench.io_stall_total_s("") is None
    now = bench.io_stall_now_s()
    if Path("/proc/pressure/io").exists():
        assert now is not None and now >= 0
    else:
        assert now is None


def test_a_longer_history_ends_where_the_default_one_ends() -> None:
    from tools.bench import START, history_start

    assert history_start(12) == START
    assert history_start(1) == date(2026, 9, 1)
    assert history_start(120) == date(2016, 10, 1)


def test_the_ingest_peak_is_the_child_s_own_not_the_bench_s() -> None:
    """The ingest child reports its own peak memory: ``ru_maxrss`` carries the forking parent's
    size across exec on Linux, so a bench grown by its dbt runs made ingestion look 600 MiB."""
    import subprocess
    import sys

    ballast = bytearray(300 * 1024 * 1024)
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    code = "from tools.bench import peak_rss_kib; print(peak_rss_kib() // 1024)"
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(child.stdout) < 200
    del ballast


def test_the_floor_is_the_median_of_its_runs_over_every_landed_line(tmp_path: Path, fresh_db: str) -> None:
    """Every ratio of the table divides by the floor: it is measured three times and the run with
    the median total reported (one run swung by half on the same machine), each run kept."""
    import psycopg

    from tools.bench import measure_floor

    (tmp_path / "calls").mkdir()
    (tmp_path / "calls" / "a.csv").write_text("талон;окно\n" * 1000, encoding="utf-8")
    (tmp_path / "calls" / "b.csv").write_text("талон;окно\n" * 10, encoding="cp1251")
    (tmp_path / "manifest.json").write_text("{}")  # not a landed export
    floor = measure_floor(fresh_db, tmp_path, runs=3)
    assert floor["lines"] == 1010
    totals = sorted(run["floor_s"] for run in floor["runs"])
    assert len(totals) == 3
    assert floor["floor_s"] == totals[1]
    with psycopg.connect(fresh_db) as conn:
        assert conn.execute("select to_regclass('bench_floor')").fetchone() == (None,)


def test_a_region_generated_by_other_generator_code_is_generated_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bench reuses a landing generated with the same arguments — and the same generator code:
    a region from before a generator change (a new source, complaints written by e-mail) would
    measure data the generator no longer makes."""
    from include.generator import source_digest

    monkeypatch.setenv("CJW_VAR_DIR", str(tmp_path))
    monkeypatch.setitem(bench.TARGET_EVENTS, "tiny", 3_000)
    landing, _ = bench.generate("tiny", 1, 1)
    stamp = landing / ".bench-args.json"
    manifest = landing / "enskaya" / "manifest.json"
    assert json.loads(stamp.read_text())["generator"] == source_digest()
    written = manifest.stat().st_mtime_ns
    bench.generate("tiny", 1, 1)
    assert manifest.stat().st_mtime_ns == written  # same arguments, same code: reused
    stamp.write_text(json.dumps(json.loads(stamp.read_text()) | {"generator": "older"}))
    bench.generate("tiny", 1, 1)
    assert manifest.stat().st_mtime_ns != written  # generated again
    assert json.loads(stamp.read_text())["generator"] == source_digest()


def test_the_day_s_growth_names_the_nodes_a_longer_history_slowed_most(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """build_profile keeps every node's time from dbt's run_results.json, and day_growth ranks
    the nodes of the one more day by how much longer they took at the larger size."""
    results = {
        "results": [
            {"unique_id": "model.cjw.int_journey_events", "execution_time": 0.5},
            {"unique_id": "model.cjw.fct_calls", "execution_time": 0.4},
            {"unique_id": "test.cjw.unique_x", "execution_time": 0.1},
        ]
    }
    (tmp_path / "run_results.json").write_text(json.dumps(results))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path))
    small = bench.build_profile()
    assert small["nodes_s"] == {
        "model.cjw.int_journey_events": 0.5,
        "model.cjw.fct_calls": 0.4,
        "test.cjw.unique_x": 0.1,
    }
    results["results"][0]["execution_time"] = 3.5
    results["results"][2]["execution_time"] = 0.9
    (tmp_path / "run_results.json").write_text(json.dumps(results))
    large = bench.build_profile()

    def run(profile: dict) -> dict:
        return {"incremental_day": {"build": {"profile": profile}}}

    grown = bench.day_growth(run(small), run(large), top=2)
    assert grown == [("model int_journey_events", 0.5, 3.5), ("test unique_x", 0.1, 0.9)]
