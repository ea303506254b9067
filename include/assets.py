"""Airflow Assets the DAGs produce and consume (data-aware scheduling).

Each ingest DAG updates its raw Asset when a batch passed validation; ``build_journeys`` is
scheduled on those Assets and updates ``MARTS_PUBLISHED`` after a publish.
"""

from __future__ import annotations

from airflow.sdk import Asset

RAW_CALL_CENTRE = Asset(name="raw_call_centre", uri="cjw://warehouse/raw/call_centre", group="raw")
RAW_OFFICE_VISITS = Asset(name="raw_office_visits", uri="cjw://warehouse/raw/office_visits", group="raw")
MARTS_PUBLISHED = Asset(name="marts_published", uri="cjw://warehouse/marts", group="marts")

RAW_ASSETS = {
    "call_centre": RAW_CALL_CENTRE,
    "office_visits": RAW_OFFICE_VISITS,
}
