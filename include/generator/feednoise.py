"""Defects of the website, portal, chatbot, case and survey exports, added as extra lines.

Unlike the queue_log and office noise, these defects never spoil a real event: every bad line is
an extra line derived from a real one (with a fresh id, so it cannot be mistaken for the
original), a duplicate is an exact copy placed right after the original, a BOM or a Windows-1251
encoding changes the bytes of a whole file but not its content. So the clean events of a noisy
region are exactly those of the same region generated without noise.

Kinds (``expected`` in brackets): ``broken_json`` / ``broken_row`` (rejected), ``wrong_types``
(rejected: ``seq`` "three", ``csat`` 7 …), ``impossible_timestamp`` (rejected: 30 February or
year 1899), ``unknown_code`` (rejected), ``duplicate_line`` / ``duplicate_row`` (duplicate),
``truncated_line`` (rejected: last line cut, no newline), ``missing_column`` (rejected),
``utf8_bom`` and ``windows_1251`` (loaded: the whole file is fine).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from dataclasses import dataclass, field

from include.generator import identity as ident
from include.generator.feeds import json_line
from include.generator.noise import NoiseItem, item
from include.generator.surveys import csv_line

JSON_KINDS = (
    "broken_json", "wrong_types", "impossible_timestamp", "unknown_code", "duplicate_line", "utf8_bom",
    "truncated_line",
)  # fmt: skip
SURVEY_KINDS = (
    "broken_row", "wrong_types", "impossible_timestamp", "unknown_code", "duplicate_line", "utf8_bom",
    "windows_1251", "truncated_line",
)  # fmt: skip
TSV_KINDS = ("missing_column", "duplicate_row")
FEED_KINDS = {
    "hits": TSV_KINDS, "visits": TSV_KINDS, "portal": JSON_KINDS, "chatbot": JSON_KINDS, "cases": JSON_KINDS,
    "surveys": SURVEY_KINDS,
}  # fmt: skip
ONCE = {"utf8_bom", "windows_1251"}  # one file per feed
EXPECTED = {
    "duplicate_line": "duplicate", "duplicate_row": "duplicate", "utf8_bom": "loaded", "windows_1251": "loaded",
}  # fmt: skip
FILE_LEVEL = {"utf8_bom", "windows_1251"}  # never both in one file
ONCE_PER_FILE = {"utf8_bom", "windows_1251", "truncated_line"}
ID_FIELD = {"portal": "event_id", "chatbot": "session_id", "cases": "event_id"}
TIME_FIELD = {"portal": "occurred_at", "chatbot": "ts", "cases": "occurred_at"}
UNKNOWN = {
    "portal": ("event_type", "password_reset"),
    "chatbot": ("intent", "weather_forecast"),
    "cases": ("event_type", "case_archived"),
}
BAD_DATES = ("2026-02-30", "1899-12-31")
SURVEY_FIELDS = {"response_id": 0, "touchpoint_id": 2, "responded_at": 3, "csat": 4, "nps": 6, "comment": 12}


@dataclass
class FeedNoise:
    """Which feed files get which defects; kinds a file cannot take move on to the next file."""

    seed: int
    plan: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # feed -> ISO day -> kinds
    carry: dict[str, list[str]] = field(default_factory=dict)
    fresh: int = 0

    @classmethod
    def make(cls, rng: random.Random, days: list[dt.date], seed: int) -> FeedNoise:
        weekdays = [d.isoformat() for d in days if d.isoweekday() <= 5] or [d.isoformat() for d in days]
        plan: dict[str, dict[str, list[str]]] = {}
        per_kind = max(1, round(len(days) / 14))
        for feed, kinds in FEED_KINDS.items():
            chosen: dict[str, list[str]] = {}
            for kind in kinds:
                for day in rng.sample(weekdays, 1 if kind in ONCE else min(per_kind, len(weekdays))):
                    chosen.setdefault(day, []).append(kind)
            _separate_encodings(chosen, weekdays, rng)
            plan[feed] = chosen
        return cls(seed, plan)

    def kinds_for(self, feed: str, day: dt.date) -> list[str]:
        """The defects of a feed's file of ``day``; those a file can have only once wait for the next."""
        now: list[str] = []
        later: list[str] = []
        for kind in self.carry.pop(feed, []) + self.plan.get(feed, {}).get(day.isoformat(), []):
            clash = kind in ONCE_PER_FILE and (kind in now or (kind in FILE_LEVEL and FILE_LEVEL & set(now)))
            (later if clash else now).append(kind)
        self.postpone(feed, later)
        return now

    def postpone(self, feed: str, kinds: list[str]) -> None:
        if kinds:
            self.carry.setdefault(feed, []).extend(kinds)

    def fresh_id(self, feed: str) -> str:
        self.fresh += 1
        if feed == "surveys":
            return f"SR{90_000_000 + self.fresh:08d}"
        if feed in ("hits", "visits"):
            return ident.watch_id(10**9 + self.fresh, self.seed + (feed == "visits"))
        return ident.uuid_like(10**9 + self.fresh, self.seed + 97)


