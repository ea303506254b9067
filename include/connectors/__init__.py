"""One connector per source system: find the interval's files, parse them, pseudonymise.

Connectors import no Airflow: they run and test on their own (``python -m include.connectors.<source>``).
"""

from __future__ import annotations

from include.loading import Connector


def connector_for(source: str) -> Connector:
    """The connector of a source by its name (``call_centre``, ``office_visits``)."""
    if source == "call_centre":
        from include.connectors.call_centre import CallCentreConnector

        return CallCentreConnector()
    if source == "office_visits":
        from include.connectors.office_visits import OfficeVisitsConnector

        return OfficeVisitsConnector()
    raise KeyError(f"unknown source {source!r}")


SOURCES = ("call_centre", "office_visits")
