"""A 20 MB document into and out of a live worker: how much the worker's memory grows.

Issue 19 §4: "a 20 MB upload keeps a worker's memory growth under 5 MB". This starts
`familyhub serve` of this checkout, with the interpreter running the bench (one worker: the
served process is the worker), signs in as the demo lead
professional, and for each round uploads a PDF-signed file of `--size-mb` megabytes to one of her
open episodes (multipart/form-data, streamed from a file on disk by httpx), then downloads it
streamed and checks its SHA-256. Around each transfer the worker's peak resident set (VmHWM) is
reset (`/proc/<pid>/clear_refs`, "5") and read back, so the growth is the true peak over the
resident set just before, not a sample that might miss it; RSS is read from /proc, no extra
dependency. The first round is reported apart: it also pays for first-use allocations
(the multipart parser, thread-pool stacks, the database driver's buffers).

    .venv/bin/python -m bench.documents                      # a fresh SQLite file with the demo data
    .venv/bin/python -m bench.documents --database-url postgresql+psycopg://postgres@127.0.0.1/db

A PostgreSQL database must already hold the demo data (`familyhub migrate && familyhub demo-data`
with the same FAMILYHUB_DATABASE_URL) unless `--seed` is given. Output: a table on stdout and
bench/out/documents.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
FAMILYHUB = [sys.executable, "-c", "from app.cli import main; main()"]
"""The CLI of this checkout (PYTHONPATH below), whichever interpreter runs the bench."""
OUT = ROOT / "bench" / "out"
LEAD = "lena.lead@familyhub.example"
MIB = 1024 * 1024


@dataclass(frozen=True)
class Round:
    number: int
    direction: str
    size_bytes: int
    seconds: float
    rss_before_kib: int
    peak_kib: int

    @property
    def growth_kib(self) -> int:
        return self.peak_kib - self.rss_before_kib


def _status(pid: int) -> dict[str, int]:
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def _reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def _measure(pid: int, number: int, direction: str, size: int, work: Any) -> Round:
    _reset_peak(pid)
    before = _status(pid)["VmRSS"]
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    return Round(number, direction, size, seconds, before, _status(pid)["VmHWM"])


def _pdf_file(size: int, folder: Path) -> Path:
    path = folder / "upload.pdf"
    block = bytes(range(256)) * 4096
    with path.open("wb") as f:
        f.write(b"%PDF-1.7\n")
        written = 9
        while written < size:
            piece = block[: size - written]
            f.write(piece)
            written += len(piece)
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(MIB):
            digest.update(chunk)
    return digest.hexdigest()


def _wait_for(client: httpx.Client, server: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            if client.get("/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not start")


def _open_episode(client: httpx.Client) -> str:
    me = client.get("/api/v1/me").json()
    page = client.get(
        "/api/v1/episodes", params={"lead_practitioner_id": me["id"], "limit": 50}
    ).json()
    episode: str = next(e["id"] for e in page["items"] if e["stage"] != "closed")
    return episode


def _chunks(response: httpx.Response, digest: Any) -> Iterator[int]:
    for chunk in response.iter_raw():
        digest.update(chunk)
        yield len(chunk)


def run(args: argparse.Namespace) -> list[Round]:
    folder = Path(tempfile.mkdtemp(prefix="familyhub-bench-documents-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    env = {
        **os.environ,
        "FAMILYHUB_DATABASE_URL": url,
        "FAMILYHUB_ENV": "dev",
        "FAMILYHUB_LOG_LEVEL": "warning",
        "FAMILYHUB_DOCUMENT_MAX_BYTES": str(max(20 * MIB, args.size_mb * MIB)),
        "PYTHONPATH": str(ROOT),
    }
    if args.database_url is None or args.seed:
        subprocess.run([*FAMILYHUB, "migrate"], env=env, check=True, capture_output=True)
        subprocess.run([*FAMILYHUB, "demo-data"], env=env, check=True, capture_output=True)
    token = subprocess.run(
        [*FAMILYHUB, "token", "--user", LEAD], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    size = args.size_mb * MIB
    source = _pdf_file(size, folder)
    expected = _sha256(source)

    server = subprocess.Popen([*FAMILYHUB, "serve", "--port", str(args.port)], env=env, cwd=folder)
    rounds: list[Round] = []
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{args.port}",
            headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"},
            timeout=300,
        ) as client:
            _wait_for(client, server)
            episode = _open_episode(client)
            for number in range(1, args.rounds + 1):
                created: dict[str, Any] = {}

                def upload(n: int = number, into: dict[str, Any] = created) -> None:
                    with source.open("rb") as f:
                        answer = client.post(
                            f"/api/v1/episodes/{episode}/documents",
                            data={"title": f"Bench scan {n}"},
                            files={"file": ("scan.pdf", f, "application/pdf")},
                        )
                    if answer.status_code != 201:
                        raise SystemExit(f"upload: {answer.status_code} {answer.text}")
                    into.update(answer.json())

                rounds.append(_measure(server.pid, number, "upload", size, upload))
                if created["sha256"] != expected:
                    raise SystemExit("the stored hash differs from the file's")

                def download(into: dict[str, Any] = created) -> None:
                    digest = hashlib.sha256()
                    with client.stream("GET", into["content_url"]) as answer:
                        if answer.status_code != 200:
                            raise SystemExit(f"download: {answer.status_code}")
                        received = sum(_chunks(answer, digest))
                    if received != size or digest.hexdigest() != expected:
                        raise SystemExit("the downloaded bytes differ from the uploaded ones")

                rounds.append(_measure(server.pid, number, "download", size, download))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rounds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="Default: a fresh SQLite file.")
    parser.add_argument("--seed", action="store_true", help="Migrate and load the demo data.")
    parser.add_argument("--size-mb", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--port", type=int, default=18767)
    args = parser.parse_args(argv)
    rounds = run(args)
    print("| round | direction | MiB | seconds | RSS before (MiB) | peak (MiB) | growth (MiB) |")
    print("|---|---|---|---|---|---|---|")
    for r in rounds:
        print(
            f"| {r.number} | {r.direction} | {r.size_bytes / MIB:.0f} | {r.seconds:.2f} "
            f"| {r.rss_before_kib / 1024:.1f} | {r.peak_kib / 1024:.1f} "
            f"| {r.growth_kib / 1024:.2f} |"
        )
    OUT.mkdir(exist_ok=True)
    (OUT / "documents.json").write_text(
        json.dumps(
            {
                "database": "sqlite" if args.database_url is None else "given",
                "rounds": [{**asdict(r), "growth_kib": r.growth_kib} for r in rounds],
            },
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