def _separate_encodings(chosen: dict[str, list[str]], days: list[str], rng: random.Random) -> None:
    """A BOM and the Windows-1251 encoding never hit the same file."""
    both = [d for d, kinds in chosen.items() if "utf8_bom" in kinds and "windows_1251" in kinds]
    for day in both:
        others = [d for d in days if d != day]
        if others:
            chosen[day].remove("windows_1251")
            chosen.setdefault(rng.choice(others), []).append("windows_1251")


@dataclass
class Spoiled:
    """A feed file after the noise step."""

    lines: list[str]
    items: list[NoiseItem]
    newline_at_end: bool = True
    bom: bool = False
    windows_1251: bool = False


def spoil(
    feed: str,
    lines: list[str],
    kinds: list[str],
    rng: random.Random,
    rel: str,
    noise: FeedNoise,
    header: bool,
    sep: str = ",",
) -> Spoiled:
    """Add the defects ``kinds`` to a file's data ``lines`` (without header); ``header`` shifts line numbers."""
    out: list[tuple[str, str | None]] = [(line, None) for line in lines]
    result = Spoiled([], [])
    for kind in kinds:
        if kind == "utf8_bom":
            result.bom = True
        elif kind == "windows_1251":
            result.windows_1251 = True
        elif kind != "truncated_line":
            at = rng.randrange(len(lines))
            source = lines[at]
            position = next(i for i, (text, tag) in enumerate(out) if text == source and tag is None) + 1
            out.insert(position, (_derive(feed, kind, source, rng, noise, sep), kind))
    if "truncated_line" in kinds:
        source = _derive(feed, "fresh", rng.choice(lines), rng, noise, sep)
        out.append((source[: max(5, int(len(source) * rng.uniform(0.3, 0.7)))], "truncated_line"))
        result.newline_at_end = False
    offset = 2 if header else 1
    for index, (text, tag) in enumerate(out):
        result.lines.append(text)
        if tag:
            result.items.append(item(rel, index + offset, tag, EXPECTED.get(tag, "rejected")))
    for kind in kinds:
        if kind in FILE_LEVEL:
            result.items.append(item(rel, 1, kind, "loaded"))
    return result


def _derive(feed: str, kind: str, line: str, rng: random.Random, noise: FeedNoise, sep: str) -> str:
    """The bad (or duplicate) line of ``kind`` made from a real line."""
    if kind in ("duplicate_line", "duplicate_row"):
        return line
    if feed in ("hits", "visits"):
        fields = line.split("\t")
        fields[0] = noise.fresh_id(feed)
        if kind == "missing_column":
            del fields[4 if feed == "hits" else 5]
        return "\t".join(fields)
    if feed == "surveys":
        return _derive_survey(kind, line, rng, noise, sep)
    record = json.loads(line)
    record[ID_FIELD[feed]] = noise.fresh_id(feed)
    if kind == "broken_json":
        text = json_line(record)
        cut = int(len(text) * rng.uniform(0.35, 0.75))
        return text[:cut] + rng.choice(('","', "}{", '"'))
    if kind == "wrong_types":
        if feed == "chatbot":
            record["seq"] = "three"
        elif feed == "portal":
            record["occurred_at"] = 1788240001
        else:
            record["amount_rub"] = "12 500,00 руб."
    elif kind == "impossible_timestamp":
        field_name = TIME_FIELD[feed]
        record[field_name] = rng.choice(BAD_DATES) + record[field_name][10:]
    elif kind == "unknown_code":
        name, value = UNKNOWN[feed]
        if feed == "chatbot":
            record.update(event="intent_recognised", intent=value, confidence=0.91)
            record.pop("text", None)
        else:
            record[name] = value
    return json_line(record)


def _derive_survey(kind: str, line: str, rng: random.Random, noise: FeedNoise, sep: str) -> str:
    fields = next(csv.reader([line], delimiter=sep))
    fields[SURVEY_FIELDS["response_id"]] = noise.fresh_id("surveys")
    if kind == "broken_row":  # the separator in the comment is not quoted: one field too many
        fields = [f.replace(sep, " ").replace('"', "") for f in fields]
        fields[SURVEY_FIELDS["comment"]] = f"долго{sep} очень долго"
        return sep.join(fields)
    if kind == "wrong_types":
        fields[SURVEY_FIELDS["csat"]], fields[SURVEY_FIELDS["nps"]] = "7", "11"
    elif kind == "impossible_timestamp":
        stamp = fields[SURVEY_FIELDS["responded_at"]]
        fields[SURVEY_FIELDS["responded_at"]] = rng.choice(BAD_DATES) + stamp[10:]
    elif kind == "unknown_code":
        fields[SURVEY_FIELDS["touchpoint_id"]] = "info_kiosk"
    return csv_line(fields, sep)
