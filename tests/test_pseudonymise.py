from __future__ import annotations

import re
import time

import pytest

from include.pseudonymise import (
    MissingKeyError,
    Pseudonymiser,
    key_from_env,
    mask_text,
    normalise_phone,
    normalise_snils,
)

KEY = b"k" * 32


@pytest.mark.parametrize(
    "raw",
    ["+7 912 345-67-89", "89123456789", "79123456789", "8 (912) 345 67 89", "9123456789", "+7(912)3456789"],
)
def test_every_way_of_writing_a_phone_hashes_the_same(raw: str) -> None:
    assert normalise_phone(raw) == "79123456789"
    assert Pseudonymiser(KEY).phone(raw) == Pseudonymiser(KEY).phone("+79123456789")


def test_no_phone_is_no_hash() -> None:
    p = Pseudonymiser(KEY)
    assert p.phone("") is None
    assert p.phone(None) is None
    assert normalise_phone("anonymous") is None


def test_snils_with_and_without_separators() -> None:
    assert normalise_snils("123-456-789 01") == normalise_snils("12345678901") == "12345678901"
    p = Pseudonymiser(KEY)
    assert p.snils("123-456-789 01") == p.snils("12345678901")


def test_the_key_matters_and_kinds_stay_apart() -> None:
    a, b = Pseudonymiser(KEY), Pseudonymiser(b"x" * 32)
    assert a.phone("79123456789") != b.phone("79123456789")
    assert a.digest("phone", "79123456789") != a.digest("snils", "79123456789")
    assert len(a.phone("79123456789") or "") == 64


def test_a_short_or_missing_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(MissingKeyError):
        Pseudonymiser(b"short")
    monkeypatch.delenv("CJW_PSEUDONYM_KEY", raising=False)
    with pytest.raises(MissingKeyError, match="CJW_PSEUDONYM_KEY"):
        key_from_env()


def test_scrub_text_masks_phones_snils_and_emails() -> None:
    p = Pseudonymiser(KEY)
    text = "звонил +7 912 345-67-89 и 89001112233, СНИЛС 123-456-789 01, почта ivan.petrov@mail.ru; время 1788238801|12"
    scrubbed = p.scrub_text(text)
    for secret in ("912 345-67-89", "89001112233", "123-456-789 01", "ivan.petrov@mail.ru"):
        assert secret not in scrubbed
    assert "<phone:" in scrubbed and "<snils:" in scrubbed and "<email:" in scrubbed
    assert "1788238801.1234" in p.scrub_text("звонок 1788238801.1234")  # an Asterisk call id is not a phone


def test_other_identifiers_and_free_text() -> None:
    p = Pseudonymiser(KEY)
    assert p.esia("1000 123 456") == p.esia("1000123456")
    assert p.person_inn("7707-0832-8939") == p.person_inn("770708328939")
    assert p.online_id("metrica", " 1788238801123456789 ") == p.online_id("metrica", "1788238801123456789")
    assert p.online_id("metrica", "1") != p.online_id("messenger", "1")
    text = p.scrub_text("СНИЛС 12345678901, ИНН 770708328939, звонок 1788238801.1234")
    assert "12345678901" not in text and "770708328939" not in text
    assert "1788238801.1234" in text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("звоните +7 912 345-67-89", "phone"),
        ("тел89123456789", "phone"),  # glued to a word
        ("8 (912) 345 67 89", "phone"),
        ("8.912.345.67.85", "phone"),  # dotted
        ("мой номер 9123456789", "phone"),  # ten digits without 7/8
        ("912 345 67 89", "phone"),
        ("(912) 345-67-89", "phone"),
        ("(343) 123-45-67", "phone"),  # a city number
        ("СНИЛС 123-456-789 01", "snils"),
        ("снилс 123 456 789 01", "snils"),
        ("12345678901", "snils"),
        ("ИНН 770708328939", "inn"),
        ("Ivan.Petrov@Mail.ru", "email"),
        ("search?q=ivan%40mail.ru&x=1", "email"),
        ("мой ЕСИА 123456789", "esia"),
        ("oid: 12 345 678", "esia"),
        ("id на госуслугах 1000123456.", "esia"),
        ("номер 1000123456, спасибо", "id"),
    ],
)
def test_every_identifier_format_is_masked(text: str, kind: str) -> None:
    p = Pseudonymiser(KEY)
    masked = p.scrub_text(text)
    digits = re.sub(r"\D", "", re.sub(r"<[a-z]+:[0-9a-f]+>", "", masked))
    assert len(digits) < 6, masked  # no identifier's digits left
    assert "@" not in masked and "%40" not in masked
    assert f"<{kind}:" in masked, masked
    assert p.scrub_text(masked) == masked  # masking twice changes nothing
    assert mask_text(text) == re.sub(r"<([a-z]+):[0-9a-f]+>", r"<\1>", masked)  # keyless: kind only


