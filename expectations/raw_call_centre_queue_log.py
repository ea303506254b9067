"""raw.raw_call_centre_queue_log — one batch of Asterisk queue_log lines."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations import BatchInfo
from expectations._common import expect_in_interval, expect_pseudonymised, new_suite
from include.connectors.call_centre import CALL_EVENTS, QUEUE_LOG, SYSTEM_EVENTS

TABLE = QUEUE_LOG.name
COLUMNS = ["batch_id", "file_seq", "line_no", "region_id", *QUEUE_LOG.columns, "_loaded_at"]
# free text and free fields, checked for contacts in clear (expectations._common.FREE_TEXT)
FREE_TEXT_COLUMNS = ("data1", "data2", "data3", "data4", "data5", "agent")


def build_suite(batch: BatchInfo) -> gx.ExpectationSuite:
    suite = new_suite(TABLE, COLUMNS, batch, max_rows=2_000_000)
    suite.add_expectation(
        gxe.ExpectColumnValuesToBeInSet(column="event", value_set=sorted({*CALL_EVENTS, *SYSTEM_EVENTS}))
    )
    for column in ("event_at", "call_id", "queue_name", "event"):
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=column))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="region_id", value_set=[batch.region_id]))
    expect_in_interval(suite, "event_at", batch)
    expect_pseudonymised(suite, "caller_hash")
    return suite
