"""End-to-end tests of the Russian KPI site: real PostgreSQL, real Chromium, no mocks.

A fresh database gets the ``marts`` tables of the published contract with a small dataset
(two offices, two months) that plants one red, one amber, one green and one suppressed cell.
The site is rendered into a temporary folder and opened from ``file://`` in headless Chromium;
screenshots go to ``test-artifacts/report/``.
"""

from __future__ import annotations

import csv
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
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

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEEDS = PROJECT_ROOT / "dbt" / "seeds"
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "report"
pytestmark = pytest.mark.timeout(300)

PUBLISHED_AT = datetime(2025, 12, 1, 4, 30, tzinfo=UTC)
PASSED = {"status": "passed", "checks": 42, "failed": 0}
RED_BG, AMBER_BG, GREEN_BG = (
    "rgb(255, 205, 210)",
    "rgb(255, 224, 178)",
    "rgb(200, 230, 201)",
)

OFFICES = ("ens-01", "ens-02")
MONTHS = (date(2025, 10, 1), date(2025, 11, 1))
# kpi_id -> (touchpoint_id, typical value)
KPIS: dict[str, tuple[str, float]] = {
    "office_wait_walkin": ("office_queue", 0.93),
    "office_wait_walkin_median": ("office_queue", 9.4),
    "office_wait_prebooked": ("office_queue", 0.95),
    "office_service_time": ("office_window", 0.91),
    "office_service_time_median": ("office_window", 11.2),
    "call_service_level": ("call_centre_operator", 0.82),
    "call_service_level_20s": ("call_centre_operator", 0.64),
    "call_abandon_rate": ("call_centre_operator", 0.07),
    "call_asa": ("call_centre_operator", 44.0),
}
# Planted month cells: (kpi, office, month) -> (value, sample_size)
PLANTED_MONTH = {
    ("office_wait_walkin", "ens-02", MONTHS[1]): (0.642, 412),  # red
    ("office_wait_walkin", "ens-01", MONTHS[1]): (0.853, 655),  # amber
    ("office_wait_prebooked", "ens-01", MONTHS[1]): (0.957, 188),  # green
    ("office_wait_prebooked", "ens-02", MONTHS[1]): (
        0.333,
        3,
    ),  # suppressed (red in the mart)
    ("call_abandon_rate", "ens-02", MONTHS[1]): (0.183, 1290),  # red queue
    ("office_wait_walkin", "ens-02", MONTHS[0]): (0.912, 398),  # green in October
}
# Planted profile cells: (kpi, office, profile, bucket) -> (value, sample_size)
PLANTED_PROFILE = {
    ("office_wait_walkin", "ens-02", "weekday", 1): (0.41, 160),  # long Monday queues
    ("call_service_level", "ens-02", "hour", 9): (0.52, 240),  # morning peak
    ("call_service_level", "ens-01", "hour", 19): (0.5, 2),  # suppressed
}


# --- formatting (no database, no browser) ----------------------------------------------------


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

