"""The production stack (docker-compose.yml and docker/), checked without a Docker engine.

Static checks of the compose file (pinned images, health checks, dependency conditions, no secret
in the file, every variable documented in .env.example, volumes), of the Airflow image (its base
is the Airflow version of uv.lock) and of the Superset provisioning (it reads only marts that
dbt builds, through the read-only role). The PostgreSQL init script is run for real on the test
server with throw-away names, and the publish step is run against it as the warehouse owner.
``docker compose config`` runs too when the Docker CLI has the compose plugin.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from psycopg import errors, sql
from psycopg.conninfo import make_conninfo

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKER = ROOT / "docker"
SUPERSET_BUNDLE = DOCKER / "superset" / "dashboard"
MARTS = ROOT / "dbt" / "models" / "marts"
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
ONE_SHOT = {"airflow-init", "superset-init"}

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(compose["services"])


def _env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value
    return values


def _secret_variables() -> set[str]:
    """Variables of .env.example announced as secrets (``# @secret <kind>``)."""
    found, pending = set(), False
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("# @secret"):
            pending = True
        elif pending and "=" in line and not line.lstrip().startswith("#"):
            found.add(line.split("=", 1)[0].strip())
            pending = False
    return found


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def _marts_models() -> dict[str, set[str]]:
    """Model name → documented columns, for every model in dbt/models/marts."""
    models: dict[str, set[str]] = {path.stem: set() for path in MARTS.glob("*.sql")}
    for doc in MARTS.glob("*.yml"):
        for model in (yaml.safe_load(doc.read_text(encoding="utf-8")) or {}).get("models", []):
            if model["name"] in models:
                models[model["name"]] |= {column["name"] for column in model.get("columns", [])}
    return models


# ----------------------------------------------------------------------------- compose file


def test_every_service_has_a_pinned_image_or_a_build(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        assert "image" in service or "build" in service, name
        image = service.get("image")
        if image and "build" not in service:
            repository, _, tag = image.rpartition(":")
            assert repository and re.search(r"\d", tag) and tag != "latest", f"{name}: {image} is not pinned"
        if "build" in service:
            build = service["build"]
            dockerfile = ROOT / build["context"] / build.get("dockerfile", "Dockerfile")
            assert dockerfile.is_file(), f"{name}: {dockerfile} missing"
    for dockerfile in DOCKER.rglob("*Dockerfile"):
        for line in dockerfile.read_text(encoding="utf-8").splitlines():
            if line.startswith("FROM "):
                image = line.split()[1]
                assert ":" in image and not image.endswith(":latest"), f"{dockerfile}: {line}"
    assert "latest" not in COMPOSE_FILE.read_text(encoding="utf-8")


def test_long_running_services_have_health_checks_and_restart(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if name in ONE_SHOT:
            assert str(service.get("restart")) == "no", f"{name} runs once"
            continue
        assert service.get("restart") in ("unless-stopped", "always", "on-failure"), f"{name}: restart policy"
        check = service.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"
        assert check.get("interval") and check.get("retries"), name


def test_dependencies_exist_and_wait_for_health_or_completion(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: depends_on needs conditions"
        for other, spec in depends.items():
            assert other in services and other != name, f"{name} depends on unknown {other}"
            condition = spec.get("condition")
            if other in ONE_SHOT:
                assert condition == "service_completed_successfully", (name, other)
            else:
                assert condition == "service_healthy", (name, other)
                assert services[other].get("healthcheck"), f"{name} waits for {other}, which has no health check"
    airflow = [n for n in services if n.startswith("airflow-") and n != "airflow-init"]
    assert {"airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"} <= set(airflow)
    for name in airflow:
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"
    assert services["superset"]["depends_on"]["superset-init"]["condition"] == "service_completed_successfully"


def test_no_secret_is_written_in_the_compose_file(services: dict[str, dict[str, Any]]) -> None:
    secretish = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|_KEY$|^AIRFLOW_CONN_|DSN|SQL_ALCHEMY_CONN|BROKER|BACKEND")
    for name, service in services.items():
        for key, value in _environment(service).items():
            if secretish.search(key) and not key.endswith("_FILE"):  # a path is not a secret
                assert VARIABLE.search(value), f"{name}: {key} must come from .env, not {value!r}"
            for userinfo in re.findall(r"://([^/@\s]*)@", value):
                password = userinfo.partition(":")[2]
                assert not password or VARIABLE.fullmatch(password), f"{name}: {key} has a password literal"
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert not re.search(r"[0-9a-f]{24,}", text), "nothing that looks like a key"


def test_every_variable_is_in_env_example_and_secrets_are_required() -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    used = {match.group(1): match.group(2) for match in VARIABLE.finditer(text)}
    documented = _env_example()
    assert set(used) - set(documented) == set(), "every ${VAR} of docker-compose.yml is in .env.example"
    secrets = _secret_variables()
    assert {"POSTGRES_PASSWORD", "CJW_BI_PASSWORD", "AIRFLOW_CONN_CJW_PSEUDONYMISATION"} <= secrets
    for name in secrets:
        assert name in used, f"{name} is documented as a secret but not used"
        assert documented[name] == "", f"{name} has a value in .env.example"
        uses = {m.group(2) for m in VARIABLE.finditer(text) if m.group(1) == name}
        assert uses == {":?"}, f"{name}: compose must refuse to start without it (${{{name}:?…}})"


def test_volumes_are_named_and_declared(compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    declared = set(compose.get("volumes") or {})
    used = set()
    for name, service in services.items():
        for volume in service.get("volumes") or []:
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume["source"]
            if not source.startswith((".", "/", "$")):
                assert source in declared, f"{name} uses undeclared volume {source}"
                used.add(source)
    assert used == declared
    assert any(v.startswith("postgres-data:/var/lib/postgresql/data") for v in services["postgres"]["volumes"])
    assert any(v.startswith("redis-data:/data") for v in services["redis"]["volumes"])


def test_airflow_runs_celery_workers_against_redis_and_postgres(services: dict[str, dict[str, Any]]) -> None:
    airflow = {n: s for n, s in services.items() if n.startswith("airflow-")}
    assert len({s["image"] for s in airflow.values()}) == 1, "one Airflow image"
    for name, service in airflow.items():
        env = _environment(service)
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert (
            env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
            and "@redis:6379/" in env["AIRFLOW__CELERY__BROKER_URL"]
        )
        assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://")
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://airflow:")
        # Airflow 3 opens an async engine too: psycopg 3 is locked, asyncpg is not
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"].startswith("postgresql+psycopg://airflow:")
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
        assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/airflow/project/dags"
        assert env["WAREHOUSE_DSN"].startswith("postgresql://cjw:") and env["WAREHOUSE_DSN"].endswith(
            "@postgres:5432/cjw"
        )
        assert env["CJW_BI_ROLE"] == "cjw_bi"
        assert {"AIRFLOW_CONN_CJW_PSEUDONYMISATION", "AIRFLOW_CONN_CJW_WAREHOUSE"} <= set(env)
        # dbt connects through the Airflow connection (include/dbt_profile.py), every other task
        # through WAREHOUSE_DSN: one warehouse
        assert env["AIRFLOW_CONN_CJW_WAREHOUSE"] == env["WAREHOUSE_DSN"], name
        assert any(str(v).startswith(".:/opt/airflow/project") for v in service["volumes"]), name
    assert services["airflow-worker"]["command"] == "celery worker"
    assert services["airflow-worker"]["deploy"]["replicas"] == 2
    assert services["airflow-init"]["entrypoint"][-1] == "/opt/airflow/project/docker/airflow/init.sh"


def test_the_ui_ports_are_published(services: dict[str, dict[str, Any]]) -> None:
    def container_ports(service: dict[str, Any]) -> set[str]:
        return {str(p).rsplit(":", 1)[-1] for p in service.get("ports") or []}

    assert "8080" in container_ports(services["airflow-apiserver"])
    assert "8088" in container_ports(services["superset"])
    assert "5432" in container_ports(services["postgres"])  # BI tools outside Docker


def test_shell_scripts_parse() -> None:
    scripts = sorted(DOCKER.rglob("*.sh"))
    assert {s.name for s in scripts} >= {"initdb.sh", "init.sh", "superset-init.sh", "superset-run.sh"}
    for script in scripts:
        result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{script}: {result.stderr}"
    assert (DOCKER / "postgres" / "initdb.sh").stat().st_mode & 0o111, "the postgres image runs it only if executable"


# ----------------------------------------------------------------------------- Airflow image


def test_the_airflow_image_is_the_locked_airflow_with_the_locked_dependencies() -> None:
    dockerfile = (DOCKER / "airflow.Dockerfile").read_text(encoding="utf-8")
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    locked = {p["name"]: p["version"] for p in lock["package"]}
    base = re.search(r"^FROM apache/airflow:(\S+)-python(\d+\.\d+)\s*$", dockerfile, re.MULTILINE)
    assert base, "FROM apache/airflow:<version>-python<x.y>"
    assert base.group(1) == locked["apache-airflow"], "the base image is the Airflow of uv.lock"
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    assert f">={base.group(2)}" in requires, f"python {base.group(2)} matches requires-python {requires}"
    uv_pin = re.search(r"^UV_VERSION := (\S+)", (ROOT / "Makefile").read_text(encoding="utf-8"), re.MULTILINE)
    assert uv_pin and f"ARG UV_VERSION={uv_pin.group(1)}" in dockerfile, "the uv the Makefile pins"
    for flag in ("--frozen", "--no-dev", "--require-hashes", "--no-deps", "uv.lock"):
        assert flag in dockerfile, flag
    ignore = (DOCKER / "airflow.Dockerfile.dockerignore").read_text(encoding="utf-8").split()
    assert ignore[-3:] == ["*", "!pyproject.toml", "!uv.lock"] or {"*", "!pyproject.toml", "!uv.lock"} <= set(ignore)


def test_the_locked_requirements_export_installs_from_wheels_only() -> None:
    """Every package the image installs from the lock has a wheel (the image has no compiler)."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    packages = {p["name"]: p for p in lock["package"]}
    todo, runtime = [d["name"] for d in packages["cjw"]["dependencies"]], set()
    while todo:  # the runtime closure (what `uv export --no-dev` lists), extras included
        name = todo.pop()
        if name in runtime or name == "pgserver":  # pgserver is left out of the image
            continue
        runtime.add(name)
        package = packages[name]
        todo += [d["name"] for d in package.get("dependencies", [])]
        todo += [d["name"] for deps in package.get("optional-dependencies", {}).values() for d in deps]
    assert {"apache-airflow", "astronomer-cosmos", "dbt-postgres", "psycopg-binary"} <= runtime
    for name in runtime:
        wheels = [w["url"].rsplit("/", 1)[-1] for w in packages[name].get("wheels", [])]
        assert any(w.endswith("-none-any.whl") or "manylinux" in w for w in wheels), f"{name} has no Linux wheel"


# ----------------------------------------------------------------------------- PostgreSQL init


def test_the_init_script_creates_the_databases_and_roles() -> None:
    script = (DOCKER / "postgres" / "init.sql").read_text(encoding="utf-8").lower()
    for statement in (
        'create role :"warehouse_owner" login',
        'create role :"airflow_role" login',
        'create role :"superset_role" login',
        'create role :"bi_role" login',
        'create database :"warehouse_db" owner :"warehouse_owner"',
        'create database :"airflow_db" owner :"airflow_role"',
        'create database :"superset_db" owner :"superset_role"',
        'revoke all on database :"warehouse_db" from public',
        'grant connect on database :"warehouse_db" to :"bi_role"',
        'alter role :"bi_role" set default_transaction_read_only = on',
    ):
        assert statement in script, statement
    wrapper = (DOCKER / "postgres" / "initdb.sh").read_text(encoding="utf-8")
    for binding in (
        "warehouse_db=cjw",
        "warehouse_owner=cjw",
        "bi_role=cjw_bi",
        "airflow_db=airflow",
        "superset_db=superset",
    ):
        assert f"-v {binding} " in wrapper, binding


def _psql() -> str | None:
    try:
        from tools.warehouse import pg_bindir

        candidate = pg_bindir() / "psql"
        if candidate.is_file():
            return str(candidate)
    except RuntimeError:
        pass
    return shutil.which("psql")


@pytest.fixture()
def initialised(server_dsn: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """docker/postgres/init.sql run on the test server with throw-away names; removed afterwards."""
    psql = _psql()
    if psql is None:
        pytest.skip("no psql binary (neither the pgserver wheel's nor the system's)")
    suffix = uuid.uuid4().hex[:8]
    names = {
        "warehouse_db": f"cjw_init_{suffix}",
        "warehouse_owner": f"cjw_owner_{suffix}",
        "warehouse_password": uuid.uuid4().hex,
        "bi_role": f"cjw_bi_init_{suffix}",
        "bi_password": uuid.uuid4().hex,
        "airflow_db": f"airflow_init_{suffix}",
        "airflow_role": f"airflow_init_{suffix}",
        "airflow_password": uuid.uuid4().hex,
        "superset_db": f"superset_init_{suffix}",
        "superset_role": f"superset_init_{suffix}",
        "superset_password": uuid.uuid4().hex,
    }
    args = [psql, "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-d", server_dsn, "-f", str(DOCKER / "postgres" / "init.sql")]
    for key, value in names.items():
        args[1:1] = ["-v", f"{key}={value}"]
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr
        monkeypatch.setenv("CJW_BI_ROLE", names["bi_role"])
        yield names
    finally:
        with psycopg.connect(server_dsn, autocommit=True) as conn:
            for db in ("warehouse_db", "airflow_db", "superset_db"):
                conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(names[db])))
            for role in ("bi_role", "warehouse_owner", "airflow_role", "superset_role"):
                conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(names[role])))


PASSWORDS = {
    "warehouse_owner": "warehouse_password",
    "bi_role": "bi_password",
    "airflow_role": "airflow_password",
    "superset_role": "superset_password",
}


def _as(server_dsn: str, names: dict[str, str], role: str, database: str) -> str:
    """DSN of the test server as ``role`` (its password; trust servers ignore it) on ``database``."""
    return make_conninfo(server_dsn, user=names[role], password=names[PASSWORDS[role]], dbname=names[database])


def test_the_init_script_runs_and_publish_works_as_the_warehouse_owner(
    server_dsn: str, initialised: dict[str, str]
) -> None:
    from include import publish

    names = initialised
    owner = _as(server_dsn, names, "warehouse_owner", "warehouse_db")
    bi = _as(server_dsn, names, "bi_role", "warehouse_db")
    with psycopg.connect(server_dsn) as conn:
        roles = dict(
            conn.execute(
                "select rolname, rolsuper or rolcreatedb or rolcreaterole from pg_roles where rolname = any(%s)",
                ([names[r] for r in ("warehouse_owner", "bi_role", "airflow_role", "superset_role")],),
            ).fetchall()
        )
    assert roles == dict.fromkeys(roles, False) and len(roles) == 4, "four login roles without powers"

    # the owner builds and publishes (no superuser needed): schemas, a build, the swap, the grants
    with psycopg.connect(owner) as conn:
        conn.execute("create schema raw")
        conn.execute("create table raw.secret as select 1 as id")
        conn.execute("create schema marts__build")
        conn.execute("create table marts__build.fct_touchpoint_kpis as select 'call_asa' as kpi_id, 61 as value")
    publish.publish("init-sql", dsn=owner)

    with psycopg.connect(bi) as conn:
        assert conn.execute("select kpi_id, value from marts.fct_touchpoint_kpis").fetchall() == [("call_asa", 61)]
        assert conn.execute("show default_transaction_read_only").fetchone() == ("on",)
    for statement in ("select * from raw.secret", "create schema mine", "create table public.mine (id int)"):
        with pytest.raises((errors.InsufficientPrivilege, errors.ReadOnlySqlTransaction)), psycopg.connect(bi) as conn:
            conn.execute(statement)
    # Airflow's and Superset's roles own their databases and cannot open the warehouse
    for role, database in (("airflow_role", "airflow_db"), ("superset_role", "superset_db")):
        with psycopg.connect(_as(server_dsn, names, role, database)) as conn:
            conn.execute("create table mine (id int)")
        with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
            psycopg.connect(_as(server_dsn, names, role, "warehouse_db"), connect_timeout=5).close()


# ----------------------------------------------------------------------------- Superset


def _bundle() -> dict[str, list[dict[str, Any]]]:
    parts: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(SUPERSET_BUNDLE.rglob("*.yaml")):
        kind = path.relative_to(SUPERSET_BUNDLE).parts[0]
        parts.setdefault(kind, []).append(yaml.safe_load(path.read_text(encoding="utf-8")))
    return parts


def test_superset_reads_only_marts_that_dbt_builds() -> None:
    models = _marts_models()
    assert {"fct_touchpoint_kpis", "dim_kpis", "dim_offices"} <= set(models)
    bundle = _bundle()
    referenced = set()
    for dataset in bundle["datasets"]:
        assert dataset["schema"] == "marts", dataset["table_name"]
        if dataset.get("sql"):
            query = dataset["sql"]
            assert not re.search(r"\b(raw|staging|intermediate|config|ops|marts__build)\.", query)
            tables = dict(re.findall(r"\bmarts\.(\w+)\s+as\s+(\w+)", query))
            assert tables, "the virtual dataset reads marts.* with aliases"
            referenced |= set(tables)
            for alias, column in re.findall(r"\b(\w+)\.(\w+)\b", query):
                if alias in tables.values():
                    model = next(t for t, a in tables.items() if a == alias)
                    assert column in models.get(model, set()), f"{model}.{column} is not a documented column"
        else:
            referenced.add(dataset["table_name"])
            assert {c["column_name"] for c in dataset["columns"] if not c.get("expression")} <= models.get(
                dataset["table_name"], set()
            ), dataset["table_name"]
    assert referenced <= set(models), f"not built by dbt: {referenced - set(models)}"
    assert {"fct_touchpoint_kpis", "dim_kpis", "dim_offices"} <= referenced


def test_superset_connects_with_the_read_only_role_and_no_password_in_the_repository() -> None:
    [database] = _bundle()["databases"]
    uri = database["sqlalchemy_uri"]
    assert re.fullmatch(r"postgresql\+psycopg2://cjw_bi:X{10}@postgres:5432/cjw", uri), uri
    assert "password" not in database
    assert database["allow_dml"] is False and database["allow_csv_upload"] is False
    provision = (DOCKER / "superset" / "provision.py").read_text(encoding="utf-8")
    assert 'os.environ["CJW_BI_PASSWORD"]' in provision


def test_the_superset_dashboard_is_consistent_and_russian() -> None:
    bundle = _bundle()
    datasets = {d["uuid"]: d for d in bundle["datasets"]}
    database_uuid = bundle["databases"][0]["uuid"]
    assert {d["database_uuid"] for d in datasets.values()} == {database_uuid}
    charts = {c["uuid"]: c for c in bundle["charts"]}
    [dashboard] = bundle["dashboards"]
    assert re.search("[А-Яа-яЁё]", dashboard["dashboard_title"])
    placed = {
        n["meta"]["uuid"] for n in dashboard["position"].values() if isinstance(n, dict) and n.get("type") == "CHART"
    }
    assert placed == set(charts), "every chart is on the dashboard, nothing else"
    for chart in charts.values():
        assert re.search("[А-Яа-яЁё]", chart["slice_name"]), chart["slice_name"]
        dataset = datasets[chart["dataset_uuid"]]
        columns = {c["column_name"] for c in dataset["columns"]}
        metrics = {m["metric_name"] for m in dataset["metrics"]}
        params = chart["params"]
        used = set(params.get("groupby") or []) | set(params.get("all_columns") or [])
        used |= {params["x_axis"]} if params.get("x_axis") else set()
        used |= {f["subject"] for f in params.get("adhoc_filters") or [] if f.get("expressionType") == "SIMPLE"}
        used |= {json.loads(o)[0] for o in params.get("order_by_cols") or []}
        assert used <= columns, f"{chart['slice_name']}: unknown columns {used - columns}"
        wanted = set(params.get("metrics") or []) | ({params["metric"]} if params.get("metric") else set())
        assert wanted <= metrics, f"{chart['slice_name']}: unknown metrics {wanted - metrics}"
    for native in dashboard["metadata"]["native_filter_configuration"]:
        for target in native["targets"]:
            if target:
                assert target["column"]["name"] in {
                    c["column_name"] for c in datasets[target["datasetUuid"]]["columns"]
                }


# ----------------------------------------------------------------------------- .env generator


def test_make_env_writes_every_secret(tmp_path: Path) -> None:
    out = tmp_path / ".env"
    result = subprocess.run(
        [sys.executable, str(DOCKER / "make_env.py"), "--out", str(out)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    values = dict(line.split("=", 1) for line in out.read_text().splitlines() if line and not line.startswith("#"))
    secrets = _secret_variables()
    assert all(values[name] for name in secrets)
    assert len({values[name] for name in secrets}) == len(secrets), "every secret is different"
    connection = json.loads(values["AIRFLOW_CONN_CJW_PSEUDONYMISATION"].strip("'"))
    assert connection["conn_type"] == "generic" and re.fullmatch(r"[0-9a-f]{64}", connection["password"])
    assert re.fullmatch(r"[0-9a-f]{48}", values["CJW_BI_PASSWORD"])
    assert out.stat().st_mode & 0o077 == 0, ".env is private"
    again = subprocess.run(
        [sys.executable, str(DOCKER / "make_env.py"), "--out", str(out)], capture_output=True, text=True, check=False
    )
    assert (
        "left as it is" in again.stdout
        and json.loads(
            dict(line.split("=", 1) for line in out.read_text().splitlines() if line and not line.startswith("#"))[
                "AIRFLOW_CONN_CJW_PSEUDONYMISATION"
            ].strip("'")
        )
        == connection
    ), "an existing .env (and its pseudonymisation key) is never replaced"


# ----------------------------------------------------------------------------- docker compose config


def _compose_cli() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0:
        return [docker, "compose"]
    return None


def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("the Docker CLI has no compose plugin here (`docker compose version` fails)")
    env = tmp_path / ".env"
    subprocess.run([sys.executable, str(DOCKER / "make_env.py"), "--out", str(env)], check=True, capture_output=True)
    result = subprocess.run(
        [*cli, "-f", str(COMPOSE_FILE), "--env-file", str(env), "config", "-q"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
