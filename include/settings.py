"""Settings read from the environment, with defaults that work in a fresh clone.

Every path and secret comes from here so that DAGs, the demo, the tests and the command-line
tools agree. Nothing here opens a connection.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def var_dir() -> Path:
    """Folder for everything the project generates at run time (git-ignored)."""
    return _path_from_env("CJW_VAR_DIR", PROJECT_ROOT / "var")


def landing_dir() -> Path:
    """Where source systems drop their exports: ``<landing>/<region>/<source>/…``."""
    return _path_from_env("CJW_LANDING_DIR", var_dir() / "landing")


def site_dir() -> Path:
    """Where the Russian-language HTML pages are written after each publish."""
    return _path_from_env("CJW_SITE_DIR", var_dir() / "site")


def warehouse_home() -> Path:
    """Folder of the embedded PostgreSQL (data, socket, log) when ``WAREHOUSE_DSN`` is unset."""
    return _path_from_env("CJW_WAREHOUSE_HOME", var_dir() / "warehouse")


def warehouse_dsn() -> str:
    """``WAREHOUSE_DSN``: the warehouse of the DAGs, dbt, GX and the pages.

    The product reads it from the environment only. Whoever starts the embedded PostgreSQL sets it
    (``make demo``, ``make airflow``, ``make docs``, the tests); by hand:
    ``export WAREHOUSE_DSN=$(.venv/bin/python -m tools.warehouse dsn)``.
    """
    dsn = os.environ.get("WAREHOUSE_DSN")
    if dsn:
        return dsn
    raise RuntimeError(
        "no warehouse: set WAREHOUSE_DSN; for the embedded PostgreSQL "
        "`export WAREHOUSE_DSN=$(.venv/bin/python -m tools.warehouse dsn)` (starts it if needed)"
    )


def schedule_timezone() -> str:
    """Time zone of the daily ingest intervals (local midnight to midnight)."""
    return os.environ.get("CJW_SCHEDULE_TIMEZONE", "Europe/Moscow")


def bi_role() -> str:
    """Read-only role that BI tools use; it is granted the published marts only."""
    return os.environ.get("CJW_BI_ROLE", "cjw_bi")


def min_cell() -> int:
    """Figures about fewer observations than this are hidden on the working group's pages."""
    return int(os.environ.get("CJW_MIN_CELL", "5"))


DEFAULT_MAX_LINE_BYTES = 256 * 1024
DEFAULT_MAX_REJECT_SHARE = 0.05
DEFAULT_REJECT_GATE_MIN_LINES = 20


def max_line_bytes() -> int:
    """Longest line (bytes) a connector reads; a longer one is rejected whole (``CJW_MAX_LINE_BYTES``)."""
    value = int(os.environ.get("CJW_MAX_LINE_BYTES") or DEFAULT_MAX_LINE_BYTES)
    if value < 1024:
        raise ValueError(f"CJW_MAX_LINE_BYTES must be at least 1024, got {value}")
    return value


def max_reject_share(source: str) -> float:
    """Largest share of a batch's lines that may be rejected before the batch is not validated:
    ``CJW_MAX_REJECT_SHARE_<SOURCE>`` (e.g. ``…_CALL_CENTRE``), else ``CJW_MAX_REJECT_SHARE``, else 5 %."""
    raw = os.environ.get(f"CJW_MAX_REJECT_SHARE_{source.upper()}") or os.environ.get("CJW_MAX_REJECT_SHARE")
    value = float(raw) if raw else DEFAULT_MAX_REJECT_SHARE
    if not 0 <= value <= 1:
        raise ValueError(f"the reject share threshold must be between 0 and 1, got {value}")
    return value


def reject_gate_min_lines() -> int:
    """So few rejected lines never fail a batch by their share (a day of 4 case events with 2 bad
    ones is noise, not a broken export): ``CJW_REJECT_GATE_MIN_LINES``, default 20."""
    return int(os.environ.get("CJW_REJECT_GATE_MIN_LINES") or DEFAULT_REJECT_GATE_MIN_LINES)
