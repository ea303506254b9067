"""Seeds are reloaded when their file changed, left as they are when it did not (dbt/macros/seeds.sql).

dbt runs on a copy of the project (the seed file edited there, not in the repository the other
test workers read), against a fresh database; whether a seed was reloaded is read from its
table's identity in PostgreSQL (a reload drops and creates it: a new oid) and its rows.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.fixtures.dbt_project import copy_project, invoke_on_copy

SEED = "regions"


def _seed(dsn: str, project: Path, *args: str) -> dict[str, str]:
    """``dbt seed --select regions`` on the copy; the seed's result message (CURRENT 0, CREATE n)."""
    result = invoke_on_copy(dsn, project, ["seed", "--select", SEED, *args])
    assert result.success, result.exception
    return {node.node.name: str(node.message) for node in result.result.results if node.node.resource_type == "seed"}


def _table(dsn: str) -> tuple[int, int]:
    """The seed table's oid and row count."""
    with psycopg.connect(dsn) as conn:
        oid = conn.execute("select %s::regclass::oid", (f"config.{SEED}",)).fetchone()
        rows = conn.execute(f"select count(*) from config.{SEED}").fetchone()
    assert oid is not None and rows is not None
    return int(oid[0]), int(rows[0])


def test_a_seed_is_reloaded_only_when_its_file_changed(fresh_db: str, tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    assert _seed(fresh_db, project)[SEED].startswith("CREATE")
    loaded, rows = _table(fresh_db)
    assert rows > 0

    # the same file again: the table is left as it is
    assert _seed(fresh_db, project) == {SEED: "CURRENT 0"}
    assert _table(fresh_db) == (loaded, rows)

    # the working group adds a region: the seed is reloaded with it
    csv = project / "seeds" / f"{SEED}.csv"
    first = csv.read_text(encoding="utf-8").splitlines()[1]
    added = ",".join(["test-region" if i == 0 else value for i, value in enumerate(first.split(","))])
    csv.write_text(csv.read_text(encoding="utf-8").rstrip("\n") + "\n" + added + "\n", encoding="utf-8")
    assert _seed(fresh_db, project)[SEED].startswith("CREATE")
    edited, edited_rows = _table(fresh_db)
    assert edited != loaded and edited_rows == rows + 1
    assert _seed(fresh_db, project) == {SEED: "CURRENT 0"}

    # --full-refresh reloads whatever the version; so does a table that went missing
    assert _seed(fresh_db, project, "--full-refresh")[SEED].startswith("CREATE")
    refreshed, _ = _table(fresh_db)
    assert refreshed != edited
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute(f"drop table config.{SEED} cascade")
    assert _seed(fresh_db, project)[SEED].startswith("CREATE")
    assert _table(fresh_db)[1] == edited_rows
