"""What every page shares: coloured values, numbers that may be hidden, links between pages, the
header of a region's pages, charts, and the names of offices and verdicts on measures. Pages do not
import each other; what two of them need is here.

Small-cell suppression lives here: a value measured on fewer than ``min_cell`` clients, and a
count of fewer than ``min_cell`` clients (zero is not a person and stays visible), becomes «—»
with the tooltip «мало наблюдений». Hidden numbers never leave this module as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from include.report.data.effects import Effect
from include.report.data.kpi import ALL_TOUCHPOINTS
from include.report.data.marts import Marts
from include.report.data.sources import channel_names, ingest_source_names
from include.report.formatting import NBSP, format_count, format_norm, format_number, format_value, raw_number
from include.report.labels import STATUS_WORDS, TOUCHPOINT_CHANNEL_NAMES

COLOURED = ("green", "amber", "red")
SUPPRESSED_TITLE = "мало наблюдений"
NO_DATA = "нет данных"
DASH = "—"
# the sections of the KPI page that hold the tables of offices and call queues
SECTION_IDS = {"office": "offices", "call_centre": "calls"}


@dataclass(frozen=True)
class Cell:
    """A coloured KPI value with the data attributes the tests and readers rely on."""

    text: str
    status: str  # green | amber | red | suppressed | no_data
    title: str
    attrs: tuple[tuple[str, str], ...]

    @property
    def shown(self) -> bool:
        return self.status in COLOURED


@dataclass(frozen=True)
class Figure:
    """A number (or its stand-in) as shown: ``state`` is shown | suppressed | no_data."""

    text: str
    state: str = "shown"
    title: str = ""

    @property
    def shown(self) -> bool:
        return self.state == "shown"


HIDDEN = Figure(DASH, "suppressed", SUPPRESSED_TITLE)
MISSING = Figure(NO_DATA, "no_data")


def is_small(count: int | None, min_cell: int) -> bool:
    """True for a count of people too small to show (1 … min_cell − 1)."""
    return count is not None and 0 < count < min_cell


def count_figure(count: int | None, min_cell: int) -> Figure:
    if count is None:
        return MISSING
    if is_small(count, min_cell):
        return HIDDEN
    return Figure(format_count(count))


def display(
    value: Decimal | None,
    *,
    unit: str,
    direction: str,
    norm: Decimal | None,
    status: str,
    sample_size: int | None,
    min_cell: int,
) -> tuple[str, str, str]:
    """(status class, text, tooltip) of one KPI value, applying small-cell suppression.

    A value without its number of observations is hidden too: we cannot tell it is safe.
    """
    if value is None or status not in COLOURED:
        return "no_data", NO_DATA, NO_DATA
    if sample_size is None or sample_size < min_cell:
        return "suppressed", DASH, SUPPRESSED_TITLE
    title = STATUS_WORDS[status].capitalize()
    if norm is not None:
        title += f" ({format_norm(norm, unit, direction)})"
    title += f"; наблюдений: {format_count(sample_size)}"
    return status, format_value(value, unit), title


def value_cell(
    value: Decimal | None,
    *,
    unit: str,
    direction: str,
    norm: Decimal | None,
    status: str,
    sample_size: int | None,
    min_cell: int,
    attrs: list[tuple[str, str]],
) -> Cell:
    """A coloured value; ``attrs`` (data-kpi, data-office, …) get data-status and data-value."""
    shown_status, text, title = display(
        value, unit=unit, direction=direction, norm=norm, status=status, sample_size=sample_size, min_cell=min_cell
    )
    full = [*attrs, ("data-status", shown_status)]
    if shown_status in COLOURED and value is not None:
        full.append(("data-value", raw_number(value)))
    return Cell(text=text, status=shown_status, title=title, attrs=tuple(full))


def slug(value: str) -> str:
    """A file name or HTML id made of a mart key (letters, digits, ``_`` and ``-`` only)."""
    text = re.sub(r"[^A-Za-z0-9_-]+", "-", value).strip("-")
    return text or "x"


def journey_href(journey_id: str, stage_id: str | None = None) -> str:
    """Link to a journey map, relative to the site root."""
    name = slug(journey_id)
    href = f"journeys/{'journey-index' if name == 'index' else name}.html"
    return f"{href}#{stage_anchor(stage_id)}" if stage_id else href


def stage_anchor(stage_id: str) -> str:
    return f"stage-{slug(stage_id)}"


def pain_anchor(pain_point_id: str) -> str:
    return f"pain-{slug(pain_point_id)}"


def tile_anchor(kpi_id: str, touchpoint_id: str) -> str:
    return f"kpi-{slug(kpi_id)}-{slug(touchpoint_id)}"


def gap_percent(gap: Decimal) -> str:
    """How much worse than the norm, in whole percent: ``0.2867`` → «29 %»."""
    return f"{format_number(abs(gap) * 100, 0)}{NBSP}%"


def better(change: Decimal, direction: str) -> bool:
    """Is a positive/negative change an improvement for a KPI of this direction?"""
    return (change > 0) == (direction == "higher_is_better")


@dataclass(frozen=True)
class Verdict:
    """The plain-words conclusion about an improvement measure."""

    code: str  # confirmed | not_confirmed | worse
    text: str
    help: str


def effect_verdict(is_significant: bool, estimate: Decimal | None, direction: str) -> Verdict:
    """«эффект подтверждён» only when the change is significant and goes the right way.

    ``estimate`` is the difference-in-differences when comparable offices exist, else the
    before/after change.
    """
    if not is_significant:
        return Verdict(
            "not_confirmed",
            "эффект не подтверждён",
            "Изменение могло произойти случайно: разница не выходит за пределы обычных колебаний.",
        )
    if estimate is not None and estimate != 0 and not better(estimate, direction):
        return Verdict(
            "worse",
            "подтверждено ухудшение",
            "После начала меры показатель стал хуже, и это не случайные колебания.",
        )
    return Verdict(
        "confirmed",
        "эффект подтверждён",
        "После начала меры показатель улучшился, и это не объясняется случайными колебаниями.",
    )


# --- what pages share about a region and its charts ----------------------------------------


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    norm_text: str
    spec: dict[str, Any]


@dataclass(frozen=True)
class Quality:
    state: str  # passed | failed | unknown
    text: str  # the badge in the header
    alert: str = ""  # the warning under the header when the gate failed


@dataclass(frozen=True)
class Header:
    """What every page of a region says at the top (the KPI page's ``Page`` has the same attributes)."""

    region_name: str
    period_text: str
    published_text: str
    quality: Quality


class TilesPage(Protocol):
    """What the overview takes from the KPI page: its header and its tiles (rendered again)."""

    @property
    def header(self) -> Header: ...

    @property
    def tile_groups(self) -> list[Any]: ...


# --- who, where, what came of it ------------------------------------------------------------


def touchpoint_channel(marts: Marts, touchpoint_id: str) -> str:
    """The channel a touchpoint belongs to (``journey`` for a KPI measured over the whole journey)."""
    if touchpoint_id == ALL_TOUCHPOINTS:
        return "journey"
    touchpoint = marts.touchpoints.get(touchpoint_id)
    return touchpoint.channel if touchpoint else "other"


def source_name(marts: Marts, ingest_source: str) -> str:
    """How the pages name an ingest source (the ``source`` of data freshness): seed ``sources``."""
    return ingest_source_names(marts.sources).get(ingest_source, ingest_source)


def channel_name(marts: Marts, channel: str) -> str | None:
    """How the pages name a channel: the channel of a source (seed ``sources``), else a channel
    only touchpoints have (``labels.TOUCHPOINT_CHANNEL_NAMES``); None for a channel without a name."""
    return channel_names(marts.sources).get(channel) or TOUCHPOINT_CHANNEL_NAMES.get(channel)


def office_name(marts: Marts, office_id: str | None) -> str:
    if not office_id:
        return "все ЦЗН региона"
    return next((o.name for o in marts.offices if o.office_id == office_id), office_id)


def verdict_of(marts: Marts, effect: Effect) -> Verdict:
    kpi = marts.kpis.get(effect.kpi_id)
    direction = kpi.direction if kpi else "higher_is_better"
    return effect_verdict(effect.is_significant, effect.did if effect.did is not None else effect.change, direction)


def kpi_href(marts: Marts, kpi_id: str, touchpoint_id: str | None, office_id: str | None, tiles: set[str]) -> str:
    """Where the KPI page shows a KPI: the office/queue table of its channel, else its tile
    (``tiles``: the anchors of the tiles the KPI page has), else the top of the page."""
    channel = touchpoint_channel(marts, touchpoint_id) if touchpoint_id else "other"
    if office_id and channel in SECTION_IDS:
        return f"kpi.html#{SECTION_IDS[channel]}"
    # a KPI measured over the whole journey has one tile, for all touchpoints
    for touchpoint in (touchpoint_id, ALL_TOUCHPOINTS):
        if touchpoint and (anchor := tile_anchor(kpi_id, touchpoint)) in tiles:
            return f"kpi.html#{anchor}"
    return "kpi.html#kpi"
