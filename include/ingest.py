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
from psycopg import sql

from include import config, settings
from include.connectors import connector_for
from include.loading import FILE_LEVEL_REASONS, BatchLoader, discard_batch_rows
from include.pseudonymise import Pseudonymiser, key_from_env, mask_text

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


def validate_batch(source: str, batch_id: int, *, dsn: str | None = None, run_id: str | None = None) -> dict[str, Any]:
    """Judge one batch and record the verdict on it.

    First the reject gate (:func:`reject_gate`): too many lines rejected, a file whose header is
    unknown or a queue name the seeds lack — then the Great Expectations suites of the source.
    A batch that fails either is ``failed_validation``: its loaded rows are removed (staging never
    sees them; its rejected lines and counts stay), an alert names the files and the top reasons,
    and the DAG does not update the source's Asset. Validation results keep counts and masked
    samples only."""
    from expectations import BatchInfo, batch_query, raw_suites
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
        # the suites' volume bound counts files that brought rows: an empty export (a day without
        # portal events) is legitimate, and a file whose every line was rejected is the gate's
        files_per_table: dict[str, int] = dict(
            conn.execute(
                "select raw_table, count(*) from raw.ingest_files where batch_id = %s and status = 'loaded'"
                " and rows_loaded > 0 group by raw_table",
                (batch_id,),
            ).fetchall()
        )
        gate = reject_gate(conn, source, batch_id)
    results = []
    if gate["passed"]:
        for module in raw_suites(source):
            batch = BatchInfo(batch_id, region_id, start, end, int(files_per_table.get(module.TABLE, 0)))
            query = batch_query(module, batch_id)
            results.append(_masked_result(run_suite(dsn, partial(module.build_suite, batch), query)))
    success = gate["passed"] and all(r["success"] for r in results)
    summary: dict[str, Any] = {"batch_id": batch_id, "success": success, "gate": gate, "suites": results}
    if not success:
        summary["reason"] = failure_reason(source, summary)
    connector = connector_for(source)
    with psycopg.connect(dsn) as conn, conn.transaction():
        updated = conn.execute(
            "update raw.ingest_batches set status = %s, validated_at = now(), validation = %s"
            " where batch_id = %s and status <> 'replaced'",
            ("validated" if success else "failed_validation", json.dumps(summary, ensure_ascii=False), batch_id),
        ).rowcount
        if not success and updated:
            summary["rows_removed"] = discard_batch_rows(conn, connector, batch_id)
    if not success:
        log.error("%s", summary["reason"])
        _alert_failed_batch(dsn, source, region_id, start, end, summary, run_id)
    return summary


def reject_gate(conn: psycopg.Connection[Any], source: str, batch_id: int) -> dict[str, Any]:
    """Is the share of rejected lines of a batch acceptable?

    Fails when more than ``CJW_MAX_REJECT_SHARE`` (per source: ``CJW_MAX_REJECT_SHARE_<SOURCE>``,
    default 5 %) of the lines read were rejected — once at least ``CJW_REJECT_GATE_MIN_LINES``
    (default 20) were, so that a day of four case events with two broken ones is not a failed day —
    or when any line was rejected because its file's header or a queue name is unknown. Returns the
    verdict with the figures, the files with the most rejections and the top reasons (masked)."""
    connector = connector_for(source)
    read, rejected, duplicate = conn.execute(
        "select rows_read, rows_rejected, rows_duplicate from raw.ingest_batches where batch_id = %s", (batch_id,)
    ).fetchone() or (0, 0, 0)
    threshold = settings.max_reject_share(source)
    minimum = settings.reject_gate_min_lines()
    files = [
        {"path": path, "read": int(lines), "rejected": int(bad)}
        for path, lines, bad in conn.execute(
            "select path, lines_read, rows_rejected from raw.ingest_files where batch_id = %s and rows_rejected > 0"
            " order by rows_rejected desc, file_seq limit 5",
            (batch_id,),
        ).fetchall()
    ]
    table = sql.Identifier(connector.rejected_table)
    reasons = [
        {"reason": reason[:300], "lines": int(count)}
        for reason, count in conn.execute(
            sql.SQL(
                "select reason, count(*) from raw.{} where batch_id = %s group by reason order by count(*) desc, reason"
                " limit 5"
            ).format(table),
            (batch_id,),
        ).fetchall()
    ]
    patterns = [f"{prefix}%" for prefix in FILE_LEVEL_REASONS]
    file_level_row = conn.execute(
        sql.SQL("select count(*) from raw.{} where batch_id = %s and reason like any(%s)").format(table),
        (batch_id, patterns),
    ).fetchone()
    file_level = int(file_level_row[0]) if file_level_row else 0
    share = rejected / read if read else 0.0
    problems = []
    if rejected >= minimum and share > threshold:
        problems.append(f"{rejected} of {read} lines rejected ({share:.1%}, more than {threshold:.0%})")
    if file_level:
        problems.append(f"{file_level} line(s) rejected because their file's header or a queue name is unknown")
    return {
        "passed": not problems,
        "read": int(read),
        "rejected": int(rejected),
        "duplicate": int(duplicate),
        "share": round(share, 6),
        "threshold": threshold,
        "min_lines": minimum,
        "problems": problems,
        "files": files,
        "top_reasons": reasons,
    }


