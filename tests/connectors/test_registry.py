"""The sources are the `sources` seed's ingest sources; everything else follows by name.

A new source is new files (connector, DAG, suites, dbt models) and a seed row: this checks that
every registered source has each of them under the name the convention gives it.
"""

from __future__ import annotations

import csv
from importlib import import_module
from pathlib import Path

import pytest

from include.connectors import REGISTRY, SOURCES, connector_for

PROJECT = Path(__file__).resolve().parents[2]


def test_the_sources_are_the_seeds_ingest_sources_in_order() -> None:
    with (PROJECT / "dbt" / "seeds" / "sources.csv").open(encoding="utf-8", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda row: int(row["sort_order"]))
    assert list(SOURCES) == list(dict.fromkeys(row["ingest_source"] for row in rows))
    assert SOURCES[:6] == ("call_centre", "office_visits", "website", "chatbot", "cases", "surveys")
    assert REGISTRY["call_centre"] == "include.connectors.call_centre:CallCentreConnector"


@pytest.mark.parametrize("source", SOURCES)
def test_every_source_has_its_connector_dag_and_suites(source: str) -> None:
    connector = connector_for(source)
    assert connector.source == source
    assert connector.rejected_table == f"rejected_{source}"
    assert (PROJECT / "dags" / f"ingest_{source}.py").is_file()
    assert (PROJECT / "dbt" / "models" / "staging" / source / f"_{source}__sources.yml").is_file()
    for table in connector.tables.values():
        suite = import_module(f"expectations.{table.name}")
        assert table.name == suite.TABLE and callable(suite.build_suite)


def test_an_unknown_source_is_named_with_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"unknown source 'fax'.*call_centre"):
        connector_for("fax")
