"""Website connector: Yandex Metrica Logs API exports (hits, visits) and «Работа России» portal events.

Formats: ``include/connectors/FORMATS.md`` (section "Website"); portal events also as JSON Schema
in ``include/schemas/portal_event.schema.json``. The TSVs come from the Logs API
(``include/connectors/metrica.py`` pulls them into the landing folder) or are dropped there.

* TSV: the header names the columns (any order, extra columns ignored; a file without a
  required column is rejected line by line with the reason). Values are unescaped as the Logs
  API escapes them (``\\t``, ``\\n``, ``\\\\``), ``dateTime`` is local time of the counter = the
  region → UTC, ``goalsID`` becomes ``int[]``, the ``clientID`` cookie a keyed hash, URLs are
  scrubbed of phones / e-mails / SNILS. A hit or visit not on the file's local day is rejected.
* Portal events, JSON lines, read and checked by the validator of all JSON-lines sources
  (``include/connectors/records.py``: ``load_object``, ``Record``) and, when rejected, masked by
  its masker (``mask_json_identifiers``): ESIA id, SNILS, phone, e-mail and an individual's INN
  (12 digits) become keyed hashes; a legal entity's INN (10 digits) and OGRN stay clear; the
  Metrica cookie is hashed exactly like the TSVs' clientID, so portal events join the site
  visits. Codes are checked against the seeds (application types, offices, client groups).

Natural keys: ``watchID``, ``visitID``, ``event_id`` — the loader counts a repeated record as a
duplicate and moves a repeated key with other content to ``raw.rejected_website``.

Run one interval by hand::

    python -m include.connectors.website --region enskaya --date 2026-09-01
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from include.connectors import limits
from include.connectors.common import FieldError, mask_free, parse_local_or_aware, run_cli, unexpected
from include.connectors.metrica import HIT_FIELDS, VISIT_FIELDS, counter_timezone
from include.connectors.records import (
    Record,
    load_object,
    mask_identifier,
    mask_json_identifiers,
    schema_pattern_matches,
)
from include.loading import HEADER, Line, ParseContext, ParsedRow, RawTable, Rejection, SourceFile, discover_dated_files
from include.pseudonymise import Pseudonymiser, split_inn

SOURCE = "website"
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "portal_event.schema.json"

# -- Metrica --------------------------------------------------------------------------------------

UINT64_MAX = 2**64 - 1
INT32_MAX = 2**31 - 1
# ym:*:lastTrafficSource values of the Logs API.
TRAFFIC_SOURCES = frozenset(
    {
        "ad",
        "direct",
        "email",
        "internal",
        "messenger",
        "organic",
        "qrcode",
        "recommend",
        "referral",
        "saved",
        "social",
        "undefined",
    }
)
_UINT = re.compile(r"^\d{1,20}$")
_GOALS = re.compile(r"^\[\s*(?:\d+\s*(?:,\s*\d+\s*)*)?\]$")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_UNESCAPE = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\", "'": "'", '"': '"', "0": "\x00", "b": "\b", "f": "\f"}
_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

HITS = RawTable(
    name="raw_website_hits",
    column_ddl=(
        ("watch_id", "numeric(20, 0) not null"),
        ("hit_at", "timestamptz not null"),
        ("url", "text"),
        ("referer", "text"),
        ("metrica_client_hash", "text"),
        ("goal_ids", "integer[] not null"),
        ("traffic_source", "text"),
        ("file_date", "date not null"),
    ),
    natural_key=("watch_id",),
)
VISITS = RawTable(
    name="raw_website_visits",
    column_ddl=(
        ("visit_id", "numeric(20, 0) not null"),
        ("visit_started_at", "timestamptz not null"),
        ("metrica_client_hash", "text"),
        ("start_url", "text"),
        ("page_views", "integer not null"),
        ("duration_seconds", "integer not null"),
        ("goal_ids", "integer[] not null"),
        ("traffic_source", "text"),
        ("file_date", "date not null"),
    ),
    natural_key=("visit_id",),
)

# -- portal events ---------------------------------------------------------------------------

EVENT_TYPES = ("esia_login", "application_submitted", "application_status_changed", "appointment_booked")
USER_TYPES = ("citizen", "employer")
STATUSES = ("submitted", "accepted", "needs_documents", "approved", "rejected", "withdrawn")
# The patterns of include/schemas/portal_event.schema.json (tests keep the two in step). The
# schema's timestamp pattern also bounds the year and the fields; ``Record.timestamp`` checks the
# shape first and the calendar (year 2000–2100, 30 February, 25 o'clock, offsets) by parsing.
_DIGITS = re.compile(r"^\d{1,20}$")
_SNILS = re.compile(r"^\d{3}-?\d{3}-?\d{3}[ -]?\d{2}$")
_PHONE = re.compile(r"^\+?\d[\d ()-]{8,18}\d$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_INN = re.compile(r"^(?:\d{10}|\d{12})$")
_OGRN = re.compile(r"^(?:\d{13}|\d{15})$")
MAX_TEXT = 200

PORTAL_EVENTS = RawTable(
    name="raw_website_portal_events",
    column_ddl=(
        ("event_id", "text not null"),
        ("event_type", "text not null"),
        ("occurred_at", "timestamptz not null"),
        ("user_type", "text not null"),
        ("esia_hash", "text"),
        ("metrica_client_hash", "text"),
        ("snils_hash", "text"),
        ("phone_hash", "text"),
        ("email_hash", "text"),
        ("inn", "text"),
        ("inn_hash", "text"),
        ("ogrn", "text"),
        ("application_id", "text"),
        ("application_type", "text"),
        ("status", "text"),
        ("office_id", "text"),
        ("appointment_at", "timestamptz"),
        ("file_date", "date not null"),
        ("client_group", "text"),
    ),
    natural_key=("event_id",),
)

_FILES = (
    (re.compile(r"^hits-(?P<date>\d{8})\.tsv$"), "hits"),
    (re.compile(r"^visits-(?P<date>\d{8})\.tsv$"), "visits"),
    (re.compile(r"^portal_events-(?P<date>\d{8})\.jsonl$"), "portal_events"),
)


@dataclass(frozen=True)
class _Feed:
    """One Logs API source: its required columns and how a line becomes a raw row."""

    name: str
    fields: tuple[str, ...]
    client_field: str
    to_row: Callable[[Mapping[str, str], ParseContext, ZoneInfo], tuple[object, ...]]


class WebsiteConnector:
    source = SOURCE
    tables: ClassVar[dict[str, RawTable]] = {"hits": HITS, "visits": VISITS, "portal_events": PORTAL_EVENTS}
    rejected_table = "rejected_website"

    def configured_regions(self) -> list[str]:
        """Regions with a Metrica counter configured: pulled over the Logs API even before any file lands."""
        from include import config
        from include.connectors.metrica import metrica_settings

        return [region_id for region_id in sorted(config.regions()) if metrica_settings(region_id) is not None]

    def discover(self, source_dir: Path, days: Sequence[date]) -> list[SourceFile]:
        return discover_dated_files(source_dir, days, _FILES)

    def has_header(self, source_file: SourceFile) -> bool:
        return source_file.table in ("hits", "visits")

    def fast_parser(self, source_file: SourceFile, ctx: ParseContext) -> LogsApiFast | PortalEventsFast | None:
        """The vectorised parser of a file (``include.fastpath``): portal events, or a Logs API TSV
        whose header line is plain (ASCII, no escapes, no blanks around a name) and names every
        required column."""
        if source_file.table == "portal_events":
            return PortalEventsFast(self, ctx)
        if source_file.table not in _FEEDS:
            return None
        with source_file.path.open("rb") as handle:
            first = handle.readline(1 << 16).rstrip(b"\r\n")
        if not first.isascii() or b"\\" in first:
            return None
        header = first.decode("ascii").split("\t")
        feed = _FEEDS[source_file.table]
        if any(name != name.strip() for name in header) or not set(feed.fields) <= set(header):
            return None
        return LogsApiFast(self, ctx, feed, header)

    def parse(self, lines: Iterator[Line], ctx: ParseContext) -> Iterator[ParsedRow | Rejection | object]:
        table = ctx.source_file.table
        if table == "portal_events":
            return self._parse_portal_events(lines, ctx)
        return self._parse_tsv(lines, ctx, _FEEDS[table])

    # -- Logs API TSV ------------------------------------------------------------------------

    def _parse_tsv(
        self, lines: Iterator[Line], ctx: ParseContext, feed: _Feed
    ) -> Iterator[ParsedRow | Rejection | object]:
        first = next(lines, None)
        if first is None:
            return
        header = [unescape(name).strip() for name in first.text.split("\t")]
        position: dict[str, int] = {}
        for index, name in enumerate(header):
            position.setdefault(name, index)
        client_at = position.get(feed.client_field)
        redact = _tsv_redactor(ctx.pseudonymiser, client_at)
        missing = [name for name in feed.fields if name not in position]
        if missing:
            reason = f"header lacks the Logs API column(s) {', '.join(missing)} of source={feed.name}"
            yield Rejection(first.number, reason, first.text)
            for line in lines:
                yield Rejection(line.number, f"file rejected: {reason}", redact(line.text))
            return
        yield HEADER
        yield from self._tsv_lines(lines, ctx, feed, header, redact)

    def _tsv_lines(
        self,
        lines: Iterator[Line],
        ctx: ParseContext,
        feed: _Feed,
        header: list[str],
        redact: Callable[[str], str],
    ) -> Iterator[ParsedRow | Rejection]:
        position: dict[str, int] = {}
        for index, name in enumerate(header):
            position.setdefault(name, index)
        width = len(header)
        tz = counter_timezone(ctx.region.region_id) or ctx.region.timezone
        for line in lines:
            if not line.terminated:
                yield Rejection(line.number, "truncated last line (no newline at end of file)", redact(line.text))
                continue
            if not line.text.strip():
                yield Rejection(line.number, "empty line", line.text)
                continue
            cells = line.text.split("\t")
            if len(cells) != width:
                reason = f"expected {width} tab-separated fields as in the header, got {len(cells)}"
                yield Rejection(line.number, reason, redact(line.text))
                continue
            try:
                values = {name: unescape(cells[index]) for name, index in position.items() if name in feed.fields}
                yield line.number, feed.to_row(values, ctx, tz)
            except FieldError as exc:
                yield Rejection(line.number, str(exc), redact(line.text))
            except Exception as exc:  # the line is the unit of failure: never the batch
                yield Rejection(line.number, unexpected(exc), redact(line.text))

    # -- portal events (JSON lines) -----------------------------------------------------------

    def _parse_portal_events(self, lines: Iterator[Line], ctx: ParseContext) -> Iterator[ParsedRow | Rejection]:
        for line in lines:
            try:
                yield line.number, portal_event_row(load_object(line), ctx)
            except FieldError as exc:
                yield Rejection(line.number, str(exc), mask_json_identifiers(line.text, ctx.pseudonymiser))
            except Exception as exc:  # the line is the unit of failure: never the batch
                yield Rejection(line.number, unexpected(exc), mask_json_identifiers(line.text, ctx.pseudonymiser))


# -- Logs API values ------------------------------------------------------------------------------


def unescape(value: str) -> str:
    """Undo the Logs API escaping: ``\\t``, ``\\n``, ``\\\\``, ``\\'`` … (unknown escapes kept)."""
    if "\\" not in value:
        return value
    return _ESCAPE.sub(lambda m: _UNESCAPE.get(m.group(1), m.group(0)), value)


