"""One case of the hostile-input corpus (``test_corpus.py``); a source's cases may live in
``cases_<source>.py`` beside it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Case:
    id: str
    source: str
    files: dict[str, bytes]  # name (under <landing>/<region>/<source>/) → content
    loaded: int
    rejected: dict[tuple[str, int], str] = field(default_factory=dict)  # (file name, line) → reason part
    duplicate: int = 0
    validated: bool = True
    earlier: dict[str, bytes] = field(default_factory=dict)  # files of the day before, loaded first
    env: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[Path], None] | None = None  # makes links, FIFOs … in the source folder
    check: Callable[[Callable[..., list[tuple[Any, ...]]]], None] | None = None  # more assertions
    rerun: bool = False  # load the interval twice: the second run replaces the first


def one(name: str, line: int, reason: str) -> dict[tuple[str, int], str]:
    return {(name, line): reason}
