"""Yandex Metrica Logs API client: pull the hits and visits TSVs of whole local days.

Protocol (``https://api-metrika.yandex.net/management/v1/counter/{counterId}/…``, header
``Authorization: OAuth <token>``):

1. ``GET logrequests/evaluate`` — is the request possible (quota, size)? If not, the period is
   split into the largest possible chunks;
2. ``POST logrequests`` — create the log request (status ``created``);
3. ``GET logrequest/{id}`` until ``processed`` (``canceled``, ``processing_failed``,
   ``cleaned_by_user``, ``cleaned_automatically_as_too_old`` are final failures);
4. ``GET logrequest/{id}/part/{n}/download`` for every part — TSV, each part with the header;
5. ``POST logrequest/{id}/clean`` — free the counter's log quota.

Every call is retried with exponential backoff and jitter on HTTP 429, 5xx and connection
errors, honouring ``Retry-After``; a part whose download breaks off is downloaded again; one
overall deadline bounds the whole pull. Parts are streamed to disk (memory stays flat) and
split by the local day of their ``dateTime`` into ``hits-YYYYMMDD.tsv`` / ``visits-YYYYMMDD.tsv``;
the files appear in the landing folder only when every part of every request is on disk
(temporary folder + rename), so a failed pull leaves nothing half-written behind.

No Airflow here, except :func:`fetch_from_logs_api`, the ``ingest_website`` DAG's fetch hook,
which imports ``airflow.sdk`` inside the function to read the region's connection.

Pull one local day by hand (token and counter from the environment)::

    CJW_METRICA_TOKEN_ENSKAYA=… CJW_METRICA_COUNTER_ENSKAYA=12345 \\
        python -m include.connectors.metrica --region enskaya --date 2026-09-01
"""

from __future__ import annotations

import argparse
import contextlib
import email.utils
import http.client
import json
import logging
import os
import random
import re
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api-metrika.yandex.net"
CONNECTION_PREFIX = "cjw_metrica_"
TOKEN_ENV_PREFIX = "CJW_METRICA_TOKEN_"
COUNTER_ENV_PREFIX = "CJW_METRICA_COUNTER_"
TIMEZONE_ENV_PREFIX = "CJW_METRICA_TIMEZONE_"
BASE_URL_ENV = "CJW_METRICA_BASE_URL"

HIT_FIELDS = (
    "ym:pv:watchID",
    "ym:pv:dateTime",
    "ym:pv:URL",
    "ym:pv:referer",
    "ym:pv:clientID",
    "ym:pv:goalsID",
    "ym:pv:lastTrafficSource",
)
VISIT_FIELDS = (
    "ym:s:visitID",
    "ym:s:dateTime",
    "ym:s:clientID",
    "ym:s:startURL",
    "ym:s:pageViews",
    "ym:s:visitDuration",
    "ym:s:goalsID",
    "ym:s:lastTrafficSource",
)
LOGS_API_FIELDS: dict[str, tuple[str, ...]] = {"hits": HIT_FIELDS, "visits": VISIT_FIELDS}
DATETIME_FIELD = {"hits": "ym:pv:dateTime", "visits": "ym:s:dateTime"}

PENDING_STATUSES = frozenset({"created", "processing", "awaiting_retry"})
FAILED_STATUSES = frozenset({"canceled", "processing_failed", "cleaned_by_user", "cleaned_automatically_as_too_old"})
CHUNK_BYTES = 1 << 16
_DAY_PREFIX = re.compile(rb"^(\d{4})-(\d{2})-(\d{2})")


class MetricaError(RuntimeError):
    """The Logs API pull failed; the message says at which step and why."""


class MetricaApiError(MetricaError):
    """The API answered with an error that retrying will not fix (400, 401, 403, 404…)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class LogRequestFailed(MetricaError):
    """The log request reached a final state other than ``processed``."""


class MetricaTimeout(MetricaError):
    """The overall deadline of the pull passed."""


class MetricaConfigError(MetricaError):
    """The region's Metrica connection is incomplete."""


