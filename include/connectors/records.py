"""Typed field access for record-shaped sources: JSON lines (typed values) and CSV rows (text).

The one JSON-lines validator and the one masker of rejected lines, shared by the chatbot,
case-management, feedback-survey and website (portal events) connectors. The rules mirror the
published JSON Schemas in ``include/schemas/`` so that the schema and the connector agree:

* a JSON line is one object; malformed JSON, ``NaN``/``Infinity``, a repeated field name or
  another JSON value (array, string …) is rejected; an unterminated last line is "truncated"
  only when it does not parse (a complete object without the final newline is fine);
* JSON values are typed: a string field holding a number, an integer field holding ``"3"`` or
  ``true`` is rejected; numbers are read as ``Decimal`` (no binary rounding);
* in JSON an absent field and ``null`` mean "not given"; an empty string is "not given" only for
  free text and identifiers (unless the schema asks for a non-blank string: ``nonblank``), while a
  code (``channel``) or a patterned value (SNILS) must be valid; in CSV every empty cell is "not given";
* a pattern is matched as JSON Schema (ECMA-262) does: ``$`` is the very end of the value, not the
  place before a final newline as in Python;
* a reason never quotes the value of a personal identifier (:data:`PII_FIELDS`);
* a string holding a NUL character or an unpaired surrogate (``"\\u0000"``, ``"\\ud800"``) is
  rejected: PostgreSQL could not store it and the COPY of the whole batch would fail;
* timestamps are ISO-8601 (``YYYY-MM-DDTHH:MM[:SS[.ffffff]]`` plus ``Z`` or ``±HH:MM``); without an
  offset they are local time of the region (as :func:`parse_local_or_aware` does), unless the
  schema requires an offset (``offset_required``: ``YYYY-MM-DDTHH:MM:SS[.ffffff]`` plus ``Z`` or
  ``±HH:MM``). CSV timestamps also accept ``DD.MM.YYYY HH:MM:SS``.

Every problem raises :class:`FieldError` whose message is the quarantine reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from include.connectors.common import FieldError, parse_local_or_aware, unexpected
from include.loading import Line, ParseContext, ParsedRow, RawTable, Rejection, SourceFile, discover_dated_files
from include.pseudonymise import Pseudonymiser, normalise_digits, split_inn

# Largest value of a PostgreSQL ``integer`` column (``seq``): bigger would abort the COPY.
MAX_INT4 = 2_147_483_647

# The timestamp pattern of the JSON Schemas (years 2000–2100, month lengths, hours, offsets
# −14:59…+14:59). The connector accepts a subset of it: it also rejects 29 February of a common year.
_DAY = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-9]))"
)
TIMESTAMP_PATTERN = (
    r"^(?:20[0-9]{2}|2100)-" + _DAY + r"[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-](?:0[0-9]|1[0-4]):?[0-5][0-9])?$"
)
_LOOSE_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?$", re.ASCII
)
# With an explicit offset, as the portal event schema writes it (2026-09-01T10:00:00+05:00).
_AWARE_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$", re.ASCII)
# A trailing UTC offset: ``parse_local_or_aware`` would fail on one of 24 hours or more.
_OFFSET = re.compile(r"[+-](\d{2}):?(\d{2})$", re.ASCII)
_SURROGATE = re.compile("[\ud800-\udfff]")
_INTEGER_TEXT = re.compile(r"^[+-]?\d{1,18}$", re.ASCII)

# Identifier fields that are personal data: masked in the original line kept for a rejected row
# (in every JSON-lines source), never quoted in a reason. The value is the token's kind.
PII_FIELDS = {
    "phone": "phone",
    "snils": "snils",
    "email": "email",
    "esia_id": "esia",
    "user_id": "user",
    "inn": "inn",
    "ogrn": "ogrnip",
    "metrica_client_id": "metrica",
}
# "field": then a string (perhaps cut off) or a bare value other than null/true/false — a number,
# or what broken JSON holds there (+7 912…).
_JSON_PII = re.compile(
    r'("(' + "|".join(PII_FIELDS) + r')"\s*:\s*)'
    r'("(?:[^"\\]|\\.)*"?|(?!(?:null|true|false)(?![^,}\]\s]))[^,}\]\s"][^,}\]\s]*)',
)


class _InvalidJson(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _InvalidJson(f"{name} is not a JSON number")


def _unique_fields(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _InvalidJson(f"field {key!r} appears twice")
        obj[key] = value
    return obj


_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_refuse_constant, object_pairs_hook=_unique_fields)


def json_type(value: Any) -> str:
    """The JSON name of a decoded value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | Decimal | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def decode_json(text: str, *, terminated: bool = True) -> Any:
    """One JSON value, typed as the schemas say (Decimal numbers; no NaN, no repeated field);
    FieldError with the reason for anything else — malformed, nested too deeply, a number of
    thousands of digits. Text that does not parse and lacks its newline (``terminated=False``,
    the file's last line) is a truncated line."""
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        if not terminated:
            raise FieldError(
                f"truncated last line (no newline at end of file and not complete JSON: {exc.msg}"
                f" at column {exc.colno})"
            ) from None
        raise FieldError(f"malformed JSON: {exc.msg} at column {exc.colno}") from None
    except ValueError as exc:  # NaN/Infinity, a repeated field, an integer of thousands of digits
        raise FieldError(f"malformed JSON: {exc}") from None
    except RecursionError:
        raise FieldError("malformed JSON: nested too deeply") from None


