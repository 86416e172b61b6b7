"""Family plans: outcomes stored with the plan, actions in their own rows (assigned work is queried)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from app.db.models import FamilyPlanRow, PlanActionRow
from app.db.repositories.episodes import qa_decision_from_json, qa_decision_to_json
from app.db.repositories.versioned import row_to_save
from app.domain.plans import Action, ActionStatus, FamilyPlan, Outcome, PlanStatus


class SqlPlanRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _hydrate(self, rows: Sequence[FamilyPlanRow]) -> list[FamilyPlan]:
        ids = [r.id for r in rows]
        actions: dict[uuid.UUID, list[Action]] = {i: [] for i in ids}
        if ids:
            for a in self._session.scalars(
                select(PlanActionRow)
                .where(PlanActionRow.plan_id.in_(ids))
                .order_by(PlanActionRow.position)
            ):
                actions[a.plan_id].append(
                    Action(
                        id=a.id,
                        outcome_id=a.outcome_id,
                        description=a.description,
                        owner_taf_member_id=a.owner_taf_member_id,
                        owner_person_id=a.owner_person_id,
                        due_on=a.due_on,
                        status=ActionStatus(a.status),
                    )
                )
        return [
            FamilyPlan(
                id=r.id,
                episode_id=r.episode_id,
                number=r.number,
                status=PlanStatus(r.status),
                outcomes=tuple(
                    Outcome(
                        id=uuid.UUID(o["id"]),
                        description=o["description"],
                        need_ids=tuple(uuid.UUID(n) for n in o["need_ids"]),
                        measure=o["measure"],
                        baseline_score=o["baseline_score"],
                    )
                    for o in r.outcomes
                ),
                actions=tuple(actions[r.id]),
                qa_decisions=[qa_decision_from_json(d) for d in r.qa_decisions],
                submitted_on=r.submitted_on,
                submitted_recorded_at=r.submitted_recorded_at,
                agreed_on=r.agreed_on,
                version=r.version,
            )
            for r in rows
        ]

    def get(self, plan_id: uuid.UUID) -> FamilyPlan | None:
        row = self._session.get(FamilyPlanRow, plan_id)
        return self._hydrate([row])[0] if row else None

    def for_episodes(self, episode_ids: Sequence[uuid.UUID]) -> list[FamilyPlan]:
        if not episode_ids:
            return []
        rows = list(
            self._session.scalars(
                select(FamilyPlanRow)
                .where(FamilyPlanRow.episode_id.in_(list(episode_ids)))
                .order_by(FamilyPlanRow.episode_id, FamilyPlanRow.number)
            )
        )
        return self._hydrate(rows)

    def for_episode(self, episode_id: uuid.UUID) -> list[FamilyPlan]:
        rows = list(
            self._session.scalars(
                select(FamilyPlanRow)
                .where(FamilyPlanRow.episode_id == episode_id)
                .order_by(FamilyPlanRow.number)
            )
        )
        return self._hydrate(rows)

    def add(self, plan: FamilyPlan, *, at: datetime) -> None:
        row = FamilyPlanRow(id=plan.id, created_at=at, updated_at=at)
        self._apply(row, plan)
        self._session.add(row)
        self._session.flush()
        self._save_actions(plan)
        plan.version = row.version

    def save(self, plan: FamilyPlan, *, at: datetime) -> None:
        row = row_to_save(self._session, FamilyPlanRow, plan.id, plan.version)
        self._apply(row, plan)
        row.updated_at = at
        flag_modified(row, "updated_at")
        # The plan row first: its versioned UPDATE takes the row lock, so a concurrent writer
        # waits here and then fails the version check (412) before it touches the actions (409).
        self._session.flush()
        self._save_actions(plan)
        self._session.flush()
        plan.version = row.version

    @staticmethod
    def _apply(row: FamilyPlanRow, p: FamilyPlan) -> None:
        row.episode_id = p.episode_id
        row.number = p.number
        row.status = p.status.value
        row.outcomes = [
            {
                "id": str(o.id),
                "description": o.description,
                "need_ids": [str(n) for n in o.need_ids],
                "measure": o.measure,
                "baseline_score": o.baseline_score,
            }
            for o in p.outcomes
        ]
        row.qa_decisions = [qa_decision_to_json(d) for d in p.qa_decisions]
        row.submitted_on = p.submitted_on
        row.submitted_recorded_at = p.submitted_recorded_at
        row.agreed_on = p.agreed_on

    def _save_actions(self, plan: FamilyPlan) -> None:
        self._session.execute(delete(PlanActionRow).where(PlanActionRow.plan_id == plan.id))
        for position, a in enumerate(plan.actions):
            self._session.add(
                PlanActionRow(
                    id=a.id,
                    plan_id=plan.id,
                    position=position,
                    outcome_id=a.outcome_id,
                    description=a.description,
                    owner_taf_member_id=a.owner_taf_member_id,
                    owner_person_id=a.owner_person_id,
                    due_on=a.due_on,
                    status=a.status.value,
                )
            )
        self._session.flush()
