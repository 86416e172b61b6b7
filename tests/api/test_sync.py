"""Delta sync for an offline device: exactly what changed, and what the device must forget."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.clock import FixedClock
from tests.api.test_caseload import new_case
from tests.api.test_episodes import API, Case, give_consent, ok, on
from tests.builders import ReferenceData, Staff, as_user, make_episode_body, make_family_body


def sync(client: TestClient, since: str | None = None) -> dict[str, Any]:
    changes: dict[str, Any] = ok(
        client.get(f"{API}/me/changes", params={"since": since} if since else {})
    )
    return changes


def ids(items: list[dict[str, Any]]) -> set[str]:
    return {i["id"] for i in items}


class TestDeltaSync:
    def test_the_first_sync_sends_the_whole_caseload_and_the_next_only_what_changed(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        first_case = new_case(client, clock, reference, staff, "Irwin")
        other = new_case(client, clock, reference, staff, "Jones")
        everything = sync(client)
        assert everything["full"] is True
        assert ids(everything["families"]) == {first_case.family["id"], other.family["id"]}
        assert ids(everything["episodes"]) == {first_case.episode["id"], other.episode["id"]}

        nothing = sync(client, everything["cursor"])
        assert nothing["full"] is False
        assert (nothing["families"], nothing["episodes"], nothing["removed"]) == ([], [], [])

        give_consent(first_case, day="2024-12-02")
        first_case.post("/assessment-start")
        later = sync(client, nothing["cursor"])
        assert ids(later["episodes"]) == {first_case.episode["id"]}
        assert ids(later["families"]) == {
            first_case.family["id"]
        }  # consent recorded: a new household version
        assert later["removed"] == []

    def test_consent_withdrawn_tells_the_taf_members_device_to_forget_the_family(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case: Case = new_case(client, clock, reference, staff, "King")
        sharing = give_consent(
            case,
            "information_sharing",
            day="2024-12-02",
            sharing_scope="named_agencies",
            agency_codes=["SCHOOL"],
        )
        member = ok(
            client.post(
                f"{case.url}/taf-members",
                json={
                    "kind": "practitioner",
                    "practitioner_id": str(staff.school_worker),
                    "role": "Teacher",
                },
            ),
            201,
        )
        with as_user(client, staff.school_worker):
            seen = sync(client)
            assert ids(seen["families"]) == {case.family["id"]}
            assert member["id"] in ids(seen["taf_members"])
        on(clock, "2024-12-09")
        url = f"{API}/families/{case.family['id']}/consents/{sharing['id']}/withdrawal"
        ok(
            client.post(
                url,
                json={
                    "withdrawn_on": "2024-12-09",
                    "reason": "Family asked the school to step back",
                },
                headers={"If-Match": f'"{sharing["version"]}"'},
            )
        )
        with as_user(client, staff.school_worker):
            after = sync(client, seen["cursor"])
        removed = {(r["type"], r["id"]) for r in after["removed"]}
        assert ("family", case.family["id"]) in removed
        assert ("episode", case.episode["id"]) in removed
        assert after["families"] == []

    def test_a_handover_removes_the_episode_from_the_old_leads_device(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        case = new_case(client, clock, reference, staff, "Lewis")
        before = sync(client)
        with as_user(client, staff.manager):
            case.post(
                "/lead-assignments",
                {"practitioner_id": str(staff.other_lead), "reason": "Moved team"},
            )
        after = sync(client, before["cursor"])
        assert ("episode", case.episode["id"]) in {(r["type"], r["id"]) for r in after["removed"]}
        with as_user(client, staff.other_lead):
            assert case.episode["id"] in ids(sync(client)["episodes"])

    def test_a_closed_case_leaves_the_device_and_stays_readable_online(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        closing = new_case(client, clock, reference, staff, "Morgan")
        staying = new_case(client, clock, reference, staff, "Nash")
        before = sync(client)
        assert ids(before["families"]) == {closing.family["id"], staying.family["id"]}

        closing.post("/closure", {"reason": "moved_away"})
        after = sync(client, before["cursor"])
        removed = {(r["type"], r["id"]) for r in after["removed"]}
        assert removed == {("family", closing.family["id"]), ("episode", closing.episode["id"])}
        assert (after["families"], after["episodes"]) == ([], [])
        assert ids(sync(client)["families"]) == {staying.family["id"]}
        assert ok(client.get(closing.url))["stage"] == "closed"

    def test_a_family_registered_ahead_of_its_episode_is_carried_until_another_lead_takes_it(
        self, client: TestClient, reference: ReferenceData, staff: Staff
    ) -> None:
        family = ok(
            client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"])), 201
        )
        before = sync(client)
        assert ids(before["families"]) == {family["id"]}

        request = make_episode_body(family, staff.other_lead)
        episode = ok(client.post(f"{API}/episodes", json=request), 201)
        after = sync(client, before["cursor"])
        assert {(r["type"], r["id"]) for r in after["removed"]} == {("family", family["id"])}
        with as_user(client, staff.other_lead):
            theirs = sync(client)
        assert (ids(theirs["families"]), ids(theirs["episodes"])) == (
            {family["id"]},
            {episode["id"]},
        )

    def test_an_unknown_cursor_asks_for_a_full_sync(self, client: TestClient) -> None:
        response = client.get(
            f"{API}/me/changes", params={"since": "7d0f8a0e-0000-4000-8000-000000000000"}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "since"

    def test_another_users_cursor_is_not_accepted(self, client: TestClient, staff: Staff) -> None:
        cursor = sync(client)["cursor"]
        with as_user(client, staff.other_lead):
            assert client.get(f"{API}/me/changes", params={"since": cursor}).status_code == 422


class TestAPagedSync:
    def test_a_large_caseload_comes_in_pages_parents_first_and_nothing_twice(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        cases = [new_case(client, clock, reference, staff, name) for name in ("Kay", "Lee", "May")]
        pages = [ok(client.get(f"{API}/me/changes", params={"limit": 2}))]
        while pages[-1]["more"]:
            pages.append(
                ok(
                    client.get(
                        f"{API}/me/changes", params={"limit": 2, "since": pages[-1]["cursor"]}
                    )
                )
            )
        assert [p["full"] for p in pages] == [True] + [False] * (len(pages) - 1)
        assert all(len(p["families"]) + len(p["episodes"]) <= 2 for p in pages)
        families = [f["id"] for p in pages for f in p["families"]]
        episodes = [e["id"] for p in pages for e in p["episodes"]]
        assert sorted(families) == sorted(c.family["id"] for c in cases)
        assert sorted(episodes) == sorted(c.episode["id"] for c in cases)
        # Every household arrives before (or with) the first episode.
        first_episode_page = next(i for i, p in enumerate(pages) if p["episodes"])
        assert sum(len(p["families"]) for p in pages[: first_episode_page + 1]) == 3
        done = ok(client.get(f"{API}/me/changes", params={"since": pages[-1]["cursor"]}))
        assert (done["families"], done["episodes"], done["more"]) == ([], [], False)

    def test_a_record_that_changes_between_pages_is_sent_again(
        self, client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
    ) -> None:
        on(clock, "2024-12-02")
        first, _second = (new_case(client, clock, reference, staff, n) for n in ("Nash", "Owen"))
        page = ok(client.get(f"{API}/me/changes", params={"limit": 1}))
        sent = {f["id"] for f in page["families"]}
        changed = first if first.family["id"] in sent else _second
        give_consent(changed, day="2024-12-02")  # a new household version
        rest = []
        cursor = page["cursor"]
        while True:
            nxt = ok(client.get(f"{API}/me/changes", params={"limit": 1, "since": cursor}))
            rest.append(nxt)
            cursor = nxt["cursor"]
            if not nxt["more"]:
                break
        again = [f["id"] for p in rest for f in p["families"]]
        assert changed.family["id"] in again


def test_a_change_to_a_child_s_disabilities_reaches_the_device(
    client: TestClient, clock: FixedClock, reference: ReferenceData, staff: Staff
) -> None:
    case = new_case(client, clock, reference, staff, "Irwin")
    before = sync(client)
    [child] = [m for m in before["families"][0]["members"] if m["role"] == "child"]
    person = client.get(f"{API}/people/{child['person_id']}")
    ok(
        client.patch(
            f"{API}/people/{child['person_id']}",
            json={"disabilities": ["VIS"]},
            headers={"If-Match": person.headers["ETag"]},
        )
    )
    after = sync(client, before["cursor"])
    assert ids(after["families"]) == {case.family["id"]}
    [synced] = [m for m in after["families"][0]["members"] if m["role"] == "child"]
    assert synced["person"]["disabilities"] == ["VIS"]
