"""Constitutions: a community's social contract and the rules it governs by.

A constitution is a credential of type ``Constitution`` issued by the
community's DID. Its subject carries a version number, the rules object, the
CID of the tally that ratified it and, after the first version, the CID of
the version it replaces. The rules (:class:`ConstitutionRules`) say who may
propose, how many signals a proposal needs, how long a vote may last, which
counting methods, quorum and threshold each kind of decision has, whether
revoting and delegation are allowed, and the moderation settings.

The rules travel as JSON (camelCase) and are authored as TOML (snake_case):
:func:`rules_from_toml` turns the one into the other. Inconsistent rules are
refused with :class:`~ssi.errors.InvalidConstitutionError` naming the field.

This module only builds and reads; signing, verifying and deciding whether a
version is in force (its ratifying tally) are other modules' business.

Spec: docs/governance.md (Constitution)
"""

from __future__ import annotations

import copy
import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from ssi.errors import InvalidConstitutionError, MalformedValueError
from ssi.social import _fields as f
from ssi.social.rule_values import Threshold, fail
from ssi.social.rules import (
    COUNTING_METHODS,
    FIXED_KINDS,
    LABEL_ACTIONS,
    ConstitutionRules,
    KindRule,
    Label,
    ModerationRules,
    SignalRule,
    VotingPeriod,
    parse_rules,
    rules_equal,
    rules_to_json,
)
from ssi.types import JsonObject, JsonValue

__all__ = [
    "CONSTITUTION_TYPE",
    "COUNTING_METHODS",
    "FIXED_KINDS",
    "LABEL_ACTIONS",
    "Constitution",
    "ConstitutionRules",
    "KindRule",
    "Label",
    "ModerationRules",
    "SignalRule",
    "Threshold",
    "VotingPeriod",
    "constitution_credential",
    "parse_rules",
    "read_constitution",
    "rules_equal",
    "rules_from_toml",
    "rules_to_json",
]

CONSTITUTION_TYPE: Final = "Constitution"
"""The credential type (and subject type) of a constitution."""

_SUBJECT_MEMBERS: Final = frozenset(
    {"id", "type", "version", "rules", "ratifiedBy", "replaces"}
)
_RULES_PATH: Final = f"{f.SUBJECT}.rules"
# TOML keys are snake_case; these are the ones whose JSON name differs.
_TOML_KEYS: Final = {
    "voting_period": "votingPeriod",
    "max_score": "maxScore",
    "voice_credits": "voiceCredits",
    "panel_size": "panelSize",
    "mandate_term": "mandateTerm",
    "appeal_panel_size": "appealPanelSize",
    "appeal_majority": "appealMajority",
}
_JSON_KEYS: Final = {camel: snake for snake, camel in _TOML_KEYS.items()}
_TOML_POSITION_RE: Final = re.compile(r"at line (\d+), column (\d+)")
_CAMEL_RE: Final = re.compile(r"(?<=[a-z0-9])([A-Z])")


@dataclass(frozen=True, slots=True)
class Constitution:
    """What a constitution credential says (read by :func:`read_constitution`).

    Attributes:
        community: the community's DID (issuer and subject ``id``).
        version: 1 for the genesis, then one more per amendment.
        rules: the rules, read.
        rules_json: the rules object exactly as the credential carries it
            (what a ratifying amendment proposal must carry, JCS-equal).
        ratified_by: the CID of the tally that ratified this version.
        replaces: the CID of the version it replaces (``None`` for version 1).
        valid_from: the credential's ``validFrom``.
        credential_id: the credential's ``id``, if it has one.
    """

    community: str
    version: int
    rules: ConstitutionRules
    rules_json: JsonObject
    ratified_by: str
    replaces: str | None
    valid_from: datetime
    credential_id: str | None = None


