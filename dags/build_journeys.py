"""
### build_journeys — dbt build, quality gate and publish (write–audit–publish)

Scheduled on the raw Assets of the ingest DAGs (runs when any source has a new validated
batch), never on a clock.

1. `prepare_build` readies the build schema `marts__build` (kept between builds: it holds the
   build published before the current one, which the next build brings up to date; emptied on
   a full refresh);
2. `check_source_freshness` runs `dbt source freshness` on the sources that have loaded
   batches (raw data older than 7 days fails the build);
3. `dbt` — the dbt project through Cosmos, one `dbt build` per layer (`dbt.staging`: seeds
   and staging; `dbt.intermediate_and_marts`): models, unit tests and data tests, marts into
   `marts__build`; staging is incremental (only the batches validated since the last build are
   read), and the call summary, the per-source event models, their unions, `fct_calls` and
   `fct_touchpoint_kpis` recompute only the calls, events and months those batches touched;
   trigger with `{"full_refresh": true}` to rebuild them from every batch);
   dbt connects through the Airflow connection `cjw_warehouse`
   (`CJW_WAREHOUSE_CONN_ID`; without one, `WAREHOUSE_DSN`) and a Cosmos profile mapping;
4. `audit_marts` — Great Expectations checks on the built marts (`expectations/marts.py`);
5. `publish_marts` — one transaction swaps `marts__build` and `marts` by renames (nothing is
   copied) and grants the BI role on `marts` only;
6. `render_pages` — the Russian-language HTML pages from the published marts, and the dbt
   docs next to them (`dbt-docs/`);
7. `raise_alerts` — KPI breaches new since the last publish go to `ops.alerts` and, when
   configured (`CJW_ALERTS_CHANNEL`), to the working group through an Airflow notifier.

If anything fails, `record_failure` writes the reason to `ops.publish_log` and an alert, and
the published `marts` stay exactly as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from airflow.sdk import AssetAny, Param, TaskGroup, TriggerRule, chain, dag, task
from cosmos.constants import InvocationMode
from cosmos.operators.local import DbtBuildLocalOperator

from include import settings
from include.alerts import working_group_notifier
from include.assets import MARTS_PUBLISHED, RAW_ASSETS
from include.dbt_profile import warehouse_profile_config
from include.dbt_runner import BUILD_LAYERS, PRODUCTION_BUILD_ENV, TELEMETRY_OFF, session_env
from include.ingest_dag import DEFAULT_ARGS, START_DATE


def failed_in(stage: str) -> Callable[[Any], None]:
    """Task failure callback: keep the task's error, and the write–audit–publish stage the task
    belongs to (dbt, quality, publish, pages), for the publish log."""

    def remember_failure(context: Any) -> None:
        from include.publish import record_task_failure

        ti = context["ti"]
        record_task_failure(context["run_id"], ti.task_id, str(context.get("exception") or "failed"), stage)

    return remember_failure


@dag(
    dag_id="build_journeys",
    schedule=AssetAny(*RAW_ASSETS.values()),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args={**DEFAULT_ARGS, "retries": 0, "on_failure_callback": failed_in("dbt")},
    tags=["dbt", "publish"],
    params={
        "full_refresh": Param(
            False,
            type="boolean",
            description="Rebuild the incremental models (staging, event models, incremental marts) from every validated batch, not only the new ones, into an empty build schema",
        )
    },
    doc_md=__doc__,
)
def build_journeys() -> None:
    # the Airflow connection cjw_warehouse (CJW_WAREHOUSE_CONN_ID) through a Cosmos profile
    # mapping; where Airflow has none, the warehouse of WAREHOUSE_DSN (include/dbt_profile.py)
    profile_config = warehouse_profile_config()

    @task
    def prepare_build(params: dict[str, Any] | None = None) -> None:
        from include.publish import prepare_build as prepare

        # a full refresh starts from an empty build schema
        prepare(full_refresh=bool((params or {}).get("full_refresh")))

    @task
    def check_source_freshness() -> None:
        from include.dbt_runner import freshness_selection, invoke

        selection = freshness_selection()
        if not selection:
            return
        result = invoke(["source", "freshness", "--select", *selection])
        if not result.success:
            raise RuntimeError(f"dbt source freshness failed: {result.exception or 'stale sources'}")

    with TaskGroup(group_id="dbt") as dbt:
        # one `dbt build` per layer (seeds and staging; intermediate and marts): the models and
        # their data tests, run by dbt's own threads (unit tests run in `make test`). A task per model started dbt 140
        # times a build (≈1.3 s each for ≈0.2 s of SQL); three start-ups keep the layer a
        # failure happened in visible and cost seconds. `buildable` runs a test in the layer
        # that builds the last of its parents, so every test runs exactly once.
        layers = [
            DbtBuildLocalOperator(
                task_id=layer,
                project_dir=str(settings.DBT_PROJECT_DIR),
                profile_config=profile_config,
                invocation_mode=InvocationMode.DBT_RUNNER,
                select=selection,
                indirect_selection="buildable",
                full_refresh="{{ params.full_refresh }}",
                install_deps=False,
                emit_datasets=False,
                should_store_compiled_sql=False,
                env={**TELEMETRY_OFF, **session_env(), **PRODUCTION_BUILD_ENV},
            )
            for layer, selection in BUILD_LAYERS
        ]
        chain(*layers)

    @task(on_failure_callback=failed_in("quality"))
    def audit_marts() -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowFailException

        from include.publish import audit_build

        result = audit_build()
        if not result["success"]:
            names = sorted({f"{f['suite']}: {f['expectation']}" for f in result["failed"]})
            raise AirflowFailException("Great Expectations checks on the marts failed: " + "; ".join(names))
        return result

    @task(outlets=[MARTS_PUBLISHED], on_failure_callback=failed_in("publish"))
    def publish_marts(quality: dict[str, Any], **context: Any) -> dict[str, Any]:
        from include.publish import publish

        return publish(context["run_id"], quality=quality, started_at=context["dag_run"].start_date)

    @task(on_failure_callback=failed_in("pages"))
    def render_pages(published: dict[str, Any], quality: dict[str, Any]) -> str:
        import tempfile
        from datetime import datetime
        from pathlib import Path

        from include.dbt_docs import generate
        from include.report import render_site

        with tempfile.TemporaryDirectory(prefix="cjw-docs-") as docs:
            generate(Path(docs))
            index = render_site(
                settings.warehouse_dsn(),
                settings.site_dir(),
                published_at=datetime.fromisoformat(published["published_at"]),
                quality={"status": "passed", "checks": quality["checks"], "failed": 0},
                min_cell=settings.min_cell(),
                extra_dirs={"dbt-docs": Path(docs)},
            )
        return str(index)

    @task(on_success_callback=working_group_notifier(), on_failure_callback=failed_in("pages"))
    def raise_alerts(**context: Any) -> int:
        from include.alerts import record_new_breaches

        return len(record_new_breaches(context["run_id"]))

    @task(trigger_rule=TriggerRule.ONE_FAILED, on_failure_callback=None)
    def record_failure(**context: Any) -> None:
        """Say why in ops.publish_log, then fail: the run is red when nothing was published."""
        from airflow.sdk.exceptions import AirflowFailException

        from include.alerts import record_failed_gate, send_pending
        from include.publish import record_failure as record

        reason = record(
            context["run_id"],
            reason="build not published, the published marts are unchanged",
            started_at=context["dag_run"].start_date,
        )
        record_failed_gate(context["run_id"], reason)
        send_pending()
        raise AirflowFailException(reason)

    prepared = prepare_build()
    freshness = check_source_freshness()
    quality = audit_marts()
    published = publish_marts(quality)
    pages = render_pages(published, quality)
    alerts = raise_alerts()
    published >> alerts
    failure = record_failure()
    prepared >> freshness >> dbt >> quality
    [freshness, dbt, quality, published, pages] >> failure


dag = build_journeys()
