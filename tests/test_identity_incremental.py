"""Identity stitching over persistent integer node numbers.

A small generated region is loaded in two halves with a dbt build of the identity models after
each (as the daily runs do): a node keeps its number from one build to the next, new nodes get
new numbers, and the components and clients equal those of a rebuild from scratch
(``--full-refresh``, every node renumbered). The second half brings two survey responses of two
people (two ESIA accounts) from a phone an office client of the first half gave: the phone becomes
shared and must leave the component it was in — its edges, drawn by events of the first half, are
recomputed, while the nodes only new events carry keep their edges and gain the new ones. Then a
source's raw rows are deleted: the nodes only it carried leave the number table at the next build.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest

from include.dbt_runner import dbt_env, invoke
from include.generator import generate_region
from include.publish import prepare_build
from tests.fixtures.daily_loads import REGION, START, load_days

pytestmark = pytest.mark.timeout(900)

DAYS = 14
IDENTITY = ["+int_identity__clients", "int_identity__event_clients"]


def _build(dsn: str, *extra: str) -> None:
    prepare_build(dsn)
    result = invoke(["build", "--select", *IDENTITY, "--indirect-selection", "cautious", *extra], env=dbt_env(dsn))
    assert result.success, [str(r.message) for r in result.result.results if str(r.status) in ("error", "fail")]


def _rows(dsn: str, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(query).fetchall()


def _share_a_phone_later(landing: Path, first_day: date, later_day: date) -> None:
    """Two survey responses on ``later_day``, by two ESIA accounts, from the phone the first office
    ticket of ``first_day`` gave (a line of that day's file with another id, phone and account;
    the exports differ in encoding and delimiter from day to day, and keep them)."""

    def read(path: Path) -> tuple[list[dict[str, str]], str, str]:
        raw = path.read_bytes()
        try:
            text, encoding = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = raw.decode("cp1251"), "cp1251"
        header = text.splitlines()[0]
        delimiter = ";" if header.count(";") > header.count(",") else ","
        return list(csv.DictReader(io.StringIO(text), delimiter=delimiter)), encoding, delimiter

    office = sorted((landing / REGION / "office_visits").glob(f"*/eq_*_{first_day:%Y%m%d}.csv"))[0]
    phone = next(row["phone"] for row in read(office)[0] if row["phone"])
    surveys = landing / REGION / "surveys" / f"survey_responses-{later_day:%Y%m%d}.csv"
    rows, encoding, delimiter = read(surveys)
    with surveys.open("a", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=delimiter, lineterminator="\n")
        for n, account in enumerate(("1000000001", "1000000002")):
            writer.writerow(rows[0] | {"response_id": f"SRSHARED{n}", "phone": phone, "esia_id": account})


def _numbers(dsn: str) -> dict[str, int]:
    return dict(_rows(dsn, "select node_id, node_num from intermediate.int_identity__nodes"))  # type: ignore[arg-type]


COMPONENTS = "select node_id, component_id from intermediate.int_identity__components order by 1"
CLIENTS = "select node_id, is_capped, client_id from intermediate.int_identity__clients order by 1"
EVENTS = "select source, event_key, client_id, is_ambiguous from intermediate.int_identity__event_clients order by 1, 2"
EDGES = "select node_a, node_b from intermediate.int_identity__edges order by 1, 2"
SHARED = (
    "select node_id, identifier_type, persons_of_one_type from intermediate.int_identity__shared_identifiers order by 1"
)


def test_node_numbers_persist_and_stitching_equals_a_rebuild(fresh_db: str, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    generate_region(landing, seed=11, offices=2, days=DAYS, start=START, region_id=REGION, scale=0.3)
    half = START + timedelta(days=DAYS // 2 - 1)
    _share_a_phone_later(landing, START, START + timedelta(days=DAYS - 2))

    load_days(fresh_db, landing, START, half)
    _build(fresh_db)
    first = _numbers(fresh_db)
    phones_in_graph = {
        node
        for (node,) in _rows(
            fresh_db, "select node_id from intermediate.int_identity__components where node_id like '%:phone:%'"
        )
    }
    assert first and sorted(first.values()) == list(range(1, len(first) + 1))

    load_days(fresh_db, landing, half + timedelta(days=1), START + timedelta(days=DAYS - 1))
    _build(fresh_db)
    second = _numbers(fresh_db)
    assert len(set(second.values())) == len(second)
    kept = {node: second[node] for node in first if node in second}
    assert kept == {node: first[node] for node in kept}, "a known node changed its number"
    new = set(second) - set(first)
    assert new, "the second half brought no new identifiers"
    assert min(second[node] for node in new) > max(first.values())
    incremental = (_rows(fresh_db, COMPONENTS), _rows(fresh_db, CLIENTS), _rows(fresh_db, EVENTS))
    assert any(row[0] != row[1] for row in incremental[0]), "no node was merged with another"
    shared = _rows(fresh_db, SHARED)
    assert shared, "no contact was shared: the incremental shared identifiers are not exercised"
    assert any(row[0] in phones_in_graph for row in shared), "no phone of the graph became shared"

    # after a build of the scope, the label test checks the scope's edges: a wrong label there fails it
    assert _rows(fresh_db, "select model, mode from intermediate.identity_build_modes") == [
        ("int_identity__components", "scope")
    ]
    linked = _rows(
        fresh_db,
        "select scope.node_num from intermediate.int_identity__scope as scope"
        " join intermediate.int_identity__edges as edges on edges.node_a = scope.node_num and edges.node_b <> scope.node_num"
        " order by 1 limit 1",
    )
    assert linked, "no linked node in the scope"
    relabel = "update intermediate.int_identity__components set component_id = {} where node_num = %s"
    with psycopg.connect(fresh_db) as conn:
        conn.execute(relabel.format("component_id || '#wrong'"), linked[0])
    assert not invoke(["test", "--select", "int_identity__components"], env=dbt_env(fresh_db)).success
    with psycopg.connect(fresh_db) as conn:
        conn.execute(relabel.format("left(component_id, -length('#wrong'))"), linked[0])
    assert invoke(["test", "--select", "int_identity__components"], env=dbt_env(fresh_db)).success

    # the edges recomputed for the seed nodes only equal those drawn from every event (same numbers)
    edges = _rows(fresh_db, EDGES)
    prepare_build(fresh_db)
    rebuilt = invoke(["run", "--select", "int_identity__edges", "--full-refresh"], env=dbt_env(fresh_db))
    assert rebuilt.success
    assert _rows(fresh_db, EDGES) == edges

    _build(fresh_db, "--full-refresh")
    renumbered = _numbers(fresh_db)
    assert set(renumbered) == set(second) and renumbered != second
    assert (_rows(fresh_db, COMPONENTS), _rows(fresh_db, CLIENTS), _rows(fresh_db, EVENTS)) == incremental
    assert _rows(fresh_db, SHARED) == shared

    # a source's data withdrawn: the identifiers only it carried leave the number table
    only_chat = set(
        node
        for (node,) in _rows(
            fresh_db,
            "select node_id from intermediate.int_identity__occurrences group by node_id"
            " having bool_and(source = 'chatbot')",
        )
    )
    assert only_chat
    with psycopg.connect(fresh_db) as conn:  # as a failed re-run of its intervals leaves it
        conn.execute("delete from raw.raw_chatbot_events")
        conn.execute("update raw.ingest_batches set status = 'replaced' where source = 'chatbot'")
    _build(fresh_db)
    after = _numbers(fresh_db)
    assert not only_chat & set(after)
    assert {node: after[node] for node in after} == {node: renumbered[node] for node in after}

    # a build with nothing new recomputes no identity: not the e-mail requests either, whose models
    # are recomputed whole — only a request whose identifiers changed reaches the identity graph
    assert _rows(
        fresh_db, "select count(*) from intermediate.int_identity__occurrences where source = 'email_requests'"
    )[0][0]
    _build(fresh_db)
    assert _rows(fresh_db, "select count(*) from intermediate.int_identity__scope where node_id is not null") == [(0,)]
