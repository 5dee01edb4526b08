"""``agora feed --hub URL``: a community's feed read from a real hub process,
verified on the reader's side (reactions and retractions found by what they
refer to)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
from typer.testing import CliRunner

from ssi.cid import object_cid
from tests.hub.conftest import Hub
from tests.unit.store.objects import (
    COMMUNITY,
    OTHER_COMMUNITY,
    post,
    reaction,
    retraction,
)
from wallet_cli.app import app

runner = CliRunner()


def test_the_feed_of_a_community_comes_from_the_hub(
    hub_process: Callable[..., Hub], tmp_path: Path
) -> None:
    hub = hub_process()
    first, second = post(0, 1, community=COMMUNITY), post(1, 2, community=COMMUNITY)
    elsewhere = post(2, 3, community=OTHER_COMMUNITY)
    reply = post(2, 4, community=COMMUNITY, reply_to=object_cid(first))
    liked = reaction(2, 5, object_cid(first))
    gone = retraction(1, 6, object_cid(second))
    objects = [first, second, elsewhere, reply, liked, gone]
    answer = httpx.post(hub.url + "/objects", json=objects, timeout=60).json()
    assert answer["stored"] == len(objects)
    result = runner.invoke(
        app,
        [
            "feed",
            "--hub",
            hub.url,
            "--community",
            COMMUNITY,
            "--json",
            "--no-petnames",
            "--no-moderation",
        ],
        env={"AGORA_HOME": str(tmp_path)},
    )
    assert result.exit_code == 0, result.output
    feed = json.loads(result.stdout)
    entries = {entry["cid"]: entry for entry in feed["entries"]}
    assert set(entries) == {object_cid(p) for p in (first, second, reply)}
    assert entries[object_cid(first)]["reactions"] == {"endorse": 1}
    assert entries[object_cid(second)]["retracted"] is True
    assert entries[object_cid(reply)]["parent"] == object_cid(first)


def test_feed_takes_a_hub_or_a_store_not_both(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["feed", "--hub", "http://127.0.0.1:9", "--store", str(tmp_path / "s.sqlite")],
        env={"AGORA_HOME": str(tmp_path)},
    )
    assert result.exit_code == 2


def test_an_unreachable_hub_exits_3(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["feed", "--hub", "http://127.0.0.1:9", "--no-moderation"],
        env={"AGORA_HOME": str(tmp_path)},
    )
    assert result.exit_code == 3, result.output
