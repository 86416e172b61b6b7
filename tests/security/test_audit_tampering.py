"""Attacks on the audit trail by someone with write access to the database, each of which the old
unkeyed chain let through unseen: cutting off the newest entries, rewriting an entry and every
link after it, forging a checkpoint, changing rows in place; and two sealers racing.

The commands are run as an operator would (`familyhub audit-verify`, `audit-checkpoint`), on the
test's database; where an attack needs more than the application's role may do, it first gets
past the triggers as a database superuser would (tests/tampering.py).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

import app.db.audit_sealer as sealer_module
from app import audit_cli
from app.cli import cli
from app.clock import FixedClock
from app.db.audit_sealer import SqlAuditSealer
from app.db.engine import make_engine, make_session_factory
from app.db.unit_of_work import SqlUnitOfWork
from app.domain.audit import (
    AuditKeys,
    ChainHead,
    checkpoint_document,
    issue_checkpoint,
    seal_entries,
)
from app.services.audit import verify_audit_chain
from app.services.ports import AuditRecord
from tests.conftest import AUDIT_KEYS, TEST_NOW
from tests.reliability.live import World, committed_postgres, wait_until
from tests.tampering import cut_off_after, entry_id_at, past_the_audit_triggers

NewUow = Callable[[], SqlUnitOfWork]
FAMILY = uuid.UUID("6f1c2a4e-0000-4000-8000-00000000f00d")
ACTOR = uuid.UUID("6f1c2a4e-0000-4000-8000-0000000000ac")
GUESSED = AuditKeys.of(AUDIT_KEYS.current_id, b"familyhub-audit-key-a-guess-at-it")


def a_read(request_id: str) -> AuditRecord:
    return AuditRecord(
        actor_id=ACTOR,
        actor_roles=("lead_professional",),
        action="read_family",
        resource_type="family",
        resource_id=str(FAMILY),
        family_id=FAMILY,
        request_id=request_id,
        outcome="allowed",
        break_glass_reason="covering for a colleague on leave",
    )


def given_reads(new_uow: NewUow, clock: FixedClock, n: int, prefix: str = "req") -> None:
    for i in range(n):
        with new_uow() as uow:
            uow.audit.append([a_read(f"{prefix}-{i}")], at=clock.now())
            uow.commit()  # sealed right after: this unit of work has no sealing thread


@dataclass
class Operator:
    """Runs the `familyhub` audit commands against the test's database."""

    tmp_path: Path

    def run(self, *args: str) -> Any:
        return CliRunner().invoke(cli, list(args))

    def checkpoint(self) -> Path:
        result = self.run("audit-checkpoint")
        assert result.exit_code == 0, result.stderr
        path = self.tmp_path / f"checkpoint-{uuid.uuid4().hex[:6]}.json"
        path.write_text(result.stdout)
        return path


@pytest.fixture
def operator(
    monkeypatch: pytest.MonkeyPatch, new_uow: NewUow, clock: FixedClock, tmp_path: Path
) -> Operator:
    monkeypatch.setattr(audit_cli, "audit_uow", new_uow)
    monkeypatch.setattr(audit_cli, "audit_clock", lambda: clock)
    return Operator(tmp_path)


def says_nothing_personal(*outputs: str) -> None:
    for output in outputs:
        for personal in (str(FAMILY), str(ACTOR), "req-", "covering", "read_family"):
            assert personal not in output


# --- cutting off the newest entries --------------------------------------------------------------


def test_cutting_off_the_newest_entries_and_moving_the_head_back_is_caught_by_a_checkpoint(
    operator: Operator, new_uow: NewUow, clock: FixedClock, connection: Connection
) -> None:
    given_reads(new_uow, clock, 4)
    checkpoint = operator.checkpoint()
    assert json.loads(checkpoint.read_text())["sequence"] == 4
    given_reads(new_uow, clock, 2, prefix="later")

    cut_off_after(connection, 2)

    # The database alone no longer knows: what is left is a whole, intact chain.
    alone = operator.run("audit-verify")
    assert alone.exit_code == 0, alone.stderr
    assert "2 entries verified, up to 2" in alone.stdout
    # The checkpoint kept elsewhere does.
    against = operator.run("audit-verify", "--checkpoint", str(checkpoint))
    assert against.exit_code == 1
    assert "BROKEN at 3" in against.stderr
    assert "cut off" in against.stderr
    says_nothing_personal(alone.stdout, against.stdout, against.stderr, checkpoint.read_text())


