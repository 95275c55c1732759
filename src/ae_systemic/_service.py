"""The CDS Hooks service over HTTP: a Starlette app around :mod:`ae_systemic.cds_hooks`.

:func:`create_app` builds the ASGI app that ``ae-systemic serve`` runs with uvicorn (the
``service`` extra: Starlette, uvicorn, PyJWT with cryptography, imported when the app is
made).  Its endpoints, under the service's public ``base_url``:

* ``GET /cds-services``: the discovery document;
* ``POST /cds-services/{id}``: a hook request, answered with ``{"cards": [...]}`` by
  :func:`ae_systemic.cds_hooks.respond`, run in a worker thread so that the event loop
  stays free;
* ``POST /cds-services/{id}/feedback``: feedback on cards, checked and counted per service
  and outcome (:func:`feedback_counts`, and one log line each).

Every request, discovery included (the specification asks a JWT "for every single CDS
Service call, whether that be a Discovery call, a single CDS Service invocation, or
multiple exchanges"), carries ``Authorization: Bearer <JWT>`` from a trusted client,
checked by :class:`ae_systemic._service_auth.Verifier` for the URL called before anything
else is read (``no_auth`` turns this off, for a local sandbox only).  The answers:

=====  ===============================================================================
200    the cards (or the discovery document, or feedback taken)
400    a body that is not JSON in UTF-8, nested too deeply, holds a key twice in one
       object, NaN or a number no float or 18 digits hold, or does not fit the hook or
       the feedback format; a Content-Length that is not a number
401    the credentials are missing or refused (nothing else is done)
404    no such service or path
405    a method the path does not take
412    the prefetch lacks data the service needs
413    a body larger than ``max_body_bytes`` (by Content-Length, or counted as it arrives)
500    never for any input: only a defect of this library, logged by type only
=====  ===============================================================================

Every answer is JSON; errors are ``{"error": "..."}``.  Each request is logged on the
logger ``ae_systemic.service`` (hook instance, service, status, duration in ms), never
with patient data.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import attrs

from ._errors import DataError, DataProblem, InputError, MissingExtraError

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

    from ._converter import JSONValue
    from ._service_auth import KeySet, Verifier
    from .cds_hooks import ServiceConfig

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "LOGGER_NAME",
    "MAX_JSON_DEPTH",
    "FeedbackCounts",
    "create_app",
    "feedback_counts",
]

#: The largest request body read, in bytes (1 MiB): a hook request with its prefetched
#: resources is a few kilobytes to a few hundred.
DEFAULT_MAX_BODY_BYTES = 1_048_576

#: The deepest nesting of JSON arrays and objects accepted (a FHIR resource inside a
#: Bundle inside the prefetch is about a dozen levels deep).
MAX_JSON_DEPTH = 64

#: The logger of the service's request lines.
LOGGER_NAME = "ae_systemic.service"
_LOGGER = logging.getLogger(LOGGER_NAME)

#: What a hook instance must look like to be written to the log (a UUID, or at least
#: nothing that could carry text); anything else is logged as ``?``.
_SAFE_TOKEN = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_OUTCOMES = ("accepted", "overridden")
_MAX_ERROR_CHARS = 500


class FeedbackCounts:
    """How many feedback items each service received, per outcome; safe across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str]] = Counter()

    def add(self, service: str, outcomes: Sequence[str]) -> None:
        with self._lock:
            for outcome in outcomes:
                self._counts[service, outcome] += 1

    def counts(self) -> dict[str, dict[str, int]]:
        """``{service: {outcome: count}}``, for the services that received any."""
        with self._lock:
            found: dict[str, dict[str, int]] = {}
            for (service, outcome), count in sorted(self._counts.items()):
                found.setdefault(service, {})[outcome] = count
            return found


def feedback_counts(app: Starlette) -> dict[str, dict[str, int]]:
    """The feedback ``app`` (made by :func:`create_app`) has counted so far."""
    counts: FeedbackCounts = app.state.feedback
    return counts.counts()


