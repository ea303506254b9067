"""The package boundary: ``include/`` (with ``dags/`` and ``expectations/``) is what Airflow runs;
``tools/`` (the embedded PostgreSQL, demo, bench, Airflow UI launcher, identity check, docs) is run
by people and may import ``include``, never the other way round. The product reads its warehouse
from ``WAREHOUSE_DSN``; the tools that start the embedded server set it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("include", "dags", "expectations")
# an import path in a string, e.g. an Airflow setting such as `[core] hostname_callable`
TOOLS_PATH = re.compile(r"^tools(\.[A-Za-z_]\w*)+$")

pytestmark = pytest.mark.timeout(60)


def _product_files() -> list[Path]:
    return sorted(path for folder in PRODUCT for path in (ROOT / folder).rglob("*.py"))


def _tools_references(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, f"import {a.name}") for a in node.names if a.name.split(".")[0] == "tools"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "tools":
            found.append((node.lineno, f"from {node.module} import …"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and TOOLS_PATH.match(node.value):
            found.append((node.lineno, repr(node.value)))
    return found


def test_the_product_never_imports_the_tools() -> None:
    files = _product_files()
    assert len(files) > 20, "the scan found the product's modules"
    offending = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in files
        for line, what in _tools_references(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    ]
    assert not offending, "include/, dags/ and expectations/ must not depend on tools/:\n" + "\n".join(offending)


def test_the_scan_sees_an_import_of_the_tools() -> None:
    tree = ast.parse("import tools.demo\nfrom tools.warehouse import start\nx = 'tools.bench.main'\n")
    assert [line for line, _ in _tools_references(tree)] == [1, 2, 3]


def test_tools_is_the_repositorys_package() -> None:
    # cron_descriptor (an Airflow dependency) installs a namespace folder `tools/` in site-packages;
    # the repository's regular package must win whenever the project root is on sys.path
    import tools

    assert tools.__file__ is not None
    assert Path(tools.__file__).resolve() == ROOT / "tools" / "__init__.py"
