"""Jinja context for ``sqlfluff lint`` (the jinja templater, pyproject.toml [tool.sqlfluff.*]).

sqlfluff's stand-in for dbt's ``var()`` returns a placeholder string, and a model that loops
over a number (``int_identity__components``) cannot be rendered with it. This ``var()`` returns
the project's own values from ``dbt_project.yml`` instead, so the rendered SQL sqlfluff lints
is the SQL dbt builds. Not used by dbt itself.
"""

from typing import Any


def var(name: str, default: Any = None) -> Any:
    from pathlib import Path

    import yaml

    project = Path(__file__).resolve().parents[1] / "dbt_project.yml"
    return yaml.safe_load(project.read_text(encoding="utf-8"))["vars"].get(name, default)
