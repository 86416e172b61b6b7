"""Change hints: a front end learns that a family's record changed without polling for it.

A use case that changes a family's record announces a hint with ids only (the family, and what
changed): no names, no details. The hint reaches every worker process (PostgreSQL LISTEN/NOTIFY,
sent in the same transaction, so only committed changes are announced; an in-process broker on
SQLite), and each subscriber's stream passes on only the hints for families the access rules let
that user read. The front end then reads what it needs through the ordinary, audited endpoints.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.access import Action
from app.services.ports import ChangeHint, Clock, UnitOfWork
from app.services.use_case import Actor, UseCase


def open_subscription(uow: UnitOfWork, clock: Clock, actor: Actor) -> None:
    """Opening a stream of hints is itself an access to the user's work, decided and audited."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_MY_WORK, "change_hints")
        uc.commit()


def hints_for(
    uow: UnitOfWork, clock: Clock, actor: Actor, hints: Sequence[ChangeHint]
) -> list[ChangeHint]:
    """Of a batch of hints, those about families this user may read today.

    The hints carry ids only, so the families are judged but not recorded as read: the user
    reads them, audited, when the front end asks for them.
    """
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.READ_MY_WORK, "change_hints")
        readable = uc.readable_family_ids(h.family_id for h in hints)
        uc.commit()
        return [h for h in hints if h.family_id in readable]