def test_the_same_identifier_masks_the_same_in_every_spelling() -> None:
    p = Pseudonymiser(KEY)
    tokens = {p.scrub_text(t) for t in ("+7 912 345-67-89", "89123456789", "(912) 345-67-89", "9123456789")}
    assert tokens == {f"<phone:{(p.phone('79123456789') or '')[:12]}>"}


@pytest.mark.parametrize(
    "text",
    [
        "1788240001.1234",  # Asterisk call id
        "2026-09-01 10:00:00",
        "сумма 12 500,00 руб",
        "Окно 3",
        "https://czn-ens.ru/vacancy/123456",
        "1700000000123456789",  # a Metrica cookie is hashed as a field, not masked as text
    ],
)
def test_what_is_not_an_identifier_stays(text: str) -> None:
    assert Pseudonymiser(KEY).scrub_text(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "a" * 4_000_000,  # the old e-mail pattern was quadratic in such a token
        "a@" * 2_000_000,
        "1" * 4_000_000,
        "8 (-" * 1_000_000,
        ("a." * 1000 + "@") * 2_000,
        "%D0%BF" * 700_000,
        "Позвоните 8 912 345 67 89, почта a.b@mail.ru, СНИЛС 123-456-789 01. " * 50_000,
    ],
    ids=["letters", "at-signs", "digits", "separators", "dots", "percent-encoded", "russian-text"],
)
def test_masking_is_linear(text: str) -> None:
    p = Pseudonymiser(KEY)
    megabytes = len(text.encode()) / 1e6
    started = time.perf_counter()
    p.scrub_text(text)
    seconds = time.perf_counter() - started
    assert seconds / megabytes < 1.5, f"{seconds / megabytes:.2f} s/MB"


def test_a_short_key_says_how_to_set_one() -> None:
    with pytest.raises(MissingKeyError, match=r"5 bytes, at least 16 .*CJW_PSEUDONYM_KEY"):
        Pseudonymiser(b"short")


def test_digests_are_computed_once_per_identifier_and_the_memo_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib
    import hmac

    p = Pseudonymiser(KEY)
    expected = hmac.new(KEY, b"phone:79123456789", hashlib.sha256).hexdigest()
    calls = []
    real_new = hmac.new
    monkeypatch.setattr(hmac, "new", lambda *a, **k: calls.append(a) or real_new(*a, **k))
    assert [p.phone("+7 912 345-67-89"), p.phone("89123456789"), p.phone("79123456789")] == [expected] * 3
    assert len(calls) == 1  # the same normalised phone: one HMAC
    monkeypatch.setattr(Pseudonymiser, "MEMO", 4)
    for n in range(10):
        assert p.snils(f"1234567890{n}") == real_new(KEY, f"snils:1234567890{n}".encode(), hashlib.sha256).hexdigest()
    for n in range(10):
        assert p.phone(f"+7 912 345-67-{n:02}") == p.digest("phone", f"791234567{n:02}")
    assert len(p._memo) <= 4  # emptied when full: memory stays flat
    assert "79123456789" not in repr(p)  # the remembered identifiers are not shown
