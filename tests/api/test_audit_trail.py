"""The audit trail: every access to a family's record (and every refused attempt) is appended to a
keyed chain that managers read as the family's access log and nobody can change through the API."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text

from app.domain.access import Role
from app.domain.audit import AuditEntry, Seal
from app.services.audit import verify_audit_chain
from tests.builders import ReferenceData, Staff, as_user, given_practitioner, make_family_body
from tests.tampering import entry_id_at, past_the_audit_triggers

API = "/api/v1"
MUTATING = {"put", "patch", "delete", "post"}


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def entries(new_uow: Callable[[], Any]) -> list[AuditEntry]:
    with new_uow() as uow:
        return list(uow.audit.entries())


def seals(new_uow: Callable[[], Any]) -> list[Seal]:
    with new_uow() as uow:
        return [sealed.seal for sealed in uow.audit.sealed_entries()]


def recorded(new_uow: Callable[[], Any], request_id: str) -> list[dict[str, Any]]:
    """The entries a request left, as plain fields (hashes and time left out)."""
    return [
        {
            "actor_id": e.actor_id,
            "actor_roles": list(e.actor_roles),
            "action": e.action,
            "resource_type": e.resource_type,
            "resource_id": e.resource_id,
            "family_id": e.family_id,
            "request_id": e.request_id,
            "outcome": e.outcome,
            "break_glass_reason": e.break_glass_reason,
        }
        for e in entries(new_uow)
        if e.request_id == request_id
    ]


@dataclass
class Record:
    family_id: str
    episode_id: str

    @property
    def family_url(self) -> str:
        return f"{API}/families/{self.family_id}"

    @property
    def episode_url(self) -> str:
        return f"{API}/episodes/{self.episode_id}"


@pytest.fixture
def record(client: TestClient, reference: ReferenceData, staff: Staff) -> Record:
    """A NORTH family registered by the lead, with an open episode they lead."""
    family = ok(client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"])), 201)
    child = next(m["person_id"] for m in family["members"] if m["role"] == "child")
    episode = ok(
        client.post(
            f"{API}/episodes",
            json={
                "family_id": family["id"],
                "source": "school",
                "level_of_need": "2",
                "lead_practitioner_id": str(staff.lead),
                "child_person_ids": [child],
            },
        ),
        201,
    )
    return Record(family["id"], episode["id"])


# --- what is recorded ------------------------------------------------------------------------


def _etag(client: TestClient, url: str) -> str:
    return str(client.get(url).headers["ETag"])


# name → (method, url, body, action, resource_type, resource is the family or the episode)
ACCESSES: dict[str, tuple[str, Callable[[Record], str], Any, str, str, str]] = {
    "reading the family": ("GET", lambda r: r.family_url, None, "read_family", "family", "family"),
    "changing the family": (
        "PATCH",
        lambda r: r.family_url,
        {"address": {"line1": "3 Elm Street", "postcode": "FY1 4AA"}},
        "write_family",
        "family",
        "family",
    ),
    "reading the episode": (
        "GET",
        lambda r: r.episode_url,
        None,
        "read_episode",
        "episode",
        "episode",
    ),
    "changing the episode": (
        "POST",
        lambda r: f"{r.episode_url}/level-changes",
        {"level_of_need": "3", "reason": "Needs escalated"},
        "steer_episode",
        "episode",
        "episode",
    ),
}


@pytest.mark.parametrize("access", list(ACCESSES))
def test_every_read_and_write_is_recorded_with_who_what_and_the_request_id(
    client: TestClient, record: Record, staff: Staff, new_uow: Any, access: str
) -> None:
    method, url_of, body, action, resource_type, resource = ACCESSES[access]
    url = url_of(record)
    request_id = f"req-{uuid.uuid4().hex[:12]}"
    headers = {"X-Request-ID": request_id}
    if method != "GET":
        headers["If-Match"] = _etag(
            client, url_of(record) if method == "PATCH" else record.episode_url
        )
    response = client.request(method, url, json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["X-Request-ID"] == request_id
    resource_id = record.family_id if resource == "family" else record.episode_id
    assert recorded(new_uow, request_id) == [
        {
            "actor_id": staff.lead,
            "actor_roles": ["practitioner"],
            "action": action,
            "resource_type": resource_type,
            "resource_id": resource_id,
            "family_id": uuid.UUID(record.family_id),
            "request_id": request_id,
            "outcome": "allowed",
            "break_glass_reason": None,
        }
    ]


def test_a_request_without_an_id_is_recorded_under_the_id_it_was_given(
    client: TestClient, record: Record, new_uow: Any
) -> None:
    response = client.get(record.family_url)
    given = response.headers["X-Request-ID"]
    assert [e["action"] for e in recorded(new_uow, given)] == ["read_family"]


@pytest.mark.parametrize(
    ("who", "method", "expected_status", "action"),
    [
        ("police_officer", "GET", 404, "read_family"),
        ("police_officer", "PATCH", 404, "write_family"),
        ("link_worker", "PATCH", 403, "write_family"),
    ],
)
def test_a_refused_attempt_is_recorded_as_denied(
    client: TestClient,
    record: Record,
    staff: Staff,
    new_uow: Any,
    who: str,
    method: str,
    expected_status: int,
    action: str,
) -> None:
    actor: uuid.UUID = getattr(staff, who)
    request_id = f"req-{uuid.uuid4().hex[:12]}"
    etag = _etag(client, record.family_url)
    with as_user(client, actor):
        response = client.request(
            method,
            record.family_url,
            json={"address": {"line1": "3 Elm Street", "postcode": "FY1 4AA"}}
            if method == "PATCH"
            else None,
            headers={"X-Request-ID": request_id, "If-Match": etag},
        )
    assert response.status_code == expected_status
    [entry] = recorded(new_uow, request_id)
    assert entry["outcome"] == "denied"
    assert (entry["actor_id"], entry["action"]) == (actor, action)
    assert entry["actor_roles"] == (["link_worker"] if who == "link_worker" else ["practitioner"])
    assert (entry["resource_type"], entry["resource_id"]) == ("family", record.family_id)
    assert entry["family_id"] == uuid.UUID(record.family_id)


def test_a_refused_attempt_on_an_episode_is_recorded_against_its_family(
    client: TestClient, record: Record, staff: Staff, new_uow: Any
) -> None:
    request_id = f"req-{uuid.uuid4().hex[:12]}"
    with as_user(client, staff.police_officer):
        response = client.get(record.episode_url, headers={"X-Request-ID": request_id})
    assert response.status_code == 404
    [entry] = recorded(new_uow, request_id)
    assert (entry["action"], entry["outcome"]) == ("read_episode", "denied")
    assert entry["resource_id"] == record.episode_id
    assert entry["family_id"] == uuid.UUID(record.family_id)


def test_a_search_records_each_family_it_shows_and_none_it_hides(
    client: TestClient, record: Record, staff: Staff, new_uow: Any, reference: ReferenceData
) -> None:
    with as_user(client, staff.other_lead):
        theirs = ok(
            client.post(f"{API}/families", json=make_family_body(reference.hubs["SOUTH"])), 201
        )
    request_id = f"req-{uuid.uuid4().hex[:12]}"
    found = ok(
        client.get(
            f"{API}/families", params={"name": "Hughes"}, headers={"X-Request-ID": request_id}
        )
    )
    assert [f["id"] for f in found["items"]] == [record.family_id]
    listed = [e for e in recorded(new_uow, request_id) if e["action"] == "list_read_family"]
    assert [e["family_id"] for e in listed] == [uuid.UUID(record.family_id)]
    assert uuid.UUID(theirs["id"]) not in {e["family_id"] for e in recorded(new_uow, request_id)}


# --- the access log --------------------------------------------------------------------------


def test_the_access_log_is_for_managers_only(
    client: TestClient, record: Record, staff: Staff
) -> None:
    url = f"{record.family_url}/access-log"
    with as_user(client, staff.manager):
        assert client.get(url).status_code == 200
    assert client.get(url).status_code == 403  # the lead may know the family exists
    with as_user(client, staff.police_officer):
        assert client.get(url).status_code == 404  # a stranger may not


def test_the_access_log_lists_the_familys_accesses_newest_first(
    client: TestClient, record: Record, staff: Staff, reference: ReferenceData
) -> None:
    other = ok(client.post(f"{API}/families", json=make_family_body(reference.hubs["SOUTH"])), 201)
    client.get(record.family_url, headers={"X-Request-ID": "lead-reads"})
    with as_user(client, staff.police_officer):
        client.get(record.family_url, headers={"X-Request-ID": "police-tries"})
    with as_user(client, staff.manager):
        log = ok(
            client.get(
                f"{record.family_url}/access-log",
                params={"limit": 200},
                headers={"X-Request-ID": "manager-reads-log"},
            )
        )
    items = log["items"]
    sequences = [e["sequence"] for e in items]
    assert sequences == sorted(sequences, reverse=True)
    assert other["id"] not in {e["resource_id"] for e in items}
    assert [e["request_id"] for e in items[:3]] == [
        "manager-reads-log",  # reading the log is itself recorded
        "police-tries",
        "lead-reads",
    ]
    mine, police, lead = items[:3]
    assert (mine["action"], mine["actor_name"], mine["outcome"]) == (
        "read_access_log",
        "Mo Manager",
        "allowed",
    )
    assert (police["action"], police["actor_name"], police["outcome"]) == (
        "read_family",
        "Pat Police",
        "denied",
    )
    assert (lead["action"], lead["actor_name"], lead["outcome"]) == (
        "read_family",
        "Lena Lead",
        "allowed",
    )
    assert lead["actor_roles"] == ["practitioner"]
    assert lead["resource_id"] == record.family_id


def test_the_access_log_is_paged_without_gaps_or_repeats(
    client: TestClient, record: Record, staff: Staff
) -> None:
    for _ in range(5):
        client.get(record.family_url)
    url = f"{record.family_url}/access-log"
    with as_user(client, staff.manager):
        pages: list[list[int]] = []
        params: dict[str, Any] = {"limit": 2}
        while True:
            response = client.get(url, params=params)
            page = ok(response)
            pages.append([e["sequence"] for e in page["items"]])
            if page["next_cursor"] is None:
                assert "Link" not in response.headers
                break
            assert 'rel="next"' in response.headers["Link"]
            params = {"limit": 2, "cursor": page["next_cursor"]}
        everything = [e["sequence"] for e in ok(client.get(url, params={"limit": 200}))["items"]]
    paged = [s for p in pages for s in p]
    assert len(pages) >= 4
    assert all(len(p) == 2 for p in pages[:-1])
    # Each page request is logged too, above the first page: the pages are everything up to it.
    assert paged == [s for s in everything if s <= paged[0]]


def test_a_strangers_access_log_request_cannot_tell_an_unknown_family_from_a_hidden_one(
    client: TestClient, record: Record, new_uow: Any
) -> None:
    """Both are 404: the access log is no oracle for which family ids exist."""
    admin = given_practitioner(new_uow, roles={Role.ADMIN})
    with as_user(client, admin):
        hidden = client.get(f"{record.family_url}/access-log")
        unknown = client.get(f"{API}/families/{uuid.uuid4()}/access-log")
    assert (hidden.status_code, unknown.status_code) == (404, 404)


def test_the_access_log_of_an_unknown_family_is_404(client: TestClient, staff: Staff) -> None:
    with as_user(client, staff.manager):
        response = client.get(f"{API}/families/{uuid.uuid4()}/access-log")
    assert response.status_code == 404


# --- the hash chain --------------------------------------------------------------------------


def _a_run_of_requests(client: TestClient, record: Record, staff: Staff) -> None:
    client.get(record.family_url)
    client.get(record.episode_url)
    with as_user(client, staff.police_officer):
        client.get(record.family_url)
    with as_user(client, staff.manager):
        client.get(f"{record.family_url}/access-log")
    client.get(f"{API}/families", params={"name": "Hughes"})


def test_the_chain_verifies_after_a_run_of_requests(
    client: TestClient, record: Record, staff: Staff, new_uow: Any
) -> None:
    _a_run_of_requests(client, record, staff)
    stored = entries(new_uow)
    verdict = verify_audit_chain(new_uow())
    assert verdict.ok, verdict.problem
    assert verdict.checked == len(stored) >= 8
    chain = seals(new_uow)
    assert [s.sequence for s in chain] == list(range(1, len(stored) + 1))
    assert [s.entry_id for s in chain] == [e.id for e in stored]


@pytest.mark.parametrize(
    "change",
    [
        "action = 'x'",
        "outcome = CASE outcome WHEN 'allowed' THEN 'denied' ELSE 'allowed' END",
        "request_id = 'someone-else'",
        "resource_id = 'forged'",
        "break_glass_reason = 'covering my tracks'",
    ],
)
def test_changing_a_stored_entry_is_detected_where_it_happened(
    client: TestClient,
    record: Record,
    staff: Staff,
    new_uow: Any,
    connection: Connection,
    change: str,
) -> None:
    _a_run_of_requests(client, record, staff)
    assert verify_audit_chain(new_uow()).ok
    with past_the_audit_triggers(connection):
        changed = connection.execute(
            text(f"UPDATE audit_entries SET {change} WHERE id = :id"),
            {"id": entry_id_at(connection, 2)},
        )
    assert changed.rowcount == 1
    verdict = verify_audit_chain(new_uow())
    assert not verdict.ok
    assert verdict.first_bad_sequence == 2


def _delete_sealed(connection: Connection, sequence: int) -> None:
    """The entry sealed at `sequence`, and its seal."""
    entry_id = entry_id_at(connection, sequence)
    with past_the_audit_triggers(connection):
        connection.execute(text("DELETE FROM audit_seals WHERE sequence = :s"), {"s": sequence})
        connection.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": entry_id})


def test_deleting_the_newest_entry_is_detected_through_the_head(
    client: TestClient, record: Record, staff: Staff, new_uow: Any, connection: Connection
) -> None:
    _a_run_of_requests(client, record, staff)
    newest = seals(new_uow)[-1].sequence
    _delete_sealed(connection, newest)
    verdict = verify_audit_chain(new_uow())
    assert not verdict.ok
    assert verdict.first_bad_sequence == newest
    assert verdict.checked == newest - 1


def test_deleting_an_entry_in_the_middle_is_detected_where_it_was(
    client: TestClient, record: Record, staff: Staff, new_uow: Any, connection: Connection
) -> None:
    _a_run_of_requests(client, record, staff)
    _delete_sealed(connection, 3)
    verdict = verify_audit_chain(new_uow())
    assert (verdict.ok, verdict.first_bad_sequence) == (False, 3)


# --- nobody changes the trail through the API ------------------------------------------------


def _is_audit_path(path: str) -> bool:
    """Paths about the audit trail (the access log); a claim's internal audit decision is not one."""
    return bool(re.search(r"access-log|audit-trail|^/api/v1/audit(/|$)", path, re.IGNORECASE))


