"""The bundle tests' corpus: keys, logs, memberships and 1,000 posts, built
once per session (about 0.2 s)."""

from __future__ import annotations

import pytest

from tests.unit.bundle.corpus import Corpus, build_corpus


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return build_corpus()
