"""Journey pages: the list of journeys and one journey map (CJM) per journey.

A journey map follows the template of the Mintrud «технологическая карта»: stages are columns,
the rows are the stage goal, touchpoints with the units responsible, tools, the KPI values
against norms, what clients think and feel, pain points and improvement measures. Every cell
says something: a value, «нет данных», or «—» for a number hidden by small-cell suppression.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from include.report.charts import FunnelBar, TimeBar, funnel_chart_spec, funnel_sparkline_svg, time_chart_spec
from include.report.common import (
    COLOURED,
    HIDDEN,
    MISSING,
    NO_DATA,
    Cell,
    Chart,
    Figure,
    Header,
    Verdict,
    channel_name,
    count_figure,
    gap_percent,
    is_small,
    journey_href,
    office_name,
    pain_anchor,
    slug,
    stage_anchor,
    value_cell,
    verdict_of,
)
from include.report.data.effects import PainPoint
from include.report.data.journeys import Feedback, Funnel, Journey, MapRow, StageDef, StageKpi
from include.report.data.marts import Marts
from include.report.formatting import (
    NBSP,
    date_label,
    format_count,
    format_norm,
    format_number,
    format_value,
    plural,
)
from include.report.labels import BASIS_NAMES, CLIENT_KINDS, INTERACTIONS

CLIENT_KIND_ORDER = ("citizen", "employer", "staff")
ROWS = (
    ("goal", "Цель стадии"),
    ("owner", "Кто отвечает за стадию"),
    ("touchpoints", "Точки контакта и ответственные"),
    ("tools", "Инструменты"),
    ("clients", "Клиенты на стадии"),
    ("kpis", "Показатели (факт / норматив)"),
    ("feedback", "Клиентский опыт: что думает и чувствует клиент"),
    ("pains", "Болевые точки"),
    ("measures", "Меры по улучшению"),
)
# feedback scores: (field, label, default unit); the unit of dim_kpis wins when the KPI is there
FEEDBACK_SCORES = (
    ("csat", "Удовлетворённость (оценки 4–5)", "share"),
    ("ces", "Лёгкость получения услуги (из 5)", "score"),
    ("nps", "Готовность рекомендовать (NPS)", "points"),
)
MAX_QUOTES = 3


@dataclass(frozen=True)
class Labelled:
    label: str
    figure: Figure


@dataclass(frozen=True)
class TouchpointItem:
    name: str
    unit: str
    channel: str
    events: Figure | None


@dataclass(frozen=True)
class KpiItem:
    name: str
    touchpoint: str
    cell: Cell
    norm_text: str


@dataclass(frozen=True)
class FeedbackView:
    responses: Figure
    note: str
    scores: list[Labelled]
    themes: list[Labelled]
    quotes: list[str]


@dataclass(frozen=True)
class PainItem:
    rank: int | None
    title: str
    detail: str
    where: str
    quick_win: bool
    href: str  # the row of the ranking (relative to the site root); "" when not ranked there
    attrs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class MeasureItem:
    name: str
    where: str
    since: str
    verdict: Verdict | None


@dataclass(frozen=True)
class StageColumn:
    stage_id: str
    order: int
    name: str
    goal: str
    inside: bool
    anchor: str
    owner: str
    inferred: bool
    has_data: bool
    touchpoints: list[TouchpointItem]
    tools: list[str]
    clients: list[Labelled]
    clients_note: str
    kpis: list[KpiItem]
    feedback: FeedbackView | None
    pains: list[PainItem]
    pains_empty: str
    measures: list[MeasureItem]
    measures_empty: str


@dataclass(frozen=True)
class VersionCell:
    reached: Figure
    conversion: Figure
    drop_off: Figure


@dataclass(frozen=True)
class VersionRow:
    stage_name: str
    cells: list[VersionCell]  # one per version, oldest first


@dataclass(frozen=True)
class VersionComparison:
    """The journey's map versions side by side on the stages they share."""

    titles: list[str]  # «Версия 1 (до 01.10.2026)»
    rows: list[VersionRow]
    only_in: list[str]  # «Только в версии 2: Запись на приём онлайн»


@dataclass(frozen=True)
class JourneyLink:
    href: str  # relative to the site root
    name: str
    current: bool = False


