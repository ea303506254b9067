"""raw.raw_website_visits — one batch of Yandex Metrica visits (Logs API, source=visits)."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations import BatchInfo
from expectations._common import expect_in_interval, expect_pseudonymised, new_suite
from include.connectors.website import TRAFFIC_SOURCES, VISITS

TABLE = VISITS.name
COLUMNS = ["batch_id", "file_seq", "line_no", "region_id", *VISITS.columns, "_loaded_at"]
# free text and free fields, checked for contacts in clear (expectations._common.FREE_TEXT)
FREE_TEXT_COLUMNS = ("start_url",)
MAX_VISIT_SECONDS = 2 * 86_400


def build_suite(batch: BatchInfo) -> gx.ExpectationSuite:
    suite = new_suite(TABLE, COLUMNS, batch, max_rows=2_000_000)
    for column in ("visit_id", "visit_started_at", "page_views", "duration_seconds", "goal_ids", "file_date"):
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=column))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="region_id", value_set=[batch.region_id]))
    suite.add_expectation(gxe.ExpectColumnValuesToBeUnique(column="visit_id"))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="traffic_source", value_set=sorted(TRAFFIC_SOURCES)))
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="page_views", min_value=0, max_value=10_000))
    suite.add_expectation(
        gxe.ExpectColumnValuesToBeBetween(column="duration_seconds", min_value=0, max_value=MAX_VISIT_SECONDS)
    )
    expect_in_interval(suite, "visit_started_at", batch)
    expect_pseudonymised(suite, "metrica_client_hash")
    if batch.files_loaded:
        suite.add_expectation(
            gxe.ExpectColumnProportionOfNonNullValuesToBeBetween(column="metrica_client_hash", min_value=0.5)
        )
    return suite
