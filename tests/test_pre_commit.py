"""The pre-commit hooks (.pre-commit-config.yaml), checked without running them.

The file must parse and pass pre-commit's own schema, hold the hooks the project promises (ruff,
ruff format, sqlfluff on the dbt models and the usual hygiene hooks), and need nothing from the
network: every hook is local (or pre-commit's built-in meta hooks) and runs a tool that the locked
environment installs. `make lint` runs sqlfluff on the same models.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / ".pre-commit-config.yaml"
VENV_BIN = Path(sys.executable).parent
EXPECTED_HOOKS = {
    "trailing-whitespace",
    "end-of-file-fixer",
    "check-yaml",
    "check-added-large-files",
    "check-merge-conflict",
    "detect-private-key",
    "ruff-check",
    "ruff-format",
    "sqlfluff-lint",
}

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return dict(yaml.safe_load(CONFIG.read_text(encoding="utf-8")))


def _local_hooks(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {hook["id"]: hook for repo in config["repos"] if repo["repo"] == "local" for hook in repo["hooks"]}


def test_every_promised_hook_is_there(config: dict[str, Any]) -> None:
    assert set(_local_hooks(config)) >= EXPECTED_HOOKS


def test_nothing_is_fetched(config: dict[str, Any]) -> None:
    assert {repo["repo"] for repo in config["repos"]} <= {"local", "meta"}
    for hook in _local_hooks(config).values():
        assert hook["language"] == "system", hook["id"]
        assert "additional_dependencies" not in hook, hook["id"]


def test_every_hook_runs_a_tool_of_the_locked_environment(config: dict[str, Any]) -> None:
    for hook in _local_hooks(config).values():
        program = hook["entry"].split()[0]
        assert program.startswith(".venv/bin/"), hook["id"]
        assert (VENV_BIN / Path(program).name).is_file(), f"{hook['id']}: {program} is not installed"


def test_sqlfluff_lints_the_dbt_models_with_the_offline_templater(config: dict[str, Any]) -> None:
    hook = _local_hooks(config)["sqlfluff-lint"]
    assert re.search(hook["files"], "dbt/models/marts/fct_client_kpis.sql")
    assert hook["types"] == ["sql"]
    sqlfluff = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["sqlfluff"]
    # the dbt templater would need the warehouse's connection variables
    assert sqlfluff["core"]["templater"] == "jinja"
    assert sqlfluff["templater"]["jinja"]["apply_dbt_builtins"] is True
    for key in ("load_macros_from_path", "library_path"):
        assert (ROOT / sqlfluff["templater"]["jinja"][key]).is_dir(), key
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "sqlfluff lint dbt/models" in lint


def test_pre_commit_accepts_the_file() -> None:
    result = subprocess.run(
        [str(VENV_BIN / "pre-commit"), "validate-config", str(CONFIG)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
