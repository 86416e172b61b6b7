"""A family's chronology: one dated timeline of everything that happened across its episodes.

Issue 19 §3. Each record of the case contributes the entries of the events it holds (a consent
its giving and its withdrawal, an episode its request, level and lead changes and closure, a plan
its submissions and quality assurance decisions ...). Every entry says what happened, on which
day (the date it happened, as the user knows it, beside when it was recorded where that is
kept), who (a practitioner or a member of the family), whom it is about, and which record it
points to, so a front end can link to it.

The timeline is ordered by the day, then by the order the process runs in on one day (a request
before its assessment, a plan's submission before its decision), then by the record, so paging
is stable. Several of the events live in lists inside their record (QA decisions, lead and level
history), which is why the timeline is put together here rather than in one SQL query.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from enum import StrEnum

from app.domain.assessments import Assessment
from app.domain.consents import Consent
from app.domain.contacts import Contact
from app.domain.disclosures import Disclosure, DisclosureDecision
from app.domain.documents import Document
from app.domain.episodes import Episode
from app.domain.errors import InvalidValue
from app.domain.family_help import (
    Allocation,
    AllocationRole,
    FamilyHelpRecord,
    TransitionKind,
)
from app.domain.family_network import FgdmMeeting, FgdmOffer, FgdmOfferStatus, NetworkMember
from app.domain.plans import FamilyPlan
from app.domain.requests import ReferrerKind, SupportRequest
from app.domain.supporting_families import NeedOutcome, NeedRecord
from app.domain.taf import TafMeeting, TafMember


class EntryKind(StrEnum):
    """What an entry of the chronology records, in the order the process runs on one day."""

    REQUEST_RECEIVED = "request_received"
    REQUEST_DECIDED = "request_decided"
    CONSENT_GIVEN = "consent_given"
    NETWORK_MEMBER_ADDED = "network_member_added"
    EPISODE_REQUESTED = "episode_requested"
    LEAD_CHANGED = "lead_changed"
    LEVEL_CHANGED = "level_changed"
    STEP_ACROSS = "step_across"
    ALLOCATION_STARTED = "allocation_started"
    S47_ENQUIRY_STARTED = "s47_enquiry_started"
    INITIAL_CP_CONFERENCE = "initial_cp_conference"
    CP_PLAN_STARTED = "cp_plan_started"
    CP_PLAN_REVIEWED = "cp_plan_reviewed"
    ASSESSMENT_STARTED = "assessment_started"
    NEED_IDENTIFIED = "need_identified"
    ASSESSMENT_COMPLETED = "assessment_completed"
    PLAN_SUBMITTED = "plan_submitted"
    QA_DECISION = "qa_decision"
    TAF_JOINED = "taf_joined"
    CONTACT = "contact"
    TAF_MEETING = "taf_meeting"
    FGDM_OFFER = "fgdm_offer"
    FGDM_ANSWER = "fgdm_answer"
    FGDM_MEETING = "fgdm_meeting"
    NEED_OUTCOME = "need_outcome"
    DOCUMENT_ADDED = "document_added"
    DISCLOSURE = "disclosure"
    DECISION_NOT_TO_SHARE = "decision_not_to_share"
    TAF_LEFT = "taf_left"
    NETWORK_MEMBER_LEFT = "network_member_left"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    CP_PLAN_ENDED = "cp_plan_ended"
    ALLOCATION_ENDED = "allocation_ended"
    DOCUMENT_ERASED = "document_erased"
    EPISODE_CLOSED = "episode_closed"


_RANK = {kind: index for index, kind in enumerate(EntryKind)}


@dataclass(frozen=True)
class ChronologyEntry:
    on: date
    kind: EntryKind
    what: str
    """One line a practitioner reads ("Plan version 2 returned by quality assurance")."""
    record_type: str
    """The record it points to: consent, episode, assessment, plan, meeting, taf_member, need,
    disclosure, network_member, fgdm_offer, fgdm_meeting, contact, document, request,
    family_help (an episode's s.47 enquiries, child protection plans and allocations)."""
    record_id: uuid.UUID
    episode_id: uuid.UUID | None = None
    by_practitioner_id: uuid.UUID | None = None
    by_person_id: uuid.UUID | None = None
    person_ids: tuple[uuid.UUID, ...] = ()
    """Whom it is about: the people named, or the children of the episode it belongs to."""
    recorded_at: datetime | None = None
    sequence: int = 0
    """Tells apart two events of one record on one day (two QA decisions)."""

    @property
    def sort_key(self) -> tuple[str, str, str, str]:
        """Strings that sort as the timeline does, for a cursor."""
        return (
            self.on.isoformat(),
            f"{_RANK[self.kind]:02d}",
            str(self.record_id),
            f"{self.sequence:04d}",
        )


@dataclass(frozen=True)
class ChronologyFilter:
    kinds: frozenset[EntryKind] = frozenset()
    episode_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    on_or_after: date | None = None
    on_or_before: date | None = None

    def __post_init__(self) -> None:
        if (
            self.on_or_after is not None
            and self.on_or_before is not None
            and self.on_or_after > self.on_or_before
        ):
            raise InvalidValue(
                "The range's first day is after its last day.",
                field="from",
                code="chronology_range_reversed",
            )

    def admits(self, entry: ChronologyEntry) -> bool:
        return (
            (not self.kinds or entry.kind in self.kinds)
            and (self.episode_id is None or entry.episode_id == self.episode_id)
            and (self.person_id is None or self.person_id in entry.person_ids)
            and (self.on_or_after is None or entry.on >= self.on_or_after)
            and (self.on_or_before is None or entry.on <= self.on_or_before)
        )


@dataclass(frozen=True)
class FamilyRecord:
    """Everything of one family the chronology is made from, as loaded for it."""

    consents: Collection[Consent] = ()
    episodes: Collection[Episode] = ()
    assessments: Collection[Assessment] = ()
    plans: Collection[FamilyPlan] = ()
    members: Collection[TafMember] = ()
    meetings: Collection[TafMeeting] = ()
    needs: Collection[tuple[uuid.UUID, NeedRecord]] = ()
    """Each need with the episode it belongs to."""
    disclosures: Collection[Disclosure] = ()
    network_members: Collection[NetworkMember] = ()
    fgdm_offers: Collection[FgdmOffer] = ()
    fgdm_meetings: Collection[FgdmMeeting] = ()
    contacts: Collection[Contact] = ()
    documents: Collection[Document] = ()
    requests: Collection[SupportRequest] = ()
    zone: tzinfo = UTC
    """The council's time zone: an event kept only as an instant (an erasure) falls on its day
    there, as the user knows it."""
    family_help: Collection[FamilyHelpRecord] = ()
    """The episodes' Family Help records: their step-across transitions, s.47 enquiries and
    child protection plans are in the timeline."""
    """The requests for support about the family that the reader may read."""
    """Every document of the family's record, and of the requests the reader may read, erased
    ones included."""
    """The episodes' contacts; those marked significant are in the timeline."""


def chronology(record: FamilyRecord, flt: ChronologyFilter) -> list[ChronologyEntry]:
    """The family's timeline, filtered, in order."""
    children = {e.id: e.child_person_ids for e in record.episodes}
    entries = [
        *_consents(record.consents),
        *_episodes(record.episodes),
        *_assessments(record.assessments, children),
        *_plans(record.plans, children, _with_submissions(record.episodes)),
        *_members(record.members, children),
        *_meetings(record.meetings, children),
        *_needs(record.needs),
        *_disclosures(record.disclosures),
        *_network(record.network_members),
        *_fgdm_offers(record.fgdm_offers),
        *_fgdm_meetings(record.fgdm_meetings),
        *_contacts(record.contacts),
        *_documents(record.documents, record.zone),
        *_requests(record.requests),
        *_transitions(record.family_help, children),
        *_allocations(record.family_help, children),
        *_child_protection(record.family_help, children),
    ]
    return sorted((e for e in entries if flt.admits(e)), key=lambda e: e.sort_key)


def _consents(consents: Iterable[Consent]) -> Iterator[ChronologyEntry]:
    for consent in consents:
        about = consent.on_behalf_of_person_ids or (consent.given_by_person_id,)
        purpose = consent.purpose.value.replace("_", " ")
        yield ChronologyEntry(
            on=consent.given_on,
            kind=EntryKind.CONSENT_GIVEN,
            what=f"Consent given ({purpose}, {consent.method.value})",
            record_type="consent",
            record_id=consent.id,
            by_person_id=consent.given_by_person_id,
            person_ids=about,
        )
        if consent.withdrawal is not None:
            yield ChronologyEntry(
                on=consent.withdrawal.withdrawn_on,
                kind=EntryKind.CONSENT_WITHDRAWN,
                what=f"Consent withdrawn ({purpose}): {consent.withdrawal.reason}",
                record_type="consent",
                record_id=consent.id,
                by_person_id=consent.withdrawal.withdrawn_by_person_id,
                person_ids=about,
            )


def _episodes(episodes: Iterable[Episode]) -> Iterator[ChronologyEntry]:
    for episode in episodes:
        yield from _episode(episode)


def _episode(episode: Episode) -> Iterator[ChronologyEntry]:
    def entry(
        on: date,
        kind: EntryKind,
        what: str,
        *,
        by: uuid.UUID | None = None,
        recorded_at: datetime | None = None,
        sequence: int = 0,
    ) -> ChronologyEntry:
        return ChronologyEntry(
            on=on,
            kind=kind,
            what=what,
            record_type="episode",
            record_id=episode.id,
            episode_id=episode.id,
            by_practitioner_id=by,
            person_ids=episode.child_person_ids,
            recorded_at=recorded_at,
            sequence=sequence,
        )

    yield entry(
        episode.requested_on,
        EntryKind.EPISODE_REQUESTED,
        f"Early help requested (source: {episode.source.value.replace('_', ' ')}, "
        f"level of need {episode.level_of_need})",
    )
    for index, handover in enumerate(episode.lead_history):
        if handover.from_practitioner_id is None:
            continue  # the first lead came with the request
        yield entry(
            handover.assigned_on,
            EntryKind.LEAD_CHANGED,
            "Lead professional changed" + (f": {handover.reason}" if handover.reason else ""),
            by=handover.practitioner_id,
            recorded_at=handover.recorded_at,
            sequence=index,
        )
    for index, submitted_on in enumerate(episode.plan_submissions):
        yield entry(
            submitted_on,
            EntryKind.PLAN_SUBMITTED,
            "Family plan submitted for quality assurance" + (" again" if index else ""),
            sequence=index,
        )
    for index, change in enumerate(episode.level_history[1:], start=1):
        yield entry(
            change.changed_on,
            EntryKind.LEVEL_CHANGED,
            f"Level of need changed to {change.level}"
            + (f": {change.reason}" if change.reason else ""),
            recorded_at=change.recorded_at,
            sequence=index,
        )
    if episode.closed_on is not None:
        reason = episode.closure_reason.value.replace("_", " ") if episode.closure_reason else ""
        stepped_up = (
            f", stepped up ({episode.stepped_up_reference})" if episode.stepped_up_reference else ""
        )
        yield entry(
            episode.closed_on,
            EntryKind.EPISODE_CLOSED,
            f"Episode closed ({reason}){stepped_up}",
            recorded_at=episode.closed_recorded_at,
        )


def _assessments(
    assessments: Iterable[Assessment], children: dict[uuid.UUID, tuple[uuid.UUID, ...]]
) -> Iterator[ChronologyEntry]:
    for assessment in assessments:
        name = "Assessment" if assessment.number == 1 else f"Reassessment {assessment.number - 1}"
        about = children.get(assessment.episode_id, ())
        yield ChronologyEntry(
            on=assessment.started_on,
            kind=EntryKind.ASSESSMENT_STARTED,
            what=f"{name} started",
            record_type="assessment",
            record_id=assessment.id,
            episode_id=assessment.episode_id,
            person_ids=about,
            recorded_at=assessment.started_recorded_at,
        )
        if assessment.completed_on is not None:
            yield ChronologyEntry(
                on=assessment.completed_on,
                kind=EntryKind.ASSESSMENT_COMPLETED,
                what=f"{name} completed ({len(assessment.needs)} needs identified)",
                record_type="assessment",
                record_id=assessment.id,
                episode_id=assessment.episode_id,
                person_ids=about,
                recorded_at=assessment.completed_recorded_at,
            )


def _with_submissions(episodes: Iterable[Episode]) -> set[uuid.UUID]:
    """Episodes that keep the day of every submission to QA (the episode lists them all)."""
    return {e.id for e in episodes if e.plan_submissions}


def _plans(
    plans: Iterable[FamilyPlan],
    children: dict[uuid.UUID, tuple[uuid.UUID, ...]],
    listed_by_episode: set[uuid.UUID],
) -> Iterator[ChronologyEntry]:
    for plan in plans:
        about = children.get(plan.episode_id, ())
        if plan.submitted_on is not None and plan.episode_id not in listed_by_episode:
            yield ChronologyEntry(
                on=plan.submitted_on,
                kind=EntryKind.PLAN_SUBMITTED,
                what=f"Family plan version {plan.number} submitted for quality assurance",
                record_type="plan",
                record_id=plan.id,
                episode_id=plan.episode_id,
                person_ids=about,
                recorded_at=plan.submitted_recorded_at,
            )
        for index, decision in enumerate(plan.qa_decisions):
            yield ChronologyEntry(
                on=decision.decided_on,
                kind=EntryKind.QA_DECISION,
                what=f"Family plan version {plan.number} {decision.outcome.value} by quality "
                "assurance" + (f": {decision.comments}" if decision.comments else ""),
                record_type="plan",
                record_id=plan.id,
                episode_id=plan.episode_id,
                by_practitioner_id=decision.officer_id,
                person_ids=about,
                recorded_at=decision.recorded_at,
                sequence=index,
            )


def _members(
    members: Iterable[TafMember], children: dict[uuid.UUID, tuple[uuid.UUID, ...]]
) -> Iterator[ChronologyEntry]:
    for member in members:
        about = children.get(member.episode_id, ())
        yield ChronologyEntry(
            on=member.joined_on,
            kind=EntryKind.TAF_JOINED,
            what=f"Joined the Team Around the Family as {member.role}",
            record_type="taf_member",
            record_id=member.id,
            episode_id=member.episode_id,
            by_practitioner_id=member.practitioner_id,
            by_person_id=member.person_id,
            person_ids=about,
        )
        if member.left_on is not None:
            yield ChronologyEntry(
                on=member.left_on,
                kind=EntryKind.TAF_LEFT,
                what=f"Left the Team Around the Family ({member.role})",
                record_type="taf_member",
                record_id=member.id,
                episode_id=member.episode_id,
                by_practitioner_id=member.practitioner_id,
                by_person_id=member.person_id,
                person_ids=about,
            )


def _meetings(
    meetings: Iterable[TafMeeting], children: dict[uuid.UUID, tuple[uuid.UUID, ...]]
) -> Iterator[ChronologyEntry]:
    for meeting in meetings:
        name = "First TAF meeting" if meeting.is_first else "TAF review meeting"
        yield ChronologyEntry(
            on=meeting.held_on,
            kind=EntryKind.TAF_MEETING,
            what=f"{name} held (decision: {meeting.decision.value.replace('_', ' ')})",
            record_type="meeting",
            record_id=meeting.id,
            episode_id=meeting.episode_id,
            person_ids=children.get(meeting.episode_id, ()),
        )


def _needs(needs: Iterable[tuple[uuid.UUID, NeedRecord]]) -> Iterator[ChronologyEntry]:
    for episode_id, record in needs:
        need = record.need
        yield ChronologyEntry(
            on=need.identified_on,
            kind=EntryKind.NEED_IDENTIFIED,
            what=f"Need identified: {need.headline} ({need.descriptor_code})",
            record_type="need",
            record_id=need.id,
            episode_id=episode_id,
            person_ids=need.person_ids,
        )
        outcome = record.outcome
        if outcome.status is not NeedOutcome.OPEN and outcome.on is not None:
            yield ChronologyEntry(
                on=outcome.on,
                kind=EntryKind.NEED_OUTCOME,
                what=f"Need outcome {outcome.status.value.replace('_', ' ')}: {need.headline}",
                record_type="need",
                record_id=need.id,
                episode_id=episode_id,
                person_ids=need.person_ids,
            )


def _disclosures(disclosures: Iterable[Disclosure]) -> Iterator[ChronologyEntry]:
    for disclosure in disclosures:
        shared = disclosure.decision is DisclosureDecision.SHARED
        yield ChronologyEntry(
            on=disclosure.decided_on,
            kind=EntryKind.DISCLOSURE if shared else EntryKind.DECISION_NOT_TO_SHARE,
            what=(
                f"Information shared with {disclosure.recipient_name}"
                if shared
                else f"Decided not to share with {disclosure.recipient_name}"
            ),
            record_type="disclosure",
            record_id=disclosure.id,
            episode_id=disclosure.episode_id,
            by_practitioner_id=disclosure.decided_by_practitioner_id,
            person_ids=disclosure.person_ids,
            recorded_at=disclosure.recorded_at,
        )


def _network(members: Iterable[NetworkMember]) -> Iterator[ChronologyEntry]:
    for member in members:
        relationship = member.relationship.value.replace("_", " ")
        yield ChronologyEntry(
            on=member.added_on,
            kind=EntryKind.NETWORK_MEMBER_ADDED,
            what=f"Added to the child's family network ({relationship})"
            + (f": {member.agreed_role}" if member.agreed_role else ""),
            record_type="network_member",
            record_id=member.id,
            by_person_id=member.person_id,
            person_ids=member.child_person_ids,
            recorded_at=member.recorded_at,
        )
        if member.ended_on is not None:
            yield ChronologyEntry(
                on=member.ended_on,
                kind=EntryKind.NETWORK_MEMBER_LEFT,
                what=f"No longer part of the child's family network ({relationship})",
                record_type="network_member",
                record_id=member.id,
                by_person_id=member.person_id,
                person_ids=member.child_person_ids,
            )


def _fgdm_offers(offers: Iterable[FgdmOffer]) -> Iterator[ChronologyEntry]:
    for offer in offers:
        not_offered = offer.status is FgdmOfferStatus.NOT_OFFERED
        reason = (
            offer.not_offered_reason.value.replace("_", " ") if offer.not_offered_reason else ""
        )
        yield ChronologyEntry(
            on=offer.decided_on,
            kind=EntryKind.FGDM_OFFER,
            what=f"Family group decision-making not offered ({reason})"
            if not_offered
            else "Family group decision-making offered",
            record_type="fgdm_offer",
            record_id=offer.id,
            episode_id=offer.episode_id,
            by_practitioner_id=offer.decided_by_practitioner_id,
            person_ids=offer.offered_to_person_ids,
            recorded_at=offer.recorded_at,
        )
        if offer.answered_on is not None:
            yield ChronologyEntry(
                on=offer.answered_on,
                kind=EntryKind.FGDM_ANSWER,
                what=f"Family group decision-making {offer.status.value} by the family",
                record_type="fgdm_offer",
                record_id=offer.id,
                episode_id=offer.episode_id,
                person_ids=offer.offered_to_person_ids,
            )


def _fgdm_meetings(meetings: Iterable[FgdmMeeting]) -> Iterator[ChronologyEntry]:
    for meeting in meetings:
        kind = meeting.meeting_type.value.replace("_", " ")
        yield ChronologyEntry(
            on=meeting.held_on,
            kind=EntryKind.FGDM_MEETING,
            what=f"Family-led meeting held ({kind})"
            + ("; the family's plan was agreed" if meeting.plan_agreed else ""),
            record_type="fgdm_meeting",
            record_id=meeting.id,
            person_ids=meeting.attendee_person_ids,
            recorded_at=meeting.recorded_at,
        )


def _contacts(contacts: Iterable[Contact]) -> Iterator[ChronologyEntry]:
    """Significant contacts only; the line never carries the note, so a sensitive note's text
    stays behind its own access rule (the link leads to the contact, which applies it)."""
    for contact in contacts:
        if not contact.significant:
            continue
        alone = (
            f", {len(contact.children_seen_alone)} seen alone"
            if contact.children_seen_alone
            else ""
        )
        yield ChronologyEntry(
            on=contact.happened_on,
            kind=EntryKind.CONTACT,
            what=f"Contact: {contact.kind.value.replace('_', ' ')} "
            f"({len(contact.seen_person_ids)} seen{alone})",
            record_type="contact",
            record_id=contact.id,
            episode_id=contact.episode_id,
            by_practitioner_id=contact.recorded_by,
            person_ids=contact.seen_person_ids,
            recorded_at=contact.recorded_at,
        )


def _documents(documents: Iterable[Document], zone: tzinfo) -> Iterator[ChronologyEntry]:
    """A document on the day it is dated, and its erasure on the day it happened: the fact of an
    erasure stays in the timeline after the content has gone (issue 19 §4). A sensitive
    document's title is not in the line; its link applies the document's own rule."""
    for document in documents:
        title = "a sensitive document" if document.sensitive else f"'{document.title}'"
        yield ChronologyEntry(
            on=document.dated_on,
            kind=EntryKind.DOCUMENT_ADDED,
            what=f"Document added: {title}",
            record_type="document",
            record_id=document.id,
            episode_id=document.episode_id,
            by_practitioner_id=document.uploaded_by,
            recorded_at=document.uploaded_at,
        )
        if document.erasure is not None:
            yield ChronologyEntry(
                on=document.erasure.erased_at.astimezone(zone).date(),
                kind=EntryKind.DOCUMENT_ERASED,
                what=f"Document erased ({title}): {document.erasure.reason}",
                record_type="document",
                record_id=document.id,
                episode_id=document.episode_id,
                by_practitioner_id=document.erasure.erased_by,
                recorded_at=document.erasure.erased_at,
            )


def _requests(requests: Iterable[SupportRequest]) -> Iterator[ChronologyEntry]:
    """How the family arrived: each request at the front door and its screening decision."""
    for request in requests:
        referrer = (
            "the family themselves"
            if request.referrer.kind is ReferrerKind.SELF_REFERRAL
            else (request.referrer.agency_code or "an agency")
        )
        yield ChronologyEntry(
            on=request.received_on,
            kind=EntryKind.REQUEST_RECEIVED,
            what=f"Request for support received from {referrer} ({request.urgency.value})",
            record_type="request",
            record_id=request.id,
            by_practitioner_id=request.created_by_practitioner_id,
            person_ids=request.child_person_ids,
            recorded_at=request.recorded_at,
        )
        decision = request.decision
        if decision is not None:
            yield ChronologyEntry(
                on=decision.decided_on,
                kind=EntryKind.REQUEST_DECIDED,
                what="Front door decision: " + decision.outcome.value.replace("_", " "),
                record_type="request",
                record_id=request.id,
                episode_id=decision.episode_id,
                by_practitioner_id=decision.decided_by,
                person_ids=request.child_person_ids,
                recorded_at=decision.recorded_at,
            )


def _transitions(
    records: Iterable[FamilyHelpRecord], children: dict[uuid.UUID, tuple[uuid.UUID, ...]]
) -> Iterator[ChronologyEntry]:
    """Each change of an episode's type or statutory basis (step-across, or up or down to a
    system elsewhere), on the day it took effect, with who decided."""
    for record in records:
        for index, t in enumerate(record.transitions):
            if t.kind is TransitionKind.STEP_ACROSS:
                what = (
                    f"Stepped across: {t.from_type.value} ({t.from_basis.value}) to "
                    f"{t.to_type.value} ({t.to_basis.value})"
                )
            else:
                direction = "up" if t.kind is TransitionKind.STEP_UP_EXTERNAL else "down"
                what = f"Stepped {direction} to {t.external_system or 'another system'}" + (
                    f" ({t.external_reference})" if t.external_reference else ""
                )
            yield ChronologyEntry(
                on=t.effective_on,
                kind=EntryKind.STEP_ACROSS,
                what=f"{what}: {t.reason}",
                record_type="episode",
                record_id=record.episode_id,
                episode_id=record.episode_id,
                by_practitioner_id=t.decided_by,
                person_ids=children.get(record.episode_id, ()),
                recorded_at=t.recorded_at,
                sequence=100 + index,
            )


def _allocations(
    records: Iterable[FamilyHelpRecord], children: dict[uuid.UUID, tuple[uuid.UUID, ...]]
) -> Iterator[ChronologyEntry]:
    """Each practitioner allocated beside the lead or over the work (lead child protection
    practitioner, co-worker, oversight manager, practice supervisor), on the day they started
    and the day they stopped; who it is is the entry's practitioner. The family help lead
    practitioner's allocation follows the lead, whose changes are entries already."""
    for record in records:
        for index, a in enumerate(record.allocations):
            if a.role is AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER:
                continue
            role = a.role.words
            yield _allocation_entry(
                record,
                a,
                a.started_on,
                EntryKind.ALLOCATION_STARTED,
                f"Allocated as {role}",
                children,
                index,
            )
            if a.ended_on is not None:
                why = f": {a.end_reason}" if a.end_reason else ""
                yield _allocation_entry(
                    record,
                    a,
                    a.ended_on,
                    EntryKind.ALLOCATION_ENDED,
                    f"No longer allocated as {role}{why}",
                    children,
                    index,
                )


def _allocation_entry(
    record: FamilyHelpRecord,
    allocation: Allocation,
    on: date,
    kind: EntryKind,
    what: str,
    children: dict[uuid.UUID, tuple[uuid.UUID, ...]],
    index: int,
) -> ChronologyEntry:
    return ChronologyEntry(
        on=on,
        kind=kind,
        what=what,
        record_type="family_help",
        record_id=record.episode_id,
        episode_id=record.episode_id,
        by_practitioner_id=allocation.practitioner_id,
        person_ids=children.get(record.episode_id, ()),
        recorded_at=allocation.recorded_at if kind is EntryKind.ALLOCATION_STARTED else None,
        sequence=200 + index,
    )


def _child_protection(
    records: Iterable[FamilyHelpRecord], children: dict[uuid.UUID, tuple[uuid.UUID, ...]]
) -> Iterator[ChronologyEntry]:
    """The s.47 enquiries and child protection plans recorded for the CIN census, each event on
    its own date: an enquiry starting, its initial conference, a plan starting (with its category
    of abuse), each review, and the plan ending."""
    for record in records:
        yield from _child_protection_of(record, children.get(record.episode_id, ()))


def _child_protection_of(
    record: FamilyHelpRecord, children: tuple[uuid.UUID, ...]
) -> Iterator[ChronologyEntry]:
    def entry(on: date, kind: EntryKind, what: str, sequence: int) -> ChronologyEntry:
        return ChronologyEntry(
            on=on,
            kind=kind,
            what=what,
            record_type="family_help",
            record_id=record.episode_id,
            episode_id=record.episode_id,
            person_ids=children,
            sequence=sequence,
        )

    cp = record.child_protection
    for index, enquiry in enumerate(cp.s47_enquiries):
        needed = "; no initial conference needed" if enquiry.icpc_not_required else ""
        yield entry(
            enquiry.started_on,
            EntryKind.S47_ENQUIRY_STARTED,
            f"Section 47 enquiry started{needed}",
            index,
        )
        if enquiry.icpc_on is not None:
            yield entry(
                enquiry.icpc_on,
                EntryKind.INITIAL_CP_CONFERENCE,
                "Initial child protection conference held",
                index,
            )
    for index, plan in enumerate(cp.plans):
        yield entry(
            plan.started_on,
            EntryKind.CP_PLAN_STARTED,
            f"Child protection plan started: {plan.initial_category_code}",
            index,
        )
        for review, reviewed_on in enumerate(plan.review_dates):
            yield entry(
                reviewed_on,
                EntryKind.CP_PLAN_REVIEWED,
                "Child protection plan reviewed",
                index * 100 + review,
            )
        if plan.ended_on is not None:
            latest = plan.latest_category_code or plan.initial_category_code
            yield entry(
                plan.ended_on,
                EntryKind.CP_PLAN_ENDED,
                f"Child protection plan ended (latest category: {latest})",
                index,
            )
