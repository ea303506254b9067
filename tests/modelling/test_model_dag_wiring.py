"""model_scenarios: scheduled on the published marts, publishes its own Asset, follows the DAG rules."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="module")
def dag() -> Any:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS / "model_scenarios.py"))
    assert bag.import_errors == {}
    return bag.dags["model_scenarios"]


def test_runs_after_each_publish_of_the_marts(dag: Any) -> None:
    assert type(dag.timetable).__name__ == "AssetTriggeredTimetable"
    assert {a.name for a in dag.timetable.asset_condition.objects} == {"marts_published"}
    outlets = {o.name for t in dag.tasks for o in getattr(t, "outlets", []) if hasattr(o, "name")}
    assert outlets == {"modelling_published"}


def test_write_audit_publish_order_and_failure_path(dag: Any) -> None:
    order = ["run_models", "audit_results", "publish_results", "render_page"]
    for upstream, downstream in itertools.pairwise(order):
        assert downstream in dag.task_dict[upstream].downstream_task_ids
    failure = dag.task_dict["record_failure"]
    assert str(failure.trigger_rule) in ("one_failed", "TriggerRule.ONE_FAILED")
    assert set(failure.upstream_task_ids) == set(order)
    assert dag.tags and dag.doc_md and "model_scenarios" in dag.doc_md
    assert all(task.retries is not None for task in dag.tasks)
