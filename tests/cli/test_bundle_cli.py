"""``agora bundle pack | verify | merge`` in a fresh home (no wallet): the
bundle alone verifies; failures are shown per object with exit 1."""

from __future__ import annotations

import io
import json
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from ssi.agora import add_service, signing_document, update_entry, validate_log
from ssi.bundle import MemoryLogSource
from ssi.social import FEED_RECORDS
from ssi.store import SQLiteStore
from tests.cli.helpers import AGORA, environment, one_error
from tests.unit.bundle.corpus import T0, Corpus, build_corpus, key


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return build_corpus()


def agora(*args: str, home: Path, data: bytes = b"") -> subprocess.CompletedProcess:
    assert AGORA is not None
    return subprocess.run(
        [AGORA, *args],
        input=data,
        capture_output=True,
        timeout=120,
        check=False,
        env=environment(home, passphrase=None),
    )


class Result:
    """The shape tests.cli.helpers.one_error reads (text streams)."""

    def __init__(self, completed: subprocess.CompletedProcess) -> None:
        self.exception = None
        self.exit_code = completed.returncode
        self.stdout = completed.stdout.decode()
        self.stderr = completed.stderr.decode()


def bad_bundle(corpus: Corpus) -> bytes:
    posts = [*corpus.posts, corpus.revoked_post, corpus.ghost_post]
    bundle = corpus.bundle(posts, require_complete=False)
    return bundle.replace(b'"content":"post 500 by ', b'"content":"POST 500 by ')


def test_a_thousand_posts_verify_in_a_fresh_home(corpus: Corpus, tmp_path: Path):
    bundle = tmp_path / "posts.jsonl"
    bundle.write_bytes(corpus.bundle())
    home = tmp_path / "fresh"
    done = agora("bundle", "verify", str(bundle), home=home)
    assert done.returncode == 0, done.stderr
    assert b"1000 items, 1000 verified, 0 failed" in done.stdout
    assert not home.exists()
    done = agora("bundle", "verify", str(bundle), "--json", home=home)
    report = json.loads(done.stdout)
    assert (report["verified"], report["objects"], report["failed"]) == (True, 1000, 0)
    assert {r["types"][0] for r in report["results"]} == {"Post"}


def test_failures_are_shown_per_object_from_stdin(corpus: Corpus, tmp_path: Path):
    home = tmp_path / "fresh"
    done = agora("bundle", "verify", "-", "--json", home=home, data=bad_bundle(corpus))
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert (report["verified"], report["objects"], report["failed"]) == (False, 1002, 3)
    codes = sorted(
        r["problems"][0]["code"] for r in report["results"] if not r["verified"]
    )
    assert codes == ["PROOF_VERIFICATION_ERROR", "membershipRevoked", "notFound"]
    done = agora("bundle", "verify", "-", home=home, data=bad_bundle(corpus))
    assert done.returncode == 1
    text = done.stdout.decode()
    assert "1002 items, 999 verified, 3 failed" in text
    assert "FAILED membershipRevoked" in text
    assert ": membershipRevoked in community: the author's membership of" in text


def test_a_bundle_that_is_not_one(tmp_path: Path):
    done = Result(agora("bundle", "verify", "-", home=tmp_path, data=b"hello\n"))
    one_error(done, "invalidBundleHeader", 2)


def test_untrusted_text_is_escaped(corpus: Corpus, tmp_path: Path):
    post = dict(corpus.posts[0])
    post["issuer"] = "did:example:\x1b[31mred\u202e"
    bundle = corpus.bundle([]) + (
        b'{"kind":"credential","credential":' + json.dumps(post).encode() + b"}\n"
    )
    done = agora("bundle", "verify", "-", home=tmp_path, data=bundle)
    assert done.returncode == 1
    assert b"\x1b" not in done.stdout
    assert b"\\x1b[31mred\\u202e" in done.stdout