DDL = """
create schema marts;
create table marts.dim_kpis (
    kpi_id text primary key, kpi_name_ru text not null, expectation_group text not null,
    expectation_group_name_ru text not null, expectation_group_order int not null,
    unit text not null, direction text not null, threshold_value numeric, threshold_unit text,
    norm_value numeric not null, amber_band numeric not null, norm_label text,
    norm_source_ru text, formula_ru text);
create table marts.dim_offices (
    office_id text primary key, region_id text not null, region_name_ru text not null,
    office_name_ru text not null, timezone text not null);
create table marts.dim_touchpoints (
    touchpoint_id text primary key, channel text not null, touchpoint_name_ru text not null,
    responsible_unit_ru text, tools_ru text);
create table marts.dim_call_queues (
    region_id text not null, queue_name text primary key, office_id text not null,
    touchpoint_id text not null, queue_name_ru text not null);
create table marts.fct_touchpoint_kpis (
    kpi_row_id text primary key, kpi_id text not null, region_id text not null, office_id text,
    touchpoint_id text not null, period_grain text not null, period_start date not null,
    numerator numeric, denominator numeric, value numeric, sample_size int not null,
    norm_value numeric not null, status text not null);
create table marts.fct_kpi_profiles (
    kpi_row_id text primary key, kpi_id text not null, region_id text not null, office_id text,
    touchpoint_id text not null, profile text not null, bucket int not null,
    numerator numeric, denominator numeric, value numeric, sample_size int not null,
    norm_value numeric not null, status text not null);
"""


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass
class Dataset:
    kpis: dict[str, dict[str, str]]
    facts: list[tuple[Any, ...]] = field(default_factory=list)
    profiles: list[tuple[Any, ...]] = field(default_factory=list)

    def status(self, kpi_id: str, value: float) -> str:
        kpi = self.kpis[kpi_id]
        norm, band = float(kpi["norm_value"]), float(kpi["amber_band"])
        if kpi["direction"] == "higher_is_better":
            return "green" if value >= norm else "amber" if value >= norm * (1 - band) else "red"
        return "green" if value <= norm else "amber" if value <= norm * (1 + band) else "red"

    def _row(self, kpi_id: str, value: float, size: int) -> tuple[Any, ...]:
        share = self.kpis[kpi_id]["unit"] == "share"
        numerator = round(value * size) if share else None
        denominator = size if share else None
        norm = self.kpis[kpi_id]["norm_value"]
        return (
            numerator,
            denominator,
            round(value, 4),
            size,
            norm,
            self.status(kpi_id, value),
        )

    def fact(
        self,
        kpi_id: str,
        office: str | None,
        grain: str,
        start: date,
        value: float,
        size: int,
    ) -> None:
        row_id = f"{kpi_id}|{office or 'region'}|{grain}|{start.isoformat()}"
        touchpoint = KPIS[kpi_id][0]
        self.facts.append(
            (row_id, kpi_id, "enskaya", office, touchpoint, grain, start, *self._row(kpi_id, value, size))
        )

    def add_region_rows(self) -> None:
        """Region rows (office_id NULL) consistent with the office rows."""
        for (kpi_id, grain, start), (value, size) in _region_totals(self.facts).items():
            self.fact(kpi_id, None, grain, start, value, size)
        for (kpi_id, profile, bucket), (value, size) in _region_totals(self.profiles).items():
            self.profile(kpi_id, None, profile, bucket, value, size)

    def profile(
        self,
        kpi_id: str,
        office: str | None,
        profile: str,
        bucket: int,
        value: float,
        size: int,
    ) -> None:
        row_id = f"{kpi_id}|{office or 'region'}|{profile}|{bucket}"
        touchpoint = KPIS[kpi_id][0]
        self.profiles.append(
            (row_id, kpi_id, "enskaya", office, touchpoint, profile, bucket, *self._row(kpi_id, value, size))
        )


def _region_totals(rows: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], tuple[float, int]]:
    """Observation-weighted mean and total observations of the office rows, per KPI and period."""
    sums: dict[tuple[Any, ...], list[float]] = {}
    for row in rows:
        key = (row[1], *row[5:7])  # kpi_id, grain/profile, start/bucket
        total = sums.setdefault(key, [0.0, 0])
        total[0] += float(row[9]) * row[10]
        total[1] += row[10]
    return {key: (weighted / size, int(size)) for key, (weighted, size) in sums.items()}


def _wiggle(rng: random.Random, kpi_id: str, base: float) -> float:
    """A noisy value around ``base``; shares stay within 0–100 %."""
    if KPIS[kpi_id][0] != "call_centre_operator" and base < 1:
        return min(0.999, max(0.3, base + rng.uniform(-0.04, 0.04)))
    value = max(0.0, base * (1 + rng.uniform(-0.12, 0.12)))
    return min(value, 0.999) if base < 1 else value


def _profiles(is_call: bool) -> list[tuple[str, range]]:
    """Like the dbt marts: every KPI by weekday and by hour (offices closed at weekends)."""
    if is_call:
        return [("hour", range(8, 20)), ("weekday", range(1, 8))]
    return [("weekday", range(1, 6)), ("hour", range(9, 18))]


