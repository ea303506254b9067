"""The Metrica Logs API client against a fake Logs API on 127.0.0.1 that speaks the protocol.

The fake server serves evaluate → create → status ``created``, then ``processing`` for a few
polls, then ``processed`` with two parts (each with the header, as the real API does) → part
downloads → clean; it can answer 429 with ``Retry-After``, fail a part download once (HTTP 500
or a connection that breaks off mid-body) and let a request end ``processing_failed``.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from include.connectors.metrica import (
    HIT_FIELDS,
    VISIT_FIELDS,
    LogRequestFailed,
    LogsApiClient,
    MetricaApiError,
    MetricaError,
    MetricaTimeout,
    RetryPolicy,
    fetch_from_logs_api,
    parse_retry_after,
)
from tests.connectors.conftest import REGION, write

TOKEN = "y0_test-oauth-token"
COUNTER = "44147844"
D1, D2 = date(2026, 9, 1), date(2026, 9, 2)
YEKT = ZoneInfo("Asia/Yekaterinburg")


def served_hits() -> tuple[str, list[str]]:
    """(header, rows) of a hits export over two days, with Logs API escaping in a URL."""
    header = "\t".join(HIT_FIELDS) + "\n"
    rows = [
        f"90000000000000000{n:02d}\t{day} {10 + n % 8:02d}:00:00\thttps://czn-ens.ru/v?q=a\\tb{n}\t\t1700000000123456789\t[]\torganic\n"
        for n, day in enumerate([D1] * 5 + [D2] * 4)
    ]
    return header, rows


def served_visits() -> tuple[str, list[str]]:
    header = "\t".join(VISIT_FIELDS) + "\n"
    rows = [
        f"80000000000000000{n:02d}\t{day} 09:{n:02d}:00\t1700000000123456789\thttps://czn-ens.ru/\t3\t125\t[101]\tdirect\n"
        for n, day in enumerate([D1] * 3 + [D2] * 2)
    ]
    return header, rows


@dataclass
class LogRequest:
    request_id: int
    source: str
    params: dict[str, str]
    parts: list[bytes]
    statuses: list[str]
    polls: int = 0
    cleaned: bool = False
    canceled: bool = False


@dataclass
class FakeLogsApi:
    """State and behaviour of the fake API; tests tweak the knobs before a pull."""

    sources: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    pending_polls: int = 3
    final_status: str = "processed"
    throttle_first: set[str] = field(default_factory=set)  # steps answered once with 429
    retry_after: str = "1"
    broken_downloads: dict[tuple[str, int], str] = field(default_factory=dict)  # (source, part) → "500" | "reset"
    always_500: bool = False
    ignore_dates: bool = False  # a misbehaving export: rows of other days in the answer
    requests: list[dict[str, Any]] = field(default_factory=list)
    log_requests: dict[int, LogRequest] = field(default_factory=dict)
    next_id: int = 1000
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, handler: BaseHTTPRequestHandler) -> tuple[str, dict[str, str]]:
        url = urllib.parse.urlsplit(handler.path)
        params = dict(urllib.parse.parse_qsl(url.query))
        self.requests.append(
            {
                "method": handler.command,
                "path": url.path,
                "params": params,
                "auth": handler.headers.get("Authorization"),
            }
        )
        return url.path, params

    def step_of(self, method: str, path: str) -> str:
        tail = path.split(f"/counter/{COUNTER}/", 1)[-1]
        if tail == "logrequests/evaluate":
            return "evaluate"
        if tail == "logrequests":
            return "create"
        if tail.endswith("/download"):
            return "download"
        if tail.endswith("/clean"):
            return "clean"
        if tail.endswith("/cancel"):
            return "cancel"
        return "status"

    def split_into_parts(self, source: str, date1: str, date2: str) -> list[bytes]:
        """The rows of ``date1``…``date2`` in two parts, each starting with the header."""
        header, all_rows = self.sources[source]
        rows = [r for r in all_rows if self.ignore_dates or date1 <= r.split("\t")[1][:10] <= date2]
        half = len(rows) // 2
        return [(header + "".join(rows[:half])).encode(), (header + "".join(rows[half:])).encode()]

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        with self.lock:
            path, params = self.record(handler)
            step = self.step_of(handler.command, path)
            if handler.headers.get("Authorization") != f"OAuth {TOKEN}":
                return _json(handler, 403, {"code": 403, "message": "Access denied"})
            if f"/counter/{COUNTER}/" not in path:
                return _json(handler, 404, {"code": 404, "message": "no such counter"})
            if self.always_500:
                return _json(handler, 500, {"code": 500, "message": "Internal error"})
            if step in self.throttle_first:
                self.throttle_first.discard(step)
                return _json(
                    handler, 429, {"code": 429, "message": "Quota exceeded"}, {"Retry-After": self.retry_after}
                )
            if step == "evaluate":
                return _json(
                    handler, 200, {"log_request_evaluation": {"possible": True, "max_possible_day_quantity": 30}}
                )
            if step == "create":
                assert handler.command == "POST"
                request = LogRequest(
                    self.next_id,
                    params["source"],
                    params,
                    self.split_into_parts(params["source"], params["date1"], params["date2"]),
                    ["created"] + ["processing"] * self.pending_polls + [self.final_status],
                )
                self.next_id += 1
                self.log_requests[request.request_id] = request
                return _json(handler, 200, {"log_request": self.describe(request, "created")})
            request_id = int(path.split("/logrequest/")[1].split("/")[0])
            request = self.log_requests[request_id]
            if step == "status":
                status = request.statuses[min(request.polls, len(request.statuses) - 1)]
                request.polls += 1
                if request.cleaned:
                    status = "cleaned_by_user"
                return _json(handler, 200, {"log_request": self.describe(request, status)})
            if step == "download":
                number = int(path.split("/part/")[1].split("/")[0])
                body = request.parts[number]
                broken = self.broken_downloads.pop((request.source, number), None)
                if broken == "500":
                    return _json(handler, 500, {"code": 500, "message": "Temporary failure"})
                handler.send_response(200)
                handler.send_header("Content-Type", "text/tab-separated-values; charset=utf-8")
                handler.send_header("Content-Length", str(len(body)))
                handler.end_headers()
                if broken == "reset":  # the connection breaks off in the middle of the body
                    handler.wfile.write(body[: len(body) // 2])
                    handler.wfile.flush()
                    handler.close_connection = True
                    return None
                handler.wfile.write(body)
                return None
            if step == "clean":
                request.cleaned = True
                return _json(handler, 200, {"log_request": self.describe(request, "cleaned_by_user")})
            if step == "cancel":
                status = request.statuses[min(request.polls, len(request.statuses) - 1)]
                if status not in ("created", "processing"):
                    return _json(handler, 400, {"code": 400, "message": f"cannot cancel a request in status {status}"})
                request.canceled = True
                return _json(handler, 200, {"log_request": self.describe(request, "canceled")})
            return _json(handler, 404, {"code": 404, "message": "unknown"})

    def describe(self, request: LogRequest, status: str) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "request_id": request.request_id,
            "counter_id": int(COUNTER),
            "source": request.source,
            "date1": request.params["date1"],
            "date2": request.params["date2"],
            "fields": request.params["fields"].split(","),
            "status": status,
        }
        if status == "processed":
            answer["parts"] = [{"part_number": n, "size": len(p)} for n, p in enumerate(request.parts)]
            answer["size"] = sum(len(p) for p in request.parts)
        return answer

    def calls(self, step: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if self.step_of(r["method"], r["path"]) == step]


def _json(
    handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    handler.wfile.write(data)


@pytest.fixture()
def api() -> Iterator[tuple[FakeLogsApi, str]]:
    fake = FakeLogsApi(sources={"hits": served_hits(), "visits": served_visits()})

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            fake.handle(self)

        def do_POST(self) -> None:
            fake.handle(self)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Sleeps:
    """Records every wait of the client; sleeps for real only when asked (Retry-After)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def client(base_url: str, sleeps: Sleeps, **options: Any) -> LogsApiClient:
    defaults: dict[str, Any] = {
        "base_url": base_url,
        "timeout": 30,
        "request_timeout": 5,
        "poll_interval": 0.01,
        "max_poll_interval": 0.05,
        "retry": RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05),
        "sleep": sleeps,
    }
    return LogsApiClient(TOKEN, COUNTER, **{**defaults, **options})


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# -- the protocol, the happy path with trouble on the way -----------------------------------------