@dataclass(frozen=True)
class JourneyPage:
    header: Header
    journey: Journey
    file_name: str  # journeys/<slug>.html
    facts: list[tuple[str, str]]
    clients: Figure
    stages: list[StageColumn]
    rows: tuple[tuple[str, str], ...]
    funnel: Chart | None
    times: Chart | None
    drop_note: str  # how drop-off is defined, when it is the same for every stage
    links: list[JourneyLink]
    previous: JourneyLink | None
    following: JourneyLink | None
    min_cell: int
    comparison: VersionComparison | None = None

    @property
    def charts(self) -> list[Chart]:
        return [c for c in (self.funnel, self.times) if c is not None]


@dataclass(frozen=True)
class JourneySummary:
    journey: Journey
    href: str
    basis_text: str
    group_text: str
    stage_count: str
    clients: Figure
    sparkline: Markup
    pains_text: str


@dataclass(frozen=True)
class KindGroup:
    title: str
    journeys: list[JourneySummary]


@dataclass(frozen=True)
class ProfileRow:
    client_group: str
    name: str
    clients: Figure
    channels: list[Labelled]
    journeys: list[tuple[str, str, Figure]]  # (href, name, clients)
    pains: list[tuple[str, str]]  # (href or "", "№ 3 — KPI")


@dataclass(frozen=True)
class JourneyListPage:
    header: Header
    groups: list[KindGroup]
    profiles: list[ProfileRow]
    missing_tables: tuple[str, ...]
    min_cell: int


# --- small helpers ---------------------------------------------------------------------------


def client_kind_title(kind: str) -> str:
    return CLIENT_KINDS.get(kind, "Другие клиенты")


def basis_text(journey: Journey) -> str:
    """«Целевая группа: люди с инвалидностью»; the code alone is never shown."""
    name = BASIS_NAMES.get(journey.basis)
    if name and journey.basis_value:
        return f"{name}: {journey.basis_value}"
    return journey.basis_value or name or NO_DATA


def _percent(value: Decimal) -> str:
    return format_value(value, "share")


def _gap_text(gap: Decimal | None) -> str:
    if gap is None:
        return ""
    return f"хуже норматива на{NBSP}{gap_percent(gap)}"


def _wrap(text: str, width: int = 18) -> str:
    return "<br>".join(str(escape(line)) for line in textwrap.wrap(text, width) or [text])


def file_name(journey: Journey) -> str:
    return journey_href(journey.journey_id)


# --- one journey -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stage:
    """A stage as the dimension and the map know it (either may be missing)."""

    stage_id: str
    order: int
    name: str
    goal: str
    inside: bool
    definition: StageDef | None
    row: MapRow | None

    @property
    def owner(self) -> str:
        return self.definition.owner_unit if self.definition else ""

    @property
    def inferred(self) -> bool:
        return bool(self.definition and self.definition.is_inferred)


def _stages(marts: Marts, journey_id: str) -> list[_Stage]:
    definitions = {s.stage_id: s for s in marts.stages if s.journey_id == journey_id}
    rows = {r.stage_id: r for r in marts.map_rows if r.journey_id == journey_id}
    stages = []
    for stage_id in definitions.keys() | rows.keys():
        definition, row = definitions.get(stage_id), rows.get(stage_id)
        source = row or definition
        assert source is not None
        stages.append(
            _Stage(
                stage_id=stage_id,
                order=source.order,
                name=source.name,
                goal=(row.goal if row else "") or (definition.goal if definition else ""),
                inside=source.is_inside_czn,
                definition=definition,
                row=row,
            )
        )
    return sorted(stages, key=lambda s: (s.order, s.stage_id))


# a channel is not repeated after a touchpoint whose name already says it
CHANNEL_WORDS = {
    "office": "цзн",
    "website": "сайт",
    "portal": "работа росси",
    "chatbot": "чат-бот",
    "notifications": "уведомлен",
    "events": "ярмарк",
}


def _channel_note(marts: Marts, name: str, channel: str) -> str:
    word = CHANNEL_WORDS.get(channel)
    if word and word in name.lower():
        return ""
    return channel_name(marts, channel) or ""


