"""The plausibility limits, the URL decoding, the counter's time zone and the connector command line.

The table of limits in ``include/connectors/limits.py`` and the one in ``FORMATS.md`` are the
same; a limit's value is checked at its edges; a percent-encoded URL is decoded before the rules
match it; a Metrica counter's own time zone is read from its configuration; the command line
without a pseudonymisation key ends in one line, not a traceback.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from include.connectors import SOURCES, connector_for, limits
from include.connectors.common import FieldError
from include.connectors.metrica import MetricaConfigError, counter_timezone
from include.connectors.website import decode_url
from include.pseudonymise import Pseudonymiser

PROJECT = Path(__file__).resolve().parents[2]
FORMATS = (PROJECT / "include" / "connectors" / "FORMATS.md").read_text(encoding="utf-8")
YEKT = ZoneInfo("Asia/Yekaterinburg")


def test_the_documented_table_is_the_table_of_the_code() -> None:
    for source in SOURCES:  # a connector may add its own feed's limits when it is imported
        connector_for(source)
    documented = dict(re.findall(r"^\| `([a-z_.]+)` \| ([^|]+) \|", FORMATS, re.MULTILINE))
    for key, limit in limits.LIMITS.items():
        assert key in documented, f"{key} is not in FORMATS.md"
        numbers = [int(n.replace(" ", "")) for n in re.findall(r"\d[\d ]*", documented[key])]
        assert numbers[:2] == [int(limit.low), int(limit.high)], (key, documented[key])
    for feed, tolerance in limits.DAY_TOLERANCE.items():
        key = f"day_tolerance.{feed}"
        assert key in documented, f"{key} is not in FORMATS.md"
        hours = int(tolerance.total_seconds() // 3600)
        assert str(hours) in documented[key], (key, documented[key])
    assert f"{256 * 1024}" in FORMATS.replace(" ", "")  # the line-length limit


@pytest.mark.parametrize(
    ("text", "accepted"),
    [("0", True), ("14400", True), ("14401", False), ("-1", False), ("1" * 19, False), ("٣", False), ("1e3", False)],
)
def test_an_integer_limit_at_its_edges(text: str, accepted: bool) -> None:
    if accepted:
        assert limits.check_integer_text("queue_log.hold", text, "hold") == int(text)
    else:
        with pytest.raises(FieldError, match=r"hold .*(limit queue_log.hold|not an integer)"):
            limits.check_integer_text("queue_log.hold", text, "hold")


@pytest.mark.parametrize(
    ("moment", "accepted"),
    [
        (datetime(2026, 8, 31, 19, 0, tzinfo=UTC), True),  # 00:00 local
        (datetime(2026, 8, 31, 13, 0, tzinfo=UTC), True),  # 18:00 the day before: within 6 h
        (datetime(2026, 8, 31, 12, 59, tzinfo=UTC), False),
        (datetime(2026, 9, 2, 0, 59, tzinfo=UTC), True),  # 05:59 the day after: within 6 h
        (datetime(2026, 9, 2, 1, 0, tzinfo=UTC), False),  # 06:00 the day after
        (datetime(2099, 9, 1, 5, 0, tzinfo=UTC), False),
    ],
)
def test_a_timestamp_on_the_files_day_within_its_tolerance(moment: datetime, accepted: bool) -> None:
    if accepted:
        assert limits.check_on_file_day("queue_log", moment, YEKT, date(2026, 9, 1), "epoch") == moment
    else:
        with pytest.raises(
            FieldError, match=r"not on the file's day 2026-09-01 ± 6 h \(limit day_tolerance.queue_log\)"
        ):
            limits.check_on_file_day("queue_log", moment, YEKT, date(2026, 9, 1), "epoch")


@pytest.mark.parametrize(
    ("url", "decoded"),
    [
        (
            "https://czn-ens.ru/%D0%BF%D0%BE%D0%B8%D1%81%D0%BA?q=%D0%BF%D0%BE%D0%B2%D0%B0%D1%80",
            "https://czn-ens.ru/поиск?q=повар",
        ),
        ("https://czn-ens.ru/%EF%EE%E8%F1%EA", "https://czn-ens.ru/поиск"),  # Windows-1251 escapes
        ("https://czn-ens.ru/a%20b%2Fc", "https://czn-ens.ru/a b/c"),
        ("https://czn-ens.ru/a%00b%0Ac", "https://czn-ens.ru/a%00b%0Ac"),  # control characters stay encoded
        ("https://czn-ens.ru/%98%FF", "https://czn-ens.ru/%98%FF"),  # neither UTF-8 nor Windows-1251
        ("https://czn-ens.ru/100%", "https://czn-ens.ru/100%"),
        ("https://czn-ens.ru/plain", "https://czn-ens.ru/plain"),
    ],
)
def test_percent_encoded_urls_are_decoded_so_cyrillic_rules_match(url: str, decoded: str) -> None:
    assert decode_url(url) == decoded


def test_a_cyrillic_url_rule_matches_the_stored_url() -> None:
    """event_stage_map patterns are SQL LIKE patterns over the stored URL."""
    from include.connectors.website import scrub_url

    stored = scrub_url(
        Pseudonymiser(b"k" * 32), "https://czn-ens.ru/%D0%B2%D0%B0%D0%BA%D0%B0%D0%BD%D1%81%D0%B8%D0%B8/1"
    )
    like = "%/вакансии/%".replace("%", ".*")
    assert stored is not None and re.fullmatch(like, stored)


def test_a_counters_time_zone_is_its_own_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CJW_METRICA_TIMEZONE_ENSKAYA", raising=False)
    assert counter_timezone("enskaya") is None  # the region's (regions.csv)
    monkeypatch.setenv("CJW_METRICA_TIMEZONE_ENSKAYA", "Europe/Moscow")
    assert counter_timezone("enskaya") == ZoneInfo("Europe/Moscow")
    monkeypatch.setenv("CJW_METRICA_TIMEZONE_ENSKAYA", "Moscow time")
    with pytest.raises(MetricaConfigError, match="not an IANA zone"):
        counter_timezone("enskaya")


@pytest.mark.parametrize("key", ["", "short"])
def test_the_command_line_without_a_usable_key_says_so_in_one_line(key: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CJW_PSEUDONYM_KEY"}
    if key:
        env["CJW_PSEUDONYM_KEY"] = key
    env["WAREHOUSE_DSN"] = "postgresql://nobody@127.0.0.1:1/none"  # never reached: the key is checked first
    done = subprocess.run(
        [sys.executable, "-m", "include.connectors.call_centre", "--region", "enskaya", "--date", "2026-09-01"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error:") and "CJW_PSEUDONYM_KEY" in line
