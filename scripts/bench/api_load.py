"""Load from a second process on loopback: `wrk` when installed, else a small asyncio HTTP/1.1 client.

Each request picks one of the given paths at random; connections are kept alive, as a client
library would. Latency percentiles are per request.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import random
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

WRK_SCRIPT = """
local paths = {%s}
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT {\\"requests\\": %%d, \\"us\\": %%d, \\"p50\\": %%d, \\"p99\\": %%d, \\"errors\\": %%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""


@dataclass
class LoadResult:
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p99_ms: float


def run_load(base: str, paths: list[str], seconds: float, connections: int) -> LoadResult:
    if shutil.which("wrk"):
        return _wrk(base, paths, seconds, connections)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_python_load, (base, paths, seconds, connections))


def _wrk(base: str, paths: list[str], seconds: float, connections: int) -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
    try:
        command = [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--latency",
            "-s",
            script.name,
            base,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    finally:
        Path(script.name).unlink()
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    r = json.loads(line[len("RESULT ") :])
    return LoadResult(
        r["requests"], r["errors"], r["requests"] / (r["us"] / 1e6), r["p50"] / 1000, r["p99"] / 1000
    )


def _python_load(base: str, paths: list[str], seconds: float, connections: int) -> LoadResult:
    return asyncio.run(_load(base, paths, seconds, connections))


async def _load(base: str, paths: list[str], seconds: float, connections: int) -> LoadResult:
    url = urlsplit(base)
    latencies: list[float] = []
    errors = [0]
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        rng = random.Random()
        while time.perf_counter() < deadline:
            path = paths[rng.randrange(len(paths))]
            start = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")
            )
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if not head.startswith(b"HTTP/1.1 200"):
                errors[0] += 1
        writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    elapsed = time.perf_counter() - began
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return LoadResult(len(latencies), errors[0], len(latencies) / elapsed, pick(0.5), pick(0.99))
