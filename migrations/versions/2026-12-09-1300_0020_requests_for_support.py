"""requests for support at the front door and their screening decision

Revision ID: 0020
Revises: 0022
Create Date: 2026-12-09 13:00:00

Issue 19 §1: a request arrives at the front door and a front door officer screens it. A new
table (the policy's screening rule lives in the policy document, whose stored versions without it
read the default of 1 working day), and the new role `front_door_officer`: its grants and
revocations are security events, so the security events index (revision 0012) is rebuilt with
them in its predicate, concurrently on PostgreSQL as 0012 built it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0022"
branch_labels = None
depends_on = None

_INSTANT = sa.DateTime(timezone=True)

INDEX = "ix_audit_entries_security_events"
_BEFORE = (
    "deactivate_practitioner",
    "grant_role:admin",
    "grant_role:auditor",
    "grant_role:link_worker",
    "grant_role:manager",
    "grant_role:practitioner",
    "grant_role:quality_assurance",
    "grant_role:reporting",
    "reactivate_practitioner",
    "revoke_role:admin",
    "revoke_role:auditor",
    "revoke_role:link_worker",
    "revoke_role:manager",
    "revoke_role:practitioner",
    "revoke_role:quality_assurance",
    "revoke_role:reporting",
)
_AFTER = tuple(
    sorted((*_BEFORE, "grant_role:front_door_officer", "revoke_role:front_door_officer"))
)


def _predicate(actions: tuple[str, ...]) -> str:
    return "action IN ({}) OR break_glass_reason IS NOT NULL".format(
        ", ".join(f"'{a}'" for a in actions)
    )


def _rebuild_security_events_index(actions: tuple[str, ...]) -> None:
    where = sa.text(_predicate(actions))
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.drop_index(INDEX, table_name="audit_entries", postgresql_concurrently=True)
            op.create_index(
                INDEX,
                "audit_entries",
                ["id", "occurred_at"],
                unique=False,
                postgresql_where=where,
                postgresql_concurrently=True,
            )
    else:
        op.drop_index(INDEX, table_name="audit_entries")
        op.create_index(
            INDEX, "audit_entries", ["id", "occurred_at"], unique=False, sqlite_where=where
        )


def upgrade() -> None:
    op.create_table(
        "support_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", _INSTANT, nullable=False),
        sa.Column("created_by_practitioner_id", sa.Uuid(), nullable=False),
        sa.Column("referrer_kind", sa.String(length=24), nullable=False),
        sa.Column("referrer_agency_code", sa.String(length=64), nullable=True),
        sa.Column("referrer_name", sa.String(length=200), nullable=True),
        sa.Column("referrer_role", sa.String(length=200), nullable=True),
        sa.Column("referrer_contact", sa.String(length=200), nullable=True),
        sa.Column("family_id", sa.Uuid(), nullable=True),
        sa.Column("child_person_ids", sa.JSON(), nullable=False),
        sa.Column("household", sa.JSON(), nullable=True),
        sa.Column("asked_for", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("family_agreed", sa.Boolean(), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("decision_due_on", sa.Date(), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_recorded_at", _INSTANT, nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("step_up_reference", sa.String(length=100), nullable=True),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("acknowledged_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _INSTANT, nullable=False),
        sa.Column("updated_at", _INSTANT, nullable=False),
        sa.CheckConstraint(
            "referrer_kind IN ('agency', 'self_referral')",
            name=op.f("ck_support_requests_referrer_kind"),
        ),
        sa.CheckConstraint(
            "urgency IN ('routine', 'urgent')", name=op.f("ck_support_requests_urgency")
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('no_further_action', 'signpost', 'early_help', "
            "'step_up', 'already_open')",
            name=op.f("ck_support_requests_outcome"),
        ),
        sa.CheckConstraint(
            "(outcome IS NULL) = (decided_on IS NULL)",
            name=op.f("ck_support_requests_decided_has_date"),
        ),
        sa.CheckConstraint(
            "decided_on IS NULL OR decided_on >= received_on",
            name=op.f("ck_support_requests_decided_after_receipt"),
        ),
        sa.CheckConstraint(
            "family_id IS NOT NULL OR household IS NOT NULL",
            name=op.f("ck_support_requests_family_or_household"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_support_requests_created_by_practitioner_id_practitioners"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["practitioners.id"],
            name=op.f("fk_support_requests_decided_by_practitioners"),
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_support_requests_episode_id_episodes")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_support_requests_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["referrer_agency_code"],
            ["agencies.code"],
            name=op.f("fk_support_requests_referrer_agency_code_agencies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_requests")),
    )
    op.create_index(
        "ix_support_requests_received_on_id", "support_requests", ["received_on", "id"]
    )
    op.create_index(
        "ix_support_requests_outcome_due_on_id",
        "support_requests",
        ["outcome", "decision_due_on", "id"],
    )
    op.create_index(
        "ix_support_requests_family_id_received_on",
        "support_requests",
        ["family_id", "received_on"],
    )
    op.create_index(
        "ix_support_requests_created_by_practitioner_id",
        "support_requests",
        ["created_by_practitioner_id"],
    )
    op.create_index("ix_support_requests_episode_id", "support_requests", ["episode_id"])
    _rebuild_security_events_index(_AFTER)


def downgrade() -> None:
    _rebuild_security_events_index(_BEFORE)
    op.drop_table("support_requests")