def _touchpoint_items(marts: Marts, row: MapRow, min_cell: int) -> list[TouchpointItem]:
    items = []
    for tp in row.touchpoints:
        known = marts.touchpoints.get(tp.touchpoint_id)
        items.append(
            TouchpointItem(
                name=tp.name or (known.name if known else tp.touchpoint_id),
                unit=tp.responsible_unit or (known.responsible_unit if known else ""),
                channel=_channel_note(marts, tp.name, tp.channel or (known.channel if known else "")),
                events=None if tp.events is None else count_figure(tp.events, min_cell),
            )
        )
    return items


def split_list(text: str) -> list[str]:
    """«ЕСИА; Чат-бот (сайт; Telegram)» → ["ЕСИА", "Чат-бот (сайт; Telegram)"]: «;» outside brackets."""
    items, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ";" and depth <= 0:
            items.append(current)
            current = ""
        else:
            current += char
    items.append(current)
    return [item.strip() for item in items if item.strip()]


def _tools(row: MapRow) -> list[str]:
    tools: list[str] = []
    for tp in row.touchpoints:
        for tool in split_list(tp.tools):
            if tool not in tools:
                tools.append(tool)
    return tools


STATES = (
    ("moved_on", "Перешли дальше"),
    ("dropped", "Выбыли"),
    ("in_progress", "Ещё в процессе"),
    ("finished", "Завершили маршрут"),
)


def state_counts(funnel: Funnel) -> dict[str, int | None]:
    """What became of the clients who reached the stage (the four add up to them)."""
    return {
        "moved_on": funnel.clients_next,
        "dropped": funnel.dropped,
        "in_progress": funnel.in_progress,
        "finished": funnel.finished,
    }


def hidden_states(funnel: Funnel, min_cell: int) -> set[str]:
    """The states whose count may not be shown: fewer than ``min_cell`` clients, and — when that
    leaves one hidden number that the total would give away — the next smallest one too."""
    counts = {k: v for k, v in state_counts(funnel).items() if v is not None}
    if is_small(funnel.clients_reached, min_cell):
        return set(counts)
    hidden = {k for k, v in counts.items() if is_small(v, min_cell)}
    if len(hidden) == 1:
        others = sorted((v, k) for k, v in counts.items() if k not in hidden and v > 0)
        if others:
            hidden.add(others[0][1])
    return hidden


def split_shown(funnel: Funnel, min_cell: int) -> bool:
    """May the stage show the shares of those who went on and who dropped off?"""
    hidden = hidden_states(funnel, min_cell)
    return (
        funnel.clients_reached is not None
        and not is_small(funnel.clients_reached, min_cell)
        and funnel.clients_next is not None
        and funnel.dropped is not None
        and not {"moved_on", "dropped"} & hidden
    )


def _share_of(part: Decimal | None, count: int | None, whole: int | None) -> Decimal | None:
    if part is not None:
        return part
    if count is not None and whole:
        return Decimal(count) / Decimal(whole)
    return None


def _time_subjects(funnel: Funnel) -> int | None:
    """Time to the next stage is measured on the clients who got there."""
    return funnel.clients_next if funnel.clients_next is not None else funnel.clients_reached


def _has_times(funnel: Funnel) -> bool:
    return any(v is not None for v in (funnel.median_days, funnel.p75_days, funnel.p90_days))


INFERRED_NOTE = "стадия не видна в данных: её прошли все, кто дошёл дальше"


def _clients(funnel: Funnel, is_last: bool, min_cell: int) -> list[Labelled]:
    if funnel.clients_reached is None and funnel.clients_next is None and not _has_times(funnel):
        return []
    items = [Labelled("Дошли до стадии", count_figure(funnel.clients_reached, min_cell))]
    if funnel.is_inferred:
        return [*items, Labelled("Как посчитано", Figure(INFERRED_NOTE))]
    hidden = hidden_states(funnel, min_cell)
    for key, label in STATES:
        count = state_counts(funnel)[key]
        # nobody moves on from the last stage; a stage that does not end the journey has no finished
        if count is None or (not count and ((key == "moved_on" and is_last) or (key == "finished" and not is_last))):
            continue
        items.append(Labelled(label, HIDDEN if key in hidden else Figure(format_count(count))))
    if not is_last and (funnel.conversion is not None or funnel.drop_off_share is not None):
        if split_shown(funnel, min_cell):
            if funnel.conversion is not None:
                items.append(Labelled("Доля перешедших", Figure(_percent(funnel.conversion))))
            if funnel.drop_off_share is not None:
                items.append(Labelled("Доля выбывших", Figure(_percent(funnel.drop_off_share))))
        else:
            items += [Labelled("Доля перешедших", HIDDEN), Labelled("Доля выбывших", HIDDEN)]
    if _has_times(funnel):
        if is_small(_time_subjects(funnel), min_cell):
            items.append(Labelled("До следующей стадии", HIDDEN))
        else:
            parts = []
            if funnel.median_days is not None:
                parts.append(f"медиана {format_value(funnel.median_days, 'days')}")
            if funnel.p90_days is not None:
                parts.append(f"у 90 % — до {format_value(funnel.p90_days, 'days')}")
            elif funnel.p75_days is not None:
                parts.append(f"у 75 % — до {format_value(funnel.p75_days, 'days')}")
            items.append(Labelled("До следующей стадии", Figure("; ".join(parts))))
    if funnel.started_before_data and not is_small(funnel.started_before_data, min_cell):
        items.append(Labelled("Из них начали до начала данных", Figure(format_count(funnel.started_before_data))))
    return items


