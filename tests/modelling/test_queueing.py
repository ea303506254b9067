"""The office queue model against offices whose truth is known: days simulated by the synthetic-
region generator with a given number of windows (no database: the model is pure computation)."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pytest

from include.generator.seeds import Office
from include.modelling import queueing
from include.modelling.kpis import kpi_functions, measured_clients, within_tolerance
from include.modelling.run import _clients
from tests.modelling.generated import office_rows, weekdays

OFFICE = Office("t-01", "Тестовый ЦЗН", "Europe/Moscow", 5, 1)
START = dt.date(2026, 9, 7)  # a Monday
KPIS = kpi_functions({"office_wait_walkin": 900.0})


def _walkin_share(outcomes: list[queueing.Outcome]) -> float:
    values = [KPIS["office_wait_walkin"](_clients(o), np.ones(len(o.wait), bool)) for o in outcomes]
    return float(np.mean([v for v in values if v is not None]))


def _measured_share(frame) -> float:  # type: ignore[no-untyped-def]
    clients = measured_clients(frame)
    value = KPIS["office_wait_walkin"](clients, np.ones(len(frame), bool))
    assert value is not None
    return value


@pytest.fixture(scope="module")
def short_staffed():
    """Four weeks with 3 of 5 windows working (waits well above the norm), and the truth."""
    days = weekdays(START, 20)
    frame = office_rows(OFFICE, days, dict.fromkeys(days, 3), seed=11)
    return days, frame


def test_the_windows_that_worked_are_read_from_the_data(short_staffed) -> None:
    days, frame = short_staffed
    cal = queueing.calibrate("office", OFFICE.office_id, frame)
    assert len(cal.days) == len(days)
    # every day: exactly the 3 windows the generator let work (not the 5 of the staff list)
    assert {len(day.availability) for day in cal.days} == {3}
    # lunch (30 min per window on weekdays) is seen as a break: midday capacity below 3 windows
    per_hour = cal.servers_per_hour()
    assert per_hour[10] == pytest.approx(3, abs=0.35)
    assert per_hour[13] < per_hour[10] - 0.3


def test_the_model_reproduces_the_measured_wait_share(short_staffed) -> None:
    """On three generated months of the same office: within the tolerance on average, and never
    far off (one month's particular sequence of service times moves the share by a point or two)."""
    days, frame = short_staffed
    errors = []
    for seed, month in (
        (11, frame),
        *((s, office_rows(OFFICE, days, dict.fromkeys(days, 3), seed=s)) for s in (12, 13)),
    ):
        cal = queueing.calibrate("office", OFFICE.office_id, month)
        measured = _measured_share(month)
        modelled = _walkin_share(queueing.simulate(cal, replications=10, seed=3, resample_days=False))
        assert 0.2 < measured < 0.9, seed  # a queue that really waits, not a trivial one
        errors.append(modelled - measured)
    mean = sum(errors) / len(errors)
    assert within_tolerance("office_wait_walkin", 0.5, 0.5 + mean), errors
    assert max(abs(e) for e in errors) < 0.03, errors


def test_same_inputs_same_numbers_and_another_seed_other_draws(short_staffed) -> None:
    _, frame = short_staffed
    cal = queueing.calibrate("office", OFFICE.office_id, frame)
    first = queueing.simulate(cal, replications=3, seed=5)
    again = queueing.simulate(cal, replications=3, seed=5)
    other = queueing.simulate(cal, replications=3, seed=6)
    assert all(np.array_equal(a.wait, b.wait) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a.wait, b.wait) for a, b in zip(first, other, strict=True))


def test_the_order_the_rows_come_in_does_not_change_the_numbers(short_staffed) -> None:
    """The warehouse returns a table's rows in no particular order: the model must not depend on it."""
    _, frame = short_staffed
    shuffled = frame.sample(frac=1.0, random_state=4)
    first = queueing.simulate(queueing.calibrate("office", OFFICE.office_id, frame), replications=2, seed=5)
    again = queueing.simulate(queueing.calibrate("office", OFFICE.office_id, shuffled), replications=2, seed=5)
    assert all(np.array_equal(a.wait, b.wait) for a, b in zip(first, again, strict=True))


def test_more_windows_predict_what_the_office_then_measured() -> None:
    """A backtest in miniature: the model learns from 4 weeks with 2 windows and predicts 5 windows;
    the generator then really runs 5 windows on 4 other weeks."""
    before_days = weekdays(START, 20)
    after_days = weekdays(START + dt.timedelta(days=28), 20)
    before = office_rows(OFFICE, before_days, dict.fromkeys(before_days, 2), seed=21)
    after = office_rows(OFFICE, after_days, dict.fromkeys(after_days, 5), seed=22)
    cal = queueing.calibrate("office", OFFICE.office_id, before)
    outcomes = queueing.simulate(cal, queueing.Change("set_servers", 5), replications=10, seed=1)
    values = [KPIS["office_wait_walkin"](_clients(o), np.ones(len(o.wait), bool)) for o in outcomes]
    predicted, spread = float(np.mean(values)), float(np.std(values, ddof=1))
    measured_before, measured_after = _measured_share(before), _measured_share(after)
    assert measured_before < 0.6 < measured_after  # the measure really changed the office
    assert abs(predicted - measured_after) <= max(0.03, 2 * spread), (predicted, measured_after)


def test_a_window_more_in_some_hours_acts_in_those_hours(short_staffed) -> None:
    _, frame = short_staffed
    cal = queueing.calibrate("office", OFFICE.office_id, frame)
    change = queueing.Change("add_servers", 1, frozenset({1}), (9, 12))
    monday = next(d for d in cal.days if d.weekday == 1)
    tuesday = next(d for d in cal.days if d.weekday == 2)
    extra = queueing.changed_availability(monday, change, None)
    assert len(extra) == len(monday.availability) + 1
    assert all(a >= 9 * 3600 and b <= 12 * 3600 for a, b in extra[-1])
    assert queueing.changed_availability(tuesday, change, None) == tuesday.availability
    base = queueing.simulate(cal, replications=4, seed=2)
    more = queueing.simulate(cal, change, replications=4, seed=2)

    def monday_morning(outcomes: list[queueing.Outcome]) -> float:
        return float(np.mean([
            KPIS["office_wait_walkin"](_clients(o), (o.weekday == 1) & (o.ready < 12 * 3600)) for o in outcomes
        ]))  # fmt: skip

    assert monday_morning(more) > monday_morning(base) + 0.05


def test_a_month_of_one_office_runs_in_under_ten_seconds(short_staffed) -> None:
    _, frame = short_staffed
    started = time.perf_counter()
    cal = queueing.calibrate("office", OFFICE.office_id, frame)
    queueing.simulate(cal, queueing.Change("add_servers", 1), replications=20, seed=1)
    assert time.perf_counter() - started < 10
