"""raw.raw_email_requests_events — one batch of help-desk events of e-mail and web-form requests."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations import BatchInfo
from expectations._common import expect_in_interval, expect_pseudonymised, expect_sha256, new_suite
from include.connectors.email_requests import CHANNELS, EVENTS, EVENTS_TABLE, RESOLUTIONS

TABLE = EVENTS_TABLE.name
COLUMNS = ["batch_id", "file_seq", "line_no", "region_id", *EVENTS_TABLE.columns, "_loaded_at"]
# free text and free fields, checked for contacts in clear (expectations._common.FREE_TEXT)
FREE_TEXT_COLUMNS = ("subject_scrubbed", "body_scrubbed", "request_id", "event_id")


def build_suite(batch: BatchInfo) -> gx.ExpectationSuite:
    suite = new_suite(TABLE, COLUMNS, batch, max_rows=1_000_000)
    for column in ("event_id", "request_id", "event_at", "event"):
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=column))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="event", value_set=sorted(EVENTS)))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="channel", value_set=sorted(CHANNELS)))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="resolution", value_set=sorted(RESOLUTIONS)))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="region_id", value_set=[batch.region_id]))
    suite.add_expectation(gxe.ExpectColumnValuesToBeUnique(column="event_id"))
    expect_in_interval(suite, "event_at", batch)
    # no null-rate bound on email_hash: a day's file may hold answers and closures only (the
    # connector already rejects a received request without its sender)
    expect_pseudonymised(suite, "email_hash")
    for column in ("phone_hash", "snils_hash"):
        expect_sha256(suite, column)
    suite.add_expectation(gxe.ExpectColumnValuesToMatchRegex(column="operator", regex=r"^staff:[0-9a-f]{16}$"))
    return suite
