"""raw.raw_website_hits — one batch of Yandex Metrica page views (Logs API, source=hits)."""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

from expectations import BatchInfo
from expectations._common import expect_in_interval, expect_pseudonymised, new_suite
from include.connectors.website import HITS, TRAFFIC_SOURCES

TABLE = HITS.name
COLUMNS = ["batch_id", "file_seq", "line_no", "region_id", *HITS.columns, "_loaded_at"]
# free text and free fields, checked for contacts in clear (expectations._common.FREE_TEXT)
FREE_TEXT_COLUMNS = ("url", "referer")


def build_suite(batch: BatchInfo) -> gx.ExpectationSuite:
    suite = new_suite(TABLE, COLUMNS, batch, max_rows=5_000_000)
    for column in ("watch_id", "hit_at", "goal_ids", "file_date"):
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=column))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="region_id", value_set=[batch.region_id]))
    suite.add_expectation(gxe.ExpectColumnValuesToBeUnique(column="watch_id"))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="traffic_source", value_set=sorted(TRAFFIC_SOURCES)))
    expect_in_interval(suite, "hit_at", batch)
    expect_pseudonymised(suite, "metrica_client_hash")
    if batch.files_loaded:
        # Metrica sets the cookie on nearly every hit: many without one means a broken export.
        suite.add_expectation(
            gxe.ExpectColumnProportionOfNonNullValuesToBeBetween(column="metrica_client_hash", min_value=0.5)
        )
    return suite
