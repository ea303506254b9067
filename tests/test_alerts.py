"""Alerts: new KPI breaches since the last publish and failed gates, stored and (when configured) sent."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import psycopg
import pytest

from include import alerts

PAIN_POINTS = """
create schema if not exists marts;
drop table if exists marts.pain_points;
create table marts.pain_points (
    pain_point_id text, region_id text, kpi_id text, kpi_name_ru text, value numeric, norm_value numeric,
    rank int, journey_id text, stage_id text, touchpoint_id text, office_id text, gap numeric
);
"""


def publish(dsn: str, *pains: tuple[str, float]) -> None:
    """A stand-in for a publish: the marts now hold these pain points (id, gap)."""
    with psycopg.connect(dsn) as conn:
        conn.execute(PAIN_POINTS)
        for rank, (pain_id, gap) in enumerate(pains, start=1):
            conn.execute(
                "insert into marts.pain_points values (%s, 'enskaya', 'call_abandon_rate', 'Доля потерянных звонков',"
                " 0.18, 0.1, %s, null, null, 'call_centre_operator', 'ens-01', %s)",
                (pain_id, rank, gap),
            )


@pytest.fixture()
def webhook() -> Iterator[tuple[str, list[Any]]]:
    received: list[Any] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()


def test_only_breaches_new_since_the_last_publish_alert(fresh_db: str) -> None:
    publish(fresh_db, ("p1", 0.8), ("p2", 0.05))
    first = alerts.record_new_breaches("run-1", dsn=fresh_db)
    assert [a["rank"] for a in first] == [1, 2]
    assert "Новая болевая точка №1" in first[0]["message_ru"]
    assert alerts.record_new_breaches("run-2", dsn=fresh_db) == []  # same breaches: nothing new
    publish(fresh_db, ("p1", 0.8), ("p3", 0.3))  # p2 fixed, p3 appeared
    assert [a["rank"] for a in alerts.record_new_breaches("run-3", dsn=fresh_db)] == [2]
    publish(fresh_db, ("p1", 0.8), ("p2", 0.05), ("p3", 0.3))  # p2 is back: it alerts again
    assert [a["rank"] for a in alerts.record_new_breaches("run-4", dsn=fresh_db)] == [2]
    with psycopg.connect(fresh_db) as conn:
        severities = conn.execute("select severity, count(*) from ops.alerts group by 1 order by 1").fetchall()
    assert severities == [("amber", 2), ("red", 2)]


def test_sending_is_off_by_default_then_goes_through_the_webhook_once(
    fresh_db: str, webhook: tuple[str, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, received = webhook
    publish(fresh_db, ("p1", 0.8))
    alerts.record_new_breaches("run-1", dsn=fresh_db)
    alerts.record_failed_gate("run-2", "dbt.stg_office_visits__tickets: relationships test failed", dsn=fresh_db)
    monkeypatch.delenv("CJW_ALERTS_CHANNEL", raising=False)
    assert alerts.send_pending(dsn=fresh_db, webhook_url=url) == 0
    assert received == []
    monkeypatch.setenv("CJW_ALERTS_CHANNEL", "webhook")
    assert alerts.send_pending(dsn=fresh_db, webhook_url=url) == 2
    assert alerts.send_pending(dsn=fresh_db, webhook_url=url) == 0  # sent once
    [body] = received
    assert [a["kind"] for a in body["alerts"]] == ["kpi_breach", "quality_gate"]
    assert "опубликованные данные не изменились" in body["alerts"][1]["message_ru"]


def test_the_notifier_is_an_airflow_notifier() -> None:
    from airflow.sdk import BaseNotifier

    assert isinstance(alerts.working_group_notifier(), BaseNotifier)
