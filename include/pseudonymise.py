"""Keyed pseudonymisation of personal identifiers (152-ФЗ: nothing personal in clear in the warehouse).

Identifiers are normalised first, so that the same person hashes the same in every source
(``+7 912 345-67-89``, ``89123456789`` and ``79123456789`` are one phone), then replaced by
HMAC-SHA256 under a secret key. The key never leaves the ingestion process; without it the
hashes cannot be reversed or recomputed from a guessed phone number.

``scrub_text`` masks identifiers inside free text (a rejected line keeps its shape for the
operator, but a phone in it becomes ``<phone:…hash…>``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

KEY_ENV = "CJW_PSEUDONYM_KEY"
MIN_KEY_BYTES = 16

_NON_DIGITS = re.compile(r"\D+")
# A phone written the ways people write it: +7/8 prefix, spaces, dashes, brackets.
_PHONE_IN_TEXT = re.compile(r"(?<![\d.])(?:\+7|8|7)[\s\-()]*\d{3}[\s\-()]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}(?![\d.])")
_SNILS_IN_TEXT = re.compile(r"(?<!\d)\d{3}-\d{3}-\d{3}[ -]\d{2}(?!\d)")
_EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 11 digits in a row that are not a phone: a SNILS written without separators; 12: a person's INN.
_BARE_SNILS_IN_TEXT = re.compile(r"(?<![\d.])\d{11}(?![\d.])")
_PERSON_INN_IN_TEXT = re.compile(r"(?<![\d.])\d{12}(?![\d.])")


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
    same digits apart."""

    key: bytes

    def __post_init__(self) -> None:
        if len(self.key) < MIN_KEY_BYTES:
            raise MissingKeyError(f"pseudonymisation key must be at least {MIN_KEY_BYTES} bytes")

    def digest(self, kind: str, normalised: str | None) -> str | None:
        if normalised is None:
            return None
        mac = hmac.new(self.key, f"{kind}:{normalised}".encode(), hashlib.sha256)
        return mac.hexdigest()

    def phone(self, raw: str | None) -> str | None:
        return self.digest("phone", normalise_phone(raw))

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
        """Replace phones, SNILS and e-mails inside free text by short keyed tokens."""
        text = _sub(_EMAIL_IN_TEXT, text, lambda m: f"<email:{(self.email(m) or '')[:12]}>")
        text = _sub(_SNILS_IN_TEXT, text, lambda m: f"<snils:{(self.snils(m) or '')[:12]}>")
        text = _sub(_PHONE_IN_TEXT, text, lambda m: f"<phone:{(self.phone(m) or '')[:12]}>")
        text = _sub(_BARE_SNILS_IN_TEXT, text, lambda m: f"<snils:{(self.snils(m) or '')[:12]}>")
        return _sub(_PERSON_INN_IN_TEXT, text, lambda m: f"<inn:{(self.person_inn(m) or '')[:12]}>")


def _sub(pattern: re.Pattern[str], text: str, token: Callable[[str], str]) -> str:
    return pattern.sub(lambda match: token(match.group(0)), text)


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
