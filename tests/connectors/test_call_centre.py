"""Call-centre connector against a real PostgreSQL: good lines load, every bad line is
quarantined with its reason, and read = loaded + rejected + duplicate always holds."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from include import fastpath
from include.connectors.call_centre import CallCentreConnector, QueueLogFast
from include.loading import ReconciliationError
from tests.connectors.conftest import REGION, write

YEKT = ZoneInfo("Asia/Yekaterinburg")
DAY = date(2026, 9, 1)


def ep(hour: int, minute: int, second: int = 0, day: date = DAY) -> int:
    return int(datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=YEKT).timestamp())


def good_log(day: date = DAY) -> str:
    e = lambda h, m, s=0: ep(h, m, s, day)  # noqa: E731
    return (
        "\n".join(
            [
                f"{e(8, 0)}|NONE|NONE|NONE|QUEUESTART|",
                f"{e(8, 0)}|NONE|czn_ens01|PJSIP/op01|ADDMEMBER|",
                f"{e(9, 0)}|{e(9, 0)}.1|czn_ens01|NONE|ENTERQUEUE||+79123456789|1",
                f"{e(9, 0, 20)}|{e(9, 0)}.1|czn_ens01|PJSIP/op01|CONNECT|20|{e(9, 0)}.2|3",
                f"{e(9, 3)}|{e(9, 0)}.1|czn_ens01|PJSIP/op01|COMPLETECALLER|20|160|1",
                f"{e(9, 5)}|{e(9, 5)}.3|czn_ens01|NONE|ENTERQUEUE||anonymous|1",
                f"{e(9, 7)}|{e(9, 5)}.3|czn_ens01|NONE|ABANDON|1|1|120",
            ]
        )
        + "\n"
    )


def topics(day: date = DAY) -> str:
    return (
        "call_id,topic_code,topic_name,resolution,wrapup_at\n"
        f"{ep(9, 0, 0, day)}.1,benefit_status,Назначение и выплата пособия,resolved,{day}T09:03:30+05:00\n"
    )


def cc_dir(landing: Path) -> Path:
    return landing / REGION / "call_centre"


def rejected(query: Any) -> list[tuple[int, str, str]]:
    return query("select line_no, reason, raw_line from raw.rejected_call_centre order by file_seq, line_no")


def test_a_clean_day_loads_every_line_and_hashes_the_caller(landing: Path, load: Any, query: Any) -> None:
    write(cc_dir(landing) / "queue_log-20260901", good_log())
    write(cc_dir(landing) / "call_topics-20260901.csv", topics())
    report = load("call_centre", DAY)
    assert (report["read"], report["loaded"], report["rejected"], report["duplicate"]) == (8, 8, 0, 0)
    rows = query("select event, data2, caller_hash from raw.raw_call_centre_queue_log where event = 'ENTERQUEUE'")
    assert len(rows) == 2
    assert all(data2 is None for _, data2, _ in rows)  # the caller id is gone
    hashes = {h for _, _, h in rows}
    assert None in hashes  # anonymous caller
    assert any(h and len(h) == 64 for h in hashes)
    assert query("select count(*) from raw.raw_call_centre_queue_log where data2 like '%912%'") == [(0,)]
    assert query("select topic_name from raw.raw_call_centre_call_topics") == [("Назначение и выплата пособия",)]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("1788238800|1788.1|czn_ens01|NONE", "at least 5"),
        ("abc|1788.1|czn_ens01|NONE|ENTERQUEUE||79120000000|1", "epoch 'abc' is not an integer"),
        ("1788238800|1788.1|czn_ens01|NONE|FOOBAR|1|2|3", "unknown event 'FOOBAR'"),
        ("1788238800|1788.1|czn_nowhere|NONE|ENTERQUEUE||79120000000|1", "unknown queue 'czn_nowhere'"),
        ("1788238800|1788.1|czn_ens01|PJSIP/op01|CONNECT|soon|x|3", "data1 'soon' is not an integer"),
        ("1788238800|1788.1|czn_ens01|PJSIP/op01|COMPLETECALLER|20|160", "needs 3–3 data fields"),
        ("1788238800|1788.1|czn_ens01|NONE|ABANDON|1|1|120|7|8|9", "too many fields"),
        ("99|1788.1|czn_ens01|NONE|ENTERQUEUE||79120000000|1", "outside 2000–2100"),
        ("", "empty line"),
    ],
)
def test_each_malformed_line_is_quarantined_with_its_reason(
    landing: Path, load: Any, query: Any, line: str, reason: str
) -> None:
    write(cc_dir(landing) / "queue_log-20260901", good_log() + line + "\n")
    report = load("call_centre", DAY)
    assert (report["read"], report["loaded"], report["rejected"], report["duplicate"]) == (8, 7, 1, 0)
    [(line_no, why, raw)] = rejected(query)
    assert line_no == 8
    assert reason in why
    assert "79120000000" not in (raw or "")  # a phone in a rejected line is scrubbed too


def test_a_truncated_last_line_is_rejected_not_half_loaded(landing: Path, load: Any, query: Any) -> None:
    cut = f"{ep(9, 9)}|{ep(9, 5)}.4|czn_ens01|PJSIP/op01|CONNECT|5"  # no newline: the writer died here
    write(cc_dir(landing) / "queue_log-20260901", good_log() + cut)
    report = load("call_centre", DAY)
    assert (report["loaded"], report["rejected"]) == (7, 1)
    [(line_no, why, _)] = rejected(query)
    assert (line_no, why) == (8, "truncated last line (no newline at end of file)")


def test_windows_1251_files_are_decoded(landing: Path, load: Any, query: Any) -> None:
    log = good_log().replace("PJSIP/op01|CONNECT", "PJSIP/Оператор-01|CONNECT")
    write(cc_dir(landing) / "queue_log-20260901", log, encoding="cp1251")
    write(cc_dir(landing) / "call_topics-20260901.csv", topics().replace(",", ";"), encoding="cp1251")
    report = load("call_centre", DAY)
    assert (report["loaded"], report["rejected"]) == (8, 0)
    # the agent (an interface named after the operator) is a keyed pseudonym, like a caller
    [(agent,)] = query("select agent from raw.raw_call_centre_queue_log where event = 'CONNECT'")
    assert re.fullmatch(r"staff:[0-9a-f]{16}", agent) and "Оператор" not in agent
    assert query("select encoding from raw.ingest_files order by file_seq") == [("cp1251",), ("cp1251",)]


def test_duplicate_lines_are_counted_not_loaded(landing: Path, load: Any, query: Any) -> None:
    lines = good_log().splitlines()
    write(cc_dir(landing) / "queue_log-20260901", "\n".join([*lines, lines[2]]) + "\n")
    report = load("call_centre", DAY)
    assert (report["read"], report["loaded"], report["duplicate"]) == (8, 7, 1)
    assert query("select count(*) from raw.raw_call_centre_queue_log where event = 'ENTERQUEUE'") == [(2,)]


def test_the_same_file_delivered_twice_is_loaded_once(landing: Path, load: Any, query: Any) -> None:
    write(cc_dir(landing) / "queue_log-20260901", good_log())
    write(cc_dir(landing) / "queue_log-20260902", good_log())  # re-sent under the next day's name
    first = load("call_centre", DAY)
    second = load("call_centre", date(2026, 9, 2))
    assert first["loaded"] == 7
    assert (second["read"], second["loaded"], second["duplicate"]) == (7, 0, 7)
    assert query("select count(*) from raw.raw_call_centre_queue_log") == [(7,)]
    assert query("select status, duplicate_of_batch_id from raw.ingest_files where path like '%%20260902'") == [
        ("duplicate_delivery", first["batch_id"])
    ]


def test_rerunning_an_interval_replaces_its_batch(landing: Path, load: Any, query: Any) -> None:
    write(cc_dir(landing) / "queue_log-20260901", good_log())
    first = load("call_centre", DAY)
    # a corrected export arrives: one more call
    extra = f"{ep(10, 0)}|{ep(10, 0)}.9|czn_ens02|NONE|ENTERQUEUE||89125556677|1\n"
    write(cc_dir(landing) / "queue_log-20260901", good_log() + extra)
    second = load("call_centre", DAY)
    assert second["replaced_batches"] == [first["batch_id"]]
    assert query("select count(*) from raw.raw_call_centre_queue_log") == [(8,)]
    assert query("select status, count(*) from raw.ingest_batches group by status order by status") == [
        ("loaded", 1),
        ("replaced", 1),
    ]


def test_a_crash_in_the_middle_leaves_no_partial_batch(
    landing: Path, load: Any, query: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(cc_dir(landing) / "queue_log-20260901", good_log())
    load("call_centre", DAY)
    monkeypatch.setenv("CJW_INGEST_FAST_PATH", "0")  # the line parser (the fast path: below)
    original = CallCentreConnector._parse_queue_log

    def dies_after_three(self: CallCentreConnector, lines: Any, ctx: Any) -> Any:
        for number, item in enumerate(original(self, lines, ctx)):
            if number == 3:
                raise OSError("disk went away")
            yield item

    monkeypatch.setattr(CallCentreConnector, "_parse_queue_log", dies_after_three)
    with pytest.raises(OSError, match="disk went away"):
        load("call_centre", DAY)
    # the earlier good batch is untouched, nothing of the failed run is visible
    assert query("select status, count(*) from raw.ingest_batches group by status") == [("loaded", 1)]
    assert query("select count(*) from raw.raw_call_centre_queue_log") == [(7,)]


def test_a_parser_that_loses_a_line_fails_the_reconciliation(
    landing: Path, load: Any, query: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(cc_dir(landing) / "queue_log-20260901", good_log())
    monkeypatch.setenv("CJW_INGEST_FAST_PATH", "0")  # the line parser (the fast path: below)
    original = CallCentreConnector._parse_queue_log

    def drops_one(self: CallCentreConnector, lines: Any, ctx: Any) -> Any:
        for number, item in enumerate(original(self, lines, ctx)):
            if number != 2:
                yield item

    monkeypatch.setattr(CallCentreConnector, "_parse_queue_log", drops_one)
    with pytest.raises(ReconciliationError, match="read 7"):
        load("call_centre", DAY)
    assert query("select count(*) from raw.ingest_batches") == [(0,)]


def test_a_crash_in_the_fast_path_leaves_no_partial_batch(
    landing: Path, load: Any, query: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastpath, "MIN_FILE_BYTES", 0)  # a small file, read fast all the same
    write(cc_dir(landing) / "queue_log-20260901", good_log())
    load("call_centre", DAY)

    def dies(self: QueueLogFast, lines: Any, first: int) -> Any:
        raise OSError("disk went away")

    monkeypatch.setattr(QueueLogFast, "parse_chunk", dies)
    with pytest.raises(OSError, match="disk went away"):
        load("call_centre", DAY)
    assert query("select status, count(*) from raw.ingest_batches group by status") == [("loaded", 1)]
    assert query("select count(*) from raw.raw_call_centre_queue_log") == [(7,)]


def test_a_fast_parser_that_loses_a_line_fails_the_batch(
    landing: Path, load: Any, query: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastpath, "MIN_FILE_BYTES", 0)  # a small file, read fast all the same
    write(cc_dir(landing) / "queue_log-20260901", good_log())
    original = QueueLogFast.parse_chunk

    def drops_one(self: QueueLogFast, lines: Any, first: int) -> Any:
        rows, fallback = original(self, lines, first)
        return rows.slice(1), fallback

    monkeypatch.setattr(QueueLogFast, "parse_chunk", drops_one)
    with pytest.raises(ReconciliationError, match="accounted for 6 \\+ 0 of 7 lines"):
        load("call_centre", DAY)
    assert query("select count(*) from raw.ingest_batches") == [(0,)]


def test_unknown_topic_codes_are_quarantined(landing: Path, load: Any, query: Any) -> None:
    body = topics() + f"{ep(9, 5)}.3,weather,Погода,resolved,2026-09-01T09:10:00+05:00\n"
    body += f"{ep(9, 6)}.3,benefit_status,Пособие,resolved,2026-02-30T09:10:00+05:00\n"
    write(cc_dir(landing) / "call_topics-20260901.csv", body)
    report = load("call_centre", DAY)
    assert (report["read"], report["loaded"], report["rejected"]) == (3, 1, 2)
    reasons = [why for _, why, _ in rejected(query)]
    assert "unknown topic code 'weather'" in reasons[0]
    assert "not a valid date/time" in reasons[1]
