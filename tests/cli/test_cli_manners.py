"""CLI conventions (docs/cli.md): the root ``--json``, JSON problem documents,
one exit code per kind of failure, whole ids at 80 and 100 columns, whole
help summaries, a light start, shell completion and ``--debug``.

Everything runs in process with CliRunner except the start-up check, which
needs a fresh interpreter.
"""

# Test passphrases are not secrets.
# ruff: noqa: S105

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from wallet_cli.app import COMMANDS, app, first_sentence, load_command

PASSPHRASE = "agora test passphrase"
runner = CliRunner()

NOT_VERIFIED, REFUSED, NOT_FOUND, UNUSABLE, USAGE = (
    "not verified",
    "refused",
    "not found",
    "unusable input",
    "usage",
)
EXIT = {NOT_VERIFIED: 1, REFUSED: 1, NOT_FOUND: 1, UNUSABLE: 2, USAGE: 2}
PROBLEM_FIELDS = {"type", "title", "detail", "code"}


def agora(home: Path, *args: str, columns: int = 200, passphrase: bool = True):
    return runner.invoke(
        app,
        list(args),
        env={
            "AGORA_HOME": str(home),
            "AGORA_PASSPHRASE": PASSPHRASE if passphrase else None,
            "AGORA_NEW_PASSPHRASE": None,
            "AGORA_BACKUP_PASSPHRASE": None,
            "COLUMNS": str(columns),
            "FORCE_COLOR": None,
            "TTY_COMPATIBLE": None,
        },
    )


