"""Incremental builds equal a rebuild from scratch.

A small generated region is ingested one day at a time, as the daily runs do, with a build of the
incremental models after each day: staging, the call summary, the per-source event models
(touchpoint events, identity occurrences, KPI observations, the desk tickets) and their unions,
each incremental by the batches it has not read. Some days bring what real exports bring: a hit of an earlier day again with another URL (the
loader rejects it), a queue_log line delivered twice (the first delivery wins), a call that
crosses midnight (in two days' logs), one more message of a chat session started the day before,
and a day ingested again from a corrected file (its earlier batch is replaced). After the builds
the tables equal, row for row, a `--full-refresh` build over the same raw data; rows of the first
day that nothing touched are the very rows written then (same row version), so the builds read
only the new batches and the calls and events they touched.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, time, timedelta
from pathlib import Path

import psycopg
import pytest

from include.dbt_runner import dbt_env, invoke, manifest_path
from include.generator import generate_region
from include.publish import prepare_build, publish
from tests.fixtures.daily_loads import REGION, START, TZ, load_days

pytestmark = pytest.mark.timeout(900)

DAYS = 5
EVENTS = "staging.stg_call_centre__queue_events"
CALLS = "intermediate.int_calls__summarised"
# the incremental models: staging, the call summary, the per-source event models and their unions
INCREMENTAL = [
    "path:models/staging",
    "path:models/intermediate/sources",
    "int_calls__summarised",
    "int_office_visits__tickets",
    "int_identity__occurrences",
    "int_kpi_observations",
    # identity: the components (and clients, event attributions) the scope names are recomputed
    "int_identity__nodes",
    "int_identity__shared_identifiers",
    "int_identity__scope",
    "int_identity__edges",
    "int_identity__components",
    "int_identity__clients",
    "int_identity__event_clients",
    "int_identity__event_coverage",
    # journeys: the touchpoint events new batches touched or whose attribution was recomputed;
    # the models by client, for the clients and operator shifts whose events or attribution changed
    "int_touchpoint_events",
    "int_staff__shift_events",
    # the operator shifts of the days whose agent events or answered calls new batches brought
    "int_staff__shifts",
    "int_journey__touched_clients",
    "int_clients__grouped",
    "int_journey_events",
    "int_journey_instance_events",
    "int_journey_stage_visits",
    "int_journey_instances",
    "int_journey_applications",
    # the clients' group, channels and journeys, and the running totals per group its hooks keep
    "int_client_groups__members",
    "dim_journeys",
    "int_client_groups__profiled",
    "int_journey_kpi_observations__clients",
    "int_journey_kpi_observations__portal",
    # recomputed whole; the partitions whose rows changed are logged by fingerprint
    "int_journey_survey_links",
    "int_journey_kpi_observations__events",
    "int_journey_kpi_observations",
    # marts: by call, by (KPI, region, month); built into marts__build and published by a swap of
    # the two mart schemas after every day, so each build catches up from the day before last
    "dim_kpis",
    "fct_calls",
    # the days on which the calls new batches touched entered a queue
    "fct_call_queue_days",
    "fct_touchpoint_kpis",
    # the events new batches touched, or whose attribution was recomputed, since this schema's build
    "fct_touchpoint_events",
    # the tickets and calls new batches touched (the queueing models' input)
    "fct_queue_services",
    # the tickets new batches touched (BI)
    "fct_office_tickets",
    # the (KPI, region, month) partitions the journey KPI observation tables logged as changed
    "fct_client_kpis",
    # the same months, and the whole-period rows from every observation
    "fct_journey_kpis",
    # the clients int_clients__grouped recomputed since this schema's build
    "dim_clients",
    # the running totals int_identity__event_coverage keeps
    "fct_identity_coverage",
    # the events per identity node int_identity__occurrences keeps
    "int_identity__shared_identifiers",
    "fct_identity_capped",
    # staff KPIs from the window days and case decisions recomputed by day and case
    "int_staff__window_days",
    "int_staff__case_decisions",
    "fct_staff_kpis",
]
MARTS = (
    "fct_calls",
    "fct_call_queue_days",
    "fct_touchpoint_kpis",
    "fct_touchpoint_events",
    "fct_queue_services",
    "fct_office_tickets",
    "fct_client_kpis",
    "fct_journey_kpis",
    "dim_clients",
    "fct_identity_coverage",
    "fct_staff_kpis",
    "fct_identity_capped",
)
EVENT_TABLES = [  # rows of day 1 nothing touched keep their row versions (e-mail is recomputed whole)
    "intermediate.int_call_centre__touchpoint_events",
    "intermediate.int_website_hits__identity_occurrences",
    "intermediate.int_office_visits__kpi_observations",
    "intermediate.int_identity__occurrences where source <> 'email_requests'",
    "intermediate.int_call_centre__kpi_observations",
]


def _build(dsn: str, *extra: str) -> None:
    prepare_build(dsn)
    result = invoke(["run", "--select", *INCREMENTAL, *extra], env=dbt_env(dsn))
    assert result.success, [str(r.message) for r in result.result.results if str(r.status) == "error"]


def _comments_unlike_the_docs(dsn: str) -> list[str]:
    """The built tables whose comments (the table's, its documented columns') are not the
    descriptions the project's YAML gives them; fails when too few tables were compared."""
    nodes = json.loads(manifest_path().read_text(encoding="utf-8"))["nodes"].values()
    unlike, compared = [], 0
    with psycopg.connect(dsn) as conn:
        for node in nodes:
            if node["resource_type"] != "model" or node["config"]["materialized"] not in ("table", "incremental"):
                continue
            oid = conn.execute("select to_regclass(%s)::oid", (node["relation_name"],)).fetchone()
            if oid is None or oid[0] is None or not node["description"]:
                continue
            compared += 1
            comments = dict(
                conn.execute(
                    "select attname::text, col_description(attrelid, attnum) from pg_attribute"
                    " where attrelid = %s and attnum > 0 and not attisdropped",
                    (oid[0],),
                ).fetchall()
            )
            table = conn.execute("select obj_description(%s, 'pg_class')", (oid[0],)).fetchone()
            if table is None or table[0] != node["description"]:
                unlike.append(node["name"])
            unlike += [
                f"{node['name']}.{name}"
                for name, column in node["columns"].items()
                if (comments.get(name) or "") != (column["description"] or "")
            ]
    assert compared > 20, compared
    return unlike


