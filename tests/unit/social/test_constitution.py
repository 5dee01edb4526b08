"""Constitution rules: read, checked and written back; authored as TOML;
carried by a Constitution credential secured by both EdDSA suites. Every
inconsistency is refused with InvalidConstitutionError naming its field."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ssi
from ssi.cid import object_cid
from ssi.errors import InvalidCIDError, InvalidConstitutionError, MalformedValueError
from ssi.keys import Ed25519KeyPair
from ssi.social import (
    COUNTING_METHODS,
    Constitution,
    ConstitutionRules,
    KindRule,
    Label,
    ModerationRules,
    SignalRule,
    Threshold,
    VotingPeriod,
    constitution_credential,
    parse_rules,
    read_constitution,
    rules_equal,
    rules_from_toml,
    rules_to_json,
)
from ssi.social.rule_values import (
    format_duration,
    parse_duration,
    parse_fraction,
    parse_threshold,
)

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = (ROOT / "examples" / "constitution.toml").read_text(encoding="utf-8")
KEY = Ed25519KeyPair.from_seed(bytes([23]) * 32)
SIGNER = ssi.signer(KEY)
COMMUNITY = SIGNER.key_id.split("#")[0]
TALLY = object_cid({"a tally": 1})
PREVIOUS = object_cid({"a constitution": 1})
ISSUED = datetime(2025, 3, 1, tzinfo=UTC)
CREATED = "2025-03-01T00:00:00Z"
NOW = datetime(2025, 6, 1, tzinfo=UTC)
SUITES = ["eddsa-jcs-2022", "eddsa-rdfc-2022"]


def wire_rules():
    """The rules object of docs/governance.md, in canonical form."""
    return {
        "preamble": "free text, the social contract",
        "proposers": ["member"],
        "signals": {"count": 2},
        "votingPeriod": {"min": "P1D", "max": "P14D"},
        "revoting": True,
        "delegation": True,
        "maxScore": 5,
        "voiceCredits": 100,
        "kinds": {
            "ordinary": {
                "methods": ["plurality", "approval", "schulze"],
                "quorum": "1/3",
                "threshold": ">1/2",
            },
            "amendment": {
                "methods": ["plurality"],
                "quorum": "1/2",
                "threshold": ">=2/3",
            },
            "election": {
                "methods": ["stv", "pav", "seq-phragmen"],
                "quorum": "1/4",
                "threshold": "none",
            },
            "recall": {"methods": ["plurality"], "quorum": "1/3", "threshold": ">1/2"},
        },
        "moderation": {
            "labels": [
                {"value": "spam", "action": "hide"},
                {"value": "nsfw", "action": "warn"},
            ],
            "panelSize": 5,
            "agreement": 3,
            "mandateTerm": "P90D",
            "appealPanelSize": 5,
            "appealMajority": ">1/2",
        },
    }


# --- The rules object ----------------------------------------------------------


def test_the_wire_example_reads_as_documented():
    rules = parse_rules(wire_rules())
    assert rules.proposers == ("member",)
    assert rules.signals == SignalRule(count=2)
    assert rules.voting_period == VotingPeriod(timedelta(days=1), timedelta(days=14))
    assert rules.kind("amendment") == KindRule(
        ("plurality",), Fraction(1, 2), Threshold(">=", Fraction(2, 3))
    )
    assert rules.kind("election").threshold == Threshold("none")
    assert rules.kind("budget") is None
    assert rules.moderation.label("nsfw") == Label("nsfw", "warn")
    assert rules.moderation.label("offtopic") is None
    assert rules.moderation.mandate_term == timedelta(days=90)


def test_canonical_rules_round_trip_exactly():
    assert rules_to_json(parse_rules(wire_rules())) == wire_rules()


def test_rules_are_written_in_canonical_form():
    rules = wire_rules()
    rules["kinds"]["ordinary"]["quorum"] = "0.50"
    rules["kinds"]["ordinary"]["threshold"] = ">2/4"
    rules["votingPeriod"] = {"min": "PT36H", "max": "PT336H"}
    rules["signals"] = {"share": "0.1"}
    out = rules_to_json(parse_rules(rules))
    assert out["kinds"]["ordinary"]["quorum"] == "1/2"
    assert out["kinds"]["ordinary"]["threshold"] == ">1/2"
    assert out["votingPeriod"] == {"min": "P1DT12H", "max": "P14D"}
    assert out["signals"] == {"share": "1/10"}


def test_rules_equal_compares_canonical_json_bytes():
    a = wire_rules()
    b = json.loads(json.dumps(a, sort_keys=True))
    assert rules_equal(a, b)
    b["maxScore"] = 6
    assert not rules_equal(a, b)


def _set(path, value):
    def change(rules):
        *parents, last = path
        target = rules
        for key in parents:
            target = target[key]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value

    return change


_DELETE = object()

# (id, change, the field the error names)
INCONSISTENT = [
    ("threshold-over-1", _set(("kinds", "amendment", "threshold"), ">3/2"),
     "kinds.amendment.threshold"),
    ("threshold-garbled", _set(("kinds", "ordinary", "threshold"), "more than half"),
     "kinds.ordinary.threshold"),
    ("quorum-negative", _set(("kinds", "ordinary", "quorum"), "-1/3"),
     "kinds.ordinary.quorum"),
    ("quorum-over-1", _set(("kinds", "recall", "quorum"), "4/3"),
     "kinds.recall.quorum"),
    ("quorum-float", _set(("kinds", "ordinary", "quorum"), 0.5),
     "kinds.ordinary.quorum"),
    ("quorum-zero-denominator", _set(("kinds", "ordinary", "quorum"), "1/0"),
     "kinds.ordinary.quorum"),
    ("unknown-method",
     _set(("kinds", "ordinary", "methods"), ["plurality", "dictator"]),
     "kinds.ordinary.methods[1]"),
    ("repeated-method", _set(("kinds", "ordinary", "methods"), ["irv", "irv"]),
     "kinds.ordinary.methods[1]"),
    ("no-methods", _set(("kinds", "election", "methods"), []),
     "kinds.election.methods"),
    ("empty-vocabulary", _set(("moderation", "labels"), []), "moderation.labels"),
    ("repeated-label", _set(("moderation", "labels"),
                            [{"value": "spam", "action": "hide"},
                             {"value": "spam", "action": "warn"}]),
     "moderation.labels[1]"),
    ("unknown-action", _set(("moderation", "labels"),
                            [{"value": "spam", "action": "delete"}]),
     "moderation.labels[0].action"),
    ("agreement-over-panel", _set(("moderation", "agreement"), 6),
     "moderation.agreement"),
    ("agreement-zero", _set(("moderation", "agreement"), 0), "moderation.agreement"),
    ("appeal-none", _set(("moderation", "appealMajority"), "none"),
     "moderation.appealMajority"),
    ("term-zero", _set(("moderation", "mandateTerm"), "PT0S"),
     "moderation.mandateTerm"),
    ("min-over-max", _set(("votingPeriod", "min"), "P15D"), "votingPeriod.min"),
    ("duration-months", _set(("votingPeriod", "max"), "P1M"), "votingPeriod.max"),
    ("missing-kind", _set(("kinds", "recall"), _DELETE), "kinds.recall"),
    ("bad-kind-name", _set(("kinds", "Budget"), {}), "kinds"),
    ("no-proposers", _set(("proposers",), []), "proposers"),
    ("repeated-proposer", _set(("proposers",), ["member", "member"]), "proposers[1]"),
    ("two-signal-rules", _set(("signals",), {"count": 1, "share": "1/2"}), "signals"),
    ("signal-share-over-1", _set(("signals",), {"share": "3/2"}), "signals.share"),
    ("negative-count", _set(("signals",), {"count": -1}), "signals.count"),
    ("unknown-member", _set(("quorum",), "1/2"), "quorum"),
    ("missing-member", _set(("revoting",), _DELETE), "revoting"),
    ("revoting-not-boolean", _set(("revoting",), "yes"), "revoting"),
    ("max-score-zero", _set(("maxScore",), 0), "maxScore"),
    ("voice-credits-bool", _set(("voiceCredits",), True), "voiceCredits"),
    ("preamble-number", _set(("preamble",), 1), "preamble"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field"),
    [(change, field) for _, change, field in INCONSISTENT],
    ids=[name for name, _, _ in INCONSISTENT],
)
def test_inconsistent_rules_are_refused_naming_the_field(change, field):
    rules = wire_rules()
    change(rules)
    with pytest.raises(InvalidConstitutionError) as caught:
        parse_rules(rules)
    assert caught.value.field == field
    assert caught.value.detail.startswith(field)
    assert caught.value.code == "invalidConstitution"


def test_a_rules_object_that_is_not_an_object_is_refused():
    with pytest.raises(InvalidConstitutionError) as caught:
        parse_rules(["rules"])
    assert caught.value.field == ""
    assert "the rules must be an object" in caught.value.detail


def test_the_error_is_a_malformed_value():
    assert issubclass(InvalidConstitutionError, MalformedValueError)


def test_custom_kinds_are_allowed_and_kept_in_order():
    rules = wire_rules()
    rules["kinds"]["budget"] = {
        "methods": ["quadratic"],
        "quorum": "0",
        "threshold": ">=1/2",
    }
    parsed = parse_rules(rules)
    assert list(parsed.kinds) == [
        "ordinary",
        "amendment",
        "election",
        "recall",
        "budget",
    ]
    assert rules_to_json(parsed) == rules


# --- Values: fractions, thresholds, durations ------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("1/3", Fraction(1, 3)), ("0.5", Fraction(1, 2)), ("1", 1), ("0", 0),
     ("2/4", Fraction(1, 2)), ("0.333", Fraction(333, 1000))],
)  # fmt: skip
def test_fractions_are_read_exactly(text, value):
    assert parse_fraction(text, "f") == value


@pytest.mark.parametrize(
    ("threshold", "support", "passes"),
    [
        (">1/2", Fraction(1, 2), False),
        (">1/2", Fraction(501, 1000), True),
        (">=2/3", Fraction(2, 3), True),
        (">=2/3", Fraction(666, 1000), False),
        ("none", Fraction(0), True),
        (">0", Fraction(0), False),
        (">=1", Fraction(1), True),
    ],
)
def test_thresholds_compare_exactly(threshold, support, passes):
    parsed = parse_threshold(threshold, "t")
    assert parsed.passes(support) is passes
    assert str(parsed) == threshold


@pytest.mark.parametrize(
    ("text", "duration", "canonical"),
    [
        ("P1D", timedelta(days=1), "P1D"),
        ("PT36H", timedelta(hours=36), "P1DT12H"),
        ("PT90M", timedelta(minutes=90), "PT1H30M"),
        ("P1DT2H3M4S", timedelta(days=1, hours=2, minutes=3, seconds=4), "P1DT2H3M4S"),
        ("PT0S", timedelta(0), "PT0S"),
    ],
)
def test_durations(text, duration, canonical):
    assert parse_duration(text, "d") == duration
    assert format_duration(duration) == canonical


@pytest.mark.parametrize(
    "text", ["P", "PT", "P1DT", "P1W", "P1Y", "P1M", "PT1.5S", "1D", "p1d", "P-1D", ""]
)
def test_durations_outside_the_subset_are_refused(text):
    with pytest.raises(InvalidConstitutionError) as caught:
        parse_duration(text, "votingPeriod.max")
    assert caught.value.field == "votingPeriod.max"


@pytest.mark.parametrize(
    ("rule", "members", "required"),
    [
        (SignalRule(count=2), 1000, 2),
        (SignalRule(share=Fraction(1, 10)), 100, 10),
        (SignalRule(share=Fraction(1, 10)), 101, 11),
        (SignalRule(share=Fraction(1, 10)), 0, 0),
        (SignalRule(share=Fraction(1, 3)), 1, 1),
    ],
)
def test_signal_shares_round_up(rule, members, required):
    assert rule.required(members) == required


_fractions = st.fractions(min_value=0, max_value=1, max_denominator=10**6)
_thresholds = st.one_of(
    st.just(Threshold("none")),
    st.builds(Threshold, st.sampled_from([">", ">="]), _fractions),
)
_durations = st.builds(
    timedelta, days=st.integers(0, 999), seconds=st.integers(1, 86_399)
)
_names = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)


@st.composite
def _rules(draw):
    low, high = sorted([draw(_durations), draw(_durations)])
    kind = st.builds(
        KindRule,
        st.lists(st.sampled_from(COUNTING_METHODS), min_size=1, unique=True).map(tuple),
        _fractions,
        _thresholds,
    )
    names = draw(st.lists(_names, unique=True, max_size=4))
    kinds = {
        name: draw(kind)
        for name in ("ordinary", "amendment", "election", "recall", *names)
    }
    panel = draw(st.integers(1, 20))
    values = draw(st.lists(_names, min_size=1, max_size=5, unique=True))
    return ConstitutionRules(
        preamble=draw(st.text(max_size=50)),
        proposers=tuple(draw(st.lists(_names, min_size=1, max_size=3, unique=True))),
        signals=draw(
            st.one_of(
                st.builds(SignalRule, count=st.integers(0, 50)),
                st.builds(SignalRule, share=_fractions),
            )
        ),
        voting_period=VotingPeriod(low, high),
        revoting=draw(st.booleans()),
        delegation=draw(st.booleans()),
        max_score=draw(st.integers(1, 10)),
        voice_credits=draw(st.integers(1, 1000)),
        kinds=kinds,
        moderation=ModerationRules(
            labels=tuple(
                Label(v, draw(st.sampled_from(["hide", "warn", "inform"])))
                for v in values
            ),
            panel_size=panel,
            agreement=draw(st.integers(1, panel)),
            mandate_term=draw(_durations),
            appeal_panel_size=draw(st.integers(1, 20)),
            appeal_majority=draw(
                st.builds(Threshold, st.sampled_from([">", ">="]), _fractions)
            ),
        ),
    )  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(_rules())
def test_every_rules_value_round_trips_through_json(rules):
    written = rules_to_json(rules)
    assert parse_rules(written) == rules
    assert rules_to_json(parse_rules(json.loads(json.dumps(written)))) == written


# --- TOML ----------------------------------------------------------------------


def test_the_example_toml_reads_as_documented():
    rules = parse_rules(rules_from_toml(EXAMPLE))
    assert rules.kind("amendment").threshold == Threshold(">=", Fraction(2, 3))
    assert rules.kind("ordinary").threshold == Threshold(">", Fraction(1, 2))
    assert rules.moderation.labels == (
        Label("spam", "hide"),
        Label("nsfw", "warn"),
        Label("offtopic", "inform"),
    )
    assert (rules.moderation.panel_size, rules.moderation.agreement) == (3, 2)
    assert rules.moderation.mandate_term == timedelta(days=90)
    assert rules.moderation.appeal_panel_size == 1
    assert rules.moderation.appeal_majority == Threshold(">", Fraction(1, 2))
    assert rules.preamble.startswith("We, the members")


def test_toml_output_is_the_canonical_json_object():
    out = rules_from_toml(EXAMPLE)
    assert rules_to_json(parse_rules(out)) == out
    assert "votingPeriod" in out
    assert "appealPanelSize" in out["moderation"]


def test_a_toml_syntax_error_names_its_line():
    text = EXAMPLE.replace("max_score = 5", "max_score = = 5")
    line = text.splitlines().index("max_score = = 5") + 1
    with pytest.raises(InvalidConstitutionError) as caught:
        rules_from_toml(text)
    assert caught.value.line == line
    assert f"line {line}" in caught.value.detail


def test_toml_errors_name_the_toml_key():
    text = EXAMPLE.replace('min = "P2D"', 'min = "P20D"')
    with pytest.raises(InvalidConstitutionError) as caught:
        rules_from_toml(text)
    assert caught.value.field == "voting_period.min"
    assert caught.value.detail.startswith("voting_period.min must not be longer")


def test_toml_refuses_the_json_spelling_of_a_key():
    text = EXAMPLE.replace("max_score = 5", "maxScore = 5")
    with pytest.raises(InvalidConstitutionError) as caught:
        rules_from_toml(text)
    assert caught.value.field == "maxScore"
    assert "max_score" in caught.value.detail


def test_toml_refuses_dates_and_numbers_for_fractions():
    with pytest.raises(InvalidConstitutionError) as caught:
        rules_from_toml(
            EXAMPLE.replace('mandate_term = "P90D"', "mandate_term = 2025-01-01")
        )
    assert caught.value.field == "moderation.mandate_term"
    with pytest.raises(InvalidConstitutionError) as caught:
        rules_from_toml(EXAMPLE.replace('quorum = "1/3"', "quorum = 0.33", 1))
    assert caught.value.field == "kinds.ordinary.quorum"
    assert "string" in caught.value.detail


# --- The credential --------------------------------------------------------------


def genesis(**changes):
    options = {"version": 1, "ratified_by": TALLY, "valid_from": ISSUED}
    options.update(changes)
    return constitution_credential(COMMUNITY, wire_rules(), **options)


def test_the_constitution_wire_shape():
    assert genesis() == {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://w3id.org/agora/v1",
        ],
        "type": ["VerifiableCredential", "Constitution"],
        "issuer": COMMUNITY,
        "validFrom": "2025-03-01T00:00:00Z",
        "credentialSubject": {
            "id": COMMUNITY,
            "type": "Constitution",
            "version": 1,
            "rules": wire_rules(),
            "ratifiedBy": TALLY,
        },
    }


@pytest.mark.parametrize("suite", SUITES)
def test_a_constitution_round_trips(suite):
    unsigned = genesis(version=2, replaces=PREVIOUS)
    signed = ssi.issue(unsigned, SIGNER, suite=suite, created=CREATED)
    assert ssi.verify(signed, now=NOW).verified
    assert read_constitution(signed) == Constitution(
        community=COMMUNITY,
        version=2,
        rules=parse_rules(wire_rules()),
        rules_json=wire_rules(),
        ratified_by=TALLY,
        replaces=PREVIOUS,
        valid_from=ISSUED,
    )


def test_rdfc_signs_the_rules_json_literal():
    signed = ssi.issue(genesis(), SIGNER, suite="eddsa-rdfc-2022", created=CREATED)
    signed["credentialSubject"]["rules"]["kinds"]["amendment"]["threshold"] = ">1/2"
    assert not ssi.verify(signed, now=NOW).verified


def test_a_rules_value_is_written_canonically_and_json_is_kept_as_given():
    rules = wire_rules()
    rules["kinds"]["ordinary"]["quorum"] = "0.5"
    from_json = constitution_credential(
        COMMUNITY, rules, version=1, ratified_by=TALLY, valid_from=ISSUED
    )
    assert (
        from_json["credentialSubject"]["rules"]["kinds"]["ordinary"]["quorum"] == "0.5"
    )
    from_value = constitution_credential(
        COMMUNITY, parse_rules(rules), version=1, ratified_by=TALLY, valid_from=ISSUED
    )
    assert (
        from_value["credentialSubject"]["rules"]["kinds"]["ordinary"]["quorum"] == "1/2"
    )


@pytest.mark.parametrize(
    ("change", "error", "path"),
    [
        (lambda s: s.update(replaces=PREVIOUS), MalformedValueError,
         "$.credentialSubject.replaces"),
        (lambda s: s.update(version=2), MalformedValueError,
         "$.credentialSubject.replaces"),
        (lambda s: s.update(version=0), MalformedValueError,
         "$.credentialSubject.version"),
        (lambda s: s.update(version="1"), MalformedValueError,
         "$.credentialSubject.version"),
        (lambda s: s.update(id="did:example:other"), MalformedValueError,
         "$.credentialSubject.id"),
        (lambda s: s.update(type="Rules"), MalformedValueError,
         "$.credentialSubject.type"),
        (lambda s: s.pop("ratifiedBy"), MalformedValueError,
         "$.credentialSubject.ratifiedBy"),
        (lambda s: s.update(ratifiedBy="tally"), InvalidCIDError,
         "$.credentialSubject.ratifiedBy"),
        (lambda s: s.update(extra=1), MalformedValueError,
         "$.credentialSubject.'extra'"),
        (lambda s: s["rules"]["kinds"]["amendment"].update(threshold=">3/2"),
         InvalidConstitutionError,
         "$.credentialSubject.rules.kinds.amendment.threshold"),
    ],
    ids=["replaces-in-genesis", "no-replaces", "version-0", "version-string",
         "other-subject", "subject-type", "no-ratified-by", "ratified-by-not-cid",
         "unknown-member", "inconsistent-rules"],
)  # fmt: skip
def test_a_malformed_constitution_is_refused(change, error, path):
    credential = genesis()
    change(credential["credentialSubject"])
    with pytest.raises(error) as caught:
        read_constitution(credential)
    assert caught.value.detail.startswith(path)
    if error is InvalidConstitutionError:
        assert caught.value.field == path


def test_the_builder_checks_what_it_builds():
    with pytest.raises(MalformedValueError):
        constitution_credential(
            COMMUNITY, wire_rules(), version=2, ratified_by=TALLY, valid_from=ISSUED
        )
    broken = copy.deepcopy(wire_rules())
    broken["moderation"]["labels"] = []
    with pytest.raises(InvalidConstitutionError):
        constitution_credential(
            COMMUNITY, broken, version=1, ratified_by=TALLY, valid_from=ISSUED
        )