def ok(result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


def as_json(result) -> Any:
    return json.loads(ok(result))


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("manners")
    home, other = root / "wallet", root / "other"
    for folder in (home, other):
        ok(agora(folder, "init", "--kdf-profile", "test"))
    key = as_json(agora(home, "did", "create", "--alias", "alice", "--json"))
    p256 = as_json(
        agora(home, "did", "create", "--key-type", "P-256", "--alias", "p", "--json")
    )
    agora_did = as_json(
        agora(home, "did", "create", "--method", "agora", "--alias", "ag", "--json")
    )
    ok(
        agora(
            home,
            "did",
            "update",
            "ag",
            "--add-service",
            "hub",
            "--service-type",
            "AgoraHub",
            "--service-endpoint",
            "https://hub.example",
        )
    )
    log = root / "ag.jsonl"
    ok(agora(home, "did", "log", "export", "ag", "--out", str(log)))
    lines = log.read_text(encoding="utf-8").splitlines()
    second = json.loads(lines[1])
    second["document"]["service"][0]["serviceEndpoint"] = "https://evil.example"
    tampered_log = root / "tampered.jsonl"
    tampered_log.write_text(lines[0] + "\n" + json.dumps(second) + "\n", "utf-8")
    credential = as_json(
        agora(
            home,
            *("vc", "issue", "--issuer", "alice", "--subject", p256["did"]),
            *("--type", "MembershipCredential", "--claims", '{"role": "member"}'),
        )
    )
    good = root / "credential.json"
    good.write_text(json.dumps(credential), encoding="utf-8")
    forged = dict(credential, credentialSubject=dict(credential["credentialSubject"]))
    forged["credentialSubject"]["role"] = "admin"
    tampered = root / "tampered.json"
    tampered.write_text(json.dumps(forged), encoding="utf-8")
    garbage = root / "garbage.json"
    garbage.write_text("{not json", encoding="utf-8")
    community = as_json(
        agora(home, "community", "create", "Engines", "--alias", "c", "--json")
    )
    admitted = as_json(agora(home, "community", "admit", "c", p256["did"], "--json"))
    return {
        "root": root,
        "home": home,
        "other": other,
        "key": key["did"],
        "p256": p256["did"],
        "agora": agora_did["did"],
        "log": log,
        "tampered_log": tampered_log,
        "credential": credential["id"],
        "good": good,
        "tampered": tampered,
        "garbage": garbage,
        "community": community["did"],
        "membership": admitted["id"],
    }


# --- One exit code per kind of failure -------------------------------------------

NO_ID = "urn:uuid:00000000-0000-4000-8000-000000000000"
ISSUE = ("vc", "issue", "--issuer", "alice", "--subject", "{p256}", "--type", "T")

CASES: list[tuple[str, str, tuple[str, ...], str]] = [
    # (kind, wallet, command, shown: "report" when stdout holds the result)
    (NOT_VERIFIED, "home", ("vc", "verify", "{tampered}"), "report"),
    (NOT_VERIFIED, "none", ("did", "resolve", "{agora}", "--log={tampered_log}"), ""),
    (REFUSED, "home", ("vc", "store", "{tampered}"), "report"),
    (REFUSED, "other", ("did", "log", "import", "{tampered_log}"), ""),
    (NOT_FOUND, "home", ("vc", "show", NO_ID), ""),
    (NOT_FOUND, "home", ("vc", "delete", NO_ID), ""),
    (NOT_FOUND, "home", ("did", "show", "nobody"), ""),
    (NOT_FOUND, "home", ("key", "export", "nobody"), ""),
    (NOT_FOUND, "home", ("community", "members", "nobody"), ""),
    (NOT_FOUND, "home", ("community", "revoke", "c", "urn:uuid:nope"), ""),
    (NOT_FOUND, "none", ("did", "resolve", "{agora}"), ""),
    (NOT_FOUND, "none", ("did", "resolve", "did:example:123"), ""),
    (UNUSABLE, "home", ("vc", "verify", "{garbage}"), "report"),
    (UNUSABLE, "home", ("vc", "verify", "{root}/missing.json"), ""),
    (UNUSABLE, "home", ("vc", "store", "{garbage}"), "report"),
    (UNUSABLE, "none", ("did", "resolve", "not a did"), ""),
    (UNUSABLE, "none", ("did", "resolve", "{key}", "--key-format", "Nope"), ""),
    (UNUSABLE, "none", ("did", "resolve", "{key}", "--accept", "text/html"), ""),
    (UNUSABLE, "none", ("did", "resolve", "{key}", "--log", "{root}/nope.jsonl"), ""),
    (UNUSABLE, "home", (*ISSUE, "--claims", "{{"), ""),
    (UNUSABLE, "home", (*ISSUE, "--claims", "{{}}", "--suite", "nope"), ""),
    (UNUSABLE, "home", ("community", "admit", "c", "{p256}", "--valid-until", "x"), ""),
    (UNUSABLE, "home", ("key", "export", "alice", "--public", "--private"), ""),
    (UNUSABLE, "other", ("did", "log", "import", "{garbage}"), ""),
    (UNUSABLE, "nowallet", ("did", "list"), ""),
    (USAGE, "home", ("vc", "verify"), ""),
    (USAGE, "home", ("did", "resolve", "{key}", "--bogus"), ""),
    (USAGE, "home", ("nope",), ""),
    (USAGE, "home", ("did", "create", "--method", "web"), ""),
    (USAGE, "home", ("vc", "issue", "--issuer", "alice"), ""),
]  # fmt: skip


def case_args(world: dict[str, Any], args: tuple[str, ...]) -> list[str]:
    values = {k: str(v) for k, v in world.items()}
    return [arg.format(**values) for arg in args]


def case_home(world: dict[str, Any], which: str) -> tuple[Path, bool]:
    if which == "none":
        return world["root"] / "no-wallet", False
    if which == "nowallet":
        return world["root"] / "no-wallet", True
    return world[which], True


@pytest.mark.parametrize(
    ("kind", "which", "args", "shown"),
    CASES,
    ids=[f"{kind}: {' '.join(args)}" for kind, _, args, _ in CASES],
)
def test_the_same_kind_of_failure_has_the_same_exit_code(
    world, kind, which, args, shown
):
    home, passphrase = case_home(world, which)
    argv = case_args(world, args)
    human = agora(home, *argv, passphrase=passphrase)
    assert human.exit_code == EXIT[kind], (human.stdout, human.stderr)
    assert "Traceback" not in human.stdout + human.stderr
    assert human.exception is None or isinstance(human.exception, SystemExit)
    as_json = agora(home, "--json", *argv, passphrase=passphrase)
    assert as_json.exit_code == EXIT[kind], (as_json.stdout, as_json.stderr)
    if shown == "report":
        json.loads(as_json.stdout)
    if as_json.stderr:
        problem = json.loads(as_json.stderr)
        assert set(problem) >= PROBLEM_FIELDS, problem
        assert problem["code"]
    else:
        assert shown == "report", "a failure with no result must explain itself"


def test_every_exit_call_goes_through_the_one_mapping():
    """No command picks an exit code itself: only wallet_cli/app.py does."""
    package = Path(__file__).parents[2] / "wallet_cli"
    offenders = [
        f"{path.name}:{number}"
        for path in package.rglob("*.py")
        if path.name != "app.py"
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if "typer.Exit(" in line or "sys.exit(" in line
    ]
    assert offenders == []


# --- --json at the root and on commands ------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("vc", "verify", "{good}"),
        ("vc", "verify", "{tampered}"),
        ("did", "list"),
        ("vc", "show", "{credential}"),
        ("community", "members", "c"),
        ("did", "resolve", "{key}"),
        ("key", "list"),
    ],
)
def test_root_json_is_the_commands_json(world, args):
    argv = case_args(world, args)
    at_root = agora(world["home"], "--json", *argv)
    on_command = agora(world["home"], *argv, "--json")
    assert at_root.exit_code == on_command.exit_code
    assert at_root.stdout == on_command.stdout
    json.loads(at_root.stdout)