def parse_uint64(value: str, field: str) -> int:
    text = value.strip()
    if not _UINT.match(text) or int(text) > UINT64_MAX:
        raise FieldError(f"{field} {value!r} is not an unsigned 64-bit integer")
    return int(text)


def parse_goals(value: str, field: str) -> list[int]:
    """``[123,456]`` → ``[123, 456]``; ``[]`` (or an empty cell) → ``[]``."""
    text = value.strip()
    if not text:
        return []
    if not _GOALS.match(text):
        raise FieldError(f"{field} {value!r} is not an array of goal ids like [123,456]")
    goals = [int(g) for g in text.strip("[]").split(",") if g.strip()]
    too_big = [g for g in goals if g > INT32_MAX]
    if too_big:
        raise FieldError(f"{field} goal id {too_big[0]} does not fit a 32-bit integer")
    return goals


def parse_traffic_source(value: str, field: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    if text not in TRAFFIC_SOURCES:
        raise FieldError(f"unknown {field} {text!r} (known: {', '.join(sorted(TRAFFIC_SOURCES))})")
    return text


def parse_count(value: str, field: str, limit: str | None = None) -> int:
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18 or int(text) > INT32_MAX:
        raise FieldError(f"{field} {value[:40]!r} is not a non-negative integer")
    return int(limits.check(limit, int(text), field)) if limit else int(text)


def local_time_on_file_day(value: str, tz: ZoneInfo, file_date: date, field: str) -> datetime:
    """A Logs API ``dateTime`` (the counter's time zone: the region's unless set for the counter)
    → UTC; it must lie on the file's day."""
    moment = parse_local_or_aware(value, tz, field)
    local_day = moment.astimezone(tz).date()
    if local_day != file_date:
        raise FieldError(f"{field} {value[:40]!r} is not on the file's day {file_date.isoformat()}")
    return moment


def client_hash(pseudonymiser: Pseudonymiser, value: str, field: str) -> str | None:
    """The Metrica cookie as a keyed hash; ``0`` / empty mean no cookie."""
    text = value.strip()
    if not text or text == "0":
        return None
    parse_uint64(text, field)
    return pseudonymiser.online_id("metrica", text)


def decode_url(value: str) -> str:
    """Percent-encoding undone, so that URL rules written as people read them match
    (``/поиск?text=повар``, not ``/%D0%BF%D0%BE%D0%B8%D1%81%D0%BA``). A run of escapes is decoded as
    UTF-8, else Windows-1251 (older sites); a run that decodes to neither, or to control characters
    (``%00``, ``%0A``), stays encoded. Linear in the URL."""
    if "%" not in value:
        return value

    def run(match: re.Match[str]) -> str:
        raw = urllib.parse.unquote_to_bytes(match.group(0))
        for encoding in ("utf-8", "cp1251"):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                continue
            return match.group(0) if _CONTROL.search(text) else text
        return match.group(0)

    return _PERCENT_RUN.sub(run, value)


def scrub_url(pseudonymiser: Pseudonymiser, value: str | None) -> str | None:
    """A URL decoded (:func:`decode_url`), then masked like free text: query strings of search
    forms may carry phones or e-mails, encoded or not."""
    if not value:
        return None
    return pseudonymiser.scrub_text(decode_url(value))


def _hit_row(values: Mapping[str, str], ctx: ParseContext, tz: ZoneInfo) -> tuple[object, ...]:
    ps, file_date = ctx.pseudonymiser, ctx.source_file.file_date
    return (
        parse_uint64(values["ym:pv:watchID"], "watchID"),
        local_time_on_file_day(values["ym:pv:dateTime"], tz, file_date, "dateTime"),
        scrub_url(ps, values["ym:pv:URL"]),
        scrub_url(ps, values["ym:pv:referer"]),
        client_hash(ps, values["ym:pv:clientID"], "clientID"),
        parse_goals(values["ym:pv:goalsID"], "goalsID"),
        parse_traffic_source(values["ym:pv:lastTrafficSource"], "lastTrafficSource"),
        file_date,
    )


def _visit_row(values: Mapping[str, str], ctx: ParseContext, tz: ZoneInfo) -> tuple[object, ...]:
    ps, file_date = ctx.pseudonymiser, ctx.source_file.file_date
    return (
        parse_uint64(values["ym:s:visitID"], "visitID"),
        local_time_on_file_day(values["ym:s:dateTime"], tz, file_date, "dateTime"),
        client_hash(ps, values["ym:s:clientID"], "clientID"),
        scrub_url(ps, values["ym:s:startURL"]),
        parse_count(values["ym:s:pageViews"], "pageViews", "visits.page_views"),
        parse_count(values["ym:s:visitDuration"], "visitDuration", "visits.duration"),
        parse_goals(values["ym:s:goalsID"], "goalsID"),
        parse_traffic_source(values["ym:s:lastTrafficSource"], "lastTrafficSource"),
        file_date,
    )


_FEEDS = {
    "hits": _Feed("hits", HIT_FIELDS, "ym:pv:clientID", _hit_row),
    "visits": _Feed("visits", VISIT_FIELDS, "ym:s:clientID", _visit_row),
}


def _tsv_redactor(pseudonymiser: Pseudonymiser, client_at: int | None) -> Callable[[str], str]:
    """A rejected TSV line keeps its shape, but the clientID cookie becomes a token."""

    def redact(text: str) -> str:
        if client_at is None:
            return text
        cells = text.split("\t")
        if client_at < len(cells) and cells[client_at].strip() != "0":
            cells[client_at] = mask_identifier(pseudonymiser, "metrica_client_id", cells[client_at])
        return "\t".join(cells)

    return redact


class LogsApiFast:
    """Logs API rows (hits, visits) a chunk at a time (polars). A row is taken when it visibly
    passes every check of the line parser: printable text without escapes, as many cells as the
    header, required cells without blanks around them, ids of at most 20 digits within 64 bits,
    ``dateTime`` written ``YYYY-MM-DD HH:MM:SS`` on the file's day in the counter's time zone (not in
    a clock change), counts within their limits, goals and traffic source as the line parser reads
    them. URLs, the cookie and goals go through the line parser's own functions, once per distinct
    value; the goal ids and counts it takes are within the warehouse columns (``bounds_checked``)."""

    bounds_checked = True

    def __init__(self, connector: WebsiteConnector, ctx: ParseContext, feed: _Feed, header: list[str]) -> None:
        self.connector = connector
        self.ctx = ctx
        self.feed = feed
        self.header = header
        self.table = HITS if feed.name == "hits" else VISITS
        self.columns = self.table.columns
        self.position: dict[str, int] = {}
        for index, name in enumerate(header):
            self.position.setdefault(name, index)
        self.redact = _tsv_redactor(ctx.pseudonymiser, self.position.get(feed.client_field))
        self.tz = counter_timezone(ctx.region.region_id) or ctx.region.timezone
        self.group_key = (feed.name, tuple(header))  # whole files of one header taken together

    def slow(self, lines: Iterator[Line]) -> Iterator[ParsedRow | Rejection | object]:
        for line in lines:
            if line.number == 1:  # the header, checked when the fast path was chosen
                yield HEADER
            else:
                yield from self.connector._tsv_lines(iter([line]), self.ctx, self.feed, self.header, self.redact)

    def parse_chunk(self, lines: Any, first: int) -> tuple[Any, list[int]]:
        import polars as pl

        from include import fastpath

        prefix = "ym:pv:" if self.feed.name == "hits" else "ym:s:"
        cells = pl.col("text").str.split("\t")
        frame = fastpath.frame_of(lines).with_columns(
            plain=pl.col("text").str.contains(r"^[^\x00-\x08\x0a-\x1f\x7f-\x9f\\]*$")
            & (pl.col("text").str.len_chars() < 100_000),
            cells=cells.list.len(),
            **{name[len(prefix) :]: cells.list.get(self.position[name], null_on_oob=True) for name in self.feed.fields},
        )
        names = [name[len(prefix) :] for name in self.feed.fields]
        ps = self.ctx.pseudonymiser
        ident = "watchID" if self.feed.name == "hits" else "visitID"
        moment = pl.col("dateTime")
        shape = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2} ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
        local = moment.str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us", strict=False)
        aware = local.dt.replace_time_zone(self.tz.key, ambiguous="null", non_existent="null")
        frame = frame.with_columns(
            ident=pl.when(pl.col(ident).str.contains(r"^[0-9]{1,20}$")).then(
                pl.col(ident).cast(pl.UInt64, strict=False)
            ),
            epoch=pl.when(moment.str.contains(shape)).then(aware.dt.epoch("s")),
            # on the file's day in the counter's time zone, as the line parser compares it
            on_day=aware.dt.date() == fastpath.file_day(frame, self.ctx.source_file.file_date),
            client=fastpath.mapped(frame["clientID"], partial(_client_or_invalid, ps)),
            goals=fastpath.mapped(frame["goalsID"], _goals_or_invalid),
            traffic=fastpath.mapped(frame["lastTrafficSource"], _traffic_or_invalid),
        )
        accepted = (
            (fastpath.line_number(frame, first) != 1)
            & pl.col("plain")
            & (pl.col("text").str.strip_chars() != "")
            & (pl.col("cells") == len(self.header))
            & pl.all_horizontal([~pl.col(name).str.contains(r"^\s|\s$") for name in names])
            & pl.col("ident").is_not_null()
            & pl.col("epoch").is_not_null()
            & pl.col("on_day")
            & (pl.col("client") != _INVALID)
            & (pl.col("goals") != _INVALID)
            & (pl.col("traffic") != _INVALID)
        )
        if self.feed.name == "visits":
            for name, key in (("pageViews", "visits.page_views"), ("visitDuration", "visits.duration")):
                limit = limits.LIMITS[key]
                value = pl.when(pl.col(name).str.contains(r"^[0-9]{1,9}$")).then(pl.col(name).cast(pl.Int64))
                accepted = accepted & value.is_between(int(limit.low), min(int(limit.high), INT32_MAX))
        frame = frame.with_columns(accepted=accepted.fill_null(False))
        fallback = frame.filter(~pl.col("accepted"))["i"].to_list()
        rows = frame.filter(pl.col("accepted"))
        url_columns = ("URL", "referer") if self.feed.name == "hits" else ("startURL",)
        rows = rows.with_columns(**{name: fastpath.mapped(rows[name], partial(_url, ps)) for name in url_columns})
        file_date = fastpath.file_date_text(frame, self.ctx.source_file.file_date)
        traffic = pl.when(pl.col("traffic") == "").then(None).otherwise(pl.col("traffic"))
        if self.feed.name == "hits":
            out = [
                pl.col("ident").cast(pl.String).alias("watch_id"),
                fastpath.utc_text("epoch").alias("hit_at"),
                pl.col("URL").alias("url"),
                pl.col("referer"),
                pl.col("client").alias("metrica_client_hash"),
                pl.col("goals").alias("goal_ids"),
                traffic.alias("traffic_source"),
                file_date.alias("file_date"),
            ]
        else:
            out = [
                pl.col("ident").cast(pl.String).alias("visit_id"),
                fastpath.utc_text("epoch").alias("visit_started_at"),
                pl.col("client").alias("metrica_client_hash"),
                pl.col("startURL").alias("start_url"),
                pl.col("pageViews").cast(pl.Int64).cast(pl.String).alias("page_views"),
                pl.col("visitDuration").cast(pl.Int64).cast(pl.String).alias("duration_seconds"),
                pl.col("goals").alias("goal_ids"),
                traffic.alias("traffic_source"),
                file_date.alias("file_date"),
            ]
        return rows.select("i", *out), fallback


