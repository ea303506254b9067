"""raw.raw_office_visits_tickets — one batch of electronic-queue tickets."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations import BatchInfo
from expectations._common import expect_in_interval, expect_pseudonymised, new_suite
from include.connectors.office_visits import OUTCOMES, TICKETS

TABLE = TICKETS.name
COLUMNS = ["batch_id", "file_seq", "line_no", "region_id", *TICKETS.columns, "_loaded_at"]
# free text and free fields, checked for contacts in clear (expectations._common.FREE_TEXT)
FREE_TEXT_COLUMNS = ("window_name", "ticket_id")


def build_suite(batch: BatchInfo) -> gx.ExpectationSuite:
    suite = new_suite(TABLE, COLUMNS, batch, max_rows=20_000)
    for column in ("office_id", "ticket_id", "service_code", "issued_at", "outcome"):
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=column))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="outcome", value_set=sorted(set(OUTCOMES.values()))))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="region_id", value_set=[batch.region_id]))
    suite.add_expectation(gxe.ExpectCompoundColumnsToBeUnique(column_list=["office_id", "file_date", "ticket_id"]))
    expect_in_interval(suite, "issued_at", batch)
    for later, earlier in (("called_at", "issued_at"), ("started_at", "called_at"), ("ended_at", "started_at")):
        suite.add_expectation(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=later, column_B=earlier, or_equal=True, ignore_row_if="either_value_is_missing"
            )
        )
    if batch.files_loaded:
        # Null rates: most tickets are called; a batch where few are means the export lost columns.
        suite.add_expectation(gxe.ExpectColumnProportionOfNonNullValuesToBeBetween(column="called_at", min_value=0.5))
    expect_pseudonymised(suite, "phone_hash")
    return suite
