"""Provision Superset (run by superset-init.sh inside the Superset container, after ``superset init``).

``dashboard/`` is a Superset export (v1 bundle): the KPI dashboard, its charts, the datasets over
``marts.*`` and the warehouse connection, with the password masked as every export has it. This
imports it with Superset's own import commands (the ones behind ``superset import-dashboards`` and
the import buttons), each with ``overwrite=True`` so that a change in the repository takes effect
on the next start:

1. datasets (and the connection), 2. charts, 3. the dashboard;
4. the connection is pointed at the warehouse with the read-only role and the password of
   ``.env`` (``CJW_BI_PASSWORD``; stored encrypted by Superset, never written to a file here).

The provisioned dashboard and charts are reset on every start: copy them in Superset to change them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import quote

import yaml

BUNDLE = Path(__file__).resolve().parent / "dashboard"
DATABASE_FILE = BUNDLE / "databases" / "cjw_marts.yaml"
DASHBOARD_TITLE = "Клиентский опыт ЦЗН — ключевые показатели"


def warehouse_uri() -> str:
    """SQLAlchemy URI of the warehouse for the read-only BI role."""
    user = quote(os.environ.get("CJW_BI_ROLE", "cjw_bi"), safe="")
    password = quote(os.environ["CJW_BI_PASSWORD"], safe="")
    host = os.environ.get("CJW_WAREHOUSE_HOST", "postgres")
    port = os.environ.get("CJW_WAREHOUSE_PORT", "5432")
    database = os.environ.get("CJW_WAREHOUSE_DB", "cjw")
    return f"postgresql+psycopg2://{user}:{password}@{host}:{port}/{database}"


def contents(kind: str, folders: tuple[str, ...]) -> dict[str, str]:
    """Files of the bundle as an import command takes them: relative path → YAML text."""
    metadata = yaml.safe_load((BUNDLE / "metadata.yaml").read_text(encoding="utf-8"))
    files = {"metadata.yaml": yaml.safe_dump({**metadata, "type": kind})}
    for path in sorted(BUNDLE.rglob("*.yaml")):
        relative = path.relative_to(BUNDLE)
        if relative.parts[0] not in folders:
            continue
        text = path.read_text(encoding="utf-8")
        if path == DATABASE_FILE:  # an export masks the password; the import needs it
            entry = yaml.safe_load(text)
            entry["password"] = os.environ["CJW_BI_PASSWORD"]
            text = yaml.safe_dump(entry, allow_unicode=True, sort_keys=False)
        files[relative.as_posix()] = text
    return files


def main() -> int:
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from superset import db, security_manager
        from superset.commands.chart.importers.dispatcher import ImportChartsCommand
        from superset.commands.dashboard.importers.dispatcher import ImportDashboardsCommand
        from superset.commands.dataset.importers.dispatcher import ImportDatasetsCommand
        from superset.utils.core import override_user
        from superset.utils.database import get_or_create_db

        username = os.environ.get("SUPERSET_ADMIN_USER", "admin")
        user = security_manager.find_user(username=username)
        if user is None:
            print(f"provision: no Superset user {username!r}", file=sys.stderr)
            return 1
        with override_user(user):
            ImportDatasetsCommand(contents("SqlaTable", ("databases", "datasets")), overwrite=True).run()
            ImportChartsCommand(contents("Slice", ("databases", "datasets", "charts")), overwrite=True).run()
            ImportDashboardsCommand(
                contents("Dashboard", ("databases", "datasets", "charts", "dashboards")), overwrite=True
            ).run()
        name = yaml.safe_load(DATABASE_FILE.read_text(encoding="utf-8"))["database_name"]
        get_or_create_db(name, warehouse_uri())
        db.session.commit()
    print(f"provision: dashboard «{DASHBOARD_TITLE}», connection «{name}» (read-only role)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
