"""Batch loading shared by every source: stream files into ``raw`` tables with ``COPY``.

One batch = one source × region × data interval. Loading a batch is one transaction:

1. earlier batches of the same interval are removed (a re-run replaces, never duplicates);
2. each file of the interval is hashed: content already delivered (under any name) is counted
   as a duplicate delivery and not loaded again; a symbolic link, anything that is not a regular
   file, or a name with an impossible date is refused (one rejected line with the reason);
3. lines are read (``LineReader``: the encoding decided per line, UTF-16 recognised, a line over
   ``CJW_MAX_LINE_BYTES`` or holding a NUL byte rejected whole), parsed by the source's connector
   and streamed with ``COPY``; lines that do not fit go to ``raw.rejected_<source>`` with the
   reason and the original line, masked (``include.pseudonymise.mask_text``); a parsed value
   PostgreSQL could not store (NUL, lone surrogate, an integer out of the column's range) rejects
   its line instead of aborting the COPY;
4. exact duplicate records are removed, and records that clash on their natural key with a
   different content — in this batch or in another live batch of the source — are moved to the
   rejected table;
5. ``read = loaded + rejected + duplicate`` is checked — a mismatch aborts the transaction.

A failure anywhere rolls the whole batch back: no partial batch is ever visible.
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import hashlib
import io
import logging
import os
import re
import stat
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO, Protocol, cast

import psycopg
from psycopg import sql

from include import fastpath, settings
from include.config import RegionConfig
from include.pseudonymise import Pseudonymiser, mask_text

log = logging.getLogger(__name__)

PROGRESS_EVERY_LINES = 200_000
# groups of small files parsed ahead of the one being written (``BatchLoader._load_files``): one
# is enough to keep PostgreSQL busy, each holds its files' text and COPY block (a few MB)
PREFETCH_GROUPS = 1
# What is kept of a line over the length limit (characters, then masked).
TRUNCATED_CHARS = 2_000
# Reasons that mean a whole file (or the seeds) is wrong rather than a line: any of them fails the
# batch's reject gate however few lines it concerns (``include.ingest``).
FILE_LEVEL_REASONS = ("file rejected:", "unexpected header", "header lacks", "unknown queue")

BATCH_DDL = """
create schema if not exists raw;
create table if not exists raw.ingest_batches (
    batch_id bigint generated always as identity primary key,
    source text not null,
    region_id text not null,
    interval_start timestamptz not null,
    interval_end timestamptz not null,
    status text not null check (status in ('loading', 'loaded', 'validated', 'failed_validation', 'replaced')),
    run_id text,
    started_at timestamptz not null default now(),
    loaded_at timestamptz,
    validated_at timestamptz,
    replaced_at timestamptz,
    files integer not null default 0,
    rows_read bigint not null default 0,
    rows_loaded bigint not null default 0,
    rows_rejected bigint not null default 0,
    rows_duplicate bigint not null default 0,
    validation jsonb
);
create index if not exists ingest_batches_interval
    on raw.ingest_batches (source, region_id, interval_start, interval_end);
create table if not exists raw.ingest_files (
    batch_id bigint not null references raw.ingest_batches (batch_id),
    file_seq integer not null,
    path text not null,
    raw_table text not null,
    sha256 text not null,
    bytes bigint not null,
    encoding text,
    status text not null check (status in ('loaded', 'duplicate_delivery')),
    duplicate_of_batch_id bigint,
    lines_read bigint not null default 0,
    rows_loaded bigint not null default 0,
    rows_rejected bigint not null default 0,
    rows_duplicate bigint not null default 0,
    primary key (batch_id, file_seq)
);
create index if not exists ingest_files_sha256 on raw.ingest_files (sha256);
-- warehouses made before files could be refused: widen the status check once
do $$ begin
    if not exists (
        select 1 from pg_constraint
        where conname = 'ingest_files_status_check' and pg_get_constraintdef(oid) like '%refused%'
    ) then
        alter table raw.ingest_files drop constraint if exists ingest_files_status_check;
        alter table raw.ingest_files add constraint ingest_files_status_check
            check (status in ('loaded', 'duplicate_delivery', 'refused'));
    end if;
end $$;
"""

REJECTED_COLUMNS = ("batch_id", "file_seq", "line_no", "region_id", "file_path", "reason", "raw_line")


class ReconciliationError(RuntimeError):
    """read ≠ loaded + rejected + duplicate: something was lost; the batch is rolled back."""


@dataclass(frozen=True)
class RawTable:
    """A raw table a connector writes to. ``columns`` are the data columns in COPY order."""

    name: str
    column_ddl: tuple[tuple[str, str], ...]
    natural_key: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.column_ddl)

    def ddl(self) -> str:
        cols = ",\n    ".join(f"{name} {pg_type}" for name, pg_type in self.column_ddl)
        return (
            f"create table if not exists raw.{self.name} (\n"
            "    batch_id bigint not null,\n    file_seq integer not null,\n    line_no integer not null,\n"
            f"    region_id text not null,\n    {cols},\n"
            "    _loaded_at timestamptz not null default now()\n);\n"
            f"create index if not exists {self.name}_batch on raw.{self.name} (batch_id);\n"
            # a column a later version added (optional fields only) reaches an existing warehouse
            + "".join(
                f"alter table raw.{self.name} add column if not exists {name} {pg_type};\n"
                for name, pg_type in self.column_ddl
                if "not null" not in pg_type
            )
            + (
                f"create index if not exists {self.name}_natural_key on raw.{self.name}"
                f" (region_id, {', '.join(self.natural_key)});\n"
                if self.natural_key
                else ""
            )
        )

    @cached_property
    def _integer_columns(self) -> tuple[tuple[int, str, str, int, int], ...]:
        """(position, column, type, low, high) of the columns whose type bounds an integer."""
        found = []
        for position, (name, pg_type) in enumerate(self.column_ddl):
            base = pg_type.split()[0]
            bounds = _INTEGER_BOUNDS.get(base)
            if bounds:
                found.append((position, name, base, *bounds))
        return tuple(found)

    def storage_problem(self, values: Sequence[Any]) -> str | None:
        """Why PostgreSQL could not store this row (the whole COPY would fail), or None."""
        for (name, _), value in zip(self.column_ddl, values, strict=False):
            # str.isascii() is O(1): only non-ASCII text can hold a surrogate
            if type(value) is str and ("\x00" in value or (not value.isascii() and _UNSTORABLE.search(value))):
                return f"{name} contains a NUL character or an unpaired surrogate"
        for position, name, base, low, high in self._integer_columns:
            value = values[position]
            if value is None:
                continue
            if isinstance(value, list):
                if any(not low <= v <= high for v in value):
                    return f"{name} holds a value that does not fit the warehouse column ({base})"
            elif not low <= value <= high:
                return f"{name} {value} does not fit the warehouse column ({base})"
        return None


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_INTEGER_BOUNDS = {
    "smallint": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "integer[]": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
    "numeric(20,": (0, 10**20 - 1),
}


@dataclass(frozen=True)
class SourceFile:
    path: Path
    table: str
    file_date: date
    refused: str | None = None  # why the file is not read at all (a link, not a regular file, a bad name)


@dataclass(frozen=True)
class Line:
    number: int
    text: str
    terminated: bool


HEADER = object()
"""Yielded by a connector's ``parse`` for a valid header line: not data, not counted as read."""


@dataclass(frozen=True)
class Rejection:
    line_no: int
    reason: str
    raw: str | None
    masked: bool = False  # the connector masked ``raw`` itself (field by field); the loader leaves it


@dataclass(frozen=True)
class ParseContext:
    region: RegionConfig
    pseudonymiser: Pseudonymiser
    source_file: SourceFile


ParsedRow = tuple[int, Sequence[Any]]


