"""raw.raw_call_centre_call_topics — one batch of CRM wrap-up rows (topic per answered call)."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations import BatchInfo
from expectations._common import expect_in_interval, expect_no_clear_contacts, new_suite
from include.connectors.call_centre import CALL_TOPICS, RESOLUTIONS

TABLE = CALL_TOPICS.name
COLUMNS = ["batch_id", "file_seq", "line_no", "region_id", *CALL_TOPICS.columns, "_loaded_at"]
# free fields, checked for contacts in clear (expectations._common.FREE_TEXT)
FREE_TEXT_COLUMNS = ("topic_name", "call_id")


def build_suite(batch: BatchInfo) -> gx.ExpectationSuite:
    suite = new_suite(TABLE, COLUMNS, batch, max_rows=500_000)
    for column in ("call_id", "topic_code", "resolution", "wrapup_at"):
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=column))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="resolution", value_set=sorted(RESOLUTIONS)))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="region_id", value_set=[batch.region_id]))
    expect_no_clear_contacts(suite)
    expect_in_interval(suite, "wrapup_at", batch)
    return suite
