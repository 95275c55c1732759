"""Who may call the CDS Hooks service: JWK Set files and the checks of each bearer token.

Keys are made in the tests (EC P-384 and RSA 2048, with ``cryptography``); each refused
token is refused with its own reason, before anything else is done.
"""

from __future__ import annotations

import json
import pickle
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("jwt")
pytest.importorskip("cryptography")

from ae_systemic import DataError
from ae_systemic._service_auth import (
    CLOCK_SKEW_SECONDS,
    AuthenticationError,
    KeySet,
    ReplayCache,
    Verifier,
    load_key_set,
    load_trusted,
)
from service_tools import Client, hmac_with_public_key, unsigned_token

AUDIENCE = "https://cds.example.org/cds-services/ciclosporin-order-sign"


@pytest.fixture(scope="module")
def ec_client() -> Client:
    return Client.ec()


@pytest.fixture(scope="module")
def rsa_client() -> Client:
    return Client.rsa()


@pytest.fixture(scope="module")
def key_set(
    tmp_path_factory: pytest.TempPathFactory, ec_client: Client, rsa_client: Client
) -> KeySet:
    path = tmp_path_factory.mktemp("keys") / "ehr.json"
    return load_key_set(ec_client.write_key_set(path, rsa_client))


@pytest.fixture
def verifier(key_set: KeySet) -> Verifier:
    return Verifier({"https://ehr.example.org": key_set})


def _refused(verifier: Verifier, header: str | None, audience: str = AUDIENCE) -> str:
    with pytest.raises(AuthenticationError) as caught:
        verifier.verify(header, audience)
    return caught.value.reason


# --- the key set files --------------------------------------------------------------------


def test_a_key_set_holds_each_public_key(key_set: KeySet) -> None:
    assert [(key.kid, key.kty, key.alg) for key in key_set.keys] == [
        ("ec-key-1", "EC", "ES384"),
        ("rsa-key-1", "RSA", "RS384"),
    ]
    ec_key = key_set.key("ec-key-1")
    assert ec_key is not None
    assert ec_key.crv == "P-384"
    assert ec_key.fits("ES384")
    assert not ec_key.fits("ES256")  # another curve
    assert not ec_key.fits("RS384")
    assert key_set.key("nope") is None
    assert pickle.loads(pickle.dumps(key_set)) == key_set


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_private_key_in_the_file_is_refused(tmp_path: Path, ec_client: Client) -> None:
    path = _write(tmp_path, {"keys": [ec_client.private_jwk()]})
    with pytest.raises(DataError) as caught:
        load_key_set(path)
    assert caught.value.file == str(path)
    assert caught.value.paths == ("keys[0]",)
    assert "private key material (d)" in str(caught.value)


def test_an_rsa_private_key_names_its_private_members(tmp_path: Path, rsa_client: Client) -> None:
    path = _write(tmp_path, {"keys": [rsa_client.public_jwk(), rsa_client.private_jwk()]})
    with pytest.raises(DataError, match=r"keys\[1\]: holds private key material \(d, p, q"):
        load_key_set(path)


def test_a_symmetric_key_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, {"keys": [{"kty": "oct", "kid": "s", "k": "c2VjcmV0"}]})
    with pytest.raises(DataError) as caught:
        load_key_set(path)
    assert caught.value.paths == ("keys[0].kty",)
    assert "symmetric" in str(caught.value)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("data", "path", "words"),
    [
        ([], "", "JWK Set"),
        ({"keys": []}, "keys", "is empty"),
        ({"keys": ["x"]}, "keys[0]", "JSON object"),
        ({"keys": [{"kty": "XYZ", "kid": "a"}]}, "keys[0].kty", "'RSA', 'EC' or 'OKP'"),
        ({"keys": [{"kty": ["EC"], "kid": "a"}]}, "keys[0].kty", "'RSA', 'EC' or 'OKP'"),
        ({"keys": [{"kty": {"EC": 1}, "kid": "a"}]}, "keys[0].kty", "'RSA', 'EC' or 'OKP'"),
    ],
)
def test_a_file_that_is_not_a_public_key_set_is_refused(
    tmp_path: Path, data: object, path: str, words: str
) -> None:
    with pytest.raises(DataError) as caught:
        load_key_set(_write(tmp_path, data))
    assert caught.value.paths == (path,)
    assert words in str(caught.value)


