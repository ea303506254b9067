"""The vectorised fast path of ingestion: a file read in chunks of whole lines, each chunk parsed by
the connector at once with polars, the rows it accepts written to ``COPY`` as one block of text.

A connector offers a fast path for a file with ``fast_parser(source_file, ctx)`` (None: the file
is read line by line as always). Its :class:`FastParser` must account for every line of a chunk:
a line it can *prove* valid becomes a row — the very row the line-by-line parser makes of it —
and every other line goes back to that parser (``slow``), so that rejection reasons, masking
and quarantine stay exactly as they are. The loader checks the accounting (``rows + fallback =
lines``) and refuses a row whose text COPY would have to escape (tab, newline, backslash).

What the fast path never sees, because the loader reads it the old way: a file starting with a
byte-order mark or looking like UTF-16, and the rest of a file from a line longer than
``CJW_MAX_LINE_BYTES`` on (the line reader decides how much of such a line to keep). A chunk that
is valid UTF-8 is decoded at once; otherwise each line is decoded as the line reader decodes it
(ASCII, UTF-8, else Windows-1251) and a line the reader would see as UTF-8 in a Windows-1251
file, or as neither, goes to the line parser, as does every line at or over the length limit.
A fast parser takes printable text only (``PRINTABLE_TEXT``: no control character, no backslash).

``CJW_INGEST_FAST_PATH=0`` turns the fast path off (the differential test compares the two).
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import polars as pl

    from include.loading import Line, LineReader, ParsedRow, Rejection

CHUNK_BYTES = 8 << 20
# Small files a parser takes together (``group_key``) are parsed as one chunk once they reach this
# many bytes: a chunk's fixed cost is paid off well before, and a smaller frame keeps memory down.
GROUP_BYTES = 2 << 20
# A smaller file is read line by line: a chunk costs polars a fixed ≈ 20–40 ms (and the first one
# the import of polars), more than a few thousand lines cost the line parser.
MIN_FILE_BYTES = 256 << 10
# printable ASCII without the backslash: nothing COPY's text format escapes, nothing to decode
PRINTABLE = r"^[\x20-\x5b\x5d-\x7e]*$"
# the same in a chunk that is valid UTF-8: any character but control characters and the backslash
PRINTABLE_TEXT = r"^[^\x00-\x1f\x7f-\x9f\\]*$"
_COPY_SPECIAL = r"[\t\n\r\\]"


def enabled() -> bool:
    """``CJW_INGEST_FAST_PATH`` (default on; ``0`` reads every file line by line)."""
    return os.environ.get("CJW_INGEST_FAST_PATH", "1").strip().lower() not in ("0", "false", "no", "off")


class FastParser(Protocol):
    columns: Sequence[str]

    def parse_chunk(self, lines: pl.Series, first: int) -> tuple[pl.DataFrame, list[int]]:
        """``lines`` (whole lines as text, no line break; line ``first`` is the first) → (rows,
        fallback): ``rows`` has the column ``i`` (position in ``lines``) and ``columns`` as text
        (None = NULL), in the raw table's order; ``fallback`` the positions of the lines the
        line-by-line parser must see. Only lines matching ``PRINTABLE_TEXT`` may be taken."""
        ...

    def slow(self, lines: Iterator[Line]) -> Iterator[ParsedRow | Rejection | object]:
        """The connector's line-by-line parser for these lines (same file, same context)."""
        ...


@dataclass(frozen=True)
class Chunk:
    """Whole lines of a file. Valid UTF-8 as a whole: ``lines`` decoded as UTF-8. Else each line is
    decoded as the line reader decodes it — ASCII, UTF-8, else Windows-1251 — and a line that is
    UTF-8 (the reader would report the file as mixed) or neither is ``forced`` to the line parser."""

    first: int  # the number of its first line
    lines: list[str]  # without the line break
    raw: list[bytes] | None = None  # the lines' bytes when not decoded as UTF-8 as a whole
    forced: tuple[int, ...] = ()
    cp1251: bool = False  # some lines were decoded as Windows-1251

    def bytes_of(self, index: int) -> bytes:
        return self.raw[index] if self.raw is not None else self.lines[index].encode("utf-8")


@dataclass(frozen=True)
class Rest:
    """The rest of the file from ``offset`` (line ``number`` + 1 on) is read line by line."""

    offset: int
    number: int


