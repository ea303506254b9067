"""The modelling page's entry point kept where ``dags/model_scenarios.py`` calls it; the page
itself is :mod:`include.report.pages.modelling`."""

from __future__ import annotations

from include.report.pages.modelling import render_modelling_page

__all__ = ["render_modelling_page"]
