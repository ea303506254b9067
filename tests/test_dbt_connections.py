"""dbt keeps each thread's PostgreSQL connection from one node to the next (include/dbt_runner.py).

Upstream, every node closes its connection and the next opens a new one (a new backend each).
The project keeps it after a rollback and ``discard temp``, so a node starts as on a new
connection: no transaction left open, no temporary table of the node before. Run on a copy of
the project (two models of the test's own) against a fresh database.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from tests.fixtures.dbt_project import copy_project, invoke_on_copy

# the same temporary table, not dropped at commit, made by two models that run one after the
# other on one thread: on a kept connection that still held the first, the second would fail
PROBE = """{{{{ config(pre_hook="create temporary table cjw_probe as select {n} as n") }}}}
select n from cjw_probe
"""


def test_a_build_keeps_its_connections_and_starts_each_node_clean(fresh_db: str, tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    probes = project / "models" / "probe"
    probes.mkdir()
    for n in (1, 2):
        (probes / f"probe_{n}.sql").write_text(PROBE.format(n=n), encoding="utf-8")
    events: Counter[str] = Counter()

    def count(event: Any) -> None:
        events[event.info.name] += 1

    # the seeds with their data tests (a test's select leaves a transaction open), on two threads
    seeds = invoke_on_copy(
        fresh_db,
        project,
        ["build", "--select", "resource_type:seed", "--indirect-selection", "cautious", "--threads", "2"],
        [count],
    )
    assert seeds.success, seeds.exception
    nodes = len(seeds.result.results)
    assert nodes > 40
    # a connection per thread and the few dbt opens before the nodes run, not one per node
    assert events["NewConnectionOpening"] <= 6, events["NewConnectionOpening"]
    assert events["ConnectionReused"] >= nodes

    probe = invoke_on_copy(fresh_db, project, ["run", "--select", "path:models/probe", "--threads", "1"])
    assert probe.success, probe.exception
    built = sorted(
        (result.node.name, str(result.message))
        for result in probe.result.results
        if result.node.resource_type == "model"
    )
    assert built == [("probe_1", "SELECT 1"), ("probe_2", "SELECT 1")]
