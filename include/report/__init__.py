"""Russian-language static pages for the regional working group (KPI dashboard for now).

``render_site(dsn, out_dir)`` reads the published marts and writes ``out_dir/index.html`` with
its ``assets/`` (local Plotly, stylesheet, page script); ``python -m include.report`` does the
same from the command line.
"""

from __future__ import annotations

from include.report.render import render_site

__all__ = ["render_site"]
