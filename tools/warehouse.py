"""The project's own embedded PostgreSQL: used whenever ``WAREHOUSE_DSN`` is not set.

``start()`` runs ``initdb`` once and ``pg_ctl start`` on a free port of 127.0.0.1, with the
unix-socket folder inside the warehouse home, and returns the DSN of database ``cjw``.
Calling it again reuses the running server; stale state (a reboot, ``kill -9``) is cleaned up.

Layout of the home (``include.settings.warehouse_home()``, default ``<project>/var/warehouse``)::

    state.json          port, bindir, pid, dsn, started_at, version, real data location
    data/ run/ log/     cluster, socket folder, log/postgres.log (0700, server's user)

Binaries: ``CJW_PG_BINDIR``; else the pinned ``pgserver`` wheel's ``pginstall/bin`` (only its
binaries: its Python start-up API is never used); else the system's.

PostgreSQL refuses to run as root. Started as root, every PostgreSQL program runs as an
unprivileged user (``CJW_PG_USER``, default ``nobody``; ``user:group`` accepted) through
``subprocess``'s ``user=``/``group=``/``extra_groups=[]``: CPython switches ids in the forked
child in C (setgroups, setregid, setreuid) right before ``exec``, which is safe in threaded
programs such as Airflow (a Python ``preexec_fn`` is not) and needs no ``setpriv``.
If that user cannot reach the home or the binaries (the project under a root-owned 0700
folder, e.g. a ``mktemp -d`` clone), data/run/log move to ``/tmp/cjw-warehouse-<hash>`` and
the wheel's binaries are copied there once; state.json stays in the home and records it.

Command line: ``python -m tools.warehouse start|stop|status|dsn [--home PATH]``.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import grp
import hashlib
import importlib.util
import json
import logging
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from include import settings

log = logging.getLogger(__name__)

DATABASE = "cjw"
SUPERUSER = "postgres"
LISTEN_HOST = "127.0.0.1"
DEFAULT_PG_USER = "nobody"
FALLBACK_PARENT = Path("/tmp")
START_TIMEOUT_S = 60
PORT_ATTEMPTS = 5
ORPHAN_WAIT_S = 10.0
LOG_ROTATE_BYTES = 20 * 1024 * 1024
# sun_path is 108 bytes on Linux; PostgreSQL needs room for "/.s.PGSQL.65535" and a NUL.
SOCKET_PATH_MAX = 107

# Small-machine settings; Airflow, dbt and the tests connect concurrently.
# wal_level minimal: the embedded warehouse has no replica or WAL archive, and with it a table a
# transaction creates (every table model of a dbt build: create table as, then its indexes) is
# written once, not once more into the WAL. Still crash-safe: the table's files are synced at
# commit. A production server that streams to a replica keeps its own wal_level (compose).
SERVER_SETTINGS: dict[str, str] = {
    "max_connections": "200",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "shared_buffers": "128MB",
    "work_mem": "16MB",
    "maintenance_work_mem": "256MB",
    "fsync": "on",
    "synchronous_commit": "on",
    "max_wal_size": "2GB",
    "unix_socket_permissions": "0700",
}


# ----------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class RunAs:
    """The unprivileged account PostgreSQL runs as when we are root."""

    name: str
    uid: int
    gid: int


@dataclass(frozen=True)
class Layout:
    """Where one embedded warehouse keeps its files and finds its binaries."""

    home: Path
    base: Path
    bindir: Path
    run_as: RunAs | None
    fallback_reason: str | None = None

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def run(self) -> Path:
        return self.base / "run"

    @property
    def log_dir(self) -> Path:
        return self.base / "log"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "postgres.log"


@dataclass(frozen=True)
class StartResult:
    """What ``start`` did, for the command line's one-line report."""

    dsn: str
    reused: bool
    seconds: float
    initdb_seconds: float | None
    version: str


# ----------------------------------------------------------------------------- small helpers


def _home(home: Path | str | None) -> Path:
    return Path(home).expanduser().resolve() if home is not None else settings.warehouse_home()


