"""Who may call the CDS Hooks service: trusted clients and their signed JSON web tokens.

The CDS Hooks specification ("Trusting CDS Clients") has a client sign a short-lived JWT
with its private key for every call, and send it as ``Authorization: Bearer <JWT>``.
This module holds the service's side of that, with no web framework:

* :func:`load_key_set` reads one trusted client's JWK Set file (``{"keys": [...]}``) and
  refuses what must never be in it: private key material and symmetric (``oct``) keys;
* :class:`Verifier` checks a token against the trusted clients, for the URL of the
  endpoint called (the audience), and remembers each token's ``jti`` until it expires,
  so that a replayed token is refused (:class:`ReplayCache`);
* every refusal is an :class:`AuthenticationError` whose reason is short and safe to
  send back to the caller.

PyJWT (with ``cryptography``) checks the signatures; it is imported when a
:class:`Verifier` is built, and a missing one raises :class:`MissingExtraError` naming
the ``service`` extra.  The checks, in order (the first failure is the answer):

1. the header is ``Authorization: Bearer <token>`` and the token has the JWS compact form;
2. ``alg`` is on the asymmetric allow-list (:data:`ALGORITHMS`): ``none`` and the HMAC
   algorithms are refused before any key is looked up; ``typ``, when given, is ``JWT``;
3. ``iss`` is a trusted issuer and the header's ``kid`` names a key of that issuer's set,
   of a type that fits ``alg``;
4. the signature is valid for that key;
5. ``aud`` is the endpoint's URL (a string, or a list holding only it);
6. ``exp`` is in the future and ``iat`` not in it, each within :data:`CLOCK_SKEW_SECONDS`;
   the token expires at most :data:`MAX_LIFETIME_SECONDS` from now;
7. ``jti`` is a non-empty string not seen before from this issuer while it is valid.

``sub`` and ``tenant`` are optional (CDS Hooks 2.0 lists ``iss``, ``aud``, ``exp``,
``iat`` and ``jti`` as required), and must be strings when given.  ``jku`` is never
fetched: keys come only from the files the deployer trusts.
"""

from __future__ import annotations

import base64
import heapq
import json
import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ._errors import AeSystemicError, DataError, DataProblem, InputError, MissingExtraError, shown

if TYPE_CHECKING:
    import os

__all__ = [
    "ALGORITHMS",
    "CLOCK_SKEW_SECONDS",
    "MAX_LIFETIME_SECONDS",
    "MIN_RSA_BITS",
    "REPLAY_CACHE_SIZE",
    "AuthenticationError",
    "Claims",
    "KeySet",
    "PublicKey",
    "ReplayCache",
    "Verifier",
    "load_key_set",
    "load_trusted",
]

#: The signing algorithms accepted: asymmetric only (RSA, RSA-PSS, ECDSA, EdDSA).  ``none``
#: and the HMAC algorithms (``HS256``...) are refused, as the specification requires.
ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)

#: The clock skew allowed between the client and the service, in seconds: a token may
#: have expired this long ago, or have been issued this far in the future.
CLOCK_SKEW_SECONDS = 60

#: The longest a token may still be valid when it arrives, in seconds (a choice of this
#: library: CDS Hooks tokens are made for one call; a bound keeps the replay cache small).
MAX_LIFETIME_SECONDS = 3600

#: The most tokens the replay cache remembers at once; when it is full of unexpired
#: tokens a new one is refused (never forgotten early, which would allow a replay).
REPLAY_CACHE_SIZE = 100_000

#: The shortest RSA key trusted, in bits (NIST SP 800-131A; PyJWT warns below it).
MIN_RSA_BITS = 2048

#: The largest token read, in characters.
_MAX_TOKEN_CHARS = 16_384
_MAX_JTI_CHARS = 256
_MAX_KEY_SET_BYTES = 1_048_576
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")

#: The key types whose keys are public, and the algorithms each fits.
_ALGORITHMS_OF_KEY = {
    "RSA": frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}),
    "EC": frozenset({"ES256", "ES384", "ES512"}),
    "OKP": frozenset({"EdDSA"}),
}
#: The curve each ECDSA algorithm signs with.
_CURVE_OF = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}
#: Members of a JWK that hold private key material (RFC 7518, section 6).
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


