"""The offline document loader: bundled contexts, extra documents, fallback, digests."""

from __future__ import annotations

import importlib.resources
import json

import pytest

from ssi.errors import DocumentLoadError
from ssi.jsonld import (
    BundledLoader,
    RemoteDocument,
    as_pyld_loader,
    bundled_context_urls,
    default_loader,
)
from ssi.jsonld import loader as loader_module

CONTEXTS = importlib.resources.files("ssi.jsonld").joinpath("contexts")
ENTRIES = json.loads(CONTEXTS.joinpath("MANIFEST.json").read_bytes())["contexts"]
EXTRA_URL = "https://example.org/contexts/extra/v1"
EXTRA_DOC = {"@context": {"extra": "https://example.org/vocab#extra"}}


class RecordingLoader:
    """A fallback that serves one URL and remembers what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, url: str) -> RemoteDocument:
        self.asked.append(url)
        if url == EXTRA_URL:
            return RemoteDocument(document_url=url, document=EXTRA_DOC)
        raise DocumentLoadError(f"The fallback has no document {url}.")


@pytest.fixture
def fresh_bundle():
    loader_module._bundle.cache_clear()
    yield
    loader_module._bundle.cache_clear()


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["url"] for e in ENTRIES])
def test_serves_each_bundled_context(entry):
    remote = BundledLoader()(entry["url"])
    assert remote.document_url == entry["url"]
    assert remote.context_url is None
    assert remote.document == json.loads(CONTEXTS.joinpath(entry["file"]).read_bytes())


def test_returns_a_fresh_copy_every_time():
    loader = default_loader()
    url = "https://www.w3.org/ns/credentials/v2"
    first = loader(url)
    first.document["@context"]["tampered"] = "https://evil.example/#"
    assert "tampered" not in loader(url).document["@context"]


def test_default_loader_is_shared():
    assert default_loader() is default_loader()


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/unknown/v1",
        "http://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/v2/",
        "https://www.w3.org/ns/credentials/v2#",
        "https://WWW.W3.ORG/ns/credentials/v2",
        "http://www.w3.org/2018/credentials/v1",
        "https://w3id.org/security/data-integrity/v2/",
        "",
    ],
)
def test_refuses_urls_it_does_not_hold(url):
    with pytest.raises(DocumentLoadError) as caught:
        BundledLoader()(url)
    assert url in caught.value.detail
    assert caught.value.code == "loading document failed"


def test_serves_extra_documents_as_copies():
    source = {EXTRA_URL: json.loads(json.dumps(EXTRA_DOC))}
    loader = BundledLoader(extra=source)
    source[EXTRA_URL]["@context"]["extra"] = "https://evil.example/#"
    served = loader(EXTRA_URL)
    assert served.document == EXTRA_DOC
    served.document["@context"].clear()
    assert loader(EXTRA_URL).document == EXTRA_DOC


def test_extra_must_not_redefine_a_bundled_context():
    with pytest.raises(ValueError, match="credentials/v2"):
        BundledLoader(extra={"https://www.w3.org/ns/credentials/v2": EXTRA_DOC})


def test_extra_keys_must_be_strings():
    with pytest.raises(TypeError):
        BundledLoader(extra={1: EXTRA_DOC})  # type: ignore[dict-item]


def test_asks_the_fallback_only_for_urls_it_does_not_hold():
    fallback = RecordingLoader()
    loader = BundledLoader(fallback=fallback)
    assert loader(EXTRA_URL).document == EXTRA_DOC
    loader("https://www.w3.org/ns/credentials/v2")
    assert fallback.asked == [EXTRA_URL]
    with pytest.raises(DocumentLoadError):
        loader("https://example.com/nowhere")


def test_a_url_must_be_a_string():
    with pytest.raises(TypeError):
        BundledLoader()(b"https://www.w3.org/ns/credentials/v2")  # type: ignore[arg-type]


def test_repr_names_no_documents():
    text = repr(BundledLoader(extra={EXTRA_URL: EXTRA_DOC}))
    assert "1 documents" in text
    assert "extra" in text
    assert "vocab" not in text


def test_refuses_a_bundled_file_whose_digest_does_not_match(monkeypatch, fresh_bundle):
    read = loader_module._read_bundled_file

    def tampered(name: str) -> bytes:
        data = read(name)
        return data.replace(b"https://", b"http://") if name == "did-v1.json" else data

    monkeypatch.setattr(loader_module, "_read_bundled_file", tampered)
    with pytest.raises(DocumentLoadError, match="SHA-256"):
        BundledLoader()("https://www.w3.org/ns/did/v1")
    with pytest.raises(DocumentLoadError):
        bundled_context_urls()


def test_refuses_an_unreadable_manifest(monkeypatch, fresh_bundle):
    def broken(name: str) -> bytes:
        return b"not json" if name == "MANIFEST.json" else b""

    monkeypatch.setattr(loader_module, "_read_bundled_file", broken)
    with pytest.raises(DocumentLoadError, match="MANIFEST"):
        bundled_context_urls()


def test_refuses_a_manifest_entry_that_escapes_the_folder(monkeypatch, fresh_bundle):
    manifest = {"contexts": [{"url": EXTRA_URL, "file": "../x.json", "sha256": "0"}]}

    def fake(name: str) -> bytes:
        return json.dumps(manifest).encode() if name == "MANIFEST.json" else b"{}"

    monkeypatch.setattr(loader_module, "_read_bundled_file", fake)
    with pytest.raises(DocumentLoadError):
        bundled_context_urls()


def test_pyld_adapter_has_the_shape_pyld_wants_and_copies():
    loader = BundledLoader(extra={EXTRA_URL: EXTRA_DOC})
    pyld_loader = as_pyld_loader(loader)
    result = pyld_loader(EXTRA_URL, {})
    assert result["documentUrl"] == EXTRA_URL
    assert result["contextUrl"] is None
    assert result["document"] == EXTRA_DOC
    result["document"]["@context"].clear()
    assert pyld_loader(EXTRA_URL, {})["document"] == EXTRA_DOC


def test_pyld_adapter_passes_refusals_through():
    with pytest.raises(DocumentLoadError):
        as_pyld_loader(BundledLoader())("https://example.com/unknown", {})
