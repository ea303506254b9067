"""The one JSON-lines validator (``Record``, ``load_object``) and the one masker of rejected lines
(``mask_json_identifiers``) that the chatbot, cases, surveys and website connectors share: the
rules that were the website's own before issue 14 and now hold for every source."""

from __future__ import annotations

import json
import re
from zoneinfo import ZoneInfo

import pytest

from include.connectors import cases, chatbot, email_requests, surveys, website
from include.connectors.common import FieldError
from include.connectors.records import PII_FIELDS, JsonLinesConnector, Record, load_object, mask_json_identifiers
from include.loading import Line
from include.pseudonymise import Pseudonymiser
from tests.connectors.conftest import KEY

PS = Pseudonymiser(KEY)
TZ = ZoneInfo("Asia/Yekaterinburg")
PHONE = "+7 912 345-67-89"
SNILS = "112-233-445 95"
EMAIL = "ivan.petrov@mail.ru"
ESIA = "1000123456"
CLIENT = "1700000000123456789"
_SNILS = re.compile(r"^\d{3}-?\d{3}-?\d{3}[ -]?\d{2}$")


def reason(call: object) -> str:
    assert callable(call)
    with pytest.raises(FieldError) as caught:
        call()
    return str(caught.value)


def test_every_json_lines_connector_uses_the_one_masker_and_validator() -> None:
    # the line formats of one JSON object per line share the loop that decodes and masks
    for connector in (chatbot.ChatbotConnector, cases.CasesConnector, email_requests.EmailRequestsConnector):
        assert issubclass(connector, JsonLinesConnector), connector.__name__
        assert "parse" not in vars(connector), connector.__name__
    for module in (chatbot, cases, email_requests):
        assert module.Record is Record, module.__name__
    # surveys (CSV or JSON) and the portal events read their lines themselves, with the same parts
    for module in (surveys, website):
        assert module.mask_json_identifiers is mask_json_identifiers, module.__name__
        assert module.load_object is load_object, module.__name__
        assert module.Record is Record, module.__name__


def test_the_masker_turns_every_identifier_field_into_the_token_of_its_loaded_hash() -> None:
    line = json.dumps(
        {
            "esia_id": ESIA,
            "metrica_client_id": CLIENT,
            "snils": SNILS,
            "phone": PHONE,
            "email": EMAIL,
            "inn": "500100732259",
            "user_id": "tg:5550001",
        }
    )
    masked = mask_json_identifiers(line, PS)
    assert json.loads(masked) == {
        "esia_id": f"<esia:{PS.esia(ESIA)[:12]}>",
        "metrica_client_id": f"<metrica:{PS.online_id('metrica', CLIENT)[:12]}>",
        "snils": f"<snils:{PS.snils(SNILS)[:12]}>",
        "phone": f"<phone:{PS.phone(PHONE)[:12]}>",
        "email": f"<email:{PS.email(EMAIL)[:12]}>",
        "inn": f"<inn:{PS.person_inn('500100732259')[:12]}>",
        "user_id": f"<user:{PS.online_id('user', 'tg:5550001')[:12]}>",
    }
    assert set(PII_FIELDS) >= {"esia_id", "metrica_client_id", "snils", "phone", "email", "inn", "ogrn"}


def test_the_masker_masks_bare_values_of_broken_json_and_keeps_null_and_company_ids() -> None:
    broken = '{"phone": +7 912 345-67-89, "snils": 11223344595, "esia_id": null, "inn": "6601234567", "email": tr'
    masked = mask_json_identifiers(broken, PS)
    assert "+7" not in masked and "11223344595" not in masked, masked
    assert '"snils": "<snils:' in masked and '"phone": "<phone:' in masked
    assert '"esia_id": null' in masked and '"inn": "6601234567"' in masked  # no identifier, a company's INN
    cut = '{"event_id": "e", "email": "ivan.pet'  # a string cut off at the end of the line
    assert "ivan" not in mask_json_identifiers(cut, PS)