def test_a_pull_follows_the_protocol_retries_and_writes_the_served_tsv(
    api: tuple[FakeLogsApi, str], tmp_path: Path
) -> None:
    fake, base_url = api
    fake.throttle_first = {"create"}
    fake.retry_after = "2"
    fake.broken_downloads = {("hits", 1): "reset", ("visits", 0): "500"}
    sleeps = Sleeps()
    out = tmp_path / "landing" / REGION / "website"

    files = client(base_url, sleeps).pull([D1, D2], out)

    assert [p.name for p in files] == [
        "hits-20260901.tsv",
        "hits-20260902.tsv",
        "visits-20260901.tsv",
        "visits-20260902.tsv",
    ]
    assert files_in(out) == [p.name for p in files]  # nothing else (no temporary files) is left
    for source, served in (("hits", served_hits()), ("visits", served_visits())):
        header, rows = served
        for day in (D1, D2):
            text = (out / f"{source}-{day:%Y%m%d}.tsv").read_text(encoding="utf-8")
            assert text == header + "".join(r for r in rows if f"\t{day} " in r)
        # the day files together are exactly the served export
        joined = header + "".join(
            (out / f"{source}-{day:%Y%m%d}.tsv").read_text(encoding="utf-8").split("\n", 1)[1] for day in (D1, D2)
        )
        assert joined == header + "".join(rows)

    # the protocol, in order, for each source
    steps = [fake.step_of(r["method"], r["path"]) for r in fake.requests]
    for source in ("hits", "visits"):
        created = [r for r in fake.calls("create") if r["params"]["source"] == source]
        assert created[-1]["params"] == {
            "date1": "2026-09-01",
            "date2": "2026-09-02",
            "fields": ",".join(HIT_FIELDS if source == "hits" else VISIT_FIELDS),
            "source": source,
        }
    assert steps[:3] == ["evaluate", "create", "create"]  # the first create was throttled (429)
    assert all(fake.step_of("POST", r["path"]) in ("create", "clean") for r in fake.requests if r["method"] == "POST")
    # several polls: created, processing ×3, processed
    assert all(request.polls == 5 for request in fake.log_requests.values())
    # each part downloaded, the broken ones twice
    downloads = [r["path"].rsplit("/part/", 1)[1] for r in fake.calls("download")]
    assert downloads == ["0/download", "1/download", "1/download", "0/download", "0/download", "1/download"]
    # every request cleaned afterwards, every call authenticated with the OAuth token
    assert [r.cleaned for r in fake.log_requests.values()] == [True, True]
    assert {r["auth"] for r in fake.requests} == {f"OAuth {TOKEN}"}
    # Retry-After was honoured (2 s), the other waits were short backoffs and polls
    assert 2.0 in sleeps.waits
    assert all(w < 1 for w in sleeps.waits if w != 2.0)


