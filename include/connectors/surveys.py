"""Feedback-survey connector: survey responses as CSV or JSON lines (the same fields).

Formats: ``include/connectors/FORMATS.md`` (section "Feedback surveys"); the published schema of
a JSON line is ``include/schemas/survey_response.schema.json``. The CSV export is UTF-8 with
``,`` or Windows-1251 with ``;`` (BOM allowed); its header names the columns, in any order,
optional columns may be left out (an unknown or repeated column rejects the file). A comment in
quotes may span several lines: the record is read whole, its continuation lines are not counted
as records. Scores are checked by range, codes against the seeds (touchpoints, offices); the
comment is scrubbed of phones, SNILS and e-mails; phone and ESIA id become keyed hashes.

Run one interval by hand::

    python -m include.connectors.surveys --region enskaya --date 2026-09-01
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import deque
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from include.connectors import limits
from include.connectors.common import FieldError, csv_dialect, mask_free, run_cli, unexpected
from include.connectors.records import Record, load_object, mask_identifier, mask_json_identifiers, storable
from include.loading import HEADER, Line, ParseContext, ParsedRow, RawTable, Rejection, SourceFile, discover_dated_files
from include.pseudonymise import Pseudonymiser

SOURCE = "surveys"
SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "survey_response.schema.json"
COLUMNS = (
    "response_id",
    "channel",
    "touchpoint_id",
    "responded_at",
    "csat",
    "ces",
    "nps",
    "vk_politeness",
    "vk_competence",
    "vk_speed",
    "vk_comfort",
    "vk_information",
    "relevance",
    "comment",
    "phone",
    "esia_id",
    "ticket_id",
    "office_id",
    "case_id",
)
REQUIRED_COLUMNS = ("response_id", "channel", "touchpoint_id", "responded_at")
# score → (lowest, highest): CSAT and CES 1–5 (5 = very easy), NPS 0–10, «Ваш контроль» criteria 1–5,
# relevance (what was offered fitted the client's situation) 1–5.
SCORES: dict[str, tuple[int, int]] = {
    "csat": (1, 5),
    "ces": (1, 5),
    "nps": (0, 10),
    "vk_politeness": (1, 5),
    "vk_competence": (1, 5),
    "vk_speed": (1, 5),
    "vk_comfort": (1, 5),
    "vk_information": (1, 5),
    "relevance": (1, 5),
}
CHANNELS = frozenset({"call_centre", "office", "website", "portal", "chatbot"})
ESIA_PATTERN = r"^[0-9]+$"
_ESIA = re.compile(ESIA_PATTERN)
# A quoted comment may hold line breaks; a record longer than this is a broken quote, not a comment.
MAX_RECORD_LINES = 50
# A physical line that continues the record of the line before (a line break inside a quoted
# comment): like a header line, it is not a record and is not counted as read.
CONTINUATION = HEADER
_FILE = re.compile(r"^survey_responses-(?P<date>\d{8})\.(csv|jsonl)$", re.IGNORECASE)
_LONG_NUMBER = re.compile(r"(?<![0-9])[0-9]{9,10}(?![0-9])")

RESPONSES = RawTable(
    name="raw_surveys_responses",
    column_ddl=(
        ("response_id", "text not null"),
        ("channel", "text not null"),
        ("touchpoint_id", "text not null"),
        ("responded_at", "timestamptz not null"),
        *((score, "smallint") for score in SCORES),
        ("comment_scrubbed", "text"),
        ("phone_hash", "text"),
        ("esia_hash", "text"),
        ("ticket_id", "text"),
        ("office_id", "text"),
        ("case_id", "text"),
    ),
    natural_key=("response_id",),
)


class SurveysConnector:
    source = SOURCE
    tables: ClassVar[dict[str, RawTable]] = {"responses": RESPONSES}
    rejected_table = "rejected_surveys"

    def discover(self, source_dir: Path, days: Sequence[date]) -> list[SourceFile]:
        return discover_dated_files(source_dir, days, ((_FILE, "responses"),))

    def has_header(self, source_file: SourceFile) -> bool:
        return _is_csv(source_file)

    def parse(self, lines: Iterator[Line], ctx: ParseContext) -> Iterator[ParsedRow | Rejection | object]:
        if _is_csv(ctx.source_file):
            return self._parse_csv(lines, ctx)
        return self._parse_jsonl(lines, ctx)

    def fast_parser(self, source_file: SourceFile, ctx: ParseContext) -> SurveysFast | None:
        """The vectorised parser of a CSV file's chunks (``include.fastpath``) when its header is a
        plain ASCII line the line parser accepts (``,`` or ``;``, no quotes) and no line of it holds
        an odd number of quotes: then no record spans two lines, and a line the fast parser leaves
        is read by the line parser as it would be among all the others."""
        if not _is_csv(source_file):
            return None
        with source_file.path.open("rb") as handle:
            first = handle.readline(4096)
            if not first.endswith(b"\n"):
                return None
            first = first[:-1]
            if not first.isascii() or b'"' in first or b"\r" in first:
                return None
            text = first.decode("ascii")
            dialect = csv_dialect(text)
            header = [h.strip().lower() for h in text.split(dialect.delimiter)]
            if _header_problem(header) is not None or not _quotes_pair_up(handle):
                return None
        return SurveysFast(self, ctx, dialect, header)

    # -- JSON lines ----------------------------------------------------------------------------

    def _parse_jsonl(self, lines: Iterator[Line], ctx: ParseContext) -> Iterator[ParsedRow | Rejection]:
        for line in lines:
            try:
                yield line.number, parse_response(Record(load_object(line), typed=True), ctx)
            except FieldError as exc:
                yield Rejection(line.number, str(exc), mask_json_identifiers(line.text, ctx.pseudonymiser))
            except Exception as exc:  # the line is the unit of failure: never the batch
                yield Rejection(line.number, unexpected(exc), mask_json_identifiers(line.text, ctx.pseudonymiser))

    # -- CSV -----------------------------------------------------------------------------------

    def _parse_csv(self, lines: Iterator[Line], ctx: ParseContext) -> Iterator[ParsedRow | Rejection | object]:
        first = next(lines, None)
        if first is None:
            return
        dialect = csv_dialect(first.text)
        header = [h.strip().lower() for h in next(csv.reader([first.text], dialect), [])]
        problem = _header_problem(header)
        if problem:
            yield Rejection(first.number, f"unexpected header: {problem}", _mask_digits(first.text))
            for line in lines:
                yield Rejection(
                    line.number, "file rejected: its header is not the survey export header", _mask_digits(line.text)
                )
            return
        yield HEADER
        yield from _csv_records(lines, header, dialect, ctx)


def _csv_records(
    lines: Iterator[Line], header: list[str], dialect: Any, ctx: ParseContext
) -> Iterator[ParsedRow | Rejection | object]:
    """The records of a CSV file's lines after its header."""
    reader = _RecordReader(lines)
    for group in reader:
        if isinstance(group, Rejection):
            yield Rejection(group.line_no, group.reason, _mask_digits(group.raw))
            continue
        head, text = group[0], "\n".join(line.text for line in group)
        fields: list[str] | None = None
        unreadable = ""
        try:
            fields = next(csv.reader([text], dialect), [])
        except csv.Error as exc:
            unreadable = str(exc)
        if len(group) > 1 and (fields is None or len(fields) != len(header)):
            # the quote that joined these lines was a stray one: reject its line, re-read the rest
            reader.push_back(group[1:])
            yield Rejection(head.number, "unterminated quoted field", _mask_digits(head.text))
            continue
        yield from (CONTINUATION for _ in group[1:])
        yield _csv_record(group, text, fields, unreadable, header, dialect, ctx)


