"""The overview page: KPI tiles, the pain-point ranking, effects of measures, data freshness."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from include.report.common import (
    DASH,
    HIDDEN,
    MISSING,
    NO_DATA,
    Figure,
    Header,
    TilesPage,
    Verdict,
    count_figure,
    gap_percent,
    is_small,
    journey_href,
    kpi_href,
    office_name,
    pain_anchor,
    source_name,
    verdict_of,
)
from include.report.data.effects import Action, Effect, Freshness
from include.report.data.marts import Marts
from include.report.formatting import (
    NBSP,
    date_label,
    datetime_label,
    format_count,
    format_delta,
    format_norm,
    format_range,
    format_value,
    plural,
    raw_number,
)
from include.report.labels import COST_TEXTS

TOP_PAINS = 10
# data older than this many days on the publication date is late (amber) / stale (red)
LATE_DAYS, STALE_DAYS = 2, 7
# share of rejected rows that deserves a look (amber) / a fix (red)
REJECTED_AMBER, REJECTED_RED = Decimal("0.01"), Decimal("0.05")


@dataclass(frozen=True)
class PainRow:
    rank: int
    anchor: str
    top: bool
    kpi_name: str
    place: str  # «Маршрут «…», стадия «…»» or "" (a touchpoint outside the journey maps)
    place_href: str  # relative to the site root
    link_text: str
    touchpoint: str
    office: str
    value: Figure
    norm_text: str
    gap_text: str
    clients: Figure
    responsible: str
    quick_win: bool
    action: str  # «Что можно сделать»: the instrument suggested first and what it would do
    attrs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class EffectRow:
    name: str
    office: str
    touchpoint: str
    since: str
    kpi_name: str
    before: Figure
    after: Figure
    change: Figure
    change_range: str
    control: Figure
    did: Figure
    did_range: str
    verdict: Verdict
    attrs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FreshnessRow:
    source: str
    source_name: str
    last_data: str
    last_loaded: str
    batches: str
    rows_loaded: str
    rejected: str
    rejected_status: str
    status: str  # green | amber | red | no_data
    status_text: str


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Highlight:
    """One card of the «Главное» strip at the top of the overview."""

    anchor: str
    title: str
    text: str
    status: str  # green | amber | red | no_data


@dataclass(frozen=True)
class OverviewPage:
    header: Header
    highlights: list[Highlight]
    tiles: TilesPage  # the KPI page: its tiles are shown again on the overview
    pains: list[PainRow]
    group_options: list[Option]
    office_options: list[Option]
    effects: list[EffectRow]
    freshness: list[FreshnessRow]
    missing_tables: tuple[str, ...]
    min_cell: int
    sections: list[tuple[str, str]]


# --- pain points -----------------------------------------------------------------------------


def _pain_groups(marts: Marts) -> dict[str, set[str]]:
    """Client groups a pain point concerns: its journey's target group and the group profiles."""
    targets = {j.journey_id: j.target_group for j in marts.journeys if j.target_group}
    groups: dict[str, set[str]] = defaultdict(set)
    for pain in marts.pain_points:
        if pain.journey_id in targets:
            groups[pain.pain_point_id].add(targets[pain.journey_id])
    for profile in marts.group_profiles:
        for pain_id, _, _ in profile.top_pain_points:
            groups[pain_id].add(profile.client_group)
    return groups


def _places(marts: Marts, tiles: set[str]) -> dict[str, tuple[str, str, str]]:
    """(where, link, link text) of every pain point: its journey map stage, else the KPI page
    (``tiles``: the anchors of the KPI page's tiles)."""
    journeys = {j.journey_id: j for j in marts.journeys}
    stage_names = {(s.journey_id, s.stage_id): s.name for s in marts.stages}
    stage_names.update({(r.journey_id, r.stage_id): r.name for r in marts.map_rows})
    places = {}
    for pain in marts.pain_points:
        journey = journeys.get(pain.journey_id or "")
        if journey is None:
            href = kpi_href(marts, pain.kpi_id, pain.touchpoint_id, pain.office_id, tiles)
            places[pain.pain_point_id] = ("", href, "показатель")
            continue
        stage = stage_names.get((journey.journey_id, pain.stage_id or ""))
        place = f"Маршрут «{journey.name}»" + (f", стадия «{stage}»" if stage else "")
        href = journey_href(journey.journey_id, pain.stage_id if stage else None)
        places[pain.pain_point_id] = (place, href, "карта маршрута")
    return places


def action_text(action: Action | None) -> str:
    """«Оператор в часы пик (малые затраты, 14 дн.): по модели закроет разрыв полностью»."""
    if action is None:
        return ""
    terms = ", ".join(
        t
        for t in (
            COST_TEXTS.get(action.cost_class, ""),
            f"{action.lead_time_days} дн." if action.lead_time_days else "",
        )
        if t
    )
    head = f"{action.name} ({terms})" if terms else action.name
    share = action.gap_closed_share
    if action.norm_met_in_model_period:
        return f"{head}: по модели показатель уже в норме за последние 4 недели"
    if share is None:
        return head
    basis = "по модели" if action.basis == "model" else "по оценке каталога"
    closed = "разрыв полностью" if share >= 1 else f"{float(share) * 100:.0f}{NBSP}% разрыва"
    return f"{head}: {basis} закроет {closed}"