def test_a_permanently_failing_request_ends_in_a_clear_error_without_files(
    api: tuple[FakeLogsApi, str], tmp_path: Path
) -> None:
    fake, base_url = api
    fake.final_status = "processing_failed"
    out = tmp_path / "landing" / REGION / "website"
    write(out / "portal_events-20260901.jsonl", "{}\n")  # what was there stays, nothing is added

    with pytest.raises(
        LogRequestFailed, match=r"log request 1000 \(counter 44147844\) ended with status 'processing_failed'"
    ):
        client(base_url, Sleeps()).pull([D1], out)

    assert files_in(out) == ["portal_events-20260901.jsonl"]
    assert fake.calls("download") == []
    # the failed request is released (cancel refused in that state, then cleaned)
    assert [fake.step_of(r["method"], r["path"]) for r in fake.requests][-2:] == ["cancel", "clean"]


def test_a_failure_of_the_second_source_leaves_no_file_of_the_first(
    api: tuple[FakeLogsApi, str], tmp_path: Path
) -> None:
    fake, base_url = api
    fake.broken_downloads = {("visits", 0): "500"}
    sleeps = Sleeps()
    api_client = client(base_url, sleeps, retry=RetryPolicy(max_attempts=1))
    out = tmp_path / "website"
    with pytest.raises(MetricaError, match="download failed 1 times; last error: HTTP 500 Temporary failure"):
        api_client.pull([D1], out)
    assert files_in(out) == []
    assert [r.cleaned for r in fake.log_requests.values()] == [True, True]


