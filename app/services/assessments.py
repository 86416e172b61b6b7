"""Use cases of the early help assessment: write the draft, complete it, reassess."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.domain.access import Action
from app.domain.assessments import (
    Assessment,
    Need,
    check_may_complete,
    check_may_revise,
    reassessment,
)
from app.domain.errors import NotFound
from app.domain.step_dates import happened_on
from app.domain.versions import Expected, check_version
from app.services.episodes import load_episode
from app.services.ports import Clock, UnitOfWork
from app.services.use_case import (
    Actor,
    IdempotentRequest,
    Replayed,
    Target,
    UseCase,
    run_idempotent,
)


@dataclass(frozen=True)
class AssessmentChanges:
    """Only the fields a client sent; the rest keep their value."""

    fields: dict[str, Any] = field(default_factory=dict)
    needs: Sequence[Need] | None = None


def _assessment_of(uow: UnitOfWork, episode_id: uuid.UUID, assessment_id: uuid.UUID) -> Assessment:
    """The episode's assessment; another episode's is answered as an unknown id (a database
    look-up, so it stays here)."""
    assessment = uow.assessments.get(assessment_id)
    if assessment is None or assessment.episode_id != episode_id:
        raise NotFound("This episode has no assessment with this id.")
    return assessment


def list_assessments(
    uow: UnitOfWork, clock: Clock, actor: Actor, episode_id: uuid.UUID
) -> list[Assessment]:
    """Every version of the episode's assessment, oldest first (a short list: never paged)."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_EPISODE, Target.episode(episode_id, "assessment"))
        found = uow.assessments.for_episode(episode_id)
        uc.commit()
        return found


def get_assessment(
    uow: UnitOfWork, clock: Clock, actor: Actor, episode_id: uuid.UUID, assessment_id: uuid.UUID
) -> Assessment:
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.READ_EPISODE, Target.episode(episode_id, "assessment", assessment_id))
        assessment = _assessment_of(uow, episode_id, assessment_id)
        uc.commit()
        return assessment


def _step(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    assessment_id: uuid.UUID,
    expected_version: Expected,
    step: Callable[[UseCase, Assessment], None],
) -> Assessment:
    """One step on a version of the assessment: access, version, the step, save, one commit."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_EPISODE, Target.episode(episode_id, "assessment", assessment_id))
        assessment = _assessment_of(uow, episode_id, assessment_id)
        check_version(expected_version, assessment.version)
        step(uc, assessment)
        uow.assessments.save(assessment, at=uc.now)
        uc.commit()
        return assessment


def revise_assessment(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    assessment_id: uuid.UUID,
    changes: AssessmentChanges,
    *,
    expected_version: Expected,
) -> Assessment:
    def revise(uc: UseCase, assessment: Assessment) -> None:
        check_may_revise(load_episode(uc.uow, episode_id))
        kwargs: dict[str, Any] = dict(changes.fields)
        if changes.needs is not None:
            kwargs["needs"] = changes.needs
        assessment.revise(allowed_headlines=uc.uow.reference_data.headline_codes(), **kwargs)

    return _step(uow, clock, actor, episode_id, assessment_id, expected_version, revise)


def complete_assessment(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    assessment_id: uuid.UUID,
    *,
    expected_version: Expected,
    completed_on: date | None = None,
) -> Assessment:
    """A completed assessment is a record of what was found: it never changes afterwards.

    `completed_on` is the day it was completed (today by default).
    """

    def complete(uc: UseCase, assessment: Assessment) -> None:
        on = happened_on(completed_on, today=uc.today, field="completed_on")
        check_may_complete(load_episode(uc.uow, episode_id))
        assessment.complete(on, uc.uow.reference_data.headline_codes())
        assessment.completed_recorded_at = uc.now

    return _step(uow, clock, actor, episode_id, assessment_id, expected_version, complete)


def reassess(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    episode_id: uuid.UUID,
    *,
    started_on: date | None = None,
    idempotency: IdempotentRequest[Assessment] | None = None,
) -> Assessment | Replayed:
    """A new version of the assessment, drafted from the latest completed one, started on
    `started_on` (today by default; never before the assessment it follows was completed)."""
    with UseCase(uow, clock, actor) as uc:
        uc.require(Action.WRITE_EPISODE, Target.episode(episode_id, "assessment"))

        def start() -> Assessment:
            new = reassessment(
                load_episode(uow, episode_id),
                uow.assessments.for_episode(episode_id),
                uuid.uuid4(),
                happened_on(started_on, today=uc.today, field="started_on"),
            )
            new.started_recorded_at = uc.now
            uow.assessments.add(new, at=uc.now)
            uc.identify(Action.WRITE_EPISODE, new.id)
            return new

        return run_idempotent(uc, idempotency, start)
