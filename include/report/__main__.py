"""Command line: ``python -m include.report --dsn postgresql://… --out var/site``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from include import settings
from include.report.render import render_site


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m include.report",
        description="Write the Russian-language pages (overview, KPIs, journey maps) from the published marts.",
    )
    parser.add_argument(
        "--dsn",
        default=os.environ.get("WAREHOUSE_DSN"),
        help="PostgreSQL connection string (default: $WAREHOUSE_DSN)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=settings.site_dir(),
        help="folder of the site (default: $CJW_SITE_DIR or var/site)",
    )
    parser.add_argument("--schema", default="marts", help="published schema (default: marts)")
    parser.add_argument("--region", default=None, help="region_id when the marts hold several")
    parser.add_argument(
        "--min-cell",
        type=int,
        default=5,
        help="hide values measured on fewer observations (default: 5)",
    )
    parser.add_argument(
        "--quality",
        type=Path,
        default=None,
        help='JSON file with the quality gate summary, e.g. {"status": "passed", "checks": 42, "failed": 0}',
    )
    parser.add_argument(
        "--published-at",
        type=datetime.fromisoformat,
        default=None,
        help="publication time, ISO 8601 (default: now)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    if not args.dsn:
        print("error: pass --dsn or set WAREHOUSE_DSN", file=sys.stderr)
        return 2
    quality: dict[str, Any] | None = None
    if args.quality is not None:
        quality = json.loads(args.quality.read_text(encoding="utf-8"))
    index = render_site(
        args.dsn,
        args.out,
        schema=args.schema,
        published_at=args.published_at,
        quality=quality,
        min_cell=args.min_cell,
        region_id=args.region,
    )
    print(index)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
