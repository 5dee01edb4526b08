"""JSON-LD: offline document loading of bundled contexts, RDFC-1.0 and JCS.

Spec: https://www.w3.org/TR/json-ld11-api/, https://www.w3.org/TR/rdf-canon/,
https://www.rfc-editor.org/rfc/rfc8785
"""

from ssi.jsonld.canon import MAX_DEPTH, canonicalize_jcs, canonicalize_rdfc, expand
from ssi.jsonld.loader import (
    BundledLoader,
    DocumentLoader,
    RemoteDocument,
    as_pyld_loader,
    bundled_context_urls,
    default_loader,
)

__all__ = [
    "MAX_DEPTH",
    "BundledLoader",
    "DocumentLoader",
    "RemoteDocument",
    "as_pyld_loader",
    "bundled_context_urls",
    "canonicalize_jcs",
    "canonicalize_rdfc",
    "default_loader",
    "expand",
]
