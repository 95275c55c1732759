"""The CDS Hooks service over real HTTP: a uvicorn server on 127.0.0.1, called with httpx.

One server (module-scoped, an ephemeral port) trusts one client (EC P-384 keys made here)
and maps a local UVB code in a configuration file; every test calls it as a health record
would, with a freshly signed token.  The command line's ``serve`` is started as a real
process too.  Every card answered is checked against the JSON Schema of a card
(``tests/fixtures/cds_card.schema.json``); no request may ever be answered 500.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import json
import logging
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("httpx")
pytest.importorskip("jwt")

import httpx
import jsonschema  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cds_requests as cr
from ae_systemic import _cli, cds_hooks
from ae_systemic._service import MAX_JSON_DEPTH, create_app, feedback_counts
from ae_systemic._service_auth import load_trusted
from service_tools import (
    ISSUER,
    Client,
    free_socket,
    hmac_with_public_key,
    running,
    unsigned_token,
)

ROOT = Path(__file__).resolve().parent.parent
CARD_SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "cds_card.schema.json").read_text("utf-8"))
CARD = jsonschema.Draft202012Validator(CARD_SCHEMA)
ORIGIN = "https://ehr.example.org"
SIGN = "ciclosporin-order-sign"
SELECT = "ciclosporin-order-select"
LIMIT = 65_536
CONFIG = f"""
[[phototherapy]]
system = "{cr.PHOTOTHERAPY_SYSTEM}"
code = "{cr.UVB_CODE}"
therapy = "UVB"
"""


class Live:
    """The running server, its app and a client that signs every call."""

    def __init__(self, base: str, app: Any, signer: Client, http: httpx.Client) -> None:
        self.base = base
        self.app = app
        self.signer = signer
        self.http = http

    def url(self, path: str) -> str:
        return self.base + path

    def post(self, path: str, body: Any = None, *, raw: bytes | None = None) -> httpx.Response:
        headers = {**self.signer.bearer(self.url(path)), "Content-Type": "application/json"}
        content = raw if raw is not None else json.dumps(body).encode()
        return self.http.post(path, content=content, headers=headers)

    def call(self, body: Any, service: str = SIGN) -> httpx.Response:
        return self.post(f"/cds-services/{service}", body)

    def discover(self) -> httpx.Response:
        return self.http.get("/cds-services", headers=self.signer.bearer(self.url("/cds-services")))


@pytest.fixture(scope="module")
def signer() -> Client:
    return Client.ec()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, signer: Client) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("service")
    keys = signer.write_key_set(folder / "keys.json")
    config = folder / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return keys, config


@pytest.fixture(scope="module")
def live(files: tuple[Path, Path], signer: Client) -> Iterator[Live]:
    keys, config = files
    made: list[Any] = []

    def app_for(base: str) -> Any:
        made.append(
            create_app(
                base_url=base,
                trusted=load_trusted({ISSUER: keys}),
                config=cds_hooks.load_config(config),
                max_body_bytes=LIMIT,
                allow_origins=[ORIGIN],
            )
        )
        return made[0]

    with running(app_for) as base, httpx.Client(base_url=base, timeout=30) as http:
        yield Live(base, made[0], signer, http)


def _cards(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    cards: list[dict[str, Any]] = response.json()["cards"]
    for card in cards:
        CARD.validate(card)
    return cards


def _error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    message: str = response.json()["error"]
    return message


# --- discovery and the hooks --------------------------------------------------------------


def test_discovery_lists_the_services_and_needs_a_token(live: Live) -> None:
    response = live.discover()
    assert response.status_code == 200
    assert response.json() == cds_hooks.discovery()
    assert {service["id"] for service in response.json()["services"]} == set(cds_hooks.SERVICE_IDS)
    assert "missing Authorization" in _error(live.http.get("/cds-services"), 401)


@pytest.mark.parametrize("version", ["R4", "R5"])
def test_the_scenario_gets_a_dose_card_and_a_combination_card(
    live: Live, files: tuple[Path, Path], version: str
) -> None:
    request = cr.scenario_request(version=version)
    cards = _cards(live.call(request))
    assert len(cards) == 2
    assert [card["indicator"] for card in cards] == ["warning", "warning"]
    # The server answers what the library answers, card for card (the uuids aside).
    expected = cds_hooks.respond(request, config=cds_hooks.load_config(files[1]))["cards"]
    assert isinstance(expected, list)
    assert _without_uuids(cards) == _without_uuids(expected)
    text = " ".join(card["summary"] + card.get("detail", "") for card in cards)
    assert "UVB" in text or "phototherapy" in text.lower()
    assert "mg" in text


def _without_uuids(cards: list[Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in card.items() if k != "uuid"} for card in cards]


def test_no_ciclosporin_order_gets_no_cards(live: Live) -> None:
    request = cr.order_sign_request([cr.medication_order("m-1", "paracetamol")])
    assert live.call(request).json() == {"cards": []}
    assert _cards(live.call(request)) == []


@pytest.mark.parametrize("version", ["R4", "R5"])
def test_order_select_is_answered_for_r4_and_r5_orders(live: Live, version: str) -> None:
    order = cr.ciclosporin_order(version=version, amount_mg=400)
    request = cr.order_select_request([order], ["MedicationRequest/ciclosporin-order-1"])
    cards = _cards(live.call(request, service=SELECT))
    assert any(card["indicator"] == "warning" for card in cards)


def test_missing_prefetch_is_412(live: Live) -> None:
    request = cr.order_sign_request([cr.ciclosporin_order()], prefetched={})
    assert _error(live.call(request), 412)


def test_a_request_that_does_not_fit_the_hook_is_400(live: Live) -> None:
    request = cr.scenario_request()
    del request["context"]
    assert _error(live.call(request), 400)
    assert _error(live.call({"hook": "order-sign"}), 400)


def test_a_record_the_check_cannot_use_is_a_not_checked_card_not_a_400(live: Live) -> None:
    request = cr.scenario_request()
    request["prefetch"]["patient"]["birthDate"] = "1985"
    (card,) = _cards(live.call(request))
    assert card["indicator"] == "warning"
    assert "only part of the patient's birth date ('1985')" in card["detail"]
    assert "partial_birth_date" not in card["detail"]


def test_a_key_given_twice_is_400_naming_it_not_read_as_its_last(live: Live) -> None:
    """json.loads would read the dose as 20 mg, the last of the two values."""
    body = json.dumps(cr.order_sign_request([cr.ciclosporin_order()]))
    assert body.count('"value": 200.0') == 1
    raw = body.replace('"value": 200.0', '"value": 200.0, "value": 20').encode()
    assert _error(live.post(SERVICE_PATH, raw=raw), 400) == (
        "context.draftOrders.entry[0].resource.dosageInstruction[0].doseAndRate[0]"
        ".doseQuantity.value: key 'value' appears twice in one object"
    )


# --- the JWT checks, over HTTP ------------------------------------------------------------

SERVICE_PATH = f"/cds-services/{SIGN}"


def _token_cases(live: Live) -> dict[str, tuple[str | None, str]]:
    """Each refused Authorization header, with words of its reason."""
    audience = live.url(SERVICE_PATH)
    now = int(time.time())
    signer = live.signer
    stranger = Client.ec(issuer="https://evil.example.com", kid=signer.kid)
    replayed = signer.token(audience)
    live.http.post(
        SERVICE_PATH,
        json=cr.order_sign_request([cr.medication_order("m-1", "paracetamol")]),
        headers={"Authorization": f"Bearer {replayed}"},
    ).raise_for_status()
    return {
        "missing": (None, "missing Authorization"),
        "malformed": ("Bearer not.a-token", "malformed"),
        "not bearer": (f"Basic {signer.token(audience)}", "malformed"),
        "expired": (
            f"Bearer {signer.token(audience, iat=now - 900, exp=now - 600)}",
            "expired",
        ),
        "iat in future": (
            f"Bearer {signer.token(audience, iat=now + 600, exp=now + 900)}",
            "issued in the future",
        ),
        "wrong aud": (f"Bearer {signer.token(live.url('/cds-services'))}", "audience"),
        "unknown kid": (f"Bearer {signer.token(audience, kid='other-kid')}", "unknown kid"),
        "untrusted issuer": (
            f"Bearer {stranger.token(audience)}",
            "not trusted",
        ),
        "alg none": (
            f"Bearer {unsigned_token(signer.claims(audience), signer.kid)}",
            "'none' is not accepted",
        ),
        "HS256 with the public key": (
            f"Bearer {hmac_with_public_key(signer, audience)}",
            "'HS256' is not accepted",
        ),
        "replayed jti": (f"Bearer {replayed}", "replayed"),
        "missing jti": (f"Bearer {signer.token(audience, jti=None)}", "no jti"),
        "wrong key": (f"Bearer {Client.ec(kid=signer.kid).token(audience)}", "signature"),
    }


def test_every_refused_token_is_401_and_nothing_is_read(live: Live) -> None:
    cases = _token_cases(live)
    for name, (header, words) in cases.items():
        headers = {} if header is None else {"Authorization": header}
        # An invalid body: had it been read, the answer would be 400.
        response = live.http.post(SERVICE_PATH, content=b"{not json", headers=headers)
        assert words in _error(response, 401), name
        assert response.headers["www-authenticate"] == "Bearer", name


def test_a_refused_token_is_401_even_for_a_body_over_the_limit(live: Live) -> None:
    response = live.http.post(SERVICE_PATH, content=b"x" * (LIMIT * 4))
    assert "missing Authorization" in _error(response, 401)


def test_a_token_for_one_service_does_not_open_another(live: Live) -> None:
    headers = live.signer.bearer(live.url(f"/cds-services/{SELECT}"))
    response = live.http.post(SERVICE_PATH, json=cr.scenario_request(), headers=headers)
    assert "audience" in _error(response, 401)


# --- statuses -----------------------------------------------------------------------------


def test_an_unknown_service_is_404_and_an_unknown_path_too(live: Live) -> None:
    assert "no service 'nope'" in _error(live.call(cr.scenario_request(), service="nope"), 404)
    assert _error(live.http.get("/elsewhere"), 404)
    # A trailing slash is another path: 404 in JSON, not a redirect.
    assert _error(live.http.get("/cds-services/"), 404)
    assert _error(live.call(cr.scenario_request(), service=f"{SIGN}/"), 404)


def test_a_wrong_method_is_405(live: Live) -> None:
    response = live.http.get(SERVICE_PATH, headers=live.signer.bearer(live.url(SERVICE_PATH)))
    assert _error(response, 405)
    assert response.headers["allow"] == "POST"


def test_a_body_over_the_limit_is_413_declared_or_streamed(live: Live) -> None:
    assert "limit" in _error(live.post(SERVICE_PATH, raw=b" " * (LIMIT + 1)), 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(8):
            yield b" " * (LIMIT // 4)

    headers = live.signer.bearer(live.url(SERVICE_PATH))
    response = live.http.post(SERVICE_PATH, content=chunks(), headers=headers)
    assert "content-length" not in response.request.headers
    assert "limit" in _error(response, 413)
    # Just under the limit is read (and refused for what it is, not for its size).
    assert "invalid JSON" in _error(live.post(SERVICE_PATH, raw=b"x" * (LIMIT - 1)), 400)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"{not json", "the body: invalid JSON at line 1, column 2"),
        (b"", "empty"),
        (b"[1, 2]", "must be a JSON object, not an array"),
        (b"\xff\xfe{}", "the body is not UTF-8 text (byte 0): send JSON in UTF-8"),
        (b'{"hook": NaN}', "hook: NaN is not allowed; numbers must be finite"),
        (b'{"a": [1e400]}', "a[0]: 1e400 is too large to be a finite number"),
        (b"1" * 5000, "the body: integer of more than 18 digits"),
        (b'{"a": ' + b"9" * 5000 + b"}", "a: integer of more than 18 digits"),
        (b"[" * 20_000 + b"]" * 20_000, "nested"),
        (b'{"a":' * (MAX_JSON_DEPTH + 1) + b"1" + b"}" * (MAX_JSON_DEPTH + 1), "nested deeper"),
        (b'{"hookInstance": "\\ud800"}', "a lone surrogate"),
        (b'{"\\udc00": 1}', "a lone surrogate"),
    ],
)
def test_bodies_that_are_not_json_objects_are_400(live: Live, raw: bytes, words: str) -> None:
    message = _error(live.post(SERVICE_PATH, raw=raw), 400)
    assert words in message
    assert "sys.set_int_max_str_digits" not in message  # Python's advice, not the request's


# --- feedback, CORS and the log -----------------------------------------------------------


def test_feedback_is_accepted_and_counted(live: Live) -> None:
    path = f"/cds-services/{SELECT}/feedback"
    before = feedback_counts(live.app).get(SELECT, {})
    body = {
        "feedback": [
            {
                "card": "4e0a3a1e-3283-4575-ab82-028d55fe2719",
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": "e56e1945-20b3-4393-8503-a1a20fd73152"}],
                "outcomeTimestamp": "2021-12-11T10:05:31Z",
            },
            {
                "card": "9368d37b-283f-44a0-93ea-547cebab93ed",
                "outcome": "overridden",
                "overrideReason": {
                    "reason": {"code": "d7ecf885", "system": "https://example.com/reasons"},
                    "userComment": "A comment entered by the clinician.",
                },
                "outcomeTimestamp": "2020-12-11T00:00:00Z",
            },
            {"card": "f6b9", "outcome": "overridden", "outcomeTimestamp": "2020-12-11T00:00:00Z"},
            {
                "card": "0b7c",
                "outcome": "overridden",
                "outcomeTimestamp": "2020-12-11T00:00:00.52+00:00",
                "acceptedSuggestions": [],  # nothing accepted
            },
        ]
    }
    response = live.post(path, body)
    assert response.status_code == 200
    assert response.json() == {}
    after = feedback_counts(live.app)[SELECT]
    assert after.get("accepted", 0) - before.get("accepted", 0) == 1
    assert after.get("overridden", 0) - before.get("overridden", 0) == 3


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"outcome": "accepted"}, "feedback[0].card"),
        ({"card": "c", "outcome": "ignored"}, "feedback[0].outcome"),
        ({"card": "c", "outcome": "overridden", "outcomeTimestamp": "yesterday"}, "outcomeTime"),
        (
            {"card": "c", "outcome": "accepted", "outcomeTimestamp": "2020-12-11T00:00:00Z"},
            "feedback[0].acceptedSuggestions",
        ),
        (
            {
                "card": "c",
                "outcome": "overridden",
                "outcomeTimestamp": "2020-12-11T00:00:00Z",
                "overrideReason": {"reason": "no"},
            },
            "feedback[0].overrideReason.reason",
        ),
    ],
)
def test_bad_feedback_is_400_naming_the_field(live: Live, item: dict[str, Any], field: str) -> None:
    before = feedback_counts(live.app)
    path = f"/cds-services/{SIGN}/feedback"
    assert field in _error(live.post(path, {"feedback": [item]}), 400)
    assert "feedback:" in _error(live.post(path, {"feedback": []}), 400)
    assert feedback_counts(live.app) == before


_OVERRIDDEN = {"card": "c", "outcome": "overridden", "outcomeTimestamp": "2020-12-11T00:00:00Z"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"acceptedSuggestions": [{"id": "s1"}]},
            "feedback[0].acceptedSuggestions: an overridden card has no accepted suggestions; "
            "send an empty array or none, or the outcome 'accepted'",
        ),
        (
            {"acceptedSuggestions": {}},
            "feedback[0].acceptedSuggestions: must be an array of {'id': ...}",
        ),
        (
            {"outcome": "accepted", "acceptedSuggestions": []},
            "feedback[0].acceptedSuggestions: must be a non-empty array of {'id': ...} for an "
            "accepted outcome",
        ),
        (
            {"outcome": "accepted", "acceptedSuggestions": [{"id": 5}]},
            "feedback[0].acceptedSuggestions[0].id: must be a string",
        ),
    ],
)
def test_feedback_suggestions_are_refused_in_the_words_of_their_outcome(
    live: Live, change: dict[str, Any], message: str
) -> None:
    path = f"/cds-services/{SIGN}/feedback"
    assert _error(live.post(path, {"feedback": [{**_OVERRIDDEN, **change}]}), 400) == message


@pytest.mark.parametrize(
    "timestamp",
    [
        "2026-01-01T10:00:00+05:00",
        "2026-01-01T10:00:00-00:00",
        "2026-01-01T10:00:00",
        "2026-01-01T10",
        "2026-01-01T10:00Z",
        "20260101T100000Z",
        "2026-W01-1T10:00:00Z",
        "2026-02-30T10:00:00Z",
        "2026-01-01T24:00:00Z",
        "2026-01-01 10:00:00Z",
        "2026-01-01",
    ],
)
def test_a_feedback_time_that_is_not_utc_is_refused(live: Live, timestamp: str) -> None:
    """CDS Hooks: "ISO8601 representation of the date and time in UTC" (RFC 3339 5.6)."""
    before = feedback_counts(live.app)
    path = f"/cds-services/{SIGN}/feedback"
    body = {"feedback": [{**_OVERRIDDEN, "outcomeTimestamp": timestamp}]}
    assert _error(live.post(path, body), 400) == (
        "feedback[0].outcomeTimestamp: must be a date and time in UTC (RFC 3339, with seconds, "
        "ending in Z or +00:00), e.g. 2021-12-11T10:05:31Z"
    )
    assert feedback_counts(live.app) == before


def test_cors_preflight_allows_the_configured_origin_only(live: Live) -> None:
    preflight = {
        "Origin": ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    response = live.http.options(SERVICE_PATH, headers=preflight)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed
    assert "content-type" in allowed
    assert "POST" in response.headers["access-control-allow-methods"]
    other = live.http.options(SERVICE_PATH, headers={**preflight, "Origin": "https://evil.example"})
    assert other.status_code == 400
    assert "access-control-allow-origin" not in other.headers
    # The real call carries the header for the browser.
    headers = {**live.signer.bearer(live.url("/cds-services")), "Origin": ORIGIN}
    assert (
        live.http.get("/cds-services", headers=headers).headers["access-control-allow-origin"]
        == ORIGIN
    )


def test_the_log_has_instance_status_and_time_but_no_patient_data(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ae_systemic.service")
    request = cr.scenario_request()
    _cards(live.call(request))
    _error(live.call(cr.order_sign_request([cr.ciclosporin_order()], prefetched={})), 412)
    lines = [r.getMessage() for r in caplog.records if r.name == "ae_systemic.service"]
    assert any(
        f"hookInstance={cr.HOOK_INSTANCE} service={SIGN} status=200 duration_ms=" in line
        for line in lines
    ), lines
    assert any("status=412" in line for line in lines)
    text = "\n".join(lines)
    patient = request["prefetch"]["patient"]
    for secret in (cr.PATIENT_ID, patient["birthDate"], "ciclosporin-order-1", cr.UVB_CODE):
        assert secret not in text


# --- hostile bodies -----------------------------------------------------------------------

_JSON_LEAF = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
_JSON = st.recursive(
    _JSON_LEAF,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
_PATHS = (
    ("hook",),
    ("hookInstance",),
    ("context",),
    ("context", "patientId"),
    ("context", "draftOrders"),
    ("context", "draftOrders", "entry"),
    ("context", "draftOrders", "entry", 0),
    ("context", "draftOrders", "entry", 0, "resource"),
    ("context", "draftOrders", "entry", 0, "resource", "dosageInstruction"),
    ("context", "draftOrders", "entry", 0, "resource", "dosageInstruction", 0, "timing"),
    ("context", "draftOrders", "entry", 0, "resource", "medicationCodeableConcept"),
    ("prefetch",),
    ("prefetch", "patient"),
    ("prefetch", "patient", "birthDate"),
    ("prefetch", "weights"),
    ("prefetch", "weights", "entry", 0, "resource", "valueQuantity"),
    ("prefetch", "weights", "entry", 0, "resource", "valueQuantity", "value"),
    ("prefetch", "weights", "entry", 0, "resource", "valueQuantity", "code"),
    ("prefetch", "serviceRequests"),
    ("prefetch", "medications"),
)


def _deep(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": [value]}
    return value


def _hostile_value() -> st.SearchStrategy[Any]:
    return (
        _JSON
        | st.integers(min_value=1, max_value=200).map(_deep)
        | st.integers(min_value=1, max_value=LIMIT * 2).map(lambda n: "x" * n)
        | st.sampled_from([10**400, -1e308, "", "0", "-70", [], {}, {"resourceType": "Patient"}])
    )


@st.composite
def _mutated_request(draw: st.DrawFn) -> bytes:
    version = draw(st.sampled_from(["R4", "R5"]))
    request: Any = cr.scenario_request(version=version)
    path = draw(st.sampled_from(_PATHS))
    value = draw(_hostile_value())
    target = request
    for step in path[:-1]:
        target = target[step]
    if draw(st.booleans()) and isinstance(target, dict):
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value
    try:
        return json.dumps(request).encode()
    except (ValueError, RecursionError):
        return b"{}"


_BODIES = (
    _mutated_request()
    | _JSON.map(lambda value: json.dumps(value).encode())
    | st.binary(max_size=200)
    | st.integers(min_value=1, max_value=3000).map(lambda n: b"[" * n + b"]" * n)
    | st.integers(min_value=LIMIT // 2, max_value=LIMIT * 3).map(
        lambda n: b'{"hook": "' + b"a" * n + b'"}'
    )
)
_ALLOWED = {400, 401, 404, 412, 413}
#: The statuses the hostile bodies got, for the test after them.
_SEEN: Counter[int] = Counter()


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(body=_BODIES, service=st.sampled_from([SIGN, SELECT, SIGN, SELECT, "x" * 80, "%00"]))
def test_hostile_bodies_get_only_client_errors(live: Live, body: bytes, service: str) -> None:
    response = live.post(f"/cds-services/{service}", raw=body)
    _SEEN[response.status_code] += 1
    if response.status_code == 200:
        _cards(response)
    else:
        assert response.status_code in _ALLOWED, (response.status_code, response.text)
        assert isinstance(response.json()["error"], str)


def test_the_server_still_answers_after_the_hostile_bodies(live: Live) -> None:
    # Runs after the hostile test (file order): the same server, still serving.
    assert live.discover().status_code == 200
    assert len(_cards(live.call(cr.scenario_request()))) == 2
    if _SEEN:  # the hostile bodies reached every kind of answer, not only one refusal
        print(sorted(_SEEN.items()))
        assert {200, 400, 404, 412, 413} <= set(_SEEN), _SEEN


# --- the command line ---------------------------------------------------------------------


def _serve(*arguments: str) -> subprocess.Popen[str]:
    script = Path(sys.executable).parent / "ae-systemic"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "ae_systemic._cli"]
    return subprocess.Popen(
        [*command, "serve", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(base: str, headers: Any, process: subprocess.Popen[str]) -> httpx.Response:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve stopped: {process.communicate()}")
        try:
            return httpx.get(base + "/cds-services", headers=headers(), timeout=5)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("serve did not answer within 30 s")


def _stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.send_signal(signal.SIGINT)
    try:
        return process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()


def _free_port() -> int:
    sock = free_socket()
    port: int = sock.getsockname()[1]
    sock.close()
    return port


def test_serve_runs_the_service_with_trusted_keys_and_a_config(
    files: tuple[Path, Path], signer: Client
) -> None:
    keys, config = files
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = _serve(
        "--port", str(port), "--trust", f"{ISSUER}={keys}", "--config", str(config),
        "--base-url", base,
    )  # fmt: skip
    try:
        discovery = _wait_for(base, lambda: signer.bearer(base + "/cds-services"), process)
        assert discovery.status_code == 200
        assert discovery.json() == cds_hooks.discovery()
        path = f"/cds-services/{SIGN}"

        def call(_: int) -> httpx.Response:
            return httpx.post(
                base + path,
                json=cr.scenario_request(),
                headers=signer.bearer(base + path),
                timeout=30,
            )

        # The first hook requests of a fresh process, together: each is assessed in a
        # worker thread (pint's lazily built unit registry must not be built by them).
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(call, range(16)))
        assert [len(_cards(answer)) for answer in answers] == [2] * 16
        assert httpx.get(base + "/cds-services", timeout=5).status_code == 401
    finally:
        out, err = _stop(process)
    assert process.returncode == 0, err
    assert "ae-systemic serve: stopped" in out
    assert f"service={SIGN} status=200" in err
    local = datetime.datetime.now().astimezone().tzname()
    assert (
        f"the date of each decision is today's date in this machine's local time zone, {local} ("
        in err
    )


def test_serve_no_auth_warns_and_answers_without_a_token() -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = _serve("--port", str(port), "--no-auth", "--timezone", "Europe/Berlin")
    try:
        assert _wait_for(base, dict, process).status_code == 200
    finally:
        _out, err = _stop(process)
    assert "warning: --no-auth" in err
    assert "the date of each decision is today's date in Europe/Berlin" in err


def _never_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refusal that failed would start a server: fail at once rather than serve forever."""
    import uvicorn

    def run(*args: object, **kwargs: object) -> None:
        raise AssertionError("serve started a server instead of refusing")

    monkeypatch.setattr(uvicorn, "run", run)


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["--no-auth", "--host", "0.0.0.0"], "--no-auth: refused on --host 0.0.0.0"),
        (
            ["--no-auth", "--host", "[::1]"],
            "--host: '[::1]': give the address without brackets, e.g. --host ::1 ",
        ),
        (
            ["--trust", "a=b", "--host", "[2001:db8::1]"],
            "--host: '[2001:db8::1]': give the address without brackets, e.g. --host 2001:db8::1 ",
        ),
        ([], "give --trust ISSUER=JWKS_FILE"),
        (["--trust", "https://ehr.example.org"], "--trust: 'https://ehr.example.org' is not"),
        (["--no-auth", "--trust", "a=b"], "give one of them"),
        (["--no-auth", "--port", "70000"], "--port: '70000' is not a port"),
        (["--no-auth", "--port", "-1"], "--port: '-1' is not a port"),
        (["--no-auth", "--max-body", "12"], "--max-body: '12'"),
        (["--no-auth", "--base-url", "ftp://x"], "--base-url: 'ftp://x' is not an http(s) URL"),
        (["--no-auth", "--allow-origin", "https://a/b"], "--allow-origin: 'https://a/b'"),
        (
            ["--no-auth", "--timezone", "Mars/Olympus"],
            "--timezone: 'Mars/Olympus' is not an IANA time zone this machine knows",
        ),
    ],
)
def test_serve_refuses_bad_options_with_exit_2(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    arguments: list[str],
    words: str,
) -> None:
    _never_serve(monkeypatch)
    assert _cli.run(["serve", *arguments]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ae-systemic: error: ")
    assert words in err
    assert err.count("\n") == 1


def test_serve_refuses_bad_files_naming_them(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    signer: Client,
) -> None:
    _never_serve(monkeypatch)
    private = tmp_path / "private.json"
    private.write_text(json.dumps({"keys": [signer.private_jwk()]}), encoding="utf-8")
    assert _cli.run(["serve", "--trust", f"{ISSUER}={private}"]) == 2
    err = capsys.readouterr().err
    assert f"{private}: keys[0]: holds private key material" in err
    short = tmp_path / "short.json"
    Client.rsa(bits=1024).write_key_set(short)
    assert _cli.run(["serve", "--trust", f"{ISSUER}={short}"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"ae-systemic: error: {short}: keys[0].n: an RSA key of 1024 bits is too short to "
        "trust; give a key of at least 2048 bits (NIST SP 800-131A)\n"
    )
    keys = signer.write_key_set(tmp_path / "keys.json")
    config = tmp_path / "bad.toml"
    config.write_text('[[phototherapy]]\nsystem = "s"\ncode = "c"\ntherapy = "UVC"\n', "utf-8")
    assert _cli.run(["serve", "--trust", f"{ISSUER}={keys}", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert str(config) in err
    assert "line 4" in err
    assert err.count("\n") == 1