# -- several small files parsed as one chunk ---------------------------------------------------
#
# A day's export of a source is a few hundred to a few thousand lines: a chunk of its own costs
# polars more than the line parser (its fixed cost), so a backfill of many days read each file line
# by line. A parser with a ``group_key`` takes the lines of several whole files at once instead
# (files of the same key: the same table, header, office …), up to ``GROUP_BYTES``: the loader hands
# it a frame of their lines with the columns below, and the parser reads the per-file values
# (its day window, its line numbers, its date) through ``window``, ``line_number`` and
# ``file_day`` / ``file_date_text`` — the same expressions give the one-file values for a Series.

LINE = "_line"  # the line's number in its file
LOW, HIGH = "_low", "_high"  # the file's window (epoch seconds) of the parser's ``window``
FILE_DATE = "_file_date"  # the file's date
FILE_SEQ = "_file_seq"  # a taken row's file in its batch (``copy_block``)


def frame_of(lines: Any) -> pl.DataFrame:
    """The parser's frame of a chunk with its row index ``i``: the lines' ``text`` (a Series, one
    file), or the lines of a group of files with their per-file columns (a DataFrame)."""
    import polars as pl

    frame = lines if isinstance(lines, pl.DataFrame) else pl.DataFrame([lines])
    return frame.with_row_index("i")


def line_number(frame: pl.DataFrame, first: int) -> pl.Expr:
    """The number of each line in its file."""
    import polars as pl

    return pl.col(LINE) if LINE in frame.columns else pl.col("i") + first


def window(frame: pl.DataFrame, bounds: tuple[float, float]) -> tuple[Any, Any]:
    """The day window of each line's file: the parser's own ``bounds`` for one file."""
    import polars as pl

    return (pl.col(LOW), pl.col(HIGH)) if LOW in frame.columns else bounds


def file_day(frame: pl.DataFrame, day: date) -> pl.Expr:
    """The date of each line's file (a Date)."""
    import polars as pl

    return pl.col(FILE_DATE) if FILE_DATE in frame.columns else pl.lit(day, dtype=pl.Date)


def file_date_text(frame: pl.DataFrame, day: date) -> pl.Expr:
    """The date of each line's file as ``YYYY-MM-DD`` text."""
    import polars as pl

    return pl.col(FILE_DATE).dt.strftime("%Y-%m-%d") if FILE_DATE in frame.columns else pl.lit(day.isoformat())


def group_frame(members: Sequence[tuple[Chunk, tuple[float, float] | None, date]]) -> pl.DataFrame:
    """The frame of a group of whole files: (their one chunk, the parser's window, the file date)
    each, in order."""
    import polars as pl

    text: list[str] = []
    line: list[int] = []
    low: list[float | None] = []
    high: list[float | None] = []
    day: list[date] = []
    for chunk, bounds, file_date in members:
        n = len(chunk.lines)
        text.extend(chunk.lines)
        line.extend(range(1, n + 1))
        low.extend([bounds[0] if bounds else None] * n)
        high.extend([bounds[1] if bounds else None] * n)
        day.extend([file_date] * n)
    return pl.DataFrame(
        {"text": text, LINE: line, LOW: low, HIGH: high, FILE_DATE: day},
        schema={"text": pl.String, LINE: pl.Int64, LOW: pl.Float64, HIGH: pl.Float64, FILE_DATE: pl.Date},
    )


def whole_file(path: Path, max_bytes: int) -> tuple[Chunk, tuple[int, bytes] | None] | None:
    """The file as one chunk of whole lines and, when the last line is cut (no line break), that
    line's ``(number, bytes)``; None when the file is not one chunk: empty, larger than a chunk, or
    a line growing past ``max_bytes`` (the file is read alone instead)."""
    pieces = list(chunks(path, max_bytes))
    if not pieces or not isinstance(pieces[0], Chunk):
        return None
    if len(pieces) == 1:
        return pieces[0], None
    if len(pieces) == 2 and isinstance(pieces[1], tuple):
        return pieces[0], pieces[1]
    return None


