"""The hub's settings: one frozen value, from arguments or the environment.

``agora hub serve --workers N`` starts N processes that each build their own
app; they read the settings from environment variables (:data:`ENV_PREFIX`),
written by :meth:`HubSettings.to_env` and read by
:meth:`HubSettings.from_env`.

Spec: docs/hub.md (Running a hub)
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Final

from ssi.credentials import FixedClock, system_clock
from ssi.datetimes import parse_date_time
from ssi.errors import MalformedValueError

__all__ = ["ENV_PREFIX", "HubSettings"]

ENV_PREFIX: Final = "AGORA_HUB_"
"""Environment variables holding settings start with this (``AGORA_HUB_DB``)."""

_INTEGERS: Final = (
    "max_body_bytes",
    "max_objects",
    "max_page",
    "inbox_max_message_bytes",
    "inbox_max_messages",
    "inbox_max_bytes",
    "view_cache",
    "follow_batch",
)
_NUMBERS: Final = ("rate", "inbox_rate")
_NON_NEGATIVE: Final = ("view_refresh", "follow_window")


@dataclass(frozen=True)
class HubSettings:
    """What a hub serves from and the limits it keeps.

    Attributes:
        db: the object store, any ``ssi.store.open_store`` location.
        max_body_bytes: the largest request body (larger: 413).
        max_objects: the most objects one ``POST /objects`` carries (more: 413).
        max_page: the most objects one page of ``GET /objects`` holds.
        rate: requests per second per client; a burst of ``2 * rate``.
        issuer: the DID the VC-API issue endpoint signs as (with ``token``).
        token: the bearer token the VC-API issue endpoint asks for.
        logs: did:agora log files (or folders of them) the hub trusts.
        domain: the origin inboxes authenticate for (``https://hub.example``),
            which presentations must name as their ``domain``; None: the
            origin each request was addressed to.
        inbox_max_message_bytes: the largest inbox message (larger: 413).
        inbox_max_messages: the most messages one DID's inbox keeps (507).
        inbox_max_bytes: the most bytes one DID's inbox keeps (507).
        inbox_rate: deliveries and challenges per second per client; a
            burst of ``2 * inbox_rate``.
        view_refresh: seconds a built view (a community's feed) is served
            without looking whether the store changed: a page lags the
            store by at most this long; 0 looks on every request.
        view_cache: the most built views each worker process keeps.
        follow_batch: the most stream events a follower (``--follow``)
            verifies and stores in one transaction.
        follow_window: seconds a follower gathers stream events after the
            first of a batch (so a lone event is stored within this long).
        at: an RFC 3339 time with a zone: verify as of then instead of the
            system clock (to replay a timeline, as ``make demo`` does; a hub
            in service leaves it unset).

    Spec: docs/hub.md (Limits)

    Raises:
        ValueError: a limit is not positive, ``view_refresh`` or
            ``follow_window`` is negative,
            or ``at`` is not a time with a
            zone.
    """

    db: str = "sqlite:///hub.sqlite"
    max_body_bytes: int = 8 * 1024 * 1024
    max_objects: int = 1000
    max_page: int = 500
    rate: float = 50.0
    issuer: str | None = None
    token: str | None = None
    logs: tuple[str, ...] = ()
    domain: str | None = None
    inbox_max_message_bytes: int = 1024 * 1024
    inbox_max_messages: int = 1000
    inbox_max_bytes: int = 64 * 1024 * 1024
    inbox_rate: float = 5.0
    view_refresh: float = 1.0
    view_cache: int = 256
    follow_batch: int = 200
    follow_window: float = 0.05
    at: str | None = None

    def __post_init__(self) -> None:
        if self.at is not None:
            self.moment()
        for name in _INTEGERS:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer")
        for name in _NUMBERS:
            value = getattr(self, name)
            if not isinstance(value, int | float) or not value > 0:
                raise ValueError(f"{name} must be a positive number")
        for name in _NON_NEGATIVE:
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0 <= value < float("inf"):
                raise ValueError(f"{name} must be a number of seconds, 0 or more")
        if not isinstance(self.logs, tuple):
            raise TypeError("logs must be a tuple of paths")

    def moment(self) -> datetime | None:
        """Return the time ``at`` names (None when unset).

        Raises:
            ValueError: ``at`` is not an RFC 3339 time with a zone.
        """
        if self.at is None:
            return None
        try:
            return parse_date_time(self.at, require_timezone=True, path="at")
        except MalformedValueError as exc:
            raise ValueError(
                f"at must be an RFC 3339 time with a zone, not {self.at[:40]!r}"
            ) from exc

    @property
    def clock(self) -> Callable[[], datetime]:
        """The clock the hub verifies with: fixed at ``at``, else the system's."""
        moment = self.moment()
        return system_clock if moment is None else FixedClock(moment)

    @property
    def burst(self) -> float:
        """How many requests a client may make at once (twice the rate)."""
        return 2 * self.rate

    def to_env(self) -> dict[str, str]:
        """Return the settings as environment variables for worker processes."""
        env: dict[str, str] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value is None:
                continue
            name = ENV_PREFIX + field.name.upper()
            env[name] = json.dumps(list(value)) if field.name == "logs" else str(value)
        return env

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HubSettings:
        """Read settings from environment variables; the others keep defaults.

        Spec: docs/hub.md (Running a hub)

        Raises:
            ValueError: a variable does not hold a value of its setting's type.
        """
        source = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for field in fields(cls):
            text = source.get(ENV_PREFIX + field.name.upper())
            if text is None:
                continue
            if field.name in _INTEGERS:
                values[field.name] = int(text)
            elif field.name in _NUMBERS or field.name in _NON_NEGATIVE:
                values[field.name] = float(text)
            elif field.name == "logs":
                logs = json.loads(text)
                if not isinstance(logs, list) or not all(
                    isinstance(item, str) for item in logs
                ):
                    raise ValueError(f"{ENV_PREFIX}LOGS must be a JSON list of paths")
                values[field.name] = tuple(logs)
            else:
                values[field.name] = text
        return cls(**values)  # type: ignore[arg-type]
