"""Episodes, the children they are about, and every clock they started."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import null, select, text, union_all
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from app.db.id_lists import one_of
from app.db.models import DeadlineRow, EpisodeChildRow, EpisodeRow
from app.db.repositories.scope import episode_in_scope
from app.db.repositories.versioned import row_to_save
from app.domain.episodes import (
    ClosureReason,
    Episode,
    EpisodeStage,
    FamilyLifeImproved,
    FamilyView,
    LeadAssignment,
    LevelChange,
    QaDecision,
    QaOutcome,
    RequestSource,
)
from app.domain.paging import Page, PageRequest, encode_cursor
from app.domain.timeliness import Deadline, DeadlineKind
from app.services.ports import EpisodeFilter

_SLOTS = {
    DeadlineKind.ASSESSMENT: "assessment_deadline",
    DeadlineKind.QUALITY_ASSURANCE: "quality_assurance_deadline",
    DeadlineKind.FIRST_TAF: "first_taf_deadline",
    DeadlineKind.REVIEW: "review_deadline",
}


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def qa_decision_to_json(d: QaDecision) -> dict[str, Any]:
    return {
        "outcome": d.outcome.value,
        "decided_on": d.decided_on.isoformat(),
        "officer_id": str(d.officer_id),
        "comments": d.comments,
        "plan_version": d.plan_version,
        "recorded_at": _instant_json(d.recorded_at),
    }


def qa_decision_from_json(d: dict[str, Any]) -> QaDecision:
    return QaDecision(
        outcome=QaOutcome(d["outcome"]),
        decided_on=date.fromisoformat(d["decided_on"]),
        officer_id=uuid.UUID(d["officer_id"]),
        comments=d["comments"],
        plan_version=d["plan_version"],
        recorded_at=_instant(d.get("recorded_at")),
    )


def _instant_json(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _instant(value: str | None) -> datetime | None:
    """An instant kept in JSON; entries from before migration 0015 have none."""
    return datetime.fromisoformat(value) if value else None


def lead_history_from_json(items: list[dict[str, Any]]) -> list[LeadAssignment]:
    """The episode's `lead_history` column as the domain's handovers."""
    return [
        LeadAssignment(
            practitioner_id=uuid.UUID(h["practitioner_id"]),
            from_practitioner_id=uuid.UUID(h["from_practitioner_id"])
            if h["from_practitioner_id"]
            else None,
            assigned_on=date.fromisoformat(h["assigned_on"]),
            reason=h["reason"],
            recorded_at=_instant(h.get("recorded_at")),
        )
        for h in items
    ]


def _deadline(row: Any) -> Deadline:
    """From a `DeadlineRow` or a row of its columns."""
    return Deadline(
        kind=DeadlineKind(row.kind),
        started_on=row.started_on,
        due_on=row.due_on,
        due_from=row.due_from,
        policy_version=row.policy_version,
        met_on=row.met_on,
        stopped_on=row.stopped_on,
    )


EPISODE_COLUMNS = tuple(EpisodeRow.__table__.columns)
"""For read-only queries: rows of these columns hydrate like `EpisodeRow`s, without the ORM's row
loading (a quarter of a worklist's CPU)."""

EPISODE_IS_OPEN = EpisodeRow.stage.in_(
    [stage.value for stage in EpisodeStage if stage is not EpisodeStage.CLOSED]
)
"""An open episode, in SQL: `IN` the open stages, so `(lead_practitioner_id, stage)` and
`(hub_id, stage)` serve it."""

# Built once: every episode read and write hydrates through this.
_CHILDREN_AND_DEADLINES_OF = union_all(
    select(
        EpisodeChildRow.episode_id,
        EpisodeChildRow.person_id,
        null().cast(DeadlineRow.kind.type).label("kind"),
        null().cast(DeadlineRow.started_on.type).label("started_on"),
        null().cast(DeadlineRow.due_on.type).label("due_on"),
        null().cast(DeadlineRow.due_from.type).label("due_from"),
        null().cast(DeadlineRow.policy_version.type).label("policy_version"),
        null().cast(DeadlineRow.met_on.type).label("met_on"),
        null().cast(DeadlineRow.stopped_on.type).label("stopped_on"),
    ).where(one_of(EpisodeChildRow.episode_id, "episode_ids")),
    select(
        DeadlineRow.episode_id,
        null().cast(EpisodeChildRow.person_id.type).label("person_id"),
        DeadlineRow.kind,
        DeadlineRow.started_on,
        DeadlineRow.due_on,
        DeadlineRow.due_from,
        DeadlineRow.policy_version,
        DeadlineRow.met_on,
        DeadlineRow.stopped_on,
    ).where(one_of(DeadlineRow.episode_id, "episode_ids")),
).order_by(text("person_id"), text("started_on"))
"""The children of the episodes (rows without a kind) and every clock they started (rows with
one), in one statement: one round trip fewer for every episode hydrated. Children come in
person id order and clocks in start order, as each list had when it was a statement of its own
(the other key is null within each kind of row). Columns, read on the connection: loading ORM
objects for every clock of every episode cost more than the query. Saving selects the rows it
changes itself (`_save_deadlines`)."""


class SqlEpisodeRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- loading ---------------------------------------------------------------------------------

    def hydrate(self, rows: Sequence[Any]) -> list[Episode]:
        """Domain episodes from `EpisodeRow`s or rows of `EPISODE_COLUMNS`."""
        ids = [r.id for r in rows]
        children: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
        current: dict[uuid.UUID, dict[str, Deadline]] = {i: {} for i in ids}
        earlier: dict[uuid.UUID, list[Deadline]] = {i: [] for i in ids}
        if ids:
            connection = self._session.connection()
            for row in connection.execute(_CHILDREN_AND_DEADLINES_OF, {"episode_ids": ids}):
                if row.kind is None:
                    children[row.episode_id].append(row.person_id)
                    continue
                replaced = current[row.episode_id].get(row.kind)
                if replaced is not None:
                    earlier[row.episode_id].append(replaced)
                current[row.episode_id][row.kind] = _deadline(row)
        episodes = [self._domain(r, tuple(children[r.id]), current[r.id]) for r in rows]
        for episode in episodes:
            episode.earlier_deadlines = earlier[episode.id]
        return episodes

    @staticmethod
    def _domain(
        row: Any, children: tuple[uuid.UUID, ...], deadlines: dict[str, Deadline]
    ) -> Episode:
        view = None
        if row.family_life_improved:
            view = FamilyView(
                improved=FamilyLifeImproved(row.family_life_improved),
                in_their_words=row.family_view_words or "",
            )
        return Episode(
            id=row.id,
            family_id=row.family_id,
            hub_id=row.hub_id,
            source=RequestSource(row.source),
            level_of_need=row.level_of_need,
            lead_practitioner_id=row.lead_practitioner_id,
            child_person_ids=children,
            requested_on=row.requested_on,
            stage=EpisodeStage(row.stage),
            previous_episode_id=row.previous_episode_id,
            step_down_reference=row.step_down_reference,
            step_down_notes=row.step_down_notes,
            consent_given_on=row.consent_given_on,
            consent_withdrawn_on=row.consent_withdrawn_on,
            assessment_deadline=deadlines.get(DeadlineKind.ASSESSMENT.value),
            quality_assurance_deadline=deadlines.get(DeadlineKind.QUALITY_ASSURANCE.value),
            first_taf_deadline=deadlines.get(DeadlineKind.FIRST_TAF.value),
            review_deadline=deadlines.get(DeadlineKind.REVIEW.value),
            assessment_started_on=row.assessment_started_on,
            plan_submitted_on=row.plan_submitted_on,
            plan_submissions=[date.fromisoformat(d) for d in row.plan_submissions],
            plan_submitted_recorded_at=row.plan_submitted_recorded_at,
            qa_decisions=[qa_decision_from_json(d) for d in row.qa_decisions],
            level_history=[
                LevelChange(
                    level=h["level"],
                    changed_on=date.fromisoformat(h["changed_on"]),
                    reason=h["reason"],
                    recorded_at=_instant(h.get("recorded_at")),
                )
                for h in row.level_history
            ],
            lead_history=lead_history_from_json(row.lead_history),
            meetings_held=row.meetings_held,
            last_meeting_on=row.last_meeting_on,
            closed_on=row.closed_on,
            closed_recorded_at=row.closed_recorded_at,
            closure_reason=ClosureReason(row.closure_reason) if row.closure_reason else None,
            family_view=view,
            closure_notes=row.closure_notes,
            stepped_up_reference=row.stepped_up_reference,
            version=row.version,
        )

    def get(self, episode_id: uuid.UUID) -> Episode | None:
        row = self._session.get(EpisodeRow, episode_id)
        return self.hydrate([row])[0] if row else None

    def get_many(self, episode_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Episode]:
        if not episode_ids:
            return {}
        rows = list(
            self._session.scalars(select(EpisodeRow).where(EpisodeRow.id.in_(list(episode_ids))))
        )
        return {e.id: e for e in self.hydrate(rows)}

    def for_families(self, family_ids: Sequence[uuid.UUID]) -> list[Episode]:
        if not family_ids:
            return []
        rows = list(
            self._session.scalars(
                select(EpisodeRow)
                .where(EpisodeRow.family_id.in_(list(family_ids)))
                .order_by(EpisodeRow.requested_on, EpisodeRow.id)
            )
        )
        return self.hydrate(rows)

    def for_family(self, family_id: uuid.UUID) -> list[Episode]:
        rows = list(
            self._session.scalars(
                select(EpisodeRow)
                .where(EpisodeRow.family_id == family_id)
                .order_by(EpisodeRow.requested_on, EpisodeRow.id)
            )
        )
        return self.hydrate(rows)

    def search(self, flt: EpisodeFilter, page: PageRequest) -> Page[Episode]:
        """Newest request first, then id: stable under inserts."""
        stmt = (
            select(EpisodeRow)
            .order_by(EpisodeRow.requested_on.desc(), EpisodeRow.id.desc())
            .limit(page.limit + 1)
        )
        if flt.family_id:
            stmt = stmt.where(EpisodeRow.family_id == flt.family_id)
        if flt.hub_id:
            stmt = stmt.where(EpisodeRow.hub_id == flt.hub_id)
        if flt.lead_practitioner_id:
            stmt = stmt.where(EpisodeRow.lead_practitioner_id == flt.lead_practitioner_id)
        if flt.stage:
            stmt = stmt.where(EpisodeRow.stage == flt.stage)
        if flt.scope is not None:
            stmt = stmt.where(episode_in_scope(flt.scope))
        if flt.open_only:
            stmt = stmt.where(EpisodeRow.stage != EpisodeStage.CLOSED.value)
        after = page.after_key(date.fromisoformat, uuid.UUID)
        if after is not None:
            on, eid = after
            stmt = stmt.where(
                (EpisodeRow.requested_on < on)
                | ((EpisodeRow.requested_on == on) & (EpisodeRow.id < eid))
            )
        rows = list(self._session.scalars(stmt))
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        cursor = encode_cursor((rows[-1].requested_on.isoformat(), rows[-1].id)) if more else None
        return Page(items=self.hydrate(rows), next_cursor=cursor)

    def deadline_history(self, episode_id: uuid.UUID) -> list[Deadline]:
        rows = self._session.scalars(
            select(DeadlineRow)
            .where(DeadlineRow.episode_id == episode_id)
            .order_by(DeadlineRow.started_on, DeadlineRow.kind)
        )
        return [_deadline(r) for r in rows]

    # --- storing ---------------------------------------------------------------------------------

    def add(self, episode: Episode, *, at: datetime) -> None:
        row = EpisodeRow(id=episode.id, created_at=at, updated_at=at)
        self._apply(row, episode)
        self._session.add(row)
        self._session.flush()
        for person_id in episode.child_person_ids:
            self._session.add(EpisodeChildRow(episode_id=episode.id, person_id=person_id))
        self._save_deadlines(episode, at)
        self._session.flush()
        episode.version = row.version

    def save(self, episode: Episode, *, at: datetime) -> None:
        row = row_to_save(self._session, EpisodeRow, episode.id, episode.version)
        self._apply(row, episode)
        row.updated_at = at
        flag_modified(row, "updated_at")
        # The episode row first: its versioned UPDATE takes the row lock, so a concurrent writer
        # waits here and then fails the version check, before it touches any deadline row.
        self._session.flush()
        self._save_deadlines(episode, at)
        self._session.flush()
        episode.version = row.version

    @staticmethod
    def _apply(row: EpisodeRow, e: Episode) -> None:
        row.family_id = e.family_id
        row.hub_id = e.hub_id
        row.source = e.source.value
        row.level_of_need = e.level_of_need
        row.lead_practitioner_id = e.lead_practitioner_id
        row.requested_on = e.requested_on
        row.stage = e.stage.value
        row.previous_episode_id = e.previous_episode_id
        row.step_down_reference = e.step_down_reference
        row.step_down_notes = e.step_down_notes
        row.consent_given_on = e.consent_given_on
        row.consent_withdrawn_on = e.consent_withdrawn_on
        row.assessment_started_on = e.assessment_started_on
        row.plan_submitted_on = e.plan_submitted_on
        row.plan_submissions = [d.isoformat() for d in e.plan_submissions]
        row.plan_submitted_recorded_at = e.plan_submitted_recorded_at
        row.meetings_held = e.meetings_held
        row.last_meeting_on = e.last_meeting_on
        row.closed_on = e.closed_on
        row.closed_recorded_at = e.closed_recorded_at
        row.closure_reason = e.closure_reason.value if e.closure_reason else None
        row.family_life_improved = e.family_view.improved.value if e.family_view else None
        row.family_view_words = e.family_view.in_their_words if e.family_view else None
        row.closure_notes = e.closure_notes
        row.stepped_up_reference = e.stepped_up_reference
        row.qa_decisions = [qa_decision_to_json(d) for d in e.qa_decisions]
        row.level_history = [
            {
                "level": h.level,
                "changed_on": h.changed_on.isoformat(),
                "reason": h.reason,
                "recorded_at": _instant_json(h.recorded_at),
            }
            for h in e.level_history
        ]
        row.lead_history = [
            {
                "practitioner_id": str(h.practitioner_id),
                "from_practitioner_id": str(h.from_practitioner_id)
                if h.from_practitioner_id
                else None,
                "assigned_on": h.assigned_on.isoformat(),
                "reason": h.reason,
                "recorded_at": _instant_json(h.recorded_at),
            }
            for h in e.lead_history
        ]

    def _save_deadlines(self, episode: Episode, at: datetime) -> None:
        """Insert new clocks and update changed ones, noting when a clock's start and its end
        (met or stopped) were recorded: `known_at` reports read them (issue 18 §2)."""
        stored = {
            (r.kind, r.started_on): r
            for r in self._session.scalars(
                select(DeadlineRow).where(DeadlineRow.episode_id == episode.id)
            )
        }
        current: list[Deadline | None] = [
            getattr(episode, attribute) for attribute in _SLOTS.values()
        ]
        for deadline in [*episode.settled_deadlines, *current]:
            if deadline is None:
                continue
            key = (deadline.kind.value, deadline.started_on)
            row = stored.get(key)
            if row is None:
                row = DeadlineRow(
                    id=uuid.uuid4(),
                    episode_id=episode.id,
                    kind=key[0],
                    started_on=deadline.started_on,
                    recorded_at=at,
                )
                stored[key] = row
                self._session.add(row)
            ended = deadline.met_on is not None or deadline.stopped_on is not None
            if ended and row.met_on is None and row.stopped_on is None:
                row.ended_recorded_at = at
            row.due_from = deadline.due_from
            row.due_on = deadline.due_on
            row.met_on = deadline.met_on
            row.stopped_on = deadline.stopped_on
            row.policy_version = deadline.policy_version
