"""Regions generated once per test session (see ``regions.py``)."""

from __future__ import annotations

import pytest

from tests.generator.regions import LONG, Region, generate


@pytest.fixture(scope="session")
def noisy(tmp_path_factory: pytest.TempPathFactory) -> Region:
    return generate(tmp_path_factory.mktemp("noisy"), noise=True)


@pytest.fixture(scope="session")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Region:
    return generate(tmp_path_factory.mktemp("clean"), noise=False)


@pytest.fixture(scope="session")
def long(tmp_path_factory: pytest.TempPathFactory) -> Region:
    return generate(tmp_path_factory.mktemp("long"), **LONG)
