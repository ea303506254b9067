"""Helpers for connector tests: write landing files, load an interval into a fresh database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest

from include.ingest import load_interval

REGION = "enskaya"
MSK = ZoneInfo("Europe/Moscow")
KEY = b"test-key-0123456789abcdef"


@pytest.fixture()
def landing(tmp_path: Path) -> Path:
    return tmp_path / "landing"


@pytest.fixture()
def load(fresh_db: str, landing: Path) -> Callable[..., dict[str, Any]]:
    def _load(source: str, day: date, days: int = 1) -> dict[str, Any]:
        start = datetime.combine(day, datetime.min.time(), MSK)
        return load_interval(
            source, REGION, start, start + timedelta(days=days), dsn=fresh_db, key=KEY, landing=landing
        )

    return _load


@pytest.fixture()
def query(fresh_db: str) -> Callable[..., list[tuple[Any, ...]]]:
    def _query(sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(fresh_db) as conn:
            return list(conn.execute(sql, params or None).fetchall())  # type: ignore[arg-type]

    return _query


def write(path: Path, text: str | bytes, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path