class Connector(Protocol):
    @property
    def source(self) -> str: ...

    @property
    def tables(self) -> dict[str, RawTable]: ...

    @property
    def rejected_table(self) -> str: ...

    def discover(self, source_dir: Path, days: Sequence[date]) -> list[SourceFile]: ...

    def parse(self, lines: Iterator[Line], ctx: ParseContext) -> Iterator[ParsedRow | Rejection | object]: ...

    def has_header(self, source_file: SourceFile) -> bool: ...


@dataclass
class FileReport:
    path: str
    status: str
    encoding: str | None = None
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    duplicate: int = 0


@dataclass
class BatchReport:
    batch_id: int
    source: str
    region_id: str
    interval_start: datetime
    interval_end: datetime
    days: list[date]
    files: list[FileReport] = field(default_factory=list)
    replaced_batches: list[int] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def duplicate(self) -> int:
        return sum(f.duplicate for f in self.files)

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "source": self.source,
            "region_id": self.region_id,
            "interval_start": self.interval_start.isoformat(),
            "interval_end": self.interval_end.isoformat(),
            "days": [d.isoformat() for d in self.days],
            "files": len(self.files),
            "read": self.read,
            "loaded": self.loaded,
            "rejected": self.rejected,
            "duplicate": self.duplicate,
            "replaced_batches": self.replaced_batches,
            "seconds": round(self.seconds, 3),
        }


def days_in_interval(start: datetime, end: datetime, region: RegionConfig) -> list[date]:
    """Local days whose files belong to ``[start, end)``.

    A file dated ``d`` is complete at local midnight ending ``d``; it belongs to the interval
    with ``start < that midnight <= end``. Every day lands in exactly one interval of a
    contiguous schedule, and never in an interval that ends before the day is over.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("interval bounds must be timezone-aware")
    tz = region.timezone
    day = start.astimezone(tz).date() - timedelta(days=1)
    days: list[date] = []
    while True:
        day_end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tz)
        if day_end > end:
            return days
        if day_end > start:
            days.append(day)
        day += timedelta(days=1)


def discover_dated_files(
    source_dir: Path,
    days: Sequence[date],
    patterns: Sequence[tuple[re.Pattern[str], str]],
    *,
    recursive: bool = False,
) -> list[SourceFile]:
    """The files of ``source_dir`` for ``days``: a pattern's ``(?P<date>YYYYMMDD)`` names the local
    day of the file, its table the raw table it feeds. Names must match a pattern exactly.

    Refused (returned with ``refused`` set, never opened): a symbolic link or anything that is not
    a regular file under a name of the day; a name that matches but holds no real date, or that
    matches only once spaces or control characters are removed (these belong to no day and come
    with every interval: the loader records each once). Links to folders are not followed.
    """
    wanted = {day.strftime("%Y%m%d"): day for day in days}
    days_wanted = set(days)
    found: list[SourceFile] = []
    if not source_dir.is_dir() or source_dir.is_symlink():
        return found
    # every name is looked at (an odd one is refused whatever its day), but a landing folder keeps
    # years of exports: names stay strings, and only the files of the days become Paths
    for entry in _entries(source_dir, recursive):
        name = os.path.basename(entry)
        cleaned = _CONTROL_OR_SPACE.sub("", name)
        for pattern, table in patterns:
            match = pattern.fullmatch(name)
            odd_name = match is None and cleaned != name and pattern.fullmatch(cleaned) is not None
            if match is None and not odd_name:
                continue
            if odd_name:
                reason = f"file refused: its name {name!r} holds spaces or control characters"
                found.append(SourceFile(Path(entry), table, UNDATED, reason))
                break
            assert match is not None
            stamp = match.group("date")
            day = wanted.get(stamp) or _day_of(stamp)
            if day is None:
                reason = f"file refused: the date in its name {stamp!r} is not a date"
                found.append(SourceFile(Path(entry), table, UNDATED, reason))
                break
            if day not in days_wanted:
                break
            path = Path(entry)
            problem = _not_a_regular_file(path)
            found.append(SourceFile(path, table, day, f"file refused: {problem}" if problem else None))
            break
    return found


UNDATED = date.min
"""``file_date`` of a refused file whose name holds no day: recorded by the first batch that sees it."""
_CONTROL_OR_SPACE = re.compile(r"[\s\x00-\x1f\x7f]")


def _day_of(stamp: str) -> date | None:
    """The day ``strptime(stamp, "%Y%m%d")`` reads in ``stamp`` (eight digits), None if it is no
    day. Calendar arithmetic first (a hundred times faster, and a folder holds a file a day for
    years); strptime only to confirm a refusal."""
    if stamp.isascii() and stamp.isdigit() and len(stamp) == 8:  # strptime refuses other digits
        try:
            return date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8]))
        except ValueError:
            pass
    try:
        return datetime.strptime(stamp, "%Y%m%d").date()
    except ValueError:
        return None


def _entries(folder: Path, recursive: bool) -> list[str]:
    """Every entry of the folder (as path strings, in the order of their Paths); with ``recursive``
    every file below it (a link to a folder is listed, never followed)."""
    if not recursive:  # folders too: one named like a file of the day is refused, not skipped
        return sorted(os.path.join(folder, name) for name in os.listdir(folder))
    entries = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        entries += [os.path.join(root, name) for name in files]
        entries += [os.path.join(root, name) for name in dirs if os.path.islink(os.path.join(root, name))]
    return sorted(entries, key=lambda entry: entry.split(os.sep))


def _not_a_regular_file(path: Path) -> str | None:
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISLNK(mode):
        return "it is a symbolic link (links are not followed)"
    if not stat.S_ISREG(mode):
        return "it is not a regular file"
    return None


def ensure_raw_schema(conn: psycopg.Connection[Any], connector: Connector) -> None:
    with conn.cursor() as cur:
        # loads run in parallel (regions mapped, Celery workers): on a fresh warehouse two
        # `create … if not exists` of the same object race and one fails with a unique violation
        cur.execute("select pg_advisory_xact_lock(hashtext('cjw_raw_ddl'))")
        cur.execute(BATCH_DDL)
        for table in connector.tables.values():
            cur.execute(table.ddl())
        cur.execute(
            sql.SQL(
                "create table if not exists raw.{} (batch_id bigint not null, file_seq integer not null,"
                " line_no integer not null, region_id text not null, file_path text not null,"
                " reason text not null, raw_line text, rejected_at timestamptz not null default now());"
                " create index if not exists {} on raw.{} (batch_id);"
            ).format(
                sql.Identifier(connector.rejected_table),
                sql.Identifier(f"{connector.rejected_table}_batch"),
                sql.Identifier(connector.rejected_table),
            )
        )


def discard_batch_rows(conn: psycopg.Connection[Any], connector: Connector, batch_id: int) -> int:
    """Delete the loaded rows of a batch that failed validation (its rejected lines, masked, and its
    counts stay for the operator): rows nobody validated are not kept in the warehouse."""
    removed = 0
    with conn.cursor() as cur:
        for table in connector.tables.values():
            cur.execute(
                sql.SQL("delete from raw.{} where batch_id = %s").format(sql.Identifier(table.name)), (batch_id,)
            )
            removed += cur.rowcount
    return removed


def sha256_of(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def utf16_of(head: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when the start of a file is UTF-16 (a BOM, or the NUL byte of
    every other byte that UTF-16 text in Latin or Cyrillic letters has), else None."""
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le"
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be"
    sample = head[:512]
    if len(sample) < 8 or len(sample) % 2:
        sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    pairs = len(sample) // 2
    if odd.count(0) > 0.6 * pairs and even.count(0) < 0.1 * pairs:
        return "utf-16-le"
    if even.count(0) > 0.6 * pairs and odd.count(0) < 0.1 * pairs:
        return "utf-16-be"
    return None


