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


if __name__ == "__main__":
    run_cli(SurveysConnector())
