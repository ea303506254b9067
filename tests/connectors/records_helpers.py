"""Helpers shared by the tests of the JSON-lines sources (chatbot, cases, surveys, e-mail requests)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import psycopg
import pytest


def jsonl(records: Iterable[dict[str, Any] | str], *, final_newline: bool = True) -> str:
    """JSON lines as exporters write them (objects dumped, strings taken as they are)."""
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    return "\n".join(lines) + ("\n" if final_newline else "")


def validator(schema_path: Path) -> jsonschema.Draft202012Validator:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema.get("schema_version"), "the published schema carries its version"
    for name, prop in schema["properties"].items():
        assert prop.get("description"), f"{schema_path.name}: field {name} has a description"
    return jsonschema.Draft202012Validator(schema)


def schema_errors(schema: jsonschema.Draft202012Validator, line: str) -> list[str]:
    """Why ``line`` is not valid under the schema (not JSON at all counts as a reason)."""
    try:
        value = json.loads(line)
    except ValueError as exc:
        return [f"not JSON: {exc}"]
    return [error.message for error in schema.iter_errors(value)]


def assert_schema_agrees(
    schema: jsonschema.Draft202012Validator,
    good: Iterable[dict[str, Any]],
    bad: Iterable[tuple[str, str, bool]],
) -> None:
    """The records the connector loads and the schema's own examples are valid under the schema;
    every bad line marked ``schema_invalid`` (``(line, reason, schema_invalid)``) is not."""
    for record in good:
        assert schema_errors(schema, json.dumps(record)) == [], record
    for example in schema.schema["examples"]:
        assert schema_errors(schema, json.dumps(example)) == []
    for line, reason, schema_invalid in bad:
        if schema_invalid:
            assert schema_errors(schema, line), f"the schema accepts a line rejected for {reason!r}: {line}"


def text_values(dsn: str, schema: str = "raw") -> list[tuple[str, str, str]]:
    """(table, column, value) of every text value stored in ``schema``."""
    found = []
    with psycopg.connect(dsn) as conn:
        columns = conn.execute(
            "select table_name, column_name from information_schema.columns where table_schema = %s"
            " and data_type in ('text', 'character varying', 'jsonb', 'json')",
            (schema,),
        ).fetchall()
        for table, column in columns:
            rows = conn.execute(f'select distinct "{column}"::text from "{schema}"."{table}"').fetchall()
            found.extend((table, column, value) for (value,) in rows if value is not None)
    return found


def assert_nothing_in_clear(dsn: str, secrets: Iterable[str]) -> None:
    """No stored text contains any of ``secrets`` (compared on digits for numbers, as written otherwise)."""
    needles = []
    for secret in secrets:
        digits = re.sub(r"\D", "", secret)
        needles.append(digits[-10:] if len(digits) >= 9 else secret.lower())
    values = text_values(dsn)
    assert values, "something was stored"
    leaks = []
    for table, column, value in values:
        flat = re.sub(r"\D", "", value)
        for needle in needles:
            if (needle.isdigit() and needle in flat) or (not needle.isdigit() and needle in value.lower()):
                leaks.append((table, column, needle, value[:80]))
    assert leaks == []


def run_ingest_dag(
    source: str, day: date, landing: Path, monkeypatch: pytest.MonkeyPatch, query: Callable[..., Any]
) -> list[tuple[Any, ...]]:
    """Run ``ingest_<source>`` once with ``dag.test()`` for the local ``day``; returns its batches."""
    from include.dag_runs import load_dag, run_day

    monkeypatch.setenv("CJW_LANDING_DIR", str(landing))
    dag_run = run_day(load_dag(f"ingest_{source}"), day)
    assert str(dag_run.state) == "success"
    return list(
        query(
            "select status, rows_read, rows_loaded, rows_rejected, rows_duplicate, validation->>'success'"
            " from raw.ingest_batches where source = %s",
            source,
        )
    )
