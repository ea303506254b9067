"""What an ingest DAG run does, as plain functions: load one interval, validate the batch.

The DAGs only wire these; the command line (``python -m include.connectors.<source>``) and the
tests call them directly.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import psycopg

from include import config, settings
from include.connectors import connector_for
from include.loading import BatchLoader
from include.pseudonymise import Pseudonymiser, key_from_env

log = logging.getLogger(__name__)


class BatchValidationError(RuntimeError):
    """The Great Expectations suite failed: the batch stays out of the build."""


def regions_with_files(source: str, landing: Path | None = None) -> list[str]:
    """Regions (from the seeds) that have a landing folder for ``source``, plus those the
    source's connector pulls itself (``configured_regions()``, e.g. a Metrica counter)."""
    root = landing or settings.landing_dir()
    found = {r for r in config.regions() if (root / r / source).is_dir()}
    configured = getattr(connector_for(source), "configured_regions", None)
    if configured is not None:
        found.update(configured())
    return sorted(found)


def load_interval(
    source: str,
    region_id: str,
    start: datetime,
    end: datetime,
    *,
    dsn: str | None = None,
    key: bytes | None = None,
    landing: Path | None = None,
    run_id: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Load the files of ``[start, end)`` for one region as one batch; returns the batch report."""
    connector = connector_for(source)
    region = config.region(region_id)
    pseudonymiser = Pseudonymiser(key if key is not None else key_from_env())
    source_dir = (landing or settings.landing_dir()) / region_id / source
    with psycopg.connect(dsn or settings.warehouse_dsn()) as conn:
        report = BatchLoader(conn, connector, region, pseudonymiser, progress=progress).load(
            source_dir, start, end, run_id=run_id
        )
    return report.as_dict()


def validate_batch(source: str, batch_id: int, *, dsn: str | None = None) -> dict[str, Any]:
    """Run the raw-table suites on one batch and record the outcome on the batch."""
    from expectations import BatchInfo, raw_suites
    from include.quality import run_suite

    dsn = dsn or settings.warehouse_dsn()
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "select region_id, interval_start, interval_end, status from raw.ingest_batches where batch_id = %s",
            (batch_id,),
        ).fetchone()
        if row is None:
            raise KeyError(f"no batch {batch_id}")
        region_id, start, end, status = row
        if status == "replaced":
            raise BatchValidationError(f"batch {batch_id} was replaced by a later run of the same interval")
        files_per_table: dict[str, int] = dict(
            conn.execute(
                "select raw_table, count(*) from raw.ingest_files where batch_id = %s and status = 'loaded'"
                " group by raw_table",
                (batch_id,),
            ).fetchall()
        )
    results = []
    for module in raw_suites(source):
        batch = BatchInfo(batch_id, region_id, start, end, int(files_per_table.get(module.TABLE, 0)))
        query = f"select * from raw.{module.TABLE} where batch_id = {int(batch_id)}"
        results.append(run_suite(dsn, partial(module.build_suite, batch), query))
    success = all(r["success"] for r in results)
    summary = {"batch_id": batch_id, "success": success, "suites": results}
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "update raw.ingest_batches set status = %s, validated_at = now(), validation = %s"
            " where batch_id = %s and status <> 'replaced'",
            ("validated" if success else "failed_validation", json.dumps(summary, ensure_ascii=False), batch_id),
        )
    return summary
