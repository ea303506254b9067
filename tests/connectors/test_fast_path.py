"""The vectorised fast path (``include.fastpath``) against the line-by-line parsers: on the same
files, for every source, the loaded rows, the rejected lines with their reasons and masked text,
and every file's counts are identical with the fast path on and off.

The files: a generated region (every source, noise included) and every case of the hostile-input
corpus (``tests/bad_input``), each also read in tiny chunks so that chunk boundaries, an
unterminated last line and a line over the length limit fall inside the fast path's reading. Each
interval is loaded with the fast path, then again without it (a re-run replaces its batch), and
the two batches are compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from include import config, fastpath
from include.connectors import SOURCES, connector_for
from include.connectors.chatbot import FIELDS as CHAT_FIELDS
from include.connectors.office_visits import COLUMNS as OFFICE_COLUMNS
from include.connectors.website import PORTAL_OPTIONAL, PORTAL_REQUIRED
from include.ingest import load_interval
from tests.bad_input.sources import DAY
from tests.bad_input.test_corpus import CASES, PREVIOUS_DAY, Case, _interval, _write_files

KEY = b"fast-path-key-0123456789"
REGION = "enskaya"


@pytest.fixture(autouse=True)
def _every_file_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test files are small: let the fast path take every file whatever its size."""
    monkeypatch.setattr(fastpath, "MIN_FILE_BYTES", 0)


class Counting:
    """Counts the rows the fast path wrote (a comparison where it took nothing proves nothing)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.rows = 0
        self.by_columns: dict[tuple[str, ...], int] = {}  # the rows written, by the table's columns
        real = fastpath.copy_block

        def counted(rows: Any, *args: Any) -> str:
            self.rows += rows.height
            columns = tuple(args[-1])
            self.by_columns[columns] = self.by_columns.get(columns, 0) + rows.height
            return real(rows, *args)

        monkeypatch.setattr(fastpath, "copy_block", counted)


def _snapshot(dsn: str, source: str, batch_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Everything a batch left in the warehouse, without what differs between two runs by
    nature (batch ids, load times)."""
    connector = connector_for(source)
    found: dict[str, list[tuple[Any, ...]]] = {}
    with psycopg.connect(dsn) as conn:
        for table in [*(t.name for t in connector.tables.values()), connector.rejected_table]:
            columns = [
                name
                for (name,) in conn.execute(
                    "select column_name from information_schema.columns where table_schema = 'raw'"
                    " and table_name = %s and column_name not in ('batch_id', '_loaded_at', 'rejected_at')"
                    " order by ordinal_position",
                    (table,),
                )
            ]
            query = sql.SQL("select {} from raw.{} where batch_id = %s order by file_seq, line_no, 1, 2, 3").format(
                sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(table)
            )
            found[table] = [tuple(row) for row in conn.execute(query, (batch_id,))]
        found["ingest_files"] = [
            tuple(row)
            for row in conn.execute(
                "select file_seq, path, raw_table, sha256, bytes, encoding, status, duplicate_of_batch_id,"
                " lines_read, rows_loaded, rows_rejected, rows_duplicate from raw.ingest_files"
                " where batch_id = %s order by file_seq",
                (batch_id,),
            )
        ]
    return found


def _figures(report: dict[str, Any]) -> dict[str, Any]:
    return {k: report[k] for k in ("files", "read", "loaded", "rejected", "duplicate")}


def _compare(
    dsn: str,
    source: str,
    landing: Path,
    start: datetime,
    end: datetime,
    monkeypatch: pytest.MonkeyPatch,
    loaded: dict[str, int] | None = None,
) -> float:
    """Load ``[start, end)`` fast, then slow (replacing it); assert both batches are identical.
    Returns the share of the loaded rows the fast path wrote; ``loaded`` receives the rows of each
    table."""
    counting = Counting(monkeypatch)
    monkeypatch.setenv("CJW_INGEST_FAST_PATH", "1")
    fast = load_interval(source, REGION, start, end, dsn=dsn, key=KEY, landing=landing)
    fast_rows = _snapshot(dsn, source, fast["batch_id"])
    monkeypatch.setenv("CJW_INGEST_FAST_PATH", "0")
    slow = load_interval(source, REGION, start, end, dsn=dsn, key=KEY, landing=landing)
    assert slow["replaced_batches"] == [fast["batch_id"]]
    slow_rows = _snapshot(dsn, source, slow["batch_id"])
    assert _figures(fast) == _figures(slow)
    assert fast["read"] == fast["loaded"] + fast["rejected"] + fast["duplicate"]
    for table, rows in slow_rows.items():
        assert len(fast_rows[table]) == len(rows), table
        differ = [(a, b) for a, b in zip(fast_rows[table], rows, strict=True) if a != b]
        assert differ == [], (table, differ[:3])
    if loaded is not None:
        loaded.update({table: len(rows) for table, rows in slow_rows.items()})
    return counting.rows / max(slow["loaded"], 1)


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date, date]:
    from include.generator import generate_region

    landing = tmp_path_factory.mktemp("fast_path") / "landing"
    manifest = generate_region(landing, seed=5, offices=2, days=3, scale=0.6, start=date(2025, 10, 6), noise=True)
    return landing, date.fromisoformat(manifest["start_date"]), date.fromisoformat(manifest["end_date"])


