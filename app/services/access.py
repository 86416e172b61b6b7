"""The gate every request passes: ask the access rules, record the access, refuse or let through.

The rules are the one pure function `app.domain.access.decide`; this module only gathers the facts
it needs and records the access in the audit log, whose entries commit on their own, so refused
attempts are kept too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from app.domain.access import (
    ACTIONS_ON_ASSIGNED_PLAN_ACTIONS,
    Action,
    Decision,
    Principal,
    RecordFacts,
    Visibility,
    decide,
    decide_named,
)
from app.domain.audit import OUTCOME_ALLOWED, OUTCOME_DENIED
from app.domain.errors import Forbidden, NotFound
from app.services.ports import AuditRecord, Clock, UnitOfWork

T = TypeVar("T")


@dataclass(frozen=True)
class Subject:
    """Who is asking, for the rules and for the audit trail."""

    principal: Principal
    request_id: str | None = None
    break_glass_reason: str | None = None


@dataclass(frozen=True)
class Target:
    """What is asked about: a family's record, one of its episodes, or nothing (council-wide)."""

    resource_type: str
    resource_id: str | None = None
    family_id: uuid.UUID | None = None
    episode_id: uuid.UUID | None = None
    action_item_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Grant:
    decision: Decision
    record: RecordFacts | None


def _entry(
    subject: Subject,
    action: str,
    resource_type: str,
    resource_id: str | None,
    family_id: uuid.UUID | None,
    *,
    allowed: bool = True,
    break_glass: bool = False,
) -> AuditRecord:
    return AuditRecord(
        actor_id=subject.principal.practitioner_id,
        actor_roles=tuple(sorted(r.value for r in subject.principal.roles)),
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        family_id=family_id,
        request_id=subject.request_id,
        outcome=OUTCOME_ALLOWED if allowed else OUTCOME_DENIED,
        break_glass_reason=subject.break_glass_reason if break_glass else None,
    )


def _listed(
    subject: Subject,
    action: Action,
    resource_type: str,
    resource_id: uuid.UUID,
    family_id: uuid.UUID,
) -> AuditRecord:
    """A record shown in a list is recorded as read, one entry per record."""
    return _entry(subject, "list_" + action.value, resource_type, str(resource_id), family_id)


def authorize(
    new_uow: Callable[[], UnitOfWork],
    clock: Clock,
    subject: Subject,
    action: Action,
    target: Target,
) -> Grant:
    """Decide, audit, and raise NotFound (hidden) or Forbidden unless allowed."""
    grant, _ = read_authorized(new_uow(), clock, subject, action, target, read=lambda: None)
    return grant


def read_authorized(
    uow: UnitOfWork,
    clock: Clock,
    subject: Subject,
    action: Action,
    target: Target,
    read: Callable[[], T],
) -> tuple[Grant, T]:
    """As `authorize`, then `read` (a service call on the same `uow`) in the same transaction.

    One session instead of two for the commonest requests (bench/RESULTS.md). The audit entry is
    committed after the read's session closes and before anything is answered: an append made
    while the read's transaction is open could be undone with it where sessions share a
    connection (the test suite's savepoints). `read` runs only if the access is allowed.
    """
    today = clock.today()
    with_assigned_actions = action in ACTIONS_ON_ASSIGNED_PLAN_ACTIONS
    record: RecordFacts | None = None
    decision: Decision | None = None
    try:
        with uow.kept_open():
            if target.family_id is not None:
                record = uow.access.for_families(
                    [target.family_id], today, with_assigned_actions=with_assigned_actions
                ).get(target.family_id)
            elif target.episode_id is not None:
                record = uow.access.for_episode(
                    target.episode_id, today, with_assigned_actions=with_assigned_actions
                )
            decision = decide_named(
                subject.principal,
                action,
                record,
                names_record=target.family_id is not None or target.episode_id is not None,
                today=today,
                episode_id=target.episode_id,
                action_item_id=target.action_item_id,
                break_glass_reason=subject.break_glass_reason,
            )
            if decision.visibility is Visibility.HIDDEN:
                raise NotFound("There is no such record.")
            if decision.visibility is Visibility.FORBIDDEN:
                raise Forbidden("You may not do this to this record.")
            result = read()
    finally:
        # Recorded after the read closes (and whether or not it succeeded): the entry commits on
        # its own, whatever the request does next.
        if decision is not None:
            uow.audit_log.record(
                [
                    _entry(
                        subject,
                        action.value,
                        target.resource_type,
                        target.resource_id,
                        record.family_id if record else None,
                        allowed=decision.allowed,
                        break_glass=decision.break_glass,
                    )
                ],
                at=clock.now(),
            )
    return Grant(decision=decision, record=record), result


