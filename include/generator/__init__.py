"""Synthetic region generator: a realistic region's exports in the sources' real formats.

``generate_region()`` writes, for the first N offices of a region in ``dbt/seeds``, the call
centre's Asterisk ``queue_log`` and CRM topic export per local day and every office's
electronic-queue CSV per local day (formats: ``include/connectors/FORMATS.md``), plants known
pain points, optionally injects the defects real exports have, and records all of it in
``<out>/<region>/manifest.json`` so that tests can check that the product finds them.
Run it as ``python -m include.generator --out DIR``.
"""

from __future__ import annotations

from include.generator.region import generate_region, pain_points

__all__ = ["generate_region", "pain_points"]