def test_server_errors_are_retried_with_growing_backoff_then_fail(api: tuple[FakeLogsApi, str], tmp_path: Path) -> None:
    fake, base_url = api
    fake.always_500 = True
    sleeps = Sleeps()
    api_client = client(base_url, sleeps, retry=RetryPolicy(max_attempts=5, base_delay=0.01, max_delay=10))
    with pytest.raises(
        MetricaError, match=r"GET logrequests/evaluate failed 5 times; last error: HTTP 500 Internal error"
    ):
        api_client.pull([D1], tmp_path / "website")
    assert len(fake.calls("evaluate")) == 5
    # exponential backoff with jitter: attempt n waits 0.01·2ⁿ⁻¹ × [0.5, 1)
    assert len(sleeps.waits) == 4
    for n, wait in enumerate(sleeps.waits, start=1):
        assert 0.005 * 2 ** (n - 1) <= wait < 0.01 * 2 ** (n - 1)
    assert files_in(tmp_path / "website") == []


def test_client_errors_are_not_retried(api: tuple[FakeLogsApi, str], tmp_path: Path) -> None:
    fake, base_url = api
    wrong = LogsApiClient("wrong-token", COUNTER, base_url=base_url, sleep=Sleeps())
    with pytest.raises(MetricaApiError, match="HTTP 403 Access denied") as error:
        wrong.pull([D1], tmp_path / "website")
    assert error.value.status == 403
    assert len(fake.requests) == 1
    assert "wrong-token" not in str(error.value)


def test_connection_errors_are_retried(tmp_path: Path) -> None:
    sleeps = Sleeps()
    dead = client("http://127.0.0.1:9", sleeps, retry=RetryPolicy(max_attempts=3, base_delay=0.01))  # nothing listens
    with pytest.raises(MetricaError, match="failed 3 times; last error: URLError"):
        dead.pull([D1], tmp_path / "website")
    assert len(sleeps.waits) == 2


def test_the_overall_timeout_stops_polling_and_cancels_the_request(
    api: tuple[FakeLogsApi, str], tmp_path: Path
) -> None:
    fake, base_url = api
    fake.pending_polls = 10_000
    api_client = client(base_url, _real_sleep(), timeout=1.0, poll_interval=0.05, max_poll_interval=0.1)
    with pytest.raises(MetricaTimeout, match="exceeded its timeout of 1 s"):
        api_client.pull([D1], tmp_path / "website")
    [request] = fake.log_requests.values()
    assert request.canceled
    assert files_in(tmp_path / "website") == []


def test_a_retry_after_beyond_the_deadline_fails_at_once(api: tuple[FakeLogsApi, str], tmp_path: Path) -> None:
    fake, base_url = api
    fake.throttle_first = {"evaluate"}
    fake.retry_after = "3600"
    sleeps = Sleeps()
    with pytest.raises(MetricaTimeout, match="asks to wait 3600 s"):
        client(base_url, sleeps, timeout=60).pull([D1], tmp_path / "website")
    assert sleeps.waits == []


def _real_sleep() -> Any:
    import time

    return time.sleep


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert parse_retry_after("7") == 7.0
    moment = datetime(2026, 10, 21, 7, 28, tzinfo=ZoneInfo("UTC")).timestamp()
    assert parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT", now=lambda: moment - 10) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT", now=lambda: moment + 10) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


# -- the DAG's fetch hook ---------------------------------------------------------------------------


def _interval(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, datetime.min.time(), YEKT)
    return start, start + timedelta(days=1)


