"""Chart building blocks: inline SVG sparklines for tiles and Plotly specs for trend charts.

Plotly specs are plain dictionaries (``data``/``layout``/``config``) that the page hands to the
local ``assets/plotly.min.js``; values hidden by small-cell suppression are never put in them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from include.report.formatting import NBSP, unit_format

# 12 distinguishable colours (one per office of a typical region), colour-blind friendly first.
PALETTE = (
    "#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#3949ab", "#00897b", "#6d4c41", "#c2185b",
)  # fmt: skip
TOTAL_COLOUR = "#212121"
NORM_COLOUR = "#616161"
# times start from zero; shares and scores zoom to where the values and the norm are
_FROM_ZERO = {"minutes", "seconds", "days", "visits"}
_UNIT_SUFFIX = {"share": " %", "minutes": " мин", "seconds": " с", "days": " дн."}


@dataclass(frozen=True)
class Point:
    day: date
    value: Decimal | None  # None when there is no value or it is suppressed
    sample_size: int | None = None


@dataclass(frozen=True)
class Series:
    name: str
    points: list[Point]
    is_total: bool = False


def _plot_number(value: Decimal, unit: str) -> float:
    return round(float(value * 100 if unit == "share" else value), 4)


def sparkline_svg(points: list[Point], norm: Decimal | None, *, label: str) -> Markup:
    """A 240×44 inline SVG line of daily values with the norm dashed; gaps where hidden."""
    width, height, pad = 240.0, 44.0, 3.0
    values = [float(p.value) for p in points if p.value is not None]
    if not values:
        return Markup("")
    bounds = values + ([float(norm)] if norm is not None else [])
    low, high = min(bounds), max(bounds)
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    step = (width - 2 * pad) / max(len(points) - 1, 1)

    def y(v: float) -> float:
        return height - pad - (v - low) / (high - low) * (height - 2 * pad)

    segments: list[list[tuple[float, float]]] = [[]]
    for index, point in enumerate(points):
        if point.value is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append((pad + index * step, y(float(point.value))))
    parts: list[str] = []
    if norm is not None:
        ny = y(float(norm))
        parts.append(f'<line class="spark-norm" x1="{pad}" x2="{width - pad}" y1="{ny:.1f}" y2="{ny:.1f}"/>')
    for segment in segments:
        if len(segment) == 1:
            sx, sy = segment[0]
            parts.append(f'<circle class="spark-line-dot" cx="{sx:.1f}" cy="{sy:.1f}" r="1.2"/>')
        elif segment:
            coords = " ".join(f"{sx:.1f},{sy:.1f}" for sx, sy in segment)
            parts.append(f'<polyline class="spark-line" points="{coords}"/>')
    last = next((s[-1] for s in reversed(segments) if s), None)
    if last is not None:
        parts.append(f'<circle class="spark-last" cx="{last[0]:.1f}" cy="{last[1]:.1f}" r="2.2"/>')
    return Markup(
        f'<svg class="sparkline" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>{''.join(parts)}</svg>"
    )


def line_chart_spec(series: list[Series], *, unit: str, norm: Decimal | None, norm_text: str) -> dict[str, Any]:
    """Plotly figure (data + layout) of daily values per office with the norm as a dashed line."""
    data: list[dict[str, Any]] = []
    hover = hover_template(unit)
    days = [p.day for s in series for p in s.points]
    colour = iter(PALETTE * 4)
    for one in series:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": one.name,
                "x": [p.day.isoformat() for p in one.points],
                "y": [None if p.value is None else _plot_number(p.value, unit) for p in one.points],
                "customdata": [p.sample_size if p.value is not None else None for p in one.points],
                "hovertemplate": hover,
                "connectgaps": False,
                "line": {
                    "width": 3 if one.is_total else 1.6,
                    "color": TOTAL_COLOUR if one.is_total else next(colour),
                },
            }
        )
    if norm is not None and days:
        level = _plot_number(norm, unit)
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"Норматив{NBSP}{norm_text}",
                "x": [min(days).isoformat(), max(days).isoformat()],
                "y": [level, level],
                "hoverinfo": "skip",
                "line": {"dash": "dash", "width": 2, "color": NORM_COLOUR},
            }
        )
    layout: dict[str, Any] = {
        "height": 360,
        "autosize": True,
        "margin": {"l": 64, "r": 12, "t": 8, "b": 8},
        "separators": ",\u2009",
        "font": {"family": "PT Sans, Segoe UI, Roboto, Arial, sans-serif", "size": 12},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "closest",
        "xaxis": {
            "type": "date",
            "tickformat": "%d.%m",
            "gridcolor": "#eeeeee",
            "automargin": True,
        },
        "yaxis": {
            "ticksuffix": _UNIT_SUFFIX.get(unit, ""),
            "gridcolor": "#e0e0e0",
            "zeroline": False,
            "automargin": True,
            "rangemode": "tozero" if unit in _FROM_ZERO else "normal",
        },
        "legend": {
            "orientation": "h",
            "yanchor": "top",
            "y": -0.12,
            "x": 0,
            "font": {"size": 11},
        },
    }
    return {"data": data, "layout": layout}


def hover_template(unit: str) -> str:
    """Plotly tooltip of a point: «01.11.2025: 87,5 %», observations below (layout separators
    give the decimal comma and thin-space thousands)."""
    suffix, decimals = unit_format(unit)
    value = f"%{{y:,.{decimals}f}}" + (f"{NBSP}{suffix}" if suffix else "")
    return "<b>%{fullData.name}</b><br>%{x|%d.%m.%Y}: " + value + "<br>наблюдений: %{customdata:,d}<extra></extra>"


# --- journey charts --------------------------------------------------------------------------

FUNNEL_NEXT, FUNNEL_DROPPED, FUNNEL_WHOLE = "#1f77b4", "#e57373", "#90a4ae"
FUNNEL_IN_PROGRESS, FUNNEL_FINISHED = "#cfd8dc", "#66bb6a"
TIME_COLOURS = ("#08519c", "#4292c6", "#9ecae1")
_FONT = {"family": "PT Sans, Segoe UI, Roboto, Arial, sans-serif", "size": 12}


@dataclass(frozen=True)
class FunnelBar:
    """One stage of the funnel chart; None where the number is hidden or does not apply."""

    label: str  # category on the x axis (may hold <br>)
    continued: int | None  # went on to the next stage
    dropped: int | None  # dropped off at this stage
    whole: int | None  # clients at the stage when there is no split (last stage, hidden split)
    continued_text: str = ""
    dropped_text: str = ""
    whole_text: str = ""
    hidden: bool = False  # every number of the stage is hidden: say so on the chart
    in_progress: int | None = None  # still at the stage (its window has not passed)
    finished: int | None = None  # ended the journey at the stage
    in_progress_text: str = ""
    finished_text: str = ""


@dataclass(frozen=True)
class TimeBar:
    label: str
    median: Decimal | None
    p75: Decimal | None
    p90: Decimal | None
    hidden: bool = False


def _journey_layout(height: int, y_title: str, y_suffix: str = "") -> dict[str, Any]:
    return {
        "height": height,
        "autosize": True,
        "margin": {"l": 64, "r": 12, "t": 36, "b": 8},
        "separators": ",\u2009",
        "font": _FONT,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "closest",
        "xaxis": {"type": "category", "automargin": True, "tickfont": {"size": 11}},
        "yaxis": {
            "title": {"text": y_title, "font": {"size": 12}},
            "ticksuffix": y_suffix,
            "gridcolor": "#e0e0e0",
            "rangemode": "tozero",
            "automargin": True,
            "separatethousands": True,
        },
        # above the plot: stage names under the bars take up to four lines
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "font": {"size": 11}},
    }


def _hidden_notes(labels: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "x": label,
            "y": 0,
            "yref": "y",
            "text": "мало<br>наблюдений",
            "showarrow": False,
            "yanchor": "bottom",
            "font": {"size": 11, "color": "#5f6368"},
        }
        for label in labels
    ]


def funnel_chart_spec(bars: list[FunnelBar]) -> dict[str, Any]:
    """Stacked bars per stage: went on (blue) + dropped off (red) + in progress (grey) + finished
    (green): they add up to the clients who reached the stage; hidden numbers are left out."""
    labels = [b.label for b in bars]
    hover = "<b>%{x}</b><br>%{fullData.name}: %{y:,d}<extra></extra>"

    def trace(name: str, values: list[int | None], texts: list[str], colour: str) -> dict[str, Any]:
        return {
            "type": "bar",
            "name": name,
            "x": labels,
            "y": values,
            "text": texts,
            "textposition": "auto",
            "insidetextanchor": "middle",
            "hovertemplate": hover,
            "marker": {"color": colour, "line": {"width": 0}},
        }

    data = [
        trace(
            "Перешли на следующую стадию",
            [b.continued for b in bars],
            [b.continued_text for b in bars],
            FUNNEL_NEXT,
        ),
        trace("Выбыли на этой стадии", [b.dropped for b in bars], [b.dropped_text for b in bars], FUNNEL_DROPPED),
        trace(
            "Ещё в процессе",
            [b.in_progress for b in bars],
            [b.in_progress_text for b in bars],
            FUNNEL_IN_PROGRESS,
        ),
        trace("Завершили маршрут", [b.finished for b in bars], [b.finished_text for b in bars], FUNNEL_FINISHED),
        trace(
            "Дошли до стадии",
            [b.whole for b in bars],
            [b.whole_text for b in bars],
            FUNNEL_WHOLE,
        ),
    ]
    data = [t for t in data if any(v is not None for v in t["y"])]
    layout = _journey_layout(380, "клиентов")
    layout["barmode"] = "stack"
    layout["bargap"] = 0.35
    layout["legend"]["traceorder"] = "normal"
    layout["annotations"] = _hidden_notes([b.label for b in bars if b.hidden])
    return {"data": data, "layout": layout}


def time_chart_spec(bars: list[TimeBar]) -> dict[str, Any]:
    """Days to the next stage per stage: median, 75th and 90th percentile side by side."""
    labels = [b.label for b in bars]
    series = (
        ("Медиана: половина клиентов переходит быстрее", [b.median for b in bars]),
        ("75 % клиентов переходят быстрее", [b.p75 for b in bars]),
        ("90 % клиентов переходят быстрее", [b.p90 for b in bars]),
    )
    data = [
        {
            "type": "bar",
            "name": name,
            "x": labels,
            "y": [None if v is None else round(float(v), 2) for v in values],
            "hovertemplate": "<b>%{x}</b><br>%{fullData.name}: %{y:,.1f}\u00a0дн.<extra></extra>",
            "marker": {"color": colour},
        }
        for (name, values), colour in zip(series, TIME_COLOURS, strict=True)
        if any(v is not None for v in values)
    ]
    layout = _journey_layout(340, "дней до следующей стадии", " дн.")
    layout["barmode"] = "group"
    layout["annotations"] = _hidden_notes([b.label for b in bars if b.hidden])
    return {"data": data, "layout": layout}


def funnel_sparkline_svg(values: list[int | None], *, label: str) -> Markup:
    """A 160×36 inline SVG: one bar per stage (clients reached); an empty slot where hidden."""
    width, height, pad = 160.0, 36.0, 2.0
    shown = [v for v in values if v is not None]
    if not shown or max(shown) <= 0:
        return Markup("")
    top = max(shown)
    slot = (width - 2 * pad) / len(values)
    bar = max(slot * 0.72, 1.0)
    parts = []
    for index, value in enumerate(values):
        x = pad + index * slot + (slot - bar) / 2
        if value is None:
            parts.append(
                f'<rect class="spark-gap" x="{x:.1f}" y="{height - pad - 1:.1f}" width="{bar:.1f}" height="1"/>'
            )
            continue
        h = max((height - 2 * pad) * value / top, 1.0)
        parts.append(
            f'<rect class="spark-bar" x="{x:.1f}" y="{height - pad - h:.1f}" width="{bar:.1f}" height="{h:.1f}"/>'
        )
    return Markup(
        f'<svg class="funnel-spark" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>{''.join(parts)}</svg>"
    )
