"""The repository documents itself: docs/ describes what the seeds configure, and nothing points
outside the repository.

docs/kpis.md is a snapshot of the seeds (KPIs, expectation groups, journeys, touchpoints): a row
added to a seed must be added there too. Links between the documents must resolve.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SEEDS = ROOT / "dbt" / "seeds"
# what the repository's own text may not point at: a folder beside the checkout
OUTSIDE = re.compile(r"shared/")
SCANNED = ("README.md", "docs", "dbt", "include", "dags", "tools")
SKIPPED_DIRS = {"target", "logs", "__pycache__", "dbt_packages"}
MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")

pytestmark = pytest.mark.timeout(60)


def _seed_column(seed: str, column: str) -> set[str]:
    with (SEEDS / f"{seed}.csv").open(encoding="utf-8", newline="") as handle:
        return {row[column] for row in csv.DictReader(handle)}


@pytest.mark.parametrize(
    ("seed", "column"),
    [
        ("kpi_definitions", "kpi_id"),
        ("expectation_groups", "expectation_group"),
        ("journeys", "journey_id"),
        ("touchpoints", "touchpoint_id"),
    ],
)
def test_kpis_md_covers_every_row_of_the_seed(seed: str, column: str) -> None:
    text = (DOCS / "kpis.md").read_text(encoding="utf-8")
    missing = sorted(key for key in _seed_column(seed, column) if f"`{key}`" not in text)
    assert not missing, f"docs/kpis.md does not describe these {column}s of {seed}.csv: {missing}"


def test_readme_links_the_docs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for doc in ("docs/architecture.md", "docs/kpis.md"):
        assert f"]({doc})" in readme, doc


def test_links_in_the_docs_resolve() -> None:
    for page in [ROOT / "README.md", *DOCS.glob("*.md")]:
        for target in MARKDOWN_LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue
            assert (page.parent / target).exists(), f"{page.relative_to(ROOT)} links to a missing {target}"


def _text_files() -> list[Path]:
    files = []
    for name in SCANNED:
        path = ROOT / name
        candidates = [path] if path.is_file() else path.rglob("*")
        for file in candidates:
            if file.is_file() and not SKIPPED_DIRS.intersection(file.relative_to(ROOT).parts):
                files.append(file)
    return files


def test_nothing_points_outside_the_repository() -> None:
    offending = []
    for file in _text_files():
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        offending += [
            f"{file.relative_to(ROOT)}:{number}"
            for number, line in enumerate(text.splitlines(), 1)
            if OUTSIDE.search(line)
        ]
    assert not offending, offending
