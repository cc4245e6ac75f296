"""Shared fixtures: one analyzer and the held-out data from the registry packages' corpora."""

from __future__ import annotations

import pytest

from cxloop.text import Analyzer
from cxloop.text.corpora import Dataset, build_dataset


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    a = Analyzer()
    a.warm_up()
    return a


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return build_dataset()
