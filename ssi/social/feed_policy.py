"""A reader's feed policy: whose moderation a feed follows, and what it does
with the labels that took effect.

A community's moderators decide cases (docs/moderation.md); a decision in
effect carries the action the community's vocabulary gives its label
(``hide``, ``warn`` or ``inform``). The reader, not the community, chooses
what that does to their own feed: :class:`FeedPolicy` says which
communities' decisions to follow and, per action (and per community, when
an override says so), which treatment to give: ``hide``, ``warn``,
``inform`` or ``ignore``. :func:`read_feed_policy` reads the TOML file
(``$AGORA_HOME/feed-policy.toml``, see ``examples/feed-policy.toml``) and
refuses every inconsistency with an :class:`~ssi.errors.InvalidFeedPolicyError`
naming the key path and its line. Without a file, :data:`DEFAULT_POLICY`
follows every community and only informs: nothing is hidden.

:func:`moderate_feed` gives every entry of a feed its treatment: ``show``
when no followed decision in effect names it, else the worst of the
treatments of the decisions that do (``hide`` > ``warn`` > ``inform``). A
decision names an entry when its case's post is the entry's original post
or one of its accepted edits: an edit neither escapes a label nor is the
label of one version lifted by another.

Spec: docs/moderation.md (Feed policy)
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ssi.did.syntax import parse_did
from ssi.errors import InvalidDIDError, InvalidFeedPolicyError
from ssi.social._toml_lines import key_path, line_of, quoted, syntax_error
from ssi.social.rules import LABEL_ACTIONS
from ssi.types import JsonObject

if TYPE_CHECKING:
    from ssi.social.feed import Feed, FeedEntry
    from ssi.social.moderation_case import Decision

__all__ = [
    "DEFAULT_POLICY",
    "ENTRY_TREATMENTS",
    "FEED_POLICY_FILE",
    "TREATMENTS",
    "FeedPolicy",
    "ModeratedEntry",
    "ModeratedFeed",
    "TreatedDecision",
    "load_feed_policy",
    "moderate_feed",
    "read_feed_policy",
]

TREATMENTS: Final = ("hide", "warn", "inform", "ignore")
"""What a policy may do with a label's action."""
ENTRY_TREATMENTS: Final = ("show", "inform", "warn", "hide")
"""What a feed entry gets, from the mildest to the worst."""
FEED_POLICY_FILE: Final = "feed-policy.toml"
"""The policy's file name in ``$AGORA_HOME``."""

_SEVERITY: Final = {name: rank for rank, name in enumerate(ENTRY_TREATMENTS)}
_KEYS: Final = ("follow", "actions", "overrides")


@dataclass(frozen=True, slots=True)
class FeedPolicy:
    """Whose moderation a reader follows and what each label action does.

    Attributes:
        follow: the community DIDs followed, in the file's order; ``()``
            when ``follow_all``.
        follow_all: every community's decisions are followed.
        actions: each label action (``hide``, ``warn``, ``inform``) to its
            treatment (one of :data:`TREATMENTS`).
        overrides: per community, the actions whose treatment differs from
            ``actions`` (only followed communities).
    """

    follow: tuple[str, ...]
    follow_all: bool
    actions: Mapping[str, str]
    overrides: Mapping[str, Mapping[str, str]]

    def follows(self, community: str) -> bool:
        """Return whether the policy follows ``community``'s moderation."""
        return self.follow_all or community in self.follow

    def treatment(self, community: str, action: str) -> str:
        """Return what a decision of ``community`` with ``action`` does.

        ``ignore`` for a community not followed or an action outside
        ``hide``, ``warn``, ``inform``.

        Spec: docs/moderation.md (Feed policy)
        """
        if not self.follows(community):
            return "ignore"
        override = self.overrides.get(community)
        if override is not None and action in override:
            return override[action]
        return self.actions.get(action, "ignore")

    def to_json(self) -> JsonObject:
        """Return the policy as JSON (``follow`` is ``"all"`` or a list)."""
        return {
            "follow": "all" if self.follow_all else list(self.follow),
            "actions": dict(self.actions),
            "overrides": {c: dict(o) for c, o in self.overrides.items()},
        }


DEFAULT_POLICY: Final = FeedPolicy(
    follow=(),
    follow_all=True,
    actions=dict.fromkeys(LABEL_ACTIONS, "inform"),
    overrides={},
)
"""The policy without a file: every community followed, every label only
shown beside its post; nothing hidden or put behind a notice."""


@dataclass(frozen=True, slots=True)
class TreatedDecision:
    """A decision in effect on a feed entry and the treatment it gets."""

    treatment: str
    decision: Decision

    def to_json(self) -> JsonObject:
        """Return ``{"treatment": ..., "decision": ...}``."""
        return {"treatment": self.treatment, "decision": self.decision.to_json()}


