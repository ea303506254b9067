"""Generated regions shared by the generator tests, and the small parsers they use.

``noisy`` / ``clean``: 3 offices, two weeks from a Monday, with and without noise (same seed, so
the clean events are the same). ``long``: 4 offices, six weeks, no noise — enough journeys for
the statistics of the planted facts.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from include import settings
from include.generator import generate_region

START = dt.date(2026, 9, 7)  # a Monday
DAYS = 14
OFFICES = 3
SEED = 11
LONG = {"seed": 5, "offices": 4, "days": 42, "start": dt.date(2026, 9, 7), "noise": False}


@dataclass
class Region:
    """A generated region: its folder and manifest."""

    root: Path
    manifest: dict[str, Any]
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.manifest["timezone"])

    def files(self, prefix: str) -> list[str]:
        return [f["path"] for f in self.manifest["files"] if f["path"].startswith(prefix)]

    def noise_at(self) -> dict[tuple[str, int], dict[str, Any]]:
        return {(n["file"], n["line_no"]): n for n in self.manifest["noise"]}

    def skipped(self) -> set[tuple[str, int]]:
        """Lines the ingestion does not load as new events (rejected or duplicate)."""
        return {k for k, n in self.noise_at().items() if n["expected"] in ("rejected", "duplicate")}

    @cached_property
    def clients(self) -> dict[str, dict[str, str]]:
        with (self.root / "truth" / "clients.csv").open(encoding="utf-8", newline="") as handle:
            return {row["client_id"]: row for row in csv.DictReader(handle)}

    @cached_property
    def journey_events(self) -> list[dict[str, str]]:
        with (self.root / "truth" / "journey_events.csv").open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    @cached_property
    def journeys(self) -> list[dict[str, str]]:
        with (self.root / "truth" / "journeys.csv").open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    @cached_property
    def truth(self) -> dict[tuple[str, str], tuple[str, str]]:
        """(source, event_key) → (client_id, truth file day)."""
        result: dict[tuple[str, str], tuple[str, str]] = {}
        for entry in self.manifest["truth_files"]:
            if not entry["path"].startswith("truth/events-"):
                continue
            day = entry["path"][-12:-4]
            with (self.root / entry["path"]).open(encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                assert next(reader) == ["source", "event_key", "client_id"]
                for source, key, client in reader:
                    assert (source, key) not in result, (source, key)
                    result[(source, key)] = (client, day)
        return result


def generate(folder: Path, **kwargs: Any) -> Region:
    args: dict[str, Any] = {"seed": SEED, "offices": OFFICES, "start": START, "days": DAYS}
    args.update(kwargs)
    manifest = generate_region(folder, **args)
    return Region(folder / manifest["region_id"], manifest)


def seed_rows(name: str) -> list[dict[str, str]]:
    with (settings.SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def seed_codes(name: str, column: str) -> set[str]:
    return {row[column] for row in seed_rows(name)}


def lines_of(path: Path, encoding: str = "utf-8") -> list[str]:
    """Physical lines without line ends (a BOM stays on the first line)."""
    text = path.read_bytes().decode(encoding)
    lines = text.split("\n")
    return lines[:-1] if text.endswith("\n") else lines


def file_day(path: str) -> dt.date:
    match = re.search(r"(\d{8})(\.\w+)?$", path)
    assert match, path
    return dt.datetime.strptime(match.group(1), "%Y%m%d").date()


def encoding_of(region: Region, rel: str) -> tuple[str, str]:
    """(encoding, separator) of a CSV file of the region."""
    raw = (region.root / rel).read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1251", ";"
    return "utf-8-sig", ","


def json_records(region: Region, prefix: str, skip_noise: bool = True) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(file, line number, object) of every JSON line of the files under ``prefix``."""
    skipped = region.skipped() if skip_noise else set()
    for rel in region.files(prefix):
        for number, line in enumerate(lines_of(region.root / rel), start=1):
            if (rel, number) not in skipped:
                yield rel, number, json.loads(line.removeprefix("\ufeff"))


def csv_records(region: Region, prefix: str, skip_noise: bool = True) -> Iterator[tuple[str, int, dict[str, str]]]:
    """(file, line number, row) of every data row of the CSV/TSV files under ``prefix``."""
    skipped = region.skipped() if skip_noise else set()
    for rel in region.files(prefix):
        tsv = rel.endswith(".tsv")
        encoding, sep = ("utf-8", "\t") if tsv else encoding_of(region, rel)
        lines = lines_of(region.root / rel, encoding)
        header = lines[0].removeprefix("\ufeff").split(sep) if tsv else next(csv.reader([lines[0]], delimiter=sep))
        for number, line in enumerate(lines[1:], start=2):
            if (rel, number) in skipped:
                continue
            fields = line.split("\t") if tsv else next(csv.reader([line], delimiter=sep))
            assert len(fields) == len(header), (rel, number, line)
            yield rel, number, dict(zip(header, fields, strict=True))
