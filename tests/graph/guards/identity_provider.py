"""An identity provider for tests: signing keys made with cryptography, and its JWKS served over real HTTP.

`jwks_server()` serves, from a thread, on 127.0.0.1 and a free port, the
keys its `published` list holds at each request (or the `answer` set in
their place), and counts the requests in `fetches`.  `silent_port()` is a
port that accepts TCP connections and never answers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from jwt.algorithms import ECAlgorithm, RSAAlgorithm


@dataclass(frozen=True)
class SigningKey:
    """A key pair of the identity provider, known by `kid`, signing with `algorithm` (RS256 or ES256)."""

    kid: str
    algorithm: str
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    @classmethod
    def generate(cls, kid: str, algorithm: str) -> SigningKey:
        if algorithm == "RS256":
            return cls(kid, algorithm, rsa.generate_private_key(public_exponent=65537, key_size=2048))
        return cls(kid, algorithm, ec.generate_private_key(ec.SECP256R1()))

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private, algorithm=self.algorithm, headers={"kid": self.kid})

    def public_pem(self) -> str:
        return self.private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()

    def jwk(self) -> dict[str, Any]:
        """The public key as the provider publishes it."""
        public = self.private.public_key()
        as_jwk = RSAAlgorithm.to_jwk(public, as_dict=True) if isinstance(public, rsa.RSAPublicKey) else ECAlgorithm.to_jwk(public, as_dict=True)
        return {**as_jwk, "kid": self.kid, "use": "sig", "alg": self.algorithm}


RSA_KEY = SigningKey.generate("rsa-2025", "RS256")
EC_KEY = SigningKey.generate("ec-2025", "ES256")
NEXT_RSA_KEY = SigningKey.generate("rsa-2026", "RS256")
FORGED_RSA_KEY = SigningKey("rsa-2025", "RS256", NEXT_RSA_KEY.private)
"""Another key pair under RSA_KEY's kid: what a forger without the provider's private key signs with."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def symmetric_jwk(kid: str, secret: bytes) -> dict[str, Any]:
    """An HS256 key in JWK form, which a JWKS must never make Flowgate accept."""
    return {"kty": "oct", "kid": kid, "alg": "HS256", "k": _b64(secret)}


def hmac_token(claims: dict[str, Any], secret: bytes, **header: str) -> str:
    """A token HMAC-SHA256-signed with `secret` under `header` (`alg` HS256 unless it says otherwise), as a forger builds it.

    PyJWT itself refuses to use a PEM key as an HMAC secret, which is the algorithm confusion attack.
    """
    signing_input = f"{_b64(json.dumps({'alg': 'HS256', 'typ': 'JWT', **header}).encode())}.{_b64(json.dumps(claims).encode())}"
    return f"{signing_input}.{_b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


@dataclass
class JwksServer:
    url: str
    published: list[dict[str, Any]] = field(default_factory=list)
    answer: tuple[int, bytes] | None = None  # (status, body) served instead of the keys
    fetches: int = 0

    def publish(self, *keys: SigningKey) -> None:
        self.published = [key.jwk() for key in keys]


@contextmanager
def jwks_server() -> Iterator[JwksServer]:
    """A `JwksServer` serving until the block ends."""
    served = JwksServer("")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.fetches += 1
            status, body = served.answer or (200, json.dumps({"keys": served.published}).encode())
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.url = f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def silent_port() -> Iterator[int]:
    """A port whose TCP connections the kernel accepts (the backlog) and nobody ever answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]