class AuthenticationError(AeSystemicError):
    """A request's credentials are refused: the service answers ``401``.

    ``reason`` says what was wrong, briefly and without echoing the token, so that it
    can be sent back to the caller as it is.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)

    def __str__(self) -> str:
        return str(self.args[0])


@attrs.frozen
class PublicKey:
    """One public key of a trusted client's JWK Set.

    ``kid`` names it in the set, ``kty`` is its type (``RSA``, ``EC``, ``OKP``), ``alg``
    the one algorithm it may be used with when the set says so, ``crv`` its curve (EC,
    OKP), and ``jwk`` the key itself as JSON text.
    """

    kid: str
    kty: str
    alg: str | None
    crv: str | None
    jwk: str

    def fits(self, algorithm: str) -> bool:
        """Whether a token signed with ``algorithm`` may be checked with this key."""
        if algorithm not in _ALGORITHMS_OF_KEY.get(self.kty, ()):
            return False
        if self.alg is not None and self.alg != algorithm:
            return False
        curve = _CURVE_OF.get(algorithm)
        return curve is None or self.crv == curve


@attrs.frozen
class KeySet:
    """A trusted client's public keys, read from ``file`` (a JWK Set)."""

    file: str
    keys: tuple[PublicKey, ...]

    def key(self, kid: str) -> PublicKey | None:
        """The key named ``kid``, or ``None``."""
        return next((key for key in self.keys if key.kid == kid), None)


@attrs.frozen
class Claims:
    """What a verified token says of its caller.

    ``issuer`` is the trusted client, ``kid`` the key that signed, ``jti`` the token's
    identifier, ``expires`` its expiry (seconds since the epoch); ``subject`` and
    ``tenant`` when the token carries them.
    """

    issuer: str
    kid: str
    jti: str
    expires: float
    subject: str | None = None
    tenant: str | None = None