def build_dataset() -> Dataset:
    """Two offices and two months of realistic KPI rows with the planted cells."""
    rng = random.Random(20251130)
    data = Dataset(kpis={k["kpi_id"]: k for k in _seed("kpi_definitions")})
    days = [MONTHS[0] + timedelta(days=i) for i in range(61)]
    for kpi_id, (touchpoint, base) in KPIS.items():
        is_call = touchpoint == "call_centre_operator"
        for office in OFFICES:
            for month in MONTHS:
                value, size = PLANTED_MONTH.get(
                    (kpi_id, office, month),
                    (_wiggle(rng, kpi_id, base), rng.randint(300, 1500)),
                )
                data.fact(kpi_id, office, "month", month, value, size)
                for day in (d for d in days if d.replace(day=1) == month):
                    if not is_call and day.isoweekday() > 5:
                        continue
                    # about 1/20 of the month per day; a 3-observation month has 1 per day
                    daily_size = max(1, size // 20 + rng.randint(-3, 3))
                    if (office, day) == ("ens-02", date(2025, 11, 14)):
                        daily_size = 2  # one suppressed day: a gap in the chart
                    data.fact(
                        kpi_id,
                        office,
                        "day",
                        day,
                        _wiggle(rng, kpi_id, value),
                        daily_size,
                    )
            for profile, buckets in _profiles(is_call):
                for bucket in buckets:
                    value, size = PLANTED_PROFILE.get(
                        (kpi_id, office, profile, bucket),
                        (_wiggle(rng, kpi_id, base), rng.randint(60, 400)),
                    )
                    data.profile(kpi_id, office, profile, bucket, value, size)
    data.add_region_rows()
    return data


def _load(dsn: str, data: Dataset) -> None:
    groups = {g["expectation_group"]: g for g in _seed("expectation_groups")}
    offices = [o for o in _seed("offices") if o["office_id"] in OFFICES]
    queues = [q for q in _seed("call_queues") if q["office_id"] in OFFICES]

    def blank(value: str) -> str | None:
        return value or None

    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(DDL)
        cur.executemany(
            "insert into marts.dim_kpis values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    k["kpi_id"],
                    k["kpi_name_ru"],
                    k["expectation_group"],
                    groups[k["expectation_group"]]["expectation_group_name_ru"],
                    int(groups[k["expectation_group"]]["sort_order"]),
                    k["unit"],
                    k["direction"],
                    blank(k["threshold_value"]),
                    blank(k["threshold_unit"]),
                    k["norm_value"],
                    k["amber_band"],
                    k["norm_label"],
                    k["norm_source_ru"],
                    k["formula_ru"],
                )
                for k in data.kpis.values()
            ],
        )
        cur.executemany(
            "insert into marts.dim_offices values (%s, %s, %s, %s, %s)",
            [
                (
                    o["office_id"],
                    o["region_id"],
                    "Энская область",
                    o["office_name_ru"],
                    o["timezone"],
                )
                for o in offices
            ],
        )
        cur.executemany(
            "insert into marts.dim_touchpoints values (%s, %s, %s, %s, %s)",
            [tuple(t.values()) for t in _seed("touchpoints")],
        )
        cur.executemany(
            "insert into marts.dim_call_queues values (%s, %s, %s, %s, %s)",
            [tuple(q.values()) for q in queues],
        )
        placeholders = ", ".join(["%s"] * 13)
        cur.executemany(f"insert into marts.fct_touchpoint_kpis values ({placeholders})", data.facts)
        cur.executemany(f"insert into marts.fct_kpi_profiles values ({placeholders})", data.profiles)


@pytest.fixture(scope="module")
def dsn(module_db: str) -> str:
    """A fresh database with the marts contract and the planted dataset (dropped by module_db)."""
    _load(module_db, build_dataset())
    return module_db


