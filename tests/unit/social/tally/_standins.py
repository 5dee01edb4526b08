"""Tiny stand-ins for the counting, constitution and proposal modules that
other branches write, installed only while those modules are not there.

They follow the APIs of the governance wire contract just enough for the
tally tests (plurality and approval counting, the proposal fields, the
signal rule); they are never used once the real modules are importable.
"""

from __future__ import annotations

import importlib
import math
import sys
import types
from dataclasses import dataclass
from fractions import Fraction

from ssi.errors import MalformedValueError
from ssi.social import _fields as f


def _counting() -> types.ModuleType:
    module = types.ModuleType("ssi.social.counting")
    methods = ("plurality", "approval")

    class InvalidChoiceError(MalformedValueError):
        code = "malformedChoice"

    def check_choice(method, options, choice, *, max_score=5, voice_credits=100):
        if method == "plurality":
            if choice not in options:
                raise InvalidChoiceError("not an option")
            return choice
        if not isinstance(choice, list) or any(c not in options for c in choice):
            raise InvalidChoiceError("not options")
        return choice

    @dataclass(frozen=True)
    class CountResult:
        method: str
        winners: tuple
        support: Fraction | None
        totals: dict

        def to_json(self):
            return {
                "method": self.method,
                "winners": list(self.winners),
                "totals": dict(self.totals),
            }

    def count(method, options, ballots, *, seats=1, weights=None, seed="", **_):
        weights = weights or [1] * len(ballots)
        totals = dict.fromkeys(options, 0)
        for choice, weight in zip(ballots, weights, strict=True):
            for option in [choice] if isinstance(choice, str) else choice:
                totals[option] += weight
        total = sum(weights)
        order = sorted(options, key=lambda o: (-totals[o], o))
        winners = tuple(order[:seats]) if total else ()
        support = Fraction(totals[order[0]], total) if total else None
        return CountResult(method, winners, support, totals)

    _picklable(CountResult)
    module.METHODS = methods
    module.check_choice = check_choice
    module.count = count
    module.CountResult = CountResult
    return module


def _constitution() -> types.ModuleType:
    module = types.ModuleType("ssi.social.constitution")

    @dataclass(frozen=True)
    class ConstitutionRules:
        data: dict

    @dataclass(frozen=True)
    class Constitution:
        community: str
        version: int
        rules: ConstitutionRules
        ratified_by: str
        replaces: str | None

    def parse_rules(data):
        for kind in ("ordinary", "amendment", "election", "recall"):
            if kind not in data["kinds"]:
                raise MalformedValueError(f"kinds.{kind} is required.")
        return ConstitutionRules(data)

    def constitution_credential(
        community, rules, *, version, ratified_by, replaces=None, valid_from=None
    ):
        from datetime import UTC, datetime

        subject = {
            "id": community,
            "type": "Constitution",
            "version": version,
            "rules": rules,
            "ratifiedBy": ratified_by,
        }
        if replaces is not None:
            subject["replaces"] = replaces
        return f.build(
            "Constitution",
            community,
            valid_from or datetime(2026, 1, 1, tzinfo=UTC),
            subject,
        )

    def read_constitution(credential):
        _, issuer, _, subject = f.envelope(
            credential,
            "Constitution",
            frozenset({"id", "type", "version", "rules", "ratifiedBy", "replaces"}),
        )
        return Constitution(
            issuer,
            subject["version"],
            parse_rules(subject["rules"]),
            subject["ratifiedBy"],
            subject.get("replaces"),
        )

    _picklable(ConstitutionRules, Constitution)
    module.ConstitutionRules = ConstitutionRules
    module.Constitution = Constitution
    module.parse_rules = parse_rules
    module.constitution_credential = constitution_credential
    module.read_constitution = read_constitution
    return module


