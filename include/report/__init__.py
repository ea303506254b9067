"""Russian-language static pages for the regional working group.

``render_site(dsn, out_dir)`` reads the published marts and writes the site: ``index.html``
(overview: KPI tiles, pain-point ranking, effects of measures, data freshness), ``kpi.html``
(KPI dashboard), ``journeys/index.html`` and one journey map per journey, with ``assets/``
(local Plotly, stylesheet, page script); one such site per region in ``<region_id>/`` when the
marts hold several. ``python -m include.report`` does the same from the command line.
"""

from __future__ import annotations

from include.report.render import render_site

__all__ = ["render_site"]