@pytest.fixture(scope="module")
def site(dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "site"
    index = render_site(dsn, out, published_at=PUBLISHED_AT, quality=PASSED)
    assert index == out / "index.html"
    return out


# --- the browser -----------------------------------------------------------------------------


@dataclass
class Opened:
    page: Any
    errors: list[str]
    requests: list[str]


@contextmanager
def open_site(
    browser: Any, index: Path, *, width: int = 1440, height: int = 900, wait_for_chart: bool = True
) -> Iterator[Opened]:
    """Open the page from file:// recording console errors and every request."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="ru-RU")
    page = context.new_page()
    opened = Opened(page, [], [])
    page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: opened.errors.append(str(e)))
    page.on("requestfailed", lambda r: opened.errors.append(f"failed: {r.url}"))
    page.on("request", lambda r: opened.requests.append(r.url))
    page.goto(index.as_uri(), wait_until="load")
    if wait_for_chart:
        page.wait_for_selector("svg.main-svg", timeout=20_000)
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture
def opened(browser: Any, site: Path) -> Iterator[Opened]:
    with open_site(browser, site / "index.html") as page:
        yield page


def shot(target: Any, name: str, **kwargs: Any) -> Path:
    """Screenshot of a page or an element into test-artifacts/report/ (look at them)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    if not hasattr(target, "goto"):  # an element: keep the sticky menu from covering it
        target.page.add_style_tag(content=".section-nav { position: static !important; }")
    target.screenshot(path=str(path), **kwargs)
    return path


def cell(page: Any, kpi: str, office: str, *, tag: str = "td", **attrs: str) -> Any:
    """The one element of a KPI value located by its data attributes."""
    selector = f'{tag}[data-kpi="{kpi}"][data-office="{office}"]'
    selector += "".join(f'[data-{key}="{value}"]' for key, value in attrs.items())
    locator = page.locator(selector)
    assert locator.count() == 1, selector
    return locator


def background(locator: Any) -> str:
    return str(locator.evaluate("el => getComputedStyle(el).backgroundColor"))


def visible_text(locator: Any) -> str:
    return str(locator.inner_text()).replace("\u00a0", " ").replace("\u2009", " ").strip()


# --- tests -----------------------------------------------------------------------------------


def test_site_is_self_contained(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
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


@pytest.mark.browser
def test_page_shows_planted_cells(opened: Opened) -> None:
    page = opened.page
    assert page.evaluate("document.documentElement.lang") == "ru"
    assert visible_text(page.locator("h1")) == "Клиентский опыт: Энская область"
    headings = [visible_text(h) for h in page.locator("h2").all()]
    for expected in (
        "Центры занятости",
        "Контакт-центр",
        "Динамика",
        "Когда возникают проблемы",
    ):
        assert expected in headings
    assert any(h.startswith("Показатели за ноябрь 2025") for h in headings)
    groups = [visible_text(h) for h in page.locator("#kpi h3").all()]
    assert groups == ["Минимизация усилий"]
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

    # every coloured element carries the attributes the end-to-end tests rely on
    missing = page.evaluate(
        """() => [...document.querySelectorAll('[class*="status-"]')]
            .filter(el => !(el.dataset.kpi && el.dataset.office && el.dataset.status))
            .map(el => el.outerHTML.slice(0, 120))"""
    )
    assert missing == []
    # only KPIs that have rows are drawn (the chatbot has no data yet)
    kpis = set(page.evaluate("() => [...document.querySelectorAll('[data-kpi]')].map(e => e.dataset.kpi)"))
    assert kpis == set(KPIS)

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
    assert charts.count() == len(KPIS)
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
    with open_site(browser, site / "index.html", width=1366, height=768) as opened:
        page = opened.page
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1366, "page scrolls sideways on a laptop"
        shot(page, "kpi-page-laptop.png", full_page=True)
        shot(page, "kpi-page-laptop-top.png")
        assert opened.errors == []


@pytest.mark.browser
def test_print_layout(browser: Any, site: Path) -> None:
    """A4 landscape with 12 mm margins is about 1030 CSS pixels wide."""
    with open_site(browser, site / "index.html", width=1030, height=730) as opened:
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
    with open_site(browser, index) as opened:
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
    html = (out / "index.html").read_text(encoding="utf-8")
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
    assert conninfo_to_dict(dsn)["dbname"].startswith("cjw_test_")
