from __future__ import annotations

import pytest

from include.pseudonymise import MissingKeyError, Pseudonymiser, key_from_env, normalise_phone, normalise_snils

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
    assert "1788238801|12" in scrubbed  # epochs and numbers are not phones


def test_other_identifiers_and_free_text() -> None:
    p = Pseudonymiser(KEY)
    assert p.esia("1000 123 456") == p.esia("1000123456")
    assert p.person_inn("7707-0832-8939") == p.person_inn("770708328939")
    assert p.online_id("metrica", " 1788238801123456789 ") == p.online_id("metrica", "1788238801123456789")
    assert p.online_id("metrica", "1") != p.online_id("messenger", "1")
    text = p.scrub_text("СНИЛС 12345678901, ИНН 770708328939, звонок 1788238801.1234")
    assert "12345678901" not in text and "770708328939" not in text
    assert "1788238801.1234" in text
