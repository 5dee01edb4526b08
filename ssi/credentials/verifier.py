"""The reusable verifier: one configuration, many documents, any executor.

A :class:`Verifier` is a frozen, picklable configuration (resolver, status
checker, document loader, accepted suites, clock, skew). ``verify`` and
``verify_presentation`` do what the functions of the same name do with these
options; ``verify_many`` verifies a batch of credentials, in this process or on
any :class:`concurrent.futures.Executor` (a ``ProcessPoolExecutor``, or Dask's
``distributed.Client(...).get_executor()``).

With an executor, the verifier is pickled once into a *description* (the
configuration without caches or locks: a :class:`~ssi.did.resolution.Resolver`
pickles its methods and settings only) and shipped with each chunk of
documents. Each worker process unpickles a description once, keeps the
verifier in a module-level table keyed by the description's SHA-256, and
reuses it, with its warm caches, for every later chunk; workers send back the
reports only, which hold no copy of the documents.

Spec: https://www.w3.org/TR/vc-data-model-2.0/#verification
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from ssi.credentials.json_input import CheckedObject
from ssi.credentials.model import Credential
from ssi.credentials.report import VerificationReport
from ssi.credentials.verify import StatusChecker, verify_read
from ssi.credentials.verify import verify as _verify
from ssi.credentials.verify import verify_presentation as _verify_presentation
from ssi.credentials.workers import DescriptionTable
from ssi.did.resolution import Resolver
from ssi.jsonld.loader import DocumentLoader
from ssi.proofs import DEFAULT_SKEW, SuiteRegistry
from ssi.types import JsonValue

__all__ = ["DEFAULT_CHUNK_SIZE", "FixedClock", "Verifier", "system_clock"]

DEFAULT_CHUNK_SIZE = 64
"""Documents per task shipped to a worker by :meth:`Verifier.verify_many`."""

_WORKER_VERIFIERS_MAX = 8
"""Descriptions a worker process keeps verifiers for (the oldest goes first)."""


def system_clock() -> datetime:
    """Return the current time in UTC (the default clock of a verifier)."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class FixedClock:
    """A clock that always says ``now``: for tests and for re-verifying as of
    a moment. It pickles, unlike a lambda.

    Args:
        now: the time returned, with a timezone.

    Raises:
        TypeError: ``now`` is not a datetime.
        ValueError: ``now`` has no timezone.
    """

    now: datetime

    def __post_init__(self) -> None:
        if not isinstance(self.now, datetime):
            raise TypeError("FixedClock needs a datetime")
        if self.now.tzinfo is None:
            raise ValueError("FixedClock needs a datetime with a timezone")

    def __call__(self) -> datetime:
        """Return the fixed time."""
        return self.now


