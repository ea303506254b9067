"""raw.raw_surveys_responses — one batch of feedback-survey responses (CSV or JSON lines)."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations import BatchInfo
from expectations._common import expect_in_interval, expect_pseudonymised, expect_sha256, new_suite
from include.connectors.surveys import CHANNELS, RESPONSES, SCORES

TABLE = RESPONSES.name
COLUMNS = ["batch_id", "file_seq", "line_no", "region_id", *RESPONSES.columns, "_loaded_at"]
# free text and free fields, checked for contacts in clear (expectations._common.FREE_TEXT)
FREE_TEXT_COLUMNS = ("comment_scrubbed", "response_id", "ticket_id", "case_id")


def build_suite(batch: BatchInfo) -> gx.ExpectationSuite:
    suite = new_suite(TABLE, COLUMNS, batch, max_rows=200_000)
    for column in ("response_id", "channel", "touchpoint_id", "responded_at"):
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=column))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="channel", value_set=sorted(CHANNELS)))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="region_id", value_set=[batch.region_id]))
    suite.add_expectation(gxe.ExpectColumnValuesToBeUnique(column="response_id"))
    for score, (low, high) in SCORES.items():
        suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column=score, min_value=low, max_value=high))
    expect_in_interval(suite, "responded_at", batch)
    expect_pseudonymised(suite, "phone_hash")
    expect_sha256(suite, "esia_hash")
    return suite