def _kpi_items(marts: Marts, journey_id: str, stage_id: str, kpis: list[StageKpi], min_cell: int) -> list[KpiItem]:
    items = []
    for kpi in kpis:
        attrs = [("data-kpi", kpi.kpi_id), ("data-journey", journey_id), ("data-stage", stage_id)]
        if kpi.touchpoint_id:
            attrs.append(("data-touchpoint", kpi.touchpoint_id))
        attrs.append(("data-office", "region"))
        cell = value_cell(
            kpi.value,
            unit=kpi.unit,
            direction=kpi.direction,
            norm=kpi.norm_value,
            status=kpi.status,
            sample_size=kpi.sample_size,
            min_cell=min_cell,
            attrs=attrs,
        )
        touchpoint = marts.touchpoints.get(kpi.touchpoint_id or "")
        items.append(
            KpiItem(
                name=kpi.name,
                touchpoint=touchpoint.name if touchpoint else "",
                cell=cell,
                norm_text=format_norm(kpi.norm_value, kpi.unit, kpi.direction) if kpi.norm_value is not None else "",
            )
        )
    return items


def _score_text(value: Decimal, unit: str) -> str:
    if unit == "points":
        return format_number(value, 0, signed=True)
    return format_value(value, unit)


def _feedback(marts: Marts, feedback: Feedback | None, min_cell: int) -> FeedbackView | None:
    if feedback is None:
        return None
    has_scores = any(getattr(feedback, name) is not None for name, _, _ in FEEDBACK_SCORES)
    if not (feedback.responses or has_scores or feedback.themes or feedback.quotes):
        return None
    responses = count_figure(feedback.responses, min_cell)
    if feedback.responses is None or is_small(feedback.responses, min_cell):
        # without the number of answers we cannot tell the figures are safe to show
        return FeedbackView(
            responses,
            f"Ответов меньше {min_cell} или их число неизвестно: оценки, темы и цитаты скрыты, "
            "чтобы нельзя было узнать человека.",
            [],
            [],
            [],
        )
    scores = []
    for name, label, default_unit in FEEDBACK_SCORES:
        value = getattr(feedback, name)
        if value is not None:
            unit = marts.kpis[name].unit if name in marts.kpis else default_unit
            scores.append(Labelled(label, Figure(_score_text(value, unit))))
    themes = sorted(feedback.themes, key=lambda t: -(t.mentions or 0))
    return FeedbackView(
        responses=responses,
        note="",
        scores=scores,
        themes=[Labelled(t.name, count_figure(t.mentions, min_cell)) for t in themes],
        quotes=feedback.quotes[:MAX_QUOTES],
    )


def _pain_detail(pain: PainPoint | None, gap: Decimal | None, min_cell: int) -> str:
    parts = []
    if (
        pain is not None
        and pain.value is not None
        and pain.norm_value is not None
        and pain.clients_affected is not None
        and not is_small(pain.clients_affected, min_cell)
    ):
        parts.append(
            f"факт {format_value(pain.value, pain.unit)} при нормативе {format_norm(pain.norm_value, pain.unit, pain.direction)}"
        )
    gap_text = _gap_text(gap)
    if gap_text:
        parts.append(gap_text)
    if pain is not None and pain.clients_affected is not None and not is_small(pain.clients_affected, min_cell):
        affected = pain.clients_affected
        parts.append(f"затронуто {format_count(affected)} {plural(affected, 'клиент', 'клиента', 'клиентов')}")
    return "; ".join(parts)


