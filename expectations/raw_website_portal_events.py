"""raw.raw_website_portal_events — one batch of «Работа России» portal events (JSON lines)."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations import BatchInfo
from expectations._common import expect_in_interval, expect_no_clear_contacts, expect_sha256, new_suite
from include import config
from include.connectors.website import EVENT_TYPES, PORTAL_EVENTS, STATUSES, USER_TYPES

TABLE = PORTAL_EVENTS.name
COLUMNS = ["batch_id", "file_seq", "line_no", "region_id", *PORTAL_EVENTS.columns, "_loaded_at"]
# free fields, checked for contacts in clear (expectations._common.FREE_TEXT)
FREE_TEXT_COLUMNS = ("event_id", "application_id")
HASH_COLUMNS = ("esia_hash", "metrica_client_hash", "snils_hash", "phone_hash", "email_hash", "inn_hash")


def build_suite(batch: BatchInfo) -> gx.ExpectationSuite:
    region = config.region(batch.region_id)
    suite = new_suite(TABLE, COLUMNS, batch, max_rows=1_000_000)
    for column in ("event_id", "event_type", "occurred_at", "user_type", "esia_hash", "file_date"):
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=column))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="region_id", value_set=[batch.region_id]))
    suite.add_expectation(gxe.ExpectColumnValuesToBeUnique(column="event_id"))
    code_sets = {
        "event_type": EVENT_TYPES,
        "user_type": USER_TYPES,
        "status": STATUSES,
        "application_type": region.application_types,
        "office_id": region.offices,
    }
    for column, codes in code_sets.items():
        suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column=column, value_set=sorted(codes)))
    expect_in_interval(suite, "occurred_at", batch)
    for column in HASH_COLUMNS:
        expect_sha256(suite, column)
    # Only a legal entity's 10-digit INN may be stored in clear; an individual's 12 digits never.
    suite.add_expectation(gxe.ExpectColumnValuesToMatchRegex(column="inn", regex=r"^[0-9]{10}$"))
    suite.add_expectation(gxe.ExpectColumnValuesToMatchRegex(column="ogrn", regex=r"^[0-9]{13}([0-9]{2})?$"))
    expect_no_clear_contacts(suite)
    # An appointment is booked for later (the connector rejects the others).
    suite.add_expectation(
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="appointment_at", column_B="occurred_at", or_equal=True, ignore_row_if="either_value_is_missing"
        )
    )
    return suite
