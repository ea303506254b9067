"""Run the project's DAGs in-process with ``dag.test()`` (demo and end-to-end tests).

Call ``include.airflow_env.configure()`` and migrate the metadata database first.
"""

from __future__ import annotations

import importlib.util
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from include import settings


class DagRunFailed(RuntimeError):
    pass


def load_dag(dag_id: str) -> Any:
    """The DAG object defined in ``dags/<dag_id>.py``."""
    from airflow.sdk import DAG

    path = settings.PROJECT_ROOT / "dags" / f"{dag_id}.py"
    spec = importlib.util.spec_from_file_location(f"cjw_dag_{dag_id}", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for value in vars(module).values():
        if isinstance(value, DAG) and value.dag_id == dag_id:
            return value
    raise LookupError(f"{path} defines no DAG {dag_id!r}")


def interval_logical_date(day: date) -> datetime:
    """Logical date whose manual data interval is the local day ``day`` (midnight to midnight)."""
    tz = ZoneInfo(settings.schedule_timezone())
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tz)


def run(
    dag: Any, *, logical_date: datetime | None = None, check: bool = True, conf: dict[str, Any] | None = None
) -> Any:
    """One DAG run; raises DagRunFailed when ``check`` and the run did not succeed."""
    dag_run = dag.test(logical_date=logical_date or datetime.now(ZoneInfo("UTC")), run_conf=conf)
    state = str(getattr(dag_run, "state", "unknown"))
    if check and state != "success":
        raise DagRunFailed(f"{dag.dag_id} run {getattr(dag_run, 'run_id', '?')} ended {state}")
    return dag_run


def run_day(dag: Any, day: date, *, check: bool = True) -> Any:
    # explicit empty params: dag.test() runs the tasks in this process, and a task object keeps
    # the params of an earlier run's conf
    conf = {"interval_start": None, "interval_end": None} if "interval_start" in dag.params else None
    return run(dag, logical_date=interval_logical_date(day), check=check, conf=conf)


def run_days(dag: Any, first: date, last: date, *, check: bool = True) -> Any:
    """One ingest run that loads the local days ``first``..``last`` as one batch (a backfill)."""
    if first == last:
        return run_day(dag, last, check=check)
    conf = {"interval_start": first.isoformat(), "interval_end": last.isoformat()}
    return run(dag, logical_date=interval_logical_date(last), check=check, conf=conf)
