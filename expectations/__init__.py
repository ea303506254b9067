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
    """The suite modules that validate a batch of ``source``: ``expectations/<raw table>.py``."""
    from importlib import import_module

    from include.connectors import connector_for

    return [import_module(f"expectations.{table.name}") for table in connector_for(source).tables.values()]


def batch_query(module: ModuleType, batch_id: int) -> str:
    """The rows a raw suite validates: the batch's rows of ``module.TABLE`` and, as the column
    ``free_text``, the module's FREE_TEXT_COLUMNS joined by U+001F (checked in one pass for contacts
    in clear: expectations._common); ``free_text_email`` is the same text where it holds ``@`` or
    ``%40``, which every e-mail the pattern finds has (two string searches spare most rows the
    pattern)."""
    from expectations._common import FREE_TEXT, FREE_TEXT_EMAIL

    joined = ", ".join(f'"{column}"::text' for column in module.FREE_TEXT_COLUMNS)
    return (
        f"select batch.*, joined.{FREE_TEXT},"
        f" case when strpos(joined.{FREE_TEXT}, '@') > 0 or strpos(joined.{FREE_TEXT}, '%40') > 0"
        f" then joined.{FREE_TEXT} end as {FREE_TEXT_EMAIL}"
        f" from raw.{module.TABLE} as batch"
        f" cross join lateral (select concat_ws(chr(31), {joined}) as {FREE_TEXT}) as joined"
        f" where batch.batch_id = {int(batch_id)}"
    )
