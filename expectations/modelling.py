"""Checks on the modelling results before they are published (the "audit" of their write–audit–publish).

Scenario results: every row names its scenario and status, a result that ran has its prediction
inside its own interval and a share KPI between 0 and 1; an error row says why. Calibration: a
row per unit and KPI with a verdict. Backtest: the measured interval is ordered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import great_expectations as gx
import great_expectations.expectations as gxe


@dataclass(frozen=True)
class ModellingCheck:
    name: str
    query: str
    build_suite: Callable[[], gx.ExpectationSuite]


def checks(schema: str) -> list[ModellingCheck]:
    return [
        ModellingCheck(
            "scenario_results",
            f"select *, case when status = 'ok' then predicted_value between predicted_low - 1e-9"
            f" and predicted_high + 1e-9 end as is_inside_interval,"
            f" case when status = 'ok' and unit = 'share' then predicted_value between 0 and 1 end as is_share_ok"
            f" from {schema}.scenario_results",
            _results_suite,
        ),
        ModellingCheck("model_calibration", f"select * from {schema}.model_calibration", _calibration_suite),
        ModellingCheck(
            "model_backtest",
            f"select *, measured_after_low <= measured_after_high as is_ordered from {schema}.model_backtest",
            _backtest_suite,
        ),
    ]


def _results_suite() -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name="modelling_scenario_results")
    suite.add_expectation(gxe.ExpectTableRowCountToBeBetween(min_value=1))
    suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column="scenario_id"))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="status", value_set=["ok", "error"]))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="is_inside_interval", value_set=[True]))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="is_share_ok", value_set=[True]))
    return suite


def _calibration_suite() -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name="modelling_calibration")
    suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column="unit_id"))
    suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column="is_reliable"))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="system", value_set=["office", "call"]))
    return suite


def _backtest_suite() -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name="modelling_backtest")
    suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column="measure_id"))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="is_ordered", value_set=[True]))
    return suite