@dataclass(frozen=True, slots=True)
class ModeratedEntry:
    """A feed entry with what moderation does to it.

    Attributes:
        entry: the feed entry.
        treatment: one of :data:`ENTRY_TREATMENTS`: ``show`` when no
            followed decision in effect names it, else the worst of
            ``decisions``' treatments.
        decisions: the decisions behind the treatment, worst first, then by
            case (community, post, label); ``ignore`` ones are left out.
    """

    entry: FeedEntry
    treatment: str
    decisions: tuple[TreatedDecision, ...] = ()

    def to_json(self) -> JsonObject:
        """Return the entry's JSON with ``treatment`` and ``decisions``."""
        document = self.entry.to_json()
        document["treatment"] = self.treatment
        document["decisions"] = [d.to_json() for d in self.decisions]
        return document


@dataclass(frozen=True, slots=True)
class ModeratedFeed:
    """A feed with a treatment for every entry (in the feed's order)."""

    feed: Feed
    entries: tuple[ModeratedEntry, ...]
    policy: FeedPolicy

    def entry(self, cid: str) -> ModeratedEntry:
        """Return the moderated entry of the original post ``cid``.

        Raises:
            KeyError: no such entry.
        """
        for moderated in self.entries:
            if moderated.entry.cid == cid:
                return moderated
        raise KeyError(cid)

    def count(self, treatment: str) -> int:
        """Return how many entries have ``treatment``."""
        return sum(1 for moderated in self.entries if moderated.treatment == treatment)

    def to_json(self) -> JsonObject:
        """Return the feed's JSON with moderated entries and the policy."""
        document = self.feed.to_json()
        document["entries"] = [m.to_json() for m in self.entries]
        document["policy"] = self.policy.to_json()
        return document


def moderate_feed(
    feed: Feed, decisions: Iterable[Decision], policy: FeedPolicy
) -> ModeratedFeed:
    """Give every entry of ``feed`` its treatment under ``policy``.

    Only decisions in effect count (``in_effect``: applied, not
    overturned), of followed communities, whose action the policy does not
    ``ignore``. A decision names an entry when its case's post is the
    entry's original or one of its accepted edits. When the same case is
    given twice, the first that counts is kept.

    Spec: docs/moderation.md (Feed policy)
    """
    by_post: dict[str, list[TreatedDecision]] = {}
    seen: set[tuple[str, str, str]] = set()
    for decision in decisions:
        if not decision.in_effect or decision.action is None:
            continue
        case = decision.case
        treatment = policy.treatment(case.community, decision.action)
        key = (case.community, case.post, case.label)
        if treatment == "ignore" or key in seen:
            continue
        seen.add(key)
        treated = TreatedDecision(treatment, decision)
        by_post.setdefault(case.post, []).append(treated)
    entries: list[ModeratedEntry] = []
    for entry in feed.entries:
        found = _found(entry, by_post) if by_post else None
        if not found:
            entries.append(ModeratedEntry(entry, "show"))
            continue
        found.sort(key=_order)
        entries.append(ModeratedEntry(entry, found[0].treatment, tuple(found)))
    return ModeratedFeed(feed, tuple(entries), policy)


def _found(
    entry: FeedEntry, by_post: Mapping[str, Sequence[TreatedDecision]]
) -> list[TreatedDecision]:
    found = list(by_post.get(entry.cid, ()))
    for version in entry.edits:
        found.extend(by_post.get(version, ()))
    return found


def _order(treated: TreatedDecision) -> tuple[int, str, str, str]:
    case = treated.decision.case
    return (-_SEVERITY[treated.treatment], case.community, case.post, case.label)


# --- Reading the file ---------------------------------------------------------


def load_feed_policy(home: Path, *, path: Path | None = None) -> FeedPolicy:
    """Read the reader's policy: ``path`` if given, else
    ``home/feed-policy.toml`` when it exists, else :data:`DEFAULT_POLICY`.

    Spec: docs/moderation.md (Feed policy)

    Raises:
        InvalidFeedPolicyError: the file cannot be read (or ``path`` does
            not exist), is not UTF-8, or :func:`read_feed_policy` refuses it.
    """
    file = home / FEED_POLICY_FILE if path is None else path
    if path is None and not file.exists():
        return DEFAULT_POLICY
    try:
        text = file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidFeedPolicyError(f"{file.name} is not UTF-8 text.") from exc
    except OSError as exc:
        raise InvalidFeedPolicyError(
            f"the feed policy {file.name} cannot be read ({exc.strerror})."
        ) from exc
    return read_feed_policy(text, source=file.name)


