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
