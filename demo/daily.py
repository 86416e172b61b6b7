"""The daily record in the demo: requests for support at the front door in every state, contacts
and case notes on the lead's episodes, and documents on a family, an episode and a contact.

Done as the demo staff through the same services as the API, each on a clock standing on the day
it happened, so every clock (the front door's 1 working day, the worklist's no-contact flag) is
computed by the real rules relative to the demo's today.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from app.domain.contacts import Contact, ContactKind, NoteField
from app.domain.documents import OwnerKind
from app.domain.families import MemberRole, Person
from app.domain.family_help import FamilyHelpPolicy
from app.domain.requests import (
    NewChild,
    NewHousehold,
    Referrer,
    ReferrerKind,
    ScreeningOutcome,
    Urgency,
)
from app.services import contacts, documents, requests
from app.services.families import FamilyRecord
from app.services.ports import UnitOfWork
from app.services.use_case import Actor
from demo.episodes import FRONT_DOOR, LEAD, PlayedEpisode, on_day

LEVELS = ["2", "3"]
DOCUMENT_LIMIT = 20 * 1024 * 1024
"""The service's default upload limit (FAMILYHUB_DOCUMENT_MAX_BYTES); the demo's files are a few
hundred bytes, well under any limit a council sets."""


@dataclass
class DailyRecord:
    """What the daily record is played on, and the register step for a household the front door
    is told about before anyone registered it."""

    new_uow: Callable[[], UnitOfWork]
    today: date
    zone: ZoneInfo
    actors: dict[str, Actor]
    register: Callable[[date, str, list[tuple[MemberRole, Person]]], FamilyRecord]
    family_help: FamilyHelpPolicy
    """The council's Family Help setting: an early help decision opens the episode under it."""

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def staff(self, email: str) -> uuid.UUID:
        return self.actors[email].principal.practitioner_id


def load_daily_record(d: DailyRecord, played: list[PlayedEpisode]) -> None:
    """The front door's requests, then contacts and documents on three of the lead's episodes."""
    open_stages = {"active", "active_review_late", "assessing", "awaiting_qa", "approved"}
    mine = [p for p in played if p.lead == LEAD and p.stage in open_stages]
    by_stage = {p.stage: p for p in reversed(mine)}
    _front_door(d, attach_to=by_stage["active"])
    home_visit = _busy_family(d, by_stage["active_review_late"])
    _drifting_family(d, by_stage["active"])
    _school_contact(d, by_stage["assessing"])
    _documents(d, by_stage["active_review_late"], home_visit)


# --- the front door ------------------------------------------------------------------------------


def _receive(
    d: DailyRecord,
    days_ago: int,
    referrer: Referrer,
    asked_for: str,
    reason: str,
    *,
    urgency: Urgency = Urgency.ROUTINE,
    family_agreed: bool = True,
    household: NewHousehold | None = None,
    family: FamilyRecord | None = None,
    children: tuple[uuid.UUID, ...] = (),
) -> requests.RequestView:
    received = requests.create_request(
        d.new_uow(),
        on_day(d.ago(days_ago), d.zone),
        d.actors[FRONT_DOOR],
        requests.NewRequest(
            referrer=referrer,
            asked_for=asked_for,
            reason=reason,
            family_agreed=family_agreed,
            urgency=urgency,
            received_on=d.ago(days_ago),
            family_id=family.family.id if family else None,
            child_person_ids=children,
            household=household,
        ),
    )
    assert isinstance(received, requests.RequestView)
    return received


def _screen(
    d: DailyRecord, request: requests.RequestView, days_ago: int, screening: requests.Screening
) -> None:
    requests.screen_request(
        d.new_uow(),
        on_day(d.ago(days_ago), d.zone),
        d.actors[FRONT_DOOR],
        request.request.id,
        screening,
        expected_version=request.request.version,
        levels=LEVELS,
        family_help=d.family_help,
    )


def _agency(code: str, name: str, role: str) -> Referrer:
    return Referrer(kind=ReferrerKind.AGENCY, agency_code=code, name=name, role=role)


