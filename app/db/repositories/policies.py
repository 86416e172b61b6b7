"""Versions of the timeliness policy (the council's practice standards)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import TimelinessPolicyRow
from app.domain.timeliness import DEFAULT_POLICY, PolicyHistory, TimelinessPolicy

_DOCUMENTS = select(TimelinessPolicyRow.document).order_by(TimelinessPolicyRow.version)
"""Built once: every episode read judges its deadlines by the policy history."""


class SqlPolicyRepository:
    def __init__(self, session: Session) -> None:
        self._session = session
        self._history: PolicyHistory | None = None
        """Read once per unit of work (a review asks for it to move the clocks and again to show
        them); forgotten when this unit of work adds a version."""

    def history(self) -> PolicyHistory:
        """Stored versions; the seeds' defaults when a council has configured nothing yet."""
        if self._history is None:
            documents = self._session.scalars(_DOCUMENTS)
            versions = tuple(TimelinessPolicy.from_dict(d) for d in documents)
            self._history = PolicyHistory(versions or (DEFAULT_POLICY,))
        return self._history

    def forget(self) -> None:
        """The transaction rolled back: what it read may have included a version it added."""
        self._history = None

    def add(self, policy: TimelinessPolicy, *, reason: str | None, at: datetime) -> None:
        self._history = None
        if (
            self._session.get(TimelinessPolicyRow, DEFAULT_POLICY.version) is None
            and policy.version > 1
        ):
            self._session.add(
                TimelinessPolicyRow(
                    version=DEFAULT_POLICY.version,
                    effective_from=DEFAULT_POLICY.effective_from,
                    document=DEFAULT_POLICY.to_dict(),
                    reason="The seeds' defaults",
                    created_at=at,
                )
            )
        self._session.add(
            TimelinessPolicyRow(
                version=policy.version,
                effective_from=policy.effective_from,
                document=policy.to_dict(),
                reason=reason,
                created_at=at,
            )
        )
        self._session.flush()
