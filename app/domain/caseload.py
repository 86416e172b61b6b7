"""What is due from a practitioner, across their roles, and how urgent each thing is.

The lead professional's home screen and worklist (the front-end issue) are ordered by urgency:
overdue first (most overdue first), then due soonest, then things with no date. The statuses come
from the same rule as every other deadline (`timeliness.assess`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.domain.family_help import AllocationRole
from app.domain.timeliness import (
    Deadline,
    DeadlineKind,
    DeadlineState,
    DeadlineStatus,
    assess,
)

RUNNING = frozenset({DeadlineStatus.ON_TIME, DeadlineStatus.DUE_SOON, DeadlineStatus.OVERDUE})


class WorkingRole(StrEnum):
    """How a practitioner works an episode on their caseload: as its lead professional, or
    allocated beside the lead on Family Help (the allocations that grant the lead's day-to-day
    access, `access.ALLOCATIONS_GRANTING_ACCESS`)."""

    LEAD_PROFESSIONAL = "lead_professional"
    LEAD_CHILD_PROTECTION_PRACTITIONER = "lead_child_protection_practitioner"
    CO_WORKER = "co_worker"


def working_role(allocation: AllocationRole | None) -> WorkingRole:
    """The role an episode is on my caseload in: the allocation I hold beside its lead, else
    (no such allocation) its lead."""
    if allocation is AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER:
        return WorkingRole.LEAD_CHILD_PROTECTION_PRACTITIONER
    if allocation is AllocationRole.CO_WORKER:
        return WorkingRole.CO_WORKER
    return WorkingRole.LEAD_PROFESSIONAL


class WorkKind(StrEnum):
    SUBMIT_ASSESSMENT_AND_PLAN = "submit_assessment_and_plan"
    RESUBMIT_PLAN = "resubmit_plan"
    HOLD_FIRST_TAF_MEETING = "hold_first_taf_meeting"
    HOLD_REVIEW = "hold_review"
    DECIDE_ON_PLAN = "decide_on_plan"
    DO_PLAN_ACTION = "do_plan_action"
    CHECK_SUSTAINMENT = "check_sustainment"
    """Re-check an achieved outcome after closure (Supporting Families, default 6 months)."""
    CONTACT_FAMILY = "contact_family"
    """No contact with the family for the policy's working days (issue 19 §2, default 20)."""
    READ_ATTACHED_REQUEST = "read_attached_request"
    """The front door attached a new request for support to an episode I lead (issue 19 §1)."""


DEADLINE_WORK = {
    DeadlineKind.ASSESSMENT: WorkKind.SUBMIT_ASSESSMENT_AND_PLAN,
    DeadlineKind.FIRST_TAF: WorkKind.HOLD_FIRST_TAF_MEETING,
    DeadlineKind.REVIEW: WorkKind.HOLD_REVIEW,
    DeadlineKind.QUALITY_ASSURANCE: WorkKind.DECIDE_ON_PLAN,
}
"""Which piece of work meets which clock (seed 004:1238-1241)."""


@dataclass(frozen=True)
class WorkItem:
    kind: WorkKind
    episode_id: uuid.UUID
    family_id: uuid.UUID
    due_on: date | None
    state: DeadlineState | None
    plan_id: uuid.UUID | None = None
    action_id: uuid.UUID | None = None
    need_id: uuid.UUID | None = None
    description: str | None = None
    qa_comments: str | None = None
    """For a returned plan: what the quality assurance officer asked to change."""
    qa_officer_id: uuid.UUID | None = None
    qa_decided_on: date | None = None
    request_id: uuid.UUID | None = None
    """For a request attached to the episode: the request (acknowledge it to clear the item)."""


def next_deadline(
    deadlines: Iterable[Deadline], as_of: date, due_soon_days: int
) -> tuple[Deadline, DeadlineState] | None:
    """The running clock due soonest: what the lead professional must do next for this episode."""
    running = [(d, assess(d, as_of, due_soon_days)) for d in deadlines]
    running = [(d, s) for d, s in running if s.status in RUNNING]
    return min(running, key=lambda pair: (pair[0].due_on, pair[0].kind.value), default=None)


def due_state(
    due_on: date, as_of: date, due_soon_days: int, *, done: bool = False
) -> DeadlineState:
    """A plan action's due date judged like a clock: an action is a deadline set by the TAF."""
    deadline = Deadline(
        kind=DeadlineKind.REVIEW,
        started_on=min(due_on, as_of),
        due_on=due_on,
        due_from=None,
        policy_version=1,
        met_on=as_of if done else None,
    )
    return assess(deadline, as_of, due_soon_days)


def by_urgency(items: Iterable[WorkItem]) -> list[WorkItem]:
    """Overdue first (the longest overdue first), then due soonest, then undated work."""
    return sorted(
        items,
        key=lambda i: (
            i.due_on is None,
            i.due_on or date.max,
            i.kind.value,
            str(i.episode_id),
            str(i.action_id),
            str(i.request_id),
        ),
    )