_INVALID = "!invalid"


def _client_or_invalid(pseudonymiser: Pseudonymiser, value: str) -> str | None:
    try:
        return client_hash(pseudonymiser, value, "clientID")
    except FieldError:
        return _INVALID


def _goals_or_invalid(value: str) -> str:
    """Goal ids as a PostgreSQL array literal (``{1,2}``), as the line parser reads them."""
    try:
        return "{" + ",".join(str(goal) for goal in parse_goals(value, "goalsID")) + "}"
    except FieldError:
        return _INVALID


def _traffic_or_invalid(value: str) -> str:
    try:
        return parse_traffic_source(value, "lastTrafficSource") or ""
    except FieldError:
        return _INVALID


def _url(pseudonymiser: Pseudonymiser, value: str) -> str | None:
    return scrub_url(pseudonymiser, value)


# -- portal event values ------------------------------------------------------------------------


def portal_event_row(event: dict[str, Any], ctx: ParseContext) -> tuple[object, ...]:
    """One decoded portal event (:func:`include.connectors.records.load_object`) → the raw row;
    raises FieldError with the reason."""
    region = ctx.region
    record = Record(event, typed=True)
    event_id = record.text("event_id", required=True, max_length=MAX_TEXT, nonblank=True)
    event_type = record.code("event_type", EVENT_TYPES, required=True)
    occurred_at = record.timestamp("occurred_at", region.timezone, required=True, offset_required=True)
    assert occurred_at is not None  # required=True raised otherwise
    user_type = record.code("user_type", USER_TYPES, required=True)
    esia_id = record.matching("esia_id", _DIGITS, "digits", required=True)
    metrica_id = record.matching("metrica_client_id", _DIGITS, "digits")
    snils = record.matching("snils", _SNILS, "a SNILS (11 digits: NNN-NNN-NNN NN)")
    phone = record.matching("phone", _PHONE, "a phone number")
    email = record.matching("email", _EMAIL, "an e-mail address")
    inn_value = record.matching("inn", _INN, "an INN of 10 or 12 digits")
    ogrn = record.matching("ogrn", _OGRN, "an OGRN of 13 or 15 digits")
    application_id = record.text("application_id", max_length=MAX_TEXT, nonblank=True)
    application_type = record.code("application_type", region.application_types, seed="application_types")
    status = record.code("status", STATUSES)
    office_id = record.code("office_id", region.offices, seed="offices")
    appointment_at = record.timestamp("appointment_at", region.timezone, offset_required=True)
    client_group = record.code("client_group", region.client_groups, seed="client_groups")
    if event_type in ("application_submitted", "application_status_changed") and application_id is None:
        raise FieldError(f"{event_type} without application_id")
    if event_type == "application_status_changed" and status is None:
        raise FieldError("application_status_changed without status")
    if event_type == "appointment_booked" and appointment_at is None:
        raise FieldError("appointment_booked without appointment_at")
    # Checks that need the file's day (beyond the JSON Schema):
    if appointment_at is not None and appointment_at < occurred_at:
        raise FieldError("appointment_at is before occurred_at (an appointment is booked for later)")
    if appointment_at is not None:
        limits.check("portal.appointment_ahead", (appointment_at - occurred_at).days, "appointment_at − occurred_at")
    local_day = occurred_at.astimezone(region.timezone).date()
    file_date = ctx.source_file.file_date
    if abs((local_day - file_date).days) > limits.DAY_TOLERANCE["portal"].days:
        raise FieldError(
            f"occurred_at {event['occurred_at']!r} is more than a day away from the file's day {file_date.isoformat()}"
            " (limit day_tolerance.portal)"
        )
    ps = ctx.pseudonymiser
    inn_digits, is_person = split_inn(inn_value)
    return (
        mask_free(event_id, ps),
        event_type,
        occurred_at,
        user_type,
        ps.esia(esia_id),
        ps.online_id("metrica", metrica_id) if metrica_id != "0" else None,
        ps.snils(snils),
        ps.phone(phone),
        ps.email(email),
        None if is_person else inn_digits,
        ps.person_inn(inn_digits) if is_person else None,
        ogrn,
        mask_free(application_id, ps),
        application_type,
        status,
        office_id,
        appointment_at,
        file_date,
        client_group,
    )


