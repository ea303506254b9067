"""Turn the marts into what the KPI page shows: tiles, month tables, trend charts, heatmaps.

Everything here is plain data (dataclasses of Russian strings); the templates only lay it out.
Small-cell suppression happens here, once: a hidden value never reaches a template or a chart.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from include.report.charts import (
    Point,
    Series,
    line_chart_spec,
    sparkline_svg,
)
from include.report.common import (
    COLOURED,
    NO_DATA,
    SECTION_IDS,
    Cell,
    Chart,
    Header,
    Quality,
    display,
    tile_anchor,
    touchpoint_channel,
    value_cell,
)
from include.report.data.kpi import STAFF_GROUP, Kpi, KpiRow
from include.report.data.marts import Marts
from include.report.formatting import (
    MINUS,
    WEEKDAYS_FULL,
    WEEKDAYS_SHORT,
    datetime_label,
    format_count,
    format_delta,
    format_norm,
    format_threshold,
    month_key,
    month_label,
    period_label,
)
from include.report.labels import CHANNEL_TITLES, NORM_LABELS, PROFILE_TITLES, TILE_STATUS

SeriesKey = tuple[str, str]  # (kpi_id, touchpoint_id)

CHANNEL_ORDER = ("office", "call_centre", "chatbot", "website", "feedback", "journey")
MAIN_PROFILE = {"office": "weekday", "call_centre": "hour"}
TOTAL_LABEL = "Итого по региону"


@dataclass(frozen=True)
class Entity:
    """A table row: an office, a call queue, or the region total (``office_id`` None)."""

    office_id: str | None
    label: str
    queue_name: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Tile:
    kpi: Kpi
    title: str
    cell: Cell
    norm_text: str
    norm_help: str
    previous_label: str
    previous: Cell | None
    delta_text: str
    delta_class: str
    sparkline: Markup
    status_text: str
    anchor: str = ""


@dataclass(frozen=True)
class TileGroup:
    name: str
    tiles: list[Tile]


@dataclass(frozen=True)
class Column:
    kpi_id: str
    title: str
    norm_text: str
    help: str


@dataclass(frozen=True)
class MatrixRow:
    label: str
    note: str
    is_total: bool
    cells: list[Cell]


@dataclass(frozen=True)
class MonthPanel:
    key: str
    label: str
    selected: bool
    rows: list[MatrixRow]


@dataclass(frozen=True)
class ChannelTable:
    section_id: str
    title: str
    row_header: str
    columns: list[Column]
    panels: list[MonthPanel]


@dataclass(frozen=True)
class Heatmap:
    title: str
    subtitle: str
    norm_text: str
    row_header: str
    buckets: list[tuple[str, str]]  # (short label, full label)
    rows: list[MatrixRow]
    note: str


@dataclass(frozen=True)
class ChannelBlock:
    """Charts or heatmaps of one channel (section heading + items)."""

    title: str
    items: list[Any]
    more: list[Any] = field(default_factory=list)  # shown folded (<details>)
    more_title: str = ""


@dataclass(frozen=True)
class MethodRow:
    name: str
    group: str
    formula: str
    norm_text: str
    label: str
    source: str


@dataclass(frozen=True)
class Page:
    region_name: str
    period_text: str
    published_text: str
    quality: Quality
    latest_month: str
    selected_month: str
    months: list[tuple[str, str]]
    tile_groups: list[TileGroup]
    missing_groups: list[str]
    tables: list[ChannelTable]
    chart_blocks: list[ChannelBlock]
    heatmap_blocks: list[ChannelBlock]
    method_rows: list[MethodRow]
    min_cell: int
    sections: list[tuple[str, str]] = field(default_factory=list)

    @property
    def header(self) -> Header:
        return Header(self.region_name, self.period_text, self.published_text, self.quality)


# --- cells -----------------------------------------------------------------------------------


def norm_text(kpi: Kpi, norm: Decimal | None = None) -> str:
    return format_norm(kpi.norm_value if norm is None else norm, kpi.unit, kpi.direction)


def _display(kpi: Kpi, row: KpiRow | None, min_cell: int) -> tuple[str, str, str]:
    """(status class, text, tooltip) of one value, applying small-cell suppression."""
    if row is None:
        return "no_data", NO_DATA, NO_DATA
    return display(
        row.value,
        unit=kpi.unit,
        direction=kpi.direction,
        norm=kpi.norm_value if row.norm_value is None else row.norm_value,
        status=row.status,
        sample_size=row.sample_size,
        min_cell=min_cell,
    )


def make_cell(
    kpi: Kpi,
    touchpoint_id: str,
    row: KpiRow | None,
    entity: Entity,
    *,
    min_cell: int,
    period: str | None = None,
    profile: str | None = None,
    bucket: int | None = None,
) -> Cell:
    attrs: list[tuple[str, str]] = [
        ("data-kpi", kpi.kpi_id),
        ("data-touchpoint", touchpoint_id),
        ("data-office", entity.office_id or "region"),
    ]
    if entity.queue_name:
        attrs.append(("data-queue", entity.queue_name))
    if period:
        attrs.append(("data-period", period))
    if profile is not None and bucket is not None:
        attrs += [("data-profile", profile), ("data-bucket", str(bucket))]
    if row is None:
        return Cell(NO_DATA, "no_data", NO_DATA, (*attrs, ("data-status", "no_data")))
    return value_cell(
        row.value,
        unit=kpi.unit,
        direction=kpi.direction,
        norm=kpi.norm_value if row.norm_value is None else row.norm_value,
        status=row.status,
        sample_size=row.sample_size,
        min_cell=min_cell,
        attrs=attrs,
    )


# --- indexing the facts ----------------------------------------------------------------------


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def _previous_month(day: date) -> date:
    return (_first_of_month(day) - timedelta(days=1)).replace(day=1)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


class _Facts:
    """Lookups over the fact rows by series (KPI × touchpoint), office and period."""

    def __init__(self, marts: Marts) -> None:
        self.month: dict[tuple[SeriesKey, str | None, date], KpiRow] = {}
        self.daily: dict[tuple[SeriesKey, str | None], list[KpiRow]] = defaultdict(list)
        self.profile: dict[tuple[SeriesKey, str], dict[tuple[str | None, int], KpiRow]] = defaultdict(dict)
        self.office_ids: dict[SeriesKey, set[str]] = defaultdict(set)
        present: set[SeriesKey] = set()
        for row in marts.kpi_rows:
            if row.kpi_id not in marts.kpis or row.period_start is None:
                continue
            key = (row.kpi_id, row.touchpoint_id)
            present.add(key)
            if row.office_id is not None:
                self.office_ids[key].add(row.office_id)
            if row.period == "month":
                self.month[(key, row.office_id, _first_of_month(row.period_start))] = row
            elif row.period == "day":
                self.daily[(key, row.office_id)].append(row)
        for rows in self.daily.values():
            rows.sort(key=lambda r: r.period_start or date.min)
        for row in marts.profile_rows:
            if row.kpi_id not in marts.kpis or row.bucket is None:
                continue
            key = (row.kpi_id, row.touchpoint_id)
            present.add(key)
            if row.office_id is not None:
                self.office_ids[key].add(row.office_id)
            self.profile[(key, row.period)][(row.office_id, int(row.bucket))] = row

        def order(key: SeriesKey) -> tuple[int, int, int, str, str]:
            kpi = marts.kpis[key[0]]
            rank = _channel_rank(touchpoint_channel(marts, key[1]))
            kpi_order = kpi.order if kpi.order is not None else 10**6
            return (kpi.group_order, kpi_order, rank, key[1], key[0])

        self.keys: list[SeriesKey] = sorted(present, key=order)
        self.months: list[date] = sorted({m for (_, _, m) in self.month}, reverse=True)
        days = [d for rows in self.daily.values() for r in rows if (d := r.period_start)]
        all_starts = [r.period_start for r in marts.kpi_rows if r.period_start is not None]
        self.first_day: date | None = min(all_starts) if all_starts else None
        self.last_day: date | None = max(days) if days else (_month_end(self.months[0]) if self.months else None)
        self.reporting_month: date | None = reporting_month(self.months, self.last_day)


REPORTING_MIN_DAYS = 14  # a month with fewer days of data yet is not the one the tiles report


def reporting_month(months: list[date], last_day: date | None) -> date | None:
    """The month the tiles and tables open on: the latest, unless it has had fewer than
    ``REPORTING_MIN_DAYS`` days of data so far (data up to the 4th of December would show four
    days, and KPIs judged over two weeks — complaints answered in time — none): then the month
    before, the last one the working group can judge. Its days still show in the trends."""
    if not months:
        return None
    latest = months[0]
    if last_day is not None and len(months) > 1 and (last_day - latest).days + 1 < REPORTING_MIN_DAYS:
        return months[1]
    return latest


# --- page parts ------------------------------------------------------------------------------


def _channel_rank(channel: str) -> int:
    return CHANNEL_ORDER.index(channel) if channel in CHANNEL_ORDER else len(CHANNEL_ORDER)


def _channel_title(marts: Marts, channel: str, keys: Iterable[SeriesKey]) -> str:
    if channel in CHANNEL_TITLES:
        return CHANNEL_TITLES[channel]
    names = {marts.touchpoints[k[1]].name for k in keys if k[1] in marts.touchpoints}
    return "; ".join(sorted(names)) or "Другие каналы"


def _series_title(marts: Marts, facts: _Facts, key: SeriesKey) -> str:
    """KPI name, plus the touchpoint when the same KPI is measured at several touchpoints."""
    kpi = marts.kpis[key[0]]
    touchpoints = {k[1] for k in facts.keys if k[0] == key[0]}
    touchpoint = marts.touchpoints.get(key[1])
    if len(touchpoints) > 1:
        return f"{kpi.name} — {touchpoint.name if touchpoint else key[1]}"
    return kpi.name


def _norm_help(kpi: Kpi) -> str:
    parts = [NORM_LABELS.get(code.strip(), code.strip()) for code in kpi.norm_label.split("/")]
    label = " / ".join(p for p in parts if p)
    text = f"Норматив {norm_text(kpi)}"
    if kpi.threshold_value is not None and kpi.threshold_unit:
        text += f", порог {format_threshold(kpi.threshold_value, kpi.threshold_unit)}"
    if label:
        text += f" ({label})"
    if kpi.norm_source:
        text += f". Источник: {kpi.norm_source}"
    if kpi.formula:
        text += f". Расчёт: {kpi.formula}"
    return text


def _delta(kpi: Kpi, current: KpiRow | None, previous: KpiRow | None) -> tuple[str, str]:
    if current is None or previous is None or current.value is None or previous.value is None:
        return "", ""
    change = current.value - previous.value
    text = format_delta(change, kpi.unit)
    if not text.startswith(("+", MINUS)):
        return "= без изменений", "delta-same"
    better = (change > 0) == (kpi.direction == "higher_is_better")
    arrow = "▲" if change > 0 else "▼"
    return f"{arrow} {text}, {'лучше' if better else 'хуже'}", ("delta-better" if better else "delta-worse")


def _daily_points(kpi: Kpi, rows: list[KpiRow], min_cell: int) -> list[Point]:
    points = []
    for row in rows:
        assert row.period_start is not None
        shown = _display(kpi, row, min_cell)[0] in COLOURED
        value = row.value if shown else None
        points.append(Point(row.period_start, value, row.sample_size))
    return points


def _tiles(marts: Marts, facts: _Facts, min_cell: int) -> list[TileGroup]:
    if not facts.keys:
        return []
    latest = facts.reporting_month
    previous = _previous_month(latest) if latest else None
    region = Entity(None, TOTAL_LABEL)
    groups: dict[tuple[int, str], TileGroup] = {}
    for key in facts.keys:
        kpi = marts.kpis[key[0]]
        current_row = facts.month.get((key, None, latest)) if latest else None
        previous_row = facts.month.get((key, None, previous)) if previous else None
        cell = make_cell(
            kpi,
            key[1],
            current_row,
            region,
            min_cell=min_cell,
            period=month_key(latest) if latest else None,
        )
        previous_cell = make_cell(kpi, key[1], previous_row, region, min_cell=min_cell)
        delta_text, delta_class = (
            _delta(kpi, current_row, previous_row) if cell.shown and previous_cell.shown else ("", "")
        )
        points = _daily_points(kpi, facts.daily.get((key, None), []), min_cell)
        spark = sparkline_svg(
            points,
            kpi.norm_value,
            label=f"Динамика по дням, пунктир — норматив {norm_text(kpi)}",
        )
        tile = Tile(
            kpi=kpi,
            title=_series_title(marts, facts, key),
            cell=cell,
            norm_text=f"норматив {norm_text(kpi)}",
            norm_help=_norm_help(kpi),
            previous_label=month_label(previous, capitalize=True) if previous else "",
            previous=previous_cell,
            delta_text=delta_text,
            delta_class=delta_class,
            sparkline=spark,
            status_text=TILE_STATUS[cell.status].format(min_cell=min_cell),
            anchor=tile_anchor(*key),
        )
        group = groups.setdefault((kpi.group_order, kpi.group_id), TileGroup(kpi.group_name, []))
        group.tiles.append(tile)
    return [groups[k] for k in sorted(groups)]


def _missing_groups(marts: Marts, tile_groups: list[TileGroup]) -> list[str]:
    shown = {g.name for g in tile_groups}
    groups = sorted({(k.group_order, k.group_name) for k in marts.kpis.values() if k.group_id != STAFF_GROUP})
    return [name for _, name in groups if name not in shown]


def _entities(marts: Marts, channel: str, keys: list[SeriesKey], facts: _Facts) -> list[Entity]:
    names = {o.office_id: o.name for o in marts.offices}
    touchpoints = {k[1] for k in keys}
    if channel == "call_centre":
        queues = [q for q in marts.queues if q.touchpoint_id in touchpoints] or marts.queues
        entities = [Entity(q.office_id, q.name, q.queue_name, names.get(q.office_id, "")) for q in queues]
    else:
        entities = [Entity(o.office_id, o.name) for o in marts.offices]
    with_data = set().union(*(facts.office_ids[k] for k in keys))
    # offices of the seeds that sent nothing in the published period are left out of the tables
    entities = [e for e in entities if e.office_id in with_data]
    known = {e.office_id for e in entities}
    entities += [Entity(o, names.get(o, o)) for o in sorted(with_data - known)]
    return entities


def _channels(marts: Marts, keys: Iterable[SeriesKey]) -> list[tuple[str, list[SeriesKey]]]:
    by_channel: dict[str, list[SeriesKey]] = defaultdict(list)
    for key in keys:
        by_channel[touchpoint_channel(marts, key[1])].append(key)

    ordered = sorted(by_channel, key=lambda c: (_channel_rank(c), c))
    return [(c, by_channel[c]) for c in ordered]


def _row_header(channel: str) -> str:
    return "Очередь контакт-центра" if channel == "call_centre" else "Центр занятости"


def _column(marts: Marts, facts: _Facts, key: SeriesKey) -> Column:
    kpi = marts.kpis[key[0]]
    return Column(
        kpi.kpi_id,
        _series_title(marts, facts, key),
        f"норматив {norm_text(kpi)}",
        _norm_help(kpi),
    )


def _tables(marts: Marts, facts: _Facts, min_cell: int) -> list[ChannelTable]:
    office_keys = [
        k for k in facts.keys if any((k, o, m) in facts.month for o in facts.office_ids[k] for m in facts.months)
    ]
    tables = []
    for channel, keys in _channels(marts, office_keys):
        entities = _entities(marts, channel, keys, facts)
        if any((k, None, m) in facts.month for k in keys for m in facts.months):
            entities.append(Entity(None, TOTAL_LABEL))
        panels = []
        for month in facts.months:
            period = month_key(month)
            rows = [
                MatrixRow(
                    e.label,
                    e.note,
                    e.office_id is None,
                    [
                        make_cell(
                            marts.kpis[k[0]],
                            k[1],
                            facts.month.get((k, e.office_id, month)),
                            e,
                            min_cell=min_cell,
                            period=period,
                        )
                        for k in keys
                    ],
                )
                for e in entities
            ]
            panels.append(MonthPanel(period, month_label(month, capitalize=True), month == facts.reporting_month, rows))
        tables.append(
            ChannelTable(
                section_id=SECTION_IDS.get(channel, f"channel-{channel}"),
                title=_channel_title(marts, channel, keys),
                row_header=_row_header(channel),
                columns=[_column(marts, facts, k) for k in keys],
                panels=panels,
            )
        )
    return tables


def _charts(marts: Marts, facts: _Facts, min_cell: int) -> list[ChannelBlock]:
    daily_keys = [k for k in facts.keys if any(kk == k for kk, _ in facts.daily)]
    blocks = []
    for channel, keys in _channels(marts, daily_keys):
        charts = []
        for key in keys:
            kpi = marts.kpis[key[0]]
            entities = [*_entities(marts, channel, [key], facts), Entity(None, TOTAL_LABEL)]
            series = [
                Series(e.label, _daily_points(kpi, rows, min_cell), e.office_id is None)
                for e in entities
                if (rows := facts.daily.get((key, e.office_id)))
            ]
            spec = line_chart_spec(series, unit=kpi.unit, norm=kpi.norm_value, norm_text=norm_text(kpi))
            charts.append(
                Chart(
                    chart_id=f"chart-{key[0]}-{key[1]}",
                    title=_series_title(marts, facts, key),
                    norm_text=f"норматив {norm_text(kpi)}",
                    spec=spec,
                )
            )
        blocks.append(ChannelBlock(_channel_title(marts, channel, keys), charts))
    return blocks


def _buckets(profile: str, present: set[int]) -> tuple[list[int], str]:
    """Columns of a heatmap and a note about the ones left out."""
    if profile == "weekday":
        shown = [b for b in range(1, 8) if b in present]
        hidden = [WEEKDAYS_SHORT[b - 1] for b in range(1, 8) if b not in present]
        note = f"Дни без данных не показаны: {', '.join(hidden)}." if hidden else ""
        return shown, note
    if profile == "hour":
        return list(range(min(present), max(present) + 1)), ""
    return sorted(present), ""


def _bucket_label(profile: str, bucket: int) -> tuple[str, str]:
    if profile == "weekday" and 1 <= bucket <= 7:
        return WEEKDAYS_SHORT[bucket - 1], WEEKDAYS_FULL[bucket - 1]
    if profile == "hour":
        return f"{bucket}:00", f"с {bucket}:00 до {bucket + 1}:00"
    return str(bucket), str(bucket)


def _heatmap(marts: Marts, facts: _Facts, channel: str, key: SeriesKey, profile: str, min_cell: int) -> Heatmap:
    kpi = marts.kpis[key[0]]
    cells = facts.profile[(key, profile)]
    buckets, note = _buckets(profile, {b for _, b in cells})
    with_rows = {o for o, _ in cells}
    entities = [e for e in _entities(marts, channel, [key], facts) if e.office_id in with_rows]
    if None in with_rows:
        entities.append(Entity(None, TOTAL_LABEL))
    rows = [
        MatrixRow(
            e.label,
            e.note,
            e.office_id is None,
            [
                make_cell(kpi, key[1], cells.get((e.office_id, b)), e, min_cell=min_cell, profile=profile, bucket=b)
                for b in buckets
            ],
        )
        for e in entities
    ]
    return Heatmap(
        title=_series_title(marts, facts, key),
        subtitle=PROFILE_TITLES.get(profile, profile),
        norm_text=f"норматив {norm_text(kpi)}",
        row_header=_row_header(channel),
        buckets=[_bucket_label(profile, b) for b in buckets],
        rows=rows,
        note=note,
    )


def _heatmaps(marts: Marts, facts: _Facts, min_cell: int) -> list[ChannelBlock]:
    """Per channel: the main profile of every KPI open, the other profiles folded away.

    Offices are read by weekday (queues build up on Mondays), calls by hour (morning peaks).
    """
    profiles_by_key: dict[SeriesKey, list[str]] = defaultdict(list)
    for key, profile in sorted(facts.profile, key=lambda kp: (kp[1] != "weekday", kp[1])):
        profiles_by_key[key].append(profile)
    blocks = []
    for channel, keys in _channels(marts, [k for k in facts.keys if k in profiles_by_key]):
        main: list[Heatmap] = []
        more: list[tuple[str, Heatmap]] = []
        for key in keys:
            profiles = profiles_by_key[key]
            first = MAIN_PROFILE.get(channel, "weekday")
            first = first if first in profiles else profiles[0]
            main.append(_heatmap(marts, facts, channel, key, first, min_cell))
            more += [(p, _heatmap(marts, facts, channel, key, p, min_cell)) for p in profiles if p != first]
        more.sort(key=lambda item: item[0])  # stable: KPI order kept within a profile
        more_title = ", ".join(dict.fromkeys(PROFILE_TITLES.get(p, p) for p, _ in more))
        blocks.append(ChannelBlock(_channel_title(marts, channel, keys), main, [h for _, h in more], more_title))
    return blocks


def _method_rows(marts: Marts, facts: _Facts) -> list[MethodRow]:
    seen: list[str] = []
    for kpi_id, _ in facts.keys:
        if kpi_id not in seen:
            seen.append(kpi_id)
    rows = []
    for kpi_id in seen:
        kpi = marts.kpis[kpi_id]
        codes = [c.strip() for c in kpi.norm_label.split("/") if c.strip()]
        norm = norm_text(kpi)
        if kpi.threshold_value is not None and kpi.threshold_unit:
            norm += f" (порог {format_threshold(kpi.threshold_value, kpi.threshold_unit)})"
        rows.append(
            MethodRow(
                name=kpi.name,
                group=kpi.group_name,
                formula=kpi.formula,
                norm_text=norm,
                label="; ".join(NORM_LABELS.get(c, c) for c in codes),
                source=kpi.norm_source,
            )
        )
    return rows


def quality_summary(quality: dict[str, Any] | None) -> Quality:
    """«Проверки качества пройдены (42)», or a red badge plus a warning the reader cannot miss."""
    if not quality:
        return Quality("unknown", "Результат проверок качества не передан")
    checks = quality.get("checks")
    failed = quality.get("failed") or 0
    if str(quality.get("status", "")).lower() == "passed" and not failed:
        count = f" ({format_count(int(checks))})" if checks else ""
        return Quality("passed", f"Проверки качества пройдены{count}")
    if failed and checks:
        count = f" ({format_count(int(failed))} из {format_count(int(checks))})"
    elif failed:
        count = f" ({format_count(int(failed))})"
    else:
        count = ""
    return Quality(
        "failed",
        f"Проверки качества не пройдены{count}",
        f"Внимание: проверки качества данных не пройдены{count}. Показатели на этой странице могут "
        "быть неточными: перед выводами уточните у ответственных за хранилище данных, "
        "какие проверки не пройдены.",
    )


def _period_text(facts: _Facts) -> str:
    return period_label(facts.first_day, facts.last_day) if facts.first_day and facts.last_day else NO_DATA


def build_page(
    marts: Marts,
    *,
    published_at: datetime,
    quality: dict[str, Any] | None,
    min_cell: int,
) -> Page:
    facts = _Facts(marts)
    tile_groups = _tiles(marts, facts, min_cell)
    tables = _tables(marts, facts, min_cell)
    chart_blocks = _charts(marts, facts, min_cell)
    heatmap_blocks = _heatmaps(marts, facts, min_cell)
    sections = [("kpi", "Показатели")]
    sections += [(t.section_id, t.title) for t in tables]
    if chart_blocks:
        sections.append(("trends", "Динамика"))
    if heatmap_blocks:
        sections.append(("profiles", "Когда возникают проблемы"))
    sections.append(("method", "Как считаются показатели"))
    return Page(
        region_name=marts.region_name,
        period_text=_period_text(facts),
        published_text=datetime_label(published_at, ZoneInfo(marts.timezone)),
        quality=quality_summary(quality),
        latest_month=month_label(facts.reporting_month) if facts.reporting_month else "",
        selected_month=month_key(facts.reporting_month) if facts.reporting_month else "",
        months=[(month_key(m), month_label(m, capitalize=True)) for m in facts.months],
        tile_groups=tile_groups,
        missing_groups=_missing_groups(marts, tile_groups),
        tables=tables,
        chart_blocks=chart_blocks,
        heatmap_blocks=heatmap_blocks,
        method_rows=_method_rows(marts, facts),
        min_cell=min_cell,
        sections=sections,
    )