def load_object(line: Line) -> dict[str, Any]:
    """One JSON-lines line → its object; FieldError with the reason otherwise."""
    text = line.text
    if not text.strip():
        raise FieldError("empty line")
    value = decode_json(text, terminated=line.terminated)
    if not isinstance(value, dict):
        raise FieldError(f"a line must be one JSON object, got {json_type(value)}")
    return value


class Record:
    """Field access with validation; ``typed`` for JSON values, else CSV text cells."""

    def __init__(self, values: Mapping[str, Any], *, typed: bool) -> None:
        self.values = values
        self.typed = typed

    def _raw(self, name: str) -> Any:
        value = self.values.get(name)
        if not self.typed and isinstance(value, str) and not value.strip():
            return None
        return value

    @staticmethod
    def _missing(name: str, required: bool) -> None:
        if required:
            raise FieldError(f"missing required field {name!r}")

    def _string(self, name: str, value: Any) -> str:
        if not isinstance(value, str):
            shown = "" if name in PII_FIELDS else f" {_show(value)}"
            raise FieldError(f"{name} must be a string, got {json_type(value)}{shown}")
        if "\x00" in value or _SURROGATE.search(value):
            # PostgreSQL text cannot hold NUL, UTF-8 cannot hold a lone surrogate (JSON "\ud800")
            raise FieldError(f"{name} contains a NUL character or an unpaired surrogate")
        return value

    def text(
        self, name: str, *, required: bool = False, max_length: int | None = None, nonblank: bool = False
    ) -> str | None:
        """Free text or an identifier: surrounding blanks dropped, empty = not given — or, with
        ``nonblank`` (the schema's ``minLength: 1``, ``pattern: "\\S"``), an empty or blank JSON
        string is a wrong value. ``max_length`` bounds the value as given (the schema's ``maxLength``)."""
        value = self._raw(name)
        if value is not None:
            value = self._string(name, value)
            if max_length is not None and len(value) > max_length:
                raise FieldError(f"{name} is longer than {max_length} characters")
            stripped = value.strip()
            if not stripped and nonblank and self.typed:
                raise FieldError(f"{name} is an empty string" if not value else f"{name} is blank")
            value = stripped or None
        if value is None:
            self._missing(name, required)
        return value

    def matching(self, name: str, pattern: re.Pattern[str], what: str, *, required: bool = False) -> str | None:
        """A value of a fixed shape (SNILS, INN …); in JSON an empty string is a wrong value."""
        value = self._raw(name)
        if value is None:
            self._missing(name, required)
            return None
        value = self._string(name, value)
        if not self.typed:
            value = value.strip()
        if not schema_pattern_matches(pattern, value):
            shown = "" if name in PII_FIELDS else f" {value!r}"
            raise FieldError(f"{name}{shown} is not {what}")
        return value

    def code(
        self, name: str, allowed: Collection[str], *, required: bool = False, seed: str | None = None
    ) -> str | None:
        """A code from a fixed list (or a seed); unknown codes are rejected with a hint."""
        value = self._raw(name)
        if value is None:
            self._missing(name, required)
            return None
        value = self._string(name, value)
        code = value if self.typed else value.strip()
        if code not in allowed:
            if seed:
                hint = f" (add it to dbt/seeds/{seed}.csv)"
            else:
                hint = f"; expected one of {', '.join(sorted(allowed))}" if len(allowed) <= 8 else ""
            raise FieldError(f"unknown {name} {value!r}{hint}")
        return code

    def integer(self, name: str, low: int, high: int, *, required: bool = False) -> int | None:
        value = self._raw(name)
        if value is None:
            self._missing(name, required)
            return None
        number: int
        if self.typed:
            if isinstance(value, bool) or not isinstance(value, int | Decimal):
                raise FieldError(f"{name} must be an integer, got {json_type(value)} {_show(value)}")
            if isinstance(value, Decimal):
                if value != value.to_integral_value():
                    raise FieldError(f"{name} must be an integer, got {value}")
                if not low <= value <= high:  # before int(): 1e999999999 would not fit in memory
                    raise FieldError(f"{name} {value} is out of range {low}–{high}")
                number = int(value)
            else:
                number = value
        else:
            text = str(value).strip()
            if not _INTEGER_TEXT.match(text):
                raise FieldError(f"{name} {text!r} is not an integer")
            number = int(text)
        if not low <= number <= high:
            raise FieldError(f"{name} {number} is out of range {low}–{high}")
        return number

    def number(self, name: str, low: Decimal, high: Decimal, *, required: bool = False) -> Decimal | None:
        value = self._raw(name)
        if value is None:
            self._missing(name, required)
            return None
        if self.typed:
            if isinstance(value, bool) or not isinstance(value, int | Decimal):
                raise FieldError(f"{name} must be a number, got {json_type(value)} {_show(value)}")
            number = Decimal(value)
        else:
            text = str(value).strip().replace(",", ".")
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise FieldError(f"{name} {text!r} is not a number") from None
            if not number.is_finite():
                raise FieldError(f"{name} {text!r} is not a number")
        if not low <= number <= high:
            raise FieldError(f"{name} {number} is out of range {low}–{high}")
        return number

    def timestamp(
        self, name: str, tz: ZoneInfo, *, required: bool = False, offset_required: bool = False
    ) -> datetime | None:
        """ISO-8601 with an offset, or local time of ``tz`` without one → aware UTC datetime.
        ``offset_required``: only ``YYYY-MM-DDTHH:MM:SS[.ffffff]`` with ``Z`` or ``±HH:MM``."""
        value = self._raw(name)
        if value is None:
            self._missing(name, required)
            return None
        value = self._string(name, value)
        if offset_required and not _AWARE_TIMESTAMP.fullmatch(value):
            raise FieldError(
                f"{name} {value!r} is not an ISO-8601 timestamp with an offset (2026-09-01T10:00:00+05:00)"
            )
        if self.typed and not _LOOSE_TIMESTAMP.fullmatch(value):
            raise FieldError(f"{name} {value!r} is not an ISO-8601 timestamp (YYYY-MM-DDTHH:MM:SS+HH:MM)")
        offset = _OFFSET.search(value.strip())
        if offset and (int(offset.group(1)) > 14 or int(offset.group(2)) > 59):
            raise FieldError(f"{name} {value!r} has an impossible UTC offset")
        return parse_local_or_aware(value, tz, name)


