"""raw.raw_chatbot_events — one batch of chatbot events (JSON lines)."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations import BatchInfo
from expectations._common import expect_in_interval, expect_pseudonymised, expect_sha256, new_suite
from include.connectors.chatbot import CHANNELS, EVENTS, EVENTS_TABLE

TABLE = EVENTS_TABLE.name
COLUMNS = ["batch_id", "file_seq", "line_no", "region_id", *EVENTS_TABLE.columns, "_loaded_at"]
# free text and free fields, checked for contacts in clear (expectations._common.FREE_TEXT)
FREE_TEXT_COLUMNS = ("text_scrubbed", "session_id", "intent")


def build_suite(batch: BatchInfo) -> gx.ExpectationSuite:
    suite = new_suite(TABLE, COLUMNS, batch, max_rows=1_000_000)
    for column in ("session_id", "seq", "event_at", "event"):
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=column))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="event", value_set=sorted(EVENTS)))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="channel", value_set=sorted(CHANNELS)))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="region_id", value_set=[batch.region_id]))
    suite.add_expectation(gxe.ExpectCompoundColumnsToBeUnique(column_list=["session_id", "seq"]))
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="seq", min_value=0))
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="confidence", min_value=0, max_value=1))
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="rating", min_value=1, max_value=5))
    expect_in_interval(suite, "event_at", batch)
    if batch.files_loaded:
        # Null rates: every chat starts with chat_started, which names its channel; a batch
        # without channels means the export lost the field.
        suite.add_expectation(gxe.ExpectColumnProportionOfNonNullValuesToBeBetween(column="channel", min_value=0.01))
    expect_pseudonymised(suite, "phone_hash")
    expect_sha256(suite, "user_hash")
    return suite