def write_files(corpus: Corpus, folder: Path, posts: list) -> list[str]:
    folder.mkdir()
    names = []
    for index, document in enumerate(posts):
        name = folder / f"post{index}.json"
        name.write_text(json.dumps(document))
        names.append(str(name))
    logs = folder / "logs"
    logs.mkdir()
    for identity in [*corpus.authors, corpus.community]:
        if identity.log:
            (logs / f"{identity.did[-12:]}.jsonl").write_text(
                "".join(json.dumps(e) + "\n" for e in identity.log)
            )
    (folder / "list.json").write_text(json.dumps(corpus.status_list))
    for index, membership in enumerate(corpus.memberships):
        (folder / f"member{index}.json").write_text(json.dumps(membership))
    return names


def test_pack_from_files_then_verify(corpus: Corpus, tmp_path: Path):
    community_posts = [p for p in corpus.posts if "community" in p["credentialSubject"]]
    chosen = corpus.posts[12:20] + community_posts[:3]
    names = write_files(corpus, tmp_path / "in", chosen)
    home = tmp_path / "fresh"
    out = tmp_path / "b.jsonl"
    folder = tmp_path / "in"
    evidence = [
        "--log",
        str(folder / "logs"),
        "--status-list",
        str(folder / "list.json"),
    ]
    for index in range(4):
        evidence += ["--membership", str(folder / f"member{index}.json")]
    done = agora(
        "bundle", "pack", *names, *evidence, "--out", str(out), "--json", home=home
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["objects"] == 11
    assert summary["statusLists"] == 1
    assert summary["memberships"] >= 1
    assert summary["missing"] == []
    done = agora("bundle", "verify", str(out), home=home)
    assert done.returncode == 0, done.stdout
    assert b"11 items, 11 verified, 0 failed" in done.stdout
    again = agora("bundle", "pack", *names, *evidence, "--out", str(out), home=home)
    one_error(Result(again), "fileExists", 2)
    to_stdout = agora("bundle", "pack", *names, *evidence, "--out", "-", home=home)
    assert to_stdout.returncode == 0
    assert to_stdout.stdout == out.read_bytes()


def test_pack_refuses_a_bundle_that_would_not_verify(corpus: Corpus, tmp_path: Path):
    names = write_files(corpus, tmp_path / "in", corpus.posts[12:14])
    out = tmp_path / "b.jsonl"
    done = Result(
        agora("bundle", "pack", *names, "--out", str(out), home=tmp_path / "h")
    )
    line = one_error(done, "missingDependency", 2)
    assert "no did:agora log for did:agora:" in line
    assert not out.exists()


def test_merge_shows_duplicity_with_its_evidence(corpus: Corpus, tmp_path: Path):
    author = corpus.authors[14]
    log = validate_log(author.log, did=author.did)
    document = signing_document(key(4014).public_key)
    service = {"type": "LinkedDomains", "serviceEndpoint": "https://x.example"}
    branches = [
        update_entry(
            log, key(1014), add_service(document, {"id": f"#{name}", **service}),
            when=T0 + timedelta(days=day),
        )
        for name, day in (("a", 2), ("b", 3))
    ]  # fmt: skip
    theirs = [p for p in corpus.posts if p["issuer"] == author.did][:3]
    files = []
    for index, branch in enumerate(branches):
        logs = corpus.logs()
        source = MemoryLogSource({d: logs.logs_for(d) for d in logs.dids()})
        source._logs[author.did] = [[*author.log, branch]]
        path = tmp_path / f"{index}.jsonl"
        path.write_bytes(corpus.bundle(theirs, logs=source))
        files.append(str(path))
    out = tmp_path / "merged.jsonl"
    done = agora("bundle", "merge", *files, "--out", str(out), "--json", home=tmp_path)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    (fork,) = report["duplicity"]
    assert fork["code"] == "duplicity"
    assert sorted(e["time"] for e in fork["evidence"]["entries"]) == sorted(
        b["time"] for b in branches
    )
    assert out.exists()
    verified = agora("bundle", "verify", str(out), "--json", home=tmp_path)
    assert verified.returncode == 1
    results = json.loads(verified.stdout)["results"]
    assert {r["problems"][0]["code"] for r in results} == {"duplicity"}
    plain = agora("bundle", "merge", files[0], files[0], "--out", "-", home=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout == Path(files[0]).read_bytes()


def test_verify_on_two_processes(corpus: Corpus, tmp_path: Path):
    bundle = io.BytesIO(corpus.bundle(corpus.posts[:200])).getvalue()
    done = agora(
        "bundle", "verify", "-", "--processes", "2", home=tmp_path, data=bundle
    )
    assert done.returncode == 0, done.stderr
    assert b"200 items, 200 verified, 0 failed" in done.stdout


def test_pack_takes_logs_from_the_wallet(tmp_path: Path):
    """A credential signed with a did:agora DID of the wallet is
    packed without --log; the bundle then verifies in a fresh home."""
    home = tmp_path / "wallet"
    env = environment(home)

    def run(*args: str) -> subprocess.CompletedProcess:
        assert AGORA is not None
        return subprocess.run(
            [AGORA, *args], input=b"", capture_output=True, timeout=120,
            check=False, env=env,
        )  # fmt: skip

    assert run("init", "--kdf-profile", "test").returncode == 0
    made = run("did", "create", "--method", "agora", "--alias", "me", "--json")
    assert made.returncode == 0, made.stderr
    issued = run(
        "vc", "issue", "--issuer", "me", "--subject", "did:example:reader",
        "--type", "Note", "--claims", '{"text": "hello"}',
        "--out", str(tmp_path / "note.json"),
    )  # fmt: skip
    assert issued.returncode == 0, issued.stderr
    out = tmp_path / "b.jsonl"
    packed = run("bundle", "pack", str(tmp_path / "note.json"), "--out", str(out))
    assert packed.returncode == 0, packed.stderr
    assert out.read_bytes().count(b'"kind":"didLog"') == 1
    done = agora("bundle", "verify", str(out), home=tmp_path / "fresh")
    assert done.returncode == 0, done.stdout
    assert b"1 items, 1 verified, 0 failed" in done.stdout


def test_unpack_into_the_store_then_the_feed(corpus: Corpus, tmp_path: Path):
    home = tmp_path / "reader"
    done = agora(
        "bundle",
        "unpack",
        "-",
        "--into-store",
        "--json",
        home=home,
        data=bad_bundle(corpus),
    )
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert (report["stored"], report["rejected"], report["present"]) == (999, 3, 0)
    assert report["store"] == str(home / "store.sqlite")
    rejected = [r for r in report["results"] if r["outcome"] == "rejected"]
    assert sorted(r["problems"][0]["code"] for r in rejected) == [
        "PROOF_VERIFICATION_ERROR",
        "membershipRevoked",
        "notFound",
    ]
    listed = agora("store", "list", "--json", "--limit", "1000", home=home)
    assert len(json.loads(listed.stdout)["items"]) == 999
    with SQLiteStore(home / "store.sqlite", create=False) as store:
        records = list(store.derived(FEED_RECORDS.name))
    assert len(records) == 999
    assert all(record is not None for _, record in records)  # kept by unpack
    feed = agora("feed", "--json", home=home)
    assert feed.returncode == 0, feed.stderr
    assert len(json.loads(feed.stdout)["entries"]) == 999
    bundle = tmp_path / "good.jsonl"
    bundle.write_bytes(corpus.bundle())
    again = agora("bundle", "unpack", str(bundle), "--into-store", home=home)
    assert again.returncode == 0, again.stderr
    assert b"1000 items: 1 stored, 999 already present, 0 rejected" in again.stdout


def test_unpack_needs_a_destination(corpus: Corpus, tmp_path: Path):
    done = Result(agora("bundle", "unpack", "-", home=tmp_path, data=corpus.bundle()))
    one_error(done, "unusableInput", 2)
    assert not (tmp_path / "store.sqlite").exists()