def schema_pattern_matches(pattern: re.Pattern[str], value: str) -> bool:
    """``pattern`` found in ``value`` as JSON Schema (ECMA-262) finds it: a final ``$`` is the very
    end of the value (Python's ``$`` also matches before a final newline: ``"12345678901\\n"``)."""
    found = pattern.search(value)
    return found is not None and (not pattern.pattern.endswith("$") or found.end() == len(value))


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "…"


def _token(pseudonymiser: Pseudonymiser, kind: str, value: str) -> str | None:
    if kind == "phone":
        digest = pseudonymiser.phone(value)
    elif kind == "snils":
        digest = pseudonymiser.snils(value)
    elif kind == "email":
        digest = pseudonymiser.email(value)
    elif kind == "esia":
        digest = pseudonymiser.esia(value)
    elif kind == "inn":
        digits, is_person = split_inn(value)
        if digits and not is_person and len(digits) == 10:
            return None  # a company's INN is not personal data
        digest = pseudonymiser.person_inn(value)
    elif kind == "ogrnip":
        digits = normalise_digits(value)
        if not digits or len(digits) != 15:
            return None  # a company's OGRN is not personal data; an entrepreneur's OGRNIP is
        digest = pseudonymiser.digest(kind, digits)
    else:
        digest = pseudonymiser.online_id(kind, value)
    return f"<{kind}:{(digest or '')[:12]}>"


