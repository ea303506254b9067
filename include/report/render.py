"""Render the Russian-language static KPI site from the published marts.

The site is a folder that works offline from ``file://`` (or any intranet web server):
``index.html`` plus ``assets/`` with the local Plotly bundle, the stylesheet and a few lines of
page script. It is built in a temporary folder next to ``out_dir`` and swapped into place, so a
reader never sees half a site.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from include.report.data import load_marts
from include.report.formatting import plural
from include.report.view import Cell, Page, build_page

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
STATIC_FILES = ("style.css", "report.js")

# Pages of the site, in navigation order. Journey maps and pain points will join this list.
NAV_PAGES: tuple[tuple[str, str], ...] = (("index.html", "Показатели клиентского опыта"),)


def plotly_js_path() -> Path:
    """The Plotly bundle shipped inside the installed ``plotly`` package (no CDN)."""
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


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


def _environment() -> Environment:
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
    return env


def render_page_html(page: Page, *, current: str = "index.html") -> str:
    """HTML of the KPI page (no file access; used by :func:`render_site`)."""
    charts = {c.chart_id: c.spec for block in page.chart_blocks for c in block.items}
    nav = [(href, title, href == current) for href, title in NAV_PAGES]
    template = _environment().get_template("index.html.j2")
    return template.render(page=page, nav_pages=nav, chart_specs=charts)


def _write_site(folder: Path, html: str, extra_dirs: Mapping[str, Path] | None = None) -> None:
    assets = folder / "assets"
    assets.mkdir(parents=True)
    shutil.copyfile(plotly_js_path(), assets / "plotly.min.js")
    for name in STATIC_FILES:
        shutil.copyfile(STATIC_DIR / name, assets / name)
    (folder / "index.html").write_text(html, encoding="utf-8")
    for name, source in (extra_dirs or {}).items():
        shutil.copytree(source, folder / name)


def _rename_exchange(first: Path, second: Path) -> bool:
    """Atomically swap two paths with Linux ``renameat2(RENAME_EXCHANGE)``; False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    renameat2.restype = ctypes.c_int
    result = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    return result == 0


def _swap_into_place(new: Path, target: Path) -> None:
    """Make ``new`` appear at ``target`` in one step and remove what was there."""
    if not target.exists():
        os.rename(new, target)
        return
    if _rename_exchange(new, target):
        shutil.rmtree(new)  # now holds the previous site
        return
    old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
    os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


def write_site_atomically(out_dir: Path, html: str, extra_dirs: Mapping[str, Path] | None = None) -> None:
    out_dir = out_dir.absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        _write_site(staging, html, extra_dirs)
        staging.chmod(0o755)  # mkdtemp makes it private; web servers must read it
        _swap_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def render_site(
    dsn: str,
    out_dir: Path,
    *,
    schema: str = "marts",
    published_at: datetime | None = None,
    quality: dict[str, Any] | None = None,
    min_cell: int = 5,
    region_id: str | None = None,
    extra_dirs: Mapping[str, Path] | None = None,
) -> Path:
    """Read the published marts and write the static KPI site; returns ``out_dir/index.html``.

    ``extra_dirs`` (name → folder) are copied into the site in the same atomic swap, e.g. the
    dbt docs as ``dbt-docs/``.

    ``quality`` is the summary of the last quality gate, e.g.
    ``{"status": "passed", "checks": 42, "failed": 0}``. Values measured on fewer than
    ``min_cell`` observations are never written to the site. ``region_id`` is needed only
    when the marts hold several regions (one site per region).
    """
    moment = published_at or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    marts = load_marts(dsn, schema=schema, region_id=region_id)
    page = build_page(marts, published_at=moment, quality=quality, min_cell=min_cell)
    out_dir = Path(out_dir)
    write_site_atomically(out_dir, render_page_html(page), extra_dirs)
    return out_dir / "index.html"