def _pain_items(marts: Marts, journey_id: str, stage: _Stage, min_cell: int) -> list[PainItem]:
    by_id = {p.pain_point_id: p for p in marts.pain_points}
    refs = list(stage.row.pain_points) if stage.row else []
    known = {r.pain_point_id for r in refs}
    # pain points of the stage the map row does not list (the mart is the reference)
    extra = [
        p
        for p in marts.pain_points
        if p.journey_id == journey_id and p.stage_id == stage.stage_id and p.pain_point_id not in known
    ]
    kpi_names = {k.kpi_id: k.name for k in (stage.row.kpis if stage.row else [])}
    items = []
    for pain_id, kpi_id, touchpoint_id, rank, gap, quick in [
        *((r.pain_point_id, r.kpi_id, r.touchpoint_id, r.rank, r.gap, r.is_quick_win) for r in refs),
        *((p.pain_point_id, p.kpi_id, p.touchpoint_id, p.rank, p.gap, p.is_quick_win) for p in extra),
    ]:
        pain = by_id.get(pain_id)
        kpi_id = kpi_id or (pain.kpi_id if pain else None)
        name = (
            (pain.kpi_name if pain else "")
            or kpi_names.get(kpi_id or "")
            or (marts.kpis[kpi_id].name if kpi_id in marts.kpis else "Показатель")
        )
        touchpoint = marts.touchpoints.get(touchpoint_id or (pain.touchpoint_id if pain else "") or "")
        rank = rank if rank is not None else (pain.rank if pain else None)
        attrs = [("data-pain-point", pain_id)]
        if rank is not None:
            attrs.append(("data-pain-rank", str(rank)))
        if kpi_id:
            attrs.append(("data-kpi", kpi_id))
        attrs += [("data-journey", journey_id), ("data-stage", stage.stage_id)]
        items.append(
            PainItem(
                rank=rank,
                title=name,
                detail=_pain_detail(pain, gap if gap is not None else (pain.gap if pain else None), min_cell),
                where=touchpoint.name if touchpoint else "",
                quick_win=quick,
                href=f"index.html#{pain_anchor(pain_id)}" if pain is not None else "",
                attrs=tuple(attrs),
            )
        )
    return sorted(items, key=lambda p: (p.rank is None, p.rank or 0))


def _measure_items(marts: Marts, row: MapRow | None) -> list[MeasureItem]:
    if row is None:
        return []
    effects = {e.measure_id: e for e in marts.effects}
    items = []
    for measure in row.measures:
        effect = effects.get(measure.measure_id)
        items.append(
            MeasureItem(
                name=measure.name,
                where=office_name(marts, measure.office_id),
                since=f"с {date_label(measure.start_date)}" if measure.start_date else "",
                verdict=verdict_of(marts, effect) if effect else None,
            )
        )
    return items


def _drop_note(days: int) -> str:
    return (
        f"Выбывшим считается клиент, у которого за {days} {plural(days, 'день', 'дня', 'дней')} не было ни "
        "перехода на следующую стадию, ни других событий; у кого этот срок к концу данных ещё не прошёл — "
        "«ещё в процессе». Доли перешедших и выбывших — от тех, чей исход уже известен."
    )


def _drop_days(stages: list[_Stage]) -> set[int | None]:
    return {
        s.definition.drop_off_days if s.definition else None
        for s in stages[:-1]
        if not (s.definition and (s.definition.is_inferred or s.definition.is_terminal))
    }


