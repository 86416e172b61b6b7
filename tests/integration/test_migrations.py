"""The migrations are the schema: they match the models and they go down and up again cleanly."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from app.db.base import Base, UtcDateTime
from app.db.engine import make_engine, make_session_factory
from app.db.migrations_state import alembic_config, is_at_head, upgrade_to_head
from app.db.unit_of_work import SqlUnitOfWork
from app.domain.audit import LegacyEntry, legacy_entry_hash, new_legacy_entry
from app.services.audit import verify_audit_chain
from app.services.ports import AuditRecord
from tests.conftest import AUDIT_KEYS, DATABASES, ThrowawayPostgres, new_database
from tests.tampering import past_the_audit_triggers


@pytest.fixture(params=DATABASES)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    target = new_database(request.param, tmp_path)
    if isinstance(target, ThrowawayPostgres):
        with target as url:
            yield url
    else:
        yield target


EXPRESSION_INDEXES = {
    "ix_episode_deadlines_running_due_on_id": (
        "CASE WHEN",
        "met_on IS NULL",
        "stopped_on IS NULL",
        "THEN due_on",
    )
}
"""Indexes on an expression, by name, with the fragments of the expression each must index.

Alembic cannot compare these: SQLite's reflection skips them, and PostgreSQL gives back its own
rewriting of the expression (`ELSE NULL::date`), which no portable model text can equal. They are
left out of the comparison below and checked by name and expression instead."""


def _not_an_expression_index(
    _object: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


def test_the_migrated_schema_matches_the_models(empty_database: str) -> None:
    upgrade_to_head(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_object": _not_an_expression_index,
            },
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_the_expression_indexes_are_migrated_on_their_expressions(empty_database: str) -> None:
    upgrade_to_head(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            rows = connection.exec_driver_sql("SELECT indexname, indexdef FROM pg_indexes")
        else:
            rows = connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            )
        definitions = {name: " ".join(definition.split()) for name, definition in rows}
    engine.dispose()
    for name, fragments in EXPRESSION_INDEXES.items():
        assert all(f in definitions[name] for f in fragments), definitions.get(name)
    model_indexes = {
        index.name: index for table in Base.metadata.tables.values() for index in table.indexes
    }
    assert set(EXPRESSION_INDEXES) <= set(model_indexes)


def test_upgrade_downgrade_upgrade_round_trips(empty_database: str) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = make_engine(empty_database)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert is_at_head(engine)
    assert {"families", "people", "consents"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_the_databases_live_claim_index_holds_the_domains_live_states() -> None:
    """The partial unique index (one live claim per family and phase) names the states the domain
    treats as live; the model keeps literals because the migrations were written from them."""
    from app.db.models import CLAIM_STATES, LIVE_CLAIM_STATES
    from app.domain.supporting_families import LIVE_CLAIM_STATES as DOMAIN_LIVE
    from app.domain.supporting_families import ClaimState

    assert set(LIVE_CLAIM_STATES) == {s.value for s in DOMAIN_LIVE}
    assert set(CLAIM_STATES) == {s.value for s in ClaimState}


# --- the audit trail across revision 0010 (keyed seals) ------------------------------------------

LEGACY_ENTRIES = 5
LEGACY_AT = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


def _legacy_chain() -> list[LegacyEntry]:
    chain: list[LegacyEntry] = []
    for n in range(LEGACY_ENTRIES):
        chain.append(
            new_legacy_entry(
                chain[-1] if chain else None,
                occurred_at=LEGACY_AT + timedelta(minutes=n),
                actor_id=uuid.UUID(int=n + 1),
                actor_roles=("lead_professional",),
                action="read_family",
                resource_type="family",
                resource_id=str(uuid.UUID(int=100)),
                family_id=uuid.UUID(int=100),
                request_id=f"before-{n}",
                outcome="allowed",
            )
        )
    return chain


def _written_by_the_old_code(engine: Engine, chain: list[LegacyEntry]) -> None:
    """The rows and head the unkeyed writer (revision 0009) left."""
    texts = ["action", "resource_type", "resource_id", "request_id", "outcome"]
    texts += ["break_glass_reason", "previous_hash", "entry_hash"]
    columns: list[sa.ColumnClause[Any]] = [
        sa.column("sequence", sa.Integer),
        sa.column("occurred_at", UtcDateTime),
        sa.column("actor_id", sa.Uuid),
        sa.column("actor_roles", sa.JSON),
        sa.column("family_id", sa.Uuid),
        *(sa.column(name, sa.String) for name in texts),
    ]
    entries = sa.table("audit_entries", *columns)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(entries),
            [{c.name: getattr(e, c.name) for c in columns} for e in chain],
        )
        connection.execute(
            sa.text("UPDATE audit_head SET sequence = :s, entry_hash = :h WHERE id = 1"),
            {"s": chain[-1].sequence, "h": chain[-1].entry_hash},
        )


def _migrated_then_extended(database_url: str) -> tuple[Engine, SqlUnitOfWork]:
    config = alembic_config(database_url)
    command.upgrade(config, "0009")
    engine = make_engine(database_url)
    _written_by_the_old_code(engine, _legacy_chain())
    command.upgrade(config, "head")
    uow = SqlUnitOfWork(make_session_factory(engine), audit_keys=AUDIT_KEYS)
    for n in range(3):
        record = AuditRecord(
            actor_id=uuid.UUID(int=9),
            actor_roles=("manager",),
            action="read_access_log",
            resource_type="access_log",
            outcome="allowed",
            request_id=f"after-{n}",
        )
        with uow:
            uow.audit.append([record, record], at=LEGACY_AT + timedelta(days=1))
            uow.commit()
    return engine, uow


def test_a_chain_written_before_keyed_seals_still_verifies_once_migrated_and_extended(
    empty_database: str,
) -> None:
    engine, uow = _migrated_then_extended(empty_database)
    verdict = verify_audit_chain(uow)
    assert verdict.ok, verdict.problem
    assert verdict.checked == LEGACY_ENTRIES + 6
    with uow:
        stored = list(uow.audit.entries())
        sealed = [s.seal for s in uow.audit.sealed_entries()]
    engine.dispose()
    # The old entries keep their places; the new ones are numbered on after them.
    assert [e.id for e in stored] == list(range(1, LEGACY_ENTRIES + 7))
    assert [e.request_id for e in stored[:LEGACY_ENTRIES]] == [
        f"before-{n}" for n in range(LEGACY_ENTRIES)
    ]
    assert [s.sequence for s in sealed] == list(range(LEGACY_ENTRIES + 1, LEGACY_ENTRIES + 7))
    assert [s.entry_id for s in sealed] == [e.id for e in stored[LEGACY_ENTRIES:]]


def test_rewriting_an_entry_from_before_keyed_seals_is_detected_at_the_first_keyed_seal(
    empty_database: str,
) -> None:
    engine, uow = _migrated_then_extended(empty_database)
    rewritten = _legacy_chain()
    rewritten[1] = replace(rewritten[1], outcome="denied")
    for i in range(1, LEGACY_ENTRIES):  # and every unkeyed hash after it, as anyone could
        relinked = replace(rewritten[i], previous_hash=rewritten[i - 1].entry_hash)
        rewritten[i] = replace(relinked, entry_hash=legacy_entry_hash(relinked))
    with engine.begin() as connection, past_the_audit_triggers(connection):
        for entry in rewritten[1:]:
            connection.execute(
                sa.text(
                    "UPDATE audit_entries SET outcome = :o, previous_hash = :p, entry_hash = :h"
                    " WHERE id = :i"
                ),
                {
                    "o": entry.outcome,
                    "p": entry.previous_hash,
                    "h": entry.entry_hash,
                    "i": entry.sequence,
                },
            )
    verdict = verify_audit_chain(uow)
    engine.dispose()
    assert not verdict.ok
    assert verdict.first_bad_sequence == LEGACY_ENTRIES + 1


def test_downgrading_below_keyed_seals_is_refused_once_keyed_entries_exist(
    empty_database: str,
) -> None:
    engine, _uow = _migrated_then_extended(empty_database)
    engine.dispose()
    with pytest.raises(RuntimeError, match="would have to rewrite the audit trail"):
        command.downgrade(alembic_config(empty_database), "0009")


def test_the_security_events_index_holds_every_access_change_the_domain_records(
    empty_database: str,
) -> None:
    """The model keeps the actions as literals (the migration was written from them); a new role
    needs a migration widening the index, and this fails until it exists."""
    from app.db.models import ACCESS_CHANGE_ACTIONS
    from app.domain.security_events import ACCESS_CHANGE_ACTIONS as DOMAIN_ACTIONS

    assert set(ACCESS_CHANGE_ACTIONS) == DOMAIN_ACTIONS
    upgrade_to_head(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            definition = connection.exec_driver_sql(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_audit_entries_security_events'"
            ).scalar_one()
        else:
            definition = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'ix_audit_entries_security_events'"
            ).scalar_one()
    engine.dispose()
    assert all(f"'{action}'" in definition for action in DOMAIN_ACTIONS), definition
    assert "break_glass_reason IS NOT NULL" in definition


def test_dated_steps_are_backfilled_from_what_the_rows_tell_exactly(empty_database: str) -> None:
    """Migration 0015: an episode recorded before it keeps its assessment's start day, and the
    assessment's start, completion and the closure get the times the rows were written; the plan
    submission, whose row changed again after it, stays unknown (null)."""
    config = alembic_config(empty_database)
    command.upgrade(config, "0013")
    created = datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
    completed = datetime(2024, 3, 25, 16, 0, tzinfo=UTC)
    closed = datetime(2024, 9, 30, 12, 0, tzinfo=UTC)
    hub, family, lead, episode, assessment = (uuid.uuid4() for _ in range(5))
    stamps = {"created_at": created, "updated_at": created}
    types: dict[str, Any] = {
        **dict.fromkeys(
            ["id", "hub_id", "family_id", "episode_id", "lead_practitioner_id"], sa.Uuid()
        ),
        **dict.fromkeys(
            [
                "created_at",
                "updated_at",
                "plan_submitted_recorded_at",
                "closed_recorded_at",
                "started_recorded_at",
                "completed_recorded_at",
            ],
            UtcDateTime(),
        ),
        **dict.fromkeys(
            [
                "requested_on",
                "closed_on",
                "plan_submitted_on",
                "started_on",
                "completed_on",
                "assessment_started_on",
            ],
            sa.Date(),
        ),
        **dict.fromkeys(
            [
                "roles",
                "qa_decisions",
                "level_history",
                "lead_history",
                "covered_person_ids",
                "strengths",
                "needs",
            ],
            sa.JSON(),
        ),
    }

    def table(name: str, *columns: str) -> sa.TableClause:
        return sa.table(name, *(sa.column(c, types.get(c)) for c in columns))

    engine = make_engine(empty_database)
    with engine.begin() as connection:

        def insert(table_name: str, /, **row: Any) -> None:
            connection.execute(sa.insert(table(table_name, *row)).values(**row))

        insert("hubs", id=hub, code="NORTH", name="North", active=True)
        insert("agencies", code="EH", name="Early Help", kind="council", active=True)
        insert(
            "practitioners",
            id=lead,
            name="Lena Lead",
            email="lena@x.example",
            agency_code="EH",
            roles=["practitioner"],
            active=True,
            version=1,
            **stamps,
        )
        insert(
            "families",
            id=family,
            reference="FH-1",
            address_line1="12 Cedar Road",
            postcode="FY1 3HT",
            hub_id=hub,
            version=1,
            **stamps,
        )
        insert(
            "episodes",
            id=episode,
            family_id=family,
            hub_id=hub,
            source="school",
            level_of_need="2",
            lead_practitioner_id=lead,
            requested_on=date(2024, 3, 1),
            stage="closed",
            meetings_held=0,
            closed_on=date(2024, 9, 30),
            closure_reason="moved_away",
            plan_submitted_on=date(2024, 3, 27),
            qa_decisions=[],
            level_history=[],
            lead_history=[],
            version=9,
            created_at=created,
            updated_at=closed,
        )
        insert(
            "assessments",
            id=assessment,
            episode_id=episode,
            number=1,
            status="completed",
            covered_person_ids=[],
            strengths=[],
            needs=[],
            started_on=date(2024, 3, 5),
            completed_on=date(2024, 3, 25),
            version=3,
            created_at=created,
            updated_at=completed,
        )
    command.upgrade(config, "head")
    episodes = table(
        "episodes",
        "id",
        "assessment_started_on",
        "plan_submitted_recorded_at",
        "closed_recorded_at",
    )
    assessments = table("assessments", "id", "started_recorded_at", "completed_recorded_at")
    with engine.connect() as connection:
        e = connection.execute(sa.select(episodes).where(episodes.c.id == episode)).one()
        a = connection.execute(sa.select(assessments).where(assessments.c.id == assessment)).one()
    engine.dispose()
    assert e.assessment_started_on == date(2024, 3, 5)
    assert e.plan_submitted_recorded_at is None
    assert e.closed_recorded_at == closed
    assert (a.started_recorded_at, a.completed_recorded_at) == (created, completed)


def test_a_family_help_record_from_before_0027_has_no_child_protection_and_reads_back(
    empty_database: str,
) -> None:
    """Migration 0027: an s17 record stored before it gains empty s.47 enquiries and child
    protection plans, reads back through the repository, and the downgrade drops them again."""
    config = alembic_config(empty_database)
    command.upgrade(config, "0026")
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    hub, family, lead, episode = (uuid.uuid4() for _ in range(4))
    types: dict[str, Any] = {
        **dict.fromkeys(
            ["id", "hub_id", "family_id", "episode_id", "lead_practitioner_id"], sa.Uuid()
        ),
        **dict.fromkeys(["created_at", "updated_at"], UtcDateTime()),
        **dict.fromkeys(["requested_on", "census_referral_on"], sa.Date()),
        **dict.fromkeys(
            [
                "roles",
                "plan_submissions",
                "qa_decisions",
                "level_history",
                "lead_history",
                "transitions",
                "allocations",
            ],
            sa.JSON(),
        ),
    }
    stamps = {"created_at": at, "updated_at": at}
    engine = make_engine(empty_database)
    with engine.begin() as connection:

        def insert(table_name: str, /, **row: Any) -> None:
            table = sa.table(table_name, *(sa.column(c, types.get(c)) for c in row))
            connection.execute(sa.insert(table).values(**row))

        insert("hubs", id=hub, code="NORTH", name="North", active=True)
        insert("agencies", code="EH", name="Early Help", kind="council", active=True)
        insert(
            "practitioners",
            id=lead,
            name="Lena Lead",
            email="lena@x.example",
            agency_code="EH",
            roles=["practitioner"],
            active=True,
            registered_social_worker=False,
            version=1,
            **stamps,
        )
        insert(
            "families",
            id=family,
            reference="FH-1",
            address_line1="12 Cedar Road",
            postcode="FY1 3HT",
            hub_id=hub,
            version=1,
            **stamps,
        )
        insert(
            "episodes",
            id=episode,
            family_id=family,
            hub_id=hub,
            source="school",
            level_of_need="2",
            lead_practitioner_id=lead,
            requested_on=date(2026, 2, 2),
            stage="requested",
            meetings_held=0,
            plan_submissions=[],
            qa_decisions=[],
            level_history=[],
            lead_history=[],
            version=1,
            **stamps,
        )
        insert(
            "episode_family_help",
            episode_id=episode,
            episode_type="family_help",
            statutory_basis="s17",
            transitions=[],
            allocations=[],
            census_referral_on=date(2026, 3, 2),
            version=1,
            **stamps,
        )
    command.upgrade(config, "head")
    uow = SqlUnitOfWork(make_session_factory(engine), audit_keys=AUDIT_KEYS)
    with uow:
        record = uow.family_help.get(episode)
    assert record is not None
    assert record.census.referral_on == date(2026, 3, 2)
    assert not record.child_protection.recorded
    command.downgrade(config, "0026")
    columns = {c["name"] for c in inspect(engine).get_columns("episode_family_help")}
    assert not {"census_s47_enquiries", "census_cp_plans"} & columns
    engine.dispose()


def test_allocations_recorded_before_0029_are_copied_into_rows_for_the_access_scope(
    empty_database: str,
) -> None:
    """Migration 0029: an s.47 episode's lead child protection practitioner and co-worker, kept
    only in the Family Help record's JSON before it, are found by the access scope after it (an
    ended allocation with its end date)."""
    from alembic.script import ScriptDirectory

    from app.db.models import (
        AgencyRow,
        EpisodeAllocationRow,
        EpisodeFamilyHelpRow,
        EpisodeRow,
        FamilyRow,
        HubRow,
        PractitionerRow,
    )

    config = alembic_config(empty_database)
    command.upgrade(config, "head")
    before_0029 = ScriptDirectory.from_config(config).get_revision("0029").down_revision
    at = datetime(2026, 5, 1, 9, tzinfo=UTC)
    stamps = {"created_at": at, "updated_at": at}
    hub, family, episode = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    lead, cp_lead = uuid.uuid4(), uuid.uuid4()
    allocations = [
        (uuid.uuid4(), lead, "family_help_lead_practitioner", date(2026, 3, 2), date(2026, 4, 1)),
        (uuid.uuid4(), lead, "co_worker", date(2026, 4, 1), None),
        (uuid.uuid4(), cp_lead, "lead_child_protection_practitioner", date(2026, 4, 1), None),
    ]
    engine = make_engine(empty_database)
    command.downgrade(config, str(before_0029))
    with engine.begin() as connection:
        # The tables' own rows, written raw with the columns of the revision before 0029.
        def insert(table: Any, **row: Any) -> None:
            columns = (sa.column(c, table.__table__.c[c].type) for c in row)
            connection.execute(sa.insert(sa.table(table.__tablename__, *columns)).values(**row))

        insert(HubRow, id=hub, code="NORTH", name="North", active=True)
        insert(AgencyRow, code="EH", name="Early Help", kind="council", active=True)
        for who, name in ((lead, "Lena Lead"), (cp_lead, "Chris Protection")):
            insert(
                PractitionerRow,
                id=who,
                name=name,
                email=f"{who.hex[:8]}@x.example",
                agency_code="EH",
                roles=["practitioner"],
                active=True,
                registered_social_worker=who == cp_lead,
                version=1,
                **stamps,
            )
        insert(
            FamilyRow,
            id=family,
            reference="FH-1",
            address_line1="12 Cedar Road",
            postcode="FY1 3HT",
            hub_id=hub,
            version=1,
            **stamps,
        )
        insert(
            EpisodeRow,
            id=episode,
            family_id=family,
            hub_id=hub,
            source="school",
            level_of_need="2",
            lead_practitioner_id=lead,
            requested_on=date(2026, 3, 1),
            stage="assessing",
            meetings_held=0,
            qa_decisions=[],
            level_history=[],
            lead_history=[],
            plan_submissions=[],
            version=1,
            **stamps,
        )
        insert(
            EpisodeFamilyHelpRow,
            episode_id=episode,
            episode_type="family_help",
            statutory_basis="s47",
            transitions=[],
            census_s47_enquiries=[],
            census_cp_plans=[],
            allocations=[
                {
                    "id": str(aid),
                    "practitioner_id": str(who),
                    "role": role,
                    "started_on": started.isoformat(),
                    "ended_on": ended.isoformat() if ended else None,
                    "chosen_with_family": None,
                    "family_choice_note": None,
                    "end_reason": None,
                    "recorded_at": None,
                }
                for aid, who, role, started, ended in allocations
            ],
            version=1,
            **stamps,
        )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        copied = connection.execute(
            sa.select(
                EpisodeAllocationRow.id,
                EpisodeAllocationRow.practitioner_id,
                EpisodeAllocationRow.role,
                EpisodeAllocationRow.started_on,
                EpisodeAllocationRow.ended_on,
            ).where(EpisodeAllocationRow.episode_id == episode)
        ).all()
    engine.dispose()
    assert sorted(tuple(r) for r in copied) == sorted(allocations)


def test_a_requests_documents_are_filed_under_no_family_and_go_when_migrated_down(
    empty_database: str,
) -> None:
    """Migration 0028: a request for support's document has no family (the request's rules
    apply); every other kind still needs one. Going back below it removes the requests'
    documents with their content, since the older schema has nowhere to keep them."""
    config = alembic_config(empty_database)
    command.upgrade(config, "0028")
    engine = make_engine(empty_database)
    documents = sa.table(
        "documents",
        *(sa.column(c) for c in ("title", "filename", "doc_type", "sha256", "owner_kind")),
        *(sa.column(c, sa.Uuid()) for c in ("id", "family_id", "owner_id", "uploaded_by")),
        *(sa.column(c, sa.Integer()) for c in ("size_bytes", "chunk_count", "version")),
        sa.column("sensitive", sa.Boolean()),
        sa.column("visible_to", sa.JSON()),
        sa.column("dated_on", sa.Date()),
        sa.column("uploaded_at", UtcDateTime()),
    )
    chunks = sa.table(
        "document_chunks",
        sa.column("document_id", sa.Uuid()),
        sa.column("seq", sa.Integer()),
        sa.column("data", sa.LargeBinary()),
    )

    def document(owner_kind: str) -> dict[str, Any]:
        return {
            "id": uuid.uuid4(),
            "family_id": None,
            "owner_kind": owner_kind,
            "owner_id": uuid.uuid4(),
            "title": "Referral letter",
            "filename": "letter.pdf",
            "doc_type": "pdf",
            "size_bytes": 9,
            "sha256": "0" * 64,
            "chunk_count": 1,
            "sensitive": False,
            "visible_to": [],
            "dated_on": date(2025, 1, 2),
            "uploaded_at": datetime(2025, 1, 2, 9, 0, tzinfo=UTC),
            "uploaded_by": uuid.uuid4(),
            "version": 1,
        }

    letter = document("request")
    with engine.begin() as connection:
        connection.execute(sa.insert(documents).values(**letter))
        connection.execute(
            sa.insert(chunks).values(document_id=letter["id"], seq=0, data=b"%PDF-1.7\n")
        )
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(sa.insert(documents).values(**document("family")))
    engine.dispose()

    command.downgrade(config, "0026")
    engine = make_engine(empty_database)
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(documents)).scalar() == 0
        assert connection.execute(sa.select(sa.func.count()).select_from(chunks)).scalar() == 0
    family_id = next(
        c for c in inspect(engine).get_columns("documents") if c["name"] == "family_id"
    )
    assert family_id["nullable"] is False
    engine.dispose()


def test_a_person_from_before_0033_has_no_disabilities_recorded_and_reads_back(
    empty_database: str,
) -> None:
    """Migration 0033: a person stored before it reads back with no disabilities recorded (not
    NONE, which would say the child has none), and the downgrade drops the column again."""
    config = alembic_config(empty_database)
    command.upgrade(config, "0028")
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    person = uuid.uuid4()
    engine = make_engine(empty_database)
    row: dict[str, Any] = {
        "id": person,
        "given_name": "Ava",
        "family_name": "Hughes",
        "given_name_key": "ava",
        "family_name_key": "hughes",
        "given_name_soundex": "A100",
        "family_name_soundex": "H220",
        "date_of_birth": date(2017, 6, 1),
        "send": True,
        "contact_restricted": False,
        "restriction_visible_to": [],
        "version": 1,
        "created_at": at,
        "updated_at": at,
    }
    types: dict[str, Any] = {
        "id": sa.Uuid(),
        "date_of_birth": sa.Date(),
        "restriction_visible_to": sa.JSON(),
        "created_at": UtcDateTime(),
        "updated_at": UtcDateTime(),
    }
    with engine.begin() as connection:
        table = sa.table("people", *(sa.column(c, types.get(c)) for c in row))
        connection.execute(sa.insert(table).values(**row))
    command.upgrade(config, "head")
    uow = SqlUnitOfWork(make_session_factory(engine), audit_keys=AUDIT_KEYS)
    with uow:
        stored = uow.people.get(person)
    assert stored is not None
    assert (stored.send, stored.disabilities) == (True, ())
    command.downgrade(config, "0028")
    assert "disabilities" not in {c["name"] for c in inspect(engine).get_columns("people")}
    engine.dispose()
