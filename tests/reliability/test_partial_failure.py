"""A write that fails half way leaves no trace: no row of it is stored, the audit chain holds.

Registering a household writes several rows in one transaction (each new person, the family,
each membership). These tests make the database refuse one of the later rows, after earlier
rows of the same request have been sent, and check that the client gets a clean 409 problem
and that none of the request's rows, nor its idempotency key, survived. Runs on both databases.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event, func, select

from app.db.models import FamilyRow, IdempotencyKeyRow, MembershipRow, PersonRow
from app.db.repositories.families import SqlFamilyRepository
from app.db.unit_of_work import SqlUnitOfWork
from app.services.audit import verify_audit_chain
from tests.builders import ReferenceData, Statements, make_family_body, make_member_body

API = "/api/v1"
NewUow = Callable[[], SqlUnitOfWork]


def stored(connection: Connection) -> dict[str, int]:
    """How many rows each table written by a registration holds."""
    return {
        table.__tablename__: int(connection.scalar(select(func.count()).select_from(table)) or 0)
        for table in (PersonRow, FamilyRow, MembershipRow, IdempotencyKeyRow)
    }


def audit_chain_is_intact(new_uow: NewUow) -> None:
    verdict = verify_audit_chain(new_uow())
    assert verdict.ok, verdict.problem


@contextmanager
def database_refuses(connection: Connection, table: str, *, after: int = 0) -> Iterator[list[str]]:
    """The database rejects the first INSERT into `table` once `after` of them went through.

    Raised as the driver's own IntegrityError, exactly as a constraint violation would arrive,
    and every statement sent meanwhile is kept so the test can show earlier rows really went.
    """
    sent: list[str] = []
    inserts = 0

    def refuse(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        nonlocal inserts
        sent.append(statement)
        if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()} "):
            inserts += 1
            if inserts > after:
                raise connection.dialect.loaded_dbapi.IntegrityError(
                    f"injected: constraint violated on {table}"
                )

    event.listen(connection, "before_cursor_execute", refuse)
    try:
        yield sent
    finally:
        event.remove(connection, "before_cursor_execute", refuse)


def inserted_into(sent: list[str], table: str) -> bool:
    return any(s.lstrip().upper().startswith(f"INSERT INTO {table.upper()} ") for s in sent)


def three_person_household(council: ReferenceData, **overrides: Any) -> dict[str, Any]:
    return make_family_body(
        council.hubs["NORTH"],
        members=[
            make_member_body("parent_carer", given_name="Sarah", date_of_birth="1990-02-14"),
            make_member_body("child", given_name="Ava", date_of_birth="2017-06-01"),
            make_member_body("child", given_name="Leo", date_of_birth="2019-09-09"),
        ],
        **overrides,
    )


class TestRegisteringAHouseholdThatFailsHalfWay:
    def test_the_reference_taken_meanwhile_leaves_no_people_behind(
        self,
        client: TestClient,
        connection: Connection,
        reference: ReferenceData,
        new_uow: NewUow,
        monkeypatch: pytest.MonkeyPatch,
        statements: Statements,
    ) -> None:
        ok = client.post(
            f"{API}/families", json=three_person_household(reference, reference="LEGACY-1")
        )
        assert ok.status_code == 201, ok.text
        before = stored(connection)
        # Another registration took the reference after this one checked it was free: the
        # family row (sent after its three people) breaks the unique constraint on reference.
        monkeypatch.setattr(SqlFamilyRepository, "reference_exists", lambda _self, _ref: False)
        statements.seen.clear()
        response = client.post(
            f"{API}/families",
            json=three_person_household(reference, reference="LEGACY-1"),
            headers={"Idempotency-Key": "reg-half-way-1"},
        )
        assert response.status_code == 409, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "record_clash"
        assert inserted_into(statements.seen, "people"), "the people were sent before the family"
        assert stored(connection) == before
        audit_chain_is_intact(new_uow)

    @pytest.mark.parametrize(
        ("table", "after"), [("memberships", 0), ("families", 0), ("people", 2)]
    )
    def test_a_row_refused_late_takes_the_earlier_rows_with_it(
        self,
        client: TestClient,
        connection: Connection,
        reference: ReferenceData,
        new_uow: NewUow,
        table: str,
        after: int,
    ) -> None:
        before = stored(connection)
        with database_refuses(connection, table, after=after) as sent:
            response = client.post(
                f"{API}/families",
                json=three_person_household(reference),
                headers={"Idempotency-Key": f"reg-half-way-{table}"},
            )
        assert response.status_code == 409, response.text
        assert response.json()["code"] == "record_clash"
        assert inserted_into(sent, "people")
        assert stored(connection) == before
        audit_chain_is_intact(new_uow)

        # The key was not used up by the failed attempt: the retry creates the household once.
        retry = client.post(
            f"{API}/families",
            json=three_person_household(reference),
            headers={"Idempotency-Key": f"reg-half-way-{table}"},
        )
        assert retry.status_code == 201, retry.text
        assert "Idempotent-Replayed" not in retry.headers
        after_retry = stored(connection)
        assert after_retry == {
            "people": before["people"] + 3,
            "families": before["families"] + 1,
            "memberships": before["memberships"] + 3,
            "idempotency_keys": before["idempotency_keys"] + 1,
        }
        family = uuid.UUID(retry.json()["id"])
        assert connection.scalar(select(FamilyRow.id).where(FamilyRow.id == family)) == family
