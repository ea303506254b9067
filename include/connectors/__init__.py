"""One connector per source system: find the interval's files, parse them, pseudonymise.

Connectors import no Airflow: they run and test on their own (``python -m include.connectors.<source>``).

The sources are the distinct ``ingest_source`` values of the seed ``dbt/seeds/sources.csv`` (in
its ``sort_order``), and everything else follows a naming convention, so a new source is new
files and a seed row, never an edit here:

* the connector of ``<source>`` is the class ``<Source>Connector`` of
  ``include/connectors/<source>.py`` (``call_centre`` → ``CallCentreConnector``);
* its DAG is ``dags/ingest_<source>.py`` (DAG id ``ingest_<source>``), its Asset ``raw_<source>``
  (``include/assets.py``);
* its Great Expectations suites are ``expectations/<raw table>.py``, one per table of the
  connector (``expectations.raw_suites``).
"""

from __future__ import annotations

import csv
from importlib import import_module
from pathlib import Path

from include import settings
from include.loading import Connector

SOURCES_SEED = settings.SEEDS_DIR / "sources.csv"


def _ingest_sources(seed: Path = SOURCES_SEED) -> tuple[str, ...]:
    """The distinct ``ingest_source`` values of the sources seed, in ``sort_order``."""
    with seed.open(encoding="utf-8", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda row: int(row["sort_order"]))
    return tuple(dict.fromkeys(row["ingest_source"].strip() for row in rows if row["ingest_source"].strip()))


def connector_path(source: str) -> str:
    """``module:Class`` of a source's connector, by the naming convention."""
    class_name = "".join(part.capitalize() for part in source.split("_")) + "Connector"
    return f"include.connectors.{source}:{class_name}"


SOURCES = _ingest_sources()
REGISTRY = {source: connector_path(source) for source in SOURCES}


def connector_for(source: str) -> Connector:
    """The connector of a source by its name."""
    try:
        module_name, class_name = REGISTRY[source].split(":")
    except KeyError:
        raise KeyError(f"unknown source {source!r}; known: {', '.join(REGISTRY)}") from None
    connector: Connector = getattr(import_module(module_name), class_name)()
    return connector
