"""Import and export through the API (issue 18 §3-4): an admin's, audited; nobody else's."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.db.models import AuditEntryRow
from app.db.unit_of_work import SqlUnitOfWork
from app.domain.access import Role
from tests.builders import Staff, as_user, given_practitioner
from tests.interchange_builders import household, line_of

API = "/api/v1"
NDJSON = {"Content-Type": "application/x-ndjson"}


def post_import(client: TestClient, body: str, **params: str) -> dict[str, object]:
    response = client.post(f"{API}/imports", content=body.encode(), headers=NDJSON, params=params)
    assert response.status_code == 200, response.text
    answer: dict[str, object] = response.json()
    return answer


def test_an_admin_checks_a_file_then_imports_it(
    client: TestClient, new_uow: Callable[[], SqlUnitOfWork], staff: Staff
) -> None:
    admin = given_practitioner(new_uow, roles={Role.ADMIN})
    bad = household(external_ref="OLD-HH-2", hub_code="NOWHERE")
    body = line_of(household()) + "\n" + line_of(bad) + "\n"
    with as_user(client, admin):
        checked = post_import(client, body, dry_run="true")
        assert (checked["imported"], checked["refused"]) == (1, 1)
        assert checked["problems"] == [
            {
                "line": 2,
                "path": "hub_code",
                "reason": "There is no family hub with the code 'NOWHERE'.",
                "code": "hub_unknown",
            }
        ]
        assert client.get(f"{API}/exports").text == ""
        done = post_import(client, body)
        assert (done["imported"], done["refused"], done["dry_run"]) == (1, 1, False)
        again = post_import(client, line_of(household()))
        assert (again["imported"], again["already_imported"]) == (0, 1)


def test_only_an_admin_imports_or_exports(client: TestClient, staff: Staff) -> None:
    """The lead professional is signed in: refused, and nothing is read or written."""
    response = client.post(f"{API}/imports", content=line_of(household()).encode(), headers=NDJSON)
    assert response.status_code == 403
    assert client.get(f"{API}/exports").status_code == 403
    with as_user(client, staff.manager):
        assert client.get(f"{API}/exports").status_code == 403


def test_an_export_is_streamed_with_its_lawful_basis_and_audited_as_a_disclosure(
    client: TestClient, new_uow: Callable[[], SqlUnitOfWork], staff: Staff
) -> None:
    admin = given_practitioner(new_uow, roles={Role.ADMIN})
    with as_user(client, admin):
        post_import(client, line_of(household()))
        with new_uow() as uow:
            family_id = uow.external_refs.find("household", "OLD-HH-1")
        response = client.get(f"{API}/exports", params={"family_id": str(family_id)})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/x-ndjson")
        (line,) = [json.loads(text) for text in response.text.splitlines()]
        assert line["external_ref"] == "OLD-HH-1"
        assert line["episodes"][0]["external_ref"] == "OLD-E-1"
        assert "Article 6(1)(e)" in line["lawful_basis"]
        unknown = client.get(f"{API}/exports", params={"family_id": str(uuid.uuid4())})
        assert unknown.status_code == 404
    with new_uow() as uow:
        disclosed = uow.session.scalars(
            select(AuditEntryRow.family_id).where(
                AuditEntryRow.action == "disclose_family", AuditEntryRow.actor_id == admin
            )
        ).all()
    assert disclosed == [family_id]


def test_a_child_s_disabilities_are_imported_and_exported_as_census_codes(
    client: TestClient, new_uow: Callable[[], SqlUnitOfWork]
) -> None:
    """The old system's codes arrive on the person and leave again in the export; a code the
    census does not know refuses the household, naming where it is."""
    admin = given_practitioner(new_uow, roles={Role.ADMIN})
    line = household()
    line["people"][1]["disabilities"] = ["HEAR", "COMM"]
    bad = household(external_ref="OLD-HH-2")
    bad["people"] = [dict(p, external_ref=f"{p['external_ref']}-B") for p in bad["people"]]
    bad["people"][1]["disabilities"] = ["NONE", "HEAR"]
    with as_user(client, admin):
        done = post_import(client, line_of(line) + "\n" + line_of(bad) + "\n")
        assert (done["imported"], done["refused"]) == (1, 1)
        problems: list[dict[str, str]] = done["problems"]  # type: ignore[assignment]
        [problem] = problems
        assert problem["code"] == "disability_none_with_others"
        assert problem["path"] == "people[1].disabilities"
        with new_uow() as uow:
            family_id = uow.external_refs.find("household", "OLD-HH-1")
        exported = json.loads(
            client.get(f"{API}/exports", params={"family_id": str(family_id)}).text
        )
    ava = next(p for p in exported["people"] if p["given_name"] == "Ava")
    assert ava["disabilities"] == ["HEAR", "COMM"]
