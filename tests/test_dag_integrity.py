"""Every DAG file imports, has no cycles and follows the project's rules (Airflow 3 idioms)."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from include.connectors import SOURCES

DAGS = Path(__file__).resolve().parents[1] / "dags"
# every source of the sources seed has its ingest DAG (include/connectors: the naming convention)
EXPECTED = {f"ingest_{source}" for source in SOURCES} | {"build_journeys"}


@pytest.fixture(scope="module")
def dagbag() -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_every_dag_file_imports(dagbag: Any) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) >= EXPECTED


def test_one_file_per_dag_named_like_the_dag(dagbag: Any) -> None:
    for dag_id in dagbag.dag_ids:
        assert (DAGS / f"{dag_id}.py").exists(), dag_id


def _has_cycle(dag: Any) -> bool:
    state: dict[str, int] = {}

    def visit(task_id: str) -> bool:
        state[task_id] = 1
        for child in dag.task_dict[task_id].downstream_task_ids:
            if state.get(child) == 1 or (child not in state and visit(child)):
                return True
        state[task_id] = 2
        return False

    return any(task_id not in state and visit(task_id) for task_id in dag.task_dict)


@pytest.mark.parametrize("dag_id", sorted(EXPECTED))
def test_dag_rules(dagbag: Any, dag_id: str) -> None:
    dag = dagbag.dags[dag_id]
    assert not _has_cycle(dag)
    assert dag.tags, "every DAG is tagged"
    assert dag.doc_md and dag_id in dag.doc_md, "doc_md comes from the module docstring"
    assert type(dag.timetable).__name__ != "NullTimetable", "schedule= is always set"
    assert dag.max_active_runs >= 1
    for task in dag.tasks:
        assert task.retries is not None, f"{task.task_id} has retries set"
    if dag_id.startswith("ingest_"):
        assert all(task.retries >= 1 for task in dag.tasks if task.task_id.startswith("load_batch"))


def test_build_journeys_is_scheduled_on_the_raw_assets(dagbag: Any) -> None:
    dag = dagbag.dags["build_journeys"]
    assert type(dag.timetable).__name__ == "AssetTriggeredTimetable"
    condition = dag.timetable.asset_condition
    assert type(condition).__name__ == "AssetAny", "any source with a new validated batch triggers a build"
    assert {asset.name for asset in condition.objects} >= {"raw_call_centre", "raw_office_visits"}
    assert all(asset.name.startswith("raw_") for asset in condition.objects)
    outlets = {o.name for t in dag.tasks for o in getattr(t, "outlets", []) if hasattr(o, "name")}
    assert "marts_published" in outlets
    ingest_outlets = {
        o.name for t in dagbag.dags["ingest_call_centre"].tasks for o in getattr(t, "outlets", []) if hasattr(o, "name")
    }
    assert ingest_outlets == {"raw_call_centre"}


@pytest.mark.parametrize("path", sorted(DAGS.glob("*.py")), ids=lambda p: p.name)
def test_dag_files_only_wire_tasks(path: Path) -> None:
    """Airflow 3 idioms and thin DAG files: airflow.sdk imports, no heavy imports at module level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    forbidden = {"pandas", "psycopg", "requests", "great_expectations", "sqlalchemy"}
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            root = (module or "").split(".")[0]
            assert root not in forbidden, f"{path.name}: {module} imported at module level"
            if module and module.startswith("airflow") and module != "airflow.sdk":
                pytest.fail(f"{path.name}: import {module} — use airflow.sdk")
    source = path.read_text(encoding="utf-8")
    assert "execution_date" not in source
    assert "schedule_interval" not in source


def test_the_build_layers_run_every_dbt_node_exactly_once(dagbag: Any) -> None:
    """`dbt ls` with each layer's selection (as the layer task runs it) covers the project once."""
    from include.dbt_runner import BUILD_LAYERS, dbt_env, invoke

    env = dbt_env("postgresql://parse-only@127.0.0.1/parse_only")
    kinds = ["--resource-type", "model", "seed", "test", "unit_test", "--quiet"]
    keys = ["--output", "json", "--output-keys", "unique_id depends_on"]

    def listed(*selection: str) -> dict[str, list[str]]:
        result = invoke(["ls", *selection, *kinds, *keys], env=env)
        assert result.success, result.exception
        nodes = [json.loads(line) for line in result.result]
        return {n["unique_id"]: n.get("depends_on", {}).get("nodes", []) for n in nodes}

    everything = listed()
    per_layer = [listed("--select", *select.split(), "--indirect-selection", "buildable") for _, select in BUILD_LAYERS]
    assert all(per_layer), "no layer is empty"
    together = [node for layer in per_layer for node in layer]
    assert sorted(together) == sorted(everything), "each model, seed and test is built by one layer"
    built_before: set[str] = set()
    for (name, _), layer in zip(BUILD_LAYERS, per_layer, strict=True):
        later = {p for parents in layer.values() for p in parents} - built_before - set(layer)
        later = {p for p in later if p in everything}  # sources and macros are not built
        assert not later, f"layer {name} reads nodes a later layer builds: {sorted(later)[:5]}"
        built_before |= set(layer)
    tasks = [t.task_id for t in dagbag.dags["build_journeys"].tasks if t.task_id.startswith("dbt.")]
    assert tasks == [f"dbt.{layer}" for layer, _ in BUILD_LAYERS]
    layer_tasks = [dagbag.dags["build_journeys"].task_dict[t] for t in tasks]
    assert [t.select for t in layer_tasks] == [select for _, select in BUILD_LAYERS]
    assert all(t.indirect_selection == "buildable" for t in layer_tasks)
    # a full rebuild of the incremental models is one trigger: {"full_refresh": true}
    assert dagbag.dags["build_journeys"].params["full_refresh"] is False
    assert all(t.full_refresh == "{{ params.full_refresh }}" for t in layer_tasks)
