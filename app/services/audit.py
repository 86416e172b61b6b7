"""Reading and checking the audit trail: who saw a family's record, whether the chain is intact,
and the signed checkpoints that let a later check notice entries cut off or re-chained.

The access log is a use case like any read. Checking the chain and issuing checkpoints are the
operators' commands on the database (`familyhub audit-verify`, `audit-checkpoint`): nobody signed
in runs them, so they are outside the access rules and leave no entry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.domain.access import Action
from app.domain.audit import (
    AuditEntry,
    ChainVerdict,
    Checkpoint,
    SealBacklog,
    issue_checkpoint,
    verify_trail,
)
from app.domain.paging import Page, PageRequest
from app.domain.practitioners import Practitioner
from app.services.ports import AuditChainUnitOfWork, Clock, UnitOfWork
from app.services.use_case import Actor, Target, UseCase


@dataclass(frozen=True)
class AccessLog:
    entries: Page[AuditEntry]
    actors: dict[uuid.UUID, Practitioner]


def access_log(
    uow: UnitOfWork, clock: Clock, actor: Actor, family_id: uuid.UUID, page: PageRequest
) -> AccessLog:
    """Managers: who has seen or changed this family's record, newest first.

    The log shows its own reading: the decision's entry is committed first, then the log is read.
    """
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_ACCESS_LOG, Target.family(family_id, "access_log"))
        uc.commit()
        entries = uow.audit.for_family(family_id, page)
        actors = uow.practitioners.get_many(
            [e.actor_id for e in entries.items if e.actor_id is not None]
        )
        return AccessLog(entries=entries, actors=actors)


@dataclass(frozen=True)
class TrailCheck:
    verdict: ChainVerdict
    backlog: SealBacklog
    """Entries stored but not sealed yet: not part of the verdict."""
    stored_entries: int


def check_audit_trail(
    uow: AuditChainUnitOfWork, *, checkpoint: Checkpoint | None = None
) -> TrailCheck:
    """Walk the whole chain from the first entry (against `checkpoint` too, whose signature the
    caller has checked), and count the entries still waiting for their seal.

    An operator's check on the database, outside the access rules (see the module docstring)."""
    with uow:
        # The head first: sealing may go on while the chain is read, never the other way round.
        head = uow.audit.head()
        stored = uow.audit.count()
        verdict = verify_trail(
            uow.audit.legacy_entries(),
            uow.audit.sealed_entries(),
            head=head,
            keys=uow.audit_keys,
            checkpoint=checkpoint,
            stored_entries=stored,
        )
        return TrailCheck(verdict, uow.audit.backlog(), stored)


def verify_audit_chain(
    uow: AuditChainUnitOfWork, *, checkpoint: Checkpoint | None = None
) -> ChainVerdict:
    return check_audit_trail(uow, checkpoint=checkpoint).verdict


def audit_checkpoint(
    uow: AuditChainUnitOfWork, clock: Clock
) -> tuple[ChainVerdict, Checkpoint | None]:
    """A signed checkpoint of the chain's end, issued only once the chain has verified: signing a
    chain already tampered with would vouch for it. An operator's command, outside the access
    rules."""
    check = check_audit_trail(uow)
    if not check.verdict.ok:
        return check.verdict, None
    return check.verdict, issue_checkpoint(
        check.verdict.last,
        entry_count=check.stored_entries,
        issued_at=clock.now(),
        keys=uow.audit_keys,
    )