def _pain_rows(marts: Marts, kpi_page: TilesPage, min_cell: int) -> list[PainRow]:
    groups = _pain_groups(marts)
    places = _places(marts, {t.anchor for g in kpi_page.tile_groups for t in g.tiles})
    rows = []
    for pain in marts.pain_points:
        place, href, link_text = places[pain.pain_point_id]
        touchpoint = marts.touchpoints.get(pain.touchpoint_id or "")
        hidden = pain.clients_affected is None or is_small(pain.clients_affected, min_cell)
        value = MISSING if pain.value is None else HIDDEN if hidden else Figure(format_value(pain.value, pain.unit))
        responsible = pain.responsible_unit or (touchpoint.responsible_unit if touchpoint else "") or NO_DATA
        attrs = (
            ("data-pain-rank", str(pain.rank)),
            ("data-pain-point", pain.pain_point_id),
            ("data-kpi", pain.kpi_id),
            ("data-journey", pain.journey_id or ""),
            ("data-stage", pain.stage_id or ""),
            ("data-touchpoint", pain.touchpoint_id or ""),
            ("data-office", pain.office_id or "region"),
            ("data-client-groups", " ".join(sorted(groups.get(pain.pain_point_id, set()))) or "all"),
            ("data-quick-win", "true" if pain.is_quick_win else "false"),
            *((("data-value", raw_number(pain.value)),) if value.shown and pain.value is not None else ()),
            *((("data-gap", raw_number(pain.gap)),) if pain.gap is not None else ()),
        )
        rows.append(
            PainRow(
                rank=pain.rank,
                anchor=pain_anchor(pain.pain_point_id),
                top=pain.rank <= TOP_PAINS,
                kpi_name=pain.kpi_name,
                place=place,
                place_href=href,
                link_text=link_text,
                touchpoint=touchpoint.name if touchpoint else "",
                office=office_name(marts, pain.office_id),
                value=value,
                norm_text=format_norm(pain.norm_value, pain.unit, pain.direction)
                if pain.norm_value is not None
                else "",
                gap_text=f"на{NBSP}{gap_percent(pain.gap)}" if pain.gap is not None else DASH,
                clients=count_figure(pain.clients_affected, min_cell),
                responsible=responsible,
                quick_win=pain.is_quick_win,
                action=action_text(pain.action),
                attrs=attrs,
            )
        )
    return rows


def _group_options(marts: Marts) -> list[Option]:
    names = {j.target_group: j.target_group_name for j in marts.journeys if j.target_group}
    names.update({p.client_group: p.name for p in marts.group_profiles})
    return [Option(code, name or code) for code, name in sorted(names.items(), key=lambda item: item[1])]


def _office_options(marts: Marts) -> list[Option]:
    with_pains = {p.office_id for p in marts.pain_points if p.office_id}
    return [Option(o.office_id, o.name) for o in marts.offices if o.office_id in with_pains]


# --- improvement effects ---------------------------------------------------------------------


def _effect_row(marts: Marts, effect: Effect, min_cell: int) -> EffectRow:
    kpi = marts.kpis.get(effect.kpi_id)
    unit = kpi.unit if kpi else "share"
    before_hidden = effect.before_n is None or is_small(effect.before_n, min_cell)
    after_hidden = effect.after_n is None or is_small(effect.after_n, min_cell)

    def value(number: Decimal | None, hidden: bool, n: int | None) -> Figure:
        if number is None:
            return MISSING
        if hidden:
            return HIDDEN
        return Figure(format_value(number, unit), title=f"наблюдений: {format_count(n or 0)}")

    def change(number: Decimal | None) -> Figure:
        if number is None:
            return MISSING
        return HIDDEN if before_hidden or after_hidden else Figure(format_delta(number, unit))

    def interval(low: Decimal | None, high: Decimal | None) -> str:
        if low is None or high is None or before_hidden or after_hidden:
            return ""
        return format_range(low, high, unit)

    touchpoint = marts.touchpoints.get(effect.touchpoint_id or "")
    verdict = verdict_of(marts, effect)
    return EffectRow(
        name=effect.name,
        office=office_name(marts, effect.office_id),
        touchpoint=touchpoint.name if touchpoint else "",
        since=f"с {date_label(effect.start_date)}" if effect.start_date else "",
        kpi_name=kpi.name if kpi else effect.kpi_id,
        before=value(effect.before_value, before_hidden, effect.before_n),
        after=value(effect.after_value, after_hidden, effect.after_n),
        change=change(effect.change),
        change_range=interval(effect.change_ci_low, effect.change_ci_high),
        control=change(effect.control_change),
        did=change(effect.did),
        did_range=interval(effect.did_ci_low, effect.did_ci_high),
        verdict=verdict,
        attrs=(
            ("data-measure", effect.measure_id),
            ("data-kpi", effect.kpi_id),
            ("data-office", effect.office_id or "region"),
            ("data-effect", verdict.code),
        ),
    )


