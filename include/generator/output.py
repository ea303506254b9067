"""Writing the region's files: data files (listed in the manifest's ``files``), feed files with their
noise, and the truth files under ``<region>/truth/`` (listed in ``truth_files``).

Each written file is recorded with its SHA-256 and its number of lines (a last line without a
newline counts). A rerun into the same folder first deletes what the previous run's manifest
listed, so no stale day is left behind.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import random
from pathlib import Path
from typing import Any

from include.generator import feednoise as fn
from include.generator.noise import NoiseItem
from include.generator.surveys import csv_line

TRUTH_HEADER = "source,event_key,client_id"
FEED_FILES = {
    "hits": "website/hits-{d}.tsv",
    "visits": "website/visits-{d}.tsv",
    "portal": "website/portal_events-{d}.jsonl",
    "chatbot": "chatbot/chatbot_events-{d}.jsonl",
    "cases": "cases/case_events-{d}.jsonl",
    "surveys": "surveys/survey_responses-{d}.csv",
    "email_requests": "email_requests/email_requests-{d}.jsonl",
}


def csv_text(rows: list[list[str]], sep: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


class Output:
    """The region folder: writes files and keeps the manifest's file lists and noise items."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: list[dict[str, Any]] = []
        self.truth_files: list[dict[str, Any]] = []
        self.noise_items: list[NoiseItem] = []

    def write(self, rel: str, data: bytes, truth: bool = False) -> int:
        """Write ``data`` to ``rel``; returns its number of lines."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
        entry = {"path": rel, "sha256": hashlib.sha256(data).hexdigest(), "lines": lines}
        (self.truth_files if truth else self.files).append(entry)
        return lines

    def write_text(self, rel: str, text: str, encoding: str = "utf-8") -> int:
        return self.write(rel, text.encode(encoding))

    def remove_previous_output(self) -> None:
        manifest = self.root / "manifest.json"
        if not manifest.exists():
            return
        previous = json.loads(manifest.read_text(encoding="utf-8"))
        if previous.get("generator") != "include.generator":
            return
        for entry in previous.get("files", []) + previous.get("truth_files", []):
            (self.root / entry["path"]).unlink(missing_ok=True)
        manifest.unlink()

    def feed_file(
        self,
        feed: str,
        day: dt.date,
        header: str | None,
        lines: list[str],
        noise: fn.FeedNoise | None,
        rng: random.Random | None,
    ) -> int:
        """Write one day's file of a feed with its planned noise; returns its number of data lines."""
        kinds = noise.kinds_for(feed, day) if noise else []
        if not lines:
            if noise:
                noise.postpone(feed, kinds)
            return 0
        rel = FEED_FILES[feed].format(d=f"{day:%Y%m%d}")
        sep = ";" if "windows_1251" in kinds else ","
        if sep == ";":
            lines = [csv_line(next(csv.reader([line])), sep) for line in lines]
            header = header.replace(",", ";") if header else header
        if kinds and noise and rng:
            spoiled = fn.spoil(feed, lines, kinds, rng, rel, noise, header is not None, sep)
        else:
            spoiled = fn.Spoiled(lines, [])
        self.noise_items.extend(spoiled.items)
        body = [header, *spoiled.lines] if header is not None else spoiled.lines
        text = "\n".join(body) + ("\n" if spoiled.newline_at_end else "")
        data = ("\ufeff" + text if spoiled.bom else text).encode("cp1251" if spoiled.windows_1251 else "utf-8")
        self.write(rel, data)
        return len(spoiled.lines)

    def truth_day(self, day: dt.date, rows: list[str]) -> None:
        self.write(f"truth/events-{day:%Y%m%d}.csv", ("\n".join([TRUTH_HEADER, *rows]) + "\n").encode(), truth=True)

    def truth_table(self, name: str, header: list[str], rows: list[list[str]]) -> None:
        self.write(f"truth/{name}.csv", csv_text([header, *rows], ",").encode(), truth=True)
