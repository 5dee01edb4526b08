"""Drive the reference DIDComm implementation (PyPI ``didcomm==0.3.2``,
sicpa-dlab/didcomm-python) as a peer, in its own virtual environment.

didcomm 0.3.2 pins ``pydid<0.4``, which pins ``pydantic<2`` and
``typing-extensions<4.1``, and ``packaging<24``; the hub's FastAPI needs
pydantic 2, so the peer cannot share the project's environment. ``make``
builds ``.venv-didcomm`` for it (see the Makefile) and the interop tests run
this file there as a subprocess: one JSON request on standard input, one
JSON answer on standard output.

Request: ``{"op", "docs": [DID documents], "secrets": [private JWKs with
"kid"], ...}`` where ``op`` is ``pack_signed`` (``message``, ``sign_from``),
``pack_encrypted`` (``message``, ``to``, ``from``, ``sign_from``,
``protect_sender``, ``enc_anon``) or ``unpack`` (``packed``). The answer is
``{"packed": ...}`` or ``{"message": ..., "metadata": ...}``, or ``{"error":
class name, "detail": text}``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from didcomm.common.algorithms import AnonCryptAlg
from didcomm.common.resolvers import ResolversConfig
from didcomm.common.types import (
    VerificationMaterial,
    VerificationMaterialFormat,
    VerificationMethodType,
)
from didcomm.did_doc.did_doc import DIDDoc
from didcomm.did_doc.did_resolver_in_memory import DIDResolverInMemory
from didcomm.message import Message
from didcomm.pack_encrypted import PackEncryptedConfig, pack_encrypted
from didcomm.pack_signed import pack_signed
from didcomm.secrets.secrets_resolver import Secret
from didcomm.secrets.secrets_resolver_in_memory import SecretsResolverInMemory
from didcomm.unpack import unpack

_ANON = {
    "A256CBC-HS512": AnonCryptAlg.A256CBC_HS512_ECDH_ES_A256KW,
    "A256GCM": AnonCryptAlg.A256GCM_ECDH_ES_A256KW,
    "XC20P": AnonCryptAlg.XC20P_ECDH_ES_A256KW,
}


def _config(request: dict[str, Any]) -> ResolversConfig:
    docs = [DIDDoc.deserialize(doc) for doc in request["docs"]]
    secrets = [
        Secret(
            kid=jwk["kid"],
            type=VerificationMethodType.JSON_WEB_KEY_2020,
            verification_material=VerificationMaterial(
                format=VerificationMaterialFormat.JWK, value=json.dumps(jwk)
            ),
        )
        for jwk in request["secrets"]
    ]
    return ResolversConfig(
        secrets_resolver=SecretsResolverInMemory(secrets),
        did_resolver=DIDResolverInMemory(docs),
    )


async def _run(request: dict[str, Any]) -> dict[str, Any]:
    config = _config(request)
    op = request["op"]
    if op == "pack_signed":
        message = Message.from_dict(request["message"])
        signed = await pack_signed(config, message, request["sign_from"])
        return {"packed": signed.packed_msg}
    if op == "pack_encrypted":
        message = Message.from_dict(request["message"])
        pack_config = PackEncryptedConfig(
            protect_sender_id=request.get("protect_sender", False),
            forward=False,
            enc_alg_anon=_ANON[request.get("enc_anon", "XC20P")],
        )
        encrypted = await pack_encrypted(
            config,
            message,
            request["to"],
            frm=request.get("from"),
            sign_frm=request.get("sign_from"),
            pack_config=pack_config,
        )
        return {"packed": encrypted.packed_msg}
    if op == "unpack":
        result = await unpack(config, request["packed"])
        metadata = result.metadata
        return {
            "message": result.message.as_dict(),
            "metadata": {
                "encrypted": metadata.encrypted,
                "authenticated": metadata.authenticated,
                "non_repudiation": metadata.non_repudiation,
                "anonymous_sender": metadata.anonymous_sender,
                "encrypted_from": metadata.encrypted_from,
                "encrypted_to": metadata.encrypted_to,
                "sign_from": metadata.sign_from,
                "enc_alg_auth": str(metadata.enc_alg_auth),
                "enc_alg_anon": str(metadata.enc_alg_anon),
            },
        }
    raise ValueError(f"unknown op {op!r}")


def main() -> None:
    request = json.load(sys.stdin)
    try:
        answer = asyncio.run(_run(request))
    except Exception as exc:
        answer = {"error": type(exc).__name__, "detail": str(exc)}
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
