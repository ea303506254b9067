"""Scenario rows are validated one by one (a bad row names itself and says what is wrong), and the
funnel model carries a changed drop-off to the stages after it. No database."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from include import settings
from include.modelling import chatbot, funnel
from include.modelling.scenarios import ScenarioError, parse

TARGETS = {
    "office_queue": {"ens-02"},
    "call_queue": {"czn_ens01"},
    "journey_stage": {"unemployment_registration:cv_moderation"},
}
GOOD = {
    "scenario_id": "s1", "scenario_name_ru": "Окно", "region_id": "enskaya", "model": "office_queue",
    "target": "ens-02", "change": "add_servers", "value": 1, "weekdays": "1", "hours": "8-12",
    "base_from": None, "base_to": None, "kpi_ids": "office_wait_walkin", "measure_id": None, "description_ru": "",
}  # fmt: skip


def test_every_seeded_scenario_parses() -> None:
    """The demo's seed: every row is a valid scenario (targets as the demo region has them)."""
    with (settings.SEEDS_DIR / "scenarios.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    targets = {
        "office_queue": {"ens-01", "ens-02", "ens-03"},
        "call_queue": {"czn_ens01"},
        "journey_stage": {"unemployment_registration:cv_moderation"},
        "chatbot_intent": {"training_programs"},
    }
    parsed = [parse(n, row, targets) for n, row in enumerate(rows, start=1)]
    assert {s.scenario_id for s in parsed} >= {"ens02-monday-window", "ens01-morning-operators",
                                                "cv-moderation-dropoff-half", "backtest-m-2026-03-windows"}  # fmt: skip
    monday = next(s for s in parsed if s.scenario_id == "ens02-monday-window")
    assert monday.change.weekdays == frozenset({1}) and monday.change.hours == (8, 12) and monday.by_hour


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("model", "tram_stop", "model 'tram_stop' is not one of"),
        ("change", "dropoff_factor", "does not apply to office_queue"),
        ("value", "много", "is not a number"),
        ("value", "1.5", "whole numbers"),
        ("target", "ens-99", "target 'ens-99' has no data"),
        ("weekdays", "0-9", "weekdays '0-9'"),
        ("hours", "12-8", "hours '12-8'"),
        ("kpi_ids", "call_asa", "KPI call_asa is not predicted by office_queue"),
        ("scenario_id", "", "scenario_id is empty"),
    ],
)
def test_a_bad_row_names_itself_and_what_is_wrong(field: str, value: str, message: str) -> None:
    row = {**GOOD, field: value}
    with pytest.raises(ScenarioError) as error:
        parse(7, row, TARGETS)
    text = str(error.value)
    assert text.startswith("scenarios row 7 (")
    assert message in text
    if field != "scenario_id":
        assert "(s1)" in text


STAGES = [
    funnel.Stage("application", 1000, 800, 150),
    funnel.Stage("cv_moderation", 800, 300, 450),
    funnel.Stage("case_opening", 300, 240, 40),
    funnel.Stage("exit", 240, None, 0),
]


def test_halving_a_drop_off_keeps_half_of_those_clients_and_carries_them_on() -> None:
    result = funnel.predict(STAGES, "cv_moderation", 0.5, replications=300, seed=1)
    now, predicted, low, high = result["stage_conversion"]
    assert now == pytest.approx(300 / 800)
    assert predicted == pytest.approx((300 + 450 / 2) / 800)  # the 225 kept clients go on
    assert low < predicted < high
    drop_now, drop_pred, _, _ = result["stage_drop_off"]
    assert drop_pred == pytest.approx(drop_now / 2)
    # the kept clients convert at case_opening as clients do now (240 of 300) and reach the exit
    _, completion, c_low, c_high = result["journey_completion"]
    assert completion == pytest.approx((240 + 225 * 240 / 300) / 1000)
    assert c_low < completion < c_high


def test_no_change_predicts_the_funnel_as_it_is() -> None:
    result = funnel.predict(STAGES, "cv_moderation", 1.0, replications=50, seed=2)
    for now, predicted, _, _ in result.values():
        assert predicted == pytest.approx(now)


def test_the_funnel_bootstrap_is_seeded() -> None:
    assert funnel.predict(STAGES, "application", 0.5, seed=9) == funnel.predict(STAGES, "application", 0.5, seed=9)


CHATS = pd.DataFrame({
    "attribute": ["vacancy_search:resolved"] * 60 + ["office_hours:handoff"] * 20
    + ["fallback:training_programs:handoff"] * 10 + ["fallback:training_programs:abandoned"] * 6
    + ["fallback:other:abandoned"] * 4,
})  # fmt: skip


def test_chats_are_counted_by_topic_and_outcome() -> None:
    c = chatbot.count(CHATS, "training_programs")
    assert (c.total, c.resolved, c.fallback, c.fallback_topic, c.recognised, c.recognised_resolved) == (
        100,
        60,
        20,
        16,
        80,
        60,
    )
    assert chatbot.topics(CHATS) == {"training_programs", "other"}


def test_answering_a_topic_moves_its_chats_to_what_recognised_chats_become() -> None:
    c = chatbot.count(CHATS, "training_programs")
    same = chatbot.predict(c, 0.3, 0.0)
    assert same["chatbot_containment"][:2] == (0.6, 0.6) and same["chatbot_fallback_rate"][:2] == (0.3, 0.3)
    got = chatbot.predict(c, 0.3, 0.5, seed=1)
    # 8 of the 16 training chats answered, resolved as 60 of 80 recognised chats are: +6 of 100
    assert got["chatbot_containment"][1] == pytest.approx(0.66)
    # 8 of the 20 fallback chats are gone: the replies that are fallbacks fall by 40 %
    assert got["chatbot_fallback_rate"][1] == pytest.approx(0.3 * 0.6)
    for _, point, low, high in got.values():
        assert low <= point <= high
    assert got == chatbot.predict(c, 0.3, 0.5, seed=1), "seeded"


@pytest.mark.parametrize(
    ("change", "value", "message"),
    [("answer_share", "1.5", "between 0 and 1"), ("dropoff_factor", "0.5", "does not apply to chatbot_intent")],
)
def test_a_bad_chatbot_row_says_why(change: str, value: str, message: str) -> None:
    row = {**GOOD, "model": "chatbot_intent", "target": "training_programs", "change": change, "value": value,
           "weekdays": "", "hours": "", "kpi_ids": "chatbot_containment"}  # fmt: skip
    with pytest.raises(ScenarioError, match=message):
        parse(3, row, {**TARGETS, "chatbot_intent": {"training_programs"}})
    with pytest.raises(ScenarioError, match="target 'weather' has no data for chatbot_intent"):
        parse(3, {**row, "target": "weather", "change": "answer_share", "value": "0.5"}, TARGETS)
