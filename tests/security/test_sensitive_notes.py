"""A sensitive case note is read only by managers, the episode's lead and the practitioners it
names (issue 19 §2): not by a TAF member who is not named, not by a TAF member whose family has
withdrawn consent to share with their agency, not by a reader by break glass, and the offline
sync carries its text to none of them. Each reader's whole answer is searched for the text, so a
leak through any field (an amendment's previous text, the list, the sync) fails the test."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.clock import FixedClock
from tests.api.test_caseload import new_case
from tests.api.test_contacts import record
from tests.api.test_episodes import API, Case, give_consent, ok, on
from tests.builders import ReferenceData, Staff, as_user

SECRET = "Sarah disclosed the address she fled from"
VOICE = "Ava said she is scared at night"
REASON = "Urgent: a safeguarding call about the children tonight"


def join_taf(case: Case, practitioner: Any, agency: str) -> dict[str, Any]:
    """Consent to share with the agency, then its practitioner joins the TAF."""
    consent = give_consent(
        case,
        "information_sharing",
        day=case.clock.today().isoformat(),
        sharing_scope="named_agencies",
        agency_codes=[agency],
    )
    ok(
        case.client.post(
            f"{case.url}/taf-members",
            json={"kind": "practitioner", "practitioner_id": str(practitioner), "role": agency},
        ),
        201,
    )
    return consent


def everything_seen(client: TestClient, case: Case, contact_id: str) -> list[str]:
    """Every answer a reader gets that could carry the note: list, one read, a full sync."""
    return [
        client.get(f"{case.url}/contacts").text,
        client.get(f"{case.url}/contacts/{contact_id}").text,
        client.get(f"{API}/me/changes").text,
    ]


class TestSensitiveNotes:
    def test_only_the_lead_managers_and_named_practitioners_read_it_anywhere(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Quill")
        join_taf(case, staff.school_worker, "SCHOOL")
        police_consent = join_taf(case, staff.police_officer, "POLICE")
        secret = record(case, note=SECRET, child_voice=VOICE, sensitive=True)
        amended = ok(
            client.post(
                f"{case.url}/contacts/{secret['id']}/amendments",
                headers={"If-Match": '"1"'},
                json={"field": "note", "text": "Disclosure recorded", "reason": "Less detail"},
            )
        )
        assert amended["amendments"][0]["previous_text"] == SECRET

        # A TAF member under consent but not named sees the visit, never its words.
        with as_user(client, staff.school_worker):
            answers = everything_seen(client, case, secret["id"])
            synced = ok(client.get(f"{API}/me/changes"))
        assert all(SECRET not in a and VOICE not in a for a in answers)
        assert [(c["id"], c["withheld"]) for c in synced["contacts"]] == [(secret["id"], True)]

        # A reader by break glass reads the episode, not the sensitive note.
        with as_user(client, staff.other_lead):
            glass = client.get(
                f"{case.url}/contacts/{secret['id']}", headers={"X-Break-Glass-Reason": REASON}
            )
        assert ok(glass)["withheld"] is True
        assert SECRET not in glass.text

        # Once the family withdraws consent to share with the police, the police officer's seat
        # gives nothing: the episode and its contacts are unknown to them, and their device is
        # told to forget the family.
        with as_user(client, staff.police_officer):
            before = ok(client.get(f"{API}/me/changes"))
        on(clock, "2024-12-03")
        ok(
            client.post(
                f"{API}/families/{case.family['id']}/consents/{police_consent['id']}/withdrawal",
                json={"withdrawn_on": "2024-12-03", "reason": "Family asked the police to stop"},
                headers={"If-Match": f'"{police_consent["version"]}"'},
            )
        )
        with as_user(client, staff.police_officer):
            listed = client.get(f"{case.url}/contacts")
            read = client.get(f"{case.url}/contacts/{secret['id']}")
            after = ok(client.get(f"{API}/me/changes", params={"since": before["cursor"]}))
        assert (listed.status_code, read.status_code) == (404, 404)
        assert SECRET not in listed.text + read.text
        assert after["contacts"] == []
        assert ("family", case.family["id"]) in {(r["type"], r["id"]) for r in after["removed"]}

        # The lead and a manager read it, with its history.
        for reader in (staff.lead, staff.manager):
            with as_user(client, reader):
                shown = ok(client.get(f"{case.url}/contacts/{secret['id']}"))
            assert shown["amendments"][0]["previous_text"] == SECRET

    def test_a_named_taf_member_reads_it_and_their_device_gets_it_when_named(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Rowe")
        join_taf(case, staff.school_worker, "SCHOOL")
        named = record(
            case, note=SECRET, sensitive=True, named_practitioner_ids=[str(staff.school_worker)]
        )
        with as_user(client, staff.school_worker):
            synced = ok(client.get(f"{API}/me/changes"))
            read = ok(client.get(f"{case.url}/contacts/{named['id']}"))
        assert read["note"] == SECRET
        assert [(c["id"], c["note"]) for c in synced["contacts"]] == [(named["id"], SECRET)]