def load_key_set(path: str | os.PathLike[str]) -> KeySet:
    """The public keys of the JWK Set file at ``path``.

    The file is a JSON object ``{"keys": [...]}`` of one or more keys, each with a
    ``kid`` unique in the set and a ``kty`` of ``RSA``, ``EC`` or ``OKP``.  A symmetric
    (``oct``) key, private key material (``d``, ``p``, ...), a key not for signatures
    (``use`` other than ``sig``) or an algorithm off the allow-list is refused: a
    :class:`DataError` naming the file and the key.
    """
    file = str(path)
    try:
        with open(path, "rb") as stream:
            raw = stream.read(_MAX_KEY_SET_BYTES + 1)
    except OSError as exc:
        raise _key_set_error(file, "", f"cannot read it ({exc.strerror or exc})") from None
    if len(raw) > _MAX_KEY_SET_BYTES:
        raise _key_set_error(file, "", f"is larger than {_MAX_KEY_SET_BYTES} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise _key_set_error(file, "", f"is not JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise _key_set_error(file, "", 'must be a JWK Set, a JSON object {"keys": [...]}')
    entries: list[object] = data["keys"]
    if not entries:
        raise _key_set_error(file, "keys", "is empty: give the client's public keys")
    keys: list[PublicKey] = []
    for index, entry in enumerate(entries):
        key = _public_key(file, f"keys[{index}]", entry)
        if any(other.kid == key.kid for other in keys):
            raise _key_set_error(
                file, f"keys[{index}].kid", f"{key.kid!r} is given twice; each kid names one key"
            )
        keys.append(key)
    return KeySet(file, tuple(keys))


def _public_key(file: str, where: str, entry: object) -> PublicKey:
    if not isinstance(entry, dict):
        raise _key_set_error(file, where, "must be a JSON object (a JWK)")
    kty = entry.get("kty")
    if kty == "oct":
        raise _key_set_error(
            file,
            f"{where}.kty",
            "'oct' is a symmetric (shared secret) key; CDS Hooks clients sign with an "
            "asymmetric key: give its public key (RSA, EC or OKP)",
        )
    if not isinstance(kty, str) or kty not in _ALGORITHMS_OF_KEY:
        raise _key_set_error(file, f"{where}.kty", "must be 'RSA', 'EC' or 'OKP'")
    private = [member for member in _PRIVATE_MEMBERS if member in entry]
    if private:
        raise _key_set_error(
            file,
            where,
            f"holds private key material ({', '.join(private)}); a trusted client's file "
            "holds its public keys only: remove the private members (and keep the private "
            "key with the client)",
        )
    kid = entry.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _key_set_error(file, f"{where}.kid", "is missing: every key needs a kid")
    use = entry.get("use")
    if use is not None and use != "sig":
        raise _key_set_error(file, f"{where}.use", f"is {use!r}; a signing key has 'sig'")
    alg = entry.get("alg")
    if alg is not None and (alg not in ALGORITHMS or alg not in _ALGORITHMS_OF_KEY[kty]):
        raise _key_set_error(
            file,
            f"{where}.alg",
            f"{alg!r} is not accepted for a {kty} key; accepted: "
            f"{', '.join(sorted(_ALGORITHMS_OF_KEY[kty]))}",
        )
    bits = _rsa_bits(entry) if kty == "RSA" else None
    if bits is not None and bits < MIN_RSA_BITS:
        raise _key_set_error(
            file,
            f"{where}.n",
            f"an RSA key of {bits} bits is too short to trust; give a key of at least "
            f"{MIN_RSA_BITS} bits (NIST SP 800-131A)",
        )
    crv = entry.get("crv")
    if crv is not None and not isinstance(crv, str):
        raise _key_set_error(file, f"{where}.crv", "must be a string")
    curve = _CURVE_OF.get(alg) if isinstance(alg, str) else None
    if curve is not None and crv != curve:
        raise _key_set_error(
            file,
            f"{where}.alg",
            f"{alg!r} signs with the curve {curve}, not with this key's {shown(crv)}; give the "
            "algorithm of the key's curve",
        )
    return PublicKey(kid, kty, alg, crv, json.dumps(entry, sort_keys=True))


def _rsa_bits(entry: Mapping[str, object]) -> int | None:
    """The size in bits of an RSA JWK's modulus ``n``; ``None`` when ``n`` is unreadable.

    A key whose ``n`` cannot be read is refused when the verifier builds it.
    """
    modulus = entry.get("n")
    if not isinstance(modulus, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", modulus):
        return None
    try:
        raw = base64.urlsafe_b64decode(modulus + "=" * (-len(modulus) % 4))
    except ValueError:
        return None
    return int.from_bytes(raw, "big").bit_length()


def _key_set_error(file: str, path: str, message: str) -> DataError:
    return DataError([DataProblem(path, message)], file=file)


def load_trusted(specs: Mapping[str, str | os.PathLike[str]]) -> dict[str, KeySet]:
    """The key set of each trusted issuer, from ``{issuer: JWK Set file}``."""
    trusted: dict[str, KeySet] = {}
    for issuer, path in specs.items():
        if not issuer.strip():
            raise InputError("trusted", f"the issuer of {str(path)!r} is empty; name it")
        trusted[issuer] = load_key_set(path)
    return trusted


class ReplayCache:
    """The ``jti`` of every accepted token, remembered until the token expires.

    Bounded (``size`` entries) and safe to use from several threads.  An entry is
    forgotten only once its token has expired; when the cache is full of unexpired
    tokens, a new one is refused rather than an old one forgotten.
    """

    def __init__(self, size: int = REPLAY_CACHE_SIZE) -> None:
        if size < 1:
            raise InputError("size", f"must be at least 1, got {size}")
        self._size = size
        self._lock = threading.Lock()
        self._expiry: dict[tuple[str, str], float] = {}
        self._queue: list[tuple[float, tuple[str, str]]] = []

    def __len__(self) -> int:
        with self._lock:
            return len(self._expiry)

    def add(self, issuer: str, jti: str, until: float, now: float) -> None:
        """Remember ``jti`` of ``issuer`` until ``until``; a replay raises."""
        key = (issuer, jti)
        with self._lock:
            self._forget_expired(now)
            if key in self._expiry:
                raise AuthenticationError("token replayed: its jti was used before")
            if len(self._expiry) >= self._size:
                raise AuthenticationError("too many tokens in flight; try again shortly")
            self._expiry[key] = until
            heapq.heappush(self._queue, (until, key))

    def _forget_expired(self, now: float) -> None:
        while self._queue and self._queue[0][0] < now:
            _, key = heapq.heappop(self._queue)
            self._expiry.pop(key, None)


class Verifier:
    """Checks ``Authorization`` headers against the trusted clients (see the module).

    ``trusted`` maps each trusted issuer (the token's ``iss``) to its key set;
    ``clock`` gives the time in seconds since the epoch (for tests).
    """

    def __init__(
        self,
        trusted: Mapping[str, KeySet],
        *,
        clock_skew: float = CLOCK_SKEW_SECONDS,
        max_lifetime: float = MAX_LIFETIME_SECONDS,
        replay_cache: ReplayCache | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        try:
            import jwt
        except ImportError:
            raise MissingExtraError("the CDS Hooks service", "PyJWT", "service") from None
        if not trusted:
            raise InputError("trusted", "is empty: trust at least one client (issuer)")
        self._jwt = jwt
        self._clock_skew = clock_skew
        self._max_lifetime = max_lifetime
        self._replays = ReplayCache() if replay_cache is None else replay_cache
        self._clock = clock
        self._keys: dict[str, dict[str, tuple[PublicKey, Any]]] = {}
        for issuer, key_set in trusted.items():
            found: dict[str, tuple[PublicKey, Any]] = {}
            for key in key_set.keys:
                try:
                    found[key.kid] = (key, jwt.PyJWK(json.loads(key.jwk)).key)
                except jwt.PyJWTError as exc:
                    raise _key_set_error(
                        key_set.file, f"key {key.kid!r}", f"is not a usable key ({exc})"
                    ) from None
            self._keys[issuer] = found

    @property
    def issuers(self) -> tuple[str, ...]:
        """The trusted issuers."""
        return tuple(self._keys)

    def verify(self, authorization: str | None, audience: str) -> Claims:
        """The claims of the bearer token in ``authorization``, checked for ``audience``.

        ``audience`` is the URL of the endpoint called (the service's base URL and the
        request's path).  Raises :class:`AuthenticationError` on the first failed check.
        """
        token = _bearer_token(authorization)
        jwt = self._jwt
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthenticationError("malformed token: its header cannot be read") from None
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise AuthenticationError(
                f"algorithm {_shown_alg(algorithm)} is not accepted; sign with an asymmetric "
                "one (ES384, RS384, ...)"
            )
        if "typ" in header and str(header["typ"]).upper() != "JWT":
            raise AuthenticationError("token type (typ) must be JWT")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthenticationError("token header has no kid naming the signing key")
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise AuthenticationError("malformed token: its claims cannot be read") from None
        issuer = unverified.get("iss")
        if not isinstance(issuer, str) or not issuer:
            raise AuthenticationError("token has no iss (issuer)")
        keys = self._keys.get(issuer)
        if keys is None:
            raise AuthenticationError("issuer is not trusted")
        if kid not in keys:
            raise AuthenticationError("unknown kid: no key of that name is trusted for the issuer")
        public, key = keys[kid]
        if not public.fits(algorithm):
            raise AuthenticationError(f"algorithm {algorithm} does not fit the key {kid!r}")
        try:
            claims: dict[str, object] = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                options={
                    "verify_signature": True,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "verify_aud": False,
                    "verify_iss": False,
                    "verify_sub": False,
                    "verify_jti": False,
                    "require": [],
                },
            )
        except jwt.InvalidSignatureError:
            raise AuthenticationError("signature is not valid") from None
        except jwt.PyJWTError:
            raise AuthenticationError("token cannot be verified") from None
        return self._check_claims(claims, issuer, kid, audience)

    def _check_claims(
        self, claims: Mapping[str, object], issuer: str, kid: str, audience: str
    ) -> Claims:
        audiences = claims.get("aud")
        if audiences is None:
            raise AuthenticationError("token has no aud (audience)")
        if audiences != audience and audiences != [audience]:
            raise AuthenticationError("audience (aud) is not the URL of this endpoint")
        now = self._clock()
        expires = _number(claims, "exp")
        issued = _number(claims, "iat")
        if expires + self._clock_skew <= now:
            raise AuthenticationError("token expired (exp)")
        if issued - self._clock_skew > now:
            raise AuthenticationError("token issued in the future (iat)")
        if expires - now > self._max_lifetime + self._clock_skew:
            raise AuthenticationError(
                f"token lives too long: exp is more than {self._max_lifetime:g} s ahead"
            )
        if "nbf" in claims and _number(claims, "nbf") - self._clock_skew > now:
            raise AuthenticationError("token not yet valid (nbf)")
        subject = _optional_text(claims, "sub")
        tenant = _optional_text(claims, "tenant")
        jti = claims.get("jti")
        if jti is None or jti == "":
            raise AuthenticationError("token has no jti (a unique token id)")
        if not isinstance(jti, str):
            raise AuthenticationError("jti must be a string (a unique token id)")
        if len(jti) > _MAX_JTI_CHARS:
            raise AuthenticationError(f"jti is longer than {_MAX_JTI_CHARS} characters")
        self._replays.add(issuer, jti, expires + self._clock_skew, now)
        return Claims(issuer, kid, jti, expires, subject, tenant)


def _bearer_token(authorization: str | None) -> str:
    if authorization is None or not authorization.strip():
        raise AuthenticationError("missing Authorization header: send 'Bearer <JWT>'")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationError("malformed Authorization header: send 'Bearer <JWT>'")
    if len(token) > _MAX_TOKEN_CHARS or not _COMPACT_JWS.fullmatch(token):
        raise AuthenticationError("malformed token: not a signed JWT (header.payload.signature)")
    return token


def _number(claims: Mapping[str, object], name: str) -> float:
    value = claims.get(name)
    if value is None:
        raise AuthenticationError(f"token has no {name}")
    try:
        number = float(value) if isinstance(value, int | float) else math.nan
    except OverflowError:
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number):
        raise AuthenticationError(f"{name} must be a number of seconds since the epoch")
    return number


def _optional_text(claims: Mapping[str, object], name: str) -> str | None:
    value = claims.get(name)
    if value is not None and not isinstance(value, str):
        raise AuthenticationError(f"{name} must be a string")
    return value


def _shown_alg(value: object) -> str:
    """A header value, quoted and cut short, safe to put in a reason."""
    text = value if isinstance(value, str) else type(value).__name__
    cleaned = re.sub(r"[^A-Za-z0-9_.-]", "?", text[:20])
    return repr(cleaned)
