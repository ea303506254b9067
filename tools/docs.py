"""``make docs``: dbt docs (one static HTML file) next to the pages, in ``<site>/dbt-docs/``.

The catalog is read from the warehouse: ``WAREHOUSE_DSN``, else the embedded PostgreSQL (started
if needed). The build DAG writes the same docs after every publish (``include/dbt_docs.py``).
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    from include.dbt_docs import generate
    from tools.warehouse import resolve_dsn

    os.environ["WAREHOUSE_DSN"] = resolve_dsn()
    path = generate()
    print(f"dbt docs: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
