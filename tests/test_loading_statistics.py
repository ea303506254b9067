"""When a load refreshes the planner's statistics of a raw table (``include.loading.analyze_mode``).

A batch big against the table gets a whole ``ANALYZE``; a small batch the planner misjudges (the
statistics know the history batch alone, so a new batch looks like one row) gets ``batch_id``
analysed, unless it is so small that the worst plan costs less than the ``ANALYZE``; a day the
statistics already expect — the table holds many days and the estimate of a new
batch is the average one — gets nothing. Real PostgreSQL, the planner's own estimates.
"""

from __future__ import annotations

import psycopg

from include.loading import analyze_mode


def _batch(conn: psycopg.Connection, batch_id: int, rows: int) -> None:
    conn.execute(
        "insert into raw.t (batch_id, v) select %s, md5(g::text) from generate_series(1, %s) g", (batch_id, rows)
    )


def test_a_batch_is_analysed_only_where_the_planner_needs_it(fresh_db: str) -> None:
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute("create schema raw")
        # no autovacuum: the statistics are the ones each step leaves
        conn.execute("create table raw.t (batch_id bigint, v text) with (autovacuum_enabled = false)")
        cur = conn.cursor()
        _batch(conn, 1, 50_000)
        assert analyze_mode(cur, "t", 1, 50_000) == "whole"  # never analysed
        conn.execute("analyze raw.t")

        # the history as one backfill batch, then a day: the statistics know batch 1 alone, so
        # the day looks like one row
        _batch(conn, 2, 3_000)
        assert analyze_mode(cur, "t", 2, 3_000) == "column"
        conn.execute("analyze raw.t (batch_id)")
        assert analyze_mode(cur, "t", 2, 3_000) is None  # now it knows
        # a misjudged day of a few hundred rows is left as it is: its worst plan is cheap
        _batch(conn, 3, 500)
        cur.execute("explain (format json) select 1 from raw.t where batch_id = 3")
        assert cur.fetchone()[0][0]["Plan"]["Plan Rows"] < 500 / 4
        assert analyze_mode(cur, "t", 3, 500) is None

        # two hundred days later, analysed once: a new day of the usual size needs nothing …
        for batch_id in range(4, 203):
            _batch(conn, batch_id, 100)
        conn.execute("analyze raw.t")
        _batch(conn, 203, 100)
        assert analyze_mode(cur, "t", 203, 100) is None
        # … a day thirty times the usual one is misjudged: its column is analysed …
        _batch(conn, 204, 3_000)
        assert analyze_mode(cur, "t", 204, 3_000) == "column"
        # … and a batch of a tenth of the table or more changes every column's distribution
        _batch(conn, 205, 9_000)
        assert analyze_mode(cur, "t", 205, 9_000) == "whole"
