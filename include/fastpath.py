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
``CJW_MAX_LINE_BYTES`` on (the line reader decides how much of such a line to keep). Lines are
decoded as Latin-1 for the chunk (one byte, one character); a fast parser accepts printable ASCII
only, so a line in UTF-8 or Windows-1251 goes to the line reader's decoding unchanged.

``CJW_INGEST_FAST_PATH=0`` turns the fast path off (the differential test compares the two).
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import polars as pl

    from include.loading import Line, LineReader, ParsedRow, Rejection

CHUNK_BYTES = 8 << 20
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

    def parse_chunk(self, lines: pl.Series, first: int, text: bool) -> tuple[pl.DataFrame, list[int]]:
        """``lines`` (whole lines, no line break; line ``first`` is the first) → (rows, fallback):
        ``rows`` has the column ``i`` (position in ``lines``) and ``columns`` as text (None =
        NULL), in the raw table's order; ``fallback`` the positions of the lines the line-by-line
        parser must see. ``text``: the chunk is valid UTF-8 and its lines are text
        (``PRINTABLE_TEXT``); else they were decoded as Latin-1 and only ASCII lines
        (``PRINTABLE``) may be taken."""
        ...

    def slow(self, lines: Iterator[Line]) -> Iterator[ParsedRow | Rejection | object]:
        """The connector's line-by-line parser for these lines (same file, same context)."""
        ...


@dataclass(frozen=True)
class Chunk:
    first: int  # the number of its first line
    lines: list[str]  # without the line break
    encoding: str  # "utf-8" when the whole chunk is valid UTF-8, else "latin-1" (byte for byte)


@dataclass(frozen=True)
class Rest:
    """The rest of the file from ``offset`` (line ``number`` + 1 on) is read line by line."""

    offset: int
    number: int


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
                    lines, encoding = whole[:-1].decode("utf-8").split("\n"), "utf-8"
                except UnicodeDecodeError:
                    lines, encoding = whole[:-1].decode("latin-1").split("\n"), "latin-1"
                yield Chunk(number + 1, lines, encoding)
                number += len(lines)
                offset += len(whole)
            if len(carry) > max_bytes:
                yield Rest(offset, number)
                return


def decode_line(reader: LineReader, number: int, text: str, terminated: bool, encoding: str) -> Line | None:
    """A line of a chunk the fast parser left, decoded as the line reader decodes it (per-line
    encoding, NUL bytes, the length limit) — None when the reader rejected it."""
    raw = text.encode(encoding)
    size = len(raw) + (1 if terminated else 0)
    # the reader holds at most max_bytes + 1 bytes of a line, its line break included
    kept = (raw + b"\n" if terminated else raw)[: reader.max_bytes + 1].rstrip(b"\r\n")
    line = reader._decode(number, kept, size, terminated)
    return None if line is None else reader._remember(line)


def copy_block(rows: pl.DataFrame, prefix: Sequence[Any], first: int, columns: Sequence[str]) -> str:
    """COPY text of the accepted rows: ``prefix`` (batch, file), the line number, the region, the
    columns. The caller has made sure no cell needs escaping."""
    import polars as pl

    batch_id, seq, region_id = prefix
    frame = rows.select(
        pl.lit(str(batch_id)).alias("batch_id"),
        pl.lit(str(seq)).alias("file_seq"),
        (pl.col("i") + first).cast(pl.String).alias("line_no"),
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
