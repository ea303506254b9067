"""Opening the static site in headless Chromium and looking at what is on screen."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "report"
RED_BG, AMBER_BG, GREEN_BG = (
    "rgb(255, 205, 210)",
    "rgb(255, 224, 178)",
    "rgb(200, 230, 201)",
)


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


def leaving(requests: list[str]) -> list[str]:
    """Requests that do not stay on this computer (the site must work offline)."""
    return [r for r in requests if not r.startswith(("file://", "data:"))]


# --- the files of a site (no browser) ------------------------------------------------------


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src") and value:
                self.links.append(value)


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def check_links(site: Path) -> set[Path]:
    """Every local link of every page points to an existing file (and anchor); returns the pages."""
    parsed = {path: parse(path) for path in html_files(site)}
    for path, page in parsed.items():
        for link in page.links:
            if link.startswith("data:"):
                continue
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc, f"{path.name}: {link} leaves the site"
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            assert target.is_file(), f"{path.relative_to(site)}: broken link {link}"
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in parsed[target].ids, f"{path.relative_to(site)}: no #{parts.fragment} in {link}"
    return set(parsed)


def reachable(start: Path) -> set[Path]:
    """Pages reachable from ``start`` by following links."""
    seen, todo = set(), [start.resolve()]
    while todo:
        page = todo.pop()
        if page in seen or page.suffix != ".html":
            continue
        seen.add(page)
        for link in parse(page).links:
            parts = urlsplit(link)
            if parts.path and not parts.scheme and not link.startswith("data:"):
                todo.append((page.parent / unquote(parts.path)).resolve())
    return seen


def chart_specs(path: Path) -> dict[str, Any]:
    match = re.search(
        r'<script type="application/json" id="chart-specs">(.*?)</script>', path.read_text(encoding="utf-8")
    )
    assert match, f"no charts in {path.name}"
    return dict(json.loads(match.group(1)))