class _Transient(Exception):
    """A failure worth retrying (429, 5xx, broken connection, short download)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter: attempt n waits ``base · 2ⁿ⁻¹`` (capped) × [0.5, 1)."""

    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0

    def delay(self, attempt: int, rng: Callable[[], float]) -> float:
        capped = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return capped * (0.5 + rng() / 2)


@dataclass(frozen=True)
class MetricaSettings:
    """Where a region's counter is and how to reach it (the token is never logged)."""

    counter_id: str
    token: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    origin: str = ""


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - now())


class LogsApiClient:
    """One counter of the Logs API. ``timeout`` bounds each :meth:`pull` as a whole."""

    def __init__(
        self,
        token: str,
        counter_id: str | int,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 3 * 3600,
        request_timeout: float = 120.0,
        poll_interval: float = 10.0,
        max_poll_interval: float = 120.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if not token:
            raise MetricaConfigError("no OAuth token for the Metrica Logs API")
        if not str(counter_id).isdigit():
            raise MetricaConfigError(f"Metrica counter id must be digits, got {counter_id!r}")
        self._token = token
        self.counter_id = str(counter_id)
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.request_timeout = request_timeout
        self.poll_interval = poll_interval
        self.max_poll_interval = max_poll_interval
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.clock = clock
        self.rng = rng
        self._deadline: float | None = None

    def __repr__(self) -> str:
        return f"LogsApiClient(counter_id={self.counter_id!r}, base_url={self.base_url!r})"

    # -- the five calls of the protocol --------------------------------------------------------

    def evaluate(self, source: str, date1: date, date2: date, fields: Sequence[str]) -> dict[str, Any]:
        """``{"possible": bool, "max_possible_day_quantity": int}``."""
        answer = self._json("GET", "logrequests/evaluate", _request_params(source, date1, date2, fields))
        return dict(answer.get("log_request_evaluation") or {})

    def create(self, source: str, date1: date, date2: date, fields: Sequence[str]) -> dict[str, Any]:
        """The new ``log_request`` (with ``request_id``)."""
        answer = self._json("POST", "logrequests", _request_params(source, date1, date2, fields))
        return _log_request(answer, "create")

    def info(self, request_id: int) -> dict[str, Any]:
        return _log_request(self._json("GET", f"logrequest/{int(request_id)}"), "status")

    def download_part(self, request_id: int, part_number: int, destination: Path) -> int:
        """Stream one part into ``destination`` (overwritten); returns the bytes written."""
        return self._call(
            "GET",
            f"logrequest/{int(request_id)}/part/{int(part_number)}/download",
            sink=destination,
        )

    def clean(self, request_id: int) -> dict[str, Any]:
        return _log_request(self._json("POST", f"logrequest/{int(request_id)}/clean"), "clean")

    def cancel(self, request_id: int) -> dict[str, Any]:
        return _log_request(self._json("POST", f"logrequest/{int(request_id)}/cancel"), "cancel")

    # -- the whole pull -------------------------------------------------------------------------

    def wait_processed(self, request_id: int) -> dict[str, Any]:
        """Poll until ``processed``; a final failure state raises :class:`LogRequestFailed`."""
        interval = self.poll_interval
        polls = 0
        while True:
            request = self.info(request_id)
            polls += 1
            status = str(request.get("status"))
            if status == "processed":
                log.info("log request %s processed after %d polls: %d parts", request_id, polls, _n_parts(request))
                return request
            if status in FAILED_STATUSES:
                raise LogRequestFailed(
                    f"Metrica log request {request_id} (counter {self.counter_id}) ended with status "
                    f"{status!r}; nothing was written to the landing folder"
                )
            if status not in PENDING_STATUSES:
                log.warning("log request %s has an unknown status %r; still waiting", request_id, status)
            self._pause(interval, f"waiting for log request {request_id} (status {status})")
            interval = min(interval * 1.5, self.max_poll_interval)

    def pull(self, days: Sequence[date], out_dir: Path, sources: Sequence[str] = ("hits", "visits")) -> list[Path]:
        """Fetch ``sources`` for the local ``days`` into ``out_dir`` as one file per source and day.

        All files are staged in a temporary folder inside ``out_dir`` and renamed into place only
        when everything was downloaded; on any failure nothing new appears in ``out_dir``.
        """
        if not days:
            return []
        self._deadline = self.clock() + self.timeout
        out_dir.mkdir(parents=True, exist_ok=True)
        wanted = sorted(set(days))
        staged: list[Path] = []
        try:
            with tempfile.TemporaryDirectory(prefix=".metrica-", dir=out_dir) as work_dir:
                work = Path(work_dir)
                for source in sources:
                    staged += self._pull_source(source, wanted, work)
                final = []
                for path in staged:
                    target = out_dir / path.name
                    os.replace(path, target)
                    final.append(target)
                return final
        finally:
            self._deadline = None

    def _pull_source(self, source: str, days: list[date], work: Path) -> list[Path]:
        fields = LOGS_API_FIELDS[source]
        outputs = _DayFiles(work, source, days)
        try:
            for date1, date2 in self._plan(source, days, fields):
                request = self.create(source, date1, date2, fields)
                request_id = int(request["request_id"])
                log.info("%s %s…%s: log request %s created", source, date1, date2, request_id)
                self._download_request(request_id, source, work, outputs)
            return outputs.close()
        finally:
            outputs.discard()

    def _plan(self, source: str, days: list[date], fields: Sequence[str]) -> list[tuple[date, date]]:
        """One request for the whole period, or chunks the API says it can serve."""
        first, last = days[0], days[-1]
        estimate = self.evaluate(source, first, last, fields)
        if estimate.get("possible", False):
            return [(first, last)]
        per_request = int(estimate.get("max_possible_day_quantity") or 0)
        if per_request <= 0:
            raise MetricaError(
                f"Logs API cannot serve {source} {first}…{last} for counter {self.counter_id} "
                f"(evaluate: {json.dumps(estimate)}); the counter's log quota may be used up"
            )
        span = (last - first).days + 1
        chunks = []
        for offset in range(0, span, per_request):
            start = first + timedelta(days=offset)
            chunks.append((start, min(last, start + timedelta(days=per_request - 1))))
        log.info("%s %s…%s split into %d log requests of ≤ %d days", source, first, last, len(chunks), per_request)
        return chunks

    def _download_request(self, request_id: int, source: str, work: Path, outputs: _DayFiles) -> None:
        done = False
        try:
            request = self.wait_processed(request_id)
            parts = sorted(int(p["part_number"]) for p in request.get("parts") or [])
            for number in parts:
                part_file = work / f"{source}-{request_id}-part{number}.tsv"
                size = self.download_part(request_id, number, part_file)
                log.info("log request %s part %s: %d bytes", request_id, number, size)
                outputs.add_part(part_file)
                part_file.unlink()
            done = True
        finally:
            self._release(request_id, done)

    def _release(self, request_id: int, done: bool) -> None:
        """Clean a processed request; cancel (or clean) a failed one, best effort.

        Runs even when the pull's deadline has passed, with a short retry budget of its own:
        a request left behind keeps using the counter's log quota.
        """
        deadline, self._deadline = self._deadline, self.clock() + min(self.timeout, 5 * 60)
        try:
            if done:
                try:
                    self.clean(request_id)
                    log.info("log request %s cleaned", request_id)
                except MetricaError as exc:
                    log.error("log request %s could not be cleaned (it keeps using the quota): %s", request_id, exc)
                return
            for step in ("cancel", "clean"):
                try:
                    self._json("POST", f"logrequest/{int(request_id)}/{step}")
                    log.info("log request %s released after a failure (%s)", request_id, step)
                    return
                except MetricaError as exc:
                    log.debug("log request %s: %s failed: %s", request_id, step, exc)
        finally:
            self._deadline = deadline

    # -- HTTP with retries ----------------------------------------------------------------------

    def _json(self, method: str, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        body = self._call(method, path, params)
        try:
            answer = json.loads(body)
        except json.JSONDecodeError as exc:
            raise MetricaApiError(f"{method} {path}: the answer is not JSON ({exc})") from None
        if not isinstance(answer, dict):
            raise MetricaApiError(f"{method} {path}: unexpected answer {str(answer)[:200]}")
        return answer

    def _call(self, method: str, path: str, params: dict[str, str] | None = None, *, sink: Path | None = None) -> Any:
        url = f"{self.base_url}/management/v1/counter/{self.counter_id}/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(method, url, sink)
            except _Transient as exc:
                if attempt >= self.retry.max_attempts:
                    raise MetricaError(f"{method} {path} failed {attempt} times; last error: {exc}") from None
                wait = exc.retry_after if exc.retry_after is not None else self.retry.delay(attempt, self.rng)
                log.warning("%s %s: %s — retry %d in %.1f s", method, path, exc, attempt, wait)
                self._pause(wait, f"{method} {path} ({exc})", must_wait=exc.retry_after is not None)

    def _once(self, method: str, url: str, sink: Path | None) -> Any:
        request = urllib.request.Request(
            url,
            method=method,
            headers={"Authorization": f"OAuth {self._token}", "Accept-Encoding": "identity"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self._socket_timeout()) as response:
                if sink is None:
                    return response.read()
                return _stream(response, sink)
        except urllib.error.HTTPError as exc:
            detail = _error_detail(exc)
            if exc.code == 429 or exc.code >= 500:
                raise _Transient(
                    f"HTTP {exc.code} {detail}", parse_retry_after(exc.headers.get("Retry-After"))
                ) from None
            raise MetricaApiError(f"{method} {_path_of(url)}: HTTP {exc.code} {detail}", exc.code) from None
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError) as exc:
            raise _Transient(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from None

    def _socket_timeout(self) -> float:
        return max(1.0, min(self.request_timeout, self._remaining()))

    def _remaining(self) -> float:
        if self._deadline is None:
            return self.timeout
        remaining = self._deadline - self.clock()
        if remaining <= 0:
            raise MetricaTimeout(
                f"Metrica pull for counter {self.counter_id} exceeded its timeout of {self.timeout:.0f} s"
            )
        return remaining

    def _pause(self, seconds: float, what: str, *, must_wait: bool = False) -> None:
        remaining = self._remaining()
        if seconds > remaining and must_wait:
            raise MetricaTimeout(
                f"{what}: the API asks to wait {seconds:.0f} s but only {remaining:.0f} s of the timeout are left"
            )
        self.sleep(max(0.0, min(seconds, remaining)))
        self._remaining()


class _DayFiles:
    """Routes the lines of downloaded parts into one staged file per local day.

    Lines are copied byte for byte; the day comes from the ``dateTime`` column. A line whose day
    cannot be read, or lies outside the requested days, goes to the first day's file so that the
    connector quarantines it with a reason instead of it being lost silently.
    """

    def __init__(self, work: Path, source: str, days: Sequence[date]) -> None:
        self.work = work
        self.source = source
        self.days = set(days)
        self.first_day = min(days)
        self.header: bytes | None = None
        self.time_index = -1
        self.handles: dict[date, IO[bytes]] = {}
        self.paths: dict[date, Path] = {}

    def add_part(self, part_file: Path) -> None:
        with part_file.open("rb") as part:
            header = part.readline()
            if not header:
                return
            header = header if header.endswith(b"\n") else header + b"\n"
            if self.header is None:
                self._set_header(header)
            elif header != self.header:
                raise MetricaError(f"{part_file.name}: header differs from the first part's header")
            for line in part:
                if line.strip(b"\r\n") == b"":
                    continue
                self._handle(self._day_of(line)).write(line if line.endswith(b"\n") else line + b"\n")

    def _set_header(self, header: bytes) -> None:
        self.header = header
        names = header.rstrip(b"\r\n").decode("utf-8", "replace").split("\t")
        wanted = DATETIME_FIELD[self.source]
        if wanted not in names:
            raise MetricaError(f"the {self.source} export has no {wanted} column (header: {names})")
        self.time_index = names.index(wanted)

    def _day_of(self, line: bytes) -> date:
        fields = line.split(b"\t")
        if self.time_index < len(fields):
            match = _DAY_PREFIX.match(fields[self.time_index])
            if match:
                try:
                    day = date(*(int(g) for g in match.groups()))
                except ValueError:
                    return self.first_day
                if day in self.days:
                    return day
        return self.first_day

    def _handle(self, day: date) -> IO[bytes]:
        handle = self.handles.get(day)
        if handle is None:
            path = self.work / f"{self.source}-{day:%Y%m%d}.tsv"
            handle = path.open("wb")
            assert self.header is not None
            handle.write(self.header)
            self.handles[day] = handle
            self.paths[day] = path
        return handle

    def close(self) -> list[Path]:
        for handle in self.handles.values():
            handle.close()
        self.handles.clear()
        empty = sorted(self.days - set(self.paths))
        if empty:
            log.warning("%s: no rows for %s — no file written for those days", self.source, ", ".join(map(str, empty)))
        return [self.paths[day] for day in sorted(self.paths)]

    def discard(self) -> None:
        for handle in self.handles.values():
            with contextlib.suppress(OSError):
                handle.close()
        self.handles.clear()


def _stream(response: Any, sink: Path) -> int:
    expected = response.headers.get("Content-Length")
    written = 0
    try:
        with sink.open("wb") as out:
            for chunk in iter(lambda: response.read(CHUNK_BYTES), b""):
                out.write(chunk)
                written += len(chunk)
    except (http.client.HTTPException, ConnectionError, TimeoutError, OSError) as exc:
        raise _Transient(f"download broke off after {written} bytes: {type(exc).__name__}: {exc}") from None
    if expected is not None and expected.isdigit() and written != int(expected):
        raise _Transient(f"download incomplete: {written} of {expected} bytes")
    return written


def _request_params(source: str, date1: date, date2: date, fields: Sequence[str]) -> dict[str, str]:
    if source not in LOGS_API_FIELDS:
        raise ValueError(f"unknown Logs API source {source!r}; expected hits or visits")
    return {"date1": date1.isoformat(), "date2": date2.isoformat(), "fields": ",".join(fields), "source": source}


def _log_request(answer: dict[str, Any], step: str) -> dict[str, Any]:
    request = answer.get("log_request")
    if not isinstance(request, dict) or "request_id" not in request:
        raise MetricaApiError(f"{step}: the answer has no log_request: {json.dumps(answer)[:300]}")
    return request


def _n_parts(request: dict[str, Any]) -> int:
    return len(request.get("parts") or [])


def _path_of(url: str) -> str:
    return urllib.parse.urlsplit(url).path


def _error_detail(exc: urllib.error.HTTPError) -> str:
    """The API's own error message (``{"message": …}``), short; never the request headers."""
    try:
        body = exc.read(4000).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        return exc.reason or ""
    with contextlib.suppress(json.JSONDecodeError, AttributeError):
        answer = json.loads(body)
        return str(answer.get("message") or answer.get("errors") or body)[:300]
    return body[:300]


# -- the DAG's fetch hook ---------------------------------------------------------------------


def _env_suffix(region_id: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", region_id.upper())


def metrica_settings(region_id: str) -> MetricaSettings | None:
    """The region's counter: Airflow connection ``cjw_metrica_<region>`` (password = OAuth token,
    extra ``{"counter_id": …, "base_url": …}``), else ``CJW_METRICA_TOKEN_<REGION>`` /
    ``CJW_METRICA_COUNTER_<REGION>`` (and ``CJW_METRICA_BASE_URL``); None when no counter is set."""
    conn_id = f"{CONNECTION_PREFIX}{region_id}"
    base_url = os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    connection = _airflow_connection(conn_id)
    if connection is not None:
        extra = connection.extra_dejson or {}
        counter = str(extra.get("counter_id") or "").strip()
        if not counter:
            raise MetricaConfigError(f"Airflow connection {conn_id!r} has no counter_id in its extra")
        if not connection.password:
            raise MetricaConfigError(f"Airflow connection {conn_id!r} has no OAuth token in its password")
        return MetricaSettings(counter, connection.password, extra.get("base_url") or base_url, f"connection {conn_id}")
    suffix = _env_suffix(region_id)
    counter = os.environ.get(COUNTER_ENV_PREFIX + suffix, "").strip()
    if not counter:
        return None
    token = os.environ.get(TOKEN_ENV_PREFIX + suffix, "")
    if not token:
        raise MetricaConfigError(f"{COUNTER_ENV_PREFIX}{suffix} is set but {TOKEN_ENV_PREFIX}{suffix} is not")
    return MetricaSettings(counter, token, base_url, f"environment {COUNTER_ENV_PREFIX}{suffix}")


def counter_timezone(region_id: str) -> ZoneInfo | None:
    """The time zone of the region's Metrica counter when it is set for the counter — the extra
    ``{"timezone": "Europe/Moscow"}`` of the connection ``cjw_metrica_<region>``, else
    ``CJW_METRICA_TIMEZONE_<REGION>`` — or None: the counter keeps the region's time zone
    (``regions.csv``). The Logs API writes ``dateTime`` in the counter's time zone (Metrica: counter
    settings → time zone), which need not be the region's."""
    value = ""
    # in a task Airflow is loaded and the connection is read; a process without Airflow (the
    # connector's command line, a test) does not import it just for this: the variable still works
    connection = _airflow_connection(f"{CONNECTION_PREFIX}{region_id}") if "airflow.sdk" in sys.modules else None
    if connection is not None:
        value = str((connection.extra_dejson or {}).get("timezone") or "").strip()
    value = value or os.environ.get(TIMEZONE_ENV_PREFIX + _env_suffix(region_id), "").strip()
    if not value:
        return None
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise MetricaConfigError(
            f"the time zone {value!r} of region {region_id}'s Metrica counter is not an IANA zone (Europe/Moscow …)"
        ) from None


def _airflow_connection(conn_id: str) -> Any:
    try:
        from airflow.sdk import BaseHook
        from airflow.sdk.exceptions import AirflowNotFoundException
    except ImportError:  # the client also runs without Airflow installed
        return None
    try:
        return BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return None


def fetch_from_logs_api(
    region_id: str, start: datetime, end: datetime, *, landing: Path | None = None, **client_options: Any
) -> dict[str, Any]:
    """Pull the interval's hits and visits of one region into ``<landing>/<region>/website/``.

    The local days are those the loader reads for ``[start, end)``. Without a configured counter
    this does nothing (files may be dropped into the folder instead) and says so in the log.
    """
    from include import config, settings
    from include.loading import days_in_interval

    region = config.region(region_id)
    days = days_in_interval(start, end, region)
    target = (landing or settings.landing_dir()) / region_id / "website"
    result: dict[str, Any] = {"region_id": region_id, "days": [d.isoformat() for d in days], "files": []}
    metrica = metrica_settings(region_id)
    if metrica is None:
        log.info(
            "no Metrica counter configured for region %s (Airflow connection %s%s or %s%s): not pulling "
            "from the Logs API; TSVs dropped into %s are loaded as they are",
            region_id,
            CONNECTION_PREFIX,
            region_id,
            COUNTER_ENV_PREFIX,
            _env_suffix(region_id),
            target,
        )
        return {**result, "skipped": "no Metrica counter configured"}
    if not days:
        log.info("interval %s – %s holds no complete local day of %s: nothing to pull", start, end, region_id)
        return {**result, "skipped": "no complete local day in the interval"}
    client = LogsApiClient(metrica.token, metrica.counter_id, base_url=metrica.base_url, **client_options)
    log.info("pulling %s from Metrica counter %s (%s)", ", ".join(result["days"]), metrica.counter_id, metrica.origin)
    files = client.pull(days, target)
    return {**result, "counter_id": metrica.counter_id, "files": [str(p) for p in files]}


def _iter_days(first: date, count: int) -> Iterator[date]:
    for offset in range(count):
        yield first + timedelta(days=offset)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Pull Metrica Logs API exports of whole local days")
    parser.add_argument("--region", required=True)
    parser.add_argument("--date", required=True, type=date.fromisoformat, help="first local day (YYYY-MM-DD)")
    parser.add_argument("--days", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    from include import airflow_env, config

    airflow_env.configure()  # the project's Airflow home, where the cjw_metrica_<region> connection lives

    tz = config.region(args.region).timezone
    days = list(_iter_days(args.date, args.days))
    start = datetime.combine(days[0], datetime.min.time(), tz)
    end = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), tz)
    print(json.dumps(fetch_from_logs_api(args.region, start, end), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
