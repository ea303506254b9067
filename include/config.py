"""The working group's configuration (dbt seeds) as the connectors need it.

The seeds in ``dbt/seeds`` are the one place where offices, call queues and code lists are
defined; the connectors read the same files to validate codes and to convert office local time
to UTC, so a new office or queue is added in one place.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from include import settings


@dataclass(frozen=True)
class Office:
    office_id: str
    region_id: str
    name_ru: str
    timezone: ZoneInfo


@dataclass(frozen=True)
class RegionConfig:
    region_id: str
    name_ru: str
    timezone: ZoneInfo
    offices: dict[str, Office] = field(default_factory=dict)
    queues: dict[str, str] = field(default_factory=dict)  # queue_name -> office_id
    call_topics: frozenset[str] = frozenset()
    office_services: frozenset[str] = frozenset()
    touchpoints: frozenset[str] = frozenset()
    application_types: frozenset[str] = frozenset()
    chatbot_intents: frozenset[str] = frozenset()
    client_groups: frozenset[str] = frozenset()


class UnknownRegionError(KeyError):
    pass


def _read_seed(seeds_dir: Path, name: str) -> list[dict[str, str]]:
    with (seeds_dir / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=16)
def _load(seeds_dir: Path) -> dict[str, RegionConfig]:
    topics = frozenset(row["topic_code"] for row in _read_seed(seeds_dir, "call_topics"))
    services = frozenset(row["service_code"] for row in _read_seed(seeds_dir, "office_services"))
    touchpoints = frozenset(row["touchpoint_id"] for row in _read_seed(seeds_dir, "touchpoints"))
    application_types = frozenset(r["application_type"] for r in _read_seed(seeds_dir, "application_types"))
    intents = frozenset(row["intent"] for row in _read_seed(seeds_dir, "chatbot_intents"))
    client_groups = frozenset(row["client_group"] for row in _read_seed(seeds_dir, "client_groups"))
    regions: dict[str, RegionConfig] = {}
    for row in _read_seed(seeds_dir, "regions"):
        regions[row["region_id"]] = RegionConfig(
            region_id=row["region_id"],
            name_ru=row["region_name_ru"],
            timezone=ZoneInfo(row["timezone"]),
            call_topics=topics,
            office_services=services,
            touchpoints=touchpoints,
            application_types=application_types,
            chatbot_intents=intents,
            client_groups=client_groups,
        )
    for row in _read_seed(seeds_dir, "offices"):
        region = regions[row["region_id"]]
        region.offices[row["office_id"]] = Office(
            office_id=row["office_id"],
            region_id=row["region_id"],
            name_ru=row["office_name_ru"],
            timezone=ZoneInfo(row["timezone"]),
        )
    for row in _read_seed(seeds_dir, "call_queues"):
        regions[row["region_id"]].queues[row["queue_name"]] = row["office_id"]
    return regions


def regions(seeds_dir: Path | None = None) -> dict[str, RegionConfig]:
    return _load((seeds_dir or settings.SEEDS_DIR).resolve())


def region(region_id: str, seeds_dir: Path | None = None) -> RegionConfig:
    try:
        return regions(seeds_dir)[region_id]
    except KeyError:
        raise UnknownRegionError(
            f"region {region_id!r} is not in dbt/seeds/regions.csv; add it there before loading its files"
        ) from None
