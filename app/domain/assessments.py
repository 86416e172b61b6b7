"""The early help assessment: strengths, needs and analysis for the whole family, child-focused.

Seed 004_dec79d85712017e0.txt:1238 (the lead professional gathers "the family's history, family
strengths and worries" from the family, "including the children and young people", then analyses
it) and 004:1518 (cover "presenting needs but also any underlying issues", "explore strengths as
well as needs"; needs of each member and how they affect one another). Need headlines are
configuration (seed-digest §1.14 gives candidates), so the allowed set is passed in. A completed
assessment is evidence and never changes; a reassessment is a new, numbered draft.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum, StrEnum

from app.domain.episodes import Episode
from app.domain.errors import IllegalTransition, InvalidValue
from app.domain.step_dates import PreviousStep, check_step_order


class AssessmentStatus(StrEnum):
    """Draft while the lead professional works on it; completed once analysed (seed 004:1238)."""

    DRAFT = "draft"
    COMPLETED = "completed"


class _Unset(Enum):
    """Marks an argument left out of `revise`, since None is a real value for the text fields."""

    UNSET = "unset"


UNSET = _Unset.UNSET


@dataclass(frozen=True)
class Need:
    """One unmet need, for the members it affects (seed 004:1518; headline codes: seed-digest §1.14).

    Checked when it joins an assessment (`validate_needs`), so errors can name its position.
    """

    id: uuid.UUID
    headline: str
    description: str
    person_ids: tuple[uuid.UUID, ...]


@dataclass
class Assessment:
    """One early help assessment of a family in an episode; `number` 2 and up are reassessments."""

    id: uuid.UUID
    episode_id: uuid.UUID
    number: int
    status: AssessmentStatus
    covered_person_ids: tuple[uuid.UUID, ...]
    strengths: tuple[str, ...]
    needs: tuple[Need, ...]
    child_voice: str | None
    parents_view: str | None
    analysis: str | None
    started_on: date
    completed_on: date | None = None
    started_recorded_at: datetime | None = None
    """When the start was recorded, beside `started_on`, when it happened (issue 18 §1)."""
    completed_recorded_at: datetime | None = None
    """When the completion was recorded; null while a draft."""
    version: int = 1

    @property
    def is_completed(self) -> bool:
        return self.status is AssessmentStatus.COMPLETED

    @property
    def need_ids(self) -> frozenset[uuid.UUID]:
        """The needs a family plan's outcomes may refer to (seed 004:1521, one plan for all)."""
        return frozenset(need.id for need in self.needs)

    def revise(
        self,
        *,
        allowed_headlines: Collection[str],
        covered_person_ids: Sequence[uuid.UUID] | _Unset = UNSET,
        strengths: Sequence[str] | _Unset = UNSET,
        needs: Sequence[Need] | _Unset = UNSET,
        child_voice: str | _Unset | None = UNSET,
        parents_view: str | _Unset | None = UNSET,
        analysis: str | _Unset | None = UNSET,
    ) -> None:
        """Change the draft; a completed assessment is a record of what was found and stays as it was.

        Seed 004:1238 (the assessment is built up with the family before the plan). Arguments left
        out keep their value.
        """
        self._refuse_if_completed()
        covered = (
            self.covered_person_ids
            if covered_person_ids is _Unset.UNSET
            else _person_ids(covered_person_ids)
        )
        new_strengths = self.strengths if strengths is _Unset.UNSET else _strengths(strengths)
        new_needs = self.needs if needs is _Unset.UNSET else tuple(needs)
        validate_needs(new_needs, allowed_headlines)
        self.covered_person_ids = covered
        self.strengths = new_strengths
        self.needs = new_needs
        if child_voice is not _Unset.UNSET:
            self.child_voice = _optional(child_voice)
        if parents_view is not _Unset.UNSET:
            self.parents_view = _optional(parents_view)
        if analysis is not _Unset.UNSET:
            self.analysis = _optional(analysis)

    def complete(self, on: date, allowed_headlines: Collection[str]) -> None:
        """Finish the assessment: who it covers, at least one need, and the worker's analysis.

        Seed 004:1238 ("analysing the information") and 004:1518 (needs of each member). Each need
        must be about members the assessment covers.
        """
        self._refuse_if_completed()
        if not self.covered_person_ids:
            raise InvalidValue(
                "Say which family members the assessment covers before completing it.",
                field="covered_person_ids",
                code="assessment_covers_no_one",
            )
        if not self.needs:
            raise InvalidValue(
                "Record at least one need before completing the assessment.",
                field="needs",
                code="assessment_needs_required",
            )
        validate_needs(self.needs, allowed_headlines)
        covered = set(self.covered_person_ids)
        for i, need in enumerate(self.needs):
            if not set(need.person_ids) <= covered:
                raise InvalidValue(
                    "A need is recorded for someone the assessment does not cover.",
                    field=f"needs[{i}].person_ids",
                    code="need_person_not_covered",
                )
        if self.analysis is None or not self.analysis.strip():
            raise InvalidValue(
                "Write the analysis of what the assessment found before completing it.",
                field="analysis",
                code="assessment_analysis_required",
            )
        check_step_order(
            on,
            field="completed_on",
            follows=[PreviousStep(self.started_on, "the assessment started")],
        )
        self.status = AssessmentStatus.COMPLETED
        self.completed_on = on

    def reassess(self, new_id: uuid.UUID, on: date) -> Assessment:
        """Start a reassessment: a new draft, numbered next, starting from what was found last time.

        Seed 004:1241 (reviews identify "what should happen next") and 004:1518 (the family tells
        its story once, CON-12): the earlier content is carried forward, the earlier record kept.
        """
        if not self.is_completed:
            raise IllegalTransition(
                "Only a completed assessment can be reassessed; this one is still a draft and "
                "can be changed directly.",
                code="reassessment_of_draft",
            )
        completed_on = self.completed_on or self.started_on
        if on < completed_on:
            raise InvalidValue(
                "A reassessment cannot start before the assessment it follows was completed.",
                field="started_on",
                code="reassessment_before_completion",
            )
        return replace(
            self,
            id=new_id,
            number=self.number + 1,
            status=AssessmentStatus.DRAFT,
            started_on=on,
            completed_on=None,
            started_recorded_at=None,
            completed_recorded_at=None,
            version=1,
        )

    def _refuse_if_completed(self) -> None:
        if self.is_completed:
            raise IllegalTransition(
                "A completed assessment cannot be changed; it is the record of what was found. "
                "Start a reassessment to record what has changed.",
                code="assessment_completed_is_final",
            )