def test_fetch_without_a_counter_does_nothing_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("CJW_METRICA_COUNTER_ENSKAYA", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_CJW_METRICA_ENSKAYA", raising=False)
    # Airflow replaces the root log handlers when it is first imported: listen on the module's logger
    logger = logging.getLogger("include.connectors.metrica")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level("INFO", logger="include.connectors.metrica"):
            result = fetch_from_logs_api(REGION, *_interval(D1), landing=tmp_path)
    finally:
        logger.removeHandler(caplog.handler)
    assert result == {
        "region_id": REGION,
        "days": ["2026-09-01"],
        "files": [],
        "skipped": "no Metrica counter configured",
    }
    assert "no Metrica counter configured for region enskaya" in caplog.text
    assert files_in(tmp_path / REGION / "website") == []


def test_fetch_reads_the_counter_from_the_environment(
    api: tuple[FakeLogsApi, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, base_url = api
    monkeypatch.delenv("AIRFLOW_CONN_CJW_METRICA_ENSKAYA", raising=False)
    monkeypatch.setenv("CJW_METRICA_COUNTER_ENSKAYA", COUNTER)
    monkeypatch.setenv("CJW_METRICA_TOKEN_ENSKAYA", TOKEN)
    monkeypatch.setenv("CJW_METRICA_BASE_URL", base_url)
    result = fetch_from_logs_api(REGION, *_interval(D1), landing=tmp_path, poll_interval=0.01)
    assert result["counter_id"] == COUNTER
    assert files_in(tmp_path / REGION / "website") == ["hits-20260901.tsv", "visits-20260901.tsv"]
    assert {r["params"].get("date1") for r in fake.calls("create")} == {"2026-09-01"}


def test_fetch_reads_the_airflow_connection_of_the_region(
    api: tuple[FakeLogsApi, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, base_url = api
    connection = {"conn_type": "http", "password": TOKEN, "extra": {"counter_id": COUNTER, "base_url": base_url}}
    monkeypatch.setenv("AIRFLOW_CONN_CJW_METRICA_ENSKAYA", json.dumps(connection))
    monkeypatch.setenv("CJW_METRICA_COUNTER_ENSKAYA", "1")  # the connection wins over the environment
    result = fetch_from_logs_api(REGION, *_interval(D2), landing=tmp_path, poll_interval=0.01)
    assert result["counter_id"] == COUNTER
    assert files_in(tmp_path / REGION / "website") == ["hits-20260902.tsv", "visits-20260902.tsv"]
    assert {r["auth"] for r in fake.requests} == {f"OAuth {TOKEN}"}


def test_pulled_files_load_through_the_connector(
    api: tuple[FakeLogsApi, str], landing: Path, load: Any, query: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, base_url = api
    monkeypatch.delenv("AIRFLOW_CONN_CJW_METRICA_ENSKAYA", raising=False)
    monkeypatch.setenv("CJW_METRICA_COUNTER_ENSKAYA", COUNTER)
    monkeypatch.setenv("CJW_METRICA_TOKEN_ENSKAYA", TOKEN)
    monkeypatch.setenv("CJW_METRICA_BASE_URL", base_url)
    fetch_from_logs_api(REGION, *_interval(D1), landing=landing, poll_interval=0.01)
    report = load("website", D1)
    assert (report["read"], report["loaded"], report["rejected"], report["duplicate"]) == (8, 8, 0, 0)
    assert query("select count(*), min(url) from raw.raw_website_hits") == [(5, "https://czn-ens.ru/v?q=a\tb0")]


def test_rows_of_other_days_are_kept_for_the_connector_to_quarantine(
    api: tuple[FakeLogsApi, str], landing: Path, load: Any, query: Any
) -> None:
    fake, base_url = api
    fake.ignore_dates = True
    client(base_url, Sleeps()).pull([D1], landing / REGION / "website", sources=["hits"])
    report = load("website", D1)
    assert (report["read"], report["loaded"], report["rejected"], report["duplicate"]) == (9, 5, 4, 0)
    reasons = {why for (why,) in query("select reason from raw.rejected_website")}
    assert len(reasons) == 4 and all("is not on the file's day 2026-09-01" in why for why in reasons)