def _front_door(d: DailyRecord, attach_to: PlayedEpisode) -> None:
    """One request in every state the front door's list shows."""
    # Awaiting screening, past its 1-working-day decision day: on the front door's overdue view.
    _receive(
        d,
        8,
        _agency("SCHOOL_HIGHFIELD", "Joanne Patterson", "Head of Year 8"),
        "Support for a Year 8 pupil and her mum",
        "Attendance has fallen to 71% since September; mum says she cannot get her out of bed "
        "and is struggling since losing her job.",
        household=NewHousehold(
            address_line1="14 Bispham Road",
            postcode="FY2 0JQ",
            contact_name="Michelle Rigby",
            children=(NewChild("Courtney", "Rigby", d.ago(365 * 12 + 140)),),
        ),
    )
    # Awaiting screening, received today: due by the end of the next working day.
    _receive(
        d,
        0,
        Referrer(kind=ReferrerKind.SELF_REFERRAL, name="Gemma Lowe", contact="07700 900456"),
        "Help with my son's behaviour at home",
        "My son (6) has tantrums every morning before school and I do not know what to do.",
        household=NewHousehold(
            address_line1="3 Lytham Road",
            postcode="FY4 2NP",
            contact_name="Gemma Lowe",
            children=(NewChild("Riley", "Lowe", d.ago(365 * 6 + 30)),),
        ),
    )
    # Decided: no further action.
    nfa = _receive(
        d,
        21,
        _agency("POLICE", "PC Alan Rudd", "Police officer"),
        "Notification of a police attendance",
        "Police attended a noise complaint at 23:10; the children were asleep and well cared for.",
        family_agreed=False,
        household=NewHousehold(
            address_line1="27 Dickson Road",
            postcode="FY1 4QD",
            contact_name="Daniel Fisher",
            children=(NewChild("Ollie", "Fisher", d.ago(365 * 9)),),
        ),
    )
    _screen(
        d,
        nfa,
        20,
        requests.Screening(
            outcome=ScreeningOutcome.NO_FURTHER_ACTION,
            reason="One-off noise complaint; no concerns for the children and the family did not "
            "want support. Police and school informed of the decision.",
        ),
    )
    # Decided: signposted to universal services.
    signposted = _receive(
        d,
        16,
        Referrer(kind=ReferrerKind.SELF_REFERRAL, name="Aneta Zielinska"),
        "Ideas for keeping the children busy in the holidays",
        "Money is tight over the holidays and the children are bored and arguing.",
        household=NewHousehold(
            address_line1="8 Marton Drive",
            postcode="FY3 8LE",
            contact_name="Aneta Zielinska",
            children=(
                NewChild("Maja", "Zielinska", d.ago(365 * 10)),
                NewChild("Filip", "Zielinski", d.ago(365 * 7)),
            ),
        ),
    )
    _screen(
        d,
        signposted,
        15,
        requests.Screening(
            outcome=ScreeningOutcome.SIGNPOST,
            reason="Signposted to the Holiday Activities and Food programme and the South Family "
            "Hub's stay-and-play sessions; mum was happy with this.",
        ),
    )
    # Decided: early help. The household was not known; the hub registers it and the front door
    # opens an episode linked to the request.
    hv = _receive(
        d,
        6,
        _agency("HEALTH_VISITING", "Harriet Hughes-Visitor", "Health visitor"),
        "Early help for a new mum with low mood",
        "Mum has a 4-month-old and a 3-year-old, low mood since the birth, and no family nearby.",
        household=NewHousehold(
            address_line1="41 Waterloo Road",
            postcode="FY1 3HT",
            contact_name="Leah Dunne",
            children=(
                NewChild("Archie", "Dunne", d.ago(120)),
                NewChild("Evie", "Dunne", d.ago(365 * 3 + 50)),
            ),
        ),
    )
    mum = Person(id=uuid.uuid4(), given_name="Leah", family_name="Dunne", sex="female")
    baby = Person(
        id=uuid.uuid4(), given_name="Archie", family_name="Dunne", date_of_birth=d.ago(120)
    )
    toddler = Person(
        id=uuid.uuid4(), given_name="Evie", family_name="Dunne", date_of_birth=d.ago(365 * 3 + 50)
    )
    dunne = d.register(
        d.ago(5),
        "CENTRAL",
        [(MemberRole.PARENT_CARER, mum), (MemberRole.CHILD, baby), (MemberRole.CHILD, toddler)],
    )
    _screen(
        d,
        hv,
        5,
        requests.Screening(
            outcome=ScreeningOutcome.EARLY_HELP,
            reason="Mum agrees; needs under health and family relationships. Allocated to the "
            "Central hub's family support worker.",
            family_id=dunne.family.id,
            child_person_ids=(baby.id, toddler.id),
            lead_practitioner_id=d.staff(LEAD),
            level_of_need="2",
        ),
    )
    # Decided: stepped up to children's social care, with its reference.
    police = _receive(
        d,
        11,
        _agency("POLICE", "DC Sarah Kent", "Detective constable"),
        "Referral after a domestic incident",
        "Police attended a domestic incident; the 4-year-old had a bruise to the cheek that "
        "mum could not explain.",
        urgency=Urgency.URGENT,
        family_agreed=False,
        household=NewHousehold(
            address_line1="9 Common Edge Road",
            postcode="FY4 4EW",
            contact_name="Shannon Holt",
            children=(NewChild("Lola", "Holt", d.ago(365 * 4 + 60)),),
        ),
    )
    _screen(
        d,
        police,
        11,
        requests.Screening(
            outcome=ScreeningOutcome.STEP_UP,
            reason="Unexplained injury to a young child: passed to children's social care for a "
            "strategy discussion the same day.",
            step_up_reference="CSC-52817",
        ),
    )
    # Decided: already open. The family has a current episode; the request is attached to it and
    # its lead (Lena) sees it on her worklist.
    family = attach_to.record
    children = tuple(
        m.person_id
        for m in family.family.memberships
        if m.role is MemberRole.CHILD and m.left_on is None
    )
    school = _receive(
        d,
        4,
        _agency("SCHOOL_ST_ANNES", "Sam Schofield", "Designated safeguarding lead"),
        "More support with attendance",
        "Attendance has dipped again after half term; school would like to join the plan.",
        family=family,
        children=children[:1],
    )
    _screen(
        d,
        school,
        3,
        requests.Screening(
            outcome=ScreeningOutcome.ALREADY_OPEN,
            reason="The family already has an open episode: attached for the lead professional.",
        ),
    )