class LineReader:
    """Streams the lines of a file and counts every physical line it saw.

    The count is taken here, independently of the parser, so that the reconciliation notices a
    parser that silently skipped a line. Nothing a line holds crashes or stalls it:

    * the encoding is decided per line: UTF-8 when the line is valid UTF-8, else Windows-1251
      (a file may mix them: one Windows-1251 line no longer garbles the others); a file starting
      with a UTF-16 byte-order mark, or looking like UTF-16, is read as UTF-16;
    * a line holding a NUL byte, or that is neither UTF-8 nor Windows-1251, is rejected;
    * a line longer than ``max_bytes`` is rejected whole (its first characters are kept for the
      operator, masked later) and skipped without being held in memory.

    ``recent`` keeps the last lines read (number → text) so that a row refused later (a value
    PostgreSQL cannot store) is quarantined with its line.
    """

    RECENT = 2_048

    def __init__(
        self, path: Path, encoding: str | None, rejections: list[Rejection], *, max_bytes: int | None = None
    ) -> None:
        self.path = path
        self.rejections = rejections
        self.max_bytes = max_bytes or settings.max_line_bytes()
        self.physical = 0
        self.recent: dict[int, str] = {}
        self.used: set[str] = set()
        self.bom = False
        self.utf16: str | None = None
        if encoding in ("utf-16-le", "utf-16-be"):
            self.utf16 = encoding

    @property
    def encoding(self) -> str:
        """What the lines were: ``utf-8``, ``cp1251``, ``utf-8+cp1251`` (mixed), ``utf-16-le`` …"""
        if self.utf16:
            return self.utf16
        used = "+".join(e for e in ("utf-8", "cp1251") if e in self.used) or "utf-8"
        return f"{used}-sig" if self.bom and used == "utf-8" else used

    def __iter__(self) -> Iterator[Line]:
        with self.path.open("rb") as handle:
            head = handle.read(4096)
            handle.seek(0)
            self.utf16 = self.utf16 or utf16_of(head)
            if self.utf16:
                yield from self._utf16_lines(handle)
                return
            if head.startswith(codecs.BOM_UTF8):
                self.bom = True
                handle.seek(len(codecs.BOM_UTF8))
            for number, raw, size, terminated in self._raw_lines(handle):
                line = self._decode(number, raw, size, terminated)
                if line is not None:
                    yield self._remember(line)

    def lines_from(self, offset: int, number: int) -> Iterator[Line]:
        """The lines from byte ``offset`` on, numbered after ``number`` (the fast path hands the rest of
        a file over here at a line too long for it; never a UTF-16 file)."""
        with self.path.open("rb") as handle:
            handle.seek(offset)
            for count, raw, size, terminated in self._raw_lines(handle, number):
                line = self._decode(count, raw, size, terminated)
                if line is not None:
                    yield self._remember(line)

    def _raw_lines(self, handle: BinaryIO, number: int = 0) -> Iterator[tuple[int, bytes, int, bool]]:
        """(number, bytes without the line break — at most ``max_bytes + 1`` of them, size, terminated)."""
        limit = self.max_bytes
        while True:
            raw = handle.readline(limit + 1)
            if not raw:
                return
            number += 1
            self.physical = number
            size = len(raw)
            terminated = raw.endswith(b"\n")
            while not terminated and size > limit:  # an overlong line: skip the rest, keep its size
                rest = handle.readline(1 << 20)
                if not rest:
                    break
                size += len(rest)
                terminated = rest.endswith(b"\n")
            yield number, raw.rstrip(b"\r\n"), size, terminated

    def _decode(self, number: int, body: bytes, size: int, terminated: bool) -> Line | None:
        if size > self.max_bytes:
            text = body[: TRUNCATED_CHARS * 4].decode("utf-8", "replace")
            self._reject(number, f"line is longer than the limit of {self.max_bytes} bytes ({size} bytes)", text, size)
            return None
        if b"\x00" in body:
            text = body.replace(b"\x00", b"").decode("utf-8", "replace")
            nuls = body.count(b"\x00")
            if terminated:
                self._reject(number, f"line contains {nuls} NUL byte(s) (0x00)", text)
            else:  # a file cut off and padded with zeros (a crash while writing)
                self._reject(number, f"truncated last line (no newline at end of file, {nuls} NUL bytes)", text)
            return None
        if body.isascii():
            return Line(number, body.decode("ascii"), terminated)
        try:
            text = body.decode("utf-8")
            self.used.add("utf-8")
        except UnicodeDecodeError:
            try:
                text = body.decode("cp1251")
                self.used.add("cp1251")
            except UnicodeDecodeError:
                self._reject(number, "line is neither UTF-8 nor Windows-1251", body.decode("cp1251", "replace"))
                return None
        return Line(number, text, terminated)

    def _utf16_lines(self, handle: BinaryIO) -> Iterator[Line]:
        assert self.utf16 is not None
        limit = self.max_bytes // 2
        stream = io.TextIOWrapper(handle, encoding=self.utf16, errors="replace", newline="")
        number = 0
        first = True
        while True:
            text = stream.readline(limit + 1)
            if not text:
                return
            number += 1
            self.physical = number
            size = len(text)
            terminated = text.endswith("\n")
            while not terminated and size > limit:
                rest = stream.readline(1 << 19)
                if not rest:
                    break
                size += len(rest)
                terminated = rest.endswith("\n")
            body = text.rstrip("\r\n")
            if first:
                body = body.removeprefix("\ufeff")
                first = False
            if size > limit:
                self._reject(
                    number,
                    f"line is longer than the limit of {self.max_bytes} bytes ({2 * size} bytes)",
                    body,
                    2 * size,
                )
            elif "\x00" in body:
                self._reject(number, "line contains a NUL character", body.replace("\x00", ""))
            elif "\ufffd" in body:
                self._reject(number, f"line is not valid {self.utf16.upper()}", body)
            else:
                yield self._remember(Line(number, body, terminated))

    def _reject(self, number: int, reason: str, text: str, size: int | None = None) -> None:
        if size is not None:
            kept = _TRAILING_PART_OF_NUMBER.sub("", text[:TRUNCATED_CHARS])
            text = f"{kept} … [truncated: {size} bytes]"
        self.rejections.append(Rejection(number, reason, text))

    def _remember(self, line: Line) -> Line:
        self.recent[line.number] = line.text
        self.recent.pop(line.number - self.RECENT, None)
        return line


# the digits a cut can leave of an identifier at the end of a truncated line: dropped, not stored
_TRAILING_PART_OF_NUMBER = re.compile(r"[\d(+][\d\s().+-]*$")


def count_lines(path: Path) -> int:
    """Physical lines of a file, read the way the loader reads them."""
    reader = LineReader(path, None, [])
    for _ in reader:
        pass
    return reader.physical


