"""Every dbt unit test of the project passes, and every declared NOT NULL is the table's own.

Production builds (the DAG's layers, ``include.publish build``) leave unit tests out
(``PRODUCTION_BUILD_ENV``): they check the models' SQL, which only the code changes. They run
here instead, after a build of every seed and model on a warehouse without events (dbt reads the
columns of a unit test's inputs from their tables).

Columns declared ``constraints: [{type: not_null}]`` are NOT NULL columns of their tables (the
post-hook ``enforce_declared_constraints``, dbt/macros/constraints.sql) instead of ``not_null`` data
tests that scanned every table in every build.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from include.dbt_runner import PRODUCTION_BUILD_ENV, dbt_env, ensure_manifest, invoke
from include.publish import prepare_build


@pytest.fixture(scope="module")
def built(module_db: str) -> Iterator[str]:
    """Every seed and model built on a warehouse without events."""
    prepare_build(module_db)  # the raw tables staging reads
    empty = invoke(["build", "--resource-type", "seed", "model", "--quiet"], env=dbt_env(module_db))
    assert empty.success, empty.exception
    yield module_db


def test_every_unit_test_runs_and_passes(built: str) -> None:
    env = dbt_env(built)
    result = invoke(["test", "--select", "test_type:unit"], env=env)
    # (the project's on-run-end hook is a result too)
    outcomes = {r.node.unique_id: str(r.status) for r in result.result.results if r.node.resource_type == "unit_test"}
    assert result.success, {node: status for node, status in outcomes.items() if status != "pass"}
    nodes = json.loads(ensure_manifest().read_text())["unit_tests"]
    assert len(nodes) >= 20 and set(outcomes) == set(nodes)


def test_a_production_build_leaves_the_unit_tests_out(fresh_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def kinds(env: dict[str, str]) -> set[str]:
        args = ["ls", "--resource-type", "unit_test", "test", "--output", "json", "--output-keys", "resource_type"]
        result = invoke([*args, "--quiet"], env=env)
        assert result.success, result.exception
        return {json.loads(line)["resource_type"] for line in result.result}

    assert kinds(dbt_env(fresh_db)) == {"unit_test", "test"}
    assert kinds({**dbt_env(fresh_db), **PRODUCTION_BUILD_ENV}) == {"test"}
    # Cosmos leaves its operators' env in os.environ (for OpenLineage): a later call without the
    # exclusion still sees every unit test
    monkeypatch.setenv("DBT_EXCLUDE_RESOURCE_TYPES", "unit_test")
    assert kinds(dbt_env(fresh_db)) == {"unit_test", "test"}


def declared_not_null(manifest: dict[str, Any]) -> dict[str, set[str]]:
    """Per model or seed (its relation name), the columns its YAML declares NOT NULL."""
    declared: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] not in ("model", "seed"):
            continue
        columns = {
            name
            for name, column in node["columns"].items()
            if any(c["type"] == "not_null" for c in column.get("constraints", []))
        }
        if columns:
            declared[node["alias"]] = columns
    return declared


def not_null_in_catalogue(dsn: str) -> dict[str, set[str]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "select c.relname, a.attname from pg_attribute a join pg_class c on c.oid = a.attrelid"
            " join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname in ('config', 'staging', 'intermediate', 'marts__build') and c.relkind = 'r'"
            " and a.attnum > 0 and a.attnotnull"
        ).fetchall()
    found: dict[str, set[str]] = {}
    for table, column in rows:
        found.setdefault(table, set()).add(column)
    return found


def test_declared_not_null_columns_are_not_null_in_the_tables(built: str) -> None:
    manifest = json.loads(ensure_manifest().read_text())
    declared = declared_not_null(manifest)
    # the staging and event models, the marts and the seeds: the 220 not_null tests this replaced
    assert sum(len(c) for c in declared.values()) >= 200
    catalogue = not_null_in_catalogue(built)
    missing = {table: sorted(cols - catalogue.get(table, set())) for table, cols in declared.items()}
    assert {t: c for t, c in missing.items() if c} == {}
    # what was a not_null data test is a constraint now: none is left but a warning and a source's
    tests = [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "test" and (n.get("test_metadata") or {}).get("name") == "not_null"
    ]
    assert all(t["config"]["severity"] == "warn" or t["attached_node"] is None for t in tests), tests


def test_declared_checks_are_constraints_of_the_tables(built: str) -> None:
    """``{type: check}`` (what ``accepted_values`` tests said) is a CHECK constraint of the table,
    for the models without an enforced contract (those have dbt make it)."""
    manifest = json.loads(ensure_manifest().read_text())
    declared = {
        node["alias"]: sum(
            1 for column in node["columns"].values() for c in column.get("constraints", []) if c["type"] == "check"
        )
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and not node["contract"]["enforced"]
    }
    declared = {table: count for table, count in declared.items() if count}
    assert sum(declared.values()) >= 40
    with psycopg.connect(built) as conn:
        found = dict(
            conn.execute(
                "select c.relname, count(*) from pg_constraint k join pg_class c on c.oid = k.conrelid"
                " where k.contype = 'c' and k.conname like 'cjw\\_check\\_%' group by c.relname"
            ).fetchall()
        )
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(
                "insert into staging.stg_chatbot__events"
                " (event_key, chatbot_event_id, region_id, session_id, seq, event_at, event, channel)"
                " values ('s', 'enskaya|s|1', 'enskaya', 's', 1, now(), 'message', 'fax')"
            )
    assert found == declared


def test_a_row_with_a_null_in_a_declared_column_is_refused(built: str) -> None:
    """What a model writes with a null in a declared column fails the model (PostgreSQL refuses
    the insert, the build stops, nothing is published) — a staging table, an event model, a mart
    without a contract and a seed."""
    rows = {
        "staging.stg_website__hits (event_key, hit_id, region_id, hit_at, goal_ids, batch_id)": "('1', 'enskaya|1', 'enskaya', null, '{}', 1)",
        "intermediate.int_call_centre__touchpoint_events (source, region_id, event_key, event_at, channel)": "('call_centre', 'enskaya', 'x', now(), null)",
        "marts__build.fct_queue_services (system, region_id, unit_id, service_id, ready_s)": "('office', 'enskaya', null, 'x', 1)",
        "config.regions (region_id, region_name_ru, timezone)": "('x', 'X', null)",
    }
    for table, values in rows.items():
        with psycopg.connect(built, autocommit=True) as conn, pytest.raises(psycopg.errors.NotNullViolation):
            conn.execute(f"insert into {table} values {values}")


pytestmark = pytest.mark.timeout(600)