def storable(text: str) -> str:
    """Text PostgreSQL can store: NUL characters and unpaired surrogates replaced by U+FFFD."""
    if "\x00" in text or _SURROGATE.search(text):
        return _SURROGATE.sub("\ufffd", text.replace("\x00", "\ufffd"))
    return text


def mask_json_identifiers(text: str, pseudonymiser: Pseudonymiser) -> str:
    """The original JSON line with personal identifiers (``phone``, ``snils``, ``esia_id`` …)
    replaced by short keyed tokens — for the rejected table, even when the line is broken JSON.
    Identifiers elsewhere in the line are masked by the loader (``include.pseudonymise.mask_text``)."""

    def replace(match: re.Match[str]) -> str:
        raw = match.group(3)
        value = raw[1:-1] if raw.startswith('"') and raw.endswith('"') and len(raw) > 1 else raw.strip('"')
        token = _token(pseudonymiser, PII_FIELDS[match.group(2)], value)
        return match.group(0) if token is None else f'{match.group(1)}"{token}"'

    return _JSON_PII.sub(replace, storable(text))


def mask_identifier(pseudonymiser: Pseudonymiser, field: str, value: str) -> str:
    """One identifier cell (``phone``, ``esia_id`` …) → its token, for rejected CSV rows."""
    value = storable(value)
    if not value.strip() or field not in PII_FIELDS:
        return value
    return _token(pseudonymiser, PII_FIELDS[field], value) or value


class JsonLinesConnector:
    """A source whose export is one JSON object per line in dated files (the chatbot, case
    management, e-mail requests): the files of the interval's days, no header, each line decoded
    and validated by the rules above and turned into a raw row by :meth:`parse_object`; a bad line
    becomes a rejection with its reason and the line masked (:func:`mask_json_identifiers`)."""

    source: ClassVar[str]
    tables: ClassVar[dict[str, RawTable]]  # one table, key "events"
    rejected_table: ClassVar[str]
    file_pattern: ClassVar[re.Pattern[str]]  # group "date": YYYYMMDD

    def discover(self, source_dir: Path, days: Sequence[date]) -> list[SourceFile]:
        return discover_dated_files(source_dir, days, ((self.file_pattern, "events"),))

    def has_header(self, source_file: SourceFile) -> bool:
        return False

    def parse_object(self, obj: dict[str, object], ctx: ParseContext) -> tuple[object, ...]:
        raise NotImplementedError

    def parse(self, lines: Iterator[Line], ctx: ParseContext) -> Iterator[ParsedRow | Rejection | object]:
        for line in lines:
            try:
                yield line.number, self.parse_object(load_object(line), ctx)
            except FieldError as exc:
                yield Rejection(line.number, str(exc), mask_json_identifiers(line.text, ctx.pseudonymiser))
            except Exception as exc:  # the line is the unit of failure: never the batch
                yield Rejection(line.number, unexpected(exc), mask_json_identifiers(line.text, ctx.pseudonymiser))