# --- contacts and case notes ---------------------------------------------------------------------


def _people(played: PlayedEpisode, role: MemberRole) -> list[uuid.UUID]:
    return [
        m.person_id
        for m in played.record.family.memberships
        if m.role is role and m.left_on is None
    ]


def _record(
    d: DailyRecord, played: PlayedEpisode, days_ago: int, new: contacts.NewContact
) -> Contact:
    view = contacts.record_contact(
        d.new_uow(), on_day(d.ago(days_ago), d.zone), d.actors[played.lead], played.episode_id, new
    )
    assert isinstance(view, contacts.ContactView)
    return view.contact


def _busy_family(d: DailyRecord, played: PlayedEpisode) -> Contact:
    """A home visit with the children seen (one alone) in their own words, later corrected; a
    phone call; a sensitive note only the lead and managers read."""
    carers, children = _people(played, MemberRole.PARENT_CARER), _people(played, MemberRole.CHILD)
    older, younger = children[-2], children[-1]
    visit = _record(
        d,
        played,
        12,
        contacts.NewContact(
            kind=ContactKind.HOME_VISIT,
            happened_on=d.ago(12),
            happened_at=time(16, 0),
            seen_person_ids=(carers[-1], older, younger),
            children_seen_alone=(older,),
            child_voice="\"Bedtime is better now Mum reads to us. I still don't like it when "
            'the letters about money come, everyone gets shouty."',
            what_was_done="Went through the evening routine chart with mum; gave the food bank "
            "voucher and the number for the debt advice line.",
            note="Home warm and tidy. Mum tired but engaged. Children happy to show me their "
            "bedroom. Agreed next visit in two weeks, after the school review at St Anne's.",
            significant=True,
        ),
    )
    contacts.amend_contact(
        d.new_uow(),
        on_day(d.ago(11), d.zone),
        d.actors[played.lead],
        played.episode_id,
        visit.id,
        contacts.Correction(
            field=NoteField.NOTE,
            text="Home warm and tidy. Mum tired but engaged. Children happy to show me their "
            "bedroom. Agreed next visit in two weeks, after the school review at Highfield.",
            reason="The school review is at Highfield Academy, not St Anne's.",
        ),
        expected_version=visit.version,
    )
    _record(
        d,
        played,
        5,
        contacts.NewContact(
            kind=ContactKind.PHONE,
            happened_on=d.ago(5),
            happened_at=time(11, 30),
            seen_person_ids=(),
            note="Rang mum to check the food bank parcel arrived: it did. Debt advice appointment "
            "booked for next Tuesday.",
        ),
    )
    _record(
        d,
        played,
        2,
        contacts.NewContact(
            kind=ContactKind.OFFICE,
            happened_on=d.ago(2),
            seen_person_ids=(carers[-1],),
            note="Mum spoke about her own experience of abuse as a child and asked that it is not "
            "shared with the wider TAF. Offered counselling through the GP; she will think.",
            sensitive=True,
        ),
    )
    return visit


