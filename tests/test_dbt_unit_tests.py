"""Every dbt unit test of the project passes.

Production builds (the DAG's layers, ``include.publish build``) leave unit tests out
(``PRODUCTION_BUILD_ENV``): they check the models' SQL, which only the code changes. They run
here instead, after a build of every seed and model on a warehouse without events (dbt reads the
columns of a unit test's inputs from their tables).
"""

from __future__ import annotations

import json

import pytest

from include.dbt_runner import PRODUCTION_BUILD_ENV, dbt_env, ensure_manifest, invoke
from include.publish import prepare_build


def test_every_unit_test_runs_and_passes(fresh_db: str) -> None:
    env = dbt_env(fresh_db)
    prepare_build(fresh_db)  # the raw tables staging reads
    empty = invoke(["build", "--resource-type", "seed", "model", "--quiet"], env=env)
    assert empty.success, empty.exception
    result = invoke(["test", "--select", "test_type:unit"], env=env)
    outcomes = {r.node.unique_id: str(r.status) for r in result.result.results}
    assert result.success, {node: status for node, status in outcomes.items() if status != "pass"}
    nodes = json.loads(ensure_manifest().read_text())["unit_tests"]
    assert len(nodes) >= 20 and set(outcomes) == set(nodes)


def test_a_production_build_leaves_the_unit_tests_out(fresh_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def kinds(env: dict[str, str]) -> set[str]:
        args = ["ls", "--resource-type", "unit_test", "test", "--output", "json", "--output-keys", "resource_type"]
        result = invoke([*args, "--quiet"], env=env)
        assert result.success, result.exception
        return {json.loads(line)["resource_type"] for line in result.result}

    assert kinds(dbt_env(fresh_db)) == {"unit_test", "test"}
    assert kinds({**dbt_env(fresh_db), **PRODUCTION_BUILD_ENV}) == {"test"}
    # Cosmos leaves its operators' env in os.environ (for OpenLineage): a later call without the
    # exclusion still sees every unit test
    monkeypatch.setenv("DBT_EXCLUDE_RESOURCE_TYPES", "unit_test")
    assert kinds(dbt_env(fresh_db)) == {"unit_test", "test"}


pytestmark = pytest.mark.timeout(600)
