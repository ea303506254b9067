"""Render the Russian-language static site from the published marts.

The site is a folder that works offline from ``file://`` (or any intranet web server):

* ``index.html`` — overview: KPI tiles, pain-point ranking, effects of measures, data freshness;
* ``kpi.html`` — the KPI dashboard by office and call queue, trends, weekday/hour profiles;
* ``journeys/index.html`` — the journeys by client kind; ``journeys/<journey_id>.html`` — one
  journey map (CJM) each;
* ``staff.html`` — the staff as internal clients: load, breaks, days to a decision;
* ``assets/`` — the local Plotly bundle, the stylesheet and a few lines of page script.

With several regions in the marts every region gets such a site in ``<region_id>/`` and
``index.html`` lists the regions. Everything is built in a temporary folder next to ``out_dir``
and swapped into place, so a reader never sees half a site.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from include.report.common import Chart, slug
from include.report.data.marts import Marts, load_site_marts
from include.report.formatting import datetime_label, plural
from include.report.pages.journeys import build_journey_list, build_journey_page, ordered_journeys
from include.report.pages.kpi import build_page
from include.report.pages.modelling import modelling_pages
from include.report.pages.overview import build_overview
from include.report.pages.staff import build_staff_page
from include.report.templating import environment, render_page

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
STATIC_FILES = ("style.css", "report.js")
PLOTLY_FILE = "plotly.min.js"

REGIONS_TIME_ZONE = ZoneInfo("Europe/Moscow")  # the list of regions speaks Moscow time


def plotly_js_path() -> Path:
    """The Plotly bundle shipped inside the installed ``plotly`` package (no CDN)."""
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


def region_pages(
    marts: Marts,
    *,
    published_at: datetime,
    quality: dict[str, Any] | None,
    min_cell: int,
    multi_region: bool = False,
) -> dict[str, str]:
    """HTML of every page of one region's site, by path relative to the site root."""
    env = environment()

    def render(template: str, path: str, kind: str, page: Any, charts: list[Chart] | None = None) -> str:
        return render_page(
            env,
            template,
            path,
            kind=kind,
            region_name=marts.region_name,
            multi_region=multi_region,
            charts=charts,
            page=page,
        )

    kpi_page = build_page(marts, published_at=published_at, quality=quality, min_cell=min_cell)
    overview = build_overview(marts, kpi_page, published_at=published_at, min_cell=min_cell)
    kpi_charts = [c for block in kpi_page.chart_blocks for c in block.items]
    pages = {
        "index.html": render("overview.html.j2", "index.html", "overview", overview),
        "kpi.html": render("kpi.html.j2", "kpi.html", "kpi", kpi_page, kpi_charts),
    }
    pages["staff.html"] = render(
        "staff.html.j2",
        "staff.html",
        "staff",
        build_staff_page(marts, kpi_page.header, min_cell, kpi_page.selected_month),
    )
    journey_list = build_journey_list(marts, kpi_page.header, min_cell)
    pages["journeys/index.html"] = render("journeys.html.j2", "journeys/index.html", "journeys", journey_list)
    for journey in ordered_journeys(marts):
        page = build_journey_page(marts, journey, kpi_page.header, min_cell)
        if page.file_name in pages:
            raise ValueError(f"two journeys give the same file {page.file_name}: rename {journey.journey_id!r}")
        pages[page.file_name] = render("journey.html.j2", page.file_name, "journey", page, page.charts)
    return pages


@dataclass(frozen=True)
class RegionLink:
    region_id: str
    name: str
    href: str
    note: str


def regions_page(regions: list[Marts], *, published_at: datetime) -> str:
    links = []
    for marts in sorted(regions, key=lambda m: m.region_name.replace("Ё", "Е").replace("ё", "е")):
        journeys, pains = len(marts.journeys), len(marts.pain_points)
        note = f"{journeys} {plural(journeys, 'маршрут', 'маршрута', 'маршрутов')}" if journeys else ""
        if pains:
            note += f"{', ' if note else ''}{pains} {plural(pains, 'болевая точка', 'болевые точки', 'болевых точек')}"
        links.append(RegionLink(marts.region_id, marts.region_name, f"{slug(marts.region_id)}/index.html", note))
    return render_page(
        environment(),
        "regions.html.j2",
        "index.html",
        kind="regions",
        regions=links,
        published_text=datetime_label(published_at, REGIONS_TIME_ZONE),
    )


def _copy_assets(folder: Path, plotly: Path | None) -> Path:
    """Write ``assets/`` into a site folder; Plotly is hard-linked to ``plotly`` when given."""
    assets = folder / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    target = assets / PLOTLY_FILE
    if plotly is not None:
        try:
            os.link(plotly, target)
        except OSError:
            shutil.copyfile(plotly, target)
    else:
        shutil.copyfile(plotly_js_path(), target)
    for name in STATIC_FILES:
        shutil.copyfile(STATIC_DIR / name, assets / name)
    return target


def _write_site(
    folder: Path,
    pages: Mapping[str, str],
    site_roots: list[str],
    extra_dirs: Mapping[str, Path] | None = None,
) -> None:
    """Pages by relative path, ``assets/`` in every site root ("" or "<region>/"), extra folders."""
    plotly: Path | None = None
    for root in site_roots:
        plotly = _copy_assets(folder / root, plotly)
    for path, html in pages.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
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


def write_site_atomically(
    out_dir: Path,
    pages: Mapping[str, str],
    extra_dirs: Mapping[str, Path] | None = None,
    site_roots: list[str] | None = None,
) -> None:
    out_dir = out_dir.absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        _write_site(staging, pages, site_roots or [""], extra_dirs)
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
    """Read the published marts and write the static site; returns ``out_dir/index.html``.

    ``extra_dirs`` (name → folder) are copied into the site in the same atomic swap, e.g. the
    dbt docs as ``dbt-docs/``.

    ``quality`` is the summary of the last quality gate, e.g.
    ``{"status": "passed", "checks": 42, "failed": 0}``. Figures about fewer than ``min_cell``
    clients are never written to the site. With ``region_id`` only that region is written (flat
    layout); without it every region of the marts is, one site per region in ``<region_id>/``
    when there are several.
    """
    moment = published_at or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    regions = load_site_marts(dsn, schema=schema, region_id=region_id, today=moment.date())

    def pages_of(marts: Marts, multi_region: bool) -> dict[str, str]:
        return region_pages(marts, published_at=moment, quality=quality, min_cell=min_cell, multi_region=multi_region)

    if len(regions) == 1:
        pages = pages_of(regions[0], False)
        roots = [""]
    else:
        pages = {"index.html": regions_page(regions, published_at=moment)}
        roots = [""]
        for marts in regions:
            folder = f"{slug(marts.region_id)}/"
            roots.append(folder)
            for path, html in pages_of(marts, True).items():
                pages[folder + path] = html

    pages.update(modelling_pages(dsn, [(m.region_id, m.region_name, m.timezone) for m in regions], moment, schema))
    out_dir = Path(out_dir)
    write_site_atomically(out_dir, pages, extra_dirs, roots)
    return out_dir / "index.html"
