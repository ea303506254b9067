"""Keyword classification folds Cyrillic case under the C locale too.

The embedded warehouse is initialised without a locale (C), where PostgreSQL's ``lower()`` and
``~*`` fold only Latin letters: a chat text «Когда придёт ПОСОБИЕ?» did not match the keyword
«пособи» there, while it did on a server with a UTF-8 locale — the demo and a test database gave
different figures. The dbt unit tests of the models that classify Russian text (chat topics,
e-mail topics) run here in a database created with the C locale.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from include.dbt_runner import dbt_env, invoke
from include.publish import prepare_build
from tests.conftest import _create_database, _drop_database

pytestmark = pytest.mark.timeout(600)

MODELS = ["int_chatbot__touchpoint_events", "int_email_requests__requests"]


@pytest.fixture()
def c_locale_db(server_dsn: str) -> Iterator[str]:
    dsn = _create_database(server_dsn, "cjw_c_locale", "template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'")
    try:
        yield dsn
    finally:
        _drop_database(server_dsn, dsn)


def test_russian_keywords_match_capitalised_text_under_the_c_locale(c_locale_db: str) -> None:
    with psycopg.connect(c_locale_db) as conn:
        # the premise: this server folds no Cyrillic by itself
        assert conn.execute("select 'ПОСОБИЕ' ~* 'пособи', lower('ПОСОБИЕ')").fetchone() == (False, "ПОСОБИЕ")
    prepare_build(c_locale_db)
    env = dbt_env(c_locale_db)
    # unit tests need their parents' relations (for column types): the raw tables are empty
    seeded = invoke(["seed"], env=env)
    assert seeded.success
    built = invoke(["run", "--select", *(f"+{model}" for model in MODELS)], env=env)
    assert built.success, [str(r.message) for r in built.result.results if str(r.status) == "error"]
    result = invoke(["test", "--select", *(f"{model},test_type:unit" for model in MODELS)], env=env)
    ran = {r.node.name for r in result.result.results}
    assert "chat_topic_is_guessed_from_the_text_whatever_its_case" in ran
    assert result.success, [str(r.message) for r in result.result.results if str(r.status) in ("error", "fail")]