def worth_it(path: Path | int, fast: Any) -> bool:
    """Is the file (or a group of files of this many bytes) large enough for chunks:
    ``MIN_FILE_BYTES``, divided by the parser's ``line_cost`` (how many times a line costs the line
    parser more than a queue_log line: an office ticket has four times to convert)."""
    size = path if isinstance(path, int) else path.stat().st_size
    return size >= MIN_FILE_BYTES / max(getattr(fast, "line_cost", 1), 1)


def readable(path: Path) -> bool:
    """Can the file be cut into chunks (no byte-order mark, not UTF-16)?"""
    from include.loading import utf16_of

    with path.open("rb") as handle:
        head = handle.read(4096)
    return not head.startswith(codecs.BOM_UTF8) and utf16_of(head) is None


def chunks(path: Path, max_bytes: int, chunk_bytes: int | None = None) -> Iterator[Chunk | Rest | tuple[int, bytes]]:
    """Whole terminated lines in chunks; at the end a ``(number, bytes)`` of an unterminated last
    line (the line reader's ``truncated`` case), or a :class:`Rest` as soon as a line grows past
    ``max_bytes`` (it is not held in memory here)."""
    number = 0
    offset = 0  # of ``carry`` in the file
    carry = b""
    with path.open("rb") as handle:
        while True:
            block = handle.read(chunk_bytes or CHUNK_BYTES)
            if not block:
                if carry:
                    yield number + 1, carry
                return
            data = carry + block if carry else block
            cut = data.rfind(b"\n")
            whole, carry = (data[: cut + 1], data[cut + 1 :]) if cut >= 0 else (b"", data)
            if whole:
                try:
                    chunk = Chunk(number + 1, whole[:-1].decode("utf-8").split("\n"))
                except UnicodeDecodeError:
                    chunk = _line_by_line(number + 1, whole[:-1].split(b"\n"))
                yield chunk
                lines = chunk.lines
                number += len(lines)
                offset += len(whole)
            if len(carry) > max_bytes:
                yield Rest(offset, number)
                return


def _line_by_line(first: int, raw: list[bytes]) -> Chunk:
    lines: list[str] = []
    forced: list[int] = []
    cp1251 = False
    for index, line in enumerate(raw):
        if line.isascii():
            lines.append(line.decode("ascii"))
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            try:
                lines.append(line.decode("cp1251"))
                cp1251 = True
                continue
            except UnicodeDecodeError:
                pass
        lines.append("")
        forced.append(index)
    return Chunk(first, lines, raw, tuple(forced), cp1251)


def decode_line(reader: LineReader, number: int, raw: bytes, terminated: bool) -> Line | None:
    """A line of a chunk the fast parser left, decoded as the line reader decodes it (per-line
    encoding, NUL bytes, the length limit) — None when the reader rejected it."""
    size = len(raw) + (1 if terminated else 0)
    # the reader holds at most max_bytes + 1 bytes of a line, its line break included
    kept = (raw + b"\n" if terminated else raw)[: reader.max_bytes + 1].rstrip(b"\r\n")
    line = reader._decode(number, kept, size, terminated)
    return None if line is None else reader._remember(line)


def copy_block(rows: pl.DataFrame, prefix: Sequence[Any], first: int | None, columns: Sequence[str]) -> str:
    """COPY text of the accepted rows: ``prefix`` (batch, file), the line number, the region, the
    columns. The caller has made sure no cell needs escaping. Rows of a group of files (file
    None in ``prefix``, ``first`` None) carry their file's number (``FILE_SEQ``) and their line
    number in it (``LINE``)."""
    import polars as pl

    batch_id, seq, region_id = prefix
    frame = rows.select(
        pl.lit(str(batch_id)).alias("batch_id"),
        (pl.col(FILE_SEQ).cast(pl.String) if seq is None else pl.lit(str(seq))).alias("file_seq"),
        (pl.col(LINE) if first is None else pl.col("i") + first).cast(pl.String).alias("line_no"),
        pl.lit(region_id).alias("region_id"),
        *[pl.col(c) for c in columns],
    )
    return frame.write_csv(include_header=False, separator="\t", null_value="\\N", quote_style="never")


def needs_escaping(rows: pl.DataFrame, columns: Sequence[str]) -> list[int]:
    """Positions of rows holding a character COPY's text format would have to escape."""
    import polars as pl

    text_columns = [c for c in columns if rows.schema[c] == pl.String]
    if not text_columns or rows.height == 0:
        return []
    bad = rows.filter(pl.any_horizontal([pl.col(c).str.contains(_COPY_SPECIAL).fill_null(False) for c in text_columns]))
    return bad["i"].to_list()


