"""End-to-end tests of the working group's pages: overview, journey list, journey maps, regions.

A fresh database gets the KPI marts (``kpi_marts``) and the journey marts (``journey_marts``)
of the published contract with planted facts; the site is rendered and every page type is
opened from ``file://`` in headless Chromium. Screenshots go to ``test-artifacts/report/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from include.report import render_site
from include.report.common import effect_verdict, is_small
from include.report.data import current_journeys
from include.report.pages.journeys import ROWS, split_list
from tests.fixtures.journey_marts import (
    JOURNEYS,
    PAINS,
    SECRET_QUOTE,
    SUPPRESSED_TEXTS,
    load_journey_marts,
)
from tests.fixtures.kpi_marts import PASSED, PUBLISHED_AT, build_dataset, load_kpi_marts
from tests.report.browsing import (
    ARTIFACTS,
    RED_BG,
    background,
    chart_specs,
    check_links,
    html_files,
    leaving,
    open_site,
    parse,
    reachable,
    shot,
    visible_text,
)

pytestmark = pytest.mark.timeout(300)

JOURNEY_IDS = [j.journey_id for j in JOURNEYS]


# --- no database ------------------------------------------------------------------------------


def test_tools_split_on_semicolons_outside_brackets() -> None:
    assert split_list("ЕСИА; Чат-бот (сайт; ВКонтакте; MAX); база знаний") == [
        "ЕСИА",
        "Чат-бот (сайт; ВКонтакте; MAX)",
        "база знаний",
    ]


def test_effect_verdict_needs_significance_and_the_right_direction() -> None:
    assert effect_verdict(True, Decimal("0.12"), "higher_is_better").text == "эффект подтверждён"
    assert effect_verdict(True, Decimal("-2.5"), "lower_is_better").text == "эффект подтверждён"
    assert effect_verdict(False, Decimal("0.12"), "higher_is_better").text == "эффект не подтверждён"
    assert effect_verdict(True, Decimal("0.05"), "lower_is_better").text == "подтверждено ухудшение"


def test_small_cells_are_one_to_min_cell_minus_one() -> None:
    assert [is_small(n, 5) for n in (None, 0, 1, 4, 5)] == [False, False, True, True, False]


def test_the_journey_version_in_force_is_shown() -> None:
    base = {"journey_id": "j", "client_kind": "citizen", "basis": "task_type", "stage_count": 3}
    rows = [
        {
            **base,
            "journey_name_ru": "старая",
            "version": 1,
            "valid_from": date(2024, 1, 1),
            "valid_to": date(2024, 12, 31),
        },
        {**base, "journey_name_ru": "действующая", "version": 2, "valid_from": date(2025, 1, 1), "valid_to": None},
        {**base, "journey_name_ru": "будущая", "version": 3, "valid_from": date(2026, 1, 1), "valid_to": None},
    ]
    [journey] = current_journeys(rows, date(2025, 12, 1))
    assert journey.name == "действующая"


# --- the site ---------------------------------------------------------------------------------


def test_the_staff_month_is_the_month_the_other_pages_report() -> None:
    """Data to 6 December: the KPI page reports November (December has fewer than two weeks); the
    staff page's month table shows November too, not six days of December of which most cells
    are too few to judge."""
    from include.report.common import Header, Quality
    from include.report.data.kpi import Kpi, KpiRow, Office
    from include.report.data.marts import Marts
    from include.report.pages.kpi import reporting_month
    from include.report.pages.staff import build_staff_page

    kpi = Kpi("agent_occupancy", "Загрузка оператора", "staff", "Сотрудники", 9, "share", "max", None, None,
              Decimal("0.85"), "≤ 85 %", "", "", 1)  # fmt: skip
    november, december = date(2026, 11, 1), date(2026, 12, 1)
    rows = [
        KpiRow("agent_occupancy", None, "", period, start, None, Decimal("0.3"), 40, Decimal("0.85"), "green")
        for period, start in (("all", None), ("month", november), ("month", december))
    ]
    marts = Marts("enskaya", "Энская область", "Asia/Yekaterinburg", {kpi.kpi_id: kpi},
                  [Office("ens-01", "ЦЗН 1", "Asia/Yekaterinburg")], {}, [], [], [], staff_rows=rows)  # fmt: skip
    header = Header("Энская область", "", "", Quality("passed", ""))
    reported = reporting_month([december, november], date(2026, 12, 6))
    assert reported == november
    page = build_staff_page(marts, header, 5, f"{reported:%Y-%m}")
    assert [t.title for t in page.tables] == ["За весь период данных", "За ноябрь 2026"]
    # without a reporting month (no KPI page data): the latest month
    assert build_staff_page(marts, header, 5).tables[-1].title == "За декабрь 2026"


@pytest.fixture(scope="module")
def dsn(module_db: str) -> str:
    load_kpi_marts(module_db, build_dataset())
    load_journey_marts(module_db, published_at=PUBLISHED_AT)
    return module_db


@pytest.fixture(scope="module")
def site(dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("journeys") / "site"
    index = render_site(dsn, out, published_at=PUBLISHED_AT, quality=PASSED)
    assert index == out / "index.html"
    return out


def query(dsn: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql).fetchall()


def test_every_page_is_written_and_links_resolve(site: Path) -> None:
    expected = {
        "index.html", "kpi.html", "journeys/index.html", "staff.html", "modelling.html",
        *(f"journeys/{j}.html" for j in JOURNEY_IDS),
    }  # fmt: skip
    assert {str(p.relative_to(site)) for p in html_files(site)} == expected
    pages = check_links(site)
    assert reachable(site / "index.html") == {p.resolve() for p in pages}, "a page cannot be reached from the overview"
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>") and '<html lang="ru">' in html
        assert "://" not in "".join(parse(path).links)
    # the superseded version of a journey map is not shown
    assert "редакция 2024" not in "".join(p.read_text(encoding="utf-8") for p in pages)
    assert [p.name for p in site.parent.iterdir()] == ["site"], "temporary folders left next to the site"


def test_suppressed_values_never_reach_the_site(site: Path) -> None:
    everything = "".join(p.read_text(encoding="utf-8") for p in html_files(site))
    for text, why in SUPPRESSED_TEXTS:
        assert text not in everything, why
    assert 'data-value="0.333"' not in everything and 'data-value="0.4444"' not in everything
    # chart data: the employers' last stage (3 clients) and the split of the stage before it
    # (3 went on, 37 dropped) are not in the funnel; nor are the days measured on those 3
    vacancy = chart_specs(site / "journeys" / "vacancy_posting.html")
    funnel = vacancy["funnel-vacancy_posting"]
    values = {v for trace in funnel["data"] for v in trace["y"] if v is not None}
    assert values == {71, 25, 40, 31}  # registration 71 on + 25 off, posting 40 + 31, selection 40 unsplit
    assert not any(str(t) in ("3", "37") for trace in funnel["data"] for t in trace["text"])
    times = vacancy["time-vacancy_posting"]
    assert all(v is None for trace in times["data"] for v in trace["y"][2:])  # selection: 3 clients got through
    # the sparkline of the journey list leaves the 3-client stage out
    journeys = (site / "journeys" / "index.html").read_text(encoding="utf-8")
    assert "Клиентов по стадиям: 96 → 71 → 40 → —" in journeys


@pytest.mark.browser
def test_overview_shows_pain_points_effects_and_freshness(browser: Any, site: Path, dsn: str) -> None:
    with open_site(browser, site / "index.html", wait_for_chart=False) as opened:
        page = opened.page
        assert visible_text(page.locator("h1")) == "Клиентский опыт: Энская область"
        assert [visible_text(a) for a in page.locator(".site-nav a").all()] == [
            "Обзор",
            "Показатели",
            "Маршруты клиентов",
            "Сотрудники",
            "Моделирование мер",
        ]
        assert page.locator(".tile").count() >= 9 and page.locator(".tile svg.sparkline").count() >= 9
        highlights = [visible_text(a) for a in page.locator(".highlights a").all()]
        assert highlights[1:] == [
            "Болевые точки\n12 болевых точек, быстрых побед: 2",
            "Меры по улучшению\nэффект подтверждён: 1 из 3",
            "Данные\nотстают: Чат-бот",
        ]
        assert highlights[0].startswith("Показатели\nне выполнен норматив: ")

        rows = page.locator("#pain-table tbody tr.pain-row")
        ranks = [int(r.get_attribute("data-pain-rank")) for r in rows.all()]
        ids = [r.get_attribute("data-pain-point") for r in rows.all()]
        assert ids == [r[0] for r in query(dsn, "select pain_point_id from marts.pain_points order by rank")]
        assert ranks == list(range(1, len(PAINS) + 1))
        top = page.locator("#pain-table tr.pain-top")
        assert [int(r.get_attribute("data-pain-rank")) for r in top.all()] == list(range(1, 11))
        quick = {r[0] for r in query(dsn, "select pain_point_id from marts.pain_points where is_quick_win")}
        for row in rows.all():
            marked = "быстрая победа" in visible_text(row)
            assert marked == (row.get_attribute("data-pain-point") in quick), row.get_attribute("data-pain-point")
        first = page.locator('#pain-table tr[data-pain-rank="1"]')
        assert (first.get_attribute("data-value"), first.get_attribute("data-gap")) == ("0.642", "0.2867")
        assert "Отдел организации приёма ЦЗН" in visible_text(first)
        assert "64,2 % / ≥ 90 %" in visible_text(first) and "на 29 %" in visible_text(first)
        assert first.locator("a").get_attribute("href") == "journeys/unemployment_registration.html#stage-application"
        assert page.locator('#pain-table tr[data-pain-rank="2"] a').get_attribute("href") == "kpi.html#calls"

        # filters: employers see their journey's pain points and those not tied to any client group
        page.select_option('select[data-filter="client-groups"]', "employer")
        shown = [r.get_attribute("data-pain-point") for r in rows.all() if r.is_visible()]
        assert shown == [
            "pp-time-selection",
            "pp-csat-registration",
            "pp-fcr-ens01",
            "pp-walkin-ens01",
            "pp-abandon-ens01",
        ]
        assert "Показано 5 из 12" in visible_text(page.locator("[data-filter-count]"))
        page.select_option('select[data-filter="client-groups"]', "")
        page.select_option('select[data-filter="office"]', "ens-01")
        offices = {r.get_attribute("data-office") for r in rows.all() if r.is_visible()}
        assert offices == {"ens-01", "region"}
        page.select_option('select[data-filter="office"]', "")

        confirmed = page.locator('tr.effect-row[data-measure="m-prebook"]')
        assert confirmed.get_attribute("data-effect") == "confirmed"
        text = visible_text(confirmed)
        assert "эффект подтверждён" in text and "61,0 %" in text and "74,0 %" in text
        assert "+12,0 п. п." in text and "от +6,0 до +18,0 п. п." in text and "+1,0 п. п." in text
        unconfirmed = page.locator('tr.effect-row[data-measure="m-script"]')
        assert "эффект не подтверждён" in visible_text(unconfirmed)
        assert "нет сравнимых ЦЗН" in visible_text(unconfirmed)
        hidden = page.locator('tr.effect-row[data-measure="m-signs"] .fig-suppressed').first
        assert visible_text(hidden) == "—" and hidden.get_attribute("title") == "мало наблюдений"

        stale = page.locator('.freshness-table tr[data-source="chatbot"]')
        assert stale.get_attribute("data-status") == "red"
        assert background(stale.locator(".chip")) == RED_BG
        assert "не обновлялись 11 дн." in visible_text(stale)
        assert "Проверки качества пройдены (42)" in visible_text(page.locator("#data"))

        assert opened.errors == [] and leaving(opened.requests) == []
        shot(page, "overview.png", full_page=True)
        shot(page.locator("#pains"), "overview-pain-points.png")


@pytest.mark.browser
def test_journey_map_has_a_column_per_stage_and_no_empty_cell(browser: Any, site: Path, dsn: str) -> None:
    with open_site(browser, site / "journeys" / "unemployment_registration.html") as opened:
        page = opened.page
        assert visible_text(page.locator("h1")) == "Регистрация в качестве безработного и назначение пособия"
        stages = [
            r[0]
            for r in query(
                dsn,
                "select stage_id from marts.journey_map where journey_id = 'unemployment_registration' order by stage_order",
            )
        ]
        heads = page.locator("table.cjm thead th.cjm-stage")
        assert [h.get_attribute("data-stage") for h in heads.all()] == stages
        orders = [int(h.get_attribute("data-stage-order")) for h in heads.all()]
        assert orders == sorted(orders)
        assert [visible_text(h) for h in page.locator("table.cjm tbody th").all()] == [title for _, title in ROWS]
        for row in page.locator("table.cjm tbody tr").all():
            assert [c.get_attribute("data-stage") for c in row.locator("td").all()] == stages
        empty = page.evaluate(
            "() => [...document.querySelectorAll('table.cjm td')].filter(td => !td.innerText.trim()).length"
        )
        assert empty == 0
        missing = page.evaluate(
            """() => [...document.querySelectorAll('[class*="status-"]')]
                .filter(el => !(el.dataset.kpi && el.dataset.office && el.dataset.status && el.dataset.journey))
                .map(el => el.outerHTML.slice(0, 120))"""
        )
        assert missing == []
        lead = visible_text(page.locator("#map .lead"))
        assert "Выбывшим считается клиент, у которого за 30 дней не было ни перехода на следующую стадию" in lead

        outside = page.locator('th.cjm-stage[data-stage="need"]')
        assert outside.get_attribute("data-inside-czn") == "false"
        assert "вне ЦЗН" in visible_text(outside)
        assert "repeating-linear-gradient" in outside.evaluate("el => getComputedStyle(el).backgroundImage")
        inside = page.locator('th.cjm-stage[data-stage="application"]')
        assert inside.evaluate("el => getComputedStyle(el).backgroundImage") == "none"

        red = page.locator('.cjm-kpi[data-kpi="office_wait_walkin"][data-stage="application"]')
        assert red.get_attribute("data-status") == "red" and red.get_attribute("data-value") == "0.642"
        assert red.get_attribute("data-journey") == "unemployment_registration"
        assert background(red) == RED_BG
        assert "64,2 % / ≥ 90 %" in visible_text(red)

        pain = page.locator('td[data-row="pains"][data-stage="application"] [data-pain-rank="1"]')
        assert "№ 1" in visible_text(pain)
        assert pain.locator("a").get_attribute("href") == "../index.html#pain-pp-walkin-ens02"
        quick = page.locator('td[data-row="pains"][data-stage="information"] [data-pain-point="pp-sl-info"]')
        assert "быстрая победа" in visible_text(quick)
        measures = visible_text(page.locator('td[data-row="measures"][data-stage="application"]'))
        assert "Предварительная запись через портал" in measures and "эффект подтверждён" in measures
        feedback = visible_text(page.locator('td[data-row="feedback"][data-stage="application"]'))
        assert "Долгая очередь в центре занятости: 63" in feedback and "«Прождал в очереди почти час»" in feedback
        assert "Неудобная парковка: —" in feedback  # 2 mentions: hidden
        assert "Отвечает: Отдел организации приёма ЦЗН" in visible_text(
            page.locator('td[data-row="touchpoints"][data-stage="application"]')
        )

        page.wait_for_function(
            "() => ['funnel-unemployment_registration', 'time-unemployment_registration']"
            ".every(id => document.querySelector('#' + id + ' svg.main-svg'))"
        )
        legend = page.locator("#funnel-unemployment_registration .legendtext").evaluate_all(
            "nodes => nodes.map(n => n.textContent)"
        )
        assert "Выбыли на этой стадии" in legend and "Перешли на следующую стадию" in legend
        assert opened.errors == [] and leaving(opened.requests) == []
        shot(page, "journey-map.png", full_page=True)
        shot(page.locator("#funnel"), "journey-funnel.png")


@pytest.mark.browser
def test_journey_map_hides_small_cells(browser: Any, site: Path) -> None:
    with open_site(browser, site / "journeys" / "vacancy_posting.html") as opened:
        page = opened.page
        hidden = page.locator('.cjm-kpi[data-kpi="csat"][data-stage="selection"]')
        assert hidden.get_attribute("data-status") == "suppressed" and hidden.get_attribute("data-value") is None
        assert visible_text(hidden.locator(".cjm-kpi-value")) == "—"
        assert hidden.get_attribute("title") == "мало наблюдений"
        last = page.locator('td[data-row="clients"][data-stage="hire"]')
        assert visible_text(last) == "Дошли до стадии: —"
        assert last.locator(".fig-suppressed").get_attribute("title") == "мало наблюдений"
        feedback = visible_text(page.locator('td[data-row="feedback"][data-stage="selection"]'))
        assert "Ответов меньше 5" in feedback and SECRET_QUOTE not in feedback
        empty = page.evaluate(
            "() => [...document.querySelectorAll('table.cjm td')].filter(td => !td.innerText.trim()).length"
        )
        assert empty == 0
        page.wait_for_selector("#funnel-vacancy_posting svg.main-svg")
        notes = page.locator("#funnel-vacancy_posting .annotation-text").evaluate_all(
            "ns => ns.map(n => n.textContent)"
        )
        assert any("мало" in n for n in notes)
        assert opened.errors == [] and leaving(opened.requests) == []
        shot(page, "journey-map-small-cells.png", full_page=True)


@pytest.mark.browser
def test_journey_list_groups_journeys_by_client_kind(browser: Any, site: Path) -> None:
    with open_site(browser, site / "journeys" / "index.html", wait_for_chart=False) as opened:
        page = opened.page
        assert [visible_text(h) for h in page.locator("#journeys h3").all()] == ["Граждане", "Работодатели"]
        for journey in JOURNEYS:
            row = page.locator(f'tr[data-journey="{journey.journey_id}"]')
            assert row.locator("a").get_attribute("href") == f"{journey.journey_id}.html"
            assert str(len(journey.stages)) in visible_text(row)
            assert row.locator("svg.funnel-spark rect").count() == len(journey.stages)
        registration = visible_text(page.locator('tr[data-journey="unemployment_registration"]'))
        assert "2 400" in registration and "Вид услуги: Регистрация в качестве безработного и пособие" in registration
        large = page.locator('tr[data-client-group="large_employer"]')
        assert visible_text(large.locator("td").first) == "—"
        assert "75,0" not in visible_text(large)
        assert opened.errors == [] and leaving(opened.requests) == []
        shot(page, "journeys.png", full_page=True)


@pytest.mark.browser
def test_laptop_layout_of_the_new_pages(browser: Any, site: Path) -> None:
    """On a 1366 px laptop no page scrolls sideways (a wide journey map scrolls inside its frame)."""
    for name in ("index.html", "journeys/index.html", *(f"journeys/{j}.html" for j in JOURNEY_IDS)):
        with open_site(browser, site / name, width=1366, height=768, wait_for_chart=False) as opened:
            assert opened.page.evaluate("document.documentElement.scrollWidth") <= 1366, name
            assert opened.errors == []


@pytest.mark.browser
def test_print_layout_of_the_new_pages(browser: Any, site: Path) -> None:
    """A4 landscape with 12 mm margins is about 1030 CSS pixels wide: nothing may be cut off."""
    for name, pdf in (
        ("journeys/unemployment_registration.html", "journey-map.pdf"),
        ("index.html", "overview.pdf"),
    ):
        with open_site(browser, site / name, width=1030, height=730, wait_for_chart=False) as opened:
            page = opened.page
            page.emulate_media(media="print")
            page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
            assert page.locator(".section-nav").is_hidden()
            assert page.locator("select").evaluate_all("els => els.every(e => !e.offsetParent)")
            assert page.evaluate("document.documentElement.scrollWidth") <= 1030, f"{name} is cut off on paper"
            widest = page.evaluate(
                "Math.max(0, ...[...document.querySelectorAll('table')].map(t => t.getBoundingClientRect().right))"
            )
            assert widest <= 1030, f"a table of {name} is cut off on paper"
            shot(page, pdf.replace(".pdf", "-print.png"), full_page=True)
            page.pdf(path=str(ARTIFACTS / pdf), prefer_css_page_size=True, print_background=True)
            assert opened.errors == []


def copy_schema(conn: psycopg.Connection[Any], name: str) -> None:
    """A copy of ``marts`` without its keys, to change for one test."""
    tables = conn.execute("select table_name from information_schema.tables where table_schema = 'marts'").fetchall()
    conn.execute(f"drop schema if exists {name} cascade")
    conn.execute(f"create schema {name}")
    for (table,) in tables:
        conn.execute(f"create table {name}.{table} (like marts.{table} including defaults)")
        conn.execute(f"insert into {name}.{table} select * from marts.{table}")


def test_journey_without_map_rows_says_no_data(dsn: str, tmp_path: Path) -> None:
    """A journey configured in the seeds whose events have not arrived yet: its map still fills."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        copy_schema(conn, "no_map")
        conn.execute("delete from no_map.journey_map where journey_id = 'job_search'")
        conn.execute("delete from no_map.fct_stage_funnel where journey_id = 'job_search'")
    try:
        index = render_site(dsn, tmp_path / "site", schema="no_map", published_at=PUBLISHED_AT)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("drop schema no_map cascade")
    html = (index.parent / "journeys" / "job_search.html").read_text(encoding="utf-8")
    cells = re.findall(r'<td class="cjm-cell[^"]*"[^>]*>(.*?)</td>', html, flags=re.S)
    texts = [re.sub(r"<[^>]+>", " ", c).split() for c in cells]
    assert len(cells) == len(JOURNEYS[1].stages) * len(ROWS)
    assert all(texts), "an empty cell on the journey map"
    goals = [" ".join(t) for t in texts[: len(JOURNEYS[1].stages)]]
    assert goals == [s.goal for s in JOURNEYS[1].stages]  # the stage dimension still gives the goals
    # the pain-point mart still ranks two of its stages: they stay on the map
    assert 'data-pain-rank="3" data-kpi="stage_conversion" data-journey="job_search" data-stage="portal_search"' in html
    assert 'data-pain-rank="6" data-kpi="stage_conversion" data-journey="job_search" data-stage="response"' in html
    assert sum(" ".join(t) == "нет данных" for t in texts) == len(JOURNEYS[1].stages) * (len(ROWS) - 1) - 2
    assert "Нет данных: воронка этого маршрута ещё не рассчитана." in html


