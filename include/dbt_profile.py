"""The dbt connection of the ``build_journeys`` DAG: a Cosmos profile mapping of an Airflow connection.

The connection is the Airflow connection ``CJW_WAREHOUSE_CONN_ID`` (default ``cjw_warehouse``):
in production the one the operator defines, in docker-compose ``AIRFLOW_CONN_CJW_WAREHOUSE``
(the same server and credentials as ``WAREHOUSE_DSN``). Where Airflow has no connection of that
id — the demo, ``make airflow`` and the tests run Airflow with ``WAREHOUSE_DSN`` alone — it is
the connection ``WAREHOUSE_DSN`` describes, read when the task runs (a test points
``WAREHOUSE_DSN`` at its own database).

Cosmos's ``PostgresUserPasswordProfileMapping`` requires a password, and our servers (the local
PostgreSQL, the embedded one) use trust authentication: :class:`WarehouseProfileMapping` takes
the password when the connection has one and none (dbt-postgres's empty password, as
``dbt/profiles.yml`` gives it) when it has not; it is never written into the profile file, Cosmos
hands it to dbt in an environment variable.

Run by hand, dbt keeps ``dbt/profiles.yml`` (``python -m include.dbt_runner …``).
"""

from __future__ import annotations

import json
import os
from typing import Any

from cosmos import ProfileConfig
from cosmos.profiles import PostgresUserPasswordProfileMapping

from include import settings

DEFAULT_CONN_ID = "cjw_warehouse"


def warehouse_conn_id() -> str:
    """The id of the Airflow connection dbt builds the warehouse through."""
    return os.environ.get("CJW_WAREHOUSE_CONN_ID") or DEFAULT_CONN_ID


def connection_from_dsn(conn_id: str, dsn: str) -> Any:
    """The Airflow connection (type ``postgres``) a libpq DSN — URI or ``key=value`` — describes."""
    from airflow.sdk import Connection
    from psycopg.conninfo import conninfo_to_dict

    parts = conninfo_to_dict(dsn)
    extra = {key: str(parts[key]) for key in ("sslmode",) if parts.get(key)}
    return Connection(
        conn_id=conn_id,
        conn_type="postgres",
        host=str(parts.get("host") or "127.0.0.1"),
        port=int(parts.get("port") or 5432),
        login=str(parts.get("user") or "postgres"),
        password=str(parts["password"]) if parts.get("password") else None,
        schema=str(parts.get("dbname") or "postgres"),
        extra=json.dumps(extra) if extra else None,
    )


class WarehouseProfileMapping(PostgresUserPasswordProfileMapping):
    """``PostgresUserPasswordProfileMapping`` whose password is optional (trust authentication),
    over the Airflow connection ``conn_id`` or, when Airflow has none, ``WAREHOUSE_DSN``."""

    required_fields = ["host", "user", "dbname"]  # noqa: RUF012 (overrides the base class attribute)

    _warehouse_conn: Any = None

    @property
    def conn(self) -> Any:
        if self._warehouse_conn is None:
            from airflow.sdk.exceptions import AirflowNotFoundException

            try:
                self._warehouse_conn = super().conn
            except AirflowNotFoundException:
                self._warehouse_conn = connection_from_dsn(self.conn_id, settings.warehouse_dsn())
        return self._warehouse_conn

    def _has_password(self) -> bool:
        return bool(self.get_dbt_value("password"))

    @property
    def profile(self) -> dict[str, Any | None]:
        profile = super().profile  # the password as an env_var() of the variable env_vars sets
        if not self._has_password():
            profile["password"] = ""  # trust authentication: dbt-postgres wants the key, libpq no password
        return profile

    @property
    def mock_profile(self) -> dict[str, Any | None]:
        return {**super().mock_profile, "password": ""}

    @property
    def env_vars(self) -> dict[str, str]:
        if self._has_password():
            return super().env_vars
        env = {}
        if self.disable_event_tracking:
            env.update({"DBT_SEND_ANONYMOUS_USAGE_STATS": "False", "DO_NOT_TRACK": "1"})
        return env


def warehouse_profile_config() -> ProfileConfig:
    """The profile of every dbt task of ``build_journeys`` (the settings of ``dbt/profiles.yml``)."""
    return ProfileConfig(
        profile_name="cjw",
        target_name="warehouse",
        profile_mapping=WarehouseProfileMapping(
            conn_id=warehouse_conn_id(),
            profile_args={
                "schema": os.environ.get("CJW_DBT_SCHEMA", "analytics"),
                "threads": int(os.environ.get("CJW_DBT_THREADS", "2")),
                "connect_timeout": 10,
                "keepalives_idle": 0,
            },
        ),
    )
