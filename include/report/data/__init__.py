"""Read the published marts the pages are built from (every region in one consistent snapshot).

The KPI marts (``dim_kpis``, ``dim_offices``, ``dim_touchpoints``, ``dim_call_queues``,
``fct_touchpoint_kpis``, ``fct_kpi_profiles``) are required. The journey marts (``dim_journeys``,
``dim_journey_stages``, ``journey_map``, ``fct_stage_funnel``, ``pain_points``,
``improvement_effects``, ``client_group_profiles``, ``fct_data_freshness``) are read when
published; a missing one is reported on the pages («ещё не рассчитано») instead of failing.
A table with a ``region_id`` column is filtered by region; one with only ``office_id`` keeps
the rows of the region's offices and the rows without an office; any other is region-wide.

``dim_sources`` (the names of sources and of the channels of their events) is read when
published; without it the pages show the codes.

One module per family of marts: :mod:`.kpi`, :mod:`.journeys`, :mod:`.effects` (pain points,
effects of measures, freshness), :mod:`.sources`; :mod:`.marts` reads them all for a region;
:mod:`.modelling` reads the modelling results for the page «Моделирование мер»; :mod:`.convert`
turns column values into Python values.
"""

from __future__ import annotations

from include.report.data.effects import (
    Action,
    Effect,
    Freshness,
    JourneyPain,
    PainPoint,
    best_actions,
)
from include.report.data.journeys import (
    Feedback,
    FeedbackTheme,
    Funnel,
    GroupProfile,
    Journey,
    MapRow,
    MapTouchpoint,
    StageDef,
    StageKpi,
    StageMeasure,
    StagePain,
    current_journeys,
)
from include.report.data.kpi import (
    ALL_TOUCHPOINTS,
    STAFF_GROUP,
    Kpi,
    KpiRow,
    Office,
    Queue,
    Touchpoint,
)
from include.report.data.marts import (
    JOURNEY_TABLES,
    Marts,
    load_site_marts,
    regions_of,
)

__all__ = [
    "ALL_TOUCHPOINTS",
    "JOURNEY_TABLES",
    "STAFF_GROUP",
    "Action",
    "Effect",
    "Feedback",
    "FeedbackTheme",
    "Freshness",
    "Funnel",
    "GroupProfile",
    "Journey",
    "JourneyPain",
    "Kpi",
    "KpiRow",
    "MapRow",
    "MapTouchpoint",
    "Marts",
    "Office",
    "PainPoint",
    "Queue",
    "StageDef",
    "StageKpi",
    "StageMeasure",
    "StagePain",
    "Touchpoint",
    "best_actions",
    "current_journeys",
    "load_site_marts",
    "regions_of",
]
