"""Airflow Assets the DAGs produce and consume (data-aware scheduling).

Each ingest DAG updates its raw Asset when a batch passed validation; ``build_journeys`` is
scheduled on those Assets and updates ``MARTS_PUBLISHED`` after a publish.
"""

from __future__ import annotations

from airflow.sdk import Asset

from include.connectors import SOURCES

RAW_ASSETS = {
    source: Asset(name=f"raw_{source}", uri=f"cjw://warehouse/raw/{source}", group="raw") for source in SOURCES
}
RAW_CALL_CENTRE = RAW_ASSETS["call_centre"]
RAW_OFFICE_VISITS = RAW_ASSETS["office_visits"]
MARTS_PUBLISHED = Asset(name="marts_published", uri="cjw://warehouse/marts", group="marts")
MODELLING_PUBLISHED = Asset(name="modelling_published", uri="cjw://warehouse/modelling", group="marts")