class BatchLoader:
    """Loads one batch of one source; see the module docstring for the steps."""

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        connector: Connector,
        region: RegionConfig,
        pseudonymiser: Pseudonymiser,
        *,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.conn = conn
        self.connector = connector
        self.region = region
        self.pseudonymiser = pseudonymiser
        self.progress = progress or log.info
        self._file_records: list[tuple[Any, ...]] = []  # rows of raw.ingest_files still to insert

    def load(self, source_dir: Path, start: datetime, end: datetime, *, run_id: str | None = None) -> BatchReport:
        started = time.perf_counter()
        days = days_in_interval(start, end, self.region)
        files = self.connector.discover(source_dir, days)
        ensure_raw_schema(self.conn, self.connector)
        self.conn.commit()
        with self.conn.transaction():
            with self.conn.cursor() as cur:
                cur.execute(
                    "select pg_advisory_xact_lock(hashtext(%s))", (f"{self.connector.source}:{self.region.region_id}",)
                )
            replaced = self._replace_earlier(start, end)
            files = [f for f in files if not (f.file_date == UNDATED and self._refused_before(f.path))]
            batch_id = self._open_batch(start, end, run_id)
            report = BatchReport(batch_id, self.connector.source, self.region.region_id, start, end, days)
            report.replaced_batches = replaced
            report.files = self._load_files(batch_id, files)
            self._remove_duplicate_records(batch_id, report)
            self._update_file_counts(batch_id, report)
            self._reconcile(batch_id, report)
            self._close_batch(batch_id, report)
        if report.loaded:
            self._analyze(batch_id, files, report.files)
        report.seconds = time.perf_counter() - started
        self.progress(
            f"{self.connector.source}/{self.region.region_id} batch {batch_id}: {len(files)} files, "
            f"read {report.read}, loaded {report.loaded}, rejected {report.rejected}, "
            f"duplicate {report.duplicate} in {report.seconds:.1f} s"
        )
        return report

    # -- batch bookkeeping -------------------------------------------------------------------

    def _replace_earlier(self, start: datetime, end: datetime) -> list[int]:
        with self.conn.cursor() as cur:
            cur.execute(
                "select batch_id from raw.ingest_batches where source = %s and region_id = %s"
                " and interval_start = %s and interval_end = %s and status <> 'replaced'",
                (self.connector.source, self.region.region_id, start, end),
            )
            old = [row[0] for row in cur.fetchall()]
            if not old:
                return []
            for table in [*(t.name for t in self.connector.tables.values()), self.connector.rejected_table]:
                cur.execute(
                    sql.SQL("delete from raw.{} where batch_id = any(%s)").format(sql.Identifier(table)), (old,)
                )
            cur.execute(
                "update raw.ingest_batches set status = 'replaced', replaced_at = now() where batch_id = any(%s)",
                (old,),
            )
        return old

    def _refused_before(self, path: Path) -> bool:
        """A file whose name holds no day was already recorded as refused by a live batch."""
        with self.conn.cursor() as cur:
            cur.execute(
                "select 1 from raw.ingest_files f join raw.ingest_batches b using (batch_id)"
                " where f.path = %s and f.status = 'refused' and b.source = %s and b.region_id = %s"
                " and b.status <> 'replaced' limit 1",
                (str(path), self.connector.source, self.region.region_id),
            )
            return cur.fetchone() is not None

    def _open_batch(self, start: datetime, end: datetime, run_id: str | None) -> int:
        with self.conn.cursor() as cur:
            cur.execute(
                "insert into raw.ingest_batches (source, region_id, interval_start, interval_end, status, run_id)"
                " values (%s, %s, %s, %s, 'loading', %s) returning batch_id",
                (self.connector.source, self.region.region_id, start, end, run_id),
            )
            row = cur.fetchone()
            assert row is not None
            return int(row[0])

    def _earlier_deliveries(self, shas: Sequence[str], batch_id: int) -> dict[str, int]:
        """The first live batch of the source, other than this one, that loaded each content (one
        query for the batch's files: a round trip per file cost more than reading a small one)."""
        with self.conn.cursor() as cur:
            cur.execute(
                "select f.sha256, min(f.batch_id) from raw.ingest_files f join raw.ingest_batches b using (batch_id)"
                " where f.sha256 = any(%s) and f.status = 'loaded' and b.source = %s and b.status <> 'replaced'"
                " and f.batch_id <> %s group by f.sha256",
                (list(set(shas)), self.connector.source, batch_id),
            )
            return {sha: int(first) for sha, first in cur.fetchall()}

    # -- one file ----------------------------------------------------------------------------

    def _load_files(self, batch_id: int, files: Sequence[SourceFile]) -> list[FileReport]:
        """Every file of the batch, reported in their order. A file whose content was delivered before
        is counted as a duplicate; the others are parsed alone, or — whole small files a fast parser
        takes together (``include.fastpath``) — with the other files of their group, a group parsed
        as one chunk once its files reach a chunk's size (memory stays bounded).

        A group is parsed in a thread while PostgreSQL takes the rows of the group before it
        (:meth:`_prepare_group` touches no connection): parsing and ``COPY`` overlap instead of
        waiting on each other. At most ``PREFETCH_GROUPS`` groups are parsed ahead."""
        plan: list[tuple[str, Any]] = []  # in the files' order: ("file", (seq, file, sha, size)) or ("group", members)
        reports: dict[int, FileReport] = {}
        pending: dict[tuple[Any, ...], list[_Member]] = {}
        self._file_records = []
        hashes = {seq: sha256_of(f.path) for seq, f in enumerate(files, start=1) if not f.refused}
        seen = self._earlier_deliveries([sha for sha, _ in hashes.values()], batch_id)
        for seq, source_file in enumerate(files, start=1):
            if source_file.refused:
                reports[seq] = self._refuse_file(batch_id, seq, source_file)
                continue
            sha, size = hashes[seq]
            earlier = seen.get(sha)
            if earlier is not None:
                reports[seq] = self._duplicate_file(batch_id, seq, source_file, sha, size, earlier)
                continue
            seen[sha] = batch_id
            member = self._group_member(seq, source_file, sha, size)
            if member is None:
                plan.append(("file", (seq, source_file, sha, size)))
                continue
            group = pending.setdefault(member.key, [])
            group.append(member)
            if sum(m.size for m in group) >= fastpath.GROUP_BYTES:
                plan.append(("group", pending.pop(member.key)))
        plan.extend(("group", group) for group in pending.values())
        groups = [members for kind, members in plan if kind == "group"]
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cjw-parse") as pool:
            ahead: deque[Future[_PreparedGroup]] = deque()
            following = iter(groups)
            try:
                for kind, item in plan:
                    while len(ahead) <= PREFETCH_GROUPS:
                        members = next(following, None)
                        if members is None:
                            break
                        ahead.append(pool.submit(self._prepare_group, batch_id, members))
                    if kind == "file":
                        seq, source_file, sha, size = item
                        reports[seq] = self._load_file(batch_id, seq, source_file, sha, size)
                    else:
                        reports.update(self._write_group(batch_id, ahead.popleft().result()))
            finally:
                for waiting in ahead:
                    waiting.cancel()
        with self.conn.cursor() as cur:
            cur.executemany(
                "insert into raw.ingest_files (batch_id, file_seq, path, raw_table, sha256, bytes, encoding, status,"
                " duplicate_of_batch_id, lines_read, rows_loaded, rows_rejected, rows_duplicate)"
                " values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                self._file_records,
            )
        return [reports[seq] for seq in sorted(reports)]

    def _duplicate_file(
        self, batch_id: int, seq: int, source_file: SourceFile, sha: str, size: int, earlier: int
    ) -> FileReport:
        path = source_file.path
        lines = count_lines(path) - (1 if self.connector.has_header(source_file) else 0)
        report = FileReport(str(path), "duplicate_delivery", read=max(lines, 0), duplicate=max(lines, 0))
        self.progress(f"{path.name}: same content as a file of batch {earlier} — counted as duplicate delivery")
        self._record_file(batch_id, seq, source_file, sha, size, report, duplicate_of=earlier)
        return report

    def _copy_sql(self, table: RawTable) -> sql.Composed:
        return sql.SQL("copy raw.{} ({}) from stdin").format(
            sql.Identifier(table.name),
            sql.SQL(", ").join(map(sql.Identifier, ("batch_id", "file_seq", "line_no", "region_id", *table.columns))),
        )

    def _load_file(self, batch_id: int, seq: int, source_file: SourceFile, sha: str, size: int) -> FileReport:
        path = source_file.path
        ctx = ParseContext(self.region, self.pseudonymiser, source_file)
        table = self.connector.tables[source_file.table]
        fast = self._fast_parser(source_file, table, ctx)
        with tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8") as spool:
            state = _FileState(seq, source_file, table, FileReport(str(path), "loaded"), spool)
            with self.conn.cursor() as cur, cur.copy(self._copy_sql(table)) as copy:
                if fast is None:
                    self._take(batch_id, state, self.connector.parse(iter(state.reader), ctx), copy)
                else:
                    self._load_fast(fast, state, copy, batch_id)
            return self._finish_file(batch_id, state, sha, size)

    def _take(
        self, batch_id: int, state: _FileState, items: Iterable[ParsedRow | Rejection | object], copy: Any
    ) -> None:
        """What the line parser made of a file's lines: rows to COPY (a value PostgreSQL could not
        store rejects its line instead), rejections to the file's spool."""
        report, rejections, table, seq = state.report, state.rejections, state.table, state.seq
        region_id = self.region.region_id
        for item in items:
            if item is HEADER:
                state.headers += 1
                continue
            if isinstance(item, Rejection):
                rejections.append(item)
            else:
                line_no, values = cast(ParsedRow, item)
                problem = table.storage_problem(values)
                if problem is None:
                    copy.write_row((batch_id, seq, line_no, region_id, *values))
                    report.loaded += 1
                else:
                    rejections.append(Rejection(line_no, problem, state.reader.recent.get(line_no)))
            if len(rejections) > 1000:
                report.rejected += self._spool(rejections, state.spool)
            processed = report.loaded + report.rejected + len(rejections)
            if processed and processed % PROGRESS_EVERY_LINES == 0:
                self.progress(f"{state.source_file.path.name}: {processed} lines")

    def _finish_file(self, batch_id: int, state: _FileState, sha: str, size: int) -> FileReport:
        """After the file's COPY: its rejections stored, its counts recorded."""
        report, reader, path = state.report, state.reader, state.source_file.path
        report.rejected += self._spool(state.rejections, state.spool)
        self._copy_rejections(state.spool, batch_id, state.seq, path)
        report.read = reader.physical - state.headers
        report.encoding = reader.encoding
        if report.read == 0:
            self.progress(f"{path.name}: an empty export (no data lines) — nothing to load from it")
        self._record_file(batch_id, state.seq, state.source_file, sha, size, report)
        return report

    def _fast_offer(self, source_file: SourceFile, table: RawTable, ctx: ParseContext) -> Any:
        """The connector's vectorised parser for this file, when it has one and the file can be read
        in chunks (``include.fastpath``), whatever the file's size."""
        offer = getattr(self.connector, "fast_parser", None)
        if offer is None or not fastpath.enabled() or not fastpath.readable(source_file.path):
            return None
        fast = offer(source_file, ctx)
        # integer columns: their bounds are checked per row (storage_problem) unless the fast
        # parser takes only values within them
        if fast is None or (table._integer_columns and not getattr(fast, "bounds_checked", False)):
            return None
        return fast

    def _fast_parser(self, source_file: SourceFile, table: RawTable, ctx: ParseContext) -> Any:
        """The fast parser of a file read alone: only for a file large enough for chunks; None reads
        the file line by line."""
        fast = self._fast_offer(source_file, table, ctx)
        return fast if fast is not None and fastpath.worth_it(source_file.path, fast) else None

    def _group_member(self, seq: int, source_file: SourceFile, sha: str, size: int) -> _Member | None:
        """The file as a member of a group of files parsed together, when its fast parser takes
        groups (``group_key``) and the file fits a chunk."""
        if size >= fastpath.GROUP_BYTES:
            return None
        table = self.connector.tables[source_file.table]
        fast = self._fast_offer(source_file, table, ParseContext(self.region, self.pseudonymiser, source_file))
        key = getattr(fast, "group_key", None)
        if fast is None or key is None:
            return None
        return _Member(seq, source_file, sha, size, fast, (source_file.table, type(fast).__name__, *key))

    def _prepare_group(self, batch_id: int, members: list[_Member]) -> _PreparedGroup:
        """Whole files of one group parsed as one chunk, up to the ``COPY`` text of the rows taken —
        nothing here touches the connection (it runs in the parsing thread). A group too small for a
        chunk's fixed cost, and a file that is not one chunk of whole lines (empty, an unterminated
        or overlong line), is left to be read alone (``alone``)."""
        import polars as pl

        lead = members[0].fast
        if not fastpath.worth_it(sum(m.size for m in members), lead):
            return _PreparedGroup(alone=members)
        max_bytes = settings.max_line_bytes()
        alone: list[_Member] = []
        ready: list[tuple[_Member, fastpath.Chunk]] = []
        tails: dict[int, tuple[int, bytes]] = {}  # a file's cut last line
        for m in members:
            whole = fastpath.whole_file(m.source_file.path, max_bytes)
            if whole is None:
                alone.append(m)
                continue
            chunk, tail = whole
            ready.append((m, chunk))
            if tail is not None:
                tails[m.seq] = tail
        if not ready:
            return _PreparedGroup(alone=alone)
        frame = fastpath.group_frame([(c, getattr(m.fast, "window", None), m.source_file.file_date) for m, c in ready])
        rows, fallback = lead.parse_chunk(frame, 1)
        offsets: list[int] = []
        forced: list[int] = []
        offset = 0
        for m, chunk in ready:
            offsets.append(offset)
            forced.extend(offset + i for i in chunk.forced)
            if m.size >= max_bytes:  # a line at the limit (its line break included) goes to the line parser
                forced.extend(offset + i for i in range(len(chunk.lines)) if len(chunk.bytes_of(i)) + 1 > max_bytes)
            offset += len(chunk.lines)
        rows, fallback = _settle_chunk(
            rows, fallback, forced, offset, lead.columns, f"{len(ready)} files from {ready[0][0].source_file.path}"
        )
        # each taken row's file (its position among the members) and line number in that file
        starts = pl.Series(offsets, dtype=pl.Int64)
        member = starts.search_sorted(rows["i"].cast(pl.Int64), side="right") - 1
        rows = rows.with_columns(
            pl.Series(fastpath.FILE_SEQ, [m.seq for m, _ in ready], dtype=pl.Int64).gather(member),
            (pl.col("i").cast(pl.Int64) - starts.gather(member) + 1).alias(fastpath.LINE),
        )
        loaded = dict(member.value_counts().iter_rows())
        # the encoding the line reader would report: of the taken lines that are not ASCII
        not_ascii = set(member.filter(~frame["text"].gather(rows["i"]).str.contains(r"^[\x00-\x7f]*$")).to_list())
        block = (
            fastpath.copy_block(rows, (batch_id, None, self.region.region_id), None, lead.columns)
            if rows.height
            else ""
        )
        return _PreparedGroup(alone, ready, tails, offsets, fallback, loaded, not_ascii, block)

    def _write_group(self, batch_id: int, group: _PreparedGroup) -> dict[int, FileReport]:
        """A prepared group into the warehouse: its files read alone first, then one ``COPY`` of the
        rows taken and of what the line parser makes of the lines left, each file keeping its own
        line numbers, rejections, counts and record."""
        reports: dict[int, FileReport] = {}
        for m in group.alone:
            reports[m.seq] = self._load_file(batch_id, m.seq, m.source_file, m.sha, m.size)
        if not group.ready:
            return reports
        table = self.connector.tables[group.ready[0][0].source_file.table]
        fallback, tails = group.fallback, group.tails
        with contextlib.ExitStack() as stack:
            states = [
                _FileState(
                    m.seq,
                    m.source_file,
                    table,
                    FileReport(str(m.source_file.path), "loaded"),
                    stack.enter_context(tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8")),
                )
                for m, _ in group.ready
            ]
            with self.conn.cursor() as cur, cur.copy(self._copy_sql(table)) as copy:
                if group.block:
                    copy.write(group.block)
                for index, ((m, chunk), state, begin) in enumerate(
                    zip(group.ready, states, group.offsets, strict=True)
                ):
                    end = begin + len(chunk.lines)
                    state.reader.physical = len(chunk.lines)
                    state.report.loaded += group.loaded.get(index, 0)
                    if index in group.not_ascii:
                        state.reader.used.add("cp1251" if chunk.cp1251 else "utf-8")
                    left = fallback[bisect.bisect_left(fallback, begin) : bisect.bisect_left(fallback, end)]
                    decoded = (
                        fastpath.decode_line(state.reader, i - begin + 1, chunk.bytes_of(i - begin), True) for i in left
                    )
                    self._take(batch_id, state, m.fast.slow(line for line in decoded if line is not None), copy)
                    if m.seq in tails:  # the cut last line, as the line reader reads it
                        number, raw = tails[m.seq]
                        state.reader.physical = number
                        line = fastpath.decode_line(state.reader, number, raw, False)
                        self._take(batch_id, state, m.fast.slow(iter([line] if line is not None else [])), copy)
            for (m, _), state in zip(group.ready, states, strict=True):
                reports[m.seq] = self._finish_file(batch_id, state, m.sha, m.size)
        return reports

    def _load_fast(self, fast: fastpath.FastParser, state: _FileState, copy: Any, batch_id: int) -> None:
        """Chunk by chunk: the rows the fast parser proves valid go to COPY as one block, every
        other line to the connector's line-by-line parser (``_take``), in the order of the file's
        chunks. The reader's count of physical lines is kept as it would be by reading."""
        import polars as pl

        reader, report = state.reader, state.report
        prefix = (batch_id, state.seq, self.region.region_id)

        def take(items: Iterable[ParsedRow | Rejection | object]) -> None:
            self._take(batch_id, state, items, copy)

        for piece in fastpath.chunks(reader.path, reader.max_bytes):
            if isinstance(piece, fastpath.Rest):
                reader.physical = piece.number
                take(fast.slow(reader.lines_from(piece.offset, piece.number)))
                return
            if isinstance(piece, tuple):  # the unterminated last line
                number, raw = piece
                reader.physical = number
                line = fastpath.decode_line(reader, number, raw, False)
                take(fast.slow(iter([line] if line is not None else [])))
                return
            lines = piece.lines
            series = pl.Series("text", lines, dtype=pl.String)
            rows, fallback = fast.parse_chunk(series, piece.first)
            # the line reader rejects a line at the limit (its line break included) whatever it holds
            sizes = series.str.len_bytes() if piece.raw is None else pl.Series([len(raw) for raw in piece.raw])
            too_long = (sizes + 1 > reader.max_bytes).arg_true().to_list()
            rows, fallback = _settle_chunk(
                rows, fallback, [*piece.forced, *too_long], len(lines), fast.columns, str(reader.path)
            )
            reader.physical = piece.first + len(lines) - 1
            if rows.height:
                copy.write(fastpath.copy_block(rows, prefix, piece.first, fast.columns))
                report.loaded += rows.height
                # the encoding the line reader would report: of the taken lines that are not ASCII
                if not series.gather(rows["i"]).str.contains(r"^[\x00-\x7f]*$").all():
                    reader.used.add("cp1251" if piece.cp1251 else "utf-8")
            decoded = (fastpath.decode_line(reader, piece.first + i, piece.bytes_of(i), True) for i in fallback)
            take(fast.slow(line for line in decoded if line is not None))

    def _refuse_file(self, batch_id: int, seq: int, source_file: SourceFile) -> FileReport:
        """A refused file is never opened: one rejected line (line 0) says why; read 1 = rejected 1."""
        report = FileReport(str(source_file.path), "refused", read=1, rejected=1)
        log.warning("%s: %s", source_file.path, source_file.refused)
        self.progress(f"{source_file.path.name!r}: {source_file.refused}")
        self._record_file(batch_id, seq, source_file, "", _size_of_link(source_file.path), report)
        rejection = Rejection(0, source_file.refused or "file refused", str(source_file.path))
        with tempfile.SpooledTemporaryFile(mode="w+", encoding="utf-8") as spool:
            self._spool([rejection], spool)
            self._copy_rejections(spool, batch_id, seq, source_file.path)
        return report

    def _spool(self, rejections: list[Rejection], spool: Any) -> int:
        ps = self.pseudonymiser
        for rejection in rejections:
            raw = rejection.raw
            if raw is not None and not rejection.masked:
                raw = mask_text(_storable(raw), ps)
            spool.write(_copy_text((rejection.line_no, mask_text(_storable(rejection.reason), ps), raw)))
        count = len(rejections)
        rejections.clear()
        return count

    def _copy_rejections(self, spool: Any, batch_id: int, seq: int, path: Path) -> None:
        if spool.tell() == 0:  # nothing was rejected: no COPY (a round trip per file)
            return
        spool.seek(0)
        copy_sql = sql.SQL("copy raw.{} ({}) from stdin").format(
            sql.Identifier(self.connector.rejected_table), sql.SQL(", ").join(map(sql.Identifier, REJECTED_COLUMNS))
        )
        prefix = _copy_text((batch_id, seq)).rstrip("\n") + "\t"
        middle = "\t" + _copy_text((self.region.region_id, str(path))).rstrip("\n") + "\t"
        with self.conn.cursor() as cur, cur.copy(copy_sql) as copy:
            for line in spool:
                line_no, reason_and_raw = line.split("\t", 1)
                copy.write(prefix + line_no + middle + reason_and_raw)

    def _record_file(
        self,
        batch_id: int,
        seq: int,
        source_file: SourceFile,
        sha: str,
        size: int,
        report: FileReport,
        duplicate_of: int | None = None,
    ) -> None:
        """The file's row of ``raw.ingest_files``, inserted with the batch's others when its files
        are loaded (``_load_files``)."""
        self._file_records.append(
            (
                batch_id,
                seq,
                str(source_file.path),
                self.connector.tables[source_file.table].name,
                sha,
                size,
                report.encoding,
                report.status,
                duplicate_of,
                report.read,
                report.loaded,
                report.rejected,
                report.duplicate,
            )
        )

    # -- record-level duplicates and the reconciliation ---------------------------------------

    def _remove_duplicate_records(self, batch_id: int, report: BatchReport) -> None:
        """Exact duplicates are dropped and counted; same natural key with other content is rejected.

        Both are found among the rows whose key is shared (:meth:`_rows_alike`), a cheap pass over the
        batch; the ranking by row text and by key then reads those rows alone (before, each ranked
        every row of the batch: ≈ 3 s for the exact duplicates of 600 k calls). Two rows are exact
        duplicates when their text (md5 of the row) is the same: equal text means equal values, equal
        values hash alike, and rows of equal values have equal keys."""
        by_seq = {seq: f for seq, f in enumerate(report.files, start=1)}
        for table in self.connector.tables.values():
            data = sql.SQL(", ").join(map(sql.Identifier, table.columns))
            with self.conn.cursor() as cur:
                alike = self._rows_alike(cur, batch_id, table)
                if alike:
                    cur.execute(
                        sql.SQL(
                            "with ranked as (select ctid, file_seq, row_number() over ("
                            " partition by md5(row({data})::text) order by file_seq, line_no) as n"
                            " from raw.{table} where batch_id = %s and ctid = any(%s::tid[]))"
                            " delete from raw.{table} t using ranked r where t.ctid = r.ctid and r.n > 1"
                            " returning r.file_seq"
                        ).format(data=data, table=sql.Identifier(table.name)),
                        (batch_id, alike),
                    )
                    for (seq,) in cur.fetchall():
                        by_seq[seq].loaded -= 1
                        by_seq[seq].duplicate += 1
                if table.natural_key:
                    if alike:  # rows removed above are gone: ``ctid = any`` no longer finds them
                        self._reject_key_conflicts(cur, batch_id, table, by_seq, alike)
                    if self._other_live_batches(cur, batch_id):
                        self._settle_against_other_batches(cur, batch_id, table, by_seq)

    @staticmethod
    def _rows_alike(cur: psycopg.Cursor[Any], batch_id: int, table: RawTable) -> list[str]:
        """The rows of the batch (``ctid``) that share the hash of their natural key — of all their
        values for a table without one — with another row: only these can be duplicates of each
        other or clash on their key. Equal values hash alike (``hash_record_extended``, the hash
        of the values, no conversion to text)."""
        columns = table.natural_key or table.columns
        cur.execute(
            sql.SQL(
                "select array(select ctid from (select ctid,"
                " count(*) over (partition by hash_record_extended(row({columns}), 0)) as rows_alike"
                " from raw.{table} where batch_id = %s) alike where rows_alike > 1)::text[]"
            ).format(columns=sql.SQL(", ").join(map(sql.Identifier, columns)), table=sql.Identifier(table.name)),
            (batch_id,),
        )
        row = cur.fetchone()
        return list(row[0]) if row else []

    def _other_live_batches(self, cur: psycopg.Cursor[Any], batch_id: int) -> bool:
        """Does a live batch of the source other than this one exist? Without one no record can clash
        with another batch's, and the settling (a look-up per record of the batch) is skipped."""
        cur.execute(
            "select exists (select 1 from raw.ingest_batches where source = %s and batch_id <> %s"
            " and status in ('loaded', 'validated'))",
            (self.connector.source, batch_id),
        )
        row = cur.fetchone()
        return bool(row and row[0])

    def _settle_against_other_batches(
        self, cur: psycopg.Cursor[Any], batch_id: int, table: RawTable, by_seq: dict[int, FileReport]
    ) -> None:
        """A record whose natural key a live batch of another interval already holds (a correction
        or a re-delivery in another day's file): the same values are a duplicate, other values a
        conflict, rejected like one inside the batch. The record loaded first stays."""
        content = [c for c in table.columns if c != "file_date"]

        def row_of(alias: str) -> sql.Composable:
            return sql.SQL("md5(row({})::text)").format(sql.SQL(", ").join(sql.Identifier(alias, c) for c in content))

        same_key = sql.SQL(" and ").join(
            sql.SQL("{} = {}").format(sql.Identifier("x", c), sql.Identifier("t", c))
            for c in ("region_id", *table.natural_key)
        )
        key_text = sql.SQL(" || '/' || ").join(
            sql.SQL("coalesce({}::text, '')").format(sql.Identifier("t", c)) for c in table.natural_key
        )
        cur.execute(
            sql.SQL(
                "with mine as (select t.ctid as row_ctid, t.file_seq, t.line_no, t.region_id, {key_text} as key_text,"
                " {content_t} as content, o.batch_id as other_batch, o.file_seq as other_seq,"
                " o.line_no as other_line, o.content as other_content"
                " from raw.{table} t cross join lateral ("
                "  select x.batch_id, x.file_seq, x.line_no, {content_x} as content"
                "  from raw.{table} x join raw.ingest_batches b on b.batch_id = x.batch_id"
                "  where {same_key} and x.batch_id <> t.batch_id and b.status in ('loaded', 'validated')"
                "  order by x.batch_id, x.file_seq, x.line_no limit 1) o"
                " where t.batch_id = %s),"
                " duplicates as (delete from raw.{table} d using mine m"
                "  where d.ctid = m.row_ctid and m.content = m.other_content returning m.file_seq),"
                " conflicts as (delete from raw.{table} d using mine m"
                "  where d.ctid = m.row_ctid and m.content <> m.other_content returning m.*),"
                " moved as (insert into raw.{rejected}"
                "  (batch_id, file_seq, line_no, region_id, file_path, reason, raw_line)"
                "  select %s, c.file_seq, c.line_no, c.region_id, f.path,"
                "  'conflicting record: key ' || c.key_text || ' already loaded by batch ' || c.other_batch"
                "  || ' (file ' || coalesce(o.path, '?') || ', line ' || c.other_line || ') with other values', null"
                "  from conflicts c join raw.ingest_files f on f.batch_id = %s and f.file_seq = c.file_seq"
                "  left join raw.ingest_files o on o.batch_id = c.other_batch and o.file_seq = c.other_seq"
                "  returning file_seq)"
                " select 'duplicate', file_seq from duplicates union all select 'rejected', file_seq from moved"
            ).format(
                key_text=key_text,
                content_t=row_of("t"),
                content_x=row_of("x"),
                table=sql.Identifier(table.name),
                same_key=same_key,
                rejected=sql.Identifier(self.connector.rejected_table),
            ),
            (batch_id, batch_id, batch_id),
        )
        for outcome, seq in cur.fetchall():
            by_seq[seq].loaded -= 1
            if outcome == "duplicate":
                by_seq[seq].duplicate += 1
            else:
                by_seq[seq].rejected += 1

    def _reject_key_conflicts(
        self,
        cur: psycopg.Cursor[Any],
        batch_id: int,
        table: RawTable,
        by_seq: dict[int, FileReport],
        alike: list[str],
    ) -> None:
        """Records of the batch that clash on their key: only rows whose key hash is shared
        (``alike``) can, so the window (and its key text) is computed of those alone."""
        key = sql.SQL(", ").join(map(sql.Identifier, table.natural_key))
        key_text = sql.SQL(" || '/' || ").join(
            sql.SQL("coalesce({}::text, '')").format(sql.Identifier(c)) for c in table.natural_key
        )
        cur.execute(
            sql.SQL(
                "with ranked as (select ctid, file_seq, line_no, {key_text} as key_text,"
                " first_value(file_seq) over w as first_seq, first_value(line_no) over w as first_line,"
                " row_number() over w as n from raw.{table} where batch_id = %s and ctid = any(%s::tid[])"
                " window w as (partition by {key} order by file_seq, line_no)),"
                " moved as (delete from raw.{table} t using ranked r where t.ctid = r.ctid and r.n > 1"
                " returning r.file_seq, r.line_no, r.key_text, r.first_seq, r.first_line, t.region_id)"
                " insert into raw.{rejected} (batch_id, file_seq, line_no, region_id, file_path, reason, raw_line)"
                " select %s, m.file_seq, m.line_no, m.region_id, f.path,"
                " 'conflicting record: key ' || m.key_text || ' already loaded from file ' || m.first_seq"
                " || ' line ' || m.first_line || ' with other values', null"
                " from moved m join raw.ingest_files f on f.batch_id = %s and f.file_seq = m.file_seq"
                " returning file_seq"
            ).format(
                key=key,
                key_text=key_text,
                table=sql.Identifier(table.name),
                rejected=sql.Identifier(self.connector.rejected_table),
            ),
            (batch_id, alike, batch_id, batch_id),
        )
        for (seq,) in cur.fetchall():
            by_seq[seq].loaded -= 1
            by_seq[seq].rejected += 1

    def _update_file_counts(self, batch_id: int, report: BatchReport) -> None:
        """Each file's counts after the duplicates and conflicts were settled (the validation's
        volume bound and the reject gate read them)."""
        with self.conn.cursor() as cur:
            cur.executemany(
                "update raw.ingest_files set rows_loaded = %s, rows_rejected = %s, rows_duplicate = %s"
                " where batch_id = %s and file_seq = %s",
                [(f.loaded, f.rejected, f.duplicate, batch_id, seq) for seq, f in enumerate(report.files, start=1)],
            )

    def _reconcile(self, batch_id: int, report: BatchReport) -> None:
        """Count what really is in the tables and compare with the lines in the files."""
        with self.conn.cursor() as cur:
            loaded = 0
            for table in self.connector.tables.values():
                cur.execute(
                    sql.SQL("select count(*) from raw.{} where batch_id = %s").format(sql.Identifier(table.name)),
                    (batch_id,),
                )
                loaded += _scalar(cur)
            cur.execute(
                sql.SQL("select count(*) from raw.{} where batch_id = %s").format(
                    sql.Identifier(self.connector.rejected_table)
                ),
                (batch_id,),
            )
            rejected = _scalar(cur)
        read = report.read
        if loaded != report.loaded or rejected != report.rejected:
            raise ReconciliationError(
                f"batch {batch_id}: tables hold {loaded} loaded / {rejected} rejected rows but the parser "
                f"counted {report.loaded} / {report.rejected}"
            )
        if read != loaded + rejected + report.duplicate:
            raise ReconciliationError(
                f"batch {batch_id}: read {read} ≠ loaded {loaded} + rejected {rejected} + duplicate {report.duplicate}"
            )

    def _analyze(self, batch_id: int, files: Sequence[SourceFile], reports: Sequence[FileReport]) -> None:
        """Fresh planner statistics for the raw tables the batch filled, where the planner needs
        them (:func:`analyze_mode`). Validation and staging select the batch by ``batch_id``; with
        statistics that do not know it the planner expects no rows and picks nested loops that are
        quadratic in the batch (a 74 000-row month of tickets: GX's compound-key check ran for
        minutes instead of seconds)."""
        loaded: Counter[str] = Counter()
        for source_file, file_report in zip(files, reports, strict=True):
            loaded[source_file.table] += file_report.loaded
        # one table per transaction: a loader of another day or region may be creating the same
        # tables' indexes (ShareLock) meanwhile, and holding the lock of one table while waiting
        # for the next deadlocked two Celery workers
        for table in sorted(table for table, rows in loaded.items() if rows):
            name = self.connector.tables[table].name
            with self.conn.transaction(), self.conn.cursor() as cur:
                mode = analyze_mode(cur, name, batch_id, loaded[table])
                if mode is not None:
                    column = sql.SQL("" if mode == "whole" else " (batch_id)")
                    cur.execute(sql.SQL("analyze raw.{}{}").format(sql.Identifier(name), column))

    def _close_batch(self, batch_id: int, report: BatchReport) -> None:
        with self.conn.cursor() as cur:
            cur.execute(
                "update raw.ingest_batches set status = 'loaded', loaded_at = now(), files = %s, rows_read = %s,"
                " rows_loaded = %s, rows_rejected = %s, rows_duplicate = %s where batch_id = %s",
                (len(report.files), report.read, report.loaded, report.rejected, report.duplicate, batch_id),
            )


# the planner's estimate of a new batch's rows that needs no ANALYZE: within this factor of the
# rows loaded, the planner picks the plans an exact estimate gives (the quadratic nested loops came
# from an estimate of one row for thousands)
ESTIMATE_FACTOR = 4
# a batch this small is not analysed when the planner takes it for smaller than it is: the worst
# plan that gives it (nested loops over the batch twice, ≈ 4 M pairs) costs well under a second,
# while ANALYZE samples 30 000 rows of the whole table — 1–4 s a table at 10 M events when its
# pages are not cached, paid on every day after a backfill until the statistics know many days.
# One taken for larger (a day among a few big batches) may get a scan of the whole table: analysed.
HARMLESS_BATCH_ROWS = 2_000


def _settle_chunk(
    rows: Any, fallback: list[int], forced: list[int], lines: int, columns: Sequence[str], where: str
) -> tuple[Any, list[int]]:
    """A fast parser's result for a chunk of ``lines`` lines, with the ``forced`` lines (and the
    rows holding a character COPY would have to escape) moved to the line parser; every line must
    be accounted for exactly once."""
    import polars as pl

    forced = [*forced, *fastpath.needs_escaping(rows, columns)]
    if forced:
        rows = rows.filter(~pl.col("i").is_in(forced))
        fallback = sorted({*fallback, *forced})
    if rows.height + len(fallback) != lines or len(set(fallback)) != len(fallback):
        raise ReconciliationError(
            f"{where}: the fast parser accounted for {rows.height} + {len(fallback)} of {lines} lines"
        )
    return rows, fallback


@dataclass
class _FileState:
    """One file being loaded: its report, the reader counting its lines, its rejections."""

    seq: int
    source_file: SourceFile
    table: RawTable
    report: FileReport
    spool: Any  # the file's rejections, masked, as COPY text
    rejections: list[Rejection] = field(default_factory=list)
    headers: int = 0
    reader: LineReader = field(init=False)

    def __post_init__(self) -> None:
        self.reader = LineReader(self.source_file.path, None, self.rejections)


@dataclass(frozen=True)
class _PreparedGroup:
    """A group of files parsed, ready to be written (``BatchLoader._prepare_group``)."""

    alone: list[_Member]  # files to read alone, before the group's COPY
    ready: list[tuple[_Member, fastpath.Chunk]] = field(default_factory=list)
    tails: dict[int, tuple[int, bytes]] = field(default_factory=dict)
    offsets: list[int] = field(default_factory=list)  # each ready file's first line in the chunk
    fallback: list[int] = field(default_factory=list)  # lines for the line parser, in the chunk
    loaded: dict[int, int] = field(default_factory=dict)  # rows taken per ready file (its position)
    not_ascii: set[int] = field(default_factory=set)  # ready files (positions) with a taken non-ASCII line
    block: str = ""  # COPY text of the rows taken


@dataclass(frozen=True)
class _Member:
    """A file waiting for the other files of its group (``BatchLoader._prepare_group``)."""

    seq: int
    source_file: SourceFile
    sha: str
    size: int
    fast: Any
    key: tuple[Any, ...]


def _storable(text: str) -> str:
    """Text PostgreSQL can store: NUL characters and unpaired surrogates replaced by U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)


def _size_of_link(path: Path) -> int:
    try:
        return path.lstat().st_size
    except OSError:
        return 0


def analyze_mode(cur: psycopg.Cursor[Any], table: str, batch_id: int, rows: int) -> str | None:
    """What ``raw.<table>`` needs after ``batch_id`` loaded ``rows`` rows into it: ``whole`` (an
    ``ANALYZE`` of every column), ``column`` (of ``batch_id`` only) or nothing (None).

    A batch of at least a tenth of what the table's statistics know, or a table never analysed,
    changes the columns' distributions: ``whole``. A smaller one — a day on years of history —
    changes only ``batch_id``'s, and only if the planner misjudges the batch: when its estimate
    of ``batch_id = <the batch>`` is within a factor of ``ESTIMATE_FACTOR`` of the rows loaded,
    nothing is analysed; nor is a batch of at most ``HARMLESS_BATCH_ROWS`` the planner takes for
    smaller than it is. ANALYZE samples 30 000 rows whatever the batch's size, from more pages as
    the table grows: analysing the column took 1.4 s of a 2.2 s day's load at 10 M events. After
    a region's history came in one backfill batch the statistics know that batch alone and the
    estimate of a new one is a row, so the first days are analysed if they are larger than
    ``HARMLESS_BATCH_ROWS``; once the statistics know many days, the estimate of a new day is the average day and a day is not analysed (the
    autovacuum daemon still analyses a table that grew by a tenth)."""
    cur.execute("select reltuples from pg_class where oid = %s::regclass", (f"raw.{table}",))
    known = _scalar(cur)  # -1: never analysed
    if known < 0 or rows * 10 >= known:
        return "whole"
    cur.execute(
        sql.SQL("explain (format json) select 1 from raw.{} where batch_id = {}").format(
            sql.Identifier(table), sql.Literal(batch_id)
        )
    )
    row = cur.fetchone()
    estimate = float(row[0][0]["Plan"]["Plan Rows"]) if row else 0.0
    if rows / ESTIMATE_FACTOR <= estimate <= rows * ESTIMATE_FACTOR:
        return None
    if estimate < rows / ESTIMATE_FACTOR and rows <= HARMLESS_BATCH_ROWS:
        return None
    return "column"


def _scalar(cur: psycopg.Cursor[Any]) -> int:
    row = cur.fetchone()
    return int(row[0]) if row else 0


def _copy_text(values: Iterable[Any]) -> str:
    """One line of COPY text format (tabs, newlines and backslashes escaped, None as \\N)."""
    out = []
    for value in values:
        if value is None:
            out.append("\\N")
        else:
            text = str(value)
            out.append(text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r"))
    return "\t".join(out) + "\n"