def test_a_checkpoint_still_holds_while_the_trail_grows(
    operator: Operator, new_uow: NewUow, clock: FixedClock
) -> None:
    given_reads(new_uow, clock, 3)
    checkpoint = operator.checkpoint()
    given_reads(new_uow, clock, 3, prefix="later")
    result = operator.run("audit-verify", "--checkpoint", str(checkpoint))
    assert result.exit_code == 0, result.stderr
    assert "6 entries verified, up to 6; holds the checkpoint's position 3" in result.stdout
    says_nothing_personal(result.stdout, result.stderr)


# --- rewriting an entry and every link after it --------------------------------------------------


def test_rewriting_an_entry_and_recomputing_every_mac_with_a_guessed_key_is_detected(
    operator: Operator, new_uow: NewUow, clock: FixedClock, connection: Connection
) -> None:
    given_reads(new_uow, clock, 4)
    target = entry_id_at(connection, 2)
    with past_the_audit_triggers(connection):
        connection.execute(
            text("UPDATE audit_entries SET outcome = 'denied' WHERE id = :id"), {"id": target}
        )
        # Re-chain from position 1 on, as the old unkeyed hashes let anyone do.
        with new_uow() as uow:
            after = [s.entry for s in uow.audit.sealed_entries() if s.seal.sequence >= 2]
        first = connection.execute(text("SELECT mac FROM audit_seals WHERE sequence = 1")).one()
        seals, head = seal_entries(
            ChainHead(1, first.mac), [e for e in after if e is not None], GUESSED
        )
        for seal in seals:
            connection.execute(
                text("UPDATE audit_seals SET mac = :m, key_id = :k WHERE sequence = :s"),
                {"m": seal.mac, "k": seal.key_id, "s": seal.sequence},
            )
    connection.execute(
        text("UPDATE audit_head SET sequence = :s, mac = :m WHERE id = 1"),
        {"s": head.sequence, "m": head.mac},
    )

    result = operator.run("audit-verify")
    assert result.exit_code == 1
    assert "BROKEN at 2: the MAC does not match" in result.stderr
    says_nothing_personal(result.stdout, result.stderr)


def test_an_entry_changed_in_place_is_detected_where_it_happened(
    operator: Operator, new_uow: NewUow, clock: FixedClock, connection: Connection
) -> None:
    given_reads(new_uow, clock, 3)
    with past_the_audit_triggers(connection):
        connection.execute(
            text("UPDATE audit_entries SET break_glass_reason = NULL WHERE id = :id"),
            {"id": entry_id_at(connection, 3)},
        )
    result = operator.run("audit-verify")
    assert result.exit_code == 1
    assert "BROKEN at 3" in result.stderr


# --- forged checkpoints ---------------------------------------------------------------------------


def test_a_forged_checkpoint_is_refused(
    operator: Operator, new_uow: NewUow, clock: FixedClock, connection: Connection
) -> None:
    """Someone who cut the trail back writes a checkpoint to match it: without the key its
    signature cannot hold."""
    given_reads(new_uow, clock, 3)
    cut_off_after(connection, 1)
    with new_uow() as uow:
        head = uow.audit.head()
    forged = issue_checkpoint(head, entry_count=1, issued_at=clock.now(), keys=GUESSED)
    path = operator.tmp_path / "forged.json"
    path.write_text(json.dumps(checkpoint_document(forged)))

    result = operator.run("audit-verify", "--checkpoint", str(path))
    assert result.exit_code == 2
    assert "checkpoint REFUSED" in result.stderr
    assert "forged or edited" in result.stderr


def test_an_edited_checkpoint_is_refused(
    operator: Operator, new_uow: NewUow, clock: FixedClock
) -> None:
    given_reads(new_uow, clock, 3)
    path = operator.checkpoint()
    document = json.loads(path.read_text())
    path.write_text(json.dumps({**document, "sequence": 1}))
    result = operator.run("audit-verify", "--checkpoint", str(path))
    assert result.exit_code == 2
    assert "forged or edited" in result.stderr


@pytest.mark.parametrize(
    ("content", "why"),
    [("not json", "not a JSON document"), ('{"sequence": 3}', "familyhub-audit-checkpoint")],
)
def test_an_unreadable_checkpoint_is_refused(operator: Operator, content: str, why: str) -> None:
    path = operator.tmp_path / "checkpoint.json"
    path.write_text(content)
    result = operator.run("audit-verify", "--checkpoint", str(path))
    assert result.exit_code == 2
    assert why in result.stderr


def test_a_checkpoint_is_not_issued_for_a_broken_chain(
    operator: Operator, new_uow: NewUow, clock: FixedClock, connection: Connection
) -> None:
    given_reads(new_uow, clock, 2)
    with past_the_audit_triggers(connection):
        connection.execute(
            text("UPDATE audit_entries SET action = 'x' WHERE id = :id"),
            {"id": entry_id_at(connection, 1)},
        )
    result = operator.run("audit-checkpoint")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no checkpoint issued" in result.stderr