def _csv_record(
    group: list[Line],
    text: str,
    fields: list[str] | None,
    unreadable: str,
    header: list[str],
    dialect: Any,
    ctx: ParseContext,
) -> ParsedRow | Rejection:
    """One CSV record (its physical lines, text and cells) → the raw row or its rejection."""
    head = group[0]
    if fields is None:
        return Rejection(head.number, f"malformed CSV: {unreadable}", _mask_digits(text))
    try:
        if not any(f.strip() for f in fields):
            raise FieldError("empty line")
        if len(fields) != len(header):
            truncated = "" if group[-1].terminated else "truncated last line (no newline at end of file): "
            raise FieldError(f"{truncated}expected {len(header)} columns, got {len(fields)}")
        return head.number, parse_response(Record(dict(zip(header, fields, strict=True)), typed=False), ctx)
    except FieldError as exc:
        return Rejection(head.number, str(exc), _mask_csv(text, fields, header, dialect, ctx.pseudonymiser))
    except Exception as exc:  # the record is the unit of failure: never the batch
        return Rejection(head.number, unexpected(exc), _mask_digits(text))


def parse_response(record: Record, ctx: ParseContext) -> tuple[object, ...]:
    """One survey response (CSV cells or a JSON object) → the raw row; FieldError with the reason."""
    region = ctx.region
    response_id = record.text("response_id", required=True)
    channel = record.code("channel", CHANNELS, required=True)
    touchpoint_id = record.code("touchpoint_id", region.touchpoints, required=True, seed="touchpoints")
    responded_at = record.timestamp("responded_at", region.timezone, required=True)
    assert responded_at is not None
    limits.check_on_file_day("surveys", responded_at, region.timezone, ctx.source_file.file_date, "responded_at")
    scores = [record.integer(name, low, high) for name, (low, high) in SCORES.items()]
    if all(score is None for score in scores):
        raise FieldError(f"no score: at least one of {', '.join(SCORES)} is required")
    comment = record.text("comment")
    phone = record.text("phone")
    esia_id = record.matching("esia_id", _ESIA, "an ESIA id (digits)")
    ticket_id = record.text("ticket_id")
    office_id = record.code("office_id", region.offices, seed="offices")
    case_id = record.text("case_id")
    if ticket_id is not None and office_id is None:
        raise FieldError("ticket_id without office_id (a ticket number is unique only within an office and day)")
    pseudonymiser = ctx.pseudonymiser
    return (
        mask_free(response_id, pseudonymiser),
        channel,
        touchpoint_id,
        responded_at,
        *scores,
        pseudonymiser.scrub_text(comment) if comment is not None else None,
        pseudonymiser.phone(phone),
        pseudonymiser.esia(esia_id),
        mask_free(ticket_id, pseudonymiser),
        office_id,
        mask_free(case_id, pseudonymiser),
    )