@pytest.mark.parametrize("where", ["root", "command"])
def test_json_errors_are_problem_documents(world, where):
    for args, code in [
        (("vc", "show", "urn:uuid:nope"), "recordNotFound"),
        (("vc", "verify", str(world["root"] / "missing.json")), "unusableInput"),
        (("did", "resolve", "not a did"), "invalidDid"),
        (("vc", "verify", "--bogus"), "invalidUsage"),
    ]:
        argv = ["--json", *args] if where == "root" else [*args, "--json"]
        result = agora(world["home"], *argv)
        assert result.exit_code != 0
        [line] = result.stderr.splitlines()
        problem = json.loads(line)
        assert set(problem) == PROBLEM_FIELDS, problem
        assert problem["code"] == code
        assert problem["type"].endswith(code) or ":" in problem["type"]


# --- Ids are never broken; summaries are never cut ---------------------------------


def lines_with(text: str, value: str) -> list[str]:
    return [line for line in text.splitlines() if value in line]


@pytest.mark.parametrize("columns", [80, 100])
def test_ids_are_whole_on_one_line(world, columns):
    home = world["home"]
    shown = {
        ("did", "list"): [world["key"], world["p256"], world["agora"]],
        ("did", "show", "ag"): [world["agora"]],
        ("did", "show", "p"): [world["p256"]],
        ("did", "resolve", world["key"]): [
            world["key"],
            f"{world['key']}#{world['key'].removeprefix('did:key:')}",
        ],
        ("vc", "list"): [world["credential"], world["key"]],
        ("vc", "show", world["credential"]): [world["credential"], world["p256"]],
        ("community", "members", "c"): [world["community"], world["membership"]],
        ("key", "list"): [world["key"], world["agora"]],
    }
    for args, ids in shown.items():
        stdout = ok(agora(home, *args, columns=columns))
        for value in ids:
            assert lines_with(stdout, value), (args, value, stdout)
            # A broken id leaves its start (a DID URL: its fragment's) on a
            # line without the rest.
            start = value[value.find("#") :][:24] if "#" in value else value[:24]
            for line in lines_with(stdout, start):
                assert value in line, (args, value, stdout)
        for line in stdout.splitlines():
            assert "…" not in line, (args, stdout)


def commands_section(text: str) -> str:
    return " ".join(text.split("Commands:", 1)[1].split())