def read_feed_policy(text: str, *, source: str = FEED_POLICY_FILE) -> FeedPolicy:
    """Read a feed policy written in TOML.

    Keys: ``follow`` (required: ``"all"`` or a list of community DIDs),
    ``[actions]`` (``hide``, ``warn``, ``inform``, each to one of
    :data:`TREATMENTS`; an action not written keeps its own name as
    treatment) and ``[overrides."<community DID>"]`` (the same keys, for one
    followed community).

    Spec: docs/moderation.md (Feed policy), examples/feed-policy.toml

    Raises:
        InvalidFeedPolicyError: a TOML syntax error, an unknown key, a value
            of the wrong type, a value that is not a DID or a treatment, a
            DID followed twice, or an override of a community not followed;
            ``field`` is the key path and ``line`` its line when found.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, reason = syntax_error(exc)
        where = f"line {line}" if line else "the end of the document"
        raise InvalidFeedPolicyError(
            f"{source} is not valid TOML at {where}: {reason}.", line=line
        ) from exc
    return _Reader(text, source).policy(document)


class _Reader:
    """One reading of a policy file; ``fail`` finds the line of a key path."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source

    def fail(self, path: tuple[str | int, ...], message: str) -> InvalidFeedPolicyError:
        field = key_path(path)
        line = line_of(self.text, path)
        where = f"{self.source} line {line}" if line else self.source
        return InvalidFeedPolicyError(
            f"{where}: {field} {message}", field=field, line=line
        )

    def policy(self, document: Mapping[str, object]) -> FeedPolicy:
        for key in document:
            if key not in _KEYS:
                raise self.fail(
                    (key,),
                    "is not a key of a feed policy (follow, actions, overrides).",
                )
        if "follow" not in document:
            raise self.fail(
                ("follow",),
                'is missing: write follow = "all" or a list of community DIDs.',
            )
        follow_all, follow = self.follow(document["follow"])
        actions = dict(zip(LABEL_ACTIONS, LABEL_ACTIONS, strict=True))
        actions.update(self.actions(document.get("actions", {}), ("actions",)))
        overrides = self.overrides(document.get("overrides", {}), follow_all, follow)
        return FeedPolicy(follow, follow_all, actions, overrides)

    def follow(self, value: object) -> tuple[bool, tuple[str, ...]]:
        if value == "all":
            return True, ()
        if isinstance(value, str):
            raise self.fail(
                ("follow",),
                f'is {_show(value)}: write "all" or a list of community DIDs.',
            )
        if not isinstance(value, list):
            raise self.fail(
                ("follow",), f'is {_kind(value)}, not "all" or a list of DIDs.'
            )
        dids: list[str] = []
        for index, item in enumerate(value):
            did = self.did(item, ("follow", index))
            if did in dids:
                raise self.fail(("follow", index), f"repeats {did}.")
            dids.append(did)
        return False, tuple(dids)

    def did(self, value: object, path: tuple[str | int, ...]) -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"is {_kind(value)}, not a community DID.")
        try:
            parse_did(value)
        except InvalidDIDError as exc:
            raise self.fail(path, f"is {_show(value)}, not a DID.") from exc
        return value

    def actions(self, value: object, path: tuple[str | int, ...]) -> dict[str, str]:
        if not isinstance(value, dict):
            raise self.fail(path, f"is {_kind(value)}, not a table of actions.")
        out: dict[str, str] = {}
        for action, treatment in value.items():
            where = (*path, action)
            if action not in LABEL_ACTIONS:
                raise self.fail(where, "is not a label action (hide, warn, inform).")
            if treatment not in TREATMENTS:
                hint = (
                    ' ("ignore" leaves the post as it is)'
                    if treatment == "show"
                    else ""
                )
                raise self.fail(
                    where,
                    f"is {_show(treatment)}, not one of hide, warn, inform, "
                    f"ignore{hint}.",
                )
            out[action] = str(treatment)
        return out

    def overrides(
        self, value: object, follow_all: bool, follow: tuple[str, ...]
    ) -> dict[str, dict[str, str]]:
        if not isinstance(value, dict):
            raise self.fail(
                ("overrides",), f"is {_kind(value)}, not a table of communities."
            )
        out: dict[str, dict[str, str]] = {}
        for community, actions in value.items():
            where: tuple[str | int, ...] = ("overrides", community)
            did = self.did(community, where)
            if not follow_all and did not in follow:
                raise self.fail(
                    where,
                    "overrides a community that follow does not list: add it "
                    "to follow, or remove the override.",
                )
            out[did] = self.actions(actions, where)
        return out


def _show(value: object) -> str:
    text = str(value)
    shown = text if len(text) <= 40 else text[:39] + "…"
    return quoted(shown) if isinstance(value, str) else shown


def _kind(value: object) -> str:
    kinds = {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        list: "a list",
        dict: "a table",
    }
    return kinds.get(type(value), "a date or time")
