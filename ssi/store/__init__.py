"""A content-addressed store of verified public objects, with indexes and cursors.

Only objects that verified go in; an object's key is its CID; indexes follow
generic rules (types, author, community, reply target, referenced CIDs,
time); pages resume through opaque cursors. :class:`ObjectStore` is the
protocol; :class:`SQLiteStore` the embedded backend, :class:`PostgresStore`
the hub's (psycopg 3, imported when one is opened); :func:`open_store`
opens one by location. Keys and private credentials stay in the wallet: the
store holds public objects only.

Example:
    >>> import ssi
    >>> from ssi.store import open_store
    >>> with open_store(tmp_path / "store.sqlite") as store:  # doctest: +SKIP
    ...     results = store.add([post], verifier=ssi.Verifier())
    ...     page = store.query(type="Post", limit=20)

Spec: docs/store.md
"""

from ssi.store.base import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    AddResult,
    Deriver,
    ObjectStore,
    Outcome,
    Page,
    ParsedDeriver,
    StoredObject,
)
from ssi.store.cursor import cursor_for_seq, seq_of_cursor
from ssi.store.index import MAX_REFERENCES, ObjectIndex, index_object
from ssi.store.intake import MAX_OBJECT_BYTES
from ssi.store.opening import STORE_FILE, default_store_path, open_store
from ssi.store.pg_schema import PG_SCHEMA_VERSION
from ssi.store.postgres import PostgresStore
from ssi.store.sqlite import SCHEMA_VERSION, SQLiteStore

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "MAX_OBJECT_BYTES",
    "MAX_REFERENCES",
    "PG_SCHEMA_VERSION",
    "SCHEMA_VERSION",
    "STORE_FILE",
    "AddResult",
    "Deriver",
    "ObjectIndex",
    "ObjectStore",
    "Outcome",
    "Page",
    "ParsedDeriver",
    "PostgresStore",
    "SQLiteStore",
    "StoredObject",
    "cursor_for_seq",
    "default_store_path",
    "index_object",
    "open_store",
    "seq_of_cursor",
]