def test_no_api_operation_changes_or_deletes_an_audit_entry(client: TestClient) -> None:
    document = client.app.openapi()  # type: ignore[attr-defined]
    audit_operations = {
        (method, path)
        for path, operations in document["paths"].items()
        if _is_audit_path(path)
        for method in operations
    }
    assert ("get", "/api/v1/families/{family_id}/access-log") in audit_operations
    assert {(m, p) for m, p in audit_operations if m in MUTATING} == set()
    tagged = {
        (method, path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "audit" in operation.get("tags", [])
    }
    assert {(m, p) for m, p in tagged if m in MUTATING} == set()


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "POST"])
@pytest.mark.parametrize(
    "path", ["/access-log", "/access-log/1", "/../../audit", "/../../audit-entries/1"]
)
def test_a_manager_cannot_change_the_trail_through_the_api(
    client: TestClient, record: Record, staff: Staff, new_uow: Any, method: str, path: str
) -> None:
    url = f"{record.family_url}{path}"
    client.get(record.family_url)
    before = entries(new_uow)
    with as_user(client, staff.manager):
        response = client.request(method, url, json={"sequence": 1, "action": "x"})
    assert response.status_code in {404, 405}
    assert entries(new_uow) == before
    assert verify_audit_chain(new_uow()).ok