def _is_csv(source_file: SourceFile) -> bool:
    return source_file.path.suffix.lower() == ".csv"


def _header_problem(header: list[str]) -> str | None:
    unknown = [h for h in header if h not in COLUMNS]
    repeated = sorted({h for h in header if header.count(h) > 1})
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    problems = []
    if unknown:
        problems.append(f"unknown columns {unknown}")
    if repeated:
        problems.append(f"repeated columns {repeated}")
    if missing:
        problems.append(f"missing required columns {missing}")
    if not any(score in header for score in SCORES):
        problems.append(f"no score column (one of {', '.join(SCORES)})")
    return "; ".join(problems) or None


def _quotes_pair_up(handle: Any) -> bool:
    """Does no line from the handle's position on hold an odd number of quotes (read in blocks)?"""
    odd = False  # the quotes so far of the line the block ends in
    while block := handle.read(1 << 20):
        if not odd and b'"' not in block:
            continue
        pieces = block.split(b"\n")
        for piece in pieces[:-1]:
            if odd != bool(piece.count(b'"') % 2):
                return False
            odd = False
        odd = odd != bool(pieces[-1].count(b'"') % 2)
    return not odd


def _open_quote(lines: list[Line]) -> bool:
    return sum(line.text.count('"') for line in lines) % 2 == 1


class _RecordReader:
    """Physical lines → records: a line with an open quote continues on the next line(s).

    A quote still open after ``MAX_RECORD_LINES`` lines or at the end of the file is a broken
    line, not a comment: that one line is rejected and the lines after it are read again (the
    parser does the same with ``push_back`` when the joined lines do not make one record).
    """

    def __init__(self, lines: Iterator[Line]) -> None:
        self.lines = lines
        self.pending: deque[Line] = deque()

    def push_back(self, lines: list[Line]) -> None:
        self.pending.extendleft(reversed(lines))

    def _next(self) -> Line | None:
        return self.pending.popleft() if self.pending else next(self.lines, None)

    def __iter__(self) -> Iterator[list[Line] | Rejection]:
        while (first := self._next()) is not None:
            group = [first]
            while _open_quote(group) and group[-1].terminated and len(group) < MAX_RECORD_LINES:
                following = self._next()
                if following is None:
                    break
                group.append(following)
            if _open_quote(group):
                reason = "unterminated quoted field"
                if not first.terminated:
                    reason = "truncated last line (no newline at end of file): unterminated quoted field"
                self.push_back(group[1:])
                yield Rejection(first.number, reason, first.text)
                continue
            yield group


