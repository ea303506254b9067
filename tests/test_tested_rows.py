"""A relationship test on a staging model reads the batches taken in since it last passed.

dbt/macros/tested_rows.sql: `cjw_relationships` on a model whose rows keep their batch reads the
rows of the batches the model recorded after the test's last pass, and the whole table when it
never passed or the logic on either side changed (a seed edited, a model's SQL); a test that fails
records nothing, so its rows are read again until it passes. Here on the office tickets' staging
model and its office_id test (against the offices seed), with dbt on a real PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from include.dbt_runner import dbt_env, invoke
from include.generator import generate_region
from tests.fixtures.daily_loads import REGION, START, load_days
from tests.fixtures.planted import UNKNOWN_OFFICE_TICKET, plant_ticket_batch, withdraw_batch

pytestmark = pytest.mark.timeout(600)

TICKETS = "staging.stg_office_visits__tickets"
PASSES = "staging.incremental_test_passes"
TEST = "cjw_relationships_stg_office_visits__tickets_office_id__office_id__ref_offices_"


def _build(dsn: str) -> tuple[str, str]:
    """dbt build of the tickets' staging model and its tests: (the model's status, the office test's)."""
    result = invoke(
        ["build", "--select", "stg_ingest__validated_batches", "stg_office_visits__tickets"], env=dbt_env(dsn)
    )
    statuses = {r.node.name: str(r.status) for r in result.result.results}
    return statuses["stg_office_visits__tickets"], statuses[TEST]


def _one(dsn: str, query: str) -> tuple[object, ...]:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(query).fetchone()
    assert row is not None
    return tuple(row)


def _execute(dsn: str, statement: str) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute(statement)


def test_a_relationship_test_reads_the_new_batches_and_a_failure_until_it_passes(fresh_db: str, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    generate_region(landing, seed=5, offices=2, days=2, start=START, region_id=REGION, scale=0.2)
    assert invoke(["seed"], env=dbt_env(fresh_db)).success
    load_days(fresh_db, landing, START, START, sources=("office_visits",))

    # first build: no pass yet, the whole table is read; the pass is recorded with how far it read
    assert _build(fresh_db) == ("success", "pass")
    through, seq = _one(
        fresh_db,
        f"select p.through_seq, (select max(seq) from staging.incremental_batches b"
        f" where b.model = 'stg_office_visits__tickets') from {PASSES} p where p.test_id like '%{TEST}%'",
    )
    assert through == seq and seq is not None

    # a row of a batch the test already passed on is not read again: a bad office planted there
    # in place (nothing the pipeline does; it stands for a row the test saw) goes unseen ...
    _execute(fresh_db, f"update {TICKETS} set office_id = 'ens-99' where ctid = (select min(ctid) from {TICKETS})")
    assert _build(fresh_db) == ("success", "pass")
    # ... until the logic on either side differs from the pass's (here: its fingerprint, as an
    # edited offices seed would change it): then the whole table is read, and a failure records
    # nothing, so the next build reads it all again
    _execute(fresh_db, f"update {PASSES} set fingerprint = 'an offices seed edited since'")
    assert _build(fresh_db) == ("success", "fail")
    assert _build(fresh_db) == ("success", "fail")
    _execute(fresh_db, f"update {TICKETS} set office_id = 'ens-01' where office_id = 'ens-99'")
    assert _build(fresh_db) == ("success", "pass")

    # a new day is read and passes; a new batch with an unknown office fails the test, and so does
    # every build after it (the batch is not past the test's last pass) while the batch stays
    load_days(fresh_db, landing, START + timedelta(days=1), START + timedelta(days=1), sources=("office_visits",))
    assert _build(fresh_db) == ("success", "pass")
    passed_through = _one(fresh_db, f"select through_seq from {PASSES}")[0]
    bad = plant_ticket_batch(fresh_db, UNKNOWN_OFFICE_TICKET)
    assert _build(fresh_db) == ("success", "fail")
    assert _build(fresh_db) == ("success", "fail")
    assert _one(fresh_db, f"select through_seq from {PASSES}")[0] == passed_through
    # the batch withdrawn (status replaced, as a re-run of its interval leaves it): the model is
    # rebuilt from every batch, all of them are taken in anew, and the test reads and passes them
    withdraw_batch(fresh_db, bad)
    assert _build(fresh_db) == ("success", "pass")
    assert _one(fresh_db, f"select count(*) from {TICKETS} where office_id = 'ens-99'") == (0,)