def _publish(dsn: str) -> None:
    """The build schema swapped with the published one: the next build starts from the day before."""
    publish(f"day-{uuid.uuid4().hex[:6]}", dsn=dsn)


# a rebuild from scratch numbers the identity nodes afresh: compared by their text ids; the edges
# (a star around each event's smallest node number) and the scope (what one build recomputed) depend
# on the numbers or the build, and the components they make are compared instead
BY_NODE_ID = {
    "intermediate.int_identity__nodes": "select node_id from intermediate.int_identity__nodes",
    "intermediate.int_identity__components": "select node_id, component_id from intermediate.int_identity__components",
    "intermediate.int_identity__edges": None,
    "intermediate.int_identity__scope": None,
    # how the last build made the components (its scope or all): the label test reads it
    "intermediate.identity_build_modes": None,
    # what one build recomputed, and its watermarks
    "intermediate.int_journey__touched_clients": None,
    # the bookkeeping of batches read, less the attribution watermark of the journey KPI
    # observations of page views (the highest identity_through read: not the same in a rebuild)
    # and the order the batches were taken in (`seq`: a rebuild takes them all in at once)
    "intermediate.incremental_batches": (
        "select model, batch_id, checksum from intermediate.incremental_batches where model not like '%#attribution'"
    ),
    # what each build changed in the journey KPI observations and the clients (a rebuild logs "everything")
    "intermediate.journey_observation_changes": None,
    "intermediate.client_row_changes": None,
    # the KPI months the last build of a mart recomputed (a rebuild: all of them)
    "intermediate.kpi_months_built": None,
}


