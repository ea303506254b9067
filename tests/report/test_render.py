"""End-to-end tests of the KPI page (``kpi.html``): real PostgreSQL, real Chromium, no mocks.

A fresh database gets the KPI ``marts`` tables of the published contract with a small dataset
(two offices, two months) that plants one red, one amber, one green and one suppressed cell
(``kpi_marts``). The journey marts are not published here, as in a region that has not built
them yet: the site still renders. The site is opened from ``file://`` in headless Chromium;
screenshots go to ``test-artifacts/report/``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from include.report import render_site
from include.report.formatting import (
    format_delta,
    format_norm,
    format_number,
    format_value,
    period_label,
)
from include.report.render import plotly_js_path
from tests.fixtures.kpi_marts import (
    CLIENT_KPIS,
    KPIS,
    PASSED,
    PROJECT_ROOT,
    PUBLISHED_AT,
    build_dataset,
    load_kpi_marts,
)
from tests.report.browsing import (
    AMBER_BG,
    ARTIFACTS,
    GREEN_BG,
    RED_BG,
    Opened,
    background,
    cell,
    check_links,
    open_site,
    shot,
    visible_text,
)

pytestmark = pytest.mark.timeout(300)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Decimal("0.875"), "share", "87,5\u00a0%"),
        (Decimal("0.642"), "share", "64,2\u00a0%"),
        (Decimal("0.9"), "share", "90,0\u00a0%"),
        (12.43, "minutes", "12,4\u00a0мин"),
        (Decimal("48.2"), "seconds", "48\u00a0с"),
        (Decimal("1234.56"), "minutes", "1\u2009234,6\u00a0мин"),
        (Decimal(1234567), "seconds", "1\u2009234\u2009567\u00a0с"),
        (Decimal("4.25"), "score", "4,3"),
    ],
)
def test_format_value_is_russian(value: Any, unit: str, expected: str) -> None:
    assert format_value(value, unit) == expected


def test_format_norm_delta_and_period() -> None:
    assert format_norm(Decimal("0.9"), "share", "higher_is_better") == "≥\u00a090\u00a0%"
    assert format_norm(Decimal(15), "minutes", "lower_is_better") == "≤\u00a015\u00a0мин"
    assert format_delta(Decimal("0.021"), "share") == "+2,1\u00a0п.\u00a0п."
    assert format_delta(Decimal("-1.34"), "minutes") == "\u22121,3\u00a0мин"
    assert format_number(-1234.5, 1) == "\u22121\u2009234,5"
    assert period_label(date(2025, 10, 1), date(2025, 11, 30)) == "1 октября — 30 ноября 2025\u00a0г."


# --- the database ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dsn(module_db: str) -> str:
    """A fresh database with the marts contract and the planted dataset (dropped by module_db)."""
    load_kpi_marts(module_db, build_dataset())
    return module_db


@pytest.fixture(scope="module")
def site(dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "site"
    index = render_site(dsn, out, published_at=PUBLISHED_AT, quality=PASSED)
    assert index == out / "index.html"
    return out


# --- the browser -----------------------------------------------------------------------------


@pytest.fixture
def opened(browser: Any, site: Path) -> Iterator[Opened]:
    with open_site(browser, site / "kpi.html") as page:
        yield page


def test_site_is_self_contained(site: Path) -> None:
    html = (site / "kpi.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="ru">' in html
    assert '<meta charset="utf-8">' in html
    assert (site / "assets" / "plotly.min.js").read_bytes() == plotly_js_path().read_bytes()
    assert (site / "assets" / "style.css").is_file()
    links = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert "assets/plotly.min.js" in links and "assets/style.css" in links
    assert [link for link in links if "://" in link] == []
    # the suppressed value (33,3 %, 3 observations) is nowhere in the page, not even in data
    assert "33,3\u00a0%" not in html and 'data-value="0.333"' not in html
    leftovers = [p.name for p in site.parent.iterdir() if p.name != "site"]
    assert leftovers == [], "temporary folders left next to the site"


def test_site_without_journey_marts_still_renders(site: Path) -> None:
    """A region whose journey marts are not built yet: every page is there and says so."""
    pages = {str(p.relative_to(site)) for p in check_links(site)}
    assert pages == {"index.html", "kpi.html", "journeys/index.html", "staff.html", "modelling.html"}
    assert "Нет данных: показатели сотрудников ещё не рассчитаны." in (site / "staff.html").read_text(encoding="utf-8")
    modelling = (site / "modelling.html").read_text(encoding="utf-8")
    assert "Расчёт сценариев ещё не выполнялся" in modelling
    journeys = (site / "journeys" / "index.html").read_text(encoding="utf-8")
    assert "Нет данных: маршруты клиентов ещё не описаны или не рассчитаны." in journeys
    overview = (site / "index.html").read_text(encoding="utf-8")
    assert "Карты маршрутов, болевые точки или эффект мер ещё не рассчитаны" in overview
    assert "Нет данных: рейтинг болевых точек ещё не рассчитан." in overview
    assert 'class="tile status-red"' in overview  # the KPI tiles are on the overview too


@pytest.mark.browser
def test_page_shows_planted_cells(opened: Opened) -> None:
    page = opened.page
    assert page.evaluate("document.documentElement.lang") == "ru"
    assert visible_text(page.locator("h1")) == "Показатели клиентского опыта: Энская область"
    headings = [visible_text(h) for h in page.locator("h2").all()]
    for expected in (
        "Центры занятости",
        "Контакт-центр",
        "Весь маршрут: оценки клиентов, чат-бот, результат обращений",
        "Динамика",
        "Когда возникают проблемы",
    ):
        assert expected in headings
    assert any(h.startswith("Показатели за ноябрь 2025") for h in headings)
    groups = [visible_text(h) for h in page.locator("#kpi h3").all()]
    # the journey-wide KPIs (fct_client_kpis) fill the expectation groups no touchpoint measures
    assert groups == [
        "Дружелюбие и партнёрство", "Полезность", "Минимизация усилий", "Адресность", "Внешний комфорт и удобство",
    ]  # fmt: skip
    assert page.locator("#kpi p.note").count() == 0  # «Пока нет данных по группам: …» is gone
    header = visible_text(page.locator(".page-header"))
    assert "1 октября — 30 ноября 2025 г." in header
    assert "1 декабря 2025 г., 09:30 (UTC+5)" in header
    assert "Проверки качества пройдены (42)" in header

    red = cell(page, "office_wait_walkin", "ens-02", period="2025-11")
    assert red.get_attribute("data-status") == "red"
    assert red.get_attribute("data-value") == "0.642"
    assert background(red) == RED_BG
    assert visible_text(red) == "64,2 %"
    amber = cell(page, "office_wait_walkin", "ens-01", period="2025-11")
    assert (background(amber), visible_text(amber)) == (AMBER_BG, "85,3 %")
    green = cell(page, "office_wait_prebooked", "ens-01", period="2025-11")
    assert (background(green), visible_text(green)) == (GREEN_BG, "95,7 %")

    hidden = cell(page, "office_wait_prebooked", "ens-02", period="2025-11")
    assert visible_text(hidden) == "—"
    assert hidden.get_attribute("title") == "мало наблюдений"
    assert hidden.get_attribute("data-status") == "suppressed"
    assert hidden.get_attribute("data-value") is None
    assert "status-suppressed" in (hidden.get_attribute("class") or "")
    assert background(hidden) == "rgba(0, 0, 0, 0)"
    assert "33,3" not in page.locator("body").inner_text()

    queue = cell(page, "call_abandon_rate", "ens-02", queue="czn_ens02", period="2025-11")
    assert (background(queue), visible_text(queue)) == (RED_BG, "18,3 %")
    asa = cell(page, "call_asa", "region", period="2025-11", touchpoint="call_centre_operator")
    assert visible_text(asa).endswith(" с")

    monday = cell(page, "office_wait_walkin", "ens-02", profile="weekday", bucket="1")
    assert (background(monday), visible_text(monday)) == (RED_BG, "41,0 %")
    morning = cell(page, "call_service_level", "ens-02", profile="hour", bucket="9")
    assert (background(morning), visible_text(morning)) == (RED_BG, "52,0 %")
    evening = cell(page, "call_service_level", "ens-01", profile="hour", bucket="19")
    assert visible_text(evening) == "—"

    tile = page.locator('.tile[data-kpi="office_wait_walkin"][data-office="region"]')
    assert tile.get_attribute("data-period") == "2025-11"
    assert "норматив ≥ 90 %" in visible_text(tile)
    assert "Октябрь 2025:" in visible_text(tile)
    assert tile.locator("svg.sparkline polyline").count() >= 1
    median_tile = page.locator('.tile[data-kpi="office_wait_walkin_median"]')
    assert "норматив ≤ 15 мин" in visible_text(median_tile)

    csat_tile = page.locator('.tile[data-kpi="csat"][data-office="region"][data-touchpoint="all"]')
    assert "Удовлетворённость" in visible_text(csat_tile) and "норматив ≥ 90 %" in visible_text(csat_tile)
    assert csat_tile.locator("svg.sparkline polyline").count() >= 1
    csat_office = cell(page, "csat", "ens-01", period="2025-11")
    assert (background(csat_office), visible_text(csat_office)) == (RED_BG, "78,0 %")
    fallback = cell(page, "chatbot_fallback_rate", "ens-01", period="2025-11")
    assert (background(fallback), visible_text(fallback)) == (RED_BG, "31,0 %")

    # every coloured element carries the attributes the end-to-end tests rely on
    missing = page.evaluate(
        """() => [...document.querySelectorAll('[class*="status-"]')]
            .filter(el => !(el.dataset.kpi && el.dataset.office && el.dataset.status))
            .map(el => el.outerHTML.slice(0, 120))"""
    )
    assert missing == []
    # only KPIs that have rows are drawn (the chatbot has no data yet)
    kpis = set(page.evaluate("() => [...document.querySelectorAll('[data-kpi]')].map(e => e.dataset.kpi)"))
    assert kpis == set(KPIS) | set(CLIENT_KPIS)

    assert opened.errors == []
    shot(page, "kpi-page.png", full_page=True)
    shot(page.locator("#kpi"), "kpi-tiles.png")
    shot(page.locator("#offices"), "offices-table.png")
    shot(page.locator("#calls"), "calls-table.png")
    shot(page.locator("#profiles"), "profiles.png")


@pytest.mark.browser
def test_month_select_switches_tables(opened: Opened) -> None:
    page = opened.page
    november = cell(page, "office_wait_walkin", "ens-02", period="2025-11")
    october = cell(page, "office_wait_walkin", "ens-02", period="2025-10")
    october_call = cell(page, "call_abandon_rate", "ens-02", period="2025-10")
    assert november.is_visible() and not october.is_visible()
    select = page.locator("#month-offices")
    assert select.input_value() == "2025-11"
    assert [o.get_attribute("value") for o in select.locator("option").all()] == [
        "2025-11",
        "2025-10",
    ]
    select.select_option("2025-10")
    assert october.is_visible() and not november.is_visible()
    assert (background(october), visible_text(october)) == (GREEN_BG, "91,2 %")
    assert october_call.is_visible()  # the contact-centre table follows the same month
    assert page.locator("#month-calls").input_value() == "2025-10"
    assert "Октябрь 2025" in visible_text(page.locator("#offices caption:visible"))
    shot(page.locator("#offices"), "offices-table-october.png")
    assert opened.errors == []


@pytest.mark.browser
def test_plotly_renders_offline(opened: Opened) -> None:
    page = opened.page
    charts = page.locator("#trends .chart")
    assert charts.count() == len(KPIS) + len(CLIENT_KPIS)
    page.wait_for_function(
        "n => document.querySelectorAll('#trends svg.main-svg').length >= n",
        arg=charts.count(),
    )
    assert page.evaluate("typeof window.Plotly") == "object"
    assert any(r.startswith("file://") and r.endswith("/assets/plotly.min.js") for r in opened.requests)
    leaving = [r for r in opened.requests if not r.startswith(("file://", "data:"))]
    assert leaving == []
    # legend in Russian, norm drawn as a dashed line
    legend = page.locator("#chart-office_wait_walkin-office_queue .legendtext").evaluate_all(
        "nodes => nodes.map(n => n.textContent)"
    )
    assert "Итого по региону" in legend and any(t.startswith("Норматив") for t in legend)
    assert page.locator("#chart-office_wait_walkin-office_queue path.js-line[style*='dasharray']").count() >= 1
    hover = page.evaluate(
        """() => {
            const chart = document.getElementById('chart-office_wait_walkin-office_queue');
            Plotly.Fx.hover(chart, [{curveNumber: 0, pointNumber: 0}]);
            return [...chart.querySelectorAll('.hovertext text')].map(t => t.textContent).join(' ');
        }"""
    )
    assert re.search(r"01\.10\.2025: \d+,\d\u00a0%", hover), hover
    assert "наблюдений: " in hover
    shot(page.locator("#trends"), "trends.png")
    assert opened.errors == []


@pytest.mark.browser
def test_laptop_layout(browser: Any, site: Path) -> None:
    with open_site(browser, site / "kpi.html", width=1366, height=768) as opened:
        page = opened.page
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1366, "page scrolls sideways on a laptop"
        shot(page, "kpi-page-laptop.png", full_page=True)
        shot(page, "kpi-page-laptop-top.png")
        assert opened.errors == []


@pytest.mark.browser
def test_print_layout(browser: Any, site: Path) -> None:
    """A4 landscape with 12 mm margins is about 1030 CSS pixels wide."""
    with open_site(browser, site / "kpi.html", width=1030, height=730) as opened:
        page = opened.page
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        assert not page.locator("#month-offices").is_visible()
        assert page.locator(".section-nav").is_hidden()
        assert page.locator("#offices caption:visible").count() == 1
        widest = page.evaluate(
            "Math.max(...[...document.querySelectorAll('svg.main-svg')].map(s => s.getBoundingClientRect().right))"
        )
        assert widest <= 1030, "a chart is cut off on paper"
        assert page.evaluate("document.documentElement.scrollWidth") <= 1030
        shot(page, "kpi-page-print.png", full_page=True)
        page.pdf(
            path=str(ARTIFACTS / "kpi-page.pdf"),
            prefer_css_page_size=True,
            print_background=True,
        )
        assert opened.errors == []


@pytest.mark.browser
def test_failed_quality_gate_is_a_visible_warning(browser: Any, dsn: str, tmp_path: Path) -> None:
    failed = {"status": "failed", "checks": 42, "failed": 3}
    index = render_site(dsn, tmp_path / "site", published_at=PUBLISHED_AT, quality=failed)
    with open_site(browser, index, wait_for_chart=False) as opened:  # the overview: no Plotly charts
        alert = opened.page.locator(".quality-alert")
        assert alert.is_visible()
        assert "Внимание: проверки качества данных не пройдены (3 из 42)" in visible_text(alert)
        assert background(alert) == RED_BG
        badge = opened.page.locator(".page-meta .quality-failed")
        assert visible_text(badge) == "Проверки качества не пройдены (3 из 42)"
        shot(
            opened.page,
            "quality-failed-header.png",
            clip={"x": 0, "y": 0, "width": 1440, "height": 420},
        )
        assert opened.errors == []


def test_rerender_replaces_the_site_in_one_step(dsn: str, tmp_path: Path) -> None:
    out = tmp_path / "site"
    render_site(dsn, out, published_at=PUBLISHED_AT, quality=PASSED)
    (out / "stale.txt").write_text("from the previous run", encoding="utf-8")
    later = PUBLISHED_AT + timedelta(days=1)
    render_site(dsn, out, published_at=later, quality=PASSED, min_cell=500)
    html = (out / "kpi.html").read_text(encoding="utf-8")
    assert "2 декабря 2025" in html
    assert not (out / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    # with a higher threshold the 412-observation red cell is hidden as well
    planted = re.search(
        r'data-kpi="office_wait_walkin" [^>]*data-office="ens-02" '
        r'data-period="2025-11" data-status="(\w+)"[^>]*>([^<]*)<',
        html,
    )
    assert planted is not None and planted.groups() == ("suppressed", "—")
    assert 'data-value="0.642"' not in html


@pytest.mark.browser
def test_marts_without_facts_give_a_no_data_page(browser: Any, dsn: str, tmp_path: Path) -> None:
    """First publish of a new region: dimensions are there, no KPI rows yet."""
    tables = (
        "dim_kpis",
        "dim_offices",
        "dim_touchpoints",
        "dim_call_queues",
        "fct_touchpoint_kpis",
        "fct_kpi_profiles",
    )
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("drop schema if exists empty_marts cascade")
        conn.execute("create schema empty_marts")
        for table in tables:
            conn.execute(f"create table empty_marts.{table} (like marts.{table} including all)")
            if table.startswith("dim_"):
                conn.execute(f"insert into empty_marts.{table} select * from marts.{table}")
    index = render_site(dsn, tmp_path / "site", schema="empty_marts", published_at=PUBLISHED_AT)
    assert (tmp_path / "site" / "assets" / "plotly.min.js").is_file()
    with open_site(browser, index, wait_for_chart=False) as opened:
        page = opened.page
        assert visible_text(page.locator("h1")) == "Клиентский опыт: Энская область"
        assert "Нет данных" in visible_text(page.locator("#kpi"))
        assert "нет данных" in visible_text(page.locator(".page-meta"))
        assert page.locator("[data-kpi]").count() == 0
        assert "Результат проверок качества не передан" in visible_text(page.locator(".page-meta"))
        assert opened.errors == []
        shot(page, "kpi-page-empty.png", full_page=True)


def test_unknown_region_is_an_error(dsn: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no offices"):
        render_site(dsn, tmp_path / "site", region_id="nowhere")
    assert not (tmp_path / "site").exists()


def test_command_line(dsn: str, tmp_path: Path) -> None:
    quality = tmp_path / "quality.json"
    quality.write_text('{"status": "passed", "checks": 7, "failed": 0}', encoding="utf-8")
    out = tmp_path / "cli-site"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "include.report",
            "--dsn",
            dsn,
            "--out",
            str(out),
            "--quality",
            str(quality),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == out / "index.html"
    assert "Проверки качества пройдены (7)" in (out / "index.html").read_text(encoding="utf-8")
    assert str(conninfo_to_dict(dsn)["dbname"]).startswith("cjw_test_")


def test_the_tiles_report_the_last_month_the_working_group_can_judge() -> None:
    from datetime import date

    from include.report.pages.kpi import reporting_month

    months = [date(2026, 12, 1), date(2026, 11, 1), date(2026, 10, 1)]
    assert reporting_month(months, date(2026, 12, 4)) == date(2026, 11, 1)  # four days of December
    assert reporting_month(months, date(2026, 12, 14)) == date(2026, 12, 1)  # two weeks of it
    assert reporting_month(months[:1], date(2026, 12, 4)) == date(2026, 12, 1)  # nothing before it
    assert reporting_month([], None) is None


def test_a_pain_point_shows_the_instrument_that_would_help_most() -> None:
    from decimal import Decimal

    from include.report.data import best_actions
    from include.report.pages.overview import action_text

    def row(instrument: str, quick: bool, share: str | None, basis: str = "model") -> dict[str, object]:
        return {
            "pain_point_id": "p1",
            "instrument_id": instrument,
            "instrument_name_ru": instrument.replace("_", " "),
            "cost_class": "low" if quick else "high",
            "lead_time_days": 14 if quick else 120,
            "gap_closed_share": None if share is None else Decimal(share),
            "effect_basis": basis,
            "is_quick_win_instrument": quick,
            "is_norm_met_in_model_period": False,
        }

    rows = [
        row("new_operators", False, "2.0"),
        row("operators_peak", True, "0.64"),
        row("callback", True, None, "expected"),
    ]
    actions = best_actions([*rows, {"pain_point_id": "p2", "instrument_id": None}])
    assert set(actions) == {"p1"}, "a pain point without an instrument has no suggestion"
    assert actions["p1"].instrument_id == "operators_peak", "a quick win first, then the larger share of the gap"
    assert action_text(actions["p1"]) == "operators peak (малые затраты, 14 дн.): по модели закроет 64\u00a0% разрыва"
    # a share of 0 is known, so it ranks above an unknown one; equal rows go by instrument id
    assert best_actions([row("b_none", False, None, "expected"), row("a_zero", False, "0")])["p1"].instrument_id == (
        "a_zero"
    )
    assert best_actions([row("b_same", True, "0.5"), row("a_same", True, "0.5")])["p1"].instrument_id == "a_same"
    only = best_actions([row("new_operators", False, "2.0")])["p1"]
    assert action_text(only).endswith("по модели закроет разрыв полностью")
    assert action_text(None) == ""
