"""The same GET scenarios sent by wrk: the service's own latency and throughput.

httpx on asyncio is a Python program on the same two cores as the server and PostgreSQL: at one
client it adds about 3-5 ms to each request, and under load it takes CPU the service would
otherwise have (bench/RESULTS.md). wrk, a standard HTTP benchmarking tool written in C, sends a
prepared list of requests from one thread for a fixed time and reports latency percentiles. The
list is built by the same `Scenarios` as the httpx runs, each request with its user's token, and
is sent in order (wrapping around if the run outlasts it), so both drivers ask the same questions.

Install it with `apt-get install wrk`; without it, `load.py` skips these runs and says so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

LUA = r"""
-- Requests prepared by bench/wrk.py: one per line, method TAB path TAB headers TAB body, the
-- headers as "Name: value" pairs separated by \31.
local prepared = {}
local next_index = 0

function init(args)
  for line in io.lines(args[1]) do
    local method, path, header_text, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {}
    for pair in header_text:gmatch("[^\31]+") do
      local name, value = pair:match("^([^:]+): (.*)$")
      headers[name] = value
    end
    if body == "" then body = nil end
    prepared[#prepared + 1] = wrk.format(method, path, headers, body)
  end
end

function request()
  next_index = next_index % #prepared + 1
  return prepared[next_index]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "status_errors": %d, "connect_errors": %d, ' ..
    '"read_errors": %d, "write_errors": %d, "timeouts": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    latency.mean))
end
"""

Request = tuple[str, str, str, dict[str, str], dict[str, Any] | None]
"""(method, path, user, extra headers, json body): what `load.Scenarios` builds."""


def available() -> bool:
    return shutil.which("wrk") is not None


def _line(request: Request, tokens: dict[str, str]) -> str:
    method, path, user, extra, body = request
    headers = {"Authorization": f"Bearer {tokens[user]}", "Accept": "application/json", **extra}
    if body is not None:
        headers["Content-Type"] = "application/json"
    header_text = "\x1f".join(f"{name}: {value}" for name, value in headers.items())
    payload = json.dumps(body, separators=(",", ":")) if body is not None else ""
    return f"{method}\t{path}\t{header_text}\t{payload}"


def run(
    base_url: str,
    tokens: dict[str, str],
    name: str,
    make: Callable[[], Request],
    *,
    connections: int,
    seconds: float,
    prepared: int = 20_000,
) -> dict[str, Any]:
    """One scenario for `seconds` with `connections` open, as a row shaped like `Stats.as_dict`."""
    with tempfile.TemporaryDirectory(prefix="familyhub-wrk-") as folder:
        script = Path(folder) / "requests.lua"
        script.write_text(LUA)
        requests = Path(folder) / "requests.tsv"
        requests.write_text("\n".join(_line(make(), tokens) for _ in range(prepared)) + "\n")
        completed = subprocess.run(
            [
                "wrk",
                "--threads",
                "1",
                "--connections",
                str(connections),
                "--duration",
                f"{max(1, round(seconds))}s",
                "--timeout",
                "120s",
                "--script",
                str(script),
                base_url,
                "--",
                str(requests),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    found = [ln for ln in completed.stdout.splitlines() if ln.startswith("WRK_JSON ")]
    if not found:
        raise RuntimeError(f"wrk printed no summary: {completed.stdout}\n{completed.stderr}")
    out = json.loads(found[-1].removeprefix("WRK_JSON "))
    elapsed = out["duration_us"] / 1e6
    errors = sum(
        out[k]
        for k in ("status_errors", "connect_errors", "read_errors", "write_errors", "timeouts")
    )
    return {
        "scenario": name,
        "driver": "wrk",
        "count": out["requests"],
        "errors": errors,
        "statuses": {k: out[k] for k in out if k.endswith("errors") or k == "timeouts"},
        "concurrency": connections,
        "seconds": round(elapsed, 2),
        "throughput_rps": round(out["requests"] / elapsed, 1) if elapsed else None,
        "p50_ms": round(out["p50_us"] / 1000, 1),
        "p95_ms": round(out["p95_us"] / 1000, 1),
        "p99_ms": round(out["p99_us"] / 1000, 1),
        "max_ms": round(out["max_us"] / 1000, 1),
        "mean_ms": round(out["mean_us"] / 1000, 1),
    }
