"""Keyed pseudonymisation of personal identifiers (152-ФЗ: nothing personal in clear in the warehouse).

Identifiers are normalised first, so that the same person hashes the same in every source
(``+7 912 345-67-89``, ``89123456789`` and ``79123456789`` are one phone), then replaced by
HMAC-SHA256 under a secret key. The key never leaves the ingestion process; without it the
hashes cannot be reversed or recomputed from a guessed phone number.

``mask_text`` (``Pseudonymiser.scrub_text``) is the one routine that masks identifiers inside
free text and free fields — chat messages, survey comments, URLs, queue_log data, window names,
case and ticket ids, rejected lines, error messages and validation samples: a rejected line keeps
its shape for the operator, but a phone in it becomes ``<phone:…hash…>``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field

KEY_ENV = "CJW_PSEUDONYM_KEY"
MIN_KEY_BYTES = 16

_NON_DIGITS = re.compile(r"\D+")

# -- identifiers inside free text (``mask_text``) --------------------------------------------------
#
# Three passes, each linear in the text (a 10 MB line of any content is masked in well under a
# second per MB):
#
# * e-mails, only when the text holds ``@`` or ``%40``: the local part must start at a token
#   boundary (look-behind) and every run is possessive, so a long run of word characters is
#   scanned once, never once per start position (the old pattern was quadratic);
# * numbers: one expression whose leading look-ahead lets the engine skip to the next digit, ``+``,
#   ``(`` or ``<`` at C speed; separators are bounded; digits glued to other digits — or to ``.``/``,``
#   and a digit, as in the Asterisk call id ``1788240001.1234`` or ``12,50`` — are not identifiers;
# * a number named as an ESIA id by a keyword (``ЕСИА 123456789``, ``oid: 12 345 678``).
#
# What is masked: e-mails (also URL-encoded); phones with +7/7/8 written with spaces, dashes,
# brackets or dots (``8.912.345.67.85``); ten-digit phones without a prefix, bare (``9123456789``)
# or with separators (``(343) 123-45-67``); SNILS with or without separators; a person's INN (12
# digits); any other bare ten-digit number (ESIA ids are ten digits); numbers after an ESIA keyword.
_AFTER_NON_DIGIT = r"(?<!\d\d)(?<!\d[.,]\d)"  # placed right after the first digit
_BEFORE_NON_DIGIT = r"(?!\d|[.,]\d)"
_SEP = r"[\s\-().]{0,3}"
_NUMBER_KINDS = ("token", "phone", "snils", "phone", "inn", "phone", "id")
_NUMBER_ALTERNATIVES = (
    # a token written by this routine: kept as it is, so masking twice changes nothing
    r"<[a-z_]{2,20}(?::[0-9a-f]{1,12})?>",
    r"(?:\+\s?7|[78]" + _AFTER_NON_DIGIT + r")" + _SEP + r"\d{3}" + _SEP + r"\d{3}" + _SEP + r"\d{2}" + _SEP + r"\d{2}",
    r"\d" + _AFTER_NON_DIGIT + r"\d{2}[\s-]?\d{3}[\s-]?\d{3}[\s-]{0,2}\d{2}",
    r"\(?[3489]" + _AFTER_NON_DIGIT + r"\d{2}\)?[\s\-.]{1,3}\d{3}[\s\-.]{0,2}\d{2}[\s\-.]{0,2}\d{2}",
    r"\d" + _AFTER_NON_DIGIT + r"\d{11}",
    r"[3489]" + _AFTER_NON_DIGIT + r"\d{9}",
    r"\d" + _AFTER_NON_DIGIT + r"\d{9}",
)
_NUMBERS_IN_TEXT = re.compile(
    r"(?=[\d<+(])(?:"
    + "|".join(f"(?P<k{i}>{alt}{'' if i == 0 else _BEFORE_NON_DIGIT})" for i, alt in enumerate(_NUMBER_ALTERNATIVES))
    + ")"
)
_EMAIL_IN_TEXT = re.compile(r"(?<![\w.+%-])[\w.+-]++(?:@|%40)[\w-]++(?:\.[\w-]++)++")
_ESIA_IN_TEXT = re.compile(
    r"(?<![<\w])(?i:есиа|esia|госуслуг|gosuslug|oid\b)[^\d\n<]{0,20}?(?<!\d)(?P<number>\d(?:[\s-]?\d){5,14})"
    + _BEFORE_NON_DIGIT
)
_ANY_DIGIT = re.compile(r"\d")


class MissingKeyError(RuntimeError):
    """Raised when no pseudonymisation key is configured: we refuse to load rather than store PII."""


def normalise_phone(raw: str | None) -> str | None:
    """Return a Russian phone as 11 digits starting with 7, or None when there is no phone.

    ``anonymous``/empty → None. Numbers that do not look Russian keep their digits so that they
    still hash consistently.
    """
    if raw is None:
        return None
    digits = _NON_DIGITS.sub("", raw)
    if not digits:
        return None
    if len(digits) == 11 and digits[0] in "78":
        return "7" + digits[1:]
    if len(digits) == 10 and digits[0] == "9":
        return "7" + digits
    return digits


def normalise_snils(raw: str | None) -> str | None:
    """SNILS as 11 digits (``123-456-789 01`` and ``12345678901`` are the same)."""
    if raw is None:
        return None
    digits = _NON_DIGITS.sub("", raw)
    return digits or None


def normalise_digits(raw: str | None) -> str | None:
    """Identifiers made of digits (ESIA oid, INN): separators and spaces dropped."""
    if raw is None:
        return None
    digits = _NON_DIGITS.sub("", raw)
    return digits or None


def normalise_email(raw: str | None) -> str | None:
    if raw is None:
        return None
    value = raw.strip().lower()
    return value or None


@dataclass(frozen=True)
class Pseudonymiser:
    """HMAC-SHA256 over ``<kind>:<normalised value>``; the kind keeps a phone and a SNILS with the
    same digits apart.

    The HMAC of an identifier is computed once per process: the same phone, SNILS or operator
    appears on many lines, so digests are remembered (in this process's memory only — never
    written anywhere) in a dictionary of at most ``MEMO`` entries, emptied when full so that
    memory stays flat however large the batch."""

    key: bytes
    _memo: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    MEMO = 1 << 17

    def __post_init__(self) -> None:
        if len(self.key) < MIN_KEY_BYTES:
            raise MissingKeyError(
                f"the pseudonymisation key is {len(self.key)} bytes, at least {MIN_KEY_BYTES} are needed: set "
                f"{KEY_ENV} (hex or text) or the Airflow connection 'cjw_pseudonymisation' (password field)"
            )

    def digest(self, kind: str, normalised: str | None) -> str | None:
        if normalised is None:
            return None
        message = f"{kind}:{normalised}"
        memo = self._memo
        found = memo.get(message)
        if found is None:
            found = hmac.new(self.key, message.encode(), hashlib.sha256).hexdigest()
            self._remember(message, found)
        return found

    def _remember(self, key: str, value: str) -> None:
        if len(self._memo) >= self.MEMO:
            self._memo.clear()
        self._memo[key] = value

    def phone(self, raw: str | None) -> str | None:
        if raw is None:
            return None
        # the same phone comes written the same way again and again: its digest by the written form
        key = "phone\x00" + raw
        found = self._memo.get(key)
        if found is None:
            found = self.digest("phone", normalise_phone(raw)) or ""
            self._remember(key, found)
        return found or None

    def snils(self, raw: str | None) -> str | None:
        return self.digest("snils", normalise_snils(raw))

    def email(self, raw: str | None) -> str | None:
        return self.digest("email", normalise_email(raw))

    def esia(self, raw: str | None) -> str | None:
        """ESIA (Госуслуги) user id."""
        return self.digest("esia", normalise_digits(raw))

    def person_inn(self, raw: str | None) -> str | None:
        """An individual's INN (12 digits) — personal data, unlike a company's 10-digit INN."""
        return self.digest("inn", normalise_digits(raw))

    def online_id(self, kind: str, raw: str | None) -> str | None:
        """Cookies and messenger ids (Metrica clientID, ``tg:…``): opaque, hashed as given."""
        value = raw.strip() if raw else ""
        return self.digest(kind, value) if value else None

    def staff(self, raw: str | None) -> str | None:
        """A staff member's id (a call-centre agent's interface, a consultant's number): a short
        keyed pseudonym (``staff:`` and 16 hex digits) that stays readable on the staff page."""
        value = raw.strip() if raw else ""
        if not value or value.upper() == "NONE":
            return None
        return "staff:" + (self.digest("staff", value) or "")[:16]

    def scrub_text(self, text: str) -> str:
        """Replace identifiers inside free text by short keyed tokens (see :func:`mask_text`)."""
        return mask_text(text, self)


def mask_text(text: str, pseudonymiser: Pseudonymiser | None = None) -> str:
    """The one masking routine for free text and free fields: identifiers become short tokens.

    With a pseudonymiser a token is ``<kind:first 12 hex of the identifier's keyed hash>`` — the
    same value masks the same way in every source, so a masked field still joins; without one
    (logs, error messages, validation samples) just ``<kind>``. Linear in the text.
    """
    if not text:
        return text

    def token(kind: str, value: str) -> str:
        if pseudonymiser is None:
            return f"<{kind}>"
        if kind == "phone":
            digest = pseudonymiser.phone(value)
        elif kind == "snils":
            digest = pseudonymiser.snils(value)
        elif kind == "email":
            digest = pseudonymiser.email(value.replace("%40", "@"))
        elif kind == "inn":
            digest = pseudonymiser.person_inn(value)
        elif kind == "esia":
            digest = pseudonymiser.esia(value)
        else:
            digest = pseudonymiser.digest(kind, normalise_digits(value))
        return f"<{kind}:{(digest or '')[:12]}>"

    if "@" in text or "%40" in text:
        text = _EMAIL_IN_TEXT.sub(lambda m: token("email", m.group(0)), text)
    if _ANY_DIGIT.search(text) is None:
        return text
    text = _ESIA_IN_TEXT.sub(
        lambda m: m.group(0)[: m.start("number") - m.start()] + token("esia", m.group("number")), text
    )

    def number(match: re.Match[str]) -> str:
        kind = _NUMBER_KINDS[int((match.lastgroup or "k0")[1:])]
        return match.group(0) if kind == "token" else token(kind, match.group(0))

    return _NUMBERS_IN_TEXT.sub(number, text)


def key_from_env() -> bytes:
    """The key from ``CJW_PSEUDONYM_KEY`` (hex or plain text); a clear error when it is missing."""
    value = os.environ.get(KEY_ENV, "")
    if not value:
        raise MissingKeyError(
            f"no pseudonymisation key: set {KEY_ENV} or the Airflow connection 'cjw_pseudonymisation' "
            "(password field); the demo creates one in var/pseudonym.key"
        )
    try:
        return bytes.fromhex(value)
    except ValueError:
        return value.encode()


def split_inn(raw: str | None) -> tuple[str | None, bool]:
    """``(digits, is_person)``: 12 digits are an individual's INN (pseudonymise), 10 a company's."""
    digits = normalise_digits(raw)
    return digits, bool(digits and len(digits) == 12)
