"""ECDSA keys on P-256, P-384, P-521 and secp256k1 over ``cryptography``.

Signatures are the fixed-size ``r || s`` form JOSE uses: ES256 and ES256K
(SHA-256, 64 bytes), ES384 (SHA-384, 96 bytes), ES512 (SHA-512, 132 bytes;
each of r and s is 66 bytes, as P-521 scalars are). Coordinates, scalars and
ECDH secrets have the curve's byte length: 32, 48 or 66.
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
    "P384KeyPair",
    "P384PublicKey",
    "P521KeyPair",
    "P521PublicKey",
    "Secp256k1KeyPair",
    "Secp256k1PublicKey",
]


class ECPublicKey(PublicKey):
    """A public key on a short-Weierstrass curve; stored compressed (1 + the
    coordinate length: 33, 49 or 67 bytes).
    """

    curve: ClassVar[ec.EllipticCurve]
    jwk_crv: ClassVar[str]
    order: ClassVar[int]
    coordinate_bytes: ClassVar[int] = 32
    """Length of a coordinate, a private scalar, ``r``, ``s`` and an ECDH secret."""
    hash_algorithm: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA256
    """The hash the key's JOSE algorithm signs with."""

    __slots__ = ("_key",)

    def __init__(self, encoded_point: bytes) -> None:
        compressed = 1 + self.coordinate_bytes
        uncompressed = 1 + 2 * self.coordinate_bytes
        if len(encoded_point) not in (compressed, uncompressed):
            raise InvalidPublicKeyLengthError(
                f"{self.key_type} public key has {len(encoded_point)} bytes, "
                f"expected {compressed} (compressed) or {uncompressed}."
            )
        if encoded_point[0] not in (2, 3, 4) or (
            (encoded_point[0] == 4) != (len(encoded_point) == uncompressed)
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
        """Build the key from its affine coordinates (the curve's length each:
        RFC 7518 section 6.2.1.2 requires the full length, leading zeros kept).

        Raises:
            InvalidPublicKeyLengthError: a coordinate is not of that length.
            InvalidPublicKeyError: the point is not on the curve.
        """
        size = cls.coordinate_bytes
        if len(x) != size or len(y) != size:
            raise InvalidPublicKeyLengthError(
                f"{cls.key_type} coordinates must have {size} bytes each."
            )
        return cls(b"\x04" + x + y)

    def coordinates(self) -> tuple[bytes, bytes]:
        """Return the affine coordinates ``(x, y)``, of the curve's length each."""
        numbers = self._key.public_numbers()
        size = self.coordinate_bytes
        return numbers.x.to_bytes(size, "big"), numbers.y.to_bytes(size, "big")

    def verify(self, data: bytes, signature: bytes) -> None:
        """Check an ``r || s`` ECDSA signature (twice the coordinate length)
        over the key's hash of ``data``.

        Raises:
            InvalidSignatureError: the signature does not verify.
        """
        size = self.coordinate_bytes
        if len(signature) != 2 * size:
            raise InvalidSignatureError("signature does not verify.")
        r = int.from_bytes(signature[:size], "big")
        s = int.from_bytes(signature[size:], "big")
        if not (0 < r < self.order and 0 < s < self.order):
            raise InvalidSignatureError("signature does not verify.")
        try:
            self._key.verify(
                encode_dss_signature(r, s),
                bytes(data),
                ec.ECDSA(self.hash_algorithm()),
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


class P384PublicKey(ECPublicKey):
    """A NIST P-384 (secp384r1) public key for ES384."""

    key_type: ClassVar[KeyType] = KeyType.P384
    multicodec_name: ClassVar[str] = "p384-pub"
    algorithm: ClassVar[str | None] = "ES384"
    curve: ClassVar[ec.EllipticCurve] = ec.SECP384R1()
    jwk_crv: ClassVar[str] = "P-384"
    order: ClassVar[int] = int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
        "C7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
        16,
    )
    coordinate_bytes: ClassVar[int] = 48
    hash_algorithm: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA384

    __slots__ = ()


class P521PublicKey(ECPublicKey):
    """A NIST P-521 (secp521r1) public key for ES512."""

    key_type: ClassVar[KeyType] = KeyType.P521
    multicodec_name: ClassVar[str] = "p521-pub"
    algorithm: ClassVar[str | None] = "ES512"
    curve: ClassVar[ec.EllipticCurve] = ec.SECP521R1()
    jwk_crv: ClassVar[str] = "P-521"
    order: ClassVar[int] = int(
        "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
        "FA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409",
        16,
    )
    coordinate_bytes: ClassVar[int] = 66
    hash_algorithm: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA512

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
        """Build the key pair from its big-endian private scalar (32, 48 or
        66 bytes: the curve's coordinate length).

        Raises:
            InvalidSecretKeyError: wrong length, or a scalar outside [1, n-1].
        """
        size = cls.public_class.coordinate_bytes
        if len(secret) != size:
            raise InvalidSecretKeyError(
                f"{cls.public_class.key_type} secret key has {len(secret)} bytes, "
                f"expected {size}."
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
        return self._private.private_numbers().private_value.to_bytes(
            self.public_class.coordinate_bytes, "big"
        )

    def sign(self, data: bytes) -> bytes:
        """Sign the key's hash of ``data`` (SHA-256, SHA-384 or SHA-512) with
        ECDSA; return ``r || s``, each of the coordinate length.

        Spec: https://www.rfc-editor.org/rfc/rfc7518#section-3.4
        """
        public_class = self.public_class
        der = self._private.sign(bytes(data), ec.ECDSA(public_class.hash_algorithm()))
        r, s = decode_dss_signature(der)
        order = public_class.order
        if self.low_s and s > order // 2:
            s = order - s
        size = public_class.coordinate_bytes
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    def exchange(self, peer: ECPublicKey) -> bytes:
        """Compute the ECDH shared secret (the x-coordinate, of the curve's
        coordinate length: 32, 48 or 66 bytes) with a peer's public key on
        the same curve. Peer points are on the curve by construction
        (:class:`ECPublicKey` refuses any other), which defeats
        invalid-curve attacks; the NIST curves have cofactor 1, so no
        small-order point exists.

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


class P384KeyPair(ECKeyPair):
    """A P-384 key pair (ES384)."""

    public_class: ClassVar[type[ECPublicKey]] = P384PublicKey
    private_codec: ClassVar[str] = "p384-priv"

    __slots__ = ()


class P521KeyPair(ECKeyPair):
    """A P-521 key pair (ES512)."""

    public_class: ClassVar[type[ECPublicKey]] = P521PublicKey
    private_codec: ClassVar[str] = "p521-priv"

    __slots__ = ()


class Secp256k1KeyPair(ECKeyPair):
    """A secp256k1 key pair (ES256K); signatures are normalised to low S."""

    public_class: ClassVar[type[ECPublicKey]] = Secp256k1PublicKey
    private_codec: ClassVar[str] = "secp256k1-priv"
    low_s: ClassVar[bool] = True

    __slots__ = ()
