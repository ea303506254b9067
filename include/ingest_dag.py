"""The shape every ``ingest_<source>`` DAG shares (Airflow-specific; connectors stay Airflow-free).

Per data interval: find the regions that have a landing folder for the source, then — mapped
over regions — load the interval as one batch and validate it: the reject gate (too many lines
rejected, an unknown header or queue) and the source's Great Expectations suites. Only a
validated batch updates the source's raw Asset, which schedules ``build_journeys``; a batch that
fails is removed from the raw tables, the task fails with the reason and an alert names the files.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pendulum
from airflow.sdk import Asset, CronDataIntervalTimetable, Param, dag, task

from include import settings

PSEUDONYM_CONN_ID = "cjw_pseudonymisation"

DEFAULT_ARGS: dict[str, Any] = {
    "owner": "data-engineering",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": True,
}
START_DATE = pendulum.datetime(2026, 1, 1, tz=settings.schedule_timezone())


def daily_intervals() -> CronDataIntervalTimetable:
    """Local midnight to midnight; a run starts when its day is over."""
    return CronDataIntervalTimetable("0 0 * * *", timezone=settings.schedule_timezone())


def batch_interval(context: dict[str, Any]) -> tuple[datetime, datetime]:
    """The interval a run loads: its data interval, or the local days named by the run's
    ``interval_start`` / ``interval_end`` params (a backfill of many days as one batch, e.g. a
    month of history: "Trigger DAG w/ config" in the UI, or ``include.dag_runs.run_days``)."""
    params = context.get("params") or {}
    first, last = params.get("interval_start"), params.get("interval_end")
    if not first and not last:
        return context["data_interval_start"], context["data_interval_end"]
    if not (first and last):
        raise ValueError("a backfill batch needs both interval_start and interval_end (local dates)")
    tz = ZoneInfo(settings.schedule_timezone())
    start = datetime.combine(date.fromisoformat(str(first)), time.min, tz)
    end = datetime.combine(date.fromisoformat(str(last)) + timedelta(days=1), time.min, tz)
    if end <= start:
        raise ValueError(f"interval_end {last} is before interval_start {first}")
    return start, end


def pseudonym_key() -> bytes:
    """The HMAC key: Airflow connection ``cjw_pseudonymisation`` (password), else ``CJW_PSEUDONYM_KEY``."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    from include.pseudonymise import key_from_env

    try:
        password = BaseHook.get_connection(PSEUDONYM_CONN_ID).password
    except AirflowNotFoundException:
        password = None
    if password:
        try:
            return bytes.fromhex(password)
        except ValueError:
            return password.encode()
    return key_from_env()


def build_ingest_dag(source: str, asset: Asset, *, doc_md: str | None, fetch: str | None = None) -> Any:
    """Create the ``ingest_<source>`` DAG.

    ``fetch`` — dotted path ``module:function`` of ``(region_id, start, end) -> dict`` that pulls
    the interval's exports into the landing folder first (e.g. the Metrica Logs API); it runs as
    the mapped task ``fetch_exports`` before ``load_batch``.
    """

    @dag(
        dag_id=f"ingest_{source}",
        schedule=daily_intervals(),
        start_date=START_DATE,
        catchup=False,
        max_active_runs=4,
        default_args=DEFAULT_ARGS,
        tags=["ingest", source],
        doc_md=doc_md,
        params={
            # a backfill batch: these local days (inclusive) instead of the run's data interval
            "interval_start": Param(None, type=["null", "string"], format="date"),
            "interval_end": Param(None, type=["null", "string"], format="date"),
        },
    )
    def ingest() -> None:
        @task
        def list_regions() -> list[str]:
            from include.ingest import regions_with_files

            return regions_with_files(source)

        @task(map_index_template="{{ task.op_kwargs['region_id'] }}")
        def load_batch(region_id: str, **context: Any) -> dict[str, Any]:
            from airflow.sdk.exceptions import AirflowFailException

            from include.ingest import load_interval
            from include.loading import ReconciliationError
            from include.pseudonymise import MissingKeyError

            start, end = batch_interval(context)
            try:
                return load_interval(
                    source,
                    region_id,
                    start,
                    end,
                    key=pseudonym_key(),
                    run_id=context["run_id"],
                )
            except (ReconciliationError, MissingKeyError) as exc:
                raise AirflowFailException(str(exc)) from exc

        @task(outlets=[asset], map_index_template="{{ task.op_kwargs['report']['region_id'] }}")
        def validate_batch(report: dict[str, Any], **context: Any) -> dict[str, Any]:
            from airflow.sdk.exceptions import AirflowFailException

            from include.ingest import validate_batch as validate

            result = validate(source, int(report["batch_id"]), run_id=context["run_id"])
            if not result["success"]:
                # not validated: the Asset is not updated, the published marts stay as they are
                raise AirflowFailException(result["reason"])
            return {**report, "validated": True}

        regions = list_regions()
        if fetch is not None:

            @task(map_index_template="{{ task.op_kwargs['region_id'] }}")
            def fetch_exports(region_id: str, **context: Any) -> str:
                from importlib import import_module

                module_name, function_name = fetch.split(":")
                pull = getattr(import_module(module_name), function_name)
                pull(region_id, *batch_interval(context))
                return region_id

            regions = fetch_exports.expand(region_id=regions)
        validate_batch.expand(report=load_batch.expand(region_id=regions))

    return ingest()
