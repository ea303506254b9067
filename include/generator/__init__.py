"""Synthetic region generator: a realistic region's exports of every source in their real formats.

``generate_region()`` builds one population of clients for the first N offices of a region in
``dbt/seeds`` (citizens and employers with phones, SNILS, ESIA ids, cookies…), lets them follow
the client journeys as state machines (``journeys.py``, ``steps/``) and writes what every
source system would export, per local day (formats: ``include/connectors/FORMATS.md``): the call
centre's Asterisk ``queue_log`` and CRM topic export, every office's electronic-queue CSV, the
website's Metrica hits and visits and the «Работа России» portal events, the chatbot's events,
the case-management events and the feedback surveys. Calls and office visits run through queue
simulations together with background traffic. It plants known pain points and facts, optionally
injects the defects real exports have, and records all of it in ``<out>/<region>/manifest.json``;
the truth (which client is behind every event, the journeys they went through) is written under
``<out>/<region>/truth/`` for measuring identity stitching and journey reconstruction.
Run it as ``python -m include.generator --out DIR``.

Modules: ``region`` (orchestration) · ``population`` / ``identity`` (clients and identifiers) ·
``journeys`` / ``steps`` / ``engine`` (journeys, steps, the day's agenda) · ``callday`` /
``callcentre`` and ``office`` (queue simulations) · ``website``, ``chatbot``, ``cases``,
``surveys`` (event writers) · ``background`` (traffic outside the journeys) · ``facts`` (planted
pain points and facts) · ``noise`` / ``feednoise`` (defects) · ``output`` / ``feeds`` (files,
day buckets, truth) · ``schedule``, ``seeds``, ``phones``, ``streams`` (calendar, seeds, phone
pools, random streams).
"""

from __future__ import annotations

from include.generator.region import generate_region, pain_points

__all__ = ["generate_region", "pain_points"]
