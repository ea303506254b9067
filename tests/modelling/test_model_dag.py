"""The modelling DAG end to end on a small generated region: ingest → build_journeys → model_scenarios.

A region of 3 offices and 5 weeks (the registered measure m-2026-03-windows starts on 1 October
at ens-03, the generator plants its effect) is generated, ingested and built once for the module
with ``dag.test()`` on a real PostgreSQL; then ``model_scenarios`` runs and its published results
are checked: calibration, scenarios (a bad row is reported, the others run), the backtest of the
measure against improvement_effects, the write–audit–publish gate, reproducibility, the quick
wins of pain_point_instruments and the page in headless Chromium.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg
import pytest

from include.generator import generate_region

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(2400)]

REGION = "enskaya"
START = date(2026, 9, 7)  # a Monday
DAYS = 35
OFFICES = 3
SOURCES_RUN = ("call_centre", "office_visits", "website", "cases", "chatbot")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "modelling"


@dataclass
class Built:
    dsn: str
    site: Path


def _query(dsn: str, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(query, params).fetchall()  # type: ignore[arg-type]


def _frame(dsn: str, query: str) -> pd.DataFrame:
    with psycopg.connect(dsn) as conn:
        cur = conn.execute(query)  # type: ignore[arg-type]
        return pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description or []])


@pytest.fixture(scope="module")
def built(module_db: str, airflow_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    from include.dag_runs import load_dag, run, run_day, run_days

    root = tmp_path_factory.mktemp("modelling")
    landing, site = root / "landing", root / "site"
    manifest = generate_region(landing, seed=7, offices=OFFICES, days=DAYS, start=START, region_id=REGION)
    saved = {k: os.environ.get(k) for k in ("WAREHOUSE_DSN", "CJW_LANDING_DIR", "CJW_SITE_DIR")}
    os.environ.update({"WAREHOUSE_DSN": module_db, "CJW_LANDING_DIR": str(landing), "CJW_SITE_DIR": str(site)})
    try:
        first = date.fromisoformat(manifest["start_date"])
        days = [first + timedelta(days=n) for n in range(DAYS)]
        for source in SOURCES_RUN:  # the history as one backfill batch, the last day as a daily run
            dag = load_dag(f"ingest_{source}")
            run_days(dag, days[0], days[-2])
            run_day(dag, days[-1])
        run(load_dag("build_journeys"))
        run(load_dag("model_scenarios"))
        yield Built(module_db, site)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_every_office_and_queue_is_calibrated_and_checked(built: Built) -> None:
    cal = _frame(built.dsn, "select * from modelling.model_calibration")
    units = _query(built.dsn, "select distinct system, unit_id from marts.fct_queue_services")
    assert {(r["system"], r["unit_id"]) for r in cal.to_dict("records")} == set(units)
    assert set(cal.loc[cal["system"] == "office", "kpi_id"]) == {"office_wait_walkin", "office_wait_walkin_median"}
    assert set(cal.loc[cal["system"] == "call", "kpi_id"]) >= {"call_service_level", "call_abandon_rate", "call_asa"}
    # measured = the warehouse's own KPI over the same days (fct_touchpoint_kpis counts the same tickets)
    row = cal[(cal["unit_id"] == "ens-01") & (cal["kpi_id"] == "office_wait_walkin")].iloc[0]
    successes, total = _query(
        built.dsn,
        "select count(*) filter (where wait_seconds <= 900), count(*) from marts.fct_office_tickets"
        " where office_id = 'ens-01' and not is_prebooked and called_at is not null"
        " and issued_local_date between %s and %s",
        (row["period_from"], row["period_to"]),
    )[0]
    assert row["measured_value"] == pytest.approx(successes / total)
    # the verdict is the tolerance applied to these numbers, and a unit is reliable iff all its KPIs are
    shares = cal[cal["kpi_id"].isin(["office_wait_walkin", "call_service_level", "call_abandon_rate"])]
    assert (
        ((shares["measured_value"] - shares["modelled_value"]).abs() <= 0.02 + 1e-9)
        .eq(shares["is_within_tolerance"])
        .all()
    )
    for _, unit in cal.groupby("unit_id"):
        assert unit["is_reliable"].iloc[0] == bool(unit["is_within_tolerance"].fillna(True).all())
    # the planted queues are reproduced within tolerance
    planted = cal[cal["unit_id"].isin(["ens-02", "czn_ens01"]) & cal["kpi_id"].isin(
        ["office_wait_walkin", "call_service_level", "call_abandon_rate"])]  # fmt: skip
    assert planted["is_within_tolerance"].all(), planted[["unit_id", "kpi_id", "measured_value", "modelled_value"]]


def test_the_acceptance_scenarios_predict_against_their_norms(built: Built) -> None:
    res = _frame(built.dsn, "select * from modelling.scenario_results where status = 'ok'")
    by = {(r["scenario_id"], r["kpi_id"]): r for r in res.to_dict("records")}
    monday = by[("ens02-monday-window", "office_wait_walkin")]
    assert monday["predicted_value"] > monday["baseline_model_value"]  # one more window helps
    assert monday["norm_value"] == pytest.approx(0.9)
    assert monday["meets_norm_predicted"] == (monday["predicted_value"] >= 0.9)
    operators = by[("ens01-morning-operators", "call_abandon_rate")]
    assert operators["predicted_value"] < operators["now_value"] / 2  # the understaffed mornings
    assert by[("ens01-morning-operators", "call_service_level")]["predicted_value"] > by[
        ("ens01-morning-operators", "call_service_level")]["now_value"]  # fmt: skip
    cv = by[("cv-moderation-dropoff-half", "stage_drop_off")]
    assert cv["predicted_value"] == pytest.approx(cv["now_value"] / 2)
    for row in res.to_dict("records"):
        assert row["predicted_low"] - 1e-9 <= row["predicted_value"] <= row["predicted_high"] + 1e-9
    hourly = _frame(built.dsn, "select * from modelling.scenario_hourly where scenario_id = 'ens02-monday-window'")
    changed = hourly[hourly["is_changed_hour"]]
    assert set(changed["local_hour"]) == {9, 10, 11}  # the office opens at 9; the change is 8–12
    # the chatbot answers most questions about training (it falls back on every one of them today):
    # «now» is the published KPI over the same days, and the model without the change reproduces it
    chat = by[("chatbot-training-script", "chatbot_containment")]
    days = (chat["base_from"], chat["base_to"])
    [(published,)] = _query(
        built.dsn,
        "select sum(numerator) / sum(denominator) from marts.fct_client_kpis where kpi_id = 'chatbot_containment'"
        " and office_id is null and period_grain = 'day' and period_start between %s and %s",
        days,
    )
    assert chat["now_value"] == pytest.approx(float(published))
    assert chat["baseline_model_value"] == pytest.approx(chat["now_value"])
    assert chat["predicted_value"] > chat["now_value"]
    fallback = by[("chatbot-training-script", "chatbot_fallback_rate")]
    assert fallback["predicted_value"] < fallback["now_value"] * 0.8


def test_the_measure_is_predicted_inside_what_was_measured(built: Built) -> None:
    bt = _frame(built.dsn, "select * from modelling.model_backtest where measure_id = 'm-2026-03-windows'")
    assert len(bt) == 1
    row = bt.iloc[0]
    effect = _frame(built.dsn, "select * from marts.improvement_effects where measure_id = 'm-2026-03-windows'")
    eff = effect.iloc[0]
    assert row["measured_after"] == pytest.approx(float(eff["after_value"]))
    assert row["measured_after_low"] == pytest.approx(float(eff["before_value"]) + float(eff["change_ci_low"]))
    # the model saw only the days before 1 October
    assert row["base_to"] == date(2026, 9, 30)
    assert row["measured_after_low"] <= row["predicted_value"] <= row["measured_after_high"], row.to_dict()
    assert row["is_inside_measured_interval"]


def test_a_bad_scenario_row_is_reported_and_the_others_still_run(built: Built) -> None:
    from include.dag_runs import load_dag, run

    with psycopg.connect(built.dsn) as conn:
        conn.execute(
            "insert into config.scenarios (scenario_id, scenario_name_ru, region_id, model, target, change, value)"
            " values ('broken-window', 'Сломанный сценарий', 'enskaya', 'office_queue', 'ens-99', 'add_servers', 1)"
        )
    try:
        run(load_dag("model_scenarios"))
        res = _frame(built.dsn, "select * from modelling.scenario_results")
    finally:
        with psycopg.connect(built.dsn) as conn:
            conn.execute("delete from config.scenarios where scenario_id = 'broken-window'")
    errors = res[res["status"] == "error"]
    assert len(errors) == 1
    message = errors.iloc[0]["error_ru"]
    assert "broken-window" in message and "ens-99" in message and message.startswith("scenarios row ")
    assert set(res.loc[res["status"] == "ok", "scenario_id"]) >= {
        "ens02-monday-window", "ens01-morning-operators", "cv-moderation-dropoff-half", "backtest-m-2026-03-windows",
        "chatbot-training-script",
    }  # fmt: skip


def test_a_failed_audit_leaves_the_published_results_as_they_were(built: Built) -> None:
    from include.modelling import run, store

    before = _frame(built.dsn, "select * from modelling.scenario_results order by row_number, kpi_id")
    tables = run.run_all(run.load_inputs(built.dsn), replications=3)
    # the same marts, same seed and replications: the same numbers (reproducible)
    again = run.run_all(run.load_inputs(built.dsn), replications=3)
    pd.testing.assert_frame_equal(
        tables["scenario_results"].drop(columns="runtime_s"), again["scenario_results"].drop(columns="runtime_s")
    )
    broken = tables["scenario_results"].copy()
    ok = broken["status"] == "ok"
    broken.loc[ok.idxmax(), "predicted_value"] = 5.0  # a share of 500 %, outside its own interval
    tables["scenario_results"] = broken
    with pytest.raises(store.AuditError, match="modelling_scenario_results"):
        store.write_audit_publish("test_broken", tables, built.dsn)
    after = _frame(built.dsn, "select * from modelling.scenario_results order by row_number, kpi_id")
    pd.testing.assert_frame_equal(before, after)
    logged = _query(built.dsn, "select status, reason from ops.modelling_log where run_id = 'test_broken'")
    assert logged and logged[0][0] == "failed" and "modelling_scenario_results" in logged[0][1]


def test_pain_points_get_instruments_and_few_are_quick_wins(built: Built) -> None:
    from include.dag_runs import load_dag, run

    run(load_dag("build_journeys"))  # reads the modelled effects the last modelling run published
    ppi = _frame(built.dsn, "select * from marts.pain_point_instruments")
    points = _query(built.dsn, "select count(*) from marts.pain_points")[0][0]
    assert ppi["pain_point_id"].nunique() == points
    per_point = ppi.groupby("pain_point_id")["is_quick_win"].first()
    assert per_point.sum() < len(per_point) / 2  # the flag tells the working group something
    modelled = ppi[ppi["effect_basis"] == "model"]
    assert len(modelled) > 0
    monday = ppi[(ppi["kpi_id"] == "office_wait_walkin") & (ppi["office_id"] == "ens-02")]
    assert "extra_window_peak" in set(monday["instrument_id"])
    window = monday[monday["instrument_id"] == "extra_window_peak"].iloc[0]
    assert window["modelled_hours"]  # placed in the office's worst hours
    # a quick win needs a low cost, a short lead time and most of the gap closed
    for row in ppi[ppi["is_quick_win_instrument"]].to_dict("records"):
        assert row["cost_class"] == "low" and row["lead_time_days"] <= 30 and row["gap_closed_share"] >= 0.5


@pytest.mark.browser
def test_the_page_in_a_browser(built: Built, browser: Any) -> None:
    from include import settings
    from include.report import render_site
    from include.report.modelling import render_modelling_page

    render_site(built.dsn, built.site)
    page_path = render_modelling_page(built.dsn, built.site)
    assert page_path == built.site / "modelling.html"
    index = (built.site / "index.html").read_text(encoding="utf-8")
    assert 'href="modelling.html"' in index  # the overview links to it
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(page_path.as_uri(), wait_until="load")
        page.wait_for_selector("svg.main-svg", timeout=20_000)
        assert page.locator("h1").inner_text().startswith("Моделирование мер")
        card = page.locator('[data-scenario="ens02-monday-window"]')
        text = card.inner_text()
        assert "Ожидание в очереди без записи" in text and "Норматив будет выполнен?" in text
        assert card.locator("svg.main-svg").count() >= 1  # the chart by hour
        # the table is the period's every day, the chart Mondays only: the card says so
        assert card.locator(".scenario-scope").inner_text() == (
            "В таблице — все дни периода; на графике — по понедельникам, по часам."
        )
        backtest = page.locator("#backtest-table").inner_text()
        assert "m-2026-03-windows" in backtest and "прогноз внутри измеренного интервала" in backtest
        assert page.locator("#calibration-table tbody tr").count() >= 2 * OFFICES
        assert page.locator("#pain-instruments tbody tr").count() >= 1
        assert not errors, errors
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "modelling.png"), full_page=True)
        card.screenshot(path=str(ARTIFACTS / "scenario-ens02-monday.png"))
    finally:
        context.close()
    del settings