def _state_file(home: Path) -> Path:
    return home / "state.json"


def dsn_for(port: int, database: str = DATABASE) -> str:
    """DSN of the embedded server on ``port`` (trust auth, loopback only)."""
    return f"postgresql://{SUPERUSER}@{LISTEN_HOST}:{port}/{database}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _read_state(home: Path) -> dict[str, Any] | None:
    try:
        return json.loads(_state_file(home).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _write_state(home: Path, state: dict[str, Any]) -> None:
    target = _state_file(home)
    tmp = target.with_name(f".state.json.{os.getpid()}")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, target)


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    """Serialise start/stop of one home across processes (Airflow tasks, tests, CLI)."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ----------------------------------------------------------------------------- binaries


def _wheel_bindir() -> Path | None:
    spec = importlib.util.find_spec("pgserver")  # locates the package, does not import it
    for location in (spec.submodule_search_locations or []) if spec else []:
        bindir = Path(location) / "pginstall" / "bin"
        if (bindir / "postgres").is_file():
            return bindir
    return None


def _major(path: Path) -> int:
    return int(path.name) if path.name.isdigit() else -1


def _system_bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], check=False, capture_output=True, text=True)
        bindir = Path(out.stdout.strip())
        if out.returncode == 0 and (bindir / "postgres").is_file():
            return bindir
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: _major(p.parent))
    candidates = [p for p in installed if (p / "postgres").is_file()]
    return candidates[-1] if candidates else None


def pg_bindir() -> Path:
    """PostgreSQL binaries: ``CJW_PG_BINDIR``, else the pgserver wheel's, else the system's."""
    configured = os.environ.get("CJW_PG_BINDIR")
    if configured:
        bindir = Path(configured).expanduser().resolve()
        if not (bindir / "postgres").is_file():
            raise RuntimeError(f"CJW_PG_BINDIR={configured} holds no 'postgres' binary")
        return bindir
    found = _wheel_bindir() or _system_bindir()
    if found is None:
        raise RuntimeError(
            "no PostgreSQL binaries: install the pinned 'pgserver' wheel (uv sync), "
            "or the system package, or set CJW_PG_BINDIR or WAREHOUSE_DSN"
        )
    return found


def _wheel_parts(bindir: Path) -> tuple[Path, Path] | None:
    """``(pginstall, pgserver.libs)`` when ``bindir`` is laid out like the pgserver wheel."""
    pginstall = bindir.parent
    libs = pginstall.parent.parent / "pgserver.libs"
    if pginstall.name == "pginstall" and libs.is_dir():
        return pginstall, libs
    return None


# ----------------------------------------------------------------------------- running programs


def _run_as_user() -> RunAs | None:
    """The account for PostgreSQL programs: ``None`` (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    spec = os.environ.get("CJW_PG_USER") or DEFAULT_PG_USER
    name, _, group = spec.partition(":")
    try:
        account = pwd.getpwnam(name)
        gid = grp.getgrnam(group).gr_gid if group else account.pw_gid
    except KeyError as exc:
        raise RuntimeError(f"CJW_PG_USER={spec!r}: no such user or group on this machine") from exc
    if account.pw_uid == 0:
        raise RuntimeError(f"CJW_PG_USER={spec!r} is root; PostgreSQL refuses to run as root")
    return RunAs(name=name, uid=account.pw_uid, gid=gid)


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(LC_ALL="C", LANG="C")
    return env


def _run(
    args: list[str], run_as: RunAs | None, cwd: Path | str = "/", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run one program, as ``run_as`` when given (ids switched in the child before exec)."""
    ids: dict[str, Any] = {}
    if run_as is not None:
        ids = {"user": run_as.uid, "group": run_as.gid, "extra_groups": []}
    return subprocess.run(
        args, check=False, cwd=cwd, env=_child_env(), capture_output=True, text=True, timeout=timeout, **ids
    )


def _checked(result: subprocess.CompletedProcess[str], what: str) -> str:
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"{what} failed (exit {result.returncode}): " + " | ".join(detail))
    return result.stdout


def _can_exec(run_as: RunAs | None, binary: Path) -> bool:
    try:
        return _run([str(binary), "--version"], run_as, timeout=30).returncode == 0
    except OSError:
        return False


def _can_reach(run_as: RunAs | None, folder: Path) -> bool:
    probe = ["/bin/sh", "-c", 'test -d "$1" && test -x "$1"', "probe", str(folder)]
    try:
        return _run(probe, run_as, timeout=30).returncode == 0
    except OSError:
        return False


def binary_version(bindir: Path, run_as: RunAs | None = None) -> str:
    """``16.2`` for the ``postgres`` in ``bindir``."""
    out = _checked(_run([str(bindir / "postgres"), "--version"], run_as), "postgres --version")
    found = re.search(r"(\d+(?:\.\d+)*)", out)
    if not found:
        raise RuntimeError(f"cannot read the PostgreSQL version from {out.strip()!r}")
    return found.group(1)


# ----------------------------------------------------------------------------- layout and fallback


def _fallback_root(home: Path) -> Path:
    digest = hashlib.sha256(str(home).encode("utf-8")).hexdigest()[:10]
    return FALLBACK_PARENT / f"cjw-warehouse-{digest}"


def _ensure_owned_dir(path: Path, uid: int, gid: int, mode: int) -> None:
    """Create ``path`` (not through a symlink) and give it exactly this owner and mode."""
    path.mkdir(parents=False, exist_ok=True)
    info = os.lstat(path)
    if not os.path.isdir(path) or os.path.islink(path):
        raise RuntimeError(f"{path} exists and is not a plain folder")
    if (info.st_uid, info.st_gid) != (uid, gid):
        if os.geteuid() != 0 and info.st_uid != uid:
            raise RuntimeError(f"{path} belongs to uid {info.st_uid}, not to us")
        _chown_tree(path, uid, gid)
    os.chmod(path, mode)


def _chown_tree(path: Path, uid: int, gid: int) -> None:
    os.chown(path, uid, gid, follow_symlinks=False)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(os.path.join(root, name), uid, gid, follow_symlinks=False)


def _private_root(home: Path) -> Path:
    """``/tmp/cjw-warehouse-<hash>``: ours (0711 when root: children hold the private parts)."""
    root = _fallback_root(home)
    _ensure_owned_dir(root, os.geteuid(), os.getegid(), 0o711 if os.geteuid() == 0 else 0o700)
    return root


def _copy_wheel_binaries(bindir: Path, root: Path) -> Path:
    """Copy the wheel's ``pginstall`` and ``pgserver.libs`` (same relative layout) once."""
    parts = _wheel_parts(bindir)
    if parts is None:
        raise RuntimeError(
            f"the server's user cannot reach {bindir} and only the pgserver wheel's binaries "
            "can be copied; set CJW_PG_BINDIR to binaries that user can execute"
        )
    pginstall, libs = parts
    target = root / "pg"
    marker = {"source": str(pginstall), "version": binary_version(bindir)}
    marker_file = target / "source.json"
    if marker_file.is_file() and json.loads(marker_file.read_text()) == marker:
        return target / "pgserver" / "pginstall" / "bin"
    staging = root / f"pg.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    skip = shutil.ignore_patterns("include")
    shutil.copytree(pginstall, staging / "pgserver" / "pginstall", symlinks=True, ignore=skip)
    shutil.copytree(libs, staging / "pgserver.libs", symlinks=True)
    (staging / "source.json").write_text(json.dumps(marker))
    _make_world_readable(staging)
    shutil.rmtree(target, ignore_errors=True)
    os.rename(staging, target)
    return target / "pgserver" / "pginstall" / "bin"


def _make_world_readable(tree: Path) -> None:
    """Folders 0755; files readable (and executable when they were) by the server's user."""
    tree.chmod(0o755)
    for path in tree.rglob("*"):
        if path.is_symlink():
            continue
        mode = path.stat().st_mode & 0o777
        executable = path.is_dir() or mode & 0o111
        path.chmod((mode | 0o444 | (0o111 if executable else 0)) & 0o755)


def _socket_path_too_long(run_dir: Path) -> bool:
    return len(str(run_dir / ".s.PGSQL.65535").encode("utf-8")) > SOCKET_PATH_MAX


def _resolve_layout(home: Path) -> Layout:
    """Decide where data and binaries live; fall back to a private /tmp folder if needed."""
    run_as = _run_as_user()
    bindir = pg_bindir()
    reasons: list[str] = []
    move_data = move_bins = False
    if run_as is not None and not _can_reach(run_as, home):
        move_data = True
        reasons.append(f"user '{run_as.name}' cannot traverse {home}")
    if run_as is not None and not _can_exec(run_as, bindir / "postgres"):
        move_bins = True
        reasons.append(f"user '{run_as.name}' cannot execute {bindir / 'postgres'}")
    if _socket_path_too_long(home / "run"):
        move_data = True
        reasons.append(f"socket path under {home} exceeds {SOCKET_PATH_MAX} bytes")
    if not reasons:
        return Layout(home=home, base=home, bindir=bindir, run_as=run_as)
    root = _private_root(home)
    base = root if move_data else home
    if move_bins and run_as is not None:
        bindir = _copy_wheel_binaries(bindir, root)
        if not _can_exec(run_as, bindir / "postgres"):
            raise RuntimeError(f"user '{run_as.name}' cannot execute the copy in {bindir}")
    reason = "; ".join(reasons)
    log.warning("warehouse: %s, so using private folder %s", reason, root)
    return Layout(home=home, base=base, bindir=bindir, run_as=run_as, fallback_reason=reason)


def _layout_from_state(home: Path, state: dict[str, Any]) -> Layout:
    """The layout a (possibly running) server was started with; ids from the data's owner."""
    base = Path(state["base"])
    run_as: RunAs | None = None
    if os.geteuid() == 0:
        info = os.stat(base / "data")
        name = pwd.getpwuid(info.st_uid).pw_name
        run_as = RunAs(name=name, uid=info.st_uid, gid=info.st_gid)
    return Layout(
        home=home,
        base=base,
        bindir=Path(state["bindir"]),
        run_as=run_as,
        fallback_reason=state.get("fallback_reason"),
    )


def _prepare_dirs(layout: Layout) -> None:
    uid, gid = (layout.run_as.uid, layout.run_as.gid) if layout.run_as else (os.geteuid(), os.getegid())
    layout.base.mkdir(parents=True, exist_ok=True)
    for folder in (layout.data, layout.run, layout.log_dir):
        _ensure_owned_dir(folder, uid, gid, 0o700)


# ----------------------------------------------------------------------------- processes


def _process_alive(pid: int) -> bool:
    """True for a live process; a zombie (nobody reaps daemons in some containers) is dead."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def _process_cwd(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return None


def _postmaster_lines(data: Path) -> list[str]:
    try:
        return (data / "postmaster.pid").read_text().splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return []


def _live_postmaster(data: Path) -> tuple[int, int] | None:
    """``(pid, port)`` of a postmaster really serving ``data`` (it chdirs into its data folder)."""
    lines = _postmaster_lines(data)
    if len(lines) < 4 or not lines[0].strip().isdigit():
        return None
    pid = int(lines[0])
    if _process_alive(pid) and _process_cwd(pid) == os.path.realpath(data):
        return pid, int(lines[3])
    return None


def _cluster_processes(data: Path) -> list[int]:
    """Live processes working in ``data`` (e.g. children orphaned by a killed postmaster)."""
    real = os.path.realpath(data)
    pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
    return [pid for pid in pids if _process_cwd(pid) == real and _process_alive(pid)]


def _clear_stale(layout: Layout) -> None:
    """No postmaster serves our data: wait for orphans, drop its lock and socket files."""
    deadline = time.monotonic() + ORPHAN_WAIT_S
    while (orphans := _cluster_processes(layout.data)) and time.monotonic() < deadline:
        time.sleep(0.1)
    if orphans:
        raise RuntimeError(f"processes {orphans} still use {layout.data}; stop them and retry")
    stale = [layout.data / "postmaster.pid", *layout.run.glob(".s.PGSQL.*")]
    for path in stale:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            log.info("warehouse: removed stale %s", path)


def _pg_ctl_status(layout: Layout) -> bool:
    args = [str(layout.bindir / "pg_ctl"), "status", "-D", str(layout.data)]
    try:
        return _run(args, layout.run_as, cwd=layout.base, timeout=30).returncode == 0
    except OSError:
        return False


def _answers(dsn: str, data: Path | None = None) -> bool:
    """A real connection works (and, given ``data``, the server is the one on that folder)."""
    try:
        with psycopg.connect(dsn, connect_timeout=3, autocommit=True) as conn:
            row = conn.execute("SHOW data_directory").fetchone()
    except psycopg.Error:
        return False
    return data is None or (row is not None and os.path.realpath(row[0]) == os.path.realpath(data))


# ----------------------------------------------------------------------------- ports


def port_free(port: int) -> bool:
    """Whether PostgreSQL could listen on 127.0.0.1:``port`` (it sets SO_REUSEADDR too)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((LISTEN_HOST, port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LISTEN_HOST, 0))
        return int(probe.getsockname()[1])


def _candidate_ports(previous: int | None) -> Iterator[int]:
    """The port used last time (a stable DSN across restarts) if free, then fresh ones."""
    if previous and port_free(previous):
        yield previous
    for _ in range(PORT_ATTEMPTS):
        yield _free_port()


# ----------------------------------------------------------------------------- server steps


def _initdb(layout: Layout) -> float:
    began = time.perf_counter()
    args = [
        str(layout.bindir / "initdb"),
        "-D", str(layout.data),
        "-U", SUPERUSER,
        "--auth=trust",
        "--encoding=UTF8",
        "--no-locale",
        "--no-instructions",
    ]  # fmt: skip
    log.info("warehouse: initdb %s", layout.data)
    _checked(_run(args, layout.run_as, cwd=layout.base), "initdb")
    return time.perf_counter() - began


def _check_data_version(layout: Layout, version: str) -> None:
    made_by = (layout.data / "PG_VERSION").read_text().strip()
    if made_by != version.split(".")[0]:
        raise RuntimeError(
            f"{layout.data} was created by PostgreSQL {made_by} but {layout.bindir} is {version}; "
            "use matching binaries (CJW_PG_BINDIR) or another CJW_WAREHOUSE_HOME"
        )


def _server_options(layout: Layout, port: int) -> str:
    """``pg_ctl -o`` string; pg_ctl hands it to /bin/sh, hence shell quoting."""
    options = {
        "port": str(port),
        "listen_addresses": LISTEN_HOST,
        "unix_socket_directories": str(layout.run),
        **SERVER_SETTINGS,
    }
    return " ".join(f"-c {shlex.quote(f'{k}={v}')}" for k, v in options.items())


def _rotate_log(layout: Layout) -> None:
    with contextlib.suppress(FileNotFoundError):
        if layout.log_file.stat().st_size > LOG_ROTATE_BYTES:
            os.replace(layout.log_file, layout.log_file.with_suffix(".log.1"))


def _log_since(layout: Layout, offset: int) -> str:
    try:
        with open(layout.log_file, encoding="utf-8", errors="replace") as handle:
            handle.seek(offset)
            return handle.read()
    except FileNotFoundError:
        return ""


def _log_size(layout: Layout) -> int:
    try:
        return layout.log_file.stat().st_size
    except FileNotFoundError:
        return 0


_PORT_TAKEN = re.compile(r"could not bind|Address already in use|could not create any TCP/IP")


def _pg_ctl_start(layout: Layout, port: int) -> bool:
    """Start on ``port``: True when up, False when the port was taken meanwhile."""
    offset = _log_size(layout)
    args = [
        str(layout.bindir / "pg_ctl"), "start", "-w", "-t", str(START_TIMEOUT_S),
        "-D", str(layout.data), "-l", str(layout.log_file), "-o", _server_options(layout, port),
    ]  # fmt: skip
    result = _run(args, layout.run_as, cwd=layout.base, timeout=START_TIMEOUT_S + 30)
    if result.returncode == 0:
        return True
    server_log = _log_since(layout, offset)
    if _PORT_TAKEN.search(server_log):
        log.info("warehouse: port %d was taken, trying another", port)
        _clear_stale(layout)
        return False
    tail = " | ".join(server_log.strip().splitlines()[-5:]) or (result.stderr or "").strip()
    raise RuntimeError(f"pg_ctl start failed (see {layout.log_file}): {tail}")


def _ensure_database(port: int) -> None:
    with psycopg.connect(dsn_for(port, "postgres"), connect_timeout=10, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')


def _new_state(layout: Layout, port: int, pid: int, version: str) -> dict[str, Any]:
    return {
        "port": port,
        "bindir": str(layout.bindir),
        "pid": pid,
        "dsn": dsn_for(port),
        "started_at": _now(),
        "version": version,
        "home": str(layout.home),
        "base": str(layout.base),
        "data_dir": str(layout.data),
        "socket_dir": str(layout.run),
        "log_file": str(layout.log_file),
        "run_as": layout.run_as.name if layout.run_as else None,
        "fallback_reason": layout.fallback_reason,
    }


def _is_running(state: dict[str, Any] | None) -> bool:
    """state.json names a live postmaster on its data, pg_ctl agrees and it answers."""
    if not state or not state.get("pid") or not state.get("base"):
        return False
    data = Path(state["base"]) / "data"
    live = _live_postmaster(data)
    if live is None or live[0] != state["pid"]:
        return False
    layout = _layout_from_state(Path(state["home"]), state)
    return _pg_ctl_status(layout) and _answers(state["dsn"], data)


def _boot(layout: Layout, previous_port: int | None) -> tuple[int, int]:
    """Start the postmaster on a free port; ``(pid, port)``."""
    _clear_stale(layout)
    _rotate_log(layout)
    for port in _candidate_ports(previous_port):
        if _pg_ctl_start(layout, port):
            live = _live_postmaster(layout.data)
            if live is None:
                raise RuntimeError(f"pg_ctl reported success but no postmaster serves {layout.data}")
            return live
    raise RuntimeError(f"no free port on {LISTEN_HOST} after {PORT_ATTEMPTS} attempts")


def _start(home_arg: Path | str | None = None) -> StartResult:
    began = time.perf_counter()
    home = _home(home_arg)
    with _locked(home):
        state = _read_state(home)
        if _is_running(state):
            assert state is not None
            return StartResult(state["dsn"], True, time.perf_counter() - began, None, state["version"])
        layout = _resolve_layout(home)
        _prepare_dirs(layout)
        version = binary_version(layout.bindir, layout.run_as)
        initdb_s = None if (layout.data / "PG_VERSION").exists() else _initdb(layout)
        _check_data_version(layout, version)
        live = _live_postmaster(layout.data)  # running, but state.json lost or outdated
        if live is not None and not _answers(dsn_for(live[1], "postgres"), layout.data):
            raise RuntimeError(f"postmaster {live[0]} on {layout.data} does not answer; see {layout.log_file}")
        if live is None:
            live = _boot(layout, (state or {}).get("port"))
        pid, port = live
        _ensure_database(port)
        new_state = _new_state(layout, port, pid, version)
        _write_state(home, new_state)
        seconds = time.perf_counter() - began
        log.info("warehouse: started %s in %.2f s", new_state["dsn"], seconds)
        return StartResult(new_state["dsn"], False, seconds, initdb_s, version)


# ----------------------------------------------------------------------------- public API


def start(home: Path | None = None) -> str:
    """Start the embedded warehouse (or reuse the running one) and return its DSN."""
    return _start(home).dsn


def stop(home: Path | None = None) -> None:
    """Stop the embedded warehouse (``pg_ctl stop -m fast``); a no-op when it is not running."""
    path = _home(home)
    if not path.is_dir():
        return
    with _locked(path):
        state = _read_state(path)
        if not state or not state.get("base") or not (Path(state["base"]) / "data").is_dir():
            _stop_orphan(path)
            return
        layout = _layout_from_state(path, state)
        if _live_postmaster(layout.data) is not None:
            args = [str(layout.bindir / "pg_ctl"), "stop", "-m", "fast", "-w", "-D", str(layout.data)]
            _checked(_run(args, layout.run_as, cwd=layout.base), "pg_ctl stop")
        _write_state(path, {**state, "pid": None, "stopped_at": _now()})


def _stop_orphan(home: Path) -> None:
    """state.json is gone but a postmaster may still serve this home: fast shutdown by signal."""
    for data in (home / "data", _fallback_root(home) / "data"):
        live = _live_postmaster(data)
        if live is None:
            continue
        os.kill(live[0], signal.SIGINT)  # what ``pg_ctl stop -m fast`` sends
        deadline = time.monotonic() + START_TIMEOUT_S
        while _process_alive(live[0]) and time.monotonic() < deadline:
            time.sleep(0.05)


def status(home: Path | None = None) -> dict[str, Any] | None:
    """state.json plus ``running`` (bool); ``None`` when this home has never been started."""
    state = _read_state(_home(home))
    if state is None:
        return None
    return {**state, "running": _is_running(state)}


def running_dsn(home: Path | None = None) -> str | None:
    """DSN of the running embedded server, without starting it; ``None`` if it is not up."""
    state = _read_state(_home(home))
    return state["dsn"] if _is_running(state) and state else None


def resolve_dsn() -> str:
    """``WAREHOUSE_DSN`` when set, else the embedded warehouse's DSN (started if needed)."""
    configured = os.environ.get("WAREHOUSE_DSN")
    return configured if configured else start()


# ----------------------------------------------------------------------------- command line


def _cli_start(home: Path | None) -> int:
    result = _start(home)
    if result.reused:
        print(f"already running: {result.dsn} (checked in {result.seconds:.2f} s)")
    else:
        initdb = f", initdb {result.initdb_seconds:.2f} s" if result.initdb_seconds else ""
        print(f"started PostgreSQL {result.version}: {result.dsn} ({result.seconds:.2f} s{initdb})")
    return 0


def _cli_stop(home: Path | None) -> int:
    began = time.perf_counter()
    was_running = running_dsn(home) is not None
    stop(home)
    where = _home(home)
    if was_running:
        print(f"stopped warehouse in {where} ({time.perf_counter() - began:.2f} s)")
    else:
        print(f"not running: {where}")
    return 0


def _cli_status(home: Path | None) -> int:
    info = status(home)
    if info is None:
        print(f"not initialised: {_home(home)}")
        return 3
    if info["running"]:
        print(f"running: {info['dsn']} pid={info['pid']} PostgreSQL {info['version']} data={info['data_dir']}")
        return 0
    print(f"stopped: data in {info['data_dir']} (last DSN {info['dsn']})")
    return 3


def _cli_dsn(home: Path | None) -> int:
    print(_start(home).dsn)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.warehouse start|stop|status|dsn [--home PATH]``."""
    parser = argparse.ArgumentParser(prog="python -m tools.warehouse", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["start", "stop", "status", "dsn"])
    parser.add_argument("--home", type=Path, help="warehouse home (default: CJW_WAREHOUSE_HOME or var/warehouse)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    commands = {"start": _cli_start, "stop": _cli_stop, "status": _cli_status, "dsn": _cli_dsn}
    try:
        return commands[args.command](args.home)
    except RuntimeError as exc:
        print(f"warehouse {args.command} failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
