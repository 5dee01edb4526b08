"""Key pairs, their encodings (Multikey, JWK), signing and verifying."""

from ssi.keys.base import (
    KeyAgreer,
    KeyPair,
    KeyType,
    PublicKey,
    SignatureVerifier,
    Signer,
    Verifier,
)
from ssi.keys.ec import (
    ECKeyPair,
    ECPublicKey,
    P256KeyPair,
    P256PublicKey,
    P384KeyPair,
    P384PublicKey,
    P521KeyPair,
    P521PublicKey,
    Secp256k1KeyPair,
    Secp256k1PublicKey,
)
from ssi.keys.ed25519 import Ed25519KeyPair, Ed25519PublicKey
from ssi.keys.generate import generate_key, import_key
from ssi.keys.jwk import decode_jwk, decode_public_jwk
from ssi.keys.multikey import decode_multikey, decode_public_multikey
from ssi.keys.signer import LocalKeyAgreer, LocalSigner
from ssi.keys.x25519 import X25519KeyPair, X25519PublicKey

__all__ = [
    "ECKeyPair",
    "ECPublicKey",
    "Ed25519KeyPair",
    "Ed25519PublicKey",
    "KeyAgreer",
    "KeyPair",
    "KeyType",
    "LocalKeyAgreer",
    "LocalSigner",
    "P256KeyPair",
    "P256PublicKey",
    "P384KeyPair",
    "P384PublicKey",
    "P521KeyPair",
    "P521PublicKey",
    "PublicKey",
    "Secp256k1KeyPair",
    "Secp256k1PublicKey",
    "SignatureVerifier",
    "Signer",
    "Verifier",
    "X25519KeyPair",
    "X25519PublicKey",
    "decode_jwk",
    "decode_multikey",
    "decode_public_jwk",
    "decode_public_multikey",
    "generate_key",
    "import_key",
]