GROUPS = [
    (),
    ("did",),
    ("did", "log"),
    ("key",),
    ("vc",),
    ("community",),
    ("constitution",),
    ("proposal",),
    ("vp",),
    ("backup",),
    ("passphrase",),
    ("msg",),
]


@pytest.mark.parametrize("columns", [80, 100])
@pytest.mark.parametrize("group", GROUPS, ids=[" ".join(g) or "agora" for g in GROUPS])
def test_group_help_summaries_are_whole(tmp_path, columns, group):
    result = agora(tmp_path, *group, "--help", columns=columns)
    text = ok(result)
    section = commands_section(text)
    assert "..." not in section
    assert all(len(line) <= columns for line in text.splitlines())
    command = load_command(group[0]) if group else None
    for name in group[1:]:
        command = command.commands[name]  # type: ignore[union-attr]
    if command is None:
        expected = [entry.summary for entry in COMMANDS.values()]
    else:
        expected = [first_sentence(sub.help) for sub in command.commands.values()]
    for summary in expected:
        assert summary
        assert summary in section, (summary, text)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_root_summaries_match_the_groups(name):
    assert COMMANDS[name].summary == first_sentence(load_command(name).help)


# --- A light start ------------------------------------------------------------------

HEAVY = (
    "pyld",
    "cryptography",
    "httpx",
    "nacl",
    "jwcrypto",
    "multiformats",
    "pydantic",
    "rich",
    "ssi.credentials",
    "ssi.keys",
    "ssi.did",
    "ssi.wallet",
    "ssi.agora",
    "ssi.status",
    "wallet_cli.commands",
    "wallet_cli.session",
    "wallet_cli.output",
)

PROBE = """
import contextlib, io, json, sys
sys.argv = ["agora", *sys.argv[1:]]
from wallet_cli.app import main
with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
    main()
print(json.dumps(sorted(sys.modules)))
"""


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_import_nothing_heavy(flag):
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, flag],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("AGORA_")},
    )
    loaded = json.loads(completed.stdout)
    heavy = [m for m in loaded if m.startswith(HEAVY)]
    assert heavy == []
    assert "wallet_cli.app" in loaded


# --- Completion and --debug -------------------------------------------------------


def test_help_lists_completion_and_debug(tmp_path):
    text = ok(agora(tmp_path, "--help"))
    for option in ("--install-completion", "--show-completion", "--debug", "--json"):
        assert option in text


def test_show_completion_prints_a_bash_script(tmp_path, monkeypatch):
    # The shell is detected from the parent processes unless typer is told to
    # take it as the option's value; the root is built after this is read.
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    script = ok(agora(tmp_path, "--show-completion", "bash"))
    assert "_AGORA_COMPLETE=complete_bash" in script
    assert "complete -o default -F _agora_completion agora" in script


def test_completion_completes_groups_and_commands(tmp_path):
    def complete(words: str, cword: int) -> list[str]:
        result = runner.invoke(
            app,
            [],
            env={
                "_AGORA_COMPLETE": "complete_bash",
                "COMP_WORDS": words,
                "COMP_CWORD": str(cword),
                "AGORA_HOME": str(tmp_path),
            },
        )
        assert result.exit_code == 0, result.output
        return result.stdout.split()

    assert complete("agora v", 1) == ["vc", "vote", "vp"]
    assert complete("agora vc ve", 2) == ["verify"]
    assert "--json" in complete("agora vc verify --js", 3)


@pytest.mark.parametrize("position", ["root", "end"])
def test_debug_raises_instead_of_one_line(world, position):
    args = ["vc", "verify", str(world["root"] / "missing.json")]
    argv = ["--debug", *args] if position == "root" else [*args, "--debug"]
    result = agora(world["home"], *argv)
    assert result.exit_code != 0
    assert type(result.exception).__name__ == "UsageError"
    assert "error[" not in result.stderr
    plain = agora(world["home"], *args)
    assert plain.stderr.startswith("error[unusableInput]")