def _mask_digits(text: str | None) -> str:
    """Fallback for a line whose columns are unknown: hide long numbers (an ESIA id may be one)."""
    return _LONG_NUMBER.sub("<number>", storable(text or ""))


def _mask_csv(
    text: str, fields: list[str] | None, header: list[str], dialect: Any, pseudonymiser: Pseudonymiser
) -> str:
    """The rejected record with its phone and ESIA id cells replaced by keyed tokens."""
    if fields is None or len(fields) != len(header):
        return _mask_digits(text)
    masked = [mask_identifier(pseudonymiser, name, value) for name, value in zip(header, fields, strict=True)]
    out = io.StringIO()
    csv.writer(out, dialect, lineterminator="").writerow(masked)
    return out.getvalue()


# -- the fast path ----------------------------------------------------------------------------

# an id ``mask_free`` leaves as it is, recognised without calling it (response ids are all distinct):
# at most three Latin letters right before the digits (no «esia», and «oid» without a word boundary
# before its number is no ESIA id) and at most nine digits (``mask_text`` masks ten or more)
_PLAIN_ID = r"^[A-Za-z]{0,3}[0-9]{1,9}$"


class SurveysFast:
    """Survey responses of a CSV file a chunk at a time (polars), for a file the line parser reads
    record by record as line by line (:meth:`SurveysConnector.fast_parser`). A line is taken when
    it visibly passes every check of :func:`parse_response`: printable text whose cells are plain
    or wholly quoted without a doubled quote (the CSV reader would split it so), no blank around
    a cell's value, as many cells as the header, a response id, known channel and touchpoint,
    ``responded_at`` written ``YYYY-MM-DD HH:MM:SS`` with ``Z``, ``±HH:MM`` or no offset (then not
    in a clock change of the region), a real date on the file's day, scores written as plain
    numbers within their ranges and at least one of them, an ESIA id of digits, a known office
    and no ticket without one. Ids, comment, phone and ESIA id go through the line parser's own
    masking and hashing, once per distinct value; a value these fail on sends its line to the line
    parser. The scores are taken within their warehouse column (``bounds_checked``)."""

    columns = RESPONSES.columns
    bounds_checked = True
    line_cost = 6  # a survey line costs the line parser about six queue_log lines

    def __init__(self, connector: SurveysConnector, ctx: ParseContext, dialect: Any, header: list[str]) -> None:
        self.connector = connector
        self.ctx = ctx
        self.dialect = dialect
        self.header = header
        self.group_key = ("responses", dialect.delimiter, tuple(header))  # whole files taken together
        start, end = limits._day_window("surveys", ctx.region.timezone, ctx.source_file.file_date)
        self.window = (start.timestamp(), end.timestamp())

    def slow(self, lines: Iterator[Line]) -> Iterator[ParsedRow | Rejection | object]:
        first = next(lines, None)
        if first is None:
            return
        if first.number == 1:  # the header, checked when the fast path was chosen
            yield HEADER
        else:
            lines = itertools.chain([first], lines)
        yield from _csv_records(lines, self.header, self.dialect, self.ctx)

    def parse_chunk(self, lines: Any, first: int) -> tuple[Any, list[int]]:
        import polars as pl

        from include import fastpath

        sep = re.escape(self.dialect.delimiter)
        text = pl.col("text")
        # a cell as the CSV reader reads it when it is either plain (no quote) or wholly quoted
        # without a doubled quote inside: the quotes around it dropped. Each cell is found with the
        # separator before it (one put before the line), so that no match is empty.
        cell = f'(?:"[^"]*"|[^"{sep}]*)'
        position = {name: index for index, name in enumerate(self.header)}
        frame = fastpath.frame_of(lines).with_columns(
            plain=text.str.contains(fastpath.PRINTABLE_TEXT)
            & text.str.contains(f"^{cell}(?:{sep}{cell})*$")
            & (text != "")
            & (text.str.len_chars() < 100_000),
            cells=(pl.lit(self.dialect.delimiter) + text)
            .str.extract_all(sep + cell)
            .list.eval(pl.element().str.slice(1).str.strip_prefix('"').str.strip_suffix('"')),
        )
        value = {name: pl.col("cells").list.get(position[name], null_on_oob=True) for name in position}
        frame = frame.with_columns(
            pl.col("cells").list.len().alias("count"),
            # no blank around a cell (the line parser would strip it): what is taken is as written
            pl.col("cells").list.eval(pl.element().str.contains(r"^\s|\s$")).list.any().alias("blanks"),
            # a column the header leaves out is not given; an empty cell neither
            *[
                (
                    pl.when(value[name] != "").then(value[name]) if name in value else pl.lit(None, dtype=pl.String)
                ).alias(name)
                for name in COLUMNS
            ],
        )
        ps = self.ctx.pseudonymiser
        region = self.ctx.region

        def free(text: str) -> str | None:
            return mask_free(text, ps)

        frame = frame.with_columns(
            response=fastpath.mapped(
                frame["response_id"], fastpath.safe(free), keep=f"{fastpath.SYSTEM_ID}|{_PLAIN_ID}"
            ),
            epoch=fastpath.iso_epoch(pl.col("responded_at"), self.ctx.region.timezone.key),
        )
        low, high = fastpath.window(frame, self.window)
        scores = []
        for name, (lowest, highest) in SCORES.items():
            score = pl.when(pl.col(name).str.contains(r"^(?:[0-9]|10)$")).then(pl.col(name).cast(pl.Int64))
            scores.append(pl.col(name).is_null() | score.is_between(lowest, highest))
        accepted = (
            (fastpath.line_number(frame, first) != 1)
            & pl.col("plain")
            & ~pl.col("blanks")
            & (pl.col("count") == len(self.header))
            & pl.col("response").is_not_null()
            & (pl.col("response") != fastpath.INVALID)
            & pl.col("channel").is_in(sorted(CHANNELS))
            & pl.col("touchpoint_id").is_in(sorted(region.touchpoints))
            & pl.col("epoch").is_between(low, high, closed="left")
            & pl.all_horizontal(scores)
            & pl.any_horizontal([pl.col(name).is_not_null() for name in SCORES])
            & (pl.col("esia_id").is_null() | pl.col("esia_id").str.contains(r"^[0-9]+$"))
            & (pl.col("office_id").is_null() | pl.col("office_id").is_in(sorted(region.offices)))
            & (pl.col("ticket_id").is_null() | pl.col("office_id").is_not_null())
        ).fill_null(False)
        frame = frame.with_columns(accepted=accepted)
        rows = frame.filter(pl.col("accepted"))
        rows = rows.with_columns(
            comment_scrubbed=fastpath.mapped(rows["comment"], fastpath.safe(ps.scrub_text)),
            phone_hash=fastpath.mapped(rows["phone"], fastpath.safe(ps.phone)),
            esia_hash=fastpath.mapped(rows["esia_id"], fastpath.safe(ps.esia)),
            ticket=fastpath.mapped(rows["ticket_id"], fastpath.safe(free), keep=fastpath.SYSTEM_ID),
            case=fastpath.mapped(rows["case_id"], fastpath.safe(free), keep=fastpath.SYSTEM_ID),
        )
        masked = ("comment_scrubbed", "phone_hash", "esia_hash", "ticket", "case")
        rows, fallback = fastpath.without_invalid(frame, rows, masked)
        return rows.select(
            "i",
            pl.col("response").alias("response_id"),
            "channel",
            "touchpoint_id",
            fastpath.utc_text("epoch").alias("responded_at"),
            *SCORES,
            "comment_scrubbed",
            "phone_hash",
            "esia_hash",
            pl.col("ticket").alias("ticket_id"),
            "office_id",
            pl.col("case").alias("case_id"),
        ), fallback


if __name__ == "__main__":
    run_cli(SurveysConnector())