def _stage_column(
    marts: Marts, journey_id: str, stage: _Stage, is_last: bool, min_cell: int, *, shared_drop_note: bool
) -> StageColumn:
    row = stage.row
    funnel = marts.funnel.get((journey_id, stage.stage_id), Funnel())
    kpis = _kpi_items(marts, journey_id, stage.stage_id, row.kpis, min_cell) if row else []
    pains = _pain_items(marts, journey_id, stage, min_cell)
    measured = any(k.cell.status in (*COLOURED, "suppressed") for k in kpis)
    drop_days = stage.definition.drop_off_days if stage.definition else None
    return StageColumn(
        stage_id=stage.stage_id,
        order=stage.order,
        name=stage.name,
        goal=stage.goal,
        inside=stage.inside,
        anchor=stage_anchor(stage.stage_id),
        owner=stage.owner,
        inferred=stage.inferred,
        has_data=row is not None,
        touchpoints=_touchpoint_items(marts, row, min_cell) if row else [],
        tools=_tools(row) if row else [],
        clients=_clients(funnel, is_last, min_cell),
        clients_note=(
            _drop_note(drop_days) if drop_days and not is_last and not shared_drop_note and not stage.inferred else ""
        ),
        kpis=kpis,
        feedback=_feedback(marts, row.feedback if row else None, min_cell),
        pains=pains,
        pains_empty="не выявлено" if measured else NO_DATA,
        measures=_measure_items(marts, row),
        measures_empty="меры не зарегистрированы" if row is not None else NO_DATA,
    )


def stage_label(order: int, name: str, inside: bool) -> str:
    """Category label of a stage on the charts: «1. Подача<br>заявления»."""
    label = f"{order}. {_wrap(name)}"
    return label + "<br><i>(вне ЦЗН)</i>" if not inside else label


def _funnel_chart(journey: Journey, stages: list[_Stage], marts: Marts, min_cell: int) -> Chart | None:
    bars = []
    for stage in stages:
        funnel = marts.funnel.get((journey.journey_id, stage.stage_id), Funnel())
        label = stage_label(stage.order, stage.name, stage.inside)
        reached = funnel.clients_reached
        hidden = hidden_states(funnel, min_cell)
        counts = state_counts(funnel)
        if reached is None:
            bars.append(FunnelBar(label, None, None, None))
        elif is_small(reached, min_cell):
            bars.append(FunnelBar(label, None, None, None, hidden=True))
        elif funnel.is_inferred or hidden or all(v is None for v in counts.values()):
            text = format_count(reached) + (" (выведено)" if funnel.is_inferred else "")
            bars.append(FunnelBar(label, None, None, reached, whole_text=text))
        else:
            share = _share_of(funnel.drop_off_share, funnel.dropped, reached)
            bars.append(
                FunnelBar(
                    label,
                    continued=counts["moved_on"] or None,
                    dropped=counts["dropped"] or None,
                    whole=None,
                    continued_text=format_count(counts["moved_on"] or 0),
                    dropped_text=f"выбыли {_percent(share)}" if share is not None else "",
                    in_progress=counts["in_progress"] or None,
                    finished=counts["finished"] or None,
                    in_progress_text=format_count(counts["in_progress"] or 0),
                    finished_text=format_count(counts["finished"] or 0),
                )
            )
    if not any(b.continued or b.dropped or b.whole or b.in_progress or b.finished for b in bars):
        return None
    return Chart(
        chart_id=f"funnel-{slug(journey.journey_id)}",
        title="Сколько клиентов доходит до каждой стадии и что с ними стало",
        norm_text="",
        spec=funnel_chart_spec(bars),
    )


def version_comparison(marts: Marts, journey: Journey, min_cell: int) -> VersionComparison | None:
    """The versions of a revised map side by side on their shared stages (only those with data)."""
    by_version: dict[int, list[StageDef]] = defaultdict(list)
    for stage in marts.all_stages:
        if stage.journey_id == journey.journey_id and stage.version is not None:
            by_version[stage.version].append(stage)
    versions = [
        v
        for v in sorted(by_version)
        if any(
            (marts.version_funnels.get((journey.journey_id, v, s.stage_id)) or Funnel()).clients_reached
            for s in by_version[v]
        )
    ]
    if len(versions) < 2:
        return None
    shared = [s for s in sorted(by_version[versions[-1]], key=lambda s: s.order)
              if all(any(x.stage_id == s.stage_id for x in by_version[v]) for v in versions)]  # fmt: skip
    rows = []
    for stage in shared:
        cells = []
        for version in versions:
            funnel = marts.version_funnels.get((journey.journey_id, version, stage.stage_id), Funnel())
            shown = split_shown(funnel, min_cell) and not funnel.is_inferred
            cells.append(
                VersionCell(
                    reached=count_figure(funnel.clients_reached, min_cell),
                    conversion=Figure(_percent(funnel.conversion))
                    if shown and funnel.conversion is not None
                    else MISSING,
                    drop_off=Figure(_percent(funnel.drop_off_share))
                    if shown and funnel.drop_off_share is not None
                    else MISSING,
                )
            )
        rows.append(VersionRow(stage.name, cells))
    titles = []
    for version in versions:
        stage = by_version[version][0]
        period = f"с {date_label(stage.valid_from)}" if stage.valid_from else ""
        if stage.valid_to:
            period += f" по {date_label(stage.valid_to)}"
        titles.append(f"Версия {version}" + (f" ({period.strip()})" if period else ""))
    only_in = []
    for version in versions:
        others = {s.stage_id for v in versions if v != version for s in by_version[v]}
        new = [s.name for s in sorted(by_version[version], key=lambda s: s.order) if s.stage_id not in others]
        if new:
            only_in.append(f"Только в версии {version}: " + ", ".join(new))
    return VersionComparison(titles, rows, only_in)