# --- changing rows in place -----------------------------------------------------------------------


@pytest.mark.parametrize("table", ["audit_entries", "audit_seals"])
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET {column} = {column}",
        "DELETE FROM {table}",
    ],
)
def test_the_database_refuses_to_update_or_delete_audit_rows(
    new_uow: NewUow, clock: FixedClock, connection: Connection, table: str, statement: str
) -> None:
    given_reads(new_uow, clock, 2)
    column = {"audit_entries": "action", "audit_seals": "mac"}[table]
    with pytest.raises(DBAPIError, match="insert-only"), connection.begin_nested():
        connection.execute(text(statement.format(table=table, column=column)))
    assert connection.scalar(text(f"SELECT count(*) FROM {table}")) == 2


@pytest.mark.postgres_only
@pytest.mark.parametrize("table", ["audit_entries", "audit_seals"])
def test_postgresql_refuses_to_truncate_audit_rows(
    new_uow: NewUow, clock: FixedClock, connection: Connection, table: str
) -> None:
    given_reads(new_uow, clock, 2)
    with pytest.raises(DBAPIError, match="insert-only"), connection.begin_nested():
        connection.execute(text(f"TRUNCATE {table} CASCADE"))
    assert connection.scalar(text(f"SELECT count(*) FROM {table}")) == 2


# --- entries waiting for their seal ---------------------------------------------------------------


class _SealingStopped:
    """A worker whose sealing thread has stopped: commits are not followed by a seal."""

    def entries_committed(self) -> None:
        return None


def test_entries_appended_apart_from_sealing_are_reported_until_sealed(
    operator: Operator, new_uow: NewUow, clock: FixedClock, session_factory: Any
) -> None:
    given_reads(new_uow, clock, 2)
    with SqlUnitOfWork(session_factory, audit_keys=AUDIT_KEYS, sealing=_SealingStopped()) as uow:
        uow.audit.append([a_read("waiting-1"), a_read("waiting-2")], at=clock.now())
        uow.commit()
        waiting = [e.id for e in uow.audit.entries() if (e.request_id or "").startswith("waiting")]

    recent = operator.run("audit-verify")
    assert recent.exit_code == 0, recent.stderr
    assert f"2 not sealed yet (oldest id {waiting[0]})" in recent.stdout
    clock.instant = TEST_NOW.replace(hour=11)
    stuck = operator.run("audit-verify")
    assert stuck.exit_code == 1
    assert f"NOT SEALED: entry {waiting[0]} has waited 3600 s" in stuck.stderr

    sweep = operator.run("audit-seal")
    assert (sweep.exit_code, sweep.stdout) == (0, "sealed 2 entries\n")
    sealed = operator.run("audit-verify")
    assert sealed.exit_code == 0, sealed.stderr
    assert "4 entries verified, up to 4" in sealed.stdout
    assert "not sealed" not in sealed.stdout


# --- two sealers at once (PostgreSQL, real commits) -----------------------------------------------


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with committed_postgres() as world:
        yield world


def appended(factory: Any, request_ids: list[str]) -> None:
    """Entries committed and not sealed yet, as a request commits them before its worker's
    sealing thread runs."""
    with SqlUnitOfWork(factory, audit_keys=AUDIT_KEYS, sealing=_SealingStopped()) as uow:
        uow.audit.append([a_read(r) for r in request_ids], at=TEST_NOW)
        uow.commit()


def chain_of(world: World) -> tuple[list[int], list[int], int]:
    """Sealed positions, the entry ids they seal, and how many entries are stored."""
    with world.new_uow() as uow:
        sealed = [s.seal for s in uow.audit.sealed_entries()]
        return [s.sequence for s in sealed], [s.entry_id for s in sealed], uow.audit.count()


def waiting_on_a_lock(world: World) -> bool:
    with world.engine.connect() as connection:
        waiting = connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
    return bool(waiting)


@pytest.mark.postgres_only
@pytest.mark.xdist_group("security-audit-sealers")
def test_two_sealers_take_turns_on_the_head_and_never_seal_an_entry_twice(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    engines = [make_engine(world.url), make_engine(world.url)]
    factories = [make_session_factory(e) for e in engines]
    appended(factories[0], [f"race-{n}" for n in range(30)])
    first_inside = threading.Event()
    release = threading.Event()
    real = seal_entries
    calls: list[str] = []

    def held_while_the_other_waits(*args: Any) -> Any:
        calls.append(threading.current_thread().name)
        if not first_inside.is_set():
            first_inside.set()
            release.wait(60)
        return real(*args)

    monkeypatch.setattr(sealer_module, "seal_entries", held_while_the_other_waits)

    def seal(index: int) -> int:
        threading.current_thread().name = f"sealer-{index}"
        return SqlAuditSealer(factories[index], AUDIT_KEYS).seal_pending()

    try:
        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(seal, 0)
            first_inside.wait(60)
            second = pool.submit(seal, 1)
            # The second sealer waits on the head's lock while the first holds it.
            wait_until(lambda: waiting_on_a_lock(world), "the second sealer to wait on the head")
            release.set()
            counts = sorted([first.result(60), second.result(60)])
    finally:
        for engine in engines:
            engine.dispose()

    assert counts == [0, 30]
    assert calls == ["sealer-0"]  # the second found nothing left to seal
    sequences, entry_ids, stored = chain_of(world)
    assert sequences == list(range(1, len(sequences) + 1))
    assert len(set(entry_ids)) == len(entry_ids) == stored
    assert verify_audit_chain(world.new_uow()).ok


@pytest.mark.postgres_only
@pytest.mark.xdist_group("security-audit-sealers")
def test_sealers_in_two_processes_writing_and_sealing_at_once_leave_one_intact_chain(
    world: World,
) -> None:
    """Each worker, on an engine of its own, commits entries and seals, over and over."""
    rounds = 15
    barrier = threading.Barrier(2)

    def worker(index: int) -> int:
        engine = make_engine(world.url)
        factory = make_session_factory(engine)
        sealer = SqlAuditSealer(factory, AUDIT_KEYS)
        sealed = 0
        try:
            barrier.wait(60)
            for n in range(rounds):
                appended(factory, [f"w{index}-{n}-{k}" for k in range(3)])
                sealed += sealer.seal_pending()
        finally:
            engine.dispose()
        return sealed

    before, _ids, _stored = chain_of(world)
    with ThreadPoolExecutor(2) as pool:
        sealed = sum(pool.map(worker, [0, 1]))

    assert sealed == 2 * rounds * 3
    sequences, entry_ids, stored = chain_of(world)
    assert len(sequences) == len(before) + sealed
    assert sequences == list(range(1, len(sequences) + 1))
    assert len(set(entry_ids)) == len(entry_ids) == stored
    assert verify_audit_chain(world.new_uow()).ok


@pytest.mark.postgres_only
@pytest.mark.xdist_group("security-audit-sealers")
def test_an_entry_committed_after_a_later_one_was_sealed_is_sealed_next(world: World) -> None:
    """Chain order is seal order: the lower id, committed late, takes the next position."""
    factory = make_session_factory(world.engine)
    sealer = SqlAuditSealer(factory, AUDIT_KEYS)
    sealer.seal_pending()
    slow = SqlUnitOfWork(factory, audit_keys=AUDIT_KEYS, sealing=_SealingStopped())
    with slow:
        slow.audit.append([a_read("slow")], at=TEST_NOW)
        appended(factory, ["quick"])
        assert sealer.seal_pending() == 1
        slow.commit()
    assert sealer.seal_pending() == 1

    with world.new_uow() as uow:
        ids = {e.request_id: e.id for e in uow.audit.entries() if e.request_id in {"slow", "quick"}}
        newest = [s.seal.entry_id for s in uow.audit.sealed_entries()][-2:]
    assert ids["slow"] < ids["quick"]
    assert newest == [ids["quick"], ids["slow"]]
    assert verify_audit_chain(world.new_uow()).ok


@pytest.mark.postgres_only
@pytest.mark.xdist_group("security-audit-sealers")
def test_an_entry_committed_too_late_for_routine_sealing_waits_for_the_whole_table_sweep(
    world: World,
) -> None:
    factory = make_session_factory(world.engine)
    sealer = SqlAuditSealer(factory, AUDIT_KEYS)
    sealer.seal_pending()
    slow = SqlUnitOfWork(factory, audit_keys=AUDIT_KEYS, sealing=_SealingStopped())
    with slow:
        slow.audit.append([a_read("very slow")], at=TEST_NOW)
        appended(factory, ["quick"])
        assert sealer.seal_pending() == 1
        slow.commit()
    # Looking back no ids at all below the newest sealed entry, routine sealing misses it ...
    assert sealer.seal_pending(lookback=0) == 0
    with world.new_uow() as uow:
        backlog = uow.audit.backlog()
        very_slow = next(e.id for e in uow.audit.entries() if e.request_id == "very slow")
    assert (backlog.count, backlog.oldest_id) == (1, very_slow)
    # ... and the sweep of the whole table (`familyhub audit-seal`) seals it.
    assert sealer.seal_pending(lookback=None) == 1
    with world.new_uow() as uow:
        assert uow.audit.backlog().count == 0
    assert verify_audit_chain(world.new_uow()).ok