# --- several regions ----------------------------------------------------------------------------

REGIONAL = (
    "dim_journeys",
    "dim_journey_stages",
    "journey_map",
    "fct_stage_funnel",
    "pain_points",
    "client_group_profiles",
)


@pytest.fixture(scope="module")
def two_regions(dsn: str) -> Iterator[str]:
    """``multi`` schema: the Энская область plus a second region with one journey of its own.

    The journey marts carry ``region_id`` here, as proposed to the lead for several regions.
    """
    with psycopg.connect(dsn, autocommit=True) as conn:
        copy_schema(conn, "multi")
        for table in REGIONAL:
            conn.execute(f"alter table multi.{table} add column region_id text not null default 'enskaya'")
        conn.execute(
            "insert into multi.dim_offices values ('sev-01', 'severskaya', 'Северская область',"
            " 'ЦЗН г. Северска', 'Europe/Moscow')"
        )
        conn.execute(  # the second region's KPIs: a copy of one office and of the region totals
            "insert into multi.fct_touchpoint_kpis select 'sev|' || kpi_row_id, kpi_id, 'severskaya',"
            " case when office_id is null then null else 'sev-01' end, touchpoint_id, period_grain, period_start,"
            " numerator, denominator, value, sample_size, norm_value, status from marts.fct_touchpoint_kpis"
            " where office_id = 'ens-02' or office_id is null"
        )
        for table in ("dim_journeys", "dim_journey_stages", "journey_map", "fct_stage_funnel"):
            columns = ", ".join(
                "'severskaya'" if c == "region_id" else c
                for (c,) in conn.execute(
                    "select column_name from information_schema.columns where table_schema = 'multi'"
                    " and table_name = %s order by ordinal_position",
                    (table,),
                ).fetchall()
            )
            conn.execute(
                f"insert into multi.{table} select {columns} from multi.{table} where journey_id = 'job_search'"
            )
        conn.execute(
            "update multi.dim_journeys set journey_name_ru = 'Поиск работы (Северская область)' where region_id = 'severskaya'"
        )
        conn.execute(
            "insert into multi.fct_data_freshness select source, 'severskaya', last_loaded_at, last_data_date,"
            " batches, rows_loaded, rows_rejected, rejected_share from marts.fct_data_freshness"
        )
    yield dsn
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("drop schema multi cascade")


