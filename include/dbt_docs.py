"""dbt docs (one static HTML file) published next to the pages: by the build DAG after every
publish (``render_pages``) and by ``make docs`` (``tools/docs.py``).

Needs the warehouse (the catalog is read from it): ``WAREHOUSE_DSN``.
"""

from __future__ import annotations

import fcntl
import shutil
from pathlib import Path

from include import settings


def generate(out_dir: Path | None = None) -> Path:
    """Write ``index.html`` (self-contained) plus manifest and catalog into ``out_dir``.

    Marts are documented where BI reads them (the published ``marts`` schema), not in the build
    schema the publish step swapped away.

    ``--no-compile``: the docs show each model's SQL as written. Compiling every node, as dbt
    does by default, ran each incremental model's bookkeeping queries and rendered SQL whose literal
    batch lists say nothing to a reader. dbt's files live in a target folder of their own under
    ``var/`` (its variables differ from a build's), kept between runs so that dbt parses only what
    changed; a lock keeps two processes of one checkout apart. On the 1 M bench warehouse: 10.4 s
    and 7.6 s compiled in a new folder each time; 2.9 s the first time now, 0.8 s after.
    """
    from include.dbt_runner import invoke

    out_dir = out_dir or settings.site_dir() / "dbt-docs"
    target = settings.var_dir() / "dbt-docs-target"
    target.mkdir(parents=True, exist_ok=True)
    with (target / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        where = ["--target-path", str(target), "--vars", "{cjw_marts_build_schema: marts}"]
        # without compiling, `docs generate` writes no manifest of its own: `parse` does
        for command in (["parse"], ["docs", "generate", "--static", "--no-compile"]):
            result = invoke([*command, *where])
            if not result.success:
                raise RuntimeError(f"dbt {' '.join(command)} failed: {result.exception}")
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in ("static_index.html", "manifest.json", "catalog.json"):
            shutil.copy2(target / name, out_dir / name)
    index = out_dir / "index.html"
    (out_dir / "static_index.html").replace(index)
    return index