class _Refusal(Exception):
    """An answer other than 200, decided while handling a request."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message


@attrs.frozen
class _Outcome:
    status: int
    payload: JSONValue
    hook_instance: str = "-"


def create_app(
    *,
    base_url: str,
    trusted: Mapping[str, KeySet] | None = None,
    config: ServiceConfig | None = None,
    no_auth: bool = False,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    allow_origins: Sequence[str] = (),
    verifier: Verifier | None = None,
) -> Starlette:
    """The ASGI app of the CDS Hooks service (see the module for its endpoints).

    ``base_url`` is the service's public URL (``https://cds.example.org``), the start of
    the audience every token must name; ``trusted`` maps each trusted client's issuer to
    its public keys (:func:`ae_systemic._service_auth.load_trusted`), or ``verifier`` is
    a ready :class:`~ae_systemic._service_auth.Verifier`; ``no_auth`` accepts calls
    without credentials (a local sandbox only).  ``config`` is passed to
    :func:`~ae_systemic.cds_hooks.respond`; ``allow_origins`` are the browser origins
    allowed by CORS (none by default).  Raises :class:`MissingExtraError` without the
    ``service`` extra and :class:`InputError` for an unusable argument.
    """
    try:
        from starlette.applications import Starlette
        from starlette.concurrency import run_in_threadpool
        from starlette.exceptions import HTTPException
        from starlette.middleware import Middleware
        from starlette.middleware.cors import CORSMiddleware
        from starlette.responses import JSONResponse
        from starlette.routing import Route
    except ImportError:
        raise MissingExtraError("the CDS Hooks service", "starlette", "service") from None
    from . import cds_hooks
    from ._service_auth import Verifier

    base = _base_url(base_url)
    if isinstance(max_body_bytes, bool) or not isinstance(max_body_bytes, int):
        raise InputError(
            "max_body_bytes", f"must be a whole number of bytes, got {max_body_bytes!r}"
        )
    if max_body_bytes < 1:
        raise InputError("max_body_bytes", f"must be at least 1, got {max_body_bytes}")
    origins = tuple(_origin(origin) for origin in allow_origins)
    check: Verifier | None
    if no_auth:
        check = None
    elif verifier is not None:
        check = verifier
    else:
        if not trusted:
            raise InputError(
                "trusted", "no client is trusted: trust at least one, or pass no_auth=True"
            )
        check = Verifier(trusted)
    feedback = FeedbackCounts()
    _build_unit_registry()

    def authenticate(request: Request) -> None:
        if check is None:
            return
        from ._service_auth import AuthenticationError

        try:
            check.verify(request.headers.get("authorization"), base + _path_as_sent(request))
        except AuthenticationError as exc:
            raise _Refusal(401, exc.reason) from None

    def known_service(service: str) -> None:
        if service not in cds_hooks.SERVICE_IDS:
            known = ", ".join(cds_hooks.SERVICE_IDS)
            raise _Refusal(404, f"no service {_shown(service)}; the services are {known}")

    async def body_of(request: Request) -> dict[str, object]:
        return _parse(await _read_body(request, max_body_bytes))

    async def discover(request: Request) -> _Outcome:
        authenticate(request)
        return _Outcome(200, cds_hooks.discovery())

    async def call(request: Request) -> _Outcome:
        authenticate(request)
        service = request.path_params["service"]
        known_service(service)
        body = await body_of(request)
        hook_instance = _safe(body.get("hookInstance"))
        try:
            cards = await run_in_threadpool(cds_hooks.respond, body, service=service, config=config)
        except cds_hooks.PrefetchMissingError as exc:
            raise _Refusal(412, str(exc)) from None
        except cds_hooks.HookRequestError as exc:
            raise _Refusal(400, str(exc)) from None
        except cds_hooks.UnknownServiceError as exc:
            raise _Refusal(404, str(exc)) from None
        except RecursionError:
            raise _Refusal(400, "the request is nested too deeply") from None
        return _Outcome(200, cards, hook_instance)

    async def take_feedback(request: Request) -> _Outcome:
        authenticate(request)
        service = request.path_params["service"]
        known_service(service)
        outcomes = _feedback_outcomes(await body_of(request))
        feedback.add(service, outcomes)
        for outcome, count in sorted(Counter(outcomes).items()):
            _LOGGER.info("feedback service=%s outcome=%s count=%d", service, outcome, count)
        return _Outcome(200, {})

    def endpoint(
        work: Callable[[Request], Awaitable[_Outcome]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def answer(request: Request) -> Response:
            started = time.perf_counter()
            service = _safe(request.path_params.get("service", "-"))
            hook_instance = "-"
            try:
                outcome = await work(request)
                status, payload, hook_instance = (
                    outcome.status,
                    outcome.payload,
                    outcome.hook_instance,
                )
            except _Refusal as refusal:
                status, payload = refusal.status, {"error": _short(refusal.message)}
            except Exception as exc:  # the last resort: a defect, never the input's fault
                _LOGGER.error("internal error service=%s error=%s", service, type(exc).__name__)
                status, payload = 500, {"error": "internal error of the service"}
            _log(hook_instance, service, status, started)
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return JSONResponse(payload, status_code=status, headers=headers)

        return answer

    async def http_error(request: Request, exc: Exception) -> Response:
        started = time.perf_counter()
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
        headers = exc.headers if isinstance(exc, HTTPException) else None
        _log("-", "-", status, started)
        return JSONResponse({"error": detail}, status_code=status, headers=headers)

    async def last_resort(request: Request, exc: Exception) -> Response:
        _LOGGER.error("internal error error=%s", type(exc).__name__)
        return JSONResponse({"error": "internal error of the service"}, status_code=500)

    middleware = []
    if origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=origins,
                allow_methods=("GET", "POST", "OPTIONS"),
                allow_headers=("Authorization", "Content-Type"),
                allow_credentials=False,
                max_age=600,
            )
        )
    app = Starlette(
        routes=[
            Route("/cds-services", endpoint(discover), methods=["GET"]),
            Route("/cds-services/{service}", endpoint(call), methods=["POST"]),
            Route("/cds-services/{service}/feedback", endpoint(take_feedback), methods=["POST"]),
        ],
        middleware=middleware,
        exception_handlers={HTTPException: http_error, Exception: last_resort},
    )
    # A path with a trailing slash is no path of the service: 404 in JSON, not a redirect
    # (whose target the caller's token, signed for the exact URL, would not open anyway).
    app.router.redirect_slashes = False
    app.state.feedback = feedback
    app.state.base_url = base
    return app


def _build_unit_registry() -> None:
    """Build pint's application registry now, before the first request.

    pint builds it lazily, on first use, which takes a noticeable part of a second: done here,
    the first hook request does not pay for it.  (Requests arriving together on a cold
    server are safe either way: the package builds the registry once, under a lock.)
    """
    from ._units import application_registry

    application_registry()


def _path_as_sent(request: Request) -> str:
    """The request's path as the client wrote it (percent-encoded), as it signed it."""
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes):
        return raw.decode("latin-1").split("?", 1)[0]
    return request.url.path


