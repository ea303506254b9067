"""Batch loading shared by every source: stream files into ``raw`` tables with ``COPY``.

One batch = one source × region × data interval. Loading a batch is one transaction:

1. earlier batches of the same interval are removed (a re-run replaces, never duplicates);
2. each file of the interval is hashed: content already delivered (under any name) is counted
   as a duplicate delivery and not loaded again;
3. lines are parsed by the source's connector and streamed with ``COPY``; lines that do not
   fit go to ``raw.rejected_<source>`` with the reason and the (scrubbed) original line;
4. exact duplicate records are removed, and records that clash on their natural key with a
   different content are moved to the rejected table;
5. ``read = loaded + rejected + duplicate`` is checked — a mismatch aborts the transaction.

A failure anywhere rolls the whole batch back: no partial batch is ever visible.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, cast

import psycopg
from psycopg import sql

from include.config import RegionConfig
from include.pseudonymise import Pseudonymiser

log = logging.getLogger(__name__)

RAW_SCHEMA = "raw"
SNIFF_BYTES = 1 << 20
PROGRESS_EVERY_LINES = 200_000

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
        )


@dataclass(frozen=True)
class SourceFile:
    path: Path
    table: str
    file_date: date


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
    raw: str


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
    day of the file, its table the raw table it feeds. A name that matches but holds no real date
    is reported, not loaded."""
    wanted = set(days)
    found: list[SourceFile] = []
    if not source_dir.is_dir():
        return found
    for path in sorted(source_dir.rglob("*") if recursive else source_dir.iterdir()):
        if not path.is_file():
            continue
        for pattern, table in patterns:
            match = pattern.match(path.name)
            if not match:
                continue
            try:
                day = datetime.strptime(match.group("date"), "%Y%m%d").date()
            except ValueError:
                log.warning("%s: the date in the file name is not a date; the file is not loaded", path)
                continue
            if day in wanted:
                found.append(SourceFile(path, table, day))
    return found


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