def _time_chart(journey: Journey, stages: list[_Stage], marts: Marts, min_cell: int) -> Chart | None:
    bars = []
    for stage in stages[:-1]:
        funnel = marts.funnel.get((journey.journey_id, stage.stage_id), Funnel())
        label = stage_label(stage.order, stage.name, stage.inside)
        if not _has_times(funnel):
            bars.append(TimeBar(label, None, None, None))
        elif is_small(_time_subjects(funnel), min_cell):
            bars.append(TimeBar(label, None, None, None, hidden=True))
        else:
            bars.append(TimeBar(label, funnel.median_days, funnel.p75_days, funnel.p90_days))
    if not any(b.median is not None or b.p75 is not None or b.p90 is not None for b in bars):
        return None
    return Chart(
        chart_id=f"time-{slug(journey.journey_id)}",
        title="Сколько дней проходит до следующей стадии",
        norm_text="",
        spec=time_chart_spec(bars),
    )


def journey_clients(marts: Marts, journey_id: str, min_cell: int) -> Figure:
    """Clients on the journey: per version of the map, the most clients any stage reached, summed."""
    by_version: dict[int, int] = {}
    for (j, version, _), f in marts.version_funnels.items():
        if j == journey_id and f.clients_reached is not None:
            by_version[version] = max(by_version.get(version, 0), f.clients_reached)
    if not by_version:  # marts without versions
        counts = [
            f.clients_reached for (j, _), f in marts.funnel.items() if j == journey_id and f.clients_reached is not None
        ]
        return count_figure(max(counts) if counts else None, min_cell)
    return count_figure(sum(by_version.values()), min_cell)


def _version_text(journey: Journey) -> str:
    if journey.version is None and journey.valid_from is None:
        return ""
    text = f"версия {journey.version}" if journey.version is not None else "действующая версия"
    if journey.valid_from:
        text += f", действует с {date_label(journey.valid_from)}"
    if journey.valid_to:
        text += f" по {date_label(journey.valid_to)}"
    return text


def ordered_journeys(marts: Marts) -> list[Journey]:
    def key(journey: Journey) -> tuple[int, int, str, str]:
        kind = CLIENT_KIND_ORDER.index(journey.client_kind) if journey.client_kind in CLIENT_KIND_ORDER else 9
        order = journey.order if journey.order is not None else 10**6
        return (kind, order, journey.name, journey.journey_id)

    return sorted(marts.journeys, key=key)


