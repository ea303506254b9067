"""Defects real exports have, injected on purpose and recorded line by line.

Every item lands in the manifest as ``{"file", "line_no", "kind", "expected"}`` where
``expected`` is what the ingestion should do with the line: ``rejected`` (bad line, goes to
``rejected_<source>``), ``duplicate`` (exact repeat of the previous line) or ``loaded`` (odd but
valid, such as a call without an exit line after an Asterisk restart).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

NoiseItem = dict[str, Any]
DUPLICATE_ENTERQUEUE = 0.002
NO_EXIT = 0.001
TRUNCATED_FILE = 0.1  # share of queue_log files whose last line is cut
UNKNOWN_EVENT_FILE = 0.15  # share of queue_log files with one line of an unknown event
UNKNOWN_EVENTS = ("FOOBAR", "QUEUEFLUX", "AGENTWOBBLE")
BAD_TIMESTAMP = "#ЗНАЧ!"
ISSUED_AT = 5
WINDOW = 9


@dataclass
class NoisePlan:
    """File-level noise decided up front from the calendar, so every kind occurs at least once."""

    truncated_days: set[str] = field(default_factory=set)  # ISO dates of queue_log files
    unknown_days: set[str] = field(default_factory=set)
    office: dict[tuple[str, str], list[str]] = field(default_factory=dict)


def make_plan(rng: np.random.Generator, call_days: list[str], office_days: list[tuple[str, str]]) -> NoisePlan:
    """Pick the queue_log days to spoil (among days with calls) and the office files."""
    return NoisePlan(
        truncated_days=_pick(rng, call_days, TRUNCATED_FILE),
        unknown_days=_pick(rng, call_days, UNKNOWN_EVENT_FILE),
        office=office_plan(rng, office_days),
    )


def _pick(rng: np.random.Generator, days: list[str], share: float) -> set[str]:
    if not days:
        return set()
    count = min(len(days), max(1, round(share * len(days))))
    return {days[i] for i in rng.choice(len(days), size=count, replace=False).tolist()}


def item(file: str, line_no: int, kind: str, expected: str) -> NoiseItem:
    """One manifest noise record."""
    return {"file": file, "line_no": line_no, "kind": kind, "expected": expected}


def call_tags(rng: np.random.Generator, n: int) -> list[str | None]:
    """Per-call noise: a duplicated ENTERQUEUE line or no exit line at all."""
    draw = rng.random(n).tolist()
    return [
        "dup" if r < DUPLICATE_ENTERQUEUE else "no_exit" if r < DUPLICATE_ENTERQUEUE + NO_EXIT else None for r in draw
    ]


def queue_log_text(
    lines: list[tuple[int, str, str | None]],
    rel: str,
    rng: np.random.Generator | None,
    queue_name: str,
    *,
    unknown: bool = False,
    truncate: bool = False,
) -> tuple[str, list[NoiseItem], int]:
    """Assemble a queue_log file from sorted lines, with the noise its tags and flags ask for.

    Returns the file's text, its noise items and its number of lines.
    """
    out: list[str] = []
    items: list[NoiseItem] = []
    for _epoch, text, tag in lines:
        out.append(text)
        if tag == "dup":
            out.append(text)
            items.append(item(rel, len(out), "duplicate_enterqueue", "duplicate"))
        elif tag == "no_exit":
            items.append(item(rel, len(out), "no_exit", "loaded"))
    if rng is None or len(out) < 3:
        return "\n".join(out) + "\n", items, len(out)
    if unknown:
        _insert_unknown(out, items, rel, rng, queue_name)
    if truncate and not any(i["line_no"] == len(out) for i in items):
        out[-1] = _truncate(out[-1], rng)
        items.append(item(rel, len(out), "truncated_line", "rejected"))
        return "\n".join(out), items, len(out)
    return "\n".join(out) + "\n", items, len(out)


def _insert_unknown(
    out: list[str],
    items: list[NoiseItem],
    rel: str,
    rng: np.random.Generator,
    queue_name: str,
) -> None:
    at = int(rng.integers(1, len(out)))  # after line ``at`` (1-based), never before QUEUESTART
    epoch = out[at - 1].split("|", 1)[0]
    name = UNKNOWN_EVENTS[int(rng.integers(0, len(UNKNOWN_EVENTS)))]
    out.insert(at, f"{epoch}|NONE|{queue_name}|NONE|{name}|||")
    for existing in items:
        if existing["line_no"] > at:
            existing["line_no"] += 1
    items.append(item(rel, at + 1, "unknown_event", "rejected"))


def _truncate(line: str, rng: np.random.Generator) -> str:
    """Cut a line inside its queue or agent field so that fewer than five fields remain."""
    pipes = [i for i, ch in enumerate(line) if ch == "|"]
    low, high = pipes[1] + 2, pipes[3]
    return line[: int(rng.integers(low, high))] if high > low else line[: pipes[2]]


def office_plan(rng: np.random.Generator, office_days: list[tuple[str, str]]) -> dict:
    """Which office files get a bad timestamp and a wrong column count: {(office, day): kinds}."""
    plan: dict[tuple[str, str], list[str]] = {}
    if not office_days:
        return plan
    picks = rng.choice(len(office_days), size=min(2, len(office_days)), replace=False).tolist()
    kinds = ("bad_timestamp", "wrong_column_count")
    for n, kind in enumerate(kinds):
        plan.setdefault(office_days[picks[n % len(picks)]], []).append(kind)
    return plan


def office_rows(
    rows: list[list[str]], kinds: list[str], rng: np.random.Generator, rel: str
) -> tuple[list[list[str]], list[NoiseItem]]:
    """Spoil one row per kind: an unparseable ``issued_at`` or an unquoted extra field."""
    if not rows:
        return rows, []
    chosen = rng.choice(len(rows), size=min(len(kinds), len(rows)), replace=False).tolist()
    items = []
    for kind, index in zip(kinds, chosen, strict=False):
        row = list(rows[index])
        if kind == "bad_timestamp":
            row[ISSUED_AT] = BAD_TIMESTAMP
        else:
            row.insert(WINDOW + 1, "2 этаж")
        rows[index] = row
        items.append(item(rel, index + 2, kind, "rejected"))  # +1 header, +1 one-based
    return rows, items
