"""dbt docs (one static HTML file) published next to the pages: by the build DAG after every
publish (``render_pages``) and by ``make docs`` (``tools/docs.py``).

Needs the warehouse (the catalog is read from it): ``WAREHOUSE_DSN``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from include import settings


def generate(out_dir: Path | None = None) -> Path:
    """Write ``index.html`` (self-contained) plus manifest and catalog into ``out_dir``.

    Marts are documented where BI reads them (the published ``marts`` schema), not in the build
    schema the publish step swapped away.
    """
    from include.dbt_runner import invoke

    out_dir = out_dir or settings.site_dir() / "dbt-docs"
    with tempfile.TemporaryDirectory(prefix="cjw-dbt-docs-") as target:
        result = invoke(
            ["docs", "generate", "--static", "--target-path", target, "--vars", "{cjw_marts_build_schema: marts}"]
        )
        if not result.success:
            raise RuntimeError(f"dbt docs generate failed: {result.exception}")
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in ("static_index.html", "manifest.json", "catalog.json"):
            shutil.copy2(Path(target) / name, out_dir / name)
    index = out_dir / "index.html"
    (out_dir / "static_index.html").replace(index)
    return index