def sha256_of(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def sniff_encoding(path: Path) -> str:
    """``utf-8-sig`` for a BOM, ``utf-8`` when the start decodes as UTF-8, else ``cp1251``."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


class LineReader:
    """Streams the lines of a file and counts every physical line it saw.

    The count is taken here, independently of the parser, so that the reconciliation notices a
    parser that silently skipped a line. A line that does not decode is a rejection, not a crash.
    """

    def __init__(self, path: Path, encoding: str, rejections: list[Rejection]) -> None:
        self.path = path
        self.encoding = encoding
        self.rejections = rejections
        self.physical = 0

    def __iter__(self) -> Iterator[Line]:
        encoding = self.encoding
        with self.path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                self.physical = number
                line = self._decode(number, raw, encoding)
                if line is not None:
                    yield line

    def _decode(self, number: int, raw: bytes, encoding: str) -> Line | None:
        terminated = raw.endswith(b"\n")
        body = raw.rstrip(b"\r\n")
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError as exc:
            reason = f"line is not valid {encoding}: {exc.reason}"
            self.rejections.append(Rejection(number, reason, body.decode(encoding, "replace")))
            return None
        if number == 1:
            text = text.removeprefix("\ufeff")
        return Line(number, text, terminated)


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


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
            batch_id = self._open_batch(start, end, run_id)
            report = BatchReport(batch_id, self.connector.source, self.region.region_id, start, end, days)
            report.replaced_batches = replaced
            seen: dict[str, int] = {}
            for seq, source_file in enumerate(files, start=1):
                report.files.append(self._load_file(batch_id, seq, source_file, seen))
            self._remove_duplicate_records(batch_id, report)
            self._reconcile(batch_id, report)
            self._close_batch(batch_id, report)
        if report.loaded:
            self._analyze(files)
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

    def _earlier_delivery(self, sha: str, batch_id: int) -> int | None:
        with self.conn.cursor() as cur:
            cur.execute(
                "select f.batch_id from raw.ingest_files f join raw.ingest_batches b using (batch_id)"
                " where f.sha256 = %s and f.status = 'loaded' and b.source = %s and b.status <> 'replaced'"
                " and f.batch_id <> %s order by f.batch_id limit 1",
                (sha, self.connector.source, batch_id),
            )
            row = cur.fetchone()
            return int(row[0]) if row else None

    # -- one file ----------------------------------------------------------------------------

    def _load_file(self, batch_id: int, seq: int, source_file: SourceFile, seen: dict[str, int]) -> FileReport:
        path = source_file.path
        sha, size = sha256_of(path)
        earlier = seen.get(sha) or self._earlier_delivery(sha, batch_id)
        if earlier is not None:
            lines = count_lines(path) - (1 if self.connector.has_header(source_file) else 0)
            report = FileReport(str(path), "duplicate_delivery", read=max(lines, 0), duplicate=max(lines, 0))
            self.progress(f"{path.name}: same content as a file of batch {earlier} — counted as duplicate delivery")
            self._record_file(batch_id, seq, source_file, sha, size, report, duplicate_of=earlier)
            return report
        seen[sha] = batch_id
        encoding = sniff_encoding(path)
        report = FileReport(str(path), "loaded", encoding=encoding)
        rejections: list[Rejection] = []
        ctx = ParseContext(self.region, self.pseudonymiser, source_file)
        table = self.connector.tables[source_file.table]
        copy_sql = sql.SQL("copy raw.{} ({}) from stdin").format(
            sql.Identifier(table.name),
            sql.SQL(", ").join(map(sql.Identifier, ("batch_id", "file_seq", "line_no", "region_id", *table.columns))),
        )
        region_id = self.region.region_id
        reader = LineReader(path, encoding, rejections)
        headers = 0
        with tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8") as spool:
            with self.conn.cursor() as cur, cur.copy(copy_sql) as copy:
                for item in self.connector.parse(iter(reader), ctx):
                    if item is HEADER:
                        headers += 1
                        continue
                    if isinstance(item, Rejection):
                        rejections.append(item)
                    else:
                        line_no, values = cast(ParsedRow, item)
                        copy.write_row((batch_id, seq, line_no, region_id, *values))
                        report.loaded += 1
                    if len(rejections) > 1000:
                        report.rejected += self._spool(rejections, spool)
                    processed = report.loaded + report.rejected + len(rejections)
                    if processed and processed % PROGRESS_EVERY_LINES == 0:
                        self.progress(f"{path.name}: {processed} lines")
            report.rejected += self._spool(rejections, spool)
            self._copy_rejections(spool, batch_id, seq, path)
        report.read = reader.physical - headers
        self._record_file(batch_id, seq, source_file, sha, size, report)
        return report

    def _spool(self, rejections: list[Rejection], spool: Any) -> int:
        scrub = self.pseudonymiser.scrub_text
        for rejection in rejections:
            spool.write(_copy_text((rejection.line_no, rejection.reason, scrub(rejection.raw))))
        count = len(rejections)
        rejections.clear()
        return count

    def _copy_rejections(self, spool: Any, batch_id: int, seq: int, path: Path) -> None:
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
        with self.conn.cursor() as cur:
            cur.execute(
                "insert into raw.ingest_files (batch_id, file_seq, path, raw_table, sha256, bytes, encoding, status,"
                " duplicate_of_batch_id, lines_read, rows_loaded, rows_rejected, rows_duplicate)"
                " values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
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
                ),
            )

    # -- record-level duplicates and the reconciliation ---------------------------------------

    def _remove_duplicate_records(self, batch_id: int, report: BatchReport) -> None:
        """Exact duplicates are dropped and counted; same natural key with other content is rejected."""
        by_seq = {seq: f for seq, f in enumerate(report.files, start=1)}
        for table in self.connector.tables.values():
            data = sql.SQL(", ").join(map(sql.Identifier, table.columns))
            with self.conn.cursor() as cur:
                cur.execute(
                    sql.SQL(
                        "with ranked as (select ctid, file_seq, row_number() over ("
                        " partition by md5(row({data})::text) order by file_seq, line_no) as n"
                        " from raw.{table} where batch_id = %s)"
                        " delete from raw.{table} t using ranked r where t.ctid = r.ctid and r.n > 1"
                        " returning r.file_seq"
                    ).format(data=data, table=sql.Identifier(table.name)),
                    (batch_id,),
                )
                for (seq,) in cur.fetchall():
                    by_seq[seq].loaded -= 1
                    by_seq[seq].duplicate += 1
                if table.natural_key:
                    self._reject_key_conflicts(cur, batch_id, table, by_seq)

    def _reject_key_conflicts(
        self, cur: psycopg.Cursor[Any], batch_id: int, table: RawTable, by_seq: dict[int, FileReport]
    ) -> None:
        key = sql.SQL(", ").join(map(sql.Identifier, table.natural_key))
        key_text = sql.SQL(" || '/' || ").join(
            sql.SQL("coalesce({}::text, '')").format(sql.Identifier(c)) for c in table.natural_key
        )
        cur.execute(
            sql.SQL(
                "with ranked as (select ctid, file_seq, line_no, {key_text} as key_text,"
                " first_value(file_seq) over w as first_seq, first_value(line_no) over w as first_line,"
                " row_number() over w as n from raw.{table} where batch_id = %s"
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
            (batch_id, batch_id, batch_id),
        )
        for (seq,) in cur.fetchall():
            by_seq[seq].loaded -= 1
            by_seq[seq].rejected += 1

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

    def _analyze(self, files: Sequence[SourceFile]) -> None:
        """Fresh planner statistics for the raw tables the batch filled. Validation and staging
        select the batch by ``batch_id``; with statistics from before the load the planner
        expects no rows and picks nested loops that are quadratic in the batch (a 74 000-row
        month of tickets: GX's compound-key check ran for minutes instead of seconds)."""
        # one table per transaction: a loader of another day or region may be creating the same
        # tables' indexes (ShareLock) meanwhile, and holding the lock of one table while waiting
        # for the next deadlocked two Celery workers
        for table in sorted({source_file.table for source_file in files}):
            with self.conn.transaction(), self.conn.cursor() as cur:
                cur.execute(sql.SQL("analyze raw.{}").format(sql.Identifier(self.connector.tables[table].name)))

    def _close_batch(self, batch_id: int, report: BatchReport) -> None:
        with self.conn.cursor() as cur:
            cur.execute(
                "update raw.ingest_batches set status = 'loaded', loaded_at = now(), files = %s, rows_read = %s,"
                " rows_loaded = %s, rows_rejected = %s, rows_duplicate = %s where batch_id = %s",
                (len(report.files), report.read, report.loaded, report.rejected, report.duplicate, batch_id),
            )


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