# values the masking keeps as they are: an Asterisk uniqueid for FreeFields, also a UUID and a
# uniqueid of at most 9 decimals for mask_free (``include.connectors.common._SYSTEM_ID``)
UNIQUEID = r"^[0-9]{1,12}\.[0-9]+$"
SYSTEM_ID = r"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9]{1,12}\.[0-9]{1,9})$"


def mapped(values: Any, function: Any, *, keep: str | None = None) -> Any:
    """``function`` of each distinct value (None stays None): masking and hashing once per value.
    ``keep``: values matching it are those ``function`` returns as they are — left out here,
    vectorised."""
    import polars as pl

    todo = values.drop_nulls()
    if keep:
        todo = todo.filter(~todo.str.contains(keep))
    distinct = todo.unique().to_list()
    if not distinct:
        return values
    results = [function(v) for v in distinct]
    if None in results:  # a value whose function is None becomes NULL
        return values.replace_strict(distinct, results, default=values, return_dtype=pl.String)
    return values.replace(distinct, results)


# -- values of JSON and CSV records (chatbot, surveys) ----------------------------------------------

# a timestamp as ``Record.timestamp`` reads it: ``YYYY-MM-DD HH:MM:SS`` (or with ``T``) with ``Z``,
# ``±HH:MM`` or no offset (local time of the region); fractions of a second and other spellings go
# to the line parser
ISO_TIMESTAMP = (
    r"^(?:20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(?:Z|[+-](?:0[0-9]|1[0-4]):[0-5][0-9])?$"
)
# what ``safe`` returns for a value the line parser rejects (no text of a taken line holds a NUL)
INVALID = "\x00invalid"


def iso_epoch(value: pl.Expr, timezone: str) -> pl.Expr:
    """A timestamp written as ``ISO_TIMESTAMP`` → UTC epoch seconds: by its offset, else as local
    time of ``timezone``; None when written otherwise, not a date, or local time in a clock change
    (skipped or ambiguous)."""
    import polars as pl

    naive = value.str.slice(0, 19).str.replace("T", " ", literal=True)
    naive = naive.str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us", strict=False)
    zone = value.str.slice(19)
    hours = zone.str.slice(1, 2).cast(pl.Int64, strict=False)
    minutes = zone.str.slice(4, 2).cast(pl.Int64, strict=False)
    offset = (hours * 3600 + minutes * 60) * pl.when(zone.str.starts_with("-")).then(-1).otherwise(1)
    local = naive.dt.replace_time_zone(timezone, ambiguous="null", non_existent="null")
    return (
        pl.when(~value.str.contains(ISO_TIMESTAMP))
        .then(None)
        .when(zone == "")
        .then(local.dt.epoch("s"))
        .when(zone == "Z")
        .then(naive.dt.epoch("s"))
        .otherwise(naive.dt.epoch("s") - offset)
    )


def utc_text(epoch: str) -> pl.Expr:
    """The column ``epoch`` (UTC epoch seconds) as COPY text of a ``timestamptz``."""
    import polars as pl

    return pl.from_epoch(epoch, time_unit="s").dt.strftime("%Y-%m-%d %H:%M:%S+00")


def without_invalid(frame: pl.DataFrame, rows: pl.DataFrame, masked: Sequence[str]) -> tuple[pl.DataFrame, list[int]]:
    """The ``rows`` a fast parser took (``frame``'s lines with ``accepted``) less those where one of
    the ``masked`` columns is ``INVALID``, and the fallback: the lines not accepted and those."""
    import polars as pl

    failed = pl.any_horizontal([pl.col(name) == INVALID for name in masked]).fill_null(False)
    fallback = sorted([*frame.filter(~pl.col("accepted"))["i"].to_list(), *rows.filter(failed)["i"].to_list()])
    return rows.filter(~failed), fallback


def safe(function: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """``function``, or ``INVALID`` where it fails (for ``mapped``): the line parser rejects that
    line, with its own reason."""

    def call(value: str) -> str | None:
        try:
            return function(value)
        except Exception:
            return INVALID

    return call
