"""Day buckets for the event feeds and the truth rows, and the clock of one region-local day.

Every event is filed under the region-local day of its time, so a day's file can be written as
soon as that day has been simulated; an event may be filed for a later day (a survey answered
the next morning). ``Feed.take`` returns a day's lines ordered by time, keeping the order of
insertion for equal times (the order of a chat session's events).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from include.generator.schedule import (
    DAY,
    clock_text,
    iso_local,
    local_midnight_epoch,
    local_timestamp,
    offset_text,
    utc_offset,
)

MOSCOW_OFFSET = 3 * 3600  # «Работа России» is a federal system and writes Moscow time


def json_line(record: dict[str, Any]) -> str:
    """One JSON line as the exporting systems write it (UTF-8, no spaces)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


class Feed:
    """Lines of one source, bucketed by region-local day (ordinal) and ordered by time."""

    def __init__(self) -> None:
        self.days: dict[int, list[tuple[int, str]]] = {}

    def add(self, ordinal: int, epoch: int, text: str) -> None:
        self.days.setdefault(ordinal, []).append((epoch, text))

    def take(self, ordinal: int) -> list[str]:
        return [text for _, text in sorted(self.days.pop(ordinal, []), key=itemgetter(0))]


Tag = tuple[str, str, str]  # (journey run id, journey id, stage id)


class Truth:
    """``source,event_key,client_id`` rows, bucketed by the day of the file the event is in, and the
    journey tags of events: which run of which journey an event shows at which stage.

    A tag is written only where the export carries the stage's evidence (the call's wrap-up topic,
    the page's URL, the case event's type…), so the truth says what a perfect reading of the data
    would find. ``current`` tags the events written while it is set (see ``DayContext.tagged``).
    """

    def __init__(self) -> None:
        self.days: dict[int, list[str]] = {}
        self.tags: list[tuple[str, str, str, str, str]] = []
        self.current: tuple[Tag, ...] = ()

    def add(self, ordinal: int, source: str, key: str, client_id: str, tags: tuple[Tag, ...] | None = None) -> None:
        self.days.setdefault(ordinal, []).append(f"{source},{key},{client_id}")
        self.tag(source, key, self.current if tags is None else tags)

    def tag(self, source: str, key: str, tags: tuple[Tag, ...]) -> None:
        self.tags.extend((source, key, *tag) for tag in tags)

    def take(self, ordinal: int) -> list[str]:
        return self.days.pop(ordinal, [])


@dataclass(frozen=True)
class Clock:
    """Times of one region-local day: epochs, ISO texts with the region's or Moscow's offset."""

    day: dt.date
    ordinal: int
    midnight: int  # UTC epoch of local 00:00
    offset: int
    offset_str: str
    date_text: str  # YYYY-MM-DD

    @classmethod
    def of(cls, day: dt.date, tz: str) -> Clock:
        offset = utc_offset(day, tz)
        return cls(day, day.toordinal(), local_midnight_epoch(day, tz), offset, offset_text(offset), day.isoformat())

    def epoch(self, local_seconds: int) -> int:
        return self.midnight + local_seconds

    def iso(self, epoch: int) -> str:
        return iso_local(epoch, self.offset, self.offset_str)

    def iso_moscow(self, epoch: int) -> str:
        return iso_local(epoch, MOSCOW_OFFSET, "+03:00")

    def local(self, epoch: int) -> str:
        """``YYYY-MM-DD HH:MM:SS`` in the region's time."""
        seconds = epoch - self.midnight
        if 0 <= seconds < DAY:
            return f"{self.date_text} {clock_text(seconds)}"
        return local_timestamp(self.day, seconds)

    def ordinal_of(self, epoch: int) -> int:
        """Region-local day (ordinal) of an epoch near this day."""
        return self.ordinal + (epoch - self.midnight) // DAY