def check_may_revise(episode: Episode) -> None:
    """A closed episode's assessment is part of the closed record."""
    if not episode.is_open:
        raise IllegalTransition(
            "The episode is closed; its assessment can no longer change.", code="episode_closed"
        )


def check_may_complete(episode: Episode) -> None:
    if not episode.is_open:
        raise IllegalTransition(
            "The episode is closed; its assessment can no longer be completed.",
            code="episode_closed",
        )


def reassessment(
    episode: Episode, versions: Sequence[Assessment], new_id: uuid.UUID, on: date
) -> Assessment:
    """The next version of the episode's assessment, drafted from the latest one (`reassess`).

    A closed episode takes no reassessment: the family is assessed again in a new episode. Before
    the episode moved to assessing there is nothing to reassess.
    """
    if not episode.is_open:
        raise IllegalTransition(
            "The episode is closed; open a new episode to assess the family again.",
            code="episode_closed",
        )
    if not versions:
        raise IllegalTransition(
            "The assessment starts when the episode moves to assessing.",
            code="assessment_before_assessing_stage",
        )
    return versions[-1].reassess(new_id, on)


def start_assessment_draft(
    *,
    id: uuid.UUID,
    episode_id: uuid.UUID,
    started_on: date,
    allowed_headlines: Collection[str] = frozenset(),
    number: int = 1,
    covered_person_ids: Sequence[uuid.UUID] = (),
    strengths: Sequence[str] = (),
    needs: Sequence[Need] = (),
    child_voice: str | None = None,
    parents_view: str | None = None,
    analysis: str | None = None,
) -> Assessment:
    """A new draft assessment for an episode (seed 004:1238: assessing starts the 20-day work).

    `allowed_headlines` is only needed when `needs` are given at the start.
    """
    if number < 1:
        raise InvalidValue(
            "Assessments are numbered from 1.", field="number", code="assessment_number_below_one"
        )
    need_tuple = tuple(needs)
    validate_needs(need_tuple, allowed_headlines)
    return Assessment(
        id=id,
        episode_id=episode_id,
        number=number,
        status=AssessmentStatus.DRAFT,
        covered_person_ids=_person_ids(covered_person_ids),
        strengths=_strengths(strengths),
        needs=need_tuple,
        child_voice=_optional(child_voice),
        parents_view=_optional(parents_view),
        analysis=_optional(analysis),
        started_on=started_on,
    )


def validate_needs(needs: Sequence[Need], allowed_headlines: Collection[str]) -> None:
    """Each need has a configured headline, a description and at least one person; ids are unique.

    Seed 004:1518 (needs of each member); headline codes are local configuration (seed-digest
    §1.14, AMB-21), so they are checked against the set passed in.
    """
    seen: set[uuid.UUID] = set()
    for i, need in enumerate(needs):
        if need.id in seen:
            raise InvalidValue(
                "The same need is listed twice.",
                field=f"needs[{i}].id",
                code="assessment_need_repeated",
            )
        seen.add(need.id)
        if need.headline not in allowed_headlines:
            raise InvalidValue(
                f"'{need.headline}' is not a need headline this council uses.",
                field=f"needs[{i}].headline",
                code="need_headline_unknown",
            )
        if not need.description.strip():
            raise InvalidValue(
                "Describe the need in words the family would recognise.",
                field=f"needs[{i}].description",
                code="need_description_required",
            )
        if not need.person_ids:
            raise InvalidValue(
                "Say which family members the need is about.",
                field=f"needs[{i}].person_ids",
                code="need_people_required",
            )
        if len(set(need.person_ids)) != len(need.person_ids):
            raise InvalidValue(
                "A family member is named twice for this need.",
                field=f"needs[{i}].person_ids",
                code="need_person_repeated",
            )


def _person_ids(ids: Sequence[uuid.UUID]) -> tuple[uuid.UUID, ...]:
    people = tuple(ids)
    if len(set(people)) != len(people):
        raise InvalidValue(
            "A family member is named twice.",
            field="covered_person_ids",
            code="assessment_person_repeated",
        )
    return people


def _strengths(strengths: Sequence[str]) -> tuple[str, ...]:
    cleaned: list[str] = []
    for i, strength in enumerate(strengths):
        text = strength.strip()
        if not text:
            raise InvalidValue(
                "A strength must not be empty.", field=f"strengths[{i}]", code="strength_blank"
            )
        cleaned.append(text)
    return tuple(cleaned)


def _optional(text: str | None) -> str | None:
    if text is None:
        return None
    return text.strip() or None