def _log(hook_instance: str, service: str, status: int, started: float) -> None:
    duration = (time.perf_counter() - started) * 1000
    _LOGGER.info(
        "request hookInstance=%s service=%s status=%d duration_ms=%.1f",
        hook_instance,
        service,
        status,
        duration,
    )


def _base_url(text: str) -> str:
    """``base_url`` without a trailing slash; an http(s) URL without query or fragment."""
    if not isinstance(text, str):
        raise InputError("base_url", f"must be a URL string, got {type(text).__name__}")
    url = text.strip().rstrip("/")
    if not re.fullmatch(r"https?://[^/?#\s]+(/[^?#\s]*)?", url):
        raise InputError(
            "base_url",
            f"{_shown(text)} is not an http(s) URL without query or fragment; "
            "write e.g. https://cds.example.org",
        )
    return url


def _origin(text: str) -> str:
    """A CORS origin: ``*`` or ``scheme://host[:port]`` (no path)."""
    if text == "*" or re.fullmatch(r"https?://[^/?#\s]+", text):
        return text
    raise InputError(
        "allow_origins",
        f"{_shown(text)} is not an origin; write e.g. https://ehr.example.org (no path), or *",
    )


async def _read_body(request: Request, limit: int) -> bytes:
    """The request's body, refused with 413 beyond ``limit`` bytes (declared or counted)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            length = int(declared)
        except ValueError:
            raise _Refusal(400, "Content-Length is not a number") from None
        if length > limit:
            raise _Refusal(413, f"the body is larger than the limit of {limit} bytes")
    size = 0
    chunks: list[bytes] = []
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _Refusal(413, f"the body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(body: bytes) -> dict[str, object]:
    """The JSON object of a request body; 400 for anything else.

    Read as :func:`ae_systemic._loading.parse_json` reads data files: a key given twice in
    one object (which ``json.loads`` would read as its last value), ``NaN``, a number too
    large to be finite and an integer of more than 18 digits are refused, naming where.
    """
    from ._loading import parse_json

    if not body.strip():
        raise _Refusal(400, "the body is empty: send a JSON object")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Refusal(
            400, f"the body is not UTF-8 text (byte {exc.start}): send JSON in UTF-8"
        ) from None
    try:
        data = parse_json(text)
    except DataError as error:
        raise _Refusal(400, _json_problem(error)) from None
    if not isinstance(data, dict):
        raise _Refusal(400, f"the body must be a JSON object, not {_json_type(data)}")
    if _depth(data) > MAX_JSON_DEPTH:
        raise _Refusal(400, f"the body is nested deeper than {MAX_JSON_DEPTH} levels")
    try:  # an escaped lone surrogate (\\ud800) is valid JSON but no character
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise _Refusal(
            400, "the body holds a lone surrogate (an escape such as \\ud800): send Unicode text"
        ) from None
    return data


def _json_problem(error: DataError) -> str:
    """The first problem of a body refused by the JSON reader, with where it is."""
    problem = error.problems[0] if error.problems else DataProblem("", str(error))
    more = len(error.problems) - 1
    also = f" (and {more} more problem{'s' * (more > 1)})" if more else ""
    return f"{problem.path or 'the body'}: {problem.message}{also}"


def _depth(data: object) -> int:
    """How deeply arrays and objects nest in ``data`` (without recursion)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            children: list[object] = list(value.values())
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def _feedback_outcomes(body: Mapping[str, object]) -> list[str]:
    """The outcome of each feedback item of ``body``; 400 naming the first bad field."""
    items = body.get("feedback")
    if not isinstance(items, list) or not items:
        raise _Refusal(400, "feedback: must be a non-empty array of feedback objects")
    outcomes: list[str] = []
    for index, item in enumerate(items):
        where = f"feedback[{index}]"
        if not isinstance(item, dict):
            raise _Refusal(400, f"{where}: must be an object")
        card = item.get("card")
        if not isinstance(card, str) or not card:
            raise _Refusal(400, f"{where}.card: must be the card's uuid, a non-empty string")
        outcome = item.get("outcome")
        if outcome not in _OUTCOMES:
            raise _Refusal(400, f"{where}.outcome: must be 'accepted' or 'overridden'")
        if not _is_timestamp(item.get("outcomeTimestamp")):
            raise _Refusal(
                400,
                f"{where}.outcomeTimestamp: must be a date and time in UTC (RFC 3339, with "
                "seconds, ending in Z or +00:00), e.g. 2021-12-11T10:05:31Z",
            )
        _check_suggestions(where, str(outcome), item.get("acceptedSuggestions"))
        _check_override_reason(where, item.get("overrideReason"))
        outcomes.append(str(outcome))
    return outcomes