@pytest.mark.browser
def test_one_site_per_region(browser: Any, two_regions: str, tmp_path: Path) -> None:
    out = tmp_path / "site"
    index = render_site(two_regions, out, schema="multi", published_at=PUBLISHED_AT, quality=PASSED)
    assert index == out / "index.html"
    ens = {str(p.relative_to(out / "enskaya")) for p in html_files(out / "enskaya")}
    sev = {str(p.relative_to(out / "severskaya")) for p in html_files(out / "severskaya")}
    assert ens == {
        "index.html", "kpi.html", "journeys/index.html", "staff.html", "modelling.html",
        *(f"journeys/{j}.html" for j in JOURNEY_IDS),
    }  # fmt: skip
    assert sev == {
        "index.html", "kpi.html", "journeys/index.html", "staff.html", "modelling.html", "journeys/job_search.html"
    }  # fmt: skip
    pages = check_links(out)
    assert reachable(index) == {p.resolve() for p in pages}
    assert (out / "severskaya" / "assets" / "plotly.min.js").stat().st_ino == (
        out / "enskaya" / "assets" / "plotly.min.js"
    ).stat().st_ino, "Plotly is stored once and hard-linked into every region"
    severskaya = (out / "severskaya" / "journeys" / "index.html").read_text(encoding="utf-8")
    assert "Поиск работы (Северская область)" in severskaya and "Регистрация в качестве безработного" not in severskaya
    overview = (out / "severskaya" / "index.html").read_text(encoding="utf-8")
    assert "pp-walkin-ens02" not in overview and 'data-measure="m-prebook"' not in overview
    assert 'data-kpi="office_wait_walkin" data-touchpoint="office_queue" data-office="region"' in overview

    with open_site(browser, index, wait_for_chart=False) as opened:
        page = opened.page
        assert [visible_text(a) for a in page.locator(".region-list a").all()] == [
            "Северская область",
            "Энская область",
        ]
        page.click("text=Северская область")
        page.wait_for_load_state("load")
        assert visible_text(page.locator("h1")) == "Клиентский опыт: Северская область"
        assert page.locator(".site-nav a", has_text="Все регионы").get_attribute("href") == "../index.html"
        assert opened.errors == [] and leaving(opened.requests) == []
        shot(page, "region-overview.png", full_page=True)
        page.goto(index.as_uri())
        shot(page, "regions.png", full_page=True)

    flat = render_site(two_regions, tmp_path / "one", schema="multi", region_id="severskaya", published_at=PUBLISHED_AT)
    assert (flat.parent / "journeys" / "job_search.html").is_file() and not (flat.parent / "severskaya").exists()
