"""The README's walk-through runs: `scripts/walkthrough.sh`, exactly as a newcomer runs it, against
a real `familyhub serve` on a throwaway SQLite database with the demo data (what `make run` makes),
with today's dates and the ids it captures from the answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "walkthrough.sh"
FAMILYHUB = Path(sys.executable).parent / "familyhub"
WAIT_SECONDS = 120.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """`make run` on a database of its own: migrate, demo data, serve; the environment to reach it."""
    folder = tmp_path_factory.mktemp("walkthrough")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAMILYHUB_")}
    env |= {
        "FAMILYHUB_DATABASE_URL": f"sqlite:///{folder / 'familyhub.sqlite3'}",
        "FAMILYHUB_API": f"http://127.0.0.1:{port}",
        "FAMILYHUB_CLI": str(FAMILYHUB),
    }
    _run([str(FAMILYHUB), "migrate"], env)
    _run([str(FAMILYHUB), "demo-data"], env)
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        [str(FAMILYHUB), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            assert server.poll() is None, (folder / "server.log").read_text()
            try:
                with urllib.request.urlopen(f"{env['FAMILYHUB_API']}/health", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer /health"
                time.sleep(0.25)
        yield env
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_the_readme_walkthrough_takes_a_new_family_from_consent_to_a_review(
    demo_server: dict[str, str],
) -> None:
    done = subprocess.run(
        ["bash", str(SCRIPT)],
        env=demo_server,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert done.stderr == "", done.stderr
    lines = done.stdout.splitlines()
    steps = [line.split("  ")[0] for line in lines]
    assert steps == [
        "signed in as",
        "duplicate check",
        "registered family",
        "consent recorded",
        "episode opened",
        "assessment started",
        "assessment completed",
        "plan submitted",
        "QA approved",
        "TAF member added",
        "first TAF meeting",
        "review held",
        "done",
    ], done.stdout
    printed = dict(zip(steps, lines, strict=True))
    assert "stage active" in printed["first TAF meeting"]
    assert "2 meetings" in printed["review held"]
    assert "review due" in printed["review held"]