def test_key_ids_uses_and_algorithms_are_checked(tmp_path: Path, ec_client: Client) -> None:
    key = ec_client.public_jwk()
    cases: list[tuple[dict[str, str | None], str, str]] = [
        ({"kid": None}, "keys[0].kid", "needs a kid"),
        ({"use": "enc"}, "keys[0].use", "'sig'"),
        ({"alg": "HS256"}, "keys[0].alg", "not accepted"),
        ({"alg": "RS384"}, "keys[0].alg", "not accepted for a EC key"),
        (
            {"alg": "ES256"},
            "keys[0].alg",
            "'ES256' signs with the curve P-256, not with this key's 'P-384'",
        ),
    ]
    for changes, path, words in cases:
        entry = {k: v for k, v in {**key, **changes}.items() if v is not None}
        with pytest.raises(DataError) as caught:
            load_key_set(_write(tmp_path, {"keys": [entry]}))
        assert caught.value.paths == (path,)
        assert words in str(caught.value)
    with pytest.raises(DataError, match="given twice"):
        load_key_set(_write(tmp_path, {"keys": [key, key]}))


@pytest.mark.parametrize("bits", [1024, 2047])
def test_an_rsa_key_shorter_than_2048_bits_is_refused(tmp_path: Path, bits: int) -> None:
    """PyJWT only warns of such a key (NIST SP 800-131A disallows it): refused at start-up."""
    path = Client.rsa(bits=bits).write_key_set(tmp_path / "keys.json")
    with pytest.raises(DataError) as caught:
        load_key_set(path)
    assert caught.value.file == str(path)
    assert caught.value.paths == ("keys[0].n",)
    assert caught.value.problems[0].message == (
        f"an RSA key of {bits} bits is too short to trust; give a key of at least 2048 bits "
        "(NIST SP 800-131A)"
    )


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "absent.json"
    with pytest.raises(DataError, match=r"absent\.json: cannot read it"):
        load_trusted({"https://ehr.example.org": missing})
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.json: is not JSON"):
        load_key_set(bad)


# --- the tokens ---------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["ec", "rsa"])
def test_a_valid_token_is_accepted(
    verifier: Verifier, ec_client: Client, rsa_client: Client, which: str
) -> None:
    client = ec_client if which == "ec" else rsa_client
    token = client.token(AUDIENCE, tenant="hospital-1")
    claims = verifier.verify(f"Bearer {token}", AUDIENCE)
    assert claims.issuer == "https://ehr.example.org"
    assert claims.kid == client.kid
    assert claims.subject == "ehr-client"
    assert claims.tenant == "hospital-1"
    assert claims.expires > time.time()


def test_an_audience_given_as_a_list_of_the_url_is_accepted(
    verifier: Verifier, ec_client: Client
) -> None:
    verifier.verify(f"Bearer {ec_client.token(AUDIENCE, aud=[AUDIENCE])}", AUDIENCE)
    other = AUDIENCE.replace("sign", "select")
    assert "audience" in _refused(
        verifier, f"Bearer {ec_client.token(AUDIENCE, aud=[AUDIENCE, other])}"
    )


def test_sub_is_optional_as_in_cds_hooks_2(verifier: Verifier, ec_client: Client) -> None:
    assert (
        verifier.verify(f"Bearer {ec_client.token(AUDIENCE, sub=None)}", AUDIENCE).subject is None
    )
    assert "sub must be a string" in _refused(
        verifier, f"Bearer {ec_client.token(AUDIENCE, sub=5)}"
    )


def test_a_missing_header_is_refused(verifier: Verifier) -> None:
    assert "missing Authorization header" in _refused(verifier, None)
    assert "missing Authorization header" in _refused(verifier, "  ")


@pytest.mark.parametrize(
    "header",
    [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer not-a-token",
        "Bearer a.b",
        "Bearer a.b.c.d",
        "Bearer " + "a" * 20_000 + ".b.c",
        "Bearer eyJ.eyJ.sig",
        "Bearer !!!.???.***",
    ],
)
def test_a_malformed_header_or_token_is_refused(verifier: Verifier, header: str) -> None:
    assert "malformed" in _refused(verifier, header)


