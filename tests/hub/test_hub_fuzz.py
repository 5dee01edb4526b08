"""Schema fuzzing: schemathesis sends requests generated from the published
OpenAPI document (docs/hub-openapi.json) to a real hub process and checks
every answer: no 5xx; status codes, media types and bodies as documented;
invalid data refused with 4xx.

``make test`` runs a few examples per operation; ``make fuzz`` many more
(``AGORA_HUB_FUZZ_EXAMPLES``). ``GET /stream`` never ends, so it is left out
(tests/hub/test_hub_process.py covers it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from hub.openapi import DOCUMENT_PATH
from tests.hub.conftest import Hub, start_hub

EXAMPLES = int(os.environ.get("AGORA_HUB_FUZZ_EXAMPLES", "15"))

schema = schemathesis.openapi.from_path(
    Path(__file__).parents[2] / DOCUMENT_PATH
).exclude(path="/stream")


@schemathesis.serializer("application/vnd.agora.bundle+jsonl")
def _bundle_text(ctx: object, value: object) -> bytes:
    return value.encode() if isinstance(value, str) else str(value).encode()


@pytest.fixture(scope="module")
def fuzzed_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    hub = start_hub(
        tmp_path_factory.mktemp("fuzz"),
        env={"AGORA_HUB_RATE": "100000", "AGORA_HUB_INBOX_RATE": "100000"},
    )
    yield hub
    hub.stop()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_hub_answers_as_documented(case: schemathesis.Case, fuzzed_hub: Hub) -> None:
    # Valid by the schema is not valid by meaning (a string that is not a
    # CID, a date the store cannot read): such requests get a 400 problem.
    case.call_and_validate(
        base_url=fuzzed_hub.url,
        timeout=30,
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )
