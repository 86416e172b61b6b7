"""A real server on real connections, for the tests the savepoint-per-test session cannot host.

Concurrency and faults need committed data, a real connection pool and requests that truly run
at once, so these tests build their own throwaway database and run the app under uvicorn in a
thread, talking to it over HTTP with one client (one TCP connection) per caller.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine

from app.api.deps import get_clock
from app.clock import FixedClock
from app.db.engine import make_engine, make_session_factory
from app.db.migrations_state import upgrade_to_head
from app.db.unit_of_work import SqlUnitOfWork
from app.main import create_app
from app.settings import Settings
from tests.builders import ReferenceData, Staff, bearer, given_reference_data, given_staff
from tests.conftest import AUDIT_KEYS, POSTGRES_URL, TEST_NOW, ThrowawayPostgres

T = TypeVar("T")
WAIT_SECONDS = 60.0
"""How long to wait for anything (a server to start, a request to finish): generous, never asserted."""


@dataclass
class World:
    """A committed database with the council's reference data and staff, as the other tests have."""

    url: str
    engine: Engine
    reference: ReferenceData
    staff: Staff

    def new_uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(make_session_factory(self.engine), audit_keys=AUDIT_KEYS)


def given_world(url: str, **engine_options: Any) -> World:
    """Migrate the database at `url` and commit the reference data and staff into it."""
    upgrade_to_head(url)
    engine = make_engine(url, **engine_options)
    factory = make_session_factory(engine)
    reference = given_reference_data(lambda: SqlUnitOfWork(factory))
    staff = given_staff(lambda: SqlUnitOfWork(factory), reference)
    return World(url=url, engine=engine, reference=reference, staff=staff)


@contextlib.contextmanager
def committed_postgres() -> Iterator[World]:
    """A throwaway database on the shared test cluster, data committed for real."""
    with ThrowawayPostgres(POSTGRES_URL) as url:
        world = given_world(url)
        try:
            yield world
        finally:
            world.engine.dispose()


class LiveServer:
    """The app under uvicorn in a background thread on a free port of 127.0.0.1."""

    def __init__(self, engine: Engine, clock: FixedClock | None = None) -> None:
        self.clock = clock or FixedClock(TEST_NOW)
        self.app = create_app(
            Settings(env="test", database_url=engine.url.render_as_string(False)), engine=engine
        )
        self.app.dependency_overrides[get_clock] = lambda: self.clock
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(
            uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False)
        )
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self._thread.start()
        wait_until(lambda: self._server.started, "the server to start")
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(WAIT_SECONDS)
        self._socket.close()

    def client(self, practitioner_id: uuid.UUID) -> httpx.Client:
        """A caller of its own: its own HTTP connection, signed in as the practitioner."""
        return httpx.Client(
            base_url=self.url,
            headers={"Authorization": bearer(practitioner_id)},
            timeout=WAIT_SECONDS,
        )


def wait_until(condition: Callable[[], bool], what: str, timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(0.05)


def at_once(*calls: Callable[[], T]) -> list[T]:
    """Run the calls in threads released together by a barrier; results in the calls' order."""
    barrier = threading.Barrier(len(calls))

    def released(call: Callable[[], T]) -> T:
        barrier.wait(WAIT_SECONDS)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(released, call) for call in calls]
        return [f.result(timeout=WAIT_SECONDS * 2) for f in futures]


class Rendezvous:
    """Holds each of `parties` threads at a point in the code until all have reached it.

    Used to force the interleaving a race needs (every request has read the record before any
    writes it) instead of hoping for it. A waiter gives up after `timeout` so a test never hangs;
    `met` then stays false, and so it does if the point was never reached at all, so a test that
    asserts `met` fails whenever the race it claims to force did not happen.
    """

    def __init__(self, parties: int, timeout: float = 30.0) -> None:
        self._barrier = threading.Barrier(parties)
        self._timeout = timeout
        self._parties = parties
        self._arrived = 0
        self._broken = False
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            self._arrived += 1
        try:
            self._barrier.wait(self._timeout)
        except threading.BrokenBarrierError:
            self._broken = True

    @property
    def met(self) -> bool:
        """Every party reached the point, together."""
        return self._arrived == self._parties and not self._broken


class HeldMethod:
    """A method patched to wait at a `Rendezvous` of `parties` requests before it runs.

    Each race in a test starts with `next_round()`, which sets up a fresh rendezvous and returns it,
    so the test can assert afterwards that the race it meant to force really happened (`met`).
    """

    def __init__(
        self, monkeypatch: pytest.MonkeyPatch, owner: type, name: str, *, parties: int
    ) -> None:
        self._parties = parties
        self.rendezvous = Rendezvous(parties)
        original = getattr(owner, name)

        def wait_then_run(instance: object, *args: Any, **kwargs: Any) -> Any:
            self.rendezvous.wait()
            return original(instance, *args, **kwargs)

        monkeypatch.setattr(owner, name, wait_then_run)

    def next_round(self) -> Rendezvous:
        self.rendezvous = Rendezvous(self._parties)
        return self.rendezvous


class PrivatePostgres:
    """A PostgreSQL cluster of this test's own, on a free port, that the test may stop and start.

    The suite's shared cluster on 127.0.0.1:5432 serves the other tests (and the other xdist
    worker), so it is never touched: this one is made with `initdb` in a temporary directory and
    run with `pg_ctl`. As root (CI) the server runs as the `postgres` user, since PostgreSQL
    refuses to run as root.
    """

    def __init__(self) -> None:
        self.bin_dir = _postgres_bin_dir()
        self.run_as = _postgres_user() if os.geteuid() == 0 else None
        self.dir = Path(tempfile.mkdtemp(prefix="familyhub-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        if self.run_as is not None:
            os.chown(self.dir, self.run_as, -1)
        self.dir.chmod(0o700)

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.run_as is not None:
            command = ["runuser", "-u", pwd.getpwuid(self.run_as).pw_name, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")

    def __enter__(self) -> PrivatePostgres:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--no-sync", "--no-instructions",
        )  # fmt: skip
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        with contextlib.suppress(Exception):
            self.stop(mode="immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-o", options,
                  "-w", "-t", "120", "start")  # fmt: skip

    def stop(self, *, mode: str = "immediate") -> None:
        """`immediate` is a crash: backends are killed, the next start runs crash recovery."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "120", "stop")


def postgres_binaries_available() -> bool:
    try:
        _postgres_bin_dir()
        if os.geteuid() == 0:
            _postgres_user()
    except LookupError:
        return False
    return shutil.which("runuser") is not None or os.geteuid() != 0


def _postgres_bin_dir() -> Path:
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise LookupError("initdb not found")


def _postgres_user() -> int:
    try:
        return pwd.getpwnam("postgres").pw_uid
    except KeyError:
        raise LookupError("no postgres user to run the server as") from None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
