"""Documents through the API, on both databases: uploaded as multipart/form-data, downloaded as the
same bytes in an attachment, refused when too large or of another type, hidden from outsiders,
sensitive ones withheld, erased by a manager with a reason, and every access in the audit trail."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.domain.access import Role
from app.domain.audit import AuditEntry
from app.domain.documents import CHUNK_BYTES
from app.main import create_app
from app.settings import Settings
from tests import document_samples as samples
from tests.api.test_requests import new_household_request
from tests.builders import (
    ReferenceData,
    Staff,
    as_user,
    bearer,
    given_practitioner,
    make_episode_body,
    make_family_body,
)

API = "/api/v1"


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@dataclass
class Case:
    client: TestClient
    family_id: str
    episode_id: str

    @property
    def family_documents(self) -> str:
        return f"{API}/families/{self.family_id}/documents"

    @property
    def episode_documents(self) -> str:
        return f"{API}/episodes/{self.episode_id}/documents"

    def upload(
        self,
        content: bytes = samples.PDF,
        *,
        url: str | None = None,
        filename: str = "consent.pdf",
        media_type: str = "application/pdf",
        **fields: Any,
    ) -> Any:
        data: dict[str, Any] = {"title": "Signed consent form", **fields}
        return self.client.post(
            url or self.episode_documents,
            data=data,
            files={"file": (filename, content, media_type)},
        )


@pytest.fixture
def case(client: TestClient, reference: ReferenceData, staff: Staff) -> Case:
    family = ok(client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"])), 201)
    episode = ok(client.post(f"{API}/episodes", json=make_episode_body(family, staff.lead)), 201)
    return Case(client, family["id"], episode["id"])


def entries(new_uow: Callable[[], Any]) -> list[AuditEntry]:
    with new_uow() as uow:
        return list(uow.audit.entries())


class TestUploadAndDownload:
    def test_the_bytes_downloaded_are_the_bytes_uploaded_as_an_attachment_that_is_not_sniffed(
        self, case: Case
    ) -> None:
        content = samples.large_pdf(2 * CHUNK_BYTES + 1234)
        created = case.upload(content, filename="../../Zoë's letter.exe", dated_on="2025-02-20")
        document = ok(created, 201)
        assert created.headers["Location"] == f"{API}/documents/{document['id']}"
        assert document["doc_type"] == "pdf"
        assert document["media_type"] == "application/pdf"
        assert document["size_bytes"] == len(content)
        assert document["sha256"] == hashlib.sha256(content).hexdigest()
        assert document["filename"] == "Zoe_s letter.pdf"
        assert document["dated_on"] == "2025-02-20"
        assert document["episode_id"] == case.episode_id
        assert document["family_id"] == case.family_id

        got = case.client.get(document["content_url"])
        assert got.status_code == 200
        assert got.content == content
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["content-disposition"] == 'attachment; filename="Zoe_s letter.pdf"'
        assert got.headers["x-content-type-options"] == "nosniff"
        assert ok(case.client.get(f"{API}/documents/{document['id']}")) == document

    @pytest.mark.parametrize(
        ("content", "doc_type", "media_type"),
        [
            (samples.png(), "png", "image/png"),
            (samples.JPEG, "jpeg", "image/jpeg"),
            (samples.docx(), "docx", "application/vnd.openxmlformats-officedocument"),
            (samples.odt(), "odt", "application/vnd.oasis.opendocument.text"),
            (samples.TEXT, "text", "text/plain; charset=utf-8"),
        ],
        ids=["png", "jpeg", "docx", "odt", "text"],
    )
    def test_every_accepted_type_goes_in_and_out_whatever_the_client_calls_it(
        self, case: Case, content: bytes, doc_type: str, media_type: str
    ) -> None:
        document = ok(case.upload(content, media_type="application/octet-stream"), 201)
        assert document["doc_type"] == doc_type
        got = case.client.get(document["content_url"])
        assert got.content == content
        assert got.headers["content-type"].startswith(media_type)

    @pytest.mark.parametrize(
        "content",
        [samples.EXECUTABLE, samples.plain_zip(), samples.HTML_AS_LATIN1, b""],
        ids=["executable", "zip", "latin1-html", "empty"],
    )
    def test_another_type_is_refused_with_a_field_error_and_nothing_is_stored(
        self, case: Case, content: bytes
    ) -> None:
        refused = case.upload(content, filename="scan.pdf")
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in refused.json()["errors"]] == ["file"]
        assert ok(case.client.get(case.episode_documents))["items"] == []

    def test_a_document_over_the_limit_is_refused_with_413_and_nothing_is_stored(
        self, case: Case, engine: Any
    ) -> None:
        app = create_app(
            Settings(env="test", database_url=str(engine.url), document_max_bytes=CHUNK_BYTES),
            engine=engine,
        )
        app.state.session_factory = case.client.app.state.session_factory  # type: ignore[attr-defined]
        small = TestClient(app, raise_server_exceptions=False)
        small.headers["Authorization"] = case.client.headers["Authorization"]
        url = case.episode_documents
        with small:
            # Just over the document limit: the service counts it while storing (413, its code).
            over = small.post(
                url,
                data={"title": "Too big"},
                files={"file": ("big.pdf", samples.large_pdf(CHUNK_BYTES + 1), "application/pdf")},
            )
            assert over.status_code == 413, over.text
            assert over.headers["content-type"] == "application/problem+json"
            assert over.json()["code"] == "document_too_large"
            # Far over: the body is refused as it arrives, before it is parsed.
            far = small.post(
                url,
                data={"title": "Far too big"},
                files={"file": ("big.pdf", samples.large_pdf(8 * CHUNK_BYTES), "application/pdf")},
            )
            assert far.status_code == 413
            assert far.json()["code"] == "payload_too_large"
            # Exactly the limit is fine.
            assert (
                small.post(
                    url,
                    data={"title": "Just fits"},
                    files={"file": ("fits.pdf", samples.large_pdf(CHUNK_BYTES), "application/pdf")},
                ).status_code
                == 201
            )
        titles = [d["title"] for d in ok(case.client.get(url))["items"]]
        assert titles == ["Just fits"]

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"title": "   "}, "title"),
            ({"dated_on": "2025-03-04"}, "dated_on"),
            ({"dated_on": "not a date"}, "dated_on"),
            ({"visible_to": str(uuid.uuid4()), "sensitive": "true"}, "visible_to"),
        ],
        ids=["blank-title", "dated-in-the-future", "bad-date", "unknown-reader"],
    )
    def test_bad_form_fields_are_422_naming_the_field(
        self, case: Case, fields: dict[str, Any], field: str
    ) -> None:
        refused = case.upload(**fields)
        assert refused.status_code == 422, refused.text
        assert field in [e["field"] for e in refused.json()["errors"]]

    def test_documents_are_listed_per_record_latest_dated_first(self, case: Case) -> None:
        case.upload(url=case.family_documents, title="Older letter", dated_on="2025-01-10")
        case.upload(url=case.family_documents, title="Newer letter", dated_on="2025-02-10")
        case.upload(title="Episode's own")
        first = ok(case.client.get(case.family_documents, params={"limit": 1}))
        assert [d["title"] for d in first["items"]] == ["Newer letter"]
        rest = ok(
            case.client.get(
                case.family_documents, params={"limit": 1, "cursor": first["next_cursor"]}
            )
        )
        assert [d["title"] for d in rest["items"]] == ["Older letter"]
        assert rest["next_cursor"] is None
        assert [d["title"] for d in ok(case.client.get(case.episode_documents))["items"]] == [
            "Episode's own"
        ]


class TestAccess:
    def test_an_outsider_gets_the_unknown_id_answer_everywhere(
        self, case: Case, staff: Staff
    ) -> None:
        document = ok(case.upload(), 201)
        unknown = ok(case.client.get(f"{API}/documents/{uuid.uuid4()}"), 404)
        with as_user(case.client, staff.police_officer):
            for path in (
                f"{API}/documents/{document['id']}",
                f"{API}/documents/{document['id']}/content",
                case.episode_documents,
                case.family_documents,
            ):
                refused = case.client.get(path)
                assert refused.status_code == 404, path
            assert (
                ok(case.client.get(f"{API}/documents/{document['id']}"), 404)["detail"]
                == (unknown["detail"])
            )
            assert case.upload().status_code == 404

    def test_a_sensitive_document_is_listed_withheld_and_refused_to_a_link_worker(
        self, case: Case, staff: Staff, new_uow: Callable[[], Any]
    ) -> None:
        document = ok(case.upload(sensitive="true", title="Police disclosure"), 201)
        assert document["sensitive"] is True
        assert document["visible_to"] == [str(staff.lead)]
        with as_user(case.client, staff.link_worker):
            (seen,) = ok(case.client.get(case.episode_documents))["items"]
            assert seen["withheld"] is True
            assert seen["title"] is None
            assert seen["sha256"] is None
            assert seen["content_url"] is None
            refused = case.client.get(f"{API}/documents/{document['id']}/content")
            assert refused.status_code == 403
            assert refused.json()["code"] == "document_sensitive"
        denied = [e for e in entries(new_uow) if e.action == "read_sensitive_document"]
        assert [(e.actor_id, e.outcome) for e in denied] == [(staff.link_worker, "denied")]
        with as_user(case.client, staff.manager):
            assert case.client.get(f"{API}/documents/{document['id']}/content").content == (
                samples.PDF
            )

    def test_a_named_link_worker_opens_a_sensitive_document(self, case: Case, staff: Staff) -> None:
        document = ok(case.upload(sensitive="true", visible_to=[str(staff.link_worker)]), 201)
        with as_user(case.client, staff.link_worker):
            assert ok(case.client.get(f"{API}/documents/{document['id']}"))["withheld"] is False
            assert case.client.get(document["content_url"]).content == samples.PDF

    def test_every_read_and_download_is_audited_against_the_family(
        self, case: Case, staff: Staff, new_uow: Callable[[], Any]
    ) -> None:
        document = ok(case.upload(), 201)
        case.client.get(document["content_url"], headers={"X-Request-ID": "download-1"})
        with as_user(case.client, staff.police_officer):
            case.client.get(document["content_url"], headers={"X-Request-ID": "download-2"})
        trail = entries(new_uow)
        upload_entry = next(e for e in trail if e.action == "write_episode")
        assert upload_entry.resource_id == document["id"]
        assert str(upload_entry.family_id) == case.family_id
        mine = [(e.action, e.outcome) for e in trail if e.request_id == "download-1"]
        assert mine == [("read_family", "allowed"), ("read_episode", "allowed")]
        theirs = [(e.action, e.outcome) for e in trail if e.request_id == "download-2"]
        assert theirs == [("read_family", "denied")]
        assert {e.resource_type for e in trail if e.request_id == "download-1"} == {
            "document_content"
        }


class TestErasure:
    def test_a_manager_erases_with_a_reason_and_the_fact_stays_listed(
        self, case: Case, staff: Staff, new_uow: Callable[[], Any]
    ) -> None:
        document = ok(case.upload(samples.large_pdf(2 * CHUNK_BYTES)), 201)
        url = f"{API}/documents/{document['id']}"
        with as_user(case.client, staff.lead):
            refused = case.client.request(
                "DELETE", url, json={"reason": "I uploaded the wrong letter"}
            )
            assert refused.status_code == 403
        with as_user(case.client, staff.manager):
            short = case.client.request("DELETE", url, json={"reason": "oops"})
            assert short.status_code == 422
            assert [e["field"] for e in short.json()["errors"]] == ["reason"]
            erased = ok(
                case.client.request(
                    "DELETE", url, json={"reason": "Uploaded to the wrong family's record"}
                )
            )
        assert erased["erased"] is True
        assert erased["erased_by"] == str(staff.manager)
        assert erased["content_url"] is None
        (listed,) = ok(case.client.get(case.episode_documents))["items"]
        assert listed["title"] == "Signed consent form"
        assert listed["erasure_reason"] == "Uploaded to the wrong family's record"
        timeline = ok(
            case.client.get(
                f"{API}/families/{case.family_id}/chronology",
                params={"kind": ["document_added", "document_erased"]},
            )
        )["items"]
        assert [(e["kind"], e["record_id"]) for e in timeline] == [
            ("document_added", document["id"]),
            ("document_erased", document["id"]),
        ]
        assert "wrong family's record" in timeline[1]["what"]
        gone = case.client.get(f"{url}/content")
        assert gone.status_code == 409
        assert gone.json()["code"] == "document_erased"
        with new_uow() as uow:
            assert uow.documents.chunk(uuid.UUID(document["id"]), 0) is None
        erasures = [e for e in entries(new_uow) if e.action == "erase_document"]
        assert [(e.actor_id, e.outcome) for e in erasures] == [
            (staff.lead, "denied"),
            (staff.manager, "refused"),
            (staff.manager, "allowed"),
        ]

    def test_an_outsider_cannot_learn_a_document_exists_by_trying_to_erase_it(
        self, case: Case, new_uow: Callable[[], Any]
    ) -> None:
        document = ok(case.upload(), 201)
        outsider_manager_of_nothing = given_practitioner(new_uow, roles={Role.PRACTITIONER})
        case.client.headers["Authorization"] = bearer(outsider_manager_of_nothing)
        refused = case.client.request(
            "DELETE", f"{API}/documents/{document['id']}", json={"reason": "Not my family at all"}
        )
        assert refused.status_code == 404


class TestDocumentsOnAContact:
    def record_visit(self, case: Case) -> str:
        made = case.client.post(
            f"{API}/episodes/{case.episode_id}/contacts",
            json={"kind": "home_visit", "note": "Mum signed the consent form at the visit."},
        )
        assert made.status_code == 201, made.text
        contact_id: str = made.json()["id"]
        return contact_id

    def test_a_form_signed_on_a_visit_is_attached_to_the_contact_and_downloads_intact(
        self, case: Case
    ) -> None:
        contact_id = self.record_visit(case)
        url = f"{API}/episodes/{case.episode_id}/contacts/{contact_id}/documents"
        document = ok(case.upload(url=url), 201)
        assert (document["owner_kind"], document["owner_id"]) == ("contact", contact_id)
        assert [d["id"] for d in ok(case.client.get(url))["items"]] == [document["id"]]
        assert case.client.get(document["content_url"]).content == samples.PDF
        assert ok(case.client.get(case.episode_documents))["items"] == []

    def test_a_contact_named_under_another_episode_answers_as_an_unknown_one(
        self, case: Case, reference: ReferenceData, staff: Staff
    ) -> None:
        contact_id = self.record_visit(case)
        other = Case(case.client, *self.other_family_and_episode(case, reference, staff))
        wrong = case.client.get(
            f"{API}/episodes/{other.episode_id}/contacts/{contact_id}/documents"
        )
        unknown = case.client.get(
            f"{API}/episodes/{case.episode_id}/contacts/{uuid.uuid4()}/documents"
        )
        refused = case.upload(
            url=f"{API}/episodes/{other.episode_id}/contacts/{contact_id}/documents"
        )
        assert wrong.status_code == unknown.status_code == refused.status_code == 404
        assert wrong.json()["detail"] == unknown.json()["detail"] == refused.json()["detail"]

    @staticmethod
    def other_family_and_episode(
        case: Case, reference: ReferenceData, staff: Staff
    ) -> tuple[str, str]:
        family = ok(
            case.client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"])),
            201,
        )
        episode = ok(
            case.client.post(f"{API}/episodes", json=make_episode_body(family, staff.lead)), 201
        )
        return family["id"], episode["id"]


class TestDocumentsOnARequest:
    """A request for support's documents follow the request's own rules (`decide_request`):
    the front door and the referrer read them, and, once screening links the request to an
    episode, that episode's lead; nobody else learns they exist."""

    @pytest.fixture
    def officer(self, new_uow: Callable[[], Any]) -> uuid.UUID:
        return given_practitioner(new_uow, roles={Role.FRONT_DOOR_OFFICER}, name="Fern Frontdoor")

    @staticmethod
    def referral(case: Case, staff: Staff) -> tuple[str, str]:
        """The school refers a new household; its id and its documents' path."""
        with as_user(case.client, staff.school_worker):
            made = ok(case.client.post(f"{API}/requests", json=new_household_request()), 201)
        return made["id"], f"{API}/requests/{made['id']}/documents"

    def test_the_referrers_letter_is_read_by_the_front_door_and_hidden_from_everyone_else(
        self,
        case: Case,
        staff: Staff,
        officer: uuid.UUID,
        new_uow: Callable[[], Any],
    ) -> None:
        _request_id, url = self.referral(case, staff)
        with as_user(case.client, staff.school_worker):
            letter = ok(case.upload(url=url, title="Referral letter"), 201)
        assert (letter["owner_kind"], letter["family_id"], letter["episode_id"]) == (
            "request",
            None,
            None,
        )
        with as_user(case.client, officer):
            assert [d["id"] for d in ok(case.client.get(url))["items"]] == [letter["id"]]
            got = case.client.get(letter["content_url"], headers={"X-Request-ID": "fd-1"})
            assert got.content == samples.PDF
            assert got.headers["content-disposition"] == 'attachment; filename="consent.pdf"'
        unknown = ok(case.client.get(f"{API}/documents/{uuid.uuid4()}"), 404)
        for stranger in (staff.lead, staff.link_worker, staff.police_officer):
            with as_user(case.client, stranger):
                for path in (f"{API}/documents/{letter['id']}", letter["content_url"], url):
                    refused = case.client.get(path)
                    assert refused.status_code == 404, (stranger, path)
                hidden = ok(case.client.get(f"{API}/documents/{letter['id']}"), 404)
                assert (hidden["code"], hidden["detail"]) == (unknown["code"], unknown["detail"])
                assert case.upload(url=url).status_code == 404
                assert (
                    case.client.request(
                        "DELETE", f"{API}/documents/{letter['id']}", json={"reason": "Not mine to"}
                    ).status_code
                    == 404
                )
        read = [e for e in entries(new_uow) if e.request_id == "fd-1"]
        assert [(e.action, e.resource_type, e.resource_id, e.outcome) for e in read] == [
            ("read_request", "document_content", letter["id"], "allowed")
        ]

    def test_a_request_the_reader_may_not_know_of_answers_like_an_unknown_one(
        self, case: Case, staff: Staff
    ) -> None:
        _request_id, url = self.referral(case, staff)
        unknown_url = f"{API}/requests/{uuid.uuid4()}/documents"
        hidden = case.client.get(url)
        unknown = case.client.get(unknown_url)
        assert hidden.status_code == unknown.status_code == 404
        assert hidden.json()["detail"] == unknown.json()["detail"]
        assert (
            case.upload(url=url).json()["detail"] == case.upload(url=unknown_url).json()["detail"]
        )

    def test_only_the_front_door_and_the_referrer_attach_to_a_request(
        self,
        case: Case,
        staff: Staff,
        officer: uuid.UUID,
        reference: ReferenceData,
    ) -> None:
        request_id, url = self.referral(case, staff)
        with as_user(case.client, officer):
            assert ok(case.upload(url=url, title="Screening notes"), 201)
        self.screen_for_early_help(case, staff, officer, reference, request_id)
        # The lead of the episode it became reads it, and attaches to the episode instead.
        refused = case.upload(url=url)
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "not_permitted"
        assert [d["title"] for d in ok(case.client.get(url))["items"]] == ["Screening notes"]

    def test_screened_as_early_help_its_documents_stay_on_it_and_join_the_familys_chronology(
        self,
        case: Case,
        staff: Staff,
        officer: uuid.UUID,
        reference: ReferenceData,
    ) -> None:
        request_id, url = self.referral(case, staff)
        with as_user(case.client, staff.school_worker):
            letter = ok(case.upload(url=url, title="Referral letter", dated_on="2025-01-02"), 201)
        family_id, episode_id = self.screen_for_early_help(
            case, staff, officer, reference, request_id
        )
        assert [d["id"] for d in ok(case.client.get(url))["items"]] == [letter["id"]]
        assert ok(case.client.get(f"{API}/episodes/{episode_id}/documents"))["items"] == []
        assert ok(case.client.get(f"{API}/families/{family_id}/documents"))["items"] == []
        # Its new lead reads the request, so its letter is in the family's timeline.
        timeline = f"{API}/families/{family_id}/chronology"
        mine = ok(case.client.get(timeline, params={"kind": "document_added"}))["items"]
        assert [(e["record_id"], e["episode_id"]) for e in mine] == [(letter["id"], None)]
        assert case.client.get(f"{API}/documents/{letter['id']}").status_code == 200
        # A reader of the family by break glass does not read the request: no letter for them.
        with as_user(case.client, staff.police_officer):
            theirs = ok(
                case.client.get(
                    timeline,
                    params={"kind": "document_added"},
                    headers={"X-Break-Glass-Reason": "Child disclosed harm to a PCSO today"},
                )
            )["items"]
            assert theirs == []
            assert case.client.get(f"{API}/documents/{letter['id']}").status_code == 404

    def test_a_manager_erases_a_requests_document_with_a_reason_and_the_fact_stays(
        self,
        case: Case,
        staff: Staff,
        officer: uuid.UUID,
        reference: ReferenceData,
        new_uow: Callable[[], Any],
    ) -> None:
        request_id, url = self.referral(case, staff)
        with as_user(case.client, staff.school_worker):
            letter = ok(case.upload(samples.large_pdf(2 * CHUNK_BYTES), url=url), 201)
        family_id, _episode_id = self.screen_for_early_help(
            case, staff, officer, reference, request_id
        )
        erase = f"{API}/documents/{letter['id']}"
        for reader in (staff.school_worker, officer):
            with as_user(case.client, reader):
                refused = case.client.request(
                    "DELETE", erase, json={"reason": "Sent about the wrong child"}
                )
                assert refused.status_code == 403, refused.text
        with as_user(case.client, staff.manager):
            erased = ok(
                case.client.request("DELETE", erase, json={"reason": "Sent about the wrong child"})
            )
            assert erased["erased"] is True
            (listed,) = ok(case.client.get(url))["items"]
            assert listed["erasure_reason"] == "Sent about the wrong child"
            assert case.client.get(f"{erase}/content").json()["code"] == "document_erased"
            timeline = ok(
                case.client.get(
                    f"{API}/families/{family_id}/chronology",
                    params={"kind": ["document_added", "document_erased"]},
                )
            )["items"]
        assert [(e["kind"], e["record_id"]) for e in timeline] == [
            ("document_added", letter["id"]),
            ("document_erased", letter["id"]),
        ]
        with new_uow() as uow:
            assert uow.documents.chunk(uuid.UUID(letter["id"]), 0) is None
        erasures = [e for e in entries(new_uow) if e.action == "erase_document"]
        assert [(e.actor_id, e.outcome) for e in erasures] == [
            (staff.school_worker, "denied"),
            (officer, "denied"),
            (staff.manager, "allowed"),
        ]
        assert {str(e.family_id) for e in erasures} == {family_id}

    def test_a_sensitive_document_on_a_request_is_withheld_from_the_referrer(
        self, case: Case, staff: Staff, officer: uuid.UUID
    ) -> None:
        _request_id, url = self.referral(case, staff)
        with as_user(case.client, officer):
            note = ok(case.upload(url=url, sensitive="true", title="Police check"), 201)
        with as_user(case.client, staff.school_worker):
            (seen,) = ok(case.client.get(url))["items"]
            assert (seen["withheld"], seen["title"]) == (True, None)
            refused = case.client.get(f"{API}/documents/{note['id']}/content")
            assert refused.json()["code"] == "document_sensitive"
        with as_user(case.client, staff.manager):
            assert case.client.get(note["content_url"]).content == samples.PDF

    @staticmethod
    def screen_for_early_help(
        case: Case, staff: Staff, officer: uuid.UUID, reference: ReferenceData, request_id: str
    ) -> tuple[str, str]:
        """The household is registered and the front door opens an episode led by `staff.lead`."""
        family = ok(
            case.client.post(f"{API}/families", json=make_family_body(reference.hubs["NORTH"])),
            201,
        )
        child = next(m["person_id"] for m in family["members"] if m["role"] == "child")
        with as_user(case.client, officer):
            made = ok(case.client.get(f"{API}/requests/{request_id}"))
            decided = ok(
                case.client.post(
                    f"{API}/requests/{request_id}/decision",
                    json={
                        "outcome": "early_help",
                        "reason": "Two needs; the family agrees.",
                        "family_id": family["id"],
                        "child_person_ids": [child],
                        "lead_practitioner_id": str(staff.lead),
                        "level_of_need": "2",
                    },
                    headers={"If-Match": f'"{made["version"]}"'},
                )
            )
        return family["id"], decided["decision"]["episode_id"]


