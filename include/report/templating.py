"""The templates' environment and what every page's template is given: the way back to the site
root, the navigation, the chart specs. Pages and ``render`` use it; it knows no page.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from include.report.common import Cell, Chart
from include.report.formatting import plural

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


# Pages of a region's site in navigation order (paths relative to the site root).
NAV_PAGES: tuple[tuple[str, str], ...] = (
    ("index.html", "Обзор"),
    ("kpi.html", "Показатели"),
    ("journeys/index.html", "Маршруты клиентов"),
    ("staff.html", "Сотрудники"),
    ("modelling.html", "Моделирование мер"),
)


def _cell_attrs(cell: Cell) -> Markup:
    """``class``, ``title`` and ``data-*`` attributes of a coloured KPI element."""
    parts = [f'{name}="{escape(value)}"' for name, value in cell.attrs]
    parts.append(f'title="{escape(cell.title)}"')
    return Markup(" ".join(parts))


def _json_for_script(value: Any) -> Markup:
    """JSON safe to embed inside ``<script type="application/json">``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def relative_href(target: str, page_path: str) -> str:
    """A link to ``target`` (path from the site root, maybe with #anchor) from the page at ``page_path``."""
    path, hash_mark, anchor = target.partition("#")
    relative = posixpath.relpath(path, posixpath.dirname(page_path) or ".") if path else ""
    return relative + hash_mark + anchor


@pass_context
def _href(context: Context, target: str) -> str:
    return relative_href(target, context["page_path"])


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell_attrs"] = _cell_attrs
    env.filters["script_json"] = _json_for_script
    env.filters["plural"] = plural
    env.filters["href"] = _href
    return env


def _root(path: str) -> str:
    """Relative way from a page back to its site root: ``journeys/x.html`` → ``../``."""
    return "../" * path.count("/")


def _nav(path: str, *, multi_region: bool) -> list[tuple[str, str, bool]]:
    root = _root(path)
    section = "journeys/index.html" if path.startswith("journeys/") else path
    items = [(relative_href(href, path), title, href == section) for href, title in NAV_PAGES]
    if multi_region:
        items.append((root + "../index.html", "Все регионы", False))
    return items


def render_page(
    env: Environment,
    template: str,
    path: str,
    *,
    kind: str,
    region_name: str = "",
    multi_region: bool = False,
    charts: list[Chart] | None = None,
    **context: Any,
) -> str:
    return env.get_template(template).render(
        root=_root(path),
        page_path=path,
        nav_pages=_nav(path, multi_region=multi_region) if kind != "regions" else [],
        page_kind=kind,
        region_name=region_name,
        chart_specs={c.chart_id: c.spec for c in charts or []},
        **context,
    )
