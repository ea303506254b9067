"""raw.raw_cases_events — one batch of ЦЗН case-management events (JSON lines)."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations import BatchInfo
from expectations._common import expect_in_interval, expect_pseudonymised, expect_sha256, new_suite
from include.connectors.cases import CASE_EVENTS, CLIENT_KINDS, CLOSE_REASONS, EVENT_TYPES

TABLE = CASE_EVENTS.name
COLUMNS = ["batch_id", "file_seq", "line_no", "region_id", *CASE_EVENTS.columns, "_loaded_at"]
# free text and free fields, checked for contacts in clear (expectations._common.FREE_TEXT)
FREE_TEXT_COLUMNS = ("case_id", "application_id", "ticket_id", "event_id")


def build_suite(batch: BatchInfo) -> gx.ExpectationSuite:
    suite = new_suite(TABLE, COLUMNS, batch, max_rows=500_000)
    for column in ("event_id", "case_id", "event_type", "occurred_at", "office_id", "client_kind"):
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=column))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="event_type", value_set=sorted(EVENT_TYPES)))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="client_kind", value_set=sorted(CLIENT_KINDS)))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="close_reason", value_set=sorted(CLOSE_REASONS)))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="region_id", value_set=[batch.region_id]))
    suite.add_expectation(gxe.ExpectColumnValuesToBeUnique(column="event_id"))
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="amount_rub", min_value=0))
    expect_in_interval(suite, "occurred_at", batch)
    # Identifiers in clear are only a company's: 10-digit INN, 13-digit OGRN.
    suite.add_expectation(gxe.ExpectColumnValuesToMatchRegex(column="inn", regex=r"^[0-9]{10}$"))
    suite.add_expectation(gxe.ExpectColumnValuesToMatchRegex(column="ogrn", regex=r"^[0-9]{13}$"))
    for column in ("snils_hash", "inn_hash"):
        expect_sha256(suite, column)
    expect_pseudonymised(suite, "phone_hash")
    return suite