class TestRetriedUploads:
    """Every upload takes an Idempotency-Key, as every other create: a retry stores nothing new."""

    def test_a_retried_upload_with_the_same_key_records_one_document_and_replays_the_answer(
        self, case: Case
    ) -> None:
        content = samples.large_pdf(2 * CHUNK_BYTES + 7)
        key = {"Idempotency-Key": "scan-ely-1"}
        first = case.client.post(
            case.episode_documents,
            data={"title": "Signed consent form"},
            files={"file": ("consent.pdf", content, "application/pdf")},
            headers=key,
        )
        again = case.client.post(
            case.episode_documents,
            data={"title": "Signed consent form"},
            files={"file": ("consent.pdf", content, "application/pdf")},
            headers=key,
        )
        assert first.status_code == again.status_code == 201, again.text
        assert again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.headers["Location"] == first.headers["Location"]
        assert "Idempotent-Replayed" not in first.headers
        assert [d["id"] for d in ok(case.client.get(case.episode_documents))["items"]] == [
            first.json()["id"]
        ]

    @pytest.mark.parametrize(
        ("content", "title"),
        [(samples.large_pdf(CHUNK_BYTES + 1), "Signed consent form"), (samples.PDF, "Another")],
        ids=["other-content", "other-title"],
    )
    def test_the_same_key_with_another_file_or_form_is_refused_and_stores_nothing(
        self, case: Case, content: bytes, title: str
    ) -> None:
        key = {"Idempotency-Key": "scan-ely-2"}
        ok(
            case.client.post(
                case.family_documents,
                data={"title": "Signed consent form"},
                files={"file": ("consent.pdf", samples.PDF, "application/pdf")},
                headers=key,
            ),
            201,
        )
        refused = case.client.post(
            case.family_documents,
            data={"title": title},
            files={"file": ("consent.pdf", content, "application/pdf")},
            headers=key,
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "idempotency_key_reused"
        assert len(ok(case.client.get(case.family_documents))["items"]) == 1

    def test_the_same_key_on_another_record_is_another_upload(self, case: Case) -> None:
        key = {"Idempotency-Key": "scan-ely-3"}

        def post(url: str) -> Any:
            return case.client.post(
                url,
                data={"title": "Signed consent form"},
                files={"file": ("consent.pdf", samples.PDF, "application/pdf")},
                headers=key,
            )

        first = ok(post(case.episode_documents), 201)
        on_the_family = ok(post(case.family_documents), 201)
        assert on_the_family["id"] != first["id"]


def test_a_form_that_cannot_be_parsed_is_422_naming_the_body(case: Case) -> None:
    """Malformed multipart (a part with no headers) is bad input, as malformed JSON is."""
    boundary = "7c5156fb04a2177cf9e322ad31ebde44"
    refused = case.client.post(
        case.family_documents,
        content=f"--{boundary}\r\nNone--{boundary}--\r\n".encode(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in refused.json()["errors"]] == ["body"]
