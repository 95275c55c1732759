"""What the tests and the benchmark of the CDS Hooks service share: keys, tokens, a live server.

* :class:`Client` is a CDS client's signing key (EC P-384 or RSA, made fresh), its public
  JWK Set, and :meth:`Client.token` signs a token for an endpoint (a fresh ``jti`` each
  time unless one is given);
* :func:`running` starts a uvicorn server for an ASGI app on ``127.0.0.1`` (an ephemeral
  port, bound before the app is made, so that the app knows its URL), in a thread, waits
  until it accepts connections (bounded), and stops it on exit.

Needs the ``service`` extra (PyJWT, cryptography, uvicorn); the test files skip without it.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

ISSUER = "https://ehr.example.org"
START_TIMEOUT_SECONDS = 15.0


@attrs.frozen
class Client:
    """A CDS client: its issuer, key id, private key and signing algorithm."""

    issuer: str
    kid: str
    private_key: Any
    algorithm: str

    @classmethod
    def ec(cls, issuer: str = ISSUER, kid: str = "ec-key-1") -> Client:
        return cls(issuer, kid, ec.generate_private_key(ec.SECP384R1()), "ES384")

    @classmethod
    def rsa(cls, issuer: str = ISSUER, kid: str = "rsa-key-1", bits: int = 2048) -> Client:
        return cls(issuer, kid, rsa.generate_private_key(65537, bits), "RS384")

    def public_jwk(self) -> dict[str, Any]:
        if self.algorithm.startswith("ES"):
            data = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.private_key.public_key()))
        else:
            data = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        data.update(kid=self.kid, use="sig", alg=self.algorithm)
        return dict(data)

    def private_jwk(self) -> dict[str, Any]:
        if self.algorithm.startswith("ES"):
            data = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.private_key))
        else:
            data = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key))
        data.update(kid=self.kid)
        return dict(data)

    def write_key_set(self, path: Path, *others: Client) -> Path:
        keys = [self.public_jwk(), *(other.public_jwk() for other in others)]
        path.write_text(json.dumps({"keys": keys}), encoding="utf-8")
        return path

    def claims(self, audience: str, *, lifetime: float = 300, **changes: Any) -> dict[str, Any]:
        now = time.time()
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": "ehr-client",
            "aud": audience,
            "iat": int(now),
            "exp": int(now + lifetime),
            "jti": str(uuid.uuid4()),
        }
        for name, value in changes.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return claims

    def token(
        self,
        audience: str,
        *,
        kid: str | None = None,
        headers: Mapping[str, Any] | None = None,
        **changes: Any,
    ) -> str:
        """A token for ``audience`` signed by this client; ``changes`` replace claims
        (``None`` removes one)."""
        extra = {"kid": self.kid if kid is None else kid, "typ": "JWT", **(headers or {})}
        return jwt.encode(
            self.claims(audience, **changes),
            self.private_key,
            algorithm=self.algorithm,
            headers=extra,
        )

    def bearer(self, audience: str, **changes: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(audience, **changes)}"}


def unsigned_token(claims: Mapping[str, Any], kid: str) -> str:
    """A token with ``alg: none`` (no signature): the oldest attack on JWT."""
    import base64

    def part(data: Mapping[str, Any]) -> str:
        raw = json.dumps(dict(data), separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{part(claims)}."


def hmac_with_public_key(client: Client, audience: str) -> str:
    """A token signed HS256 with the client's *public* key as the shared secret.

    The classic key-confusion attack: a verifier that lets the token choose its
    algorithm would check this HMAC with the public key it holds, and accept it.
    """
    import base64
    import hashlib
    import hmac

    from cryptography.hazmat.primitives import serialization

    public_pem = client.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    header = {"alg": "HS256", "typ": "JWT", "kid": client.kid}
    signing_input = (
        f"{b64(json.dumps(header).encode())}.{b64(json.dumps(client.claims(audience)).encode())}"
    )
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def free_socket() -> socket.socket:
    """A listening TCP socket on 127.0.0.1, on a port the system chose."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


@contextlib.contextmanager
def running(app_for: Callable[[str], Any], *, log_level: str = "warning") -> Iterator[str]:
    """The app ``app_for(base_url)`` served by uvicorn on 127.0.0.1 in a thread.

    The port is chosen (and bound) first, so that the app knows its own URL, the
    audience of its tokens.  Yields the base URL.
    """
    import uvicorn

    sock = free_socket()
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(
        app_for(base_url),
        log_level=log_level,
        lifespan="off",
        access_log=False,
        timeout_keep_alive=30,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield base_url
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT_SECONDS)
        sock.close()
