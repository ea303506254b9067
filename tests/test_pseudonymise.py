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