def failure_reason(source: str, summary: dict[str, Any]) -> str:
    """One readable sentence of why a batch was not validated: the gate's problems with the files
    and reasons behind them, or the failed expectations with their counts (never values)."""
    gate = summary.get("gate") or {}
    head = f"{source} batch {summary['batch_id']} not validated"
    if gate and not gate.get("passed", True):
        files = ", ".join(f"{Path(f['path']).name} ({f['rejected']} of {f['read']})" for f in gate["files"][:3])
        reasons = "; ".join(f"{r['reason']} ({r['lines']})" for r in gate["top_reasons"][:3])
        return f"{head}: {'; '.join(gate['problems'])}. Files: {files}. Top reasons: {reasons}"
    failed = []
    for suite in summary.get("suites", []):
        for item in suite["failed"]:
            column = item["kwargs"].get("column") or item["kwargs"].get("column_list") or ""
            share = item.get("unexpected_percent")
            extra = f", {share:.2f} % of rows" if isinstance(share, int | float) else ""
            failed.append(f"{suite['suite'].split('__batch_')[0]}: {item['expectation']}({column}{extra})")
    return f"{head}: Great Expectations failed: {'; '.join(failed)}"


def _masked_result(result: dict[str, Any]) -> dict[str, Any]:
    """A suite's result as stored and logged: observed values and samples through the masking
    routine (keyless), shortened — a failing PII check must not copy the phone it found."""

    def mask(value: Any) -> Any:
        if isinstance(value, str):
            return mask_text(value)[:80]
        if isinstance(value, list):
            return [mask(v) for v in value[:5]]
        if isinstance(value, dict):
            return {k: mask(v) for k, v in value.items()}
        return value

    failed = [
        {**item, "observed": mask(item.get("observed")), "partial_unexpected": mask(item.get("partial_unexpected"))}
        for item in result["failed"]
    ]
    return {**result, "failed": failed}


def _alert_failed_batch(
    dsn: str,
    source: str,
    region_id: str,
    start: datetime,
    end: datetime,
    summary: dict[str, Any],
    run_id: str | None,
) -> None:
    """An alert to the working group (``ops.alerts``, and the configured channel): a source's day
    did not reach the build, with the files and the top reasons."""
    from include.alerts import ALERTS_DDL, send_pending

    gate = summary.get("gate") or {}
    day = start.date().isoformat() if (end - start).days <= 1 else f"{start.date()} – {end.date()}"
    if gate and not gate.get("passed", True):
        files = ", ".join(f"{Path(f['path']).name} ({f['rejected']} из {f['read']})" for f in gate["files"][:3])
        reasons = "; ".join(f"{r['reason'][:120]} ({r['lines']})" for r in gate["top_reasons"][:3])
        why = (
            f"отклонено {gate['rejected']} из {gate['read']} строк ({gate['share']:.1%}, порог {gate['threshold']:.0%})"
            f"; файлы: {files}; причины: {reasons}"
        )
    else:
        why = summary.get("reason", "проверки Great Expectations не пройдены")
    message = f"Данные источника {source} ({region_id}) за {day} не приняты и не попадут в витрины: {why}"
    details = {"source": source, "batch_id": summary["batch_id"], "reason": summary.get("reason"), "gate": gate}
    with psycopg.connect(dsn) as conn:
        conn.execute(ALERTS_DDL)
        conn.execute(
            "insert into ops.alerts (run_id, kind, severity, region_id, message_ru, details)"
            " values (%s, 'quality_gate', 'error', %s, %s, %s)",
            (run_id, region_id, message[:4000], json.dumps(details, ensure_ascii=False, default=str)),
        )
    try:
        send_pending(dsn=dsn)
    except Exception as exc:  # the alert is recorded; a broken channel must not hide the verdict
        log.error("the alert about batch %s was recorded but could not be sent: %s", summary["batch_id"], exc)