# -- the fast path of portal events ----------------------------------------------------------------
#
# A line of the export is one flat object with the schema's fields in the schema's order (fields
# not given left out), written compact (``json.dumps``, with or without blanks after ``,`` and
# ``:``). Printable text has no backslash, hence no escape: a string is exactly what lies between
# two quotes. So a line matching ``_PORTAL_LINE`` is one JSON object whose fields are known and
# given once each (``json`` reads it the same way), and its groups are the strings' text; an
# optional field absent or null has no group (None), as ``Record`` reads it.
_PS = r'"([^"]*)"'
_PSEP = ", ?"
PORTAL_REQUIRED = ("event_id", "event_type", "occurred_at", "user_type", "esia_id")
PORTAL_OPTIONAL = (
    "metrica_client_id",
    "snils",
    "phone",
    "email",
    "inn",
    "ogrn",
    "application_id",
    "application_type",
    "status",
    "office_id",
    "appointment_at",
    "client_group",
)
_PORTAL_LINE = (
    r"^\{"
    + _PSEP.join(f'"{name}": ?{_PS}' for name in PORTAL_REQUIRED)
    + "".join(f'(?:{_PSEP}"{name}": ?(?:{_PS}|null))?' for name in PORTAL_OPTIONAL)
    + r"\}$"
)
# ``offset_required``: ``T`` between date and time and an offset (``fastpath.ISO_TIMESTAMP`` bounds
# the rest: year, fields, offset; no fractions of a second)
_PORTAL_AWARE = r"^.{10}T.{8}(?:Z|[+-][0-9]{2}:[0-9]{2})$"