def build_journey_page(marts: Marts, journey: Journey, header: Header, min_cell: int) -> JourneyPage:
    stages = _stages(marts, journey.journey_id)
    drop_days = _drop_days(stages)
    shared = len(drop_days) == 1 and None not in drop_days
    columns = [
        _stage_column(marts, journey.journey_id, stage, index == len(stages) - 1, min_cell, shared_drop_note=shared)
        for index, stage in enumerate(stages)
    ]
    facts = [
        ("Клиенты", client_kind_title(journey.client_kind)),
        ("Группа клиентов", journey.target_group_name or NO_DATA),
        ("Основа маршрута", basis_text(journey)),
    ]
    if journey.czn_interactions in INTERACTIONS:
        facts.append(("Обращения в ЦЗН", INTERACTIONS[journey.czn_interactions or ""]))
    facts.append(("Стадий", format_count(len(stages))))
    version = _version_text(journey)
    if version:
        facts.append(("Карта", version))
    journeys = ordered_journeys(marts)
    links = [JourneyLink(file_name(j), j.name, j.journey_id == journey.journey_id) for j in journeys]
    index = next(i for i, j in enumerate(journeys) if j.journey_id == journey.journey_id)
    return JourneyPage(
        header=header,
        journey=journey,
        file_name=file_name(journey),
        facts=facts,
        clients=journey_clients(marts, journey.journey_id, min_cell),
        stages=columns,
        rows=ROWS,
        funnel=_funnel_chart(journey, stages, marts, min_cell),
        times=_time_chart(journey, stages, marts, min_cell),
        drop_note=_drop_note(next(iter(drop_days)) or 0) if shared else "",
        links=links,
        previous=links[index - 1] if index > 0 else None,
        following=links[index + 1] if index + 1 < len(links) else None,
        min_cell=min_cell,
        comparison=version_comparison(marts, journey, min_cell),
    )


# --- the list of journeys --------------------------------------------------------------------


def _summary(marts: Marts, journey: Journey, min_cell: int) -> JourneySummary:
    stages = _stages(marts, journey.journey_id)
    funnels = [marts.funnel.get((journey.journey_id, s.stage_id), Funnel()) for s in stages]
    values = [
        None if f.clients_reached is None or is_small(f.clients_reached, min_cell) else f.clients_reached
        for f in funnels
    ]
    label = "Клиентов по стадиям: " + " → ".join(format_count(v) if v is not None else "—" for v in values)
    by_id = {p.pain_point_id: p for p in marts.pain_points}
    pains = [
        by_id[j.pain_point_id]
        for j in marts.journey_pains
        if j.journey_id == journey.journey_id and j.pain_point_id in by_id
    ]
    quick = sum(p.is_quick_win for p in pains)
    pains_text = f"{len(pains)}" + (f" (быстрых побед: {quick})" if quick else "") if pains else "не выявлено"
    stage_count = len(stages) or journey.stage_count
    return JourneySummary(
        journey=journey,
        href=file_name(journey),
        basis_text=basis_text(journey),
        group_text=journey.target_group_name or NO_DATA,
        stage_count=format_count(stage_count) if stage_count else NO_DATA,
        clients=journey_clients(marts, journey.journey_id, min_cell),
        sparkline=funnel_sparkline_svg(values, label=label),
        pains_text=pains_text,
    )


def _profiles(marts: Marts, min_cell: int) -> list[ProfileRow]:
    journeys = {j.journey_id for j in marts.journeys}
    ranked = {p.pain_point_id for p in marts.pain_points}
    rows = []
    for profile in sorted(marts.group_profiles, key=lambda p: p.name):
        hidden = profile.clients is None or is_small(profile.clients, min_cell)
        channels = (
            []
            if hidden
            else [
                Labelled(channel_name(marts, channel) or channel, Figure(_percent(share)))
                for channel, share in sorted(profile.channel_shares.items(), key=lambda item: -item[1])
            ]
        )
        rows.append(
            ProfileRow(
                client_group=profile.client_group,
                name=profile.name,
                clients=count_figure(profile.clients, min_cell),
                channels=channels,
                journeys=[
                    (journey_href(jid) if jid in journeys else "", name, count_figure(clients, min_cell))
                    for jid, name, clients in profile.top_journeys
                ],
                pains=[
                    (
                        f"index.html#{pain_anchor(pid)}" if pid in ranked else "",
                        f"№{NBSP}{rank} — {name}" if rank is not None else name,
                    )
                    for pid, name, rank in sorted(profile.top_pain_points, key=lambda p: (p[2] is None, p[2] or 0))
                ],
            )
        )
    return rows


def build_journey_list(marts: Marts, header: Header, min_cell: int) -> JourneyListPage:
    by_kind: dict[str, list[JourneySummary]] = defaultdict(list)
    for journey in ordered_journeys(marts):
        by_kind[journey.client_kind].append(_summary(marts, journey, min_cell))
    groups = [KindGroup(client_kind_title(kind), items) for kind, items in by_kind.items()]
    return JourneyListPage(
        header=header,
        groups=groups,
        profiles=_profiles(marts, min_cell),
        missing_tables=marts.missing_tables,
        min_cell=min_cell,
    )