def rules_from_toml(text: str) -> JsonObject:
    """Turn a ``constitution.toml`` into the canonical rules object (JSON).

    TOML keys are the JSON names in snake_case (``voting_period``,
    ``max_score``, ``panel_size``, ...); kind names (``[kinds.ordinary]``)
    and label values are data and stay as written. Fractions, thresholds and
    durations are strings, as in JSON.

    Spec: docs/governance.md (Authoring in TOML), examples/constitution.toml

    Raises:
        InvalidConstitutionError: a TOML syntax error (``line`` set), a TOML
            date or time value, a camelCase key, or rules that
            :func:`parse_rules` refuses; ``field`` is the TOML key path.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POSITION_RE.search(message)
        line = int(position[1]) if position else None
        where = f"line {line}" if line else "the end of the document"
        raise InvalidConstitutionError(
            f"constitution.toml is not valid TOML at {where}: {message}.",
            field="",
            line=line,
        ) from exc
    obj = _from_toml(document, "")
    try:
        rules = parse_rules(obj)
    except InvalidConstitutionError as exc:
        field = _toml_path(exc.field)
        detail = field + exc.detail[len(exc.field) :] if exc.field else exc.detail
        raise InvalidConstitutionError(detail, field=field) from exc
    return rules_to_json(rules)


def _from_toml(value: object, path: str) -> JsonValue:
    if isinstance(value, dict):
        out: JsonObject = {}
        for raw_key, item in value.items():
            key = str(raw_key)
            where = f"{path}.{key}" if path else key
            if path == "kinds":
                name = key
            elif key in _JSON_KEYS:
                raise InvalidConstitutionError(
                    f"{where} is a JSON name; constitution.toml writes it "
                    f"{_JSON_KEYS[key]}.",
                    field=where,
                )
            else:
                name = _TOML_KEYS.get(key, key)
            out[name] = _from_toml(item, where)
        return out
    if isinstance(value, list):
        return [_from_toml(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, str | int | float | bool):
        return value
    raise InvalidConstitutionError(
        f"{path} is a TOML date or time; write times and durations as strings.",
        field=path,
    )


def _toml_path(field: str) -> str:
    # Kind names and label values are lower-case by rule, so only the rules'
    # own camelCase keys change.
    return _CAMEL_RE.sub(lambda m: "_" + m[1].lower(), field)


def constitution_credential(
    community: str,
    rules: ConstitutionRules | JsonObject,
    *,
    version: int,
    ratified_by: str,
    replaces: str | None = None,
    valid_from: datetime | None = None,
) -> JsonObject:
    """Return an unsigned ``Constitution`` credential issued by ``community``.

    A rules object given as JSON is carried as given (a copy), so that it
    stays JCS-equal to the amendment that ratified it; a
    :class:`ConstitutionRules` is written with :func:`rules_to_json`.
    ``valid_from`` defaults to now.

    Spec: docs/governance.md (Constitution credential)

    Raises:
        InvalidConstitutionError: the rules are inconsistent.
        MalformedValueError: ``community`` is not a DID, ``version`` is not a
            positive integer, or ``replaces`` is given for version 1 or
            missing after it.
        InvalidCIDError: ``ratified_by`` or ``replaces`` is not an object CID.
    """
    rules_json = (
        rules_to_json(rules)
        if isinstance(rules, ConstitutionRules)
        else copy.deepcopy(rules)
    )
    subject: JsonObject = {
        "id": community,
        "type": CONSTITUTION_TYPE,
        "version": version,
        "rules": rules_json,
        "ratifiedBy": ratified_by,
    }
    if replaces is not None:
        subject["replaces"] = replaces
    credential = f.build(
        CONSTITUTION_TYPE, community, valid_from or datetime.now(UTC), subject
    )
    read_constitution(credential)
    return credential


def read_constitution(credential: JsonValue) -> Constitution:
    """Read a constitution (its proof is not checked here: verify it first).

    Spec: docs/governance.md (Constitution credential)

    Raises:
        ParsingError: not a JSON object.
        MalformedValueError: not a constitution, or a field breaks a rule;
            the message names its path.
        InvalidConstitutionError: the rules are inconsistent; ``field`` is
            the JSON path (``$.credentialSubject.rules.kinds...``).
        InvalidCIDError: ``ratifiedBy`` or ``replaces`` is not an object CID.
    """
    parsed, community, valid_from, subject = f.envelope(
        credential, CONSTITUTION_TYPE, _SUBJECT_MEMBERS
    )
    path = f.SUBJECT
    if subject.get("type") != CONSTITUTION_TYPE:
        raise MalformedValueError(f'{path}.type must be "{CONSTITUTION_TYPE}".')
    if subject.get("id") != community:
        raise MalformedValueError(
            f"{path}.id must be the issuing community, {f.show(community)}."
        )
    for key in ("version", "rules", "ratifiedBy"):
        if key not in subject:
            raise MalformedValueError(f"{path}.{key} is required.")
    version = subject["version"]
    if type(version) is not int or version < 1:
        raise MalformedValueError(
            f"{path}.version must be a positive integer, not {f.kind(version)}"
            f"{'' if type(version) is not int else ' ' + str(version)}."
        )
    replaces: str | None = None
    if version == 1 and "replaces" in subject:
        raise MalformedValueError(
            f"{path}.replaces must be absent in version 1 (the genesis)."
        )
    if version > 1:
        if "replaces" not in subject:
            raise MalformedValueError(
                f"{path}.replaces is required after version 1: the CID of the "
                "version this one replaces."
            )
        replaces = f.cid(subject["replaces"], f"{path}.replaces")
    ratified_by = f.cid(subject["ratifiedBy"], f"{path}.ratifiedBy")
    rules_json = subject["rules"]
    rules = parse_rules(rules_json, path=_RULES_PATH)
    if not isinstance(rules_json, dict):  # pragma: no cover - parse_rules refused it
        raise fail(_RULES_PATH, "must be an object.")
    return Constitution(
        community=community,
        version=version,
        rules=rules,
        rules_json=copy.deepcopy(rules_json),
        ratified_by=ratified_by,
        replaces=replaces,
        valid_from=valid_from,
        credential_id=parsed.id,
    )