def _drifting_family(d: DailyRecord, played: PlayedEpisode) -> None:
    """A significant contact weeks ago and an attempted visit since: the caseload shows the last
    contact, and the worklist flags the family as going without contact."""
    carers, children = _people(played, MemberRole.PARENT_CARER), _people(played, MemberRole.CHILD)
    carer = played.record.people[carers[0]]
    _record(
        d,
        played,
        27,
        contacts.NewContact(
            kind=ContactKind.HOME_VISIT,
            happened_on=d.ago(27),
            happened_at=time(15, 30),
            seen_person_ids=(carers[0], *children[:1]),
            note=f"{carer.given_name} told me the children's other parent has been coming to the "
            "house again and the police were called last weekend. Discussed safety planning; "
            "told the DSL at school.",
            child_voice="\"It's better when it's just us. I don't like it when the police come.\"",
            significant=True,
        ),
    )
    _record(
        d,
        played,
        7,
        contacts.NewContact(
            kind=ContactKind.ATTEMPTED_VISIT,
            happened_on=d.ago(7),
            happened_at=time(10, 0),
            note="No answer at the planned visit; left a card and texted mum to rearrange.",
        ),
    )


def _school_contact(d: DailyRecord, played: PlayedEpisode) -> None:
    children = _people(played, MemberRole.CHILD)
    _record(
        d,
        played,
        3,
        contacts.NewContact(
            kind=ContactKind.SCHOOL,
            happened_on=d.ago(3),
            seen_person_ids=tuple(children[:1]),
            children_seen_alone=tuple(children[:1]),
            child_voice="I like my teacher. Lunchtimes are hard because nobody plays with me.",
            note="Met the class teacher and the SENCo for the assessment; school will start a "
            "lunchtime club and share attendance weekly.",
        ),
    )


# --- documents -----------------------------------------------------------------------------------


def tiny_png() -> bytes:
    """A valid 2x2 PNG (a child's drawing stands in), made here so the demo ships no binaries."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes([200, 40, 40, 40, 120, 200]) for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def tiny_pdf(text: str) -> bytes:
    """A valid one-page PDF showing one line of text, with a correct cross-reference table."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _upload(
    d: DailyRecord,
    played: PlayedEpisode,
    days_ago: int,
    new: documents.NewDocument,
    content: bytes,
) -> None:
    documents.upload_document(
        d.new_uow(),
        on_day(d.ago(days_ago), d.zone),
        d.actors[played.lead],
        new,
        [content],
        max_bytes=DOCUMENT_LIMIT,
    )


def _documents(d: DailyRecord, played: PlayedEpisode, visit: Contact) -> None:
    """A letter on the family, a school report on the episode and a drawing on the home visit."""
    family = played.record.family
    carer = played.record.people[_people(played, MemberRole.PARENT_CARER)[-1]]
    letter = (
        f"Central Family Hub\n\n{d.ago(10).strftime('%d %B %Y')}\n\nDear "
        f"{carer.given_name} {carer.family_name},\n\nThank you for meeting me last week. As we agreed, the plan is:\n"
        "- a bedtime routine chart, reviewed at each visit;\n"
        "- an appointment with the debt advice line;\n"
        "- weekly attendance updates from school.\n\n"
        "Your next Team Around the Family meeting is in four weeks.\n\n"
        "Yours sincerely,\nLena Lead, Family support worker\n"
    )
    _upload(
        d,
        played,
        10,
        documents.NewDocument(
            owner_kind=OwnerKind.FAMILY,
            owner_id=family.id,
            title="Letter confirming the family plan",
            description="Sent to the family after the plan was agreed.",
            filename="plan-letter.txt",
            sensitive=False,
            visible_to=frozenset(),
            dated_on=d.ago(10),
        ),
        letter.encode("utf-8"),
    )
    _upload(
        d,
        played,
        8,
        documents.NewDocument(
            owner_kind=OwnerKind.EPISODE,
            owner_id=played.episode_id,
            title="School attendance report, autumn term",
            description="From the school's attendance officer.",
            filename="attendance-report.pdf",
            sensitive=False,
            visible_to=frozenset(),
            dated_on=d.ago(8),
        ),
        tiny_pdf("Attendance, autumn term: 86% (was 79%)"),
    )
    _upload(
        d,
        played,
        12,
        documents.NewDocument(
            owner_kind=OwnerKind.CONTACT,
            owner_id=visit.id,
            under_episode=played.episode_id,
            title="Drawing of home",
            description="Drawn during the home visit; shared with the child's agreement.",
            filename="drawing.png",
            sensitive=False,
            visible_to=frozenset(),
            dated_on=d.ago(12),
        ),
        tiny_png(),
    )
