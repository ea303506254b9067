"""Great Expectations suites as code: one module per raw table, plus the checks on the marts.

Each raw-table module has ``TABLE`` and ``build_suite(batch) -> gx.ExpectationSuite``; the suite
is built per batch because volume and timestamp ranges depend on the batch's interval and files.
Generated GX JSON/HTML stays out of git: nothing here writes files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import ModuleType


@dataclass(frozen=True)
class BatchInfo:
    batch_id: int
    region_id: str
    interval_start: datetime
    interval_end: datetime
    files_loaded: int


def raw_suites(source: str) -> list[ModuleType]:
    """The suite modules that validate a batch of ``source``."""
    if source == "call_centre":
        from expectations import raw_call_centre_call_topics, raw_call_centre_queue_log

        return [raw_call_centre_queue_log, raw_call_centre_call_topics]
    if source == "office_visits":
        from expectations import raw_office_visits_tickets

        return [raw_office_visits_tickets]
    raise KeyError(f"no raw suites for source {source!r}")
