"""Requests that arrive while the audit chain is being written share the next transaction.

Each caller returns only once its own entries are committed, every entry is in the chain exactly
once, and the chain still verifies. If the shared write fails, every caller in it is told.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from app.db.audit_log import GroupCommittedAuditLog
from app.db.engine import make_session_factory
from app.domain.audit import OUTCOME_ALLOWED
from app.services.audit import verify_audit_chain
from app.services.ports import AuditRecord
from tests.conftest import AUDIT_KEYS
from tests.reliability.live import World, committed_postgres, wait_until

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("reliability-audit")]

CALLERS = 12
AT = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with committed_postgres() as world:
        yield world


def a_read(request_id: str) -> AuditRecord:
    return AuditRecord(
        actor_id=uuid.uuid4(),
        actor_roles=("lead_professional",),
        action="read_family",
        resource_type="family",
        resource_id=str(uuid.uuid4()),
        request_id=request_id,
        outcome=OUTCOME_ALLOWED,
    )


class HeldFirstWrite:
    """Holds the first write until every other caller is queued, so the grouping is certain."""

    def __init__(self, log: GroupCommittedAuditLog, others: int) -> None:
        self.batch_sizes: list[int] = []
        self._log = log
        self._others = others
        self._write = log._write
        self._first = True
        self._lock = threading.Lock()

    def __call__(self, batch: list) -> None:  # type: ignore[type-arg]
        with self._lock:
            first, self._first = self._first, False
        if first:
            wait_until(lambda: len(self._log._waiting) == self._others, "the others to queue")
        self.batch_sizes.append(len(batch))
        self._write(batch)


def test_callers_who_arrive_during_a_write_share_the_next_one(world: World) -> None:
    log = GroupCommittedAuditLog(make_session_factory(world.engine), AUDIT_KEYS)
    held = HeldFirstWrite(log, others=CALLERS - 1)
    log._write = held  # type: ignore[method-assign]
    request_ids = [f"group-{n}" for n in range(CALLERS)]

    with ThreadPoolExecutor(CALLERS) as pool:
        list(pool.map(lambda rid: log.record([a_read(rid), a_read(rid)], at=AT), request_ids))

    assert held.batch_sizes == [1, CALLERS - 1]
    with world.new_uow() as uow:
        stored = [e.request_id for e in uow.audit.entries() if e.request_id in request_ids]
    assert sorted(stored) == sorted(request_ids * 2)
    verdict = verify_audit_chain(world.new_uow())
    assert verdict.ok, verdict.problem


def test_when_the_shared_write_fails_every_caller_in_it_is_told_and_none_of_it_is_kept(
    world: World,
) -> None:
    log = GroupCommittedAuditLog(make_session_factory(world.engine), AUDIT_KEYS)
    held = HeldFirstWrite(log, others=3)
    failing_batches: list[int] = []

    def write_failing_the_second_batch(batch: list) -> None:  # type: ignore[type-arg]
        if held.batch_sizes:  # the first batch went through; break the next one
            failing_batches.append(len(batch))
            for ticket in batch:
                ticket.records = [*ticket.records, a_read("x" * 200)]  # longer than the column
        held(batch)

    log._write = write_failing_the_second_batch  # type: ignore[method-assign]
    request_ids = [f"failing-{n}" for n in range(4)]

    def attempt(rid: str) -> str:
        try:
            log.record([a_read(rid)], at=AT)
        except Exception as exc:
            return type(exc).__name__
        return "written"

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(attempt, request_ids))

    assert failing_batches == [3]
    assert sorted(answers) == ["DataError"] * 3 + ["written"]
    with world.new_uow() as uow:
        stored = [e.request_id for e in uow.audit.entries() if e.request_id in request_ids]
    assert len(stored) == 1
    assert verify_audit_chain(world.new_uow()).ok
