"""Hostname of an Airflow worker, from the environment (``[core] hostname_callable``).

Airflow records the worker's hostname on every task instance (``task_instance.hostname``) and
checks it on every heartbeat. Several Celery workers on one machine (the Celery test, or two
``airflow celery worker`` processes on one host) all have the same host name; with
``AIRFLOW__CORE__HOSTNAME_CALLABLE=include.celery_hostname.hostname`` and a different
``CJW_WORKER_NAME`` per worker process they are told apart. Without the variable it is the
machine's fully qualified name, as Airflow's default.
"""

from __future__ import annotations

import os
import socket

ENV_VAR = "CJW_WORKER_NAME"


def hostname() -> str:
    """``CJW_WORKER_NAME`` when set, else the fully qualified host name."""
    return os.environ.get(ENV_VAR) or socket.getfqdn()
