"""The read-only BI role sees the published marts and nothing else (DESIGN §5).

On a fresh database of the real server: every schema of the warehouse gets a table, the build
schema is published with ``include.publish.publish`` (which creates the role when it is missing
and grants it the published schema), then the test connects *as the BI role* and checks what it
may and may not do. Roles are cluster-wide, so every run uses its own role name (``CJW_BI_ROLE``)
and drops it at the end.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import errors, sql
from psycopg.conninfo import make_conninfo

from include import publish

pytestmark = pytest.mark.timeout(120)

PRIVATE_SCHEMAS = ("raw", "staging", "intermediate", "config", "ops")


@dataclass
class BiRole:
    name: str
    password: str
    admin_dsn: str

    @property
    def dsn(self) -> str:
        """The warehouse DSN with the BI role's credentials (password auth or trust alike)."""
        return make_conninfo(self.admin_dsn, user=self.name, password=self.password)


@pytest.fixture()
def bi_role(fresh_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[BiRole]:
    """A unique BI role name for this run; the role is dropped afterwards (before the database)."""
    role = BiRole(f"cjw_bi_test_{uuid.uuid4().hex[:10]}", secrets.token_hex(16), fresh_db)
    monkeypatch.setenv("CJW_BI_ROLE", role.name)
    try:
        yield role
    finally:
        with psycopg.connect(fresh_db, autocommit=True) as conn:
            exists = conn.execute("select 1 from pg_roles where rolname = %s", (role.name,)).fetchone()
            if exists:
                ident = sql.Identifier(role.name)
                conn.execute(sql.SQL("drop owned by {}").format(ident))  # its grants in this database
                conn.execute(sql.SQL("drop role {}").format(ident))


def _build_warehouse(dsn: str) -> None:
    """One table in every schema of the warehouse, and a build schema with two marts."""
    with psycopg.connect(dsn) as conn:
        for schema in PRIVATE_SCHEMAS:
            conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
            conn.execute(
                sql.SQL("create table {}.secret as select 1 as id, 'не для BI' as note").format(sql.Identifier(schema))
            )
        conn.execute("create schema marts__build")
        conn.execute("create table marts__build.dim_kpis as select 'office_wait_walkin' as kpi_id, 0.9 as norm_value")
        conn.execute(
            "create table marts__build.fct_touchpoint_kpis as"
            " select 'office_wait_walkin' as kpi_id, 'ens-01' as office_id, 0.75 as value"
        )


def _as_role(role: BiRole, statement: str, *, read_write: bool = False) -> list[tuple[object, ...]]:
    with psycopg.connect(role.dsn, connect_timeout=10, autocommit=read_write) as conn:
        if read_write:  # any session may turn its default off: privileges must still refuse
            conn.execute("set default_transaction_read_only = off")
        cursor = conn.execute(statement)  # type: ignore[arg-type]
        return list(cursor.fetchall()) if cursor.description else []


def test_the_bi_role_reads_the_published_marts_and_nothing_else(bi_role: BiRole) -> None:
    _build_warehouse(bi_role.admin_dsn)
    result = publish.publish("test-bi-role")
    assert result["tables"] == 2

    with psycopg.connect(bi_role.admin_dsn, autocommit=True) as conn:
        created = conn.execute(
            "select rolcanlogin, rolsuper, rolcreatedb, rolcreaterole from pg_roles where rolname = %s",
            (bi_role.name,),
        ).fetchone()
        assert created == (True, False, False, False), "publish creates a login role without powers"
        conn.execute(
            sql.SQL("alter role {} password {}").format(sql.Identifier(bi_role.name), sql.Literal(bi_role.password))
        )

    # the published marts: readable
    assert _as_role(bi_role, "select kpi_id, office_id, value from marts.fct_touchpoint_kpis") == [
        ("office_wait_walkin", "ens-01", pytest.approx(0.75))
    ]
    assert _as_role(bi_role, "select count(*) from marts.dim_kpis") == [(1,)]
    assert _as_role(bi_role, "select current_user") == [(bi_role.name,)]

    # everything else: insufficient privilege
    denied = [f"select * from {schema}.secret" for schema in PRIVATE_SCHEMAS]
    denied += ["select * from ops.publish_log"]
    for statement in denied:
        with pytest.raises(errors.InsufficientPrivilege):
            _as_role(bi_role, statement)

    # read-only: no new tables, no temporary ones, no writes in the published schema — refused by
    # the session's default (read-only transactions) and, when the session turns that off, by the
    # privileges themselves
    writes = (
        "create table marts.mine (id int)",
        "create temporary table mine (id int)",
        "insert into marts.dim_kpis values ('x', 1)",
        "update marts.fct_touchpoint_kpis set value = 1",
        "delete from marts.dim_kpis",
        "truncate marts.dim_kpis",
        "drop table marts.dim_kpis",
    )
    assert _as_role(bi_role, "show default_transaction_read_only") == [("on",)]
    for statement in writes:
        with pytest.raises(errors.ReadOnlySqlTransaction):
            _as_role(bi_role, statement)
        with pytest.raises(errors.InsufficientPrivilege):
            _as_role(bi_role, statement, read_write=True)


def test_the_next_build_is_neither_visible_before_nor_hidden_after_its_publish(bi_role: BiRole) -> None:
    _build_warehouse(bi_role.admin_dsn)
    publish.publish("first")
    with psycopg.connect(bi_role.admin_dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("alter role {} password {}").format(sql.Identifier(bi_role.name), sql.Literal(bi_role.password))
        )
        # the next build is being written: BI must not see it
        conn.execute("create schema marts__build")
        conn.execute("create table marts__build.fct_touchpoint_kpis as select 'call_asa' as kpi_id, 61 as value")
        conn.execute("create table marts__build.dim_offices as select 'ens-02' as office_id")

    with pytest.raises(errors.InsufficientPrivilege):
        _as_role(bi_role, "select * from marts__build.fct_touchpoint_kpis")
    assert _as_role(bi_role, "select kpi_id from marts.fct_touchpoint_kpis") == [("office_wait_walkin",)]

    publish.publish("second")
    # the swapped-in schema is a new object: publish grants it again, tables new in this build too
    assert _as_role(bi_role, "select kpi_id, value from marts.fct_touchpoint_kpis") == [("call_asa", 61)]
    assert _as_role(bi_role, "select office_id from marts.dim_offices") == [("ens-02",)]
    with pytest.raises(errors.UndefinedTable):
        _as_role(bi_role, "select * from marts.dim_kpis")  # not in the second build
    # the first build, swapped out, is the next build's starting point: BI reads it no more, and
    # publishing again without a build (which would bring it back) is refused
    with pytest.raises(errors.InsufficientPrivilege):
        _as_role(bi_role, "select * from marts__build.dim_kpis")
    with pytest.raises(publish.PublishError, match="build first"):
        publish.publish("third")
    assert _as_role(bi_role, "select kpi_id, value from marts.fct_touchpoint_kpis") == [("call_asa", 61)]
    with pytest.raises(errors.InsufficientPrivilege):
        _as_role(bi_role, "select * from raw.secret")
