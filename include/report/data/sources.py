"""The sources mart ``dim_sources`` (seed ``sources``): how the pages name a source, the ingest
source that loads it and the channel of its events.

Every name of a source or a channel that a page lists comes from here, so a source added to the
seed shows on the pages with its own names and no change to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from include.report.data.convert import Row, as_int


@dataclass(frozen=True)
class Source:
    source_id: str
    name: str
    ingest_source: str
    ingest_source_name: str
    channel: str | None
    channel_name: str | None
    sort_order: int | None


def source_of(row: Row) -> Source:
    return Source(
        source_id=row["source_id"],
        name=row["source_name_ru"],
        ingest_source=row["ingest_source"],
        ingest_source_name=row["ingest_source_name_ru"],
        channel=row.get("channel") or None,
        channel_name=row.get("channel_name_ru") or None,
        sort_order=as_int(row.get("sort_order")),
    )


def ingest_source_names(sources: list[Source]) -> dict[str, str]:
    """ingest source → its name (data freshness lists ingest sources)."""
    return {s.ingest_source: s.ingest_source_name for s in sources}


def channel_names(sources: list[Source]) -> dict[str, str]:
    """channel → its name, for the channels the sources' events are in."""
    return {s.channel: s.channel_name for s in sources if s.channel and s.channel_name}