def _check_suggestions(where: str, outcome: str, suggestions: object) -> None:
    """``acceptedSuggestions``: required for an accepted card, none for an overridden one."""
    where = f"{where}.acceptedSuggestions"
    if outcome == "accepted":
        if not isinstance(suggestions, list) or not suggestions:
            raise _Refusal(
                400, f"{where}: must be a non-empty array of {{'id': ...}} for an accepted outcome"
            )
    elif suggestions is None or suggestions == []:
        return  # an overridden card: nothing accepted
    elif isinstance(suggestions, list):
        raise _Refusal(
            400,
            f"{where}: an overridden card has no accepted suggestions; send an empty array "
            "or none, or the outcome 'accepted'",
        )
    else:
        raise _Refusal(400, f"{where}: must be an array of {{'id': ...}}")
    for number, suggestion in enumerate(suggestions):
        if not isinstance(suggestion, dict) or not isinstance(suggestion.get("id"), str):
            raise _Refusal(400, f"{where}[{number}].id: must be a string")


def _check_override_reason(where: str, reason: object) -> None:
    if reason is None:
        return
    if not isinstance(reason, dict):
        raise _Refusal(400, f"{where}.overrideReason: must be an object")
    coding = reason.get("reason")
    if coding is not None and not (
        isinstance(coding, dict)
        and isinstance(coding.get("code"), str)
        and isinstance(coding.get("system"), str)
    ):
        raise _Refusal(400, f"{where}.overrideReason.reason: must be a Coding (system, code)")
    comment = reason.get("userComment")
    if comment is not None and not isinstance(comment, str):
        raise _Refusal(400, f"{where}.overrideReason.userComment: must be a string")


#: An RFC 3339 date and time in UTC, as CDS Hooks asks of ``outcomeTimestamp``: seconds
#: required, a fraction allowed, the zone ``Z`` or ``+00:00``.
_UTC_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|\+00:00)")


def _is_timestamp(value: object) -> bool:
    """Whether ``value`` is a date and time in UTC that exists (``2021-12-11T10:05:31Z``)."""
    import datetime

    if not isinstance(value, str) or not _UTC_TIMESTAMP.fullmatch(value):
        return False
    try:
        datetime.datetime.fromisoformat(value[:19])
    except ValueError:  # 2021-02-30, 25:00
        return False
    return True


def _safe(value: object) -> str:
    """A value from the request made safe for the log: a plain token, else ``?``."""
    if isinstance(value, str) and _SAFE_TOKEN.fullmatch(value):
        return value
    return "-" if value is None else "?"


def _shown(value: str) -> str:
    text = value if len(value) <= 60 else value[:57] + "..."
    return repr(text)


def _short(message: str, limit: int = _MAX_ERROR_CHARS) -> str:
    return message if len(message) <= limit else message[: limit - 3] + "..."


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return "a number"
