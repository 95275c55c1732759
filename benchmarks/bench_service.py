"""Load on the CDS Hooks service, as a ratio against a trivial endpoint of the same stack.

Run: ``.venv/bin/python benchmarks/bench_service.py`` (``--quick`` for 200 requests; needs the
``service`` extra and httpx).

Two servers run as processes of their own, one after the other, with the same uvicorn
settings (one worker, ``127.0.0.1``, an ephemeral port, no access log):

* ours: ``ae-systemic serve --trust ...`` with a JWK Set made here (EC P-384) and the
  configuration that maps the test UVB code; each request is the issue's ``order-sign``
  scenario (a 70 kg adult, ciclosporin 200 mg twice daily, UVB phototherapy planned), with a
  valid JWT and a fresh ``jti``, answered with two cards;
* baseline: a Starlette app whose one endpoint answers ``{}`` to the same POST, with no
  authentication and no work: what the stack itself costs.

Each server gets a warm-up, then ``--requests`` requests over ``--connections`` concurrent
keep-alive connections (httpx.AsyncClient).  Tokens are signed before the clock starts, so
the client's signing is not timed.  Printed: errors (must be 0), p50 and p99 latency,
throughput, and the ratio of the p50s (target <= 3).  The test suite never asserts times.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = 3.0
ISSUER = "https://ehr.example.org"
SERVICE = "ciclosporin-order-sign"
START_TIMEOUT_SECONDS = 60.0
WARM_UP = 50
CONFIG = """
[[phototherapy]]
system = "{system}"
code = "{code}"
therapy = "UVB"
"""


def trivial_server(port: int) -> None:
    """The baseline: the same stack, one endpoint that answers ``{}`` with no work."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    async def empty(request: Request) -> Response:
        await request.body()
        return JSONResponse({})

    app = Starlette(routes=[Route("/cds-services/{service}", empty, methods=["POST"])])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _command_line() -> list[str]:
    script = Path(sys.executable).parent / "ae-systemic"
    return [str(script)] if script.exists() else [sys.executable, "-m", "ae_systemic._cli"]


def _wait_until_up(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped with exit code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the server did not start")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Signer:
    """A CDS client's EC P-384 key, and tokens signed with it."""

    def __init__(self) -> None:
        import jwt
        from cryptography.hazmat.primitives.asymmetric import ec

        self._jwt = jwt
        self.key = ec.generate_private_key(ec.SECP384R1())
        public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key()))
        self.key_set = {"keys": [{**public, "kid": "bench-1", "use": "sig", "alg": "ES384"}]}

    def headers(self, audience: str) -> dict[str, str]:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": audience,
            "iat": now,
            "exp": now + 600,
            "jti": str(uuid.uuid4()),
        }
        token = self._jwt.encode(
            claims, self.key, algorithm="ES384", headers={"kid": "bench-1", "typ": "JWT"}
        )
        return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


async def _load(
    url: str, body: bytes, headers: Sequence[dict[str, str]], connections: int
) -> tuple[list[float], int, float]:
    """Send one request per header set over ``connections`` connections."""
    import httpx

    latencies: list[float] = []
    errors = 0
    queue = list(reversed(headers))
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while queue:
            each = queue.pop()
            started = time.perf_counter()
            try:
                response = await client.post(url, content=body, headers=each)
                text = response.text
                answer = f"{response.status_code} {text[:200]}"
                ok = response.status_code == 200 and ('"cards"' in text or text == "{}")
            except httpx.HTTPError as exc:
                answer, ok = type(exc).__name__, False
            latencies.append(time.perf_counter() - started)
            if not ok and not errors:  # the first error says what went wrong
                print(f"first error: {answer}")
            errors += not ok

    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(connections)))
        wall = time.perf_counter() - started
    return latencies, errors, wall


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _measure(
    name: str, process: subprocess.Popen[bytes], port: int, body: bytes, headers: Any, args: Any
) -> dict[str, float]:
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/cds-services/{SERVICE}"
    try:
        _wait_until_up(process, port)
        warm = [headers(url) for _ in range(WARM_UP)]
        _, warm_errors, _ = asyncio.run(_load(url, body, warm, args.connections))
        if warm_errors:
            raise SystemExit(f"{name}: {warm_errors} errors in the warm-up")
        timed = [headers(url) for _ in range(args.requests)]
        latencies, errors, wall = asyncio.run(_load(url, body, timed, args.connections))
    finally:
        _stop(process)
    result = {
        "errors": float(errors),
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
        "throughput": len(latencies) / wall,
    }
    print(
        f"{name:<9} {args.requests} requests, {args.connections} connections: "
        f"errors {errors}, p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms, "
        f"{result['throughput']:.0f} requests/s"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="200 requests")
    parser.add_argument("--trivial-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.trivial_server is not None:
        trivial_server(args.trivial_server)
        return
    if args.quick:
        args.requests = 200
    sys.path.insert(0, str(ROOT / "tests"))
    import cds_requests

    signer = Signer()
    body = json.dumps(cds_requests.scenario_request()).encode()
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as folder:
        keys = Path(folder) / "keys.json"
        keys.write_text(json.dumps(signer.key_set), encoding="utf-8")
        config = Path(folder) / "config.toml"
        config.write_text(
            CONFIG.format(system=cds_requests.PHOTOTHERAPY_SYSTEM, code=cds_requests.UVB_CODE),
            encoding="utf-8",
        )
        port = _free_port()
        serve = ["serve", "--port", str(port), "--base-url", f"http://127.0.0.1:{port}"]
        serve += ["--trust", f"{ISSUER}={keys}", "--config", str(config), "--log-level", "warning"]
        ours = subprocess.Popen([*_command_line(), *serve])
        service = _measure("service", ours, port, body, signer.headers, args)
        port = _free_port()
        trivial = subprocess.Popen(
            [sys.executable, __file__, "--trivial-server", str(port)],
        )
        plain = {"Content-Type": "application/json"}
        baseline = _measure("trivial", trivial, port, body, lambda url: plain, args)
    ratio = service["p50_ms"] / baseline["p50_ms"]
    verdict = "meets" if ratio <= TARGET else "misses"
    print(f"p50 ratio service / trivial: {ratio:.2f} ({verdict} the target <= {TARGET:g})")
    if service["errors"] or baseline["errors"]:
        raise SystemExit("errors: the service must answer every request")


if __name__ == "__main__":
    main()