def test_a_reason_never_quotes_a_personal_identifier() -> None:
    record = Record({"snils": "123-456", "esia_id": 1000123456, "email": ["ivan@mail.ru"], "channel": 5}, typed=True)
    assert reason(lambda: record.matching("snils", _SNILS, "a SNILS")) == "snils is not a SNILS"
    assert reason(lambda: record.text("esia_id")) == "esia_id must be a string, got number"
    assert reason(lambda: record.text("email")) == "email must be a string, got array"
    assert reason(lambda: record.text("channel")) == "channel must be a string, got number 5"  # not personal


def test_a_pattern_ends_at_the_end_of_the_value_as_in_json_schema() -> None:
    assert Record({"snils": SNILS}, typed=True).matching("snils", _SNILS, "a SNILS") == SNILS
    newline = Record({"snils": SNILS + "\n"}, typed=True)
    assert reason(lambda: newline.matching("snils", _SNILS, "a SNILS")) == "snils is not a SNILS"
    # an unanchored pattern still finds its match anywhere, as JSON Schema's does
    assert Record({"id": " x\n"}, typed=True).matching("id", re.compile(r"\S"), "not blank") == " x\n"


def test_a_timestamp_with_a_final_newline_is_not_iso_8601() -> None:
    record = Record({"ts": "2026-09-01T10:00:00+05:00\n"}, typed=True)
    assert "is not an ISO-8601 timestamp" in reason(lambda: record.timestamp("ts", TZ))


def test_an_offset_can_be_required() -> None:
    local = Record({"at": "2026-09-01T10:00:00", "ru": "01.09.2026 10:00:00", "z": "2026-09-01T05:00:00Z"}, typed=True)
    assert local.timestamp("at", TZ) is not None  # local time of the region where the schema allows it
    for name in ("at", "ru"):
        assert "with an offset" in reason(lambda name=name: local.timestamp(name, TZ, offset_required=True))
    moment = local.timestamp("z", TZ, offset_required=True)
    assert moment is not None and moment.isoformat() == "2026-09-01T05:00:00+00:00"
    far = Record({"at": "2026-09-01T10:00:00+15:00"}, typed=True)
    assert "impossible UTC offset" in reason(lambda: far.timestamp("at", TZ, offset_required=True))


def test_text_may_be_required_non_blank_and_bounded() -> None:
    record = Record({"empty": "", "blank": " \t", "long": "x" * 201, "padded": " ev-1 "}, typed=True)
    assert record.text("empty") is None and record.text("blank") is None  # free text: not given
    assert reason(lambda: record.text("empty", nonblank=True)) == "empty is an empty string"
    assert reason(lambda: record.text("blank", nonblank=True)) == "blank is blank"
    assert reason(lambda: record.text("long", max_length=200)) == "long is longer than 200 characters"
    assert record.text("padded", nonblank=True, max_length=6) == "ev-1"
    assert Record({"cell": "  "}, typed=False).text("cell", nonblank=True) is None  # an empty CSV cell


@pytest.mark.parametrize(
    ("text", "terminated", "expected"),
    [
        ('{"a": 1, "a": 2}', True, "malformed JSON: field 'a' appears twice"),
        ('{"a": NaN}', True, "malformed JSON: NaN is not a JSON number"),
        ("[1]", True, "a line must be one JSON object, got array"),
        ('{"a": 1', False, "truncated last line (no newline at end of file and not complete JSON"),
        ("   ", True, "empty line"),
    ],
)
def test_load_object_rejects_what_no_schema_can_say(text: str, terminated: bool, expected: str) -> None:
    assert reason(lambda: load_object(Line(1, text, terminated))).startswith(expected)


def test_a_complete_last_object_without_a_newline_loads() -> None:
    assert load_object(Line(1, '{"a": 1}', False)) == {"a": 1}