def visible_families(
    new_uow: Callable[[], UnitOfWork],
    clock: Clock,
    subject: Subject,
    family_ids: Sequence[uuid.UUID],
) -> dict[uuid.UUID, RecordFacts]:
    """Of a page of families, those the user may read; each one shown is recorded as read."""
    _, allowed = read_visible_families(
        new_uow(), clock, subject, read=lambda: None, family_ids_of=lambda _: family_ids
    )
    return allowed


def _read_with_facts(
    uow: UnitOfWork,
    today: date,
    read: Callable[[], T],
    family_ids_of: Callable[[T], Iterable[uuid.UUID]],
) -> tuple[T, dict[uuid.UUID, RecordFacts]]:
    """`read` a page (a service call on `uow`) and the access facts of its families, in one
    transaction; the caller audits what it shows once this has closed (as `read_authorized`)."""
    with uow.kept_open():
        result = read()
        return result, uow.access.for_families(list(dict.fromkeys(family_ids_of(result))), today)


def read_visible_families(
    uow: UnitOfWork,
    clock: Clock,
    subject: Subject,
    read: Callable[[], T],
    family_ids_of: Callable[[T], Iterable[uuid.UUID]],
) -> tuple[T, dict[uuid.UUID, RecordFacts]]:
    """`read` a page, then the facts of the families on it the user may read; each one shown is
    recorded as read."""
    today = clock.today()
    result, facts = _read_with_facts(uow, today, read, family_ids_of)
    allowed = {
        fid: record
        for fid, record in facts.items()
        if decide(subject.principal, Action.READ_FAMILY, record, today=today).allowed
    }
    record_families_listed(uow, clock, subject, allowed)
    return result, allowed


def record_families_listed(
    uow: UnitOfWork, clock: Clock, subject: Subject, family_ids: Iterable[uuid.UUID]
) -> None:
    """Record families as read by a list that showed them, once the service that listed them has
    judged them readable by the same rules (a sync does, as it builds the device's scope)."""
    uow.audit_log.record(
        [_listed(subject, Action.READ_FAMILY, "family", fid, fid) for fid in family_ids],
        at=clock.now(),
    )


def read_visible_episodes(
    uow: UnitOfWork,
    clock: Clock,
    subject: Subject,
    read: Callable[[], T],
    episodes_of: Callable[[T], Iterable[tuple[uuid.UUID, uuid.UUID]]],
) -> tuple[T, set[uuid.UUID]]:
    """`read` a page, then which of its (episode id, family id) pairs the user may read; each
    one shown is recorded as read."""
    today = clock.today()
    result, facts = _read_with_facts(
        uow, today, read, lambda page: [fid for _, fid in episodes_of(page)]
    )
    allowed = sorted(
        (eid, fid)
        for eid, fid in set(episodes_of(result))
        if fid in facts
        and decide(
            subject.principal, Action.READ_EPISODE, facts[fid], today=today, episode_id=eid
        ).allowed
    )
    uow.audit_log.record(
        [_listed(subject, Action.READ_EPISODE, "episode", eid, fid) for eid, fid in allowed],
        at=clock.now(),
    )
    return result, {eid for eid, _ in allowed}
