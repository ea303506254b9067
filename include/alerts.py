"""Alerts to the working group: KPI breaches new since the last publish, and failed quality gates.

Every alert is written to ``ops.alerts`` (the record BI and the pages can show). Sending is
off by default; turn it on with ``CJW_ALERTS_CHANNEL=webhook`` (``CJW_ALERTS_WEBHOOK_URL``, or
the Airflow connection ``cjw_alerts_webhook``: host = URL) or ``CJW_ALERTS_CHANNEL=email``
(``CJW_ALERTS_SMTP_HOST``/``_PORT``/``_FROM`` and ``CJW_ALERTS_EMAIL_TO``). In the DAG the
sending goes through ``WorkingGroupNotifier``, an Airflow notifier.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import urllib.request
from email.message import EmailMessage
from typing import Any

import psycopg

from include import settings

log = logging.getLogger(__name__)

ALERTS_DDL = """
create schema if not exists ops;
create table if not exists ops.alerts (
    alert_id bigint generated always as identity primary key,
    created_at timestamptz not null default now(),
    run_id text,
    kind text not null check (kind in ('kpi_breach', 'quality_gate')),
    severity text not null check (severity in ('red', 'amber', 'error')),
    region_id text,
    pain_point_id text,
    kpi_id text,
    message_ru text not null,
    details jsonb,
    sent_via text,
    sent_at timestamptz
);
create table if not exists ops.breach_state (
    pain_point_id text primary key,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    open boolean not null
);
"""


def _ensure(conn: psycopg.Connection[Any]) -> None:
    conn.execute(ALERTS_DDL)


def record_new_breaches(run_id: str, *, dsn: str | None = None) -> list[dict[str, Any]]:
    """Alerts for pain points of the just-published marts that were not open after the last
    publish; breaches that went away are closed (and alert again if they come back)."""
    with psycopg.connect(dsn or settings.warehouse_dsn()) as conn:
        _ensure(conn)
        rows = conn.execute(
            "select p.pain_point_id, p.region_id, p.kpi_id, p.kpi_name_ru, p.value, p.norm_value, p.rank,"
            " p.journey_id, p.stage_id, p.touchpoint_id, p.office_id, p.gap"
            " from marts.pain_points p"
            " left join ops.breach_state s on s.pain_point_id = p.pain_point_id and s.open"
            " where s.pain_point_id is null order by p.rank"
        ).fetchall()
        alerts = []
        for pain_id, region, kpi, name, value, norm, rank, journey, stage, touchpoint, office, gap in rows:
            where = ", ".join(str(x) for x in (journey, stage, touchpoint, office) if x)
            message = f"Новая болевая точка №{rank}: «{name}» ({where}) — {value} при нормативе {norm}"
            details = {"rank": rank, "value": float(value), "norm": float(norm), "gap": float(gap), "where": where}
            conn.execute(
                "insert into ops.alerts (run_id, kind, severity, region_id, pain_point_id, kpi_id, message_ru, details)"
                " values (%s, 'kpi_breach', %s, %s, %s, %s, %s, %s)",
                (run_id, "red" if gap > 0.1 else "amber", region, pain_id, kpi, message, json.dumps(details)),
            )
            alerts.append({"kind": "kpi_breach", "message_ru": message, **details})
        conn.execute(
            "insert into ops.breach_state (pain_point_id, first_seen_at, last_seen_at, open)"
            " select pain_point_id, now(), now(), true from marts.pain_points"
            " on conflict (pain_point_id) do update set last_seen_at = now(), open = true,"
            " first_seen_at = case when ops.breach_state.open then ops.breach_state.first_seen_at else now() end"
        )
        conn.execute(
            "update ops.breach_state set open = false"
            " where open and pain_point_id not in (select pain_point_id from marts.pain_points)"
        )
    return alerts


def record_failed_gate(run_id: str, reason: str, *, dsn: str | None = None) -> dict[str, Any]:
    message = f"Сборка витрин не опубликована, опубликованные данные не изменились: {reason[:500]}"
    with psycopg.connect(dsn or settings.warehouse_dsn()) as conn:
        _ensure(conn)
        conn.execute(
            "insert into ops.alerts (run_id, kind, severity, message_ru, details) values (%s, 'quality_gate', 'error', %s, %s)",
            (run_id, message, json.dumps({"reason": reason})),
        )
    return {"kind": "quality_gate", "message_ru": message}


def channel() -> str:
    """``off`` (default), ``webhook`` or ``email``."""
    return os.environ.get("CJW_ALERTS_CHANNEL", "off").strip().lower() or "off"


def send_pending(*, dsn: str | None = None, webhook_url: str | None = None) -> int:
    """Send the alerts not sent yet through the configured channel; returns how many were sent."""
    how = channel()
    if how == "off":
        return 0
    with psycopg.connect(dsn or settings.warehouse_dsn()) as conn:
        _ensure(conn)
        pending = conn.execute(
            "select alert_id, kind, severity, region_id, message_ru, details from ops.alerts"
            " where sent_at is null order by alert_id"
        ).fetchall()
        if not pending:
            return 0
        payload = [
            {"alert_id": a, "kind": k, "severity": s, "region_id": r, "message_ru": m, "details": d}
            for a, k, s, r, m, d in pending
        ]
        if how == "webhook":
            _post_webhook(webhook_url or _webhook_url(), payload)
        elif how == "email":
            _send_email(payload)
        else:
            raise ValueError(f"unknown CJW_ALERTS_CHANNEL {how!r}: use off, webhook or email")
        conn.execute(
            "update ops.alerts set sent_via = %s, sent_at = now() where alert_id = any(%s)",
            (how, [p["alert_id"] for p in payload]),
        )
    return len(payload)


def _webhook_url() -> str:
    url = os.environ.get("CJW_ALERTS_WEBHOOK_URL", "")
    if not url:
        try:
            from airflow.sdk import BaseHook

            url = BaseHook.get_connection("cjw_alerts_webhook").host or ""
        except Exception:  # no Airflow, or no such connection
            url = ""
    if not url:
        raise ValueError("CJW_ALERTS_CHANNEL=webhook needs CJW_ALERTS_WEBHOOK_URL or the connection cjw_alerts_webhook")
    return url


def _post_webhook(url: str, payload: list[dict[str, Any]]) -> None:
    body = json.dumps({"source": "cjw", "alerts": payload}, ensure_ascii=False, default=str).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status >= 300:
            raise RuntimeError(f"alert webhook answered {response.status}")


def _send_email(payload: list[dict[str, Any]]) -> None:
    message = EmailMessage()
    message["Subject"] = f"Клиентский опыт: {len(payload)} новых оповещений"
    message["From"] = os.environ.get("CJW_ALERTS_SMTP_FROM", "cjw@localhost")
    message["To"] = os.environ["CJW_ALERTS_EMAIL_TO"]
    message.set_content("\n".join(f"• {p['message_ru']}" for p in payload))
    host = os.environ.get("CJW_ALERTS_SMTP_HOST", "localhost")
    port = int(os.environ.get("CJW_ALERTS_SMTP_PORT", "25"))
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        smtp.send_message(message)


def working_group_notifier() -> Any:
    """An Airflow notifier that sends the pending alerts (import Airflow lazily)."""
    from airflow.sdk import BaseNotifier

    class WorkingGroupNotifier(BaseNotifier):
        """Sends ``ops.alerts`` not sent yet to the working group (off unless configured)."""

        def notify(self, context: Any) -> None:
            sent = send_pending()
            log.info("alerts sent to the working group: %s (channel %s)", sent, channel())

    return WorkingGroupNotifier()
