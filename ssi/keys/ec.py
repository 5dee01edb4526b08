"""ECDSA keys on P-256 and secp256k1 over ``cryptography``.

Signatures are the fixed-size ``r || s`` form JOSE uses (64 bytes), with SHA-256.
secp256k1 signatures are made low-S; verification accepts either S, as RFC 8812
does not forbid high-S.

Spec: https://www.rfc-editor.org/rfc/rfc7518#section-3.4,
https://www.rfc-editor.org/rfc/rfc8812#section-3.2,
https://www.secg.org/sec1-v2.pdf (section 2.3.3, point compression)
"""

from __future__ import annotations

from typing import ClassVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from ssi.encoding import encode_base64url
from ssi.errors import (
    InvalidPublicKeyError,
    InvalidPublicKeyLengthError,
    InvalidSecretKeyError,
    InvalidSignatureError,
)
from ssi.keys.base import KeyPair, KeyType, PublicKey
from ssi.types import JsonObject

__all__ = [
    "ECKeyPair",
    "ECPublicKey",
    "P256KeyPair",
    "P256PublicKey",
    "Secp256k1KeyPair",
    "Secp256k1PublicKey",
]

_COORD = 32
_COMPRESSED = 1 + _COORD
_UNCOMPRESSED = 1 + 2 * _COORD


class ECPublicKey(PublicKey):
    """A public key on a short-Weierstrass curve; stored compressed (33 bytes)."""

    curve: ClassVar[ec.EllipticCurve]
    jwk_crv: ClassVar[str]
    order: ClassVar[int]

    __slots__ = ("_key",)

    def __init__(self, encoded_point: bytes) -> None:
        if len(encoded_point) not in (_COMPRESSED, _UNCOMPRESSED):
            raise InvalidPublicKeyLengthError(
                f"{self.key_type} public key has {len(encoded_point)} bytes, "
                f"expected {_COMPRESSED} (compressed) or {_UNCOMPRESSED}."
            )
        if encoded_point[0] not in (2, 3, 4) or (
            (encoded_point[0] == 4) != (len(encoded_point) == _UNCOMPRESSED)
        ):
            raise InvalidPublicKeyError(
                f"{self.key_type} public key has an unknown point encoding."
            )
        try:
            key = ec.EllipticCurvePublicKey.from_encoded_point(
                self.curve, bytes(encoded_point)
            )
        except ValueError as exc:
            raise InvalidPublicKeyError(
                f"{self.key_type} public key is not a point on the curve."
            ) from exc
        super().__init__(
            key.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
            )
        )
        self._key = key

    @classmethod
    def from_coordinates(cls, x: bytes, y: bytes) -> ECPublicKey:
        """Build the key from its affine coordinates (32 bytes each).

        Raises:
            InvalidPublicKeyLengthError: a coordinate is not 32 bytes.
            InvalidPublicKeyError: the point is not on the curve.
        """
        if len(x) != _COORD or len(y) != _COORD:
            raise InvalidPublicKeyLengthError(
                f"{cls.key_type} coordinates must have {_COORD} bytes each."
            )
        return cls(b"\x04" + x + y)

    def coordinates(self) -> tuple[bytes, bytes]:
        """Return the affine coordinates ``(x, y)``, 32 bytes each."""
        numbers = self._key.public_numbers()
        return numbers.x.to_bytes(_COORD, "big"), numbers.y.to_bytes(_COORD, "big")

    def verify(self, data: bytes, signature: bytes) -> None:
        """Check a 64-byte ``r || s`` ECDSA signature over SHA-256 of ``data``.

        Raises:
            InvalidSignatureError: the signature does not verify.
        """
        if len(signature) != 2 * _COORD:
            raise InvalidSignatureError("signature does not verify.")
        r = int.from_bytes(signature[:_COORD], "big")
        s = int.from_bytes(signature[_COORD:], "big")
        if not (0 < r < self.order and 0 < s < self.order):
            raise InvalidSignatureError("signature does not verify.")
        try:
            self._key.verify(
                encode_dss_signature(r, s), bytes(data), ec.ECDSA(hashes.SHA256())
            )
        except InvalidSignature as exc:
            raise InvalidSignatureError("signature does not verify.") from exc

    def _jwk_members(self) -> JsonObject:
        x, y = self.coordinates()
        return {
            "kty": "EC",
            "crv": self.jwk_crv,
            "x": encode_base64url(x),
            "y": encode_base64url(y),
        }