class PortalEventsFast:
    """Portal events a chunk at a time (polars). A line is taken when it visibly passes every check
    of :func:`portal_event_row`: printable text (no escapes), one flat JSON object with the
    schema's fields in the schema's order (so none unknown, none repeated: ``_PORTAL_LINE``), the
    required ones strings, the others strings or null; ``occurred_at`` and ``appointment_at``
    ``YYYY-MM-DDTHH:MM:SS`` with ``Z`` or ``±HH:MM``, real dates, the appointment not before the
    event and within ``portal.appointment_ahead``, the event's local day at most
    ``day_tolerance.portal`` from the file's; codes known (the region's seeds included); the fields
    an event type needs given. Event and application ids (not blank, not too long) are masked, and
    the identifiers checked against their patterns (``Record.matching``) and hashed, by the line
    parser's own functions once per distinct value; a value failing there sends its line to the
    line parser."""

    columns = PORTAL_EVENTS.columns
    line_cost = 4  # a portal event costs the line parser several queue_log lines
    group_key = ("portal_events",)  # whole daily files taken together

    def __init__(self, connector: WebsiteConnector, ctx: ParseContext) -> None:
        self.connector = connector
        self.ctx = ctx

    def slow(self, lines: Iterator[Line]) -> Iterator[ParsedRow | Rejection | object]:
        return self.connector._parse_portal_events(lines, self.ctx)

    def parse_chunk(self, lines: Any, first: int) -> tuple[Any, list[int]]:
        import polars as pl

        from include import fastpath

        region = self.ctx.region
        ps = self.ctx.pseudonymiser
        text = pl.col("text")
        plain = text.str.contains(fastpath.PRINTABLE_TEXT) & (text.str.len_chars() < 100_000)
        frame = fastpath.frame_of(lines)
        names = [*PORTAL_REQUIRED, *PORTAL_OPTIONAL]
        groups = pl.when(plain).then(text.str.extract_groups(_PORTAL_LINE))
        frame = frame.with_columns(groups.struct.rename_fields(names).alias("groups")).unnest("groups")
        tz = region.timezone.key

        def epoch(name: str) -> pl.Expr:
            value = pl.col(name)
            return pl.when(value.str.contains(_PORTAL_AWARE)).then(fastpath.iso_epoch(value, tz))

        frame = frame.with_columns(
            event=fastpath.mapped(frame["event_id"], fastpath.safe(partial(_portal_id, ps)), keep=fastpath.SYSTEM_ID),
            application=fastpath.mapped(
                frame["application_id"], fastpath.safe(partial(_portal_id, ps)), keep=fastpath.SYSTEM_ID
            ),
            occurred=epoch("occurred_at"),
            appointment=epoch("appointment_at"),
        )
        event_type = pl.col("event_type")
        ahead = limits.LIMITS["portal.appointment_ahead"]
        span = pl.col("appointment") - pl.col("occurred")
        local_day = pl.from_epoch("occurred", time_unit="s").dt.replace_time_zone("UTC").dt.convert_time_zone(tz)
        day_off = (local_day.dt.date() - fastpath.file_day(frame, self.ctx.source_file.file_date)).dt.total_days()

        def code(name: str, allowed: Any) -> pl.Expr:
            return pl.col(name).is_null() | pl.col(name).is_in(sorted(allowed))

        accepted = (
            (pl.col("event") != fastpath.INVALID)
            & pl.col("occurred").is_not_null()
            & event_type.is_in(list(EVENT_TYPES))
            & pl.col("user_type").is_in(list(USER_TYPES))
            & (pl.col("application").is_null() | (pl.col("application") != fastpath.INVALID))
            & code("application_type", region.application_types)
            & code("status", STATUSES)
            & code("office_id", region.offices)
            & code("client_group", region.client_groups)
            & (pl.col("appointment_at").is_null() | pl.col("appointment").is_not_null())
            & (
                pl.col("application").is_not_null()
                | ~event_type.is_in(["application_submitted", "application_status_changed"])
            )
            & (pl.col("status").is_not_null() | (event_type != "application_status_changed"))
            & (pl.col("appointment").is_not_null() | (event_type != "appointment_booked"))
            # whole seconds: (appointment − occurred).days is the span in whole days, rounded down
            & (
                pl.col("appointment").is_null()
                | ((span >= 0) & (span // 86400 >= int(ahead.low)) & (span // 86400 <= int(ahead.high)))
            )
            & (day_off.abs() <= limits.DAY_TOLERANCE["portal"].days)
        ).fill_null(False)
        frame = frame.with_columns(accepted=accepted)
        rows = frame.filter(pl.col("accepted"))

        def checked(pattern: re.Pattern[str], function: Callable[[str], str | None]) -> Callable[[str], str | None]:
            def call(value: str) -> str | None:
                return function(value) if schema_pattern_matches(pattern, value) else fastpath.INVALID

            return fastpath.safe(call)

        def inn(value: str) -> str | None:
            digits, is_person = split_inn(value)
            return None if is_person else digits

        def inn_hash(value: str) -> str | None:
            digits, is_person = split_inn(value)
            return ps.person_inn(digits) if is_person else None

        rows = rows.with_columns(
            esia_hash=fastpath.mapped(rows["esia_id"], checked(_DIGITS, ps.esia)),
            metrica_client_hash=fastpath.mapped(
                rows["metrica_client_id"],
                checked(_DIGITS, lambda value: ps.online_id("metrica", value) if value != "0" else None),
            ),
            snils_hash=fastpath.mapped(rows["snils"], checked(_SNILS, ps.snils)),
            phone_hash=fastpath.mapped(rows["phone"], checked(_PHONE, ps.phone)),
            email_hash=fastpath.mapped(rows["email"], checked(_EMAIL, ps.email)),
            inn_clear=fastpath.mapped(rows["inn"], checked(_INN, inn)),
            inn_hash=fastpath.mapped(rows["inn"], checked(_INN, inn_hash)),
            ogrn_checked=fastpath.mapped(rows["ogrn"], checked(_OGRN, lambda value: value)),
        )
        masked = (
            "esia_hash",
            "metrica_client_hash",
            "snils_hash",
            "phone_hash",
            "email_hash",
            "inn_clear",
            "inn_hash",
            "ogrn_checked",
        )
        rows, fallback = fastpath.without_invalid(frame, rows, masked)

        return rows.select(
            "i",
            pl.col("event").alias("event_id"),
            "event_type",
            fastpath.utc_text("occurred").alias("occurred_at"),
            "user_type",
            "esia_hash",
            "metrica_client_hash",
            "snils_hash",
            "phone_hash",
            "email_hash",
            pl.col("inn_clear").alias("inn"),
            "inn_hash",
            pl.col("ogrn_checked").alias("ogrn"),
            pl.col("application").alias("application_id"),
            "application_type",
            "status",
            "office_id",
            fastpath.utc_text("appointment").alias("appointment_at"),
            fastpath.file_date_text(frame, self.ctx.source_file.file_date).alias("file_date"),
            "client_group",
        ), fallback


def _portal_id(pseudonymiser: Pseudonymiser, value: str) -> str | None:
    """An event or application id as ``portal_event_row`` reads it (``Record.text`` with
    ``max_length``, ``nonblank``) and masks it (``mask_free``); ``INVALID`` where it rejects it."""
    from include import fastpath

    stripped = value.strip()
    if len(value) > MAX_TEXT or not stripped:
        return fastpath.INVALID
    return mask_free(stripped, pseudonymiser)


def portal_event_validator() -> Any:
    """A ``jsonschema`` validator of the portal event schema that also checks ``date-time``
    values (calendar dates, offsets) with the standard library — no extra packages."""
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def _is_datetime(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed.tzinfo is not None

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=checker)


if __name__ == "__main__":
    run_cli(WebsiteConnector())
