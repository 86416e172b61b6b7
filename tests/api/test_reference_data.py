"""Pick lists (hubs, agencies, outcome headlines, levels of need): every role reads them, for they
hold no case data, and each read is decided and audited like any other request."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.domain.access import Role
from app.settings import Settings
from tests.builders import ReferenceData, Staff, as_user, given_practitioner

API = "/api/v1"
NewUow = Callable[[], Any]

PICK_LISTS = {
    "hubs": "hub",
    "agencies": "agency",
    "outcome-headlines": "outcome_headline",
    "levels-of-need": "level_of_need",
}
"""Path → the resource type its reads are audited under."""


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_every_pick_list(
    client: TestClient, new_uow: NewUow, reference: ReferenceData, role: Role
) -> None:
    hubs = frozenset({reference.hubs["NORTH"]}) if role is Role.LINK_WORKER else frozenset()
    user = given_practitioner(new_uow, roles={role}, hubs=hubs)
    with as_user(client, user):
        answers = {path: client.get(f"{API}/{path}") for path in PICK_LISTS}
    assert {path: a.status_code for path, a in answers.items()} == dict.fromkeys(PICK_LISTS, 200)
    assert [h["code"] for h in answers["hubs"].json()] == ["CENTRAL", "NORTH", "SOUTH"]


def test_the_levels_of_need_say_which_ones_early_help_works_at(client: TestClient) -> None:
    settings = Settings(env="test")
    levels = client.get(f"{API}/levels-of-need").json()
    assert [(lv["code"], lv["label"]) for lv in levels] == list(settings.levels_of_need.items())
    assert {lv["code"] for lv in levels if lv["early_help"]} == set(settings.early_help_levels)


def test_each_read_of_a_pick_list_is_audited(
    client: TestClient, new_uow: NewUow, staff: Staff
) -> None:
    request_ids = {path: f"req-{uuid.uuid4().hex[:12]}" for path in PICK_LISTS}
    for path, request_id in request_ids.items():
        assert client.get(f"{API}/{path}", headers={"X-Request-ID": request_id}).is_success
    with new_uow() as uow:
        entries = list(uow.audit.entries())
    for path, resource_type in PICK_LISTS.items():
        recorded = [
            (e.actor_id, e.action, e.resource_type, e.family_id, e.outcome)
            for e in entries
            if e.request_id == request_ids[path]
        ]
        assert recorded == [(staff.lead, "read_reference_data", resource_type, None, "allowed")]


def test_every_value_the_contract_can_send_has_an_english_label(client: TestClient) -> None:
    labels = client.get("/api/v1/labels")
    assert labels.status_code == 200, labels.text
    enums = labels.json()["enums"]
    contract = client.app.openapi()  # type: ignore[attr-defined]
    for name, schema in contract["components"]["schemas"].items():
        if "enum" in schema:
            assert [e["value"] for e in enums[name]] == schema["enum"], name
    stages = {e["value"]: e["label"] for e in enums["EpisodeStage"]}
    assert stages["plan_awaiting_qa"] == "Plan awaiting quality assurance"
    assert all(e["label"] and "_" not in e["label"] for values in enums.values() for e in values)


def test_the_ons_2021_code_lists_come_with_the_labels(client: TestClient) -> None:
    lists = client.get("/api/v1/labels").json()["code_lists"]
    assert [e["value"] for e in lists["sex"]] == ["female", "male"]
    assert len([e for e in lists["ethnicity"] if e["value"] != "not_stated"]) == 19
    assert {"trans_woman", "trans_man", "non_binary"} <= {e["value"] for e in lists["gender"]}
