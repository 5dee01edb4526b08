"""Shared fixtures of the social tests: a community with elected moderators
(built once per session; see moderation_world.py)."""

from __future__ import annotations

import pytest

from tests.unit.social.moderation_world import ModerationWorld


@pytest.fixture(scope="session")
def moderation_world() -> ModerationWorld:
    """A did:key community: genesis, election, nine mandates and a forged one."""
    return ModerationWorld()


@pytest.fixture(scope="session")
def stewarded_world() -> ModerationWorld:
    """The same community as a 2-of-3 did:agora whose stewards co-sign."""
    return ModerationWorld(stewards=True)
