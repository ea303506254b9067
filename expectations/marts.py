"""Statistical checks on the built marts before they are published (the "audit" of WAP).

dbt tests own the logic (keys, relationships, formulas); these checks own plausibility: KPI
values of both KPI marts inside their unit's range, numerators not above denominators, no empty marts, and a
volume not collapsing against what is published now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import great_expectations as gx
import great_expectations.expectations as gxe

KPI_STATUSES = ["green", "amber", "red", "no_data"]
# Upper bounds per unit: a day of waiting or an hour on hold is a broken computation, not a KPI.
UNIT_MAXIMUM = {
    "share": 1,
    "minutes": 24 * 60,
    "seconds": 3600,
    "visits": 100,
    "points": 100,
    "score": 10,
    "days": 3660,
}


@dataclass(frozen=True)
class MartCheck:
    name: str
    query: str
    build_suite: Callable[[], gx.ExpectationSuite]


def checks(build_schema: str, published_rows: int | None) -> list[MartCheck]:
    kpis = f"{build_schema}.fct_touchpoint_kpis"
    client_kpis = f"{build_schema}.fct_client_kpis"
    values = (
        f"(select kpi_id, value, numerator, denominator from {kpis}"
        f" union all select kpi_id, value, numerator, denominator from {client_kpis})"
    )
    profiles = f"{build_schema}.fct_kpi_profiles"
    dim = f"{build_schema}.dim_kpis"
    result = [
        MartCheck(
            "fct_touchpoint_kpis__volume_and_status",
            f"select * from {kpis}",
            partial(_volume_suite, "fct_touchpoint_kpis", published_rows),
        ),
        MartCheck(
            "fct_client_kpis__status",
            f"select * from {client_kpis}",
            _client_suite,
        ),
        MartCheck(
            "fct_kpi_profiles__buckets",
            f"select * from {profiles}",
            _profiles_suite,
        ),
    ]
    for unit, maximum in UNIT_MAXIMUM.items():
        result.append(
            MartCheck(
                f"kpis__{unit}_range",
                f"select k.* from {values} k join {dim} d on d.kpi_id = k.kpi_id where d.unit = '{unit}'",
                partial(_range_suite, unit, maximum),
            )
        )
    return result


def _volume_suite(name: str, published_rows: int | None) -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name=f"{name}__volume")
    # A build may grow freely (new days) but must not lose half of what BI sees today.
    low = max(1, published_rows // 2) if published_rows else 1
    suite.add_expectation(gxe.ExpectTableRowCountToBeBetween(min_value=low))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="status", value_set=KPI_STATUSES))
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="sample_size", min_value=1))
    suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column="norm_value"))
    suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column="value", mostly=0.99))
    return suite


def _client_suite() -> gx.ExpectationSuite:
    # no row minimum: a deployment without surveys, chatbot or cases has no journey-wide KPIs
    suite = gx.ExpectationSuite(name="fct_client_kpis__status")
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="status", value_set=KPI_STATUSES))
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="sample_size", min_value=1))
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="observations", min_value=1))
    suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column="norm_value"))
    return suite


def _profiles_suite() -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name="fct_kpi_profiles__buckets")
    suite.add_expectation(gxe.ExpectTableRowCountToBeBetween(min_value=1))
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="bucket", min_value=0, max_value=23))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="profile", value_set=["weekday", "hour"]))
    return suite


def _range_suite(unit: str, maximum: float) -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name=f"kpis__{unit}_range")
    minimum = -100 if unit == "points" else 0
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="value", min_value=minimum, max_value=maximum))
    if unit == "share":
        suite.add_expectation(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="denominator", column_B="numerator", or_equal=True, ignore_row_if="either_value_is_missing"
            )
        )
    return suite
