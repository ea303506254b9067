"""The pages name sources and channels from the ``sources`` seed (mart ``dim_sources``) alone.

A copy of the dbt project gets one more row in ``sources.csv`` — an eighth source (SMS
requests, which no connector reads yet), as an engineer adding one would write it — and dbt loads the seed and builds ``dim_sources`` into a
test database that holds the fixture marts; the new source's data freshness and the channel of
its events then show on the rendered pages with the names of that row, with no change to
``include/report``.
"""

from __future__ import annotations

import csv
import re
import shutil
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from include import settings
from include.connectors import SOURCES
from include.dbt_runner import dbt_env, invoke
from include.report import render_site
from tests.fixtures.journey_marts import load_journey_marts
from tests.fixtures.kpi_marts import PASSED, PUBLISHED_AT, build_dataset, load_kpi_marts

pytestmark = pytest.mark.timeout(300)

NEW_SOURCE = {
    "source_id": "sms_requests",
    "source_name_ru": "Обращения по SMS",
    "ingest_source": "sms_requests",
    "ingest_source_name_ru": "SMS-шлюз ЦЗН",
    "channel": "sms",
    "channel_name_ru": "SMS",
    # no event models in this test: registered for neither kind of the event contract
    "has_touchpoint_events": "false",
    "has_identity_occurrences": "false",
    "sort_order": "10",
}


def _seed_rows() -> list[dict[str, str]]:
    with (settings.DBT_PROJECT_DIR / "seeds" / "sources.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_ingest_source_of_the_seed_is_a_registered_connector() -> None:
    """The seed's ingest sources are the `source` values raw.ingest_batches (and so freshness) holds."""
    assert {row["ingest_source"] for row in _seed_rows()} <= set(SOURCES)


def _project_with_new_source(tmp_path: Path) -> Path:
    project = tmp_path / "dbt"
    shutil.copytree(settings.DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    rows = _seed_rows()
    assert list(rows[0]) == list(NEW_SOURCE), "the test's row must follow the seed's columns"
    with (project / "seeds" / "sources.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=list(NEW_SOURCE), lineterminator="\n").writerow(NEW_SOURCE)
    return project


def _dbt(project: Path, dsn: str, *args: str) -> None:
    result = invoke(
        [
            *args,
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            # the copy's artifacts stay with the copy: its manifest (marts built into `marts`) in the
            # worker's target folder would be the one later tests of that worker read
            "--target-path",
            str(project / "target"),
            "--vars",
            "{cjw_marts_build_schema: marts}",
        ],
        env={**dbt_env(dsn), "DBT_PROJECT_DIR": str(project)},
    )
    assert result.success, f"dbt {' '.join(args)} failed: {result.exception or result.result}"


def test_a_source_added_to_the_seed_shows_on_the_pages_with_its_names(module_db: str, tmp_path: Path) -> None:
    load_kpi_marts(module_db, build_dataset())
    load_journey_marts(module_db, published_at=PUBLISHED_AT)
    project = _project_with_new_source(tmp_path)
    _dbt(project, module_db, "seed", "--select", "sources")
    _dbt(project, module_db, "run", "--select", "dim_sources")
    with psycopg.connect(module_db, autocommit=True) as conn:
        assert conn.execute(
            "select source_name_ru from marts.dim_sources where source_id = 'sms_requests'"
        ).fetchall() == [(NEW_SOURCE["source_name_ru"],)]
        # its first batches arrived ten days before the publication: stale
        conn.execute(
            "insert into marts.fct_data_freshness values ('sms_requests', 'enskaya', %s, %s, 3, 120, 0, 0)",
            (PUBLISHED_AT - timedelta(days=10), PUBLISHED_AT.date() - timedelta(days=11)),
        )
        # and its events are a share of one client group's contacts
        group = conn.execute(
            "update marts.client_group_profiles set channel_shares = channel_shares || '{\"sms\": 0.125}'"
            " where client_group = (select min(client_group) from marts.client_group_profiles where clients >= 5)"
            " returning client_group"
        ).fetchone()
        assert group is not None
    index = render_site(module_db, tmp_path / "site", published_at=PUBLISHED_AT, quality=PASSED)

    overview = index.read_text(encoding="utf-8")
    row = re.search(r'<tr data-source="sms_requests" data-status="(\w+)">\s*<th[^>]*>([^<]*)</th>', overview)
    assert row is not None, "the new source is missing from data freshness"
    assert row.groups() == ("red", NEW_SOURCE["ingest_source_name_ru"])
    stale = re.search(r'<span class="highlight-text">отстают: ([^<]*)</span>', overview)
    assert stale is not None and NEW_SOURCE["ingest_source_name_ru"] in stale[1].split(", ")  # the «Данные» card
    # a source of the seed keeps its seed name
    assert re.search(r'<tr data-source="website"[^>]*>\s*<th[^>]*>Сайт и портал «Работа России»</th>', overview)

    journeys = (index.parent / "journeys" / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", journeys))
    assert f"{NEW_SOURCE['channel_name_ru']}: 12,5 %" in text, "the new channel is missing from the group profiles"
    assert " sms:" not in text  # never the bare code