def test_an_expired_token_is_refused(verifier: Verifier, ec_client: Client) -> None:
    now = int(time.time())
    token = ec_client.token(AUDIENCE, iat=now - 600, exp=now - CLOCK_SKEW_SECONDS - 5)
    assert _refused(verifier, f"Bearer {token}") == "token expired (exp)"


def test_expiry_within_the_clock_skew_is_accepted(verifier: Verifier, ec_client: Client) -> None:
    now = int(time.time())
    token = ec_client.token(AUDIENCE, iat=now - 600, exp=now - CLOCK_SKEW_SECONDS // 2)
    verifier.verify(f"Bearer {token}", AUDIENCE)


def test_a_token_issued_in_the_future_is_refused(verifier: Verifier, ec_client: Client) -> None:
    now = int(time.time())
    token = ec_client.token(AUDIENCE, iat=now + CLOCK_SKEW_SECONDS + 30, exp=now + 600)
    assert _refused(verifier, f"Bearer {token}") == "token issued in the future (iat)"


def test_a_token_living_too_long_is_refused(verifier: Verifier, ec_client: Client) -> None:
    token = ec_client.token(AUDIENCE, lifetime=10 * 24 * 3600)
    assert "lives too long" in _refused(verifier, f"Bearer {token}")


@pytest.mark.parametrize("claim", ["exp", "iat", "aud", "iss"])
def test_a_missing_required_claim_is_refused(
    verifier: Verifier, ec_client: Client, claim: str
) -> None:
    token = ec_client.token(AUDIENCE, **{claim: None})
    assert "no " + claim in _refused(verifier, f"Bearer {token}")


@pytest.mark.parametrize("value", ["soon", True, 1e400, 10**400, None])
def test_an_expiry_that_is_not_a_number_is_refused(
    verifier: Verifier, ec_client: Client, value: object
) -> None:
    if value == 1e400:
        value = "Infinity-as-text"
    reason = _refused(verifier, f"Bearer {ec_client.token(AUDIENCE, exp=value)}")
    assert "exp" in reason


def test_a_wrong_audience_is_refused(verifier: Verifier, ec_client: Client) -> None:
    token = ec_client.token("https://cds.example.org/cds-services/other")
    assert _refused(verifier, f"Bearer {token}") == "audience (aud) is not the URL of this endpoint"


def test_an_unknown_kid_is_refused(verifier: Verifier, ec_client: Client) -> None:
    token = ec_client.token(AUDIENCE, kid="not-in-the-set")
    assert "unknown kid" in _refused(verifier, f"Bearer {token}")
    no_kid = ec_client.token(AUDIENCE, kid="")
    assert "no kid" in _refused(verifier, f"Bearer {no_kid}")


def test_a_key_of_another_client_under_a_known_kid_fails_the_signature(
    verifier: Verifier,
) -> None:
    impostor = Client.ec(kid="ec-key-1")  # same issuer and kid, another private key
    assert _refused(verifier, f"Bearer {impostor.token(AUDIENCE)}") == "signature is not valid"


def test_an_untrusted_issuer_is_refused(verifier: Verifier) -> None:
    stranger = Client.ec(issuer="https://evil.example.com", kid="ec-key-1")
    assert _refused(verifier, f"Bearer {stranger.token(AUDIENCE)}") == "issuer is not trusted"


def test_alg_none_is_refused_before_any_key_lookup(verifier: Verifier, ec_client: Client) -> None:
    token = unsigned_token(ec_client.claims(AUDIENCE), ec_client.kid)
    assert "algorithm 'none' is not accepted" in _refused(verifier, f"Bearer {token}")
    # Refused for the algorithm even with an unknown issuer and kid: no lookup happened.
    stranger = unsigned_token({"iss": "https://evil.example.com"}, "whatever")
    assert "algorithm 'none' is not accepted" in _refused(verifier, f"Bearer {stranger}")


def test_hs256_signed_with_the_public_key_is_refused(verifier: Verifier, ec_client: Client) -> None:
    for client in (ec_client, Client.rsa(kid="rsa-key-1")):
        token = hmac_with_public_key(client, AUDIENCE)
        assert "algorithm 'HS256' is not accepted" in _refused(verifier, f"Bearer {token}")


def test_an_algorithm_that_does_not_fit_the_key_is_refused(
    verifier: Verifier, rsa_client: Client
) -> None:
    token = rsa_client.token(AUDIENCE, headers={"alg": "PS384"})  # key says RS384
    assert "does not fit the key" in _refused(verifier, f"Bearer {token}")


def test_a_replayed_token_is_refused(verifier: Verifier, ec_client: Client) -> None:
    header = f"Bearer {ec_client.token(AUDIENCE)}"
    verifier.verify(header, AUDIENCE)
    assert "replayed" in _refused(verifier, header)


def test_a_missing_or_empty_jti_is_refused(verifier: Verifier, ec_client: Client) -> None:
    assert "no jti" in _refused(verifier, f"Bearer {ec_client.token(AUDIENCE, jti=None)}")
    assert "no jti" in _refused(verifier, f"Bearer {ec_client.token(AUDIENCE, jti='')}")
    assert "longer than" in _refused(verifier, f"Bearer {ec_client.token(AUDIENCE, jti='j' * 300)}")


@pytest.mark.parametrize("jti", [5, 1.5, True, ["a"], {"a": 1}])
def test_a_jti_that_is_not_a_string_is_refused_as_such(
    verifier: Verifier, ec_client: Client, jti: object
) -> None:
    reason = _refused(verifier, f"Bearer {ec_client.token(AUDIENCE, jti=jti)}")
    assert reason == "jti must be a string (a unique token id)"


def test_a_refused_token_does_not_use_up_its_jti(verifier: Verifier, ec_client: Client) -> None:
    token = ec_client.token(AUDIENCE, jti="same-jti-1")
    _refused(verifier, f"Bearer {token}", audience=AUDIENCE + "-other")
    verifier.verify(f"Bearer {token}", AUDIENCE)


def test_a_wrong_typ_is_refused(verifier: Verifier, ec_client: Client) -> None:
    token = ec_client.token(AUDIENCE, headers={"typ": "at+jwt"})
    assert "typ" in _refused(verifier, f"Bearer {token}")


def test_an_empty_trust_list_is_refused() -> None:
    from ae_systemic import InputError

    with pytest.raises(InputError, match="trusted: is empty"):
        Verifier({})


# --- the replay cache ---------------------------------------------------------------------


def test_the_replay_cache_forgets_a_token_once_it_expired() -> None:
    cache = ReplayCache(size=2)
    cache.add("iss", "a", until=100.0, now=0.0)
    with pytest.raises(AuthenticationError, match="replayed"):
        cache.add("iss", "a", until=100.0, now=50.0)
    cache.add("other-iss", "a", until=100.0, now=50.0)  # jti are per issuer
    with pytest.raises(AuthenticationError, match="too many tokens"):
        cache.add("iss", "b", until=100.0, now=60.0)  # full of unexpired tokens
    cache.add("iss", "b", until=300.0, now=101.0)  # both expired ones forgotten
    assert len(cache) == 1
    cache.add("iss", "a", until=300.0, now=101.0)  # expired, so not a replay any more


def test_the_verifier_forgets_jti_after_expiry_on_its_own_clock(
    key_set: KeySet, ec_client: Client
) -> None:
    now = [time.time()]
    verifier = Verifier({"https://ehr.example.org": key_set}, clock=lambda: now[0])
    token = ec_client.token(AUDIENCE, lifetime=30)
    verifier.verify(f"Bearer {token}", AUDIENCE)
    assert "replayed" in _refused(verifier, f"Bearer {token}")
    now[0] += 30 + CLOCK_SKEW_SECONDS + 1
    assert _refused(verifier, f"Bearer {token}") == "token expired (exp)"


def test_the_replay_cache_admits_each_jti_once_across_threads() -> None:
    cache = ReplayCache()
    admitted: list[int] = []
    barrier = threading.Barrier(8)

    def attempt(number: int) -> None:
        barrier.wait()
        try:
            cache.add("iss", "the-one-jti", until=1e12, now=0.0)
        except AuthenticationError:
            return
        admitted.append(number)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(admitted) == 1


def test_the_error_pickles_to_an_equal_error() -> None:
    error = AuthenticationError("token expired (exp)")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is AuthenticationError
    assert (again.reason, str(again), again.args) == (error.reason, str(error), error.args)
