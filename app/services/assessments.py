"""Use cases of the early help assessment: write the draft, complete it, reassess."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.domain.assessments import Assessment, Need
from app.domain.errors import IllegalTransition, NotFound
from app.domain.versions import Expected, check_version
from app.outcome_framework import headline_codes
from app.services.episodes import load_episode
from app.services.ports import Clock, UnitOfWork


@dataclass(frozen=True)
class AssessmentChanges:
    """Only the fields a client sent; the rest keep their value."""

    fields: dict[str, Any] = field(default_factory=dict)
    needs: Sequence[Need] | None = None


def _load(uow: UnitOfWork, episode_id: uuid.UUID, assessment_id: uuid.UUID) -> Assessment:
    assessment = uow.assessments.get(assessment_id)
    if assessment is None or assessment.episode_id != episode_id:
        raise NotFound("This episode has no assessment with this id.")
    return assessment


def list_assessments(uow: UnitOfWork, episode_id: uuid.UUID) -> list[Assessment]:
    with uow:
        load_episode(uow, episode_id)
        return uow.assessments.for_episode(episode_id)


def get_assessment(uow: UnitOfWork, episode_id: uuid.UUID, assessment_id: uuid.UUID) -> Assessment:
    with uow:
        return _load(uow, episode_id, assessment_id)


def revise_assessment(
    uow: UnitOfWork,
    clock: Clock,
    episode_id: uuid.UUID,
    assessment_id: uuid.UUID,
    changes: AssessmentChanges,
    *,
    expected_version: Expected,
) -> Assessment:
    with uow:
        assessment = _load(uow, episode_id, assessment_id)
        check_version(expected_version, assessment.version)
        episode = load_episode(uow, episode_id)
        if not episode.is_open:
            raise IllegalTransition("The episode is closed; its assessment can no longer change.")
        kwargs: dict[str, Any] = dict(changes.fields)
        if changes.needs is not None:
            kwargs["needs"] = changes.needs
        assessment.revise(allowed_headlines=headline_codes(), **kwargs)
        uow.assessments.save(assessment, at=clock.now())
        uow.commit()
        return assessment


def complete_assessment(
    uow: UnitOfWork,
    clock: Clock,
    episode_id: uuid.UUID,
    assessment_id: uuid.UUID,
    *,
    expected_version: Expected,
) -> Assessment:
    """A completed assessment is a record of what was found: it never changes afterwards."""
    with uow:
        assessment = _load(uow, episode_id, assessment_id)
        check_version(expected_version, assessment.version)
        episode = load_episode(uow, episode_id)
        if not episode.is_open:
            raise IllegalTransition(
                "The episode is closed; its assessment can no longer be completed."
            )
        assessment.complete(clock.today(), headline_codes())
        uow.assessments.save(assessment, at=clock.now())
        uow.commit()
        return assessment


def reassess(uow: UnitOfWork, clock: Clock, episode_id: uuid.UUID) -> Assessment:
    """A new version of the assessment, drafted from the latest completed one."""
    with uow:
        episode = load_episode(uow, episode_id)
        if not episode.is_open:
            raise IllegalTransition(
                "The episode is closed; open a new episode to assess the family again."
            )
        versions = uow.assessments.for_episode(episode_id)
        if not versions:
            raise IllegalTransition("The assessment starts when the episode moves to assessing.")
        latest = versions[-1]
        new = latest.reassess(uuid.uuid4(), clock.today())
        uow.assessments.add(new, at=clock.now())
        uow.commit()
        return new
