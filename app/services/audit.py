"""Reading and checking the audit trail: who saw a family's record, and whether the chain is intact."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.domain.audit import AuditEntry, ChainVerdict, verify_chain
from app.domain.paging import Page, PageRequest
from app.domain.practitioners import Practitioner
from app.services.ports import UnitOfWork


@dataclass(frozen=True)
class AccessLog:
    entries: Page[AuditEntry]
    actors: dict[uuid.UUID, Practitioner]


def access_log(uow: UnitOfWork, family_id: uuid.UUID, page: PageRequest) -> AccessLog:
    with uow:
        entries = uow.audit.for_family(family_id, page)
        actors = uow.practitioners.get_many(
            [e.actor_id for e in entries.items if e.actor_id is not None]
        )
        return AccessLog(entries=entries, actors=actors)


def verify_audit_chain(uow: UnitOfWork) -> ChainVerdict:
    """Walk the whole chain from the first entry and check it ends at the recorded head."""
    with uow:
        _sequence, last_hash = uow.audit.head()
        return verify_chain(uow.audit.entries(), expected_last_hash=last_hash)