def _digest(dsn: str) -> dict[str, tuple[int, str]]:
    """Every staging table and every intermediate one (the builds make only the incremental ones):
    row count and md5 of the sorted rows."""
    digests = {}
    with psycopg.connect(dsn) as conn:
        tables = conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where table_schema = 'staging' and table_name like 'stg\\_%%'"
            " or table_schema = 'intermediate' or table_schema = 'marts__build' and table_name = any(%s)"
            " order by 1",
            (list(MARTS),),
        ).fetchall()
        for (table,) in tables:
            if table in BY_NODE_ID and BY_NODE_ID[table] is None:
                continue
            rows = f"({BY_NODE_ID[table]})" if table in BY_NODE_ID else table
            # identity_through: the watermark of the build that computed a row (not the same in a rebuild)
            row = conn.execute(
                f"select count(*), md5(coalesce(string_agg(r, E'\\n' order by r), ''))"
                f" from (select (to_jsonb(t) - 'identity_through')::text as r from {rows} as t) as rows"
            ).fetchone()
            assert row is not None
            digests[table] = (int(row[0]), str(row[1]))
    assert {
        "intermediate.int_calls__summarised",
        "intermediate.int_identity__occurrences",
        "intermediate.int_identity__components",
        "intermediate.int_identity__event_clients",
        "intermediate.int_touchpoint_events",
    } <= set(digests)
    assert {f"marts__build.{mart}" for mart in MARTS} <= set(digests)
    return digests


