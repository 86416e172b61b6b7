"""Two service instances, separate processes, one PostgreSQL: one intact audit chain.

Each instance is a real `uvicorn` process with its own connection pool and its own sealing: one
seals each request's entries in the request (FAMILYHUB_AUDIT_SEAL_DELAY_MS=0), the other in its
background sealing thread (FAMILYHUB_AUDIT_SEAL_DELAY_MS=5), so both of the ways a deployment
seals race for the chain's head at once. Callers write through both instances in turn, many at a
time; afterwards `familyhub audit-verify` must find one chain holding every entry exactly once,
and each caller's writes must stand in the chain in the order the caller made them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from tests.builders import bearer, make_family_body
from tests.reliability.live import WAIT_SECONDS, World, committed_postgres, wait_until

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("reliability-two-instances")]

API = "/api/v1"
ROOT = Path(__file__).resolve().parents[2]
AUDIT_KEY = "two-instances-share-this-audit-key-of-48-bytes-!!"
"""Both instances seal with the same key (as every worker of a deployment must); not the demo key."""
CALLERS = 6
WRITES_EACH = 12
SERVE = [sys.executable, "-m", "uvicorn", "app.main:create_served_app", "--factory"]
SERVE += ["--host", "127.0.0.1", "--log-level", "warning", "--no-access-log"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _environment(world: World, seal_delay_ms: int) -> dict[str, str]:
    return {
        **os.environ,
        "FAMILYHUB_ENV": "test",
        "FAMILYHUB_DATABASE_URL": world.url,
        "FAMILYHUB_AUDIT_KEY": AUDIT_KEY,
        "FAMILYHUB_AUDIT_KEY_ID": "shared",
        "FAMILYHUB_AUDIT_SEAL_DELAY_MS": str(seal_delay_ms),
    }


@dataclass
class Instance:
    """`uvicorn app.main:create_served_app` in a process of its own, as `familyhub serve` runs."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def client(self, practitioner_id: uuid.UUID) -> httpx.Client:
        return httpx.Client(
            base_url=self.url,
            headers={"Authorization": bearer(practitioner_id)},
            timeout=WAIT_SECONDS,
        )

    def answers(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the instance exited:\n{self.log.read_text()}")
        try:
            return httpx.get(f"{self.url}/ready", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def stop(self) -> None:
        """SIGTERM: uvicorn shuts down gracefully and the sealing thread seals what waits."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(WAIT_SECONDS)


def start_instance(world: World, seal_delay_ms: int, log: Path) -> Instance:
    port = _free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*SERVE, "--port", str(port)],
            cwd=ROOT,
            env=_environment(world, seal_delay_ms),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Instance(process, f"http://127.0.0.1:{port}", log)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with committed_postgres() as world:
        yield world


@pytest.fixture
def instances(world: World, tmp_path: Path) -> Iterator[list[Instance]]:
    started = [
        start_instance(world, seal_delay_ms=0, log=tmp_path / "inline-sealing.log"),
        start_instance(world, seal_delay_ms=5, log=tmp_path / "background-sealing.log"),
    ]
    try:
        for instance in started:
            wait_until(instance.answers, "the instance to be ready")
        yield started
    finally:
        for instance in started:
            instance.stop()


def register_families(
    instances: list[Instance], world: World, caller: int
) -> list[tuple[str, int]]:
    """One caller's writes, one after the other, alternating between the instances: each
    write's request id and the instance that served it."""
    clients = [i.client(world.staff.lead) for i in instances]
    made = []
    try:
        for n in range(WRITES_EACH):
            through = (caller + n) % len(clients)
            request_id = f"caller{caller}-write{n:02d}"
            answer = clients[through].post(
                f"{API}/families",
                json=make_family_body(world.reference.hubs["NORTH"]),
                headers={"X-Request-ID": request_id},
            )
            assert answer.status_code == 201, answer.text
            made.append((request_id, through))
    finally:
        for client in clients:
            client.close()
    return made


def audit_verify(world: World) -> subprocess.CompletedProcess[str]:
    """`familyhub audit-verify` as an operator runs it, with the instances' key."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "familyhub"), "audit-verify"],
        cwd=ROOT,
        env=_environment(world, 0),
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
        check=False,
    )


def chain_positions(world: World) -> dict[str, list[int]]:
    """Every request id's entries, by their places in the chain (None where not sealed)."""
    with world.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT e.request_id, s.sequence FROM audit_entries e"
                " LEFT JOIN audit_seals s ON s.entry_id = e.id"
                " WHERE e.request_id LIKE 'caller%'"
            )
        ).all()
    positions: dict[str, list[int]] = {}
    for request_id, sequence in rows:
        assert sequence is not None, f"the entry of {request_id} was never sealed"
        positions.setdefault(request_id, []).append(sequence)
    return positions


def test_writes_through_two_instances_at_once_stand_in_one_intact_chain_in_order(
    world: World, instances: list[Instance]
) -> None:
    with ThreadPoolExecutor(CALLERS) as pool:
        futures = [
            pool.submit(register_families, instances, world, caller) for caller in range(CALLERS)
        ]
        callers = [f.result(timeout=WAIT_SECONDS * 4) for f in futures]
    served = [through for writes in callers for _, through in writes]
    assert served.count(0) == served.count(1) == CALLERS * WRITES_EACH // 2
    for instance in instances:
        instance.stop()  # the background sealer seals what waits as its process ends

    verified = audit_verify(world)
    assert verified.returncode == 0, verified.stderr
    with world.engine.connect() as connection:
        stored = connection.scalar(text("SELECT count(*) FROM audit_entries"))
        sealed = connection.execute(
            text("SELECT count(*), count(DISTINCT entry_id), max(sequence) FROM audit_seals")
        ).one()
    # One chain, no fork: every stored entry sealed once, at positions 1..n without a gap.
    assert tuple(sealed) == (stored, stored, stored)
    assert f"audit chain intact: {stored} entries verified, up to {stored}" in verified.stdout
    assert "not sealed" not in verified.stdout

    positions = chain_positions(world)
    for writes in callers:
        chain = [positions[request_id] for request_id, _ in writes]
        assert all(chain), "every write has its audit entries in the chain"
        # A caller's next write began after the previous one had committed: it stands later.
        for earlier, later in pairwise(chain):
            assert max(earlier) < min(later)
