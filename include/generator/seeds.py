"""Region definition read from the committed dbt seeds.

The generator never invents an office id, a queue name, a topic code or a service code: all of
them come from ``dbt/seeds`` (``include.settings.SEEDS_DIR``). The first office of a region in
``offices.csv`` is its central office.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from include.settings import SEEDS_DIR


@dataclass(frozen=True)
class Office:
    """One ЦЗН office of the region (a row of ``offices.csv``)."""

    office_id: str
    name_ru: str
    timezone: str
    windows: int
    index: int  # position among the generated offices, 0 = central office


@dataclass(frozen=True)
class Queue:
    """One call-centre queue (a row of ``call_queues.csv``) and the office it belongs to."""

    queue_name: str
    office: Office

    @property
    def is_central(self) -> bool:
        """The central office's queue takes the overflow of the others."""
        return self.office.index == 0


@dataclass(frozen=True)
class RegionSpec:
    """Everything the generator needs to know about one region."""

    region_id: str
    name_ru: str
    timezone: str
    offices: tuple[Office, ...]
    queues: tuple[Queue, ...]
    topics: tuple[tuple[str, str], ...]  # (topic_code, topic_name_ru)
    services: tuple[str, ...]  # service codes


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_region(region_id: str, n_offices: int, seeds_dir: Path = SEEDS_DIR) -> RegionSpec:
    """Read the region, its first ``n_offices`` offices and their queues from the seeds."""
    regions = [r for r in _read_csv(seeds_dir / "regions.csv") if r["region_id"] == region_id]
    if not regions:
        raise ValueError(f"region {region_id!r} is not in {seeds_dir / 'regions.csv'}")
    rows = [r for r in _read_csv(seeds_dir / "offices.csv") if r["region_id"] == region_id]
    if not 1 <= n_offices <= len(rows):
        raise ValueError(f"offices must be between 1 and {len(rows)} for region {region_id!r}")
    offices = tuple(
        Office(r["office_id"], r["office_name_ru"], r["timezone"], int(r["windows"]), i)
        for i, r in enumerate(rows[:n_offices])
    )
    return RegionSpec(
        region_id=region_id,
        name_ru=regions[0]["region_name_ru"],
        timezone=regions[0]["timezone"],
        offices=offices,
        queues=_queues_for(offices, region_id, seeds_dir),
        topics=tuple((r["topic_code"], r["topic_name_ru"]) for r in _read_csv(seeds_dir / "call_topics.csv")),
        services=tuple(r["service_code"] for r in _read_csv(seeds_dir / "office_services.csv")),
    )


def _queues_for(offices: tuple[Office, ...], region_id: str, seeds_dir: Path) -> tuple[Queue, ...]:
    by_office: dict[str, str] = {}
    for row in _read_csv(seeds_dir / "call_queues.csv"):
        if row["region_id"] == region_id:
            by_office.setdefault(row["office_id"], row["queue_name"])
    missing = [o.office_id for o in offices if o.office_id not in by_office]
    if missing:
        raise ValueError(f"no call queue in call_queues.csv for offices {missing}")
    return tuple(Queue(by_office[o.office_id], o) for o in offices)
