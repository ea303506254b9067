"""
### model_scenarios — corrective measures tried on models of the queues and journeys

Scheduled on the published marts (`marts_published`): runs after every publish, never on a clock.

1. `run_models` — calibrates the queueing models of every office's electronic queue and every
   call queue from the published marts (arrivals, servers actually working, service times,
   patience), checks that with no change they reproduce the measured KPIs, runs the scenarios of
   the `scenarios` seed (a bad row is recorded with its reason; the others run), backtests the
   registered improvement measures and models the instruments on the pain points; writes the
   results into `modelling__build` (seeded: the same marts give the same numbers);
2. `audit_results` — Great Expectations checks on them (`expectations/modelling.py`);
3. `publish_results` — one transaction swaps them into `modelling` and grants the BI role;
4. `render_page` — the page «Моделирование мер» (`modelling.html`).

A failure leaves the published results as they were and says why in `ops.modelling_log`.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import TriggerRule, dag, task

from include.assets import MARTS_PUBLISHED, MODELLING_PUBLISHED
from include.ingest_dag import DEFAULT_ARGS, START_DATE


@dag(
    dag_id="model_scenarios",
    schedule=[MARTS_PUBLISHED],
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args={**DEFAULT_ARGS, "retries": 0},
    tags=["modelling", "publish"],
    doc_md=__doc__,
)
def model_scenarios() -> None:
    @task
    def run_models() -> dict[str, Any]:
        from include import settings
        from include.modelling import run, store

        inputs = run.load_inputs(settings.warehouse_dsn())
        tables = run.run_all(inputs)
        store.write_build(tables)
        results = tables["scenario_results"]
        return {
            "tables": {name: len(frame) for name, frame in tables.items()},
            "scenario_errors": results.loc[results["status"] == "error", "error_ru"].tolist(),
        }

    @task
    def audit_results(summary: dict[str, Any]) -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowFailException

        from include.modelling import store

        result = store.audit()
        if not result["success"]:
            names = sorted({f"{f['suite']}: {f['expectation']}" for f in result["failed"]})
            raise AirflowFailException("checks on the modelling results failed: " + "; ".join(names))
        return {**result, **summary}

    @task(outlets=[MODELLING_PUBLISHED])
    def publish_results(quality: dict[str, Any], **context: Any) -> dict[str, Any]:
        from include.modelling import store

        return store.publish(context["run_id"], quality)

    @task
    def render_page(published: dict[str, Any]) -> str:
        from include import settings
        from include.report.modelling import render_modelling_page

        return str(render_modelling_page(settings.warehouse_dsn(), settings.site_dir()))

    @task(trigger_rule=TriggerRule.ONE_FAILED)
    def record_failure(**context: Any) -> None:
        """Say why in ops.modelling_log, then fail: the published results are unchanged."""
        from airflow.sdk.exceptions import AirflowFailException

        from include.modelling import store

        reason = "modelling results not published, the published results are unchanged"
        store.record_failure(context["run_id"], reason)
        raise AirflowFailException(reason)

    summary = run_models()
    quality = audit_results(summary)
    published = publish_results(quality)
    page = render_page(published)
    [summary, quality, published, page] >> record_failure()


dag = model_scenarios()
