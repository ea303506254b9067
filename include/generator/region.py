"""Orchestration: stream the region day by day into files and write the manifest.

Only about two days of call-centre lines are held in memory at a time (a day's lines are
written once the next day has been simulated, because a queue in another time zone than the
region can spill into the neighbouring region-local day); office files are written as soon as
their day is simulated. Every random stream is seeded from ``(seed, stream, entity, day)``, so
the same arguments always give byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np

from include.generator import callcentre as cc
from include.generator import noise as nz
from include.generator.office import HEADER, simulate_office_day
from include.generator.phones import pool_size
from include.generator.schedule import (
    CALL_WEEKLY,
    DAY,
    iso_local,
    local_date_of,
    local_midnight_epoch,
    office_hours,
    offset_text,
    period_days,
    queue_hours,
    utc_offset,
)
from include.generator.seeds import Office, RegionSpec, load_region

VERSION = 1
TOPICS_HEADER = ["call_id", "topic_code", "topic_name", "resolution", "wrapup_at"]
CP1251_OFFICE_INDEX = 2
# random stream ids
S_OFFICE, S_CALLS, S_AGENTS, S_CALL_NOISE, S_LOG_NOISE, S_OFFICE_NOISE, S_PLAN = range(1, 8)


def _rng(seed: int, stream: int, entity: int, day: dt.date | None = None) -> np.random.Generator:
    return np.random.default_rng([seed, stream, entity, day.toordinal() if day else 0])


def _csv_text(rows: list[list[str]], sep: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


class RegionGenerator:
    """Writes one synthetic region; ``run()`` returns the manifest."""

    def __init__(
        self,
        spec: RegionSpec,
        out_dir: Path,
        *,
        seed: int,
        scale: float,
        noise: bool,
        days: list[dt.date],
        progress: Callable[[str], None] | None,
    ) -> None:
        self.spec = spec
        self.seed = seed
        self.scale = scale
        self.noise = noise
        self.days = days
        self.root = out_dir / spec.region_id
        self.progress = progress
        self.pool = pool_size(scale)
        self.seq = 10_000
        self.pending: dict[dt.date, list[cc.Line]] = {}
        self.pending_topics: dict[dt.date, list[cc.TopicRow]] = {}
        self.files: list[dict[str, Any]] = []
        self.noise_items: list[nz.NoiseItem] = []
        self.counts = dict.fromkeys(("queue_log_lines", "calls", "topic_rows", "tickets"), 0)
        self.noise_plan = self._noise_plan() if noise else nz.NoisePlan()

    # ----------------------------------------------------------------- files

    def _write(self, rel: str, text: str, encoding: str = "utf-8") -> int:
        data = text.encode(encoding)
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
        self.files.append({"path": rel, "sha256": hashlib.sha256(data).hexdigest(), "lines": lines})
        return lines

    def _remove_previous_output(self) -> None:
        manifest = self.root / "manifest.json"
        if not manifest.exists():
            return
        previous = json.loads(manifest.read_text(encoding="utf-8"))
        if previous.get("generator") != "include.generator":
            return
        for entry in previous.get("files", []):
            (self.root / entry["path"]).unlink(missing_ok=True)
        manifest.unlink()

    # --------------------------------------------------------------- offices

    def _noise_plan(self) -> nz.NoisePlan:
        call_days = [d.isoformat() for d in self.days if any(queue_hours(d, q.is_central) for q in self.spec.queues)]
        office_days = [
            (o.office_id, d.isoformat())
            for d in self.days
            for o in self.spec.offices
            if office_hours(d, o.index == 0) is not None
        ]
        return nz.make_plan(_rng(self.seed, S_PLAN, 0), call_days, office_days)

    def _office_day(self, office: Office, day: dt.date) -> None:
        if office_hours(day, office.index == 0) is None:
            return
        pain = office.index == 1 and day.isoweekday() == 1
        rows = simulate_office_day(
            _rng(self.seed, S_OFFICE, office.index, day),
            office,
            day,
            scale=self.scale,
            pain=pain,
            services=self.spec.services,
            pool=self.pool,
            seed=self.seed,
        )
        rel = f"office_visits/{office.office_id}/eq_{office.office_id}_{day:%Y%m%d}.csv"
        kinds = self.noise_plan.office.get((office.office_id, day.isoformat()))
        if kinds:
            noise_rng = _rng(self.seed, S_OFFICE_NOISE, office.index, day)
            rows, items = nz.office_rows(rows, kinds, noise_rng, rel)
            self.noise_items.extend(items)
        cp1251 = office.index == CP1251_OFFICE_INDEX
        text = _csv_text([HEADER, *rows], ";" if cp1251 else ",")
        self._write(rel, text, "cp1251" if cp1251 else "utf-8")
        self.counts["tickets"] += len(rows)

    # ----------------------------------------------------------- call centre

    def _queue_days(self, day: dt.date) -> list[cc.QueueDay]:
        result = []
        for queue in self.spec.queues:
            hours = queue_hours(day, queue.is_central)
            if hours is None:
                continue
            volume = cc.CALLS_CENTRAL if queue.is_central else cc.CALLS_LOCAL
            result.append(cc.QueueDay(
                queue, local_midnight_epoch(day, queue.office.timezone), hours,
                volume * self.scale * CALL_WEEKLY[day.isoweekday()], queue.is_central,
            ))  # fmt: skip
        return result

    def _areas(self, rng: np.random.Generator, queue_day: cc.QueueDay, n: int) -> np.ndarray:
        own = queue_day.queue.office.index
        if not queue_day.queue.is_central:
            return np.full(n, own)
        others = rng.integers(0, len(self.spec.offices), n)
        return np.where(rng.random(n) < 0.5, own, others)

    def _draw_queue(self, day: dt.date, qd: cc.QueueDay) -> tuple[list[int], cc.CallDraws, list[str | None]]:
        """Arrival epochs, per-call attributes and noise tags of one queue-day."""
        index = qd.queue.office.index
        rng = _rng(self.seed, S_CALLS, index, day)
        times = cc.arrivals(rng, qd).tolist()
        areas = self._areas(rng, qd, len(times))
        draws = cc.draw_calls(rng, len(times), areas, self.spec.topics, day.isoweekday(), self.pool, self.seed)
        if not self.noise:
            return times, draws, [None] * len(times)
        return times, draws, nz.call_tags(_rng(self.seed, S_CALL_NOISE, index, day), len(times))

    def _calls(self, day: dt.date, queue_days: list[cc.QueueDay]) -> list[list[tuple]]:
        """Calls of every open queue (see ``callcentre.Call``), numbered in order of arrival."""
        drawn = [self._draw_queue(day, qd) for qd in queue_days]
        order = sorted((t, q, k) for q, (times, _, _) in enumerate(drawn) for k, t in enumerate(times))
        seqs: list[list[int]] = [[0] * len(times) for times, _, _ in drawn]
        for rank, (_, q, k) in enumerate(order):
            seqs[q][k] = self.seq + 2 * rank  # odd numbers are the agents' channels
        self.seq += 2 * len(order) + 2
        result = []
        for q, (times, d, tags) in enumerate(drawn):
            attributes = zip(
                d.caller, d.patience, d.talk, d.wrap, d.ring, d.end, d.rna, d.topic, d.resolution, strict=True
            )
            result.append([
                (t, f"{t}.{s}", *row, tag, s + 1)
                for t, s, tag, row in zip(times, seqs[q], tags, attributes, strict=True)
            ])  # fmt: skip
        return result

    def _call_day(self, day: dt.date) -> None:
        queue_days = self._queue_days(day)
        calls = self._calls(day, queue_days)
        offset = utc_offset(day, self.spec.timezone)
        offset_str = offset_text(offset)
        run = cc.QueueRun([], [], None, lambda ep: iso_local(ep, offset, offset_str), self.spec.topics)
        overflow: list[tuple] = []
        # office queues first: their timed-out callers overflow into the central queue
        for qd, queue_calls in sorted(zip(queue_days, calls, strict=True), key=lambda x: x[0].queue.is_central):
            index = qd.queue.office.index
            if qd.queue.is_central:
                queue_calls = sorted(queue_calls + overflow, key=itemgetter(0))
                run.overflow = None
            else:
                run.overflow = overflow
            plan = cc.plan_agents(_rng(self.seed, S_AGENTS, index, day), qd)
            cc.run_queue(queue_calls, qd.queue.queue_name, plan, run)
            agent_rng = _rng(self.seed, S_AGENTS, 100 + index, day)
            run.lines.extend(cc.agent_lines(agent_rng, plan, qd.queue.queue_name))
        self._bucket(day, run.lines, self.pending)
        self._bucket(day, run.topics, self.pending_topics)

    def _bucket(self, day: dt.date, entries: list, target: dict[dt.date, list]) -> None:
        """File entries under the region-local date of their epoch."""
        start = local_midnight_epoch(day, self.spec.timezone)
        today = target.setdefault(day, [])
        for entry in entries:
            if start <= entry[0] < start + DAY:
                today.append(entry)
            else:
                target.setdefault(local_date_of(entry[0], self.spec.timezone), []).append(entry)

    def _flush(self, day: dt.date) -> None:
        lines = sorted(self.pending.pop(day, []), key=itemgetter(0))
        topics = sorted(self.pending_topics.pop(day, []), key=itemgetter(0))
        start_epoch = local_midnight_epoch(day, self.spec.timezone) + 6 * 3600
        if lines:
            start_epoch = min(start_epoch, lines[0][0])
        lines.insert(0, (start_epoch, f"{start_epoch}|NONE|NONE|NONE|QUEUESTART|||", None))
        rel = f"call_centre/queue_log-{day:%Y%m%d}"
        rng = _rng(self.seed, S_LOG_NOISE, 0, day) if self.noise else None
        text, items, count = nz.queue_log_text(
            lines,
            rel,
            rng,
            self.spec.queues[0].queue_name,
            unknown=day.isoformat() in self.noise_plan.unknown_days,
            truncate=day.isoformat() in self.noise_plan.truncated_days,
        )
        self._write(rel, text)
        self.noise_items.extend(items)
        self.counts["queue_log_lines"] += count
        self.counts["calls"] += sum(1 for _, t, _ in lines if "|ENTERQUEUE|" in t)
        if topics:  # the CRM exports nothing for a day without calls
            rows = [TOPICS_HEADER, *(row for _, row in topics)]
            self._write(f"call_centre/call_topics-{day:%Y%m%d}.csv", _csv_text(rows, ","))
            self.counts["topic_rows"] += len(topics)

    # ------------------------------------------------------------------- run

    def run(self) -> dict[str, Any]:
        """Generate every day, then write and return the manifest."""
        self._remove_previous_output()
        for i, day in enumerate(self.days):
            for office in self.spec.offices:
                self._office_day(office, day)
            self._call_day(day)
            if i > 0:
                self._flush(self.days[i - 1])
            if self.progress and ((i + 1) % 7 == 0 or i + 1 == len(self.days)):
                self.progress(self._progress_line(i, day))
        self._flush(self.days[-1])
        return self._manifest()

    def _progress_line(self, i: int, day: dt.date) -> str:
        events = self.counts["queue_log_lines"] + self.counts["tickets"]
        return (
            f"week {i // 7 + 1}: up to {day.isoformat()} — {events:,} events "
            f"({self.counts['queue_log_lines']:,} queue_log lines, {self.counts['tickets']:,} tickets)"
        )

    def _manifest(self) -> dict[str, Any]:
        manifest = {
            "generator": "include.generator",
            "version": VERSION,
            "seed": self.seed,
            "region_id": self.spec.region_id,
            "region_name_ru": self.spec.name_ru,
            "timezone": self.spec.timezone,
            "start_date": self.days[0].isoformat(),
            "end_date": self.days[-1].isoformat(),
            "offices": [o.office_id for o in self.spec.offices],
            "queues": [{"queue_name": q.queue_name, "office_id": q.office.office_id} for q in self.spec.queues],
            "windows_cp1251_office": (
                self.spec.offices[CP1251_OFFICE_INDEX].office_id
                if len(self.spec.offices) > CP1251_OFFICE_INDEX else None
            ),
            "planted_pain_points": pain_points(self.spec),
            "noise": sorted(self.noise_items, key=itemgetter("file", "line_no")),
            "files": sorted(self.files, key=itemgetter("path")),
            "counts": {**self.counts, "events_total": self.counts["queue_log_lines"] + self.counts["tickets"]},
        }  # fmt: skip
        text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        (self.root / "manifest.json").write_text(text, encoding="utf-8")
        return manifest


def pain_points(spec: RegionSpec) -> list[dict[str, Any]]:
    """The planted pain points of the region, as written to the manifest."""
    central = spec.queues[0]
    points: list[dict[str, Any]] = []
    if len(spec.offices) >= 2:
        office = spec.offices[1]
        points.append({
            "id": "office_monday_queue",
            "source": "office_visits",
            "kpi_id": "office_wait_walkin",
            "office_id": office.office_id,
            "queue_name": None,
            "touchpoint_id": "office_queue",
            "condition": {"weekday": 1},
            "description_ru": (
                f"{office.name_ru}: по понедельникам работает половина окон при повышенном потоке, "
                "посетители без записи ждут вызова 30–90 минут"
            ),
        })  # fmt: skip
    points.append({
        "id": "central_queue_morning_understaffing",
        "source": "call_centre",
        "kpi_id": "call_abandon_rate",
        "office_id": central.office.office_id,
        "queue_name": central.queue_name,
        "touchpoint_id": "call_centre_operator",
        "condition": {"hours_local": [cc.PAIN_HOURS[0], cc.PAIN_HOURS[1]]},
        "description_ru": (
            f"Линия {central.queue_name} ({central.office.name_ru}): с 8 до 12 часов не хватает "
            "операторов, 30–45 % утренних звонков теряются"
        ),
    })  # fmt: skip
    return points


def generate_region(
    out_dir: Path,
    *,
    seed: int = 42,
    offices: int = 4,
    months: int = 2,
    scale: float = 1.0,
    start: dt.date = dt.date(2026, 9, 1),
    region_id: str = "enskaya",
    noise: bool = True,
    progress: Callable[[str], None] | None = None,
    days: int | None = None,
) -> dict[str, Any]:
    """Write a synthetic region's call-centre and office exports under ``out_dir/<region_id>``.

    ``days``, when given, overrides ``months`` (short periods for tests). Returns the manifest,
    which is also written to ``out_dir/<region_id>/manifest.json``.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    spec = load_region(region_id, offices)
    generator = RegionGenerator(
        spec, Path(out_dir), seed=seed, scale=scale, noise=noise,
        days=period_days(start, months, days), progress=progress,
    )  # fmt: skip
    return generator.run()