def _proposal() -> types.ModuleType:
    module = types.ModuleType("ssi.social.proposal")

    @dataclass(frozen=True)
    class Proposal:
        author: str
        community: str
        constitution: str | None
        kind: str
        title: str
        method: str
        opens: object
        closes: object
        tags: tuple
        option_ids: tuple
        seats: int | None
        amendment: dict | None

    @dataclass(frozen=True)
    class Signal:
        signer: str
        proposal: str
        time: object

    @dataclass(frozen=True)
    class ProposalProblem:
        code: str
        message: str

    @dataclass(frozen=True)
    class ProposalCheck:
        valid: bool
        reasons: tuple
        counted_signals: tuple
        required_signals: int

    members = frozenset(
        {
            "type",
            "community",
            "constitution",
            "kind",
            "title",
            "body",
            "method",
            "opens",
            "closes",
            "tags",
            "options",
            "candidates",
            "seats",
            "amendment",
            "recalls",
        }
    )

    def read_proposal(credential):
        _, author, _, s = f.envelope(credential, "Proposal", members)
        from ssi.datetimes import parse_date_time

        def when(key):
            return parse_date_time(s[key], require_timezone=True, path=key)

        if s["kind"] in ("amendment", "recall"):
            ids = ("yes", "no")
        elif s["kind"] == "election":
            ids = tuple(s["candidates"])
        else:
            ids = tuple(o["id"] for o in s["options"])
        return Proposal(
            author,
            s["community"],
            s.get("constitution"),
            s["kind"],
            s["title"],
            s["method"],
            when("opens"),
            when("closes"),
            tuple(s.get("tags", ())),
            ids,
            s.get("seats"),
            s.get("amendment"),
        )

    def read_signal(credential):
        _, signer, at, s = f.envelope(
            credential, "Signal", frozenset({"type", "proposal"})
        )
        return Signal(signer, f.cid(s["proposal"], "$.proposal"), at)

    def check_proposal(proposal, rules, *, signals, members, superseded_at):
        data = rules.data
        problems = []
        if proposal.method not in data["kinds"][proposal.kind]["methods"]:
            problems.append(ProposalProblem("methodNotAllowed", "method"))
        role = members.role(proposal.author, proposal.opens)
        if role is None:
            problems.append(ProposalProblem("notMember", "author"))
        elif role not in data["proposers"]:
            problems.append(ProposalProblem("proposerNotAllowed", "role"))
        if superseded_at is not None and superseded_at <= proposal.opens:
            problems.append(ProposalProblem("supersededConstitution", "old"))
        rule = data["signals"]
        if "count" in rule:
            required = rule["count"]
        else:
            required = math.ceil(
                Fraction(rule["share"]) * members.count(proposal.opens)
            )
        counted = sorted(
            {
                s.signer
                for s in signals
                if s.time <= proposal.opens and members.role(s.signer, s.time)
            }
        )
        if len(counted) < required:
            problems.append(ProposalProblem("notEnoughSignals", "signals"))
        return ProposalCheck(not problems, tuple(problems), tuple(counted), required)

    def signal_credential(signer, proposal_cid, *, valid_from):
        return f.build(
            "Signal", signer, valid_from, {"type": "Signal", "proposal": proposal_cid}
        )

    def proposal_credential(author, subject, *, valid_from):
        return f.build("Proposal", author, valid_from, {"type": "Proposal", **subject})

    for name, value in list(locals().items()):
        if not name.startswith("_") and name != "module":
            setattr(module, name, value)
    _picklable(Proposal, Signal, ProposalProblem, ProposalCheck)
    return module


def _picklable(*classes) -> None:
    """Make stand-in classes picklable (found here by name)."""
    for cls in classes:
        cls.__module__ = __name__
        cls.__qualname__ = cls.__name__
        globals()[cls.__name__] = cls


def install() -> None:
    """Put a stand-in in place of each of the three modules that is missing."""
    import ssi.social

    for name, build in (
        ("counting", _counting),
        ("constitution", _constitution),
        ("proposal", _proposal),
    ):
        full = f"ssi.social.{name}"
        try:
            importlib.import_module(full)
        except ImportError:
            module = build()
            sys.modules[full] = module
            setattr(ssi.social, name, module)