def _rows(dsn: str, query: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    with psycopg.connect(dsn) as conn:
        return list(conn.execute(query, params).fetchall())


def _row_versions(dsn: str, table: str) -> set[tuple[object, ...]]:
    """(ctid, xmin) of the rows of `table` (and the condition that may follow its name)."""
    return set(_rows(dsn, f"select ctid::text, xmin::text from {table}"))


SCOPE = "intermediate.int_identity__scope"
BY_CLIENT = (
    "intermediate.int_clients__grouped",
    "intermediate.int_journey_instance_events",
    "intermediate.int_journey_instances",
    "intermediate.int_journey_kpi_observations__clients",
)


def _node_versions(dsn: str) -> dict[str, tuple[str, str]]:
    """node_id → row version (ctid, xmin) of int_identity__components."""
    rows = _rows(dsn, "select node_id, ctid::text, xmin::text from intermediate.int_identity__components")
    return {str(node): (str(ctid), str(xmin)) for node, ctid, xmin in rows}


def _equals_a_rebuild(dsn: str) -> dict[str, tuple[int, str]]:
    incremental = _digest(dsn)
    _build(dsn, "--full-refresh")
    assert _digest(dsn) == incremental
    return incremental


def _append(path: Path, lines: list[str]) -> None:
    text = path.read_text(encoding="utf-8")
    separator = "" if not text or text.endswith("\n") else "\n"
    path.write_text(text + separator + "".join(line + "\n" for line in lines), encoding="utf-8")


def test_staging_built_day_by_day_equals_a_rebuild(fresh_db: str, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    generate_region(landing, seed=11, offices=2, days=DAYS, start=START, region_id=REGION, scale=0.3)
    base = landing / REGION
    days = [START + timedelta(days=n) for n in range(DAYS)]
    stamp = [d.strftime("%Y%m%d") for d in days]

    # day 3 brings again a hit of day 1 with another URL (the loader rejects it: the first
    # delivery stays) and a queue_log line of day 1 as it was (the queue log has no key: staging
    # keeps the first delivery); day 4 brings one more message of a chat session of day 2 (its
    # channel is named only by the session's first event, of day 2)
    hit = (base / "website" / f"hits-{stamp[0]}.tsv").read_text(encoding="utf-8").splitlines()[1].split("\t")
    first_url = hit[3]
    hit[3] = hit[3] + "?late=1"
    _append(base / "website" / f"hits-{stamp[2]}.tsv", ["\t".join(hit)])
    queue_line = next(
        line
        for line in (base / "call_centre" / f"queue_log-{stamp[0]}").read_text(encoding="utf-8").splitlines()
        if "|ENTERQUEUE|" in line
    )
    _append(base / "call_centre" / f"queue_log-{stamp[2]}", [queue_line])
    # a call that crosses midnight: it enters the queue at 23:50 of day 2 (day 2's log) and is
    # answered at 00:04 of day 3 (day 3's log): the call summary of day 3's build recomputes it
    queue, phone = queue_line.split("|")[2], queue_line.split("|")[6]
    agent = next(
        line.split("|")[3]
        for line in (base / "call_centre" / f"queue_log-{stamp[0]}").read_text(encoding="utf-8").splitlines()
        if "|CONNECT|" in line
    )
    entered = int(datetime.combine(days[1], time(23, 50), TZ).timestamp())
    call = f"{entered}.999"
    _append(base / "call_centre" / f"queue_log-{stamp[1]}", [f"{entered}|{call}|{queue}|NONE|ENTERQUEUE||{phone}|1"])
    _append(
        base / "call_centre" / f"queue_log-{stamp[2]}",
        [
            f"{entered + 840}|{call}|{queue}|{agent}|CONNECT|840|{call}1|3",
            f"{entered + 1140}|{call}|{queue}|{agent}|COMPLETECALLER|840|300|1",
        ],
    )
    # an operator's pause that crosses midnight: the shift of day 2 gets its pause only when day
    # 3's log brings the UNPAUSE — day 3's build recomputes day 2's shifts (the event before a new one)
    late = int(datetime.combine(days[1], time(23, 50), TZ).timestamp())
    operator = "PJSIP/night_op"
    _append(
        base / "call_centre" / f"queue_log-{stamp[1]}",
        [
            f"{late}|NONE|{queue}|{operator}|ADDMEMBER|||",
            f"{late + 120}|NONE|{queue}|{operator}|REMOVEMEMBER|||",
            f"{late + 300}|NONE|{queue}|{operator}|PAUSE|break||",
        ],
    )
    _append(base / "call_centre" / f"queue_log-{stamp[2]}", [f"{late + 900}|NONE|{queue}|{operator}|UNPAUSE|||"])
    session = json.loads((base / "chatbot" / f"chatbot_events-{stamp[1]}.jsonl").read_text("utf-8").splitlines()[0])
    assert session["event"] == "chat_started" and session["channel"]
    later = {"session_id": session["session_id"], "seq": 99, "ts": f"{days[3]}T09:00:00+05:00", "event": "message"}
    _append(base / "chatbot" / f"chatbot_events-{stamp[3]}.jsonl", [json.dumps(later | {"text": "спасибо"})])

    assert invoke(["seed"], env=dbt_env(fresh_db)).success
    load_days(fresh_db, landing, days[0], days[0])
    _build(fresh_db)
    first = _digest(fresh_db)
    _publish(fresh_db)
    assert all(first[f"staging.{table}"][0] for table in ("stg_call_centre__queue_events", "stg_website__hits"))
    day_one = {table: _row_versions(fresh_db, table) for table in (EVENTS, CALLS, *EVENT_TABLES)}
    assert all(day_one.values())

    outcomes = []
    for day in days[1:4]:
        load_days(fresh_db, landing, day, day)
        before = _node_versions(fresh_db)
        by_client = {table: _row_versions(fresh_db, table) for table in BY_CLIENT}
        _build(fresh_db)
        # the journey models by client kept the rows of the clients nothing changed
        for table, versions in by_client.items():
            kept = versions & _row_versions(fresh_db, table)
            assert kept and len(kept) < len(_row_versions(fresh_db, table)), table
        # the identity components outside the scope of the build are the rows written before
        scope = {node for (node,) in _rows(fresh_db, f"select node_id from {SCOPE} where node_id is not null")}
        after = _node_versions(fresh_db)
        assert scope and not _rows(fresh_db, f"select from {SCOPE} where everything")
        assert len(scope & set(before)) < len(before), "the build recomputed every component"
        assert {n: v for n, v in before.items() if n not in scope} == {n: v for n, v in after.items() if n not in scope}
        if day != days[3]:
            _publish(fresh_db)
        outcomes += _rows(fresh_db, f"select outcome, queues_entered from {CALLS} where call_id = %s", (call,))
    assert outcomes == [("no_exit", 1), ("answered", 1), ("answered", 1)]
    night_shift = _rows(
        fresh_db,
        "select paused_seconds from intermediate.int_staff__shifts"
        " where queue_name = %s and local_date = %s and joined_at = to_timestamp(%s)",
        (queue, days[1], late),
    )
    assert night_shift == [(600,)], night_shift
    # the queue events, calls and events of day 1 were not rewritten by the later builds: only the
    # new batches and the calls and events they touched were read
    for table, versions in day_one.items():
        assert versions <= _row_versions(fresh_db, table), table
    # the builds that took in a day kept the tables' comments (dbt/macros/relation_columns.sql)
    assert _comments_unlike_the_docs(fresh_db) == []
    after_four = _equals_a_rebuild(fresh_db)
    _publish(fresh_db)  # day 5 is built into the other mart schema, which holds day 3
    assert after_four[EVENTS][0] > first[EVENTS][0]
    with psycopg.connect(fresh_db) as conn:
        urls = conn.execute("select url from staging.stg_website__hits where event_key = %s", (hit[0],)).fetchall()
        channel = conn.execute(
            "select channel from staging.stg_chatbot__events where session_id = %s and seq = 99",
            (session["session_id"],),
        ).fetchall()
    assert urls == [(first_url,)]
    assert channel == [(session["channel"],)]

    # day 2 of the website ingested again from a corrected export (one hit less): the earlier
    # batch is replaced, the website's staging tables are rebuilt; then day 5
    hits_day_two = base / "website" / f"hits-{stamp[1]}.tsv"
    lines = hits_day_two.read_text(encoding="utf-8").splitlines()
    dropped = lines.pop(1).split("\t")[0]
    hits_day_two.write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_days(fresh_db, landing, days[1], days[1], ("website",))
    load_days(fresh_db, landing, days[4], days[4])
    _build(fresh_db)
    final = _equals_a_rebuild(fresh_db)
    with psycopg.connect(fresh_db) as conn:
        gone = conn.execute(
            "select count(*) from staging.stg_website__hits where event_key = %s", (dropped,)
        ).fetchone()
        replaced = conn.execute("select count(*) from raw.ingest_batches where status = 'replaced'").fetchone()
    assert gone == (0,) and replaced == (1,)
    assert final["staging.stg_website__hits"] != after_four["staging.stg_website__hits"]

    # five weeks later, one more day: the region's data end passes the drop-off deadline of
    # instances in progress that nothing of that day touches; their fate turns to dropped in the
    # incremental build as in a rebuild (int_journey__touched_clients: the deadline clients)
    late = days[-1] + timedelta(days=35)
    generate_region(tmp_path / "late", seed=12, offices=2, days=1, start=late, region_id=REGION, scale=0.3)
    instances = "intermediate.int_journey_instances"
    waiting = dict(
        _rows(fresh_db, f"select journey_instance_id, client_id from {instances} where outcome = 'in_progress'")
    )
    load_days(fresh_db, tmp_path / "late", late, late)
    _build(fresh_db)
    dropped_now = {
        i for (i,) in _rows(fresh_db, f"select journey_instance_id from {instances} where outcome = 'dropped'")
    }
    seen_late = {
        c
        for (c,) in _rows(
            fresh_db,
            "select client_id from intermediate.int_touchpoint_events where event_at >= %s",
            (datetime.combine(late, time(0), TZ),),
        )
    }
    flipped = {i for i, client in waiting.items() if i in dropped_now and client not in seen_late}
    assert flipped, "no instance's fate changed by the data end alone"
    _equals_a_rebuild(fresh_db)