# --- data freshness --------------------------------------------------------------------------


def _lag_status(last: date | None, today: date) -> tuple[str, str]:
    if last is None:
        return "no_data", "данных нет"
    lag = (today - last).days
    if lag <= LATE_DAYS:
        return "green", "данные актуальны"
    if lag <= STALE_DAYS:
        return "amber", f"отстают на {lag} дн."
    return "red", f"не обновлялись {lag} дн."


def _freshness_row(marts: Marts, row: Freshness, published_at: datetime, zone: ZoneInfo) -> FreshnessRow:
    status, status_text = _lag_status(row.last_data_date, published_at.astimezone(zone).date())
    share = row.rejected_share
    if share is None and row.rows_rejected is not None and row.rows_loaded:
        share = Decimal(row.rows_rejected) / Decimal(row.rows_loaded + row.rows_rejected)
    rejected = NO_DATA
    if row.rows_rejected is not None:
        rejected = format_count(row.rows_rejected)
        if share is not None:
            rejected += f" ({format_value(share, 'share')})"
    rejected_status = ""
    if share is not None:
        rejected_status = "red" if share >= REJECTED_RED else "amber" if share >= REJECTED_AMBER else ""
    return FreshnessRow(
        source=row.source,
        source_name=source_name(marts, row.source),
        last_data=date_label(row.last_data_date) if row.last_data_date else NO_DATA,
        last_loaded=datetime_label(row.last_loaded_at, zone) if row.last_loaded_at else NO_DATA,
        batches=format_count(row.batches) if row.batches is not None else NO_DATA,
        rows_loaded=format_count(row.rows_loaded) if row.rows_loaded is not None else NO_DATA,
        rejected=rejected,
        rejected_status=rejected_status,
        status=status,
        status_text=status_text,
    )


def _count(number: int, one: str, few: str, many: str) -> str:
    return f"{number} {plural(number, one, few, many)}"


def _highlights(
    kpi_page: TilesPage, pains: list[PainRow], effects: list[EffectRow], freshness: list[FreshnessRow]
) -> list[Highlight]:
    statuses = [t.cell.status for g in kpi_page.tile_groups for t in g.tiles]
    red, amber = statuses.count("red"), statuses.count("amber")
    if not statuses:
        kpis = Highlight("kpi", "Показатели", NO_DATA, "no_data")
    elif red or amber:
        text = f"не выполнен норматив: {red} из {len(statuses)}" + (f", близко к нормативу: {amber}" if amber else "")
        kpis = Highlight("kpi", "Показатели", text, "red" if red else "amber")
    else:
        kpis = Highlight("kpi", "Показатели", f"все {len(statuses)} в пределах нормативов", "green")
    quick = sum(p.quick_win for p in pains)
    pain_text = _count(len(pains), "болевая точка", "болевые точки", "болевых точек")
    pain_text += f", быстрых побед: {quick}" if quick else ""
    confirmed = sum(e.verdict.code == "confirmed" for e in effects)
    stale = [f for f in freshness if f.status in ("amber", "red")]
    return [
        kpis,
        Highlight("pains", "Болевые точки", pain_text if pains else "не выявлено", "red" if pains else "green"),
        Highlight(
            "effects",
            "Меры по улучшению",
            f"эффект подтверждён: {confirmed} из {len(effects)}" if effects else "меры не зарегистрированы",
            "green" if confirmed else "no_data",
        ),
        Highlight(
            "data",
            "Данные",
            ("отстают: " + ", ".join(f.source_name for f in stale)) if stale else "все источники актуальны",
            max((f.status for f in stale), key=("amber", "red").index)
            if stale
            else "green"
            if freshness
            else "no_data",
        ),
    ]


def build_overview(marts: Marts, kpi_page: TilesPage, *, published_at: datetime, min_cell: int) -> OverviewPage:
    zone = ZoneInfo(marts.timezone)
    pains = _pain_rows(marts, kpi_page, min_cell)
    effects = [
        _effect_row(marts, e, min_cell)
        for e in sorted(marts.effects, key=lambda e: (e.start_date or date.min, e.measure_id), reverse=True)
    ]
    freshness = [_freshness_row(marts, f, published_at, zone) for f in marts.freshness]
    sections = [
        ("kpi", "Показатели"),
        ("pains", "Болевые точки"),
        ("effects", "Эффект мер"),
        ("data", "Свежесть и качество данных"),
    ]
    return OverviewPage(
        header=kpi_page.header,
        highlights=_highlights(kpi_page, pains, effects, freshness),
        tiles=kpi_page,
        pains=pains,
        group_options=_group_options(marts),
        office_options=_office_options(marts),
        effects=effects,
        freshness=freshness,
        missing_tables=marts.missing_tables,
        min_cell=min_cell,
        sections=sections,
    )