# sources with a fast path for at least one of their files
FAST_SOURCES = {"call_centre", "chatbot", "office_visits", "surveys", "website"}
# the share of the loaded rows the fast path must have taken where it is less than 0.9: one of the
# three chatbot and survey files starts with a byte-order mark (the generator's noise), read line by line
FAST_SHARE = {"chatbot": 0.7, "surveys": 0.65}
# tables whose share is checked on its own, a small table beside a large one of the same source:
# (table, least share); one of the two portal files starts with a byte-order mark (read line by line)
FAST_TABLES = {"website": (("raw_website_portal_events", 0.6),)}


@pytest.mark.parametrize("chunk_bytes", [None, 2048], ids=["chunks", "tiny-chunks"])
@pytest.mark.parametrize("source", SOURCES)
def test_generated_region_loads_the_same_fast_and_slow(
    source: str,
    chunk_bytes: int | None,
    region: tuple[Path, date, date],
    fresh_db: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    landing, first, last = region
    if chunk_bytes:
        monkeypatch.setattr(fastpath, "CHUNK_BYTES", chunk_bytes)
    tz = config.region(REGION).timezone
    start = datetime.combine(first, datetime.min.time(), tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tz)
    counting = Counting(monkeypatch)
    loaded: dict[str, int] = {}
    share = _compare(fresh_db, source, landing, start, end, monkeypatch, loaded)
    if source in FAST_SOURCES:
        assert share > FAST_SHARE.get(source, 0.9)  # the fast path did take the bulk of the lines
    else:
        assert share == 0
    for table, least in FAST_TABLES.get(source, ()):
        columns = next(tuple(t.columns) for t in connector_for(source).tables.values() if t.name == table)
        assert loaded[table] > 0
        assert counting.by_columns.get(columns, 0) > least * loaded[table], table


# Values a mutated cell takes: empty, blanks around, quotes, escapes, control characters, other
# scripts, numbers at and past every limit, impossible dates and offsets, identifiers in clear.
HOSTILE_CELLS = [
    "",
    " ",
    "NONE",
    "none",
    "-1",
    "+5",
    "0",
    "007",
    "999999999",
    "1000000000",
    "99999999999999999999999",
    "1.5",
    "1759719627.61898",
    "1759719627.6189812345",
    "weather",
    "anonymous",
    "<unknown>",
    "Обслужен",
    "served ",
    " served",
    '"quoted"',
    'a"b',
    "back\\slash",
    "tab\there",
    "cr\r",
    "nul\x00",
    "\x85next-line",
    "ё",
    "\u00a0nbsp",
    "+7 912 345-67-89",
    "89123456789",
    "ivan@example.ru",
    "123-456-789 01",
    "2025-10-06 25:00:00",
    "2025-10-06 23:59:60",
    "2026-02-30 09:10:00",
    "2025-10-06T08:02:11+05:00",
    "2025-10-06T08:02:11+24:00",
    "2025-10-06T08:02:11-03:30",
    "2025-10-06T08:02:11Z",
    "2025-10-06 08:02:11",
    "06.10.2025 08:02:11",
    "1999-12-31 23:59:59",
    "2101-01-01 00:00:00",
    "2025-10-08 08:00:00",
    "1759719627",
    "946684799",
    "4102444801",
    "[1,2]",
    "[]",
    "[2147483648]",
]
SEPARATORS = {".csv": ",", ".tsv": "\t", ".jsonl": None}


def _mutate(line: str, separator: str, rng: Any, others: list[str]) -> str:
    cells = line.split(separator)
    at = rng.randrange(len(cells))
    kind = rng.randrange(7)
    if kind == 0:
        cells[at] = rng.choice(HOSTILE_CELLS)
    elif kind == 1:  # a value of the same column from another line (another time, code, id)
        other = rng.choice(others).split(separator)
        if at < len(other):
            cells[at] = other[at]
    elif kind == 2:
        del cells[at]
    elif kind == 3:
        cells.insert(at, rng.choice(HOSTILE_CELLS))
    elif kind == 4:
        cells[at] = cells[at] + rng.choice(HOSTILE_CELLS)
    elif kind == 5:
        return line[: rng.randrange(len(line) + 1)]
    else:
        cells[at] = cells[at].upper() if rng.random() < 0.5 else cells[at].strip() + "  "
    return separator.join(cells)


@pytest.fixture(scope="module")
def mutated_region(region: tuple[Path, date, date], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated region with a third of the data lines of every line-format file mutated."""
    import random
    import shutil

    source_landing, _, _ = region
    landing = tmp_path_factory.mktemp("fast_path_mutated") / "landing"
    shutil.copytree(source_landing, landing)
    rng = random.Random(13)
    for path in sorted((landing / REGION).rglob("*")):
        if not path.is_file() or "truth" in path.parts or path.name == "manifest.json":
            continue
        separator = SEPARATORS.get(path.suffix, "|")
        if separator is None:
            continue
        raw = path.read_bytes()
        encoding = "utf-8"
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            encoding = "cp1251"
            text = raw.decode(encoding)
        lines = text.split("\n")
        head = 0 if separator == "|" else 1
        body = lines[head:-1] or [""]
        for index in range(head, len(lines) - 1):
            if rng.random() < 0.33:
                lines[index] = _mutate(lines[index], separator, rng, body)
        path.write_bytes("\n".join(lines).encode(encoding, errors="replace"))
    return landing


@pytest.mark.parametrize("source", SOURCES)
def test_mutated_lines_load_the_same_fast_and_slow(
    source: str,
    region: tuple[Path, date, date],
    mutated_region: Path,
    fresh_db: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, first, last = region
    tz = config.region(REGION).timezone
    start = datetime.combine(first, datetime.min.time(), tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tz)
    share = _compare(fresh_db, source, mutated_region, start, end, monkeypatch)
    assert (share > 0.3) is (source in FAST_SOURCES)


@pytest.mark.parametrize("chunk_bytes", [None, 1500], ids=["chunks", "tiny-chunks"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input_loads_the_same_fast_and_slow(
    case: Case,
    chunk_bytes: int | None,
    fresh_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if chunk_bytes:
        monkeypatch.setattr(fastpath, "CHUNK_BYTES", chunk_bytes)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    landing = tmp_path / "landing"
    folder = landing / REGION / case.source
    folder.mkdir(parents=True)
    if case.earlier:
        _write_files(folder, case.earlier)
        start, end = _interval(PREVIOUS_DAY)
        load_interval(case.source, REGION, start, end, dsn=fresh_db, key=KEY, landing=landing)
        for name in case.earlier:
            (folder / name).unlink()
    _write_files(folder, case.files)
    if case.prepare:
        case.prepare(folder)
    start, end = _interval(DAY)
    _compare(fresh_db, case.source, landing, start, end, monkeypatch)


def _queue_line(second: int, data: str = "1|1|60", event: str = "COMPLETECALLER") -> str:
    from tests.bad_input.sources import epoch

    return f"{epoch(9, 0, second)}|{epoch(9, 0)}.7|czn_ens01|PJSIP/op01|{event}|{data}"


EDGE_FILES: dict[str, dict[str, bytes]] = {
    # a line that passes every check but is over the length limit (2 048 bytes here)
    "long-valid-line": {
        "queue_log-20260901": f"{_queue_line(1)}\n{_queue_line(2, '2130|' + 'x' * 3000 + '|2|37|3', 'TRANSFER')}\n".encode()
    },
    "crlf-and-unterminated-last-line": {
        "queue_log-20260901": f"{_queue_line(1)}\r\n{_queue_line(2)}\r\r\n{_queue_line(3)}".encode()
    },
    "windows-1251-file-with-a-utf8-line": {
        "call_topics-20260901.csv": (
            "call_id,topic_code,topic_name,resolution,wrapup_at\n"
            "1788240001.1,documents,Документы,resolved,2026-09-01T09:10:00+05:00\n"
        ).encode("cp1251")
        + "1788240001.2,documents,Документы,resolved,2026-09-01T09:11:00+05:00\n".encode()
        + b"1788240001.3,documents,\x98\x98,resolved,2026-09-01T09:12:00+05:00\n"
    },
    "semicolon-topics-header": {
        "call_topics-20260901.csv": (
            "call_id;topic_code;topic_name;resolution;wrapup_at\n"
            "1788240001.1;documents;Документы;resolved;2026-09-01T09:10:00+05:00\n"
        ).encode()
    },
}


_T = "2026-09-01 09:00:00,2026-09-01 09:01:00,2026-09-01 09:02:00,2026-09-01 09:10:00"
OFFICE_EDGE_LINES = [
    ",".join(OFFICE_COLUMNS),
    f"А-1,ens-02,consultation,0,,{_T},Окно 1,served,",
    "А-2,ens-02,consultation,0,,2026-09-01 09:00:00,2026-09-01 09:01:00,,,Окно 1,served,",  # served, not started
    "А-3,ens-02,consultation,0,,2026-09-01 09:00:00,,,,Окно 1,no_show,",
    f'"А-4",ens-02,consultation,0,,{_T},"Окно 1",served,',  # quoted cells: the CSV reader's business
    f"А-5,ens-02,consultation,да,2026-09-01 09:00:00,{_T},Окно 1,Обслужен,+7 912 345-67-89",
    f"А-6,ens-02,consultation,1,,{_T},Окно 1,served,",  # booked without booked_for
    f"А-7,ens-02,consultation,maybe,,{_T},Окно 1,served,",
    f"А-8,ens-01,consultation,0,,{_T},Окно 1,served,",  # another office's ticket
    f"А-9,ens-02,consultation,0,,{_T}, Окно 1,served,",
    f"А-10,ens-02,consultation,0,,{_T},Окно 1,served,нет телефона",
    "А-11,ens-02,consultation,0,,2026-09-01 09:00:00,2026-09-01 09:01:00,2026-09-01 09:00:30,,Окно 1,redirected,",
    f"А-12,ens-02,consultation,0,,{_T.replace('09:10:00', '23:59:60')},Окно 1,served,",
]


@pytest.mark.parametrize("name", [*sorted(EDGE_FILES), "office-rules", "office-rules-semicolon"])
def test_edge_files_load_the_same_fast_and_slow(
    name: str, fresh_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CJW_MAX_LINE_BYTES", "2048")
    landing = tmp_path / "landing"
    source = "office_visits" if name.startswith("office") else "call_centre"
    folder = landing / REGION / source
    folder.mkdir(parents=True)
    if name == "office-rules":
        files = {"ens-02/eq_ens-02_20260901.csv": ("\n".join(OFFICE_EDGE_LINES) + "\n").encode()}
    elif name == "office-rules-semicolon":
        text = "\n".join(line.replace(",", ";") for line in OFFICE_EDGE_LINES) + "\n"
        files = {"ens-02/eq_ens-02_20260901.csv": text.encode("cp1251")}
    else:
        files = EDGE_FILES[name]
    _write_files(folder, files)
    start, end = _interval(DAY)
    _compare(fresh_db, source, landing, start, end, monkeypatch)


def test_a_small_file_is_read_line_by_line(fresh_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastpath, "MIN_FILE_BYTES", 256 << 10)
    landing = tmp_path / "landing"
    folder = landing / REGION / "call_centre"
    folder.mkdir(parents=True)
    _write_files(folder, {"queue_log-20260901": f"{_queue_line(1)}\n{_queue_line(2)}\n".encode()})
    counting = Counting(monkeypatch)
    start, end = _interval(DAY)
    report = load_interval("call_centre", REGION, start, end, dsn=fresh_db, key=KEY, landing=landing)
    assert (report["loaded"], counting.rows) == (2, 0)


def test_small_files_of_several_days_are_parsed_together(
    fresh_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backfill's daily files are parsed as one chunk (a group): each file keeps its own line
    numbers, day window, rejections and counts — the same as line by line, also for a file with
    a cut last line, Windows line breaks, a NUL byte or a line over the length limit among them."""
    from include.loading import BatchLoader
    from tests.bad_input.sources import epoch

    monkeypatch.setenv("CJW_MAX_LINE_BYTES", "2048")
    days = [DAY + timedelta(days=n) for n in range(3)]

    def line(day: date, second: int, data: str = "1|1|60", event: str = "COMPLETECALLER") -> str:
        return f"{epoch(9, 0, second, day)}|{epoch(9, 0, 0, day)}.7|czn_ens01|PJSIP/op01|{event}|{data}"

    files = {
        "queue_log-20260901": "\n".join(
            [line(days[0], 1), line(days[0], 2, "2130|" + "x" * 3000 + "|2|37|3", "TRANSFER"), line(days[1], 3)]
        ).encode()
        + b"\n",
        "queue_log-20260902": f"{line(days[1], 1)}\r\n{line(days[1], 2)}\n{line(days[1], 3)}".encode(),
        "queue_log-20260903": f"{line(days[2], 1)}\n{line(days[2], 2)}\x00\n{line(days[2], 3, event='BOGUS')}\n".encode(),
        "call_topics-20260901.csv": b"call_id,topic_code,topic_name,resolution,wrapup_at\n"
        b"1788240001.1,documents,Docs,resolved,2026-09-01T09:10:00+05:00\n",
        "call_topics-20260902.csv": b"call_id,topic_code,topic_name,resolution,wrapup_at\n"
        b"1788240001.2,documents,Docs,resolved,2026-09-02T09:10:00+05:00\n"
        b"1788240001.3,documents,Docs,resolved,2026-09-01T09:10:00+05:00\n",
    }
    landing = tmp_path / "landing"
    folder = landing / REGION / "call_centre"
    folder.mkdir(parents=True)
    _write_files(folder, files)
    groups: list[list[str]] = []
    real = BatchLoader._prepare_group

    def recorded(self: BatchLoader, batch_id: int, members: list[Any]) -> Any:
        groups.append(sorted(m.source_file.path.name for m in members))
        return real(self, batch_id, members)

    monkeypatch.setattr(BatchLoader, "_prepare_group", recorded)
    start, _ = _interval(days[0])
    _, end = _interval(days[-1])
    share = _compare(fresh_db, "call_centre", landing, start, end, monkeypatch)
    assert sorted(groups) == [
        ["call_topics-20260901.csv", "call_topics-20260902.csv"],
        ["queue_log-20260901", "queue_log-20260902", "queue_log-20260903"],
    ]
    assert share > 0.6


# Values a chatbot field takes (JSON as written): other types, numbers at and past every limit and
# written otherwise, blanks, escapes, codes of other fields, timestamps of every spelling, around
# the file's day (2026-09-01 in Asia/Yekaterinburg, ± 6 h) and impossible, identifiers in clear.
CHAT_VALUES = [
    "null", "true", "false", "0", "-0", "1", "5", "6", "-1", "1.0", "1e0", "0.5", "0.50", "1.5", "1.000",
    "1.0000001", "0.0000001", "0.000001", "2147483647", "2147483648", "99999999999999999999", "[1]", "{}",
    '""', '" "', '"3"', '" s-1 "', '"\u00a0s-2"', '"a\\u0041"', '"ё"', '"tab\\there"', '"web"', '"WEB"',
    '"max"', '"chat_started"', '"rating"', '"intent_recognised"', '"benefit_status"', '"weather"',
    '"+7 912 345-67-89"', '"tg:89123456789"', '"мой снилс 112-233-445 95"', '"ivan@example.ru"',
    '"0f8fad5b-d9cb-469f-a165-70867728950e"', '"1788240001.1234"',
    '"2026-09-01T10:00:00+05:00"', '"2026-09-01 10:00:00+05:00"', '"2026-09-01T10:00:00"',
    '"2026-09-01T10:00:00Z"', '"2026-09-01T10:00:00+0500"', '"2026-09-01T10:00+05:00"',
    '"2026-09-01T10:00:00.5+05:00"', '"2026-09-01T10:00:00+15:00"', '"2026-09-01T10:00:00-14:59"',
    '"2026-02-29T10:00:00+05:00"', '"2026-09-31T10:00:00+05:00"', '"2026-09-01T24:00:00+05:00"',
    '"2026-09-02T05:59:59+05:00"', '"2026-09-02T06:00:00+05:00"', '"2026-08-31T18:00:00+05:00"',
    '"2026-08-31T17:59:59+05:00"', '"2026-09-01T00:00:00+14:00"', '"1999-09-01T10:00:00+05:00"',
]  # fmt: skip


def _mutated_object(fields: dict[str, Any], names: Sequence[str], values: Sequence[str], rng: Any) -> str:
    """``fields`` as one line of JSON the way an export writes it, half of the time changed: a field
    of ``names`` set to one of ``values`` (JSON as written) in its place or added where it was not,
    a field removed, repeated or moved, an unknown field added, the blanks around ``,`` and ``:``
    changed."""
    import json

    pairs = [(k, json.dumps(v, ensure_ascii=False)) for k, v in fields.items()]
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        change = rng.randrange(6)
        at = rng.randrange(len(pairs))
        if change <= 1:
            name = rng.choice(names)
            position = next((i for i, (k, _) in enumerate(pairs) if k == name), None)
            value = rng.choice(values)
            if position is None:
                pairs.insert(min(at, len(pairs)), (name, value))
            else:
                pairs[position] = (name, value)  # in its place: the fast path may take it
        elif change == 2:
            del pairs[at]
        elif change == 3:
            pairs.insert(rng.randrange(len(pairs) + 1), pairs[at])  # a repeated field
        elif change == 4:
            pairs.insert(rng.randrange(len(pairs) + 1), ("extra", '"x"'))
        else:
            pairs.insert(rng.randrange(len(pairs) + 1), pairs.pop(at))  # another order
    separators = rng.choice(((",", ":"), (",", ":"), (", ", ": "), (" ,", " :")))
    return "{" + separators[0].join(f'"{k}"{separators[1]}{v}' for k, v in pairs) + "}"


def _chat_lines(count: int, seed: int) -> list[str]:
    """Chatbot events as the export writes them, a half of them with a field set to a value of
    ``CHAT_VALUES``, removed, repeated or moved, an unknown field added or blanks changed."""
    import random

    rng = random.Random(seed)
    kinds: list[dict[str, Any]] = [
        {"event": "chat_started", "channel": "telegram", "user_id": "tg:4412", "phone": "8 (912) 345-67-89"},
        {"event": "message", "text": "Как встать на учёт? мой телефон +7 912 345-67-89"},
        {"event": "intent_recognised", "intent": "benefit_status", "confidence": 0.93},
        {"event": "fallback", "text": "а?", "confidence": 0.1},
        {"event": "handoff_to_operator", "phone": "+79123456789"},
        {"event": "resolved"},
        {"event": "rating", "rating": 4},
    ]
    out: list[str] = []
    for n in range(count):
        fields: dict[str, Any] = {
            "session_id": f"s-{n // 7:04d}",
            "seq": n % 7,
            "ts": f"2026-09-01T{8 + n % 12:02d}:{n % 60:02d}:00+05:00",
        }
        fields.update(kinds[n % len(kinds)])
        out.append(_mutated_object(fields, CHAT_FIELDS, CHAT_VALUES, rng))
    return out


def test_chatbot_lines_load_the_same_fast_and_slow(
    fresh_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every kind of valid and broken chatbot line: the fast path takes valid ones in the schema's
    order and the line parser reads the rest, with the same result."""
    landing = tmp_path / "landing"
    folder = landing / REGION / "chatbot"
    folder.mkdir(parents=True)
    _write_files(folder, {"chatbot_events-20260901.jsonl": ("\n".join(_chat_lines(3000, 29)) + "\n").encode()})
    counting = Counting(monkeypatch)
    start, end = _interval(DAY)
    share = _compare(fresh_db, "chatbot", landing, start, end, monkeypatch)
    # the bulk of the lines (the others: blanks before a separator, another order, an unknown field)
    assert counting.rows > 750
    assert share > 0.4


# Values a portal event field takes (JSON as written): other types, blanks, escapes, codes of other
# fields and of no seed, identifiers of every shape (other digits, lengths, separators), timestamps
# of every spelling, around the file's day (2026-09-01 in Asia/Yekaterinburg ± a day) and impossible.
PORTAL_VALUES = [
    "null", "true", "0", "1083749682", "[1]", "{}", '""', '" "', '"0"', '"1083749682"', '" 1083749682"',
    '"١٢٣٤٥"', '"123456789012345678901"', '"a\\u0041"', '"ё"', '"tab\\there"', '"x' + "y" * 200 + '"',
    '"' + "z" * 200 + '"', '" RR-1 "', '"\u00a0RR-2"', '"0f8fad5b-d9cb-469f-a165-70867728950e"',
    '"esia_login"', '"application_submitted"', '"application_status_changed"', '"appointment_booked"',
    '"password_reset"', '"citizen"', '"employer"', '"Citizen"', '"submitted"', '"approved"', '"lost"',
    '"job_search"', '"training"', '"cooking"', '"ens-02"', '"ens-99"', '"youth"', '"employer"', '"retired"',
    '"64863388649"', '"659-718-593 70"', '"659718593-70"', '"659-718-593  70"', '"6486338864"', '"659 718 593 70"',
    '"+7 (908) 136-56-00"', '"+79535326887"', '"89535326887"', '"+7 908"', '"8.913.456.78.90"', '"+7 (908) 136-56-0٠"',
    '"ivan@example.ru"', '"Ivan.Petrov@bk.ru"', '"ivan@example"', '"ivan @example.ru"', '"иван@пример.рф"', '"a@b@c.d"',
    '"6622956177"', '"662295617712"', '"66229561771"', '"1056607190970"', '"305660719097012"', '"10566071909701"',
    '"2026-09-01T10:00:00+05:00"', '"2026-09-01 10:00:00+05:00"', '"2026-09-01T10:00:00"', '"2026-09-01T10:00:00Z"',
    '"2026-09-01T10:00:00+0500"', '"2026-09-01T10:00+05:00"', '"2026-09-01T10:00:00.5+05:00"',
    '"2026-09-01T10:00:00+15:00"', '"2026-09-01T10:00:00-14:59"', '"2026-02-29T10:00:00+05:00"',
    '"2026-09-31T10:00:00+05:00"', '"2026-09-01T24:00:00+05:00"', '"2026-09-02T23:59:59+05:00"',
    '"2026-09-03T00:00:00+05:00"', '"2026-08-31T00:00:00+05:00"', '"2026-08-30T23:59:59+05:00"',
    '"2026-08-30T22:00:00+03:00"', '"2026-09-02T21:59:59-00:00"', '"1999-09-01T10:00:00+05:00"',
    '"2027-09-02T09:59:59+05:00"', '"2027-09-02T10:00:00+05:00"', '"2027-09-03T10:00:00+05:00"',
    '"2026-09-01T09:59:59+05:00"', '"2026-09-01T05:00:00Z"', '"2101-01-01T00:00:00Z"', "1788240001",
]  # fmt: skip


def _portal_lines(count: int, seed: int) -> list[str]:
    """Portal events as the export writes them, a half of them with a field set to a value of
    ``PORTAL_VALUES``, removed, repeated or moved, an unknown field added or blanks changed."""
    import random

    rng = random.Random(seed)
    kinds: list[dict[str, Any]] = [
        {"event_type": "esia_login", "user_type": "citizen", "metrica_client_id": "1754811337303934323"},
        {"event_type": "esia_login", "user_type": "employer", "metrica_client_id": "0"},
        {
            "event_type": "application_submitted",
            "user_type": "citizen",
            "metrica_client_id": "1757823093125603673",
            "snils": "659-718-593 70",
            "phone": "+7 (908) 136-56-00",
            "email": "ivan.petrov@bk.ru",
            "application_id": "RR-2026-3085765",
            "application_type": "social_contract",
            "status": "submitted",
            "office_id": "ens-02",
            "client_group": "low_income",
        },
        {
            "event_type": "application_submitted",
            "user_type": "employer",
            "phone": "+79535326887",
            "inn": "6622956177",
            "ogrn": "1056607190970",
            "application_id": "RR-2026-2315908",
            "application_type": "mass_hiring",
            "status": "submitted",
            "office_id": "ens-01",
        },
        {
            "event_type": "application_submitted",
            "user_type": "employer",
            "inn": "662295617712",
            "ogrn": "305660719097012",
            "application_id": "RR-2026-2315909",
            "application_type": "vacancy_posting",
            "status": "submitted",
        },
        {
            "event_type": "application_status_changed",
            "user_type": "citizen",
            "application_id": "RR-2026-3403573",
            "application_type": "job_search",
            "status": "accepted",
            "office_id": "ens-04",
        },
        {
            "event_type": "appointment_booked",
            "user_type": "citizen",
            "application_id": "RR-2026-2002630",
            "application_type": "training",
            "office_id": "ens-02",
            "appointment_at": "2026-09-04T09:15:00+05:00",
        },
    ]
    out: list[str] = []
    for n in range(count):
        kind = dict(kinds[n % len(kinds)])
        fields = {
            "event_id": f"ev-{n:05d}" if n % 3 else f"0f8fad5b-d9cb-469f-a165-{n:012d}",
            "event_type": kind.pop("event_type"),
            "occurred_at": f"2026-09-{1 + n % 2:02d}T{n % 24:02d}:{n % 60:02d}:00+05:00",
            "user_type": kind.pop("user_type"),
            "esia_id": str(1_000_000_000 + n % 97),
        }
        fields.update(kind)
        out.append(_mutated_object(fields, (*PORTAL_REQUIRED, *PORTAL_OPTIONAL), PORTAL_VALUES, rng))
    return out


def test_portal_lines_load_the_same_fast_and_slow(
    fresh_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every kind of valid and broken portal event: the fast path takes valid ones in the schema's
    order and the line parser reads the rest, with the same result."""
    landing = tmp_path / "landing"
    folder = landing / REGION / "website"
    folder.mkdir(parents=True)
    lines = _portal_lines(3000, 31)
    _write_files(
        folder,
        {
            "portal_events-20260901.jsonl": ("\n".join(lines[:1500]) + "\n").encode(),
            "portal_events-20260902.jsonl": ("\n".join(lines[1500:]) + "\n").encode(),
        },
    )
    counting = Counting(monkeypatch)
    start, _ = _interval(DAY)
    _, end = _interval(DAY + timedelta(days=1))
    share = _compare(fresh_db, "website", landing, start, end, monkeypatch)
    # the bulk of the lines (the others: blanks before a separator, another order, an unknown field)
    assert counting.rows > 750
    assert share > 0.4


_SURVEY_HEAD = "response_id,channel,touchpoint_id,responded_at,csat,ces,nps,comment,phone,esia_id,ticket_id,office_id"
SURVEY_EDGE_LINES = [
    _SURVEY_HEAD,
    "SR-1,office,office_window,2026-09-01 12:30:00,4,,,Всё хорошо,,,А-1,ens-02",
    'SR-2,office,office_window,2026-09-01 12:31:00,4,5,,"Долго, но вежливо",+7 912 345-67-89,,,',
    'SR-3,office,office_window,2026-09-01 12:32:00,4,,,"",,,,',
    'SR-4,office,office_window,2026-09-01 12:33:00,4,,," с пробелами ",,,,',
    'SR-5,office,office_window,2026-09-01 12:34:00,4,,,"с ""кавычками""",,,,',
    'SR-6,office,office_window,2026-09-01 12:35:00,4,,,не"так",,,,',
    '"SR-7",office,office_window,2026-09-01T12:36:00+05:00,4,,,,,1234567890,,',
    "SR-8,office,office_window,2026-09-01 12:37:00,,,,без оценки,,,,",
    "SR-9,office,office_window,2026-09-01 12:38:00,05,,10,,,,,",
    "SR-10,office,office_window,2026-09-01 12:39:00,4,,11,,,,,",
    "SR-11,office,office_window,2026-09-01 12:40:00,4,,,,,12a,,",
    "SR-12,office,office_window,2026-09-01 12:41:00,4,,,,,,А-1,",
    "SR-13,office,office_window,2026-09-01 12:42:00,4,,,,,,, ens-02",
    "SR-14,office,office_window,01.09.2026 12:43:00,4,,,,,,,",
    "SR-15,office,office_window,2026-09-02 06:00:00,4,,,,,,,",
    "SR-16,office,nowhere,2026-09-01 12:44:00,4,,,,,,,",
    ",office,office_window,2026-09-01 12:45:00,4,,,,,,,",
    "SR-18,office,office_window,2026-09-01 12:46:00,4,,,мой снилс 112-233-445 95,,,,",
    "SR-19,office,office_window,2026-09-01 12:47:00,4,,,,,,",
    "",
    "SR-21;office;office_window;2026-09-01 12:48:00;4;;;;;;;",
]


@pytest.mark.parametrize("name", ["comma", "semicolon-cp1251", "multi-line-comment", "columns-in-another-order"])
def test_survey_lines_load_the_same_fast_and_slow(
    name: str, fresh_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Survey CSV lines of every kind: plain and quoted cells (a separator or doubled quotes inside,
    blanks), scores and codes at and past their limits, other spellings; a file where a quoted
    comment spans two lines is read line by line (nothing taken fast)."""
    lines = list(SURVEY_EDGE_LINES)
    encoding = "utf-8"
    if name == "semicolon-cp1251":
        lines = [line.replace(",", ";") for line in lines]
        encoding = "cp1251"
    elif name == "multi-line-comment":
        lines[3:3] = ['SR-22,office,office_window,2026-09-01 12:49:00,4,,,"на две', 'строки",,,,']
    elif name == "columns-in-another-order":
        order = [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
        lines = [",".join(line.split(",")[k] for k in order) if line.count(",") == 11 else line for line in lines]
    landing = tmp_path / "landing"
    folder = landing / REGION / "surveys"
    folder.mkdir(parents=True)
    _write_files(folder, {"survey_responses-20260901.csv": ("\n".join(lines) + "\n").encode(encoding, "replace")})
    counting = Counting(monkeypatch)
    start, end = _interval(DAY)
    _compare(fresh_db, "surveys", landing, start, end, monkeypatch)
    assert (counting.rows > 0) is (name != "multi-line-comment")
