"""One connector per source system: find the interval's files, parse them, pseudonymise.

Connectors import no Airflow: they run and test on their own (``python -m include.connectors.<source>``).
The registry maps a source name (also the DAG id suffix ``ingest_<source>``) to its connector.
"""

from __future__ import annotations

from importlib import import_module

from include.loading import Connector

REGISTRY = {
    "call_centre": "include.connectors.call_centre:CallCentreConnector",
    "office_visits": "include.connectors.office_visits:OfficeVisitsConnector",
    "website": "include.connectors.website:WebsiteConnector",
    "chatbot": "include.connectors.chatbot:ChatbotConnector",
    "cases": "include.connectors.cases:CasesConnector",
    "surveys": "include.connectors.surveys:SurveysConnector",
}
SOURCES = tuple(REGISTRY)


def connector_for(source: str) -> Connector:
    """The connector of a source by its name."""
    try:
        module_name, class_name = REGISTRY[source].split(":")
    except KeyError:
        raise KeyError(f"unknown source {source!r}; known: {', '.join(REGISTRY)}") from None
    connector: Connector = getattr(import_module(module_name), class_name)()
    return connector
