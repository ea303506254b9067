"""Write ``.env`` for docker-compose.yml from ``.env.example`` with fresh random secrets.

Every variable announced by a ``# @secret <kind>`` comment line gets a new value (``hex``:
48 hex digits; ``urlsafe``: 43 URL-safe characters; ``fernet``: an Airflow Fernet key;
``pseudonym``: the ``cjw_pseudonymisation`` connection with a 256-bit HMAC key); ``# @uid`` gets
the current user id (50000, the image's airflow user, when that is root); everything else is copied as it is. An existing ``.env`` is never
overwritten (the pseudonymisation key in it must survive).

    python docker/make_env.py [--example .env.example] [--out .env]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def secret(kind: str) -> str:
    if kind == "hex":
        return secrets.token_hex(24)
    if kind == "urlsafe":
        return secrets.token_urlsafe(32)
    if kind == "fernet":
        return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    if kind == "pseudonym":
        connection = json.dumps({"conn_type": "generic", "password": secrets.token_hex(32)})
        return f"'{connection}'"
    raise ValueError(f"unknown secret kind {kind!r}")


def uid() -> str:
    """Your user id, so that files Airflow writes into the project are yours; never root."""
    return str(os.getuid() or 50000)


def render(example: str) -> str:
    lines, pending = [], None
    for line in example.splitlines():
        stripped = line.strip()
        if stripped.startswith("# @"):
            pending = stripped[3:].split()
        elif pending and "=" in line and not stripped.startswith("#"):
            key = line.split("=", 1)[0]
            value = uid() if pending[0] == "uid" else secret(pending[1])
            line, pending = f"{key}={value}", None
        lines.append(line)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--example", type=Path, default=ROOT / ".env.example")
    parser.add_argument("--out", type=Path, default=ROOT / ".env")
    args = parser.parse_args(argv)
    if args.out.exists():
        print(f"{args.out} exists: left as it is (delete it first to start over)")
        return 0
    text = render(args.example.read_text(encoding="utf-8"))
    args.out.touch(mode=0o600)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} with new secrets (keep it private; it is git-ignored)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