@dataclass(frozen=True, slots=True)
class Verifier:
    """A reusable, picklable verification configuration.

    Args:
        resolver: resolves DIDs of verification methods (default: the
            process's default resolver, did:key and did:jwk).
        status: checks ``credentialStatus`` entries (such as
            ``ssi.status.BitstringStatusChecker(source, list_issuers=...)``);
            without one, a credential that has status fails its ``status``
            check.
        loader: the JSON-LD document loader (default: bundled contexts only).
        registry: the cryptosuites accepted (default: all shipped).
        clock: returns the time validity is checked against; a module-level
            function or a :class:`FixedClock`, so the verifier pickles
            (default: :func:`system_clock`).
        skew: tolerance for clock differences on time checks.
        list_issuers: issuers trusted to publish status lists for any
            credential, besides each credential's own issuer; given to the
            status checker through its ``with_list_issuers(issuers)``
            (``BitstringStatusChecker`` has it), so ``status`` then holds
            the checker that trusts them.

    Every field must pickle for :meth:`verify_many` to use an executor; a
    verifier whose fields do not still verifies in this process.

    Raises:
        TypeError: a field has the wrong type (``clock`` not callable,
            ``skew`` not a ``timedelta``, ``registry`` not a ``SuiteRegistry``).
        ValueError: ``skew`` is negative, or ``list_issuers`` is given
            without a status checker that can take it.

    Spec: https://www.w3.org/TR/vc-data-model-2.0/#verification
    """

    resolver: Resolver | None = None
    status: StatusChecker | None = None
    loader: DocumentLoader | None = None
    registry: SuiteRegistry | None = None
    clock: Callable[[], datetime] = system_clock
    skew: timedelta = DEFAULT_SKEW
    list_issuers: Collection[str] = frozenset()

    def __post_init__(self) -> None:
        if self.resolver is not None and not isinstance(self.resolver, Resolver):
            raise TypeError("resolver must be an ssi Resolver")
        if self.registry is not None and not isinstance(self.registry, SuiteRegistry):
            raise TypeError("registry must be a SuiteRegistry")
        if not callable(self.clock):
            raise TypeError("clock must be callable and return a datetime")
        if not isinstance(self.skew, timedelta):
            raise TypeError("skew must be a timedelta")
        if self.skew < timedelta(0):
            raise ValueError("skew must not be negative")
        if isinstance(self.list_issuers, str) or not all(
            isinstance(issuer, str) for issuer in self.list_issuers
        ):
            raise TypeError("list_issuers must be a collection of DID strings")
        issuers = frozenset(self.list_issuers)
        object.__setattr__(self, "list_issuers", issuers)
        if issuers:
            extend = getattr(self.status, "with_list_issuers", None)
            if not callable(extend):
                raise ValueError(
                    "list_issuers needs a status checker with with_list_issuers() "
                    "(such as ssi.status.BitstringStatusChecker)"
                )
            object.__setattr__(self, "status", extend(issuers))

    def verify(self, credential: JsonValue | str | bytes) -> VerificationReport:
        """Verify a credential (a JSON object, or JSON text or bytes).

        The same checks as :func:`ssi.credentials.verify.verify`; never raises
        for bad input.

        Spec: https://www.w3.org/TR/vc-data-model-2.0/#verification

        Returns:
            The report; ``report.verified`` is true only if every check passed.
        """
        return _verify(
            credential,
            resolver=self.resolver,
            suites=self.registry,
            loader=self.loader,
            now=self.clock(),
            skew=self.skew,
            status=self.status,
        )

    def verify_read(
        self,
        credential: JsonValue | str | bytes | CheckedObject,
    ) -> tuple[VerificationReport, Credential | None]:
        """Verify a credential as :meth:`verify` does, and return the data
        model summary the verification parsed too (None if it could not),
        so a caller that reads the credential next need not parse it again.

        ``credential`` may be a :class:`~ssi.credentials.CheckedObject`, a
        credential the caller has already checked as JSON and
        canonicalized (see :func:`ssi.credentials.verify_read`).

        Spec: https://www.w3.org/TR/vc-data-model-2.0/#verification

        Returns:
            The report (the same as :meth:`verify`'s) and the parsed credential.
        """
        return verify_read(
            credential,
            resolver=self.resolver,
            suites=self.registry,
            loader=self.loader,
            now=self.clock(),
            skew=self.skew,
            status=self.status,
        )

    def verify_presentation(
        self,
        presentation: JsonValue | str | bytes,
        *,
        challenge: str | Literal[False],
        domain: str | Literal[False],
        require_holder_binding: bool = False,
    ) -> VerificationReport:
        """Verify a presentation's proof and every credential inside it.

        ``challenge`` and ``domain`` are what the proof must carry, or False
        to skip that check on purpose (recorded as a warning); see
        :func:`ssi.credentials.verify.verify_presentation`.

        Spec: https://www.w3.org/TR/vc-data-model-2.0/#verifiable-presentations

        Returns:
            The report, with one nested report per credential.

        Raises:
            TypeError: ``challenge`` or ``domain`` is neither a string nor
                False, or ``require_holder_binding`` is not a bool.
            ValueError: ``challenge`` or ``domain`` is the empty string.
        """
        return _verify_presentation(
            presentation,
            challenge=challenge,
            domain=domain,
            require_holder_binding=require_holder_binding,
            resolver=self.resolver,
            suites=self.registry,
            loader=self.loader,
            now=self.clock(),
            skew=self.skew,
            status=self.status,
        )

    def verify_many(
        self,
        credentials: Iterable[JsonValue | str | bytes],
        *,
        executor: Executor | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> list[VerificationReport]:
        """Verify many credentials; return one report per input, in input order.

        Inputs are parsed objects or JSON text/bytes; a bad item gets a failed
        report, as with :meth:`verify`, and never stops the batch. With
        ``executor=None`` the work runs in this process. With an executor,
        chunks of ``chunk_size`` documents go to its workers, which build
        this verifier once each from its pickled description and keep it
        (and its caches) for later chunks. A chunk the executor fails to
        run (an item that does not pickle, a worker that died) is verified
        in this process instead, so the reports are the same.

        Spec: https://www.w3.org/TR/vc-data-model-2.0/#verification

        Returns:
            The reports, ``reports[i]`` for ``credentials[i]``.

        Raises:
            TypeError: ``chunk_size`` is not an int, or an executor is given
                and this verifier does not pickle (a lambda clock, a resolver
                method holding a lock or an open wallet).
            ValueError: ``chunk_size`` is less than 1.
        """
        if not isinstance(chunk_size, int) or isinstance(chunk_size, bool):
            raise TypeError("chunk_size must be an int")
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        items = list(credentials)
        if executor is None:
            return [self.verify(item) for item in items]
        key, blob = self.description()
        chunks = [items[i : i + chunk_size] for i in range(0, len(items), chunk_size)]
        futures: list[Future[list[VerificationReport]] | None] = []
        for chunk in chunks:
            try:
                futures.append(executor.submit(verify_chunk, key, blob, chunk))
            except Exception:  # an item that cannot be shipped: verify it here
                futures.append(None)
        reports: list[VerificationReport] = []
        for chunk, future in zip(chunks, futures, strict=True):
            reports.extend(self._collect(chunk, future))
        return reports

    def _collect(
        self,
        chunk: Sequence[JsonValue | str | bytes],
        future: Future[list[VerificationReport]] | None,
    ) -> list[VerificationReport]:
        """Return a chunk's reports from its worker, or verify it here."""
        if future is not None:
            try:
                reports = future.result()
            except Exception:  # the chunk did not run; its items still get answers
                reports = None
            if (
                isinstance(reports, list)
                and len(reports) == len(chunk)
                and all(isinstance(r, VerificationReport) for r in reports)
            ):
                return reports
        return [self.verify(item) for item in chunk]

    def description(self) -> tuple[str, bytes]:
        """Return this verifier pickled, and the SHA-256 hex digest of that.

        The bytes rebuild an equivalent verifier in another process (with
        fresh caches); the digest names it in a worker's table.

        Raises:
            TypeError: a field does not pickle.
        """
        try:
            blob = pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise TypeError(
                "this Verifier cannot be shipped to worker processes: one of its "
                f"fields does not pickle ({exc})"
            ) from exc
        return hashlib.sha256(blob).hexdigest(), blob

    def initializer(self) -> tuple[Callable[[str, bytes], None], tuple[str, bytes]]:
        """Return ``(initializer, initargs)`` for a ``ProcessPoolExecutor``,
        so each worker builds this verifier when it starts rather than on
        its first chunk (optional: workers build it on demand anyway).

        Raises:
            TypeError: a field does not pickle.
        """
        return prepare_worker, self.description()


_workers = DescriptionTable(Verifier, _WORKER_VERIFIERS_MAX)


def prepare_worker(key: str, blob: bytes) -> None:
    """Build the verifier of a description in this (worker) process, once.

    Raises:
        TypeError: ``blob`` is not a pickled :class:`Verifier`.
    """
    _worker_verifier(key, blob)


def _worker_verifier(key: str, blob: bytes) -> Verifier:
    return _workers.get(key, blob)


def verify_chunk(
    key: str, blob: bytes, chunk: Sequence[JsonValue | str | bytes]
) -> list[VerificationReport]:
    """Verify a chunk of credentials in a worker: the task ``verify_many`` ships.

    Returns:
        One report per document, in order.

    Raises:
        TypeError: ``blob`` is not a pickled :class:`Verifier`.
    """
    verifier = _worker_verifier(key, blob)
    return [verifier.verify(item) for item in chunk]