class P256PublicKey(ECPublicKey):
    """A NIST P-256 (secp256r1) public key for ES256."""

    key_type: ClassVar[KeyType] = KeyType.P256
    multicodec_name: ClassVar[str] = "p256-pub"
    algorithm: ClassVar[str | None] = "ES256"
    curve: ClassVar[ec.EllipticCurve] = ec.SECP256R1()
    jwk_crv: ClassVar[str] = "P-256"
    order: ClassVar[int] = int(
        "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16
    )

    __slots__ = ()


class Secp256k1PublicKey(ECPublicKey):
    """A secp256k1 public key for ES256K."""

    key_type: ClassVar[KeyType] = KeyType.SECP256K1
    multicodec_name: ClassVar[str] = "secp256k1-pub"
    algorithm: ClassVar[str | None] = "ES256K"
    curve: ClassVar[ec.EllipticCurve] = ec.SECP256K1()
    jwk_crv: ClassVar[str] = "secp256k1"
    order: ClassVar[int] = int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16
    )

    __slots__ = ()


class ECKeyPair(KeyPair):
    """An ECDSA private key and its public key."""

    public_class: ClassVar[type[ECPublicKey]]
    private_codec: ClassVar[str]
    low_s: ClassVar[bool] = False

    __slots__ = ("_private", "_public")

    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        if not isinstance(private_key.curve, type(self.public_class.curve)):
            raise ValueError("private key is on another curve")
        self._private = private_key
        self._public = self.public_class(
            private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
            )
        )

    @classmethod
    def generate(cls) -> ECKeyPair:
        """Generate a new key pair from the operating system's randomness."""
        return cls(ec.generate_private_key(cls.public_class.curve))

    @classmethod
    def from_private_bytes(cls, secret: bytes) -> ECKeyPair:
        """Build the key pair from its 32-byte big-endian private scalar.

        Raises:
            InvalidSecretKeyError: wrong length, or a scalar outside [1, n-1].
        """
        if len(secret) != _COORD:
            raise InvalidSecretKeyError(
                f"{cls.public_class.key_type} secret key has {len(secret)} bytes, "
                f"expected {_COORD}."
            )
        scalar = int.from_bytes(secret, "big")
        if not 0 < scalar < cls.public_class.order:
            raise InvalidSecretKeyError(
                f"{cls.public_class.key_type} secret key is out of range."
            )
        return cls(ec.derive_private_key(scalar, cls.public_class.curve))

    @property
    def public_key(self) -> ECPublicKey:
        """The public half."""
        return self._public

    @property
    def _secret_codec(self) -> str:
        return self.private_codec

    def _secret_bytes(self) -> bytes:
        return self._private.private_numbers().private_value.to_bytes(_COORD, "big")

    def sign(self, data: bytes) -> bytes:
        """Sign SHA-256 of ``data`` with ECDSA; return 64 bytes ``r || s``."""
        der = self._private.sign(bytes(data), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        order = self.public_class.order
        if self.low_s and s > order // 2:
            s = order - s
        return r.to_bytes(_COORD, "big") + s.to_bytes(_COORD, "big")

    def exchange(self, peer: ECPublicKey) -> bytes:
        """Compute the ECDH shared secret (the x-coordinate, 32 bytes) with a
        peer's public key on the same curve.

        Spec: https://www.secg.org/sec1-v2.pdf (3.3.1)

        Raises:
            InvalidPublicKeyError: the peer key is on another curve.
        """
        if not isinstance(peer, self.public_class):
            raise InvalidPublicKeyError(
                f"ECDH needs a {self.public_class.key_type} peer key, "
                f"got {peer.key_type}."
            )
        return self._private.exchange(ec.ECDH(), peer._key)


class P256KeyPair(ECKeyPair):
    """A P-256 key pair (ES256)."""

    public_class: ClassVar[type[ECPublicKey]] = P256PublicKey
    private_codec: ClassVar[str] = "p256-priv"

    __slots__ = ()


class Secp256k1KeyPair(ECKeyPair):
    """A secp256k1 key pair (ES256K); signatures are normalised to low S."""

    public_class: ClassVar[type[ECPublicKey]] = Secp256k1PublicKey
    private_codec: ClassVar[str] = "secp256k1-priv"
    low_s: ClassVar[bool] = True

    __slots__ = ()
