"""Demo households for `make run`: realistic shapes, loaded through the same rules as the API.

Names, addresses and postcodes are invented. Every family's reference starts with DEMO- so the
loader can tell that it has already run.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from app.domain.consents import Consent, ConsentPurpose, RecordingMethod, SharingScope, Withdrawal
from app.domain.families import (
    Address,
    ContactDetails,
    MemberRole,
    Person,
    RelationshipKind,
    add_months,
)
from app.domain.family_help import CensusCodes, FamilyHelpPolicy
from app.services import consents, families
from app.services.ports import Agency, ClaimsUnitOfWork, Clock, Hub, UnitOfWork
from app.services.use_case import Actor
from demo.daily import DailyRecord, load_daily_record
from demo.episodes import REGISTRAR, demo_zone, load_demo_episodes, load_staff, on_day
from demo.family_help import FamilyHelpDemo, family_help_loaded, load_family_help

HUBS = [
    ("NORTH", "North Family Hub", "North"),
    ("CENTRAL", "Central Family Hub", "Central"),
    ("SOUTH", "South Family Hub (Palatine)", "South"),
]

AGENCIES = [
    ("COUNCIL_EH", "Council Early Help and Support Service", "council_early_help"),
    ("HEALTH_VISITING", "0-19 Health Visiting Service", "health_visiting"),
    ("MIDWIFERY", "Community Midwifery", "health"),
    ("SCHOOL_ST_ANNES", "St Anne's Primary School", "school"),
    ("SCHOOL_HIGHFIELD", "Highfield Academy", "school"),
    ("POLICE", "Police Early Action Team", "police"),
    ("HOUSING", "Council Housing Options", "housing"),
    ("CAMHS", "Child and Adolescent Mental Health Service", "health"),
    ("DA_SERVICE", "Domestic Abuse Support Service", "voluntary_sector"),
    ("FOOD_BANK", "Community Food Network", "voluntary_sector"),
    ("DWP", "Supporting Families Employment Adviser (DWP)", "employment"),
    ("CHILDRENS_SOCIAL_CARE", "Children's Social Care (Family Help)", "social_care"),
]

STREETS = [
    "Cedar Road",
    "Mill Lane",
    "Station Road",
    "Queen Street",
    "Park Avenue",
    "Church Walk",
    "Grange Road",
    "Victoria Terrace",
    "Highfield Road",
    "Talbot Square",
]
SURNAMES = [
    "Hughes",
    "Patel",
    "Kowalski",
    "Okafor",
    "Brown",
    "Murphy",
    "Ahmed",
    "Walsh",
    "Nguyen",
    "Taylor",
    "Ali",
    "Evans",
    "Khan",
    "Roberts",
    "Begum",
    "Clarke",
    "Novak",
    "Mensah",
    "Wilson",
    "Sharma",
]
GIVEN_CHILD = [
    "Ava",
    "Noah",
    "Mia",
    "Leo",
    "Isla",
    "Oscar",
    "Amelia",
    "Zain",
    "Lily",
    "Jack",
    "Ruby",
    "Musa",
    "Freya",
    "Theo",
    "Aisha",
    "Harry",
]
GIVEN_ADULT = [
    "Sarah",
    "Daniel",
    "Priya",
    "Tomasz",
    "Grace",
    "Kevin",
    "Fatima",
    "Liam",
    "Chloe",
    "Adebayo",
    "Rachel",
    "Mark",
    "Jade",
    "Imran",
    "Nicola",
    "Craig",
]
POSTCODES = {
    "NORTH": ["FY2 9AB", "FY2 0JQ", "FY5 1LR"],
    "CENTRAL": ["FY1 3HT", "FY1 4QD", "FY1 5BL"],
    "SOUTH": ["FY4 2NP", "FY4 4EW", "FY3 8LE"],
}


@dataclass
class _Loader:
    new_uow: Callable[[], UnitOfWork]
    clock: Clock
    hubs: dict[str, uuid.UUID]
    registrar: Actor
    """Who registers the demo households: a practitioner, under the same rules as anyone."""
    counter: int = 0
    created: list[families.FamilyRecord] = field(default_factory=list)

    @property
    def today(self) -> date:
        return self.clock.today()

    def years_ago(self, years: int, days: int = 0) -> date:
        return add_months(self.today, -12 * years) - timedelta(days=days)

    def person(self, given: str, family: str, born: date | None = None, **extra: Any) -> Person:
        return Person(
            id=uuid.uuid4(), given_name=given, family_name=family, date_of_birth=born, **extra
        )

    def family(
        self,
        hub: str,
        members: list[tuple[MemberRole, Person]],
        *,
        street_no: int | None = None,
        postcode: str | None = None,
        reference: str | None = None,
        on: Clock | None = None,
    ) -> families.FamilyRecord:
        """Register a household (DEMO-nnn unless `reference` is given), today or on `on`'s day."""
        self.counter += 1
        address = Address.create(
            line1=f"{street_no or 10 + self.counter} {STREETS[self.counter % len(STREETS)]}",
            town="Blackpool",
            postcode=postcode or POSTCODES[hub][self.counter % 3],
        )
        draft = families.FamilyDraft(
            address=address,
            hub_id=self.hubs[hub],
            reference=reference or f"DEMO-{self.counter:03d}",
            members=[
                families.NewMember(role=role, person=p, joined_on=self.years_ago(2))
                for role, p in members
            ],
        )
        record = families.create_family(self.new_uow(), on or self.clock, self.registrar, draft)
        assert isinstance(record, families.FamilyRecord)
        self.created.append(record)
        return record

    def relate(
        self,
        record: families.FamilyRecord,
        a: Person,
        b: Person,
        kind: RelationshipKind,
        pr: bool = False,
    ) -> None:
        families.add_relationship(
            self.new_uow(),
            self.clock,
            self.registrar,
            record.family.id,
            person_id=a.id,
            related_person_id=b.id,
            kind=kind,
            parental_responsibility=pr,
        )

    def consent(
        self,
        record: families.FamilyRecord,
        giver: Person,
        children: list[Person],
        *,
        days_ago: int,
        purpose: ConsentPurpose = ConsentPurpose.EARLY_HELP,
        agencies: frozenset[str] = frozenset(),
        all_taf: bool = False,
    ) -> Consent:
        scope = None
        if purpose is ConsentPurpose.INFORMATION_SHARING:
            scope = SharingScope.ALL_TAF_MEMBERS if all_taf else SharingScope.NAMED_AGENCIES
        recorded = consents.record_consent(
            self.new_uow(),
            self.clock,
            self.registrar,
            Consent(
                id=uuid.uuid4(),
                family_id=record.family.id,
                purpose=purpose,
                given_by_person_id=giver.id,
                given_on=self.today - timedelta(days=days_ago),
                method=RecordingMethod.WRITTEN,
                on_behalf_of_person_ids=tuple(c.id for c in children),
                sharing_scope=scope,
                agency_codes=agencies if not all_taf else frozenset(),
            ),
        )
        assert isinstance(recorded, Consent)
        return recorded


def _already_loaded(uow: UnitOfWork) -> bool:
    with uow:
        return uow.reference.hub_by_code(HUBS[0][0]) is not None and uow.families.reference_exists(
            "DEMO-001"
        )


def _reference_data(uow: UnitOfWork) -> dict[str, uuid.UUID]:
    with uow:
        for code, name, neighbourhood in HUBS:
            if uow.reference.hub_by_code(code) is None:
                uow.reference.add_hub(
                    Hub(
                        id=uuid.uuid4(),
                        code=code,
                        name=name,
                        neighbourhood=neighbourhood,
                        active=True,
                    )
                )
        known = uow.reference.agency_codes()
        for code, name, kind in AGENCIES:
            if code not in known:
                uow.reference.add_agency(Agency(code=code, name=name, kind=kind, active=True))
        uow.commit()
    with uow:
        return {h.code: h.id for h in uow.reference.hubs()}


def load_demo_data(
    new_uow: Callable[[], ClaimsUnitOfWork],
    clock: Clock,
    *,
    family_help: FamilyHelpPolicy | None = None,
    census_codes: CensusCodes | None = None,
) -> bool:
    """Load the demo once; returns False when there was nothing to add.

    On a council that runs Family Help (`family_help` enabled) the demo episodes open as Family
    Help and two Family Help families are added (`census_codes`: the CIN census code lists); a
    demo loaded before the setting was switched on gets those two families on the next run.
    """
    policy = family_help or FamilyHelpPolicy()
    if _already_loaded(new_uow()):
        if not policy.enabled or family_help_loaded(new_uow()):
            return False
        staff = load_staff(new_uow, clock)
        hubs = _reference_data(new_uow())
        loader = _Loader(new_uow=new_uow, clock=clock, hubs=hubs, registrar=staff[REGISTRAR])
        _load_family_help(loader, staff, policy, census_codes)
        return True
    hubs = _reference_data(new_uow())
    staff = load_staff(new_uow, clock)
    loader = _Loader(new_uow=new_uow, clock=clock, hubs=hubs, registrar=staff[REGISTRAR])
    _named_shapes(loader)
    _everyday_families(loader)
    played = load_demo_episodes(new_uow, clock, loader.created, staff, policy)
    zone = demo_zone(clock)
    load_daily_record(
        DailyRecord(
            new_uow=new_uow,
            today=clock.today(),
            zone=zone,
            actors=staff,
            register=lambda day, hub, members: loader.family(hub, members, on=on_day(day, zone)),
            family_help=policy,
        ),
        played,
    )
    if policy.enabled:
        _load_family_help(loader, staff, policy, census_codes)
    return True


def _load_family_help(
    loader: _Loader,
    staff: dict[str, Actor],
    policy: FamilyHelpPolicy,
    codes: CensusCodes | None,
) -> None:
    if codes is None:
        raise ValueError("Loading Family Help needs the CIN census code lists.")
    zone = demo_zone(loader.clock)
    load_family_help(
        FamilyHelpDemo(
            new_uow=loader.new_uow,
            today=loader.today,
            zone=zone,
            actors=staff,
            policy=policy,
            codes=codes,
            register=lambda day, hub, reference, members: loader.family(
                hub, members, reference=reference, on=on_day(day, zone)
            ),
        )
    )


def _named_shapes(d: _Loader) -> None:
    today = d.today
    # 1. A pregnant teenage mother living with her own mother.
    mum = d.person("Kayleigh", "Dawson", d.years_ago(16, 40), sex="female")
    nan = d.person("Tracey", "Dawson", d.years_ago(41), sex="female")
    unborn = Person(
        id=uuid.uuid4(),
        given_name="Baby",
        family_name="Dawson",
        expected_delivery_date=today + timedelta(days=70),
    )
    rec = d.family(
        "CENTRAL",
        [
            (MemberRole.PARENT_CARER, mum),
            (MemberRole.PARENT_CARER, nan),
            (MemberRole.CHILD, unborn),
        ],
    )
    d.relate(rec, nan, mum, RelationshipKind.PARENT, pr=True)
    d.relate(rec, mum, unborn, RelationshipKind.PARENT)
    d.consent(rec, mum, [], days_ago=12)
    d.consent(
        rec,
        mum,
        [],
        days_ago=12,
        purpose=ConsentPurpose.INFORMATION_SHARING,
        agencies=frozenset({"MIDWIFERY", "HEALTH_VISITING", "SCHOOL_HIGHFIELD"}),
    )

    # 2. Two parents and a child with SEND (and an older sibling).
    p1, p2 = (
        d.person("Ryan", "Hughes", d.years_ago(38)),
        d.person("Emma", "Hughes", d.years_ago(36)),
    )
    send_child = d.person("Alfie", "Hughes", d.years_ago(9, 100), send=True, sex="male")
    sibling = d.person("Poppy", "Hughes", d.years_ago(13, 20), sex="female")
    rec = d.family(
        "NORTH",
        [
            (MemberRole.PARENT_CARER, p1),
            (MemberRole.PARENT_CARER, p2),
            (MemberRole.CHILD, send_child),
            (MemberRole.CHILD, sibling),
        ],
    )
    for parent in (p1, p2):
        for child in (send_child, sibling):
            d.relate(rec, parent, child, RelationshipKind.PARENT, pr=True)
    d.consent(rec, p2, [send_child, sibling], days_ago=30)
    d.consent(
        rec,
        p2,
        [send_child, sibling],
        days_ago=30,
        purpose=ConsentPurpose.INFORMATION_SHARING,
        all_taf=True,
    )

    # 3. A kinship carer: a grandmother bringing up two grandchildren.
    gran = d.person("Maureen", "Clarke", d.years_ago(62), sex="female")
    g1, g2 = (
        d.person("Tyler", "Clarke", d.years_ago(11)),
        d.person("Jasmine", "Clarke", d.years_ago(7)),
    )
    rec = d.family(
        "SOUTH", [(MemberRole.PARENT_CARER, gran), (MemberRole.CHILD, g1), (MemberRole.CHILD, g2)]
    )
    d.relate(rec, gran, g1, RelationshipKind.KINSHIP_CARER, pr=True)
    d.relate(rec, gran, g2, RelationshipKind.KINSHIP_CARER, pr=True)
    d.consent(rec, gran, [g1, g2], days_ago=45)

    # 4. Separated parents in two households sharing a child.
    dad, mum2 = (
        d.person("Marcus", "Okafor", d.years_ago(35)),
        d.person("Leanne", "Price", d.years_ago(33)),
    )
    shared = d.person("Jayden", "Okafor", d.years_ago(6))
    rec_mum = d.family("CENTRAL", [(MemberRole.PARENT_CARER, mum2), (MemberRole.CHILD, shared)])
    d.relate(rec_mum, mum2, shared, RelationshipKind.PARENT, pr=True)
    rec_dad = d.family("SOUTH", [(MemberRole.PARENT_CARER, dad)])
    families.add_member(
        d.new_uow(),
        d.clock,
        d.registrar,
        rec_dad.family.id,
        families.NewMember(role=MemberRole.CHILD, person_id=shared.id, joined_on=d.years_ago(1)),
    )
    d.relate(rec_dad, dad, shared, RelationshipKind.PARENT, pr=True)

    # 5. A same-sex couple with an adopted child.
    a1, a2 = (
        d.person("Hannah", "Walsh", d.years_ago(40), sex="female"),
        d.person("Joanne", "Walsh", d.years_ago(39), sex="female"),
    )
    adopted = d.person("Ellie", "Walsh", d.years_ago(4))
    rec = d.family(
        "NORTH",
        [(MemberRole.PARENT_CARER, a1), (MemberRole.PARENT_CARER, a2), (MemberRole.CHILD, adopted)],
    )
    d.relate(rec, a1, a2, RelationshipKind.PARTNER)
    d.relate(rec, a1, adopted, RelationshipKind.ADOPTIVE_PARENT, pr=True)
    d.relate(rec, a2, adopted, RelationshipKind.ADOPTIVE_PARENT, pr=True)

    # 6. A family that withdrew consent.
    wp = d.person("Stacey", "Murphy", d.years_ago(29))
    wc = d.person("Callum", "Murphy", d.years_ago(8))
    rec = d.family("CENTRAL", [(MemberRole.PARENT_CARER, wp), (MemberRole.CHILD, wc)])
    given = d.consent(rec, wp, [wc], days_ago=60)
    consents.withdraw_consent(
        d.new_uow(),
        d.clock,
        d.registrar,
        rec.family.id,
        given.id,
        expected_version=given.version,
        withdrawal=Withdrawal(
            withdrawn_on=today - timedelta(days=20),
            reason="Family no longer wishes to work with early help.",
            withdrawn_by_person_id=wp.id,
        ),
    )

    # 7. Domestic abuse: the mother's refuge address is hidden from the children's father's household.
    victim = d.person(
        "Natalie",
        "Evans",
        d.years_ago(31),
        sex="female",
        contact=ContactDetails(
            phone="07700 900123",
            address=Address.create(line1="Flat 2, (refuge address)", postcode="FY1 1AA"),
        ),
        contact_restricted=True,
        restriction_reason="Fleeing domestic abuse: address must not be shared with the children's father.",
    )
    perpetrator = d.person("Dean", "Evans", d.years_ago(34), sex="male")
    c1, c2 = d.person("Lacey", "Evans", d.years_ago(5)), d.person("Mason", "Evans", d.years_ago(3))
    rec = d.family(
        "SOUTH", [(MemberRole.PARENT_CARER, victim), (MemberRole.CHILD, c1), (MemberRole.CHILD, c2)]
    )
    d.relate(rec, victim, c1, RelationshipKind.PARENT, pr=True)
    d.relate(rec, victim, c2, RelationshipKind.PARENT, pr=True)
    d.family("NORTH", [(MemberRole.OTHER_ADULT, perpetrator)])
    d.consent(rec, victim, [c1, c2], days_ago=15)
    d.consent(
        rec,
        victim,
        [c1, c2],
        days_ago=15,
        purpose=ConsentPurpose.INFORMATION_SHARING,
        agencies=frozenset({"DA_SERVICE", "SCHOOL_ST_ANNES", "HEALTH_VISITING"}),
    )

    # 8. A large family living on the border of two hubs (address in one, hub of choice the other).
    big_parents = [
        d.person("Abdul", "Rahman", d.years_ago(45)),
        d.person("Shirin", "Rahman", d.years_ago(42)),
    ]
    kids = [
        d.person(n, "Rahman", d.years_ago(age))
        for n, age in [
            ("Yusuf", 17),
            ("Mariam", 15),
            ("Ibrahim", 12),
            ("Sara", 9),
            ("Omar", 6),
            ("Hana", 2),
        ]
    ]
    rec = d.family(
        "CENTRAL",
        [(MemberRole.PARENT_CARER, p) for p in big_parents] + [(MemberRole.CHILD, k) for k in kids],
        postcode="FY2 0JQ",
    )
    d.consent(rec, big_parents[1], kids, days_ago=90)


def _everyday_families(d: _Loader) -> None:
    """Two dozen more households of ordinary shapes so lists and searches have something to show."""
    hubs = [code for code, _, _ in HUBS]
    for i in range(24):
        surname = SURNAMES[i % len(SURNAMES)]
        hub = hubs[i % 3]
        carer = d.person(GIVEN_ADULT[i % len(GIVEN_ADULT)], surname, d.years_ago(24 + i % 20))
        members: list[tuple[MemberRole, Person]] = [(MemberRole.PARENT_CARER, carer)]
        if i % 3 == 0:
            members.append(
                (
                    MemberRole.PARENT_CARER,
                    d.person(
                        GIVEN_ADULT[(i + 5) % len(GIVEN_ADULT)], surname, d.years_ago(26 + i % 15)
                    ),
                )
            )
        for k in range(1 + i % 3):
            members.append(
                (
                    MemberRole.CHILD,
                    d.person(
                        GIVEN_CHILD[(i + k) % len(GIVEN_CHILD)],
                        surname,
                        d.years_ago(1 + (i * 3 + k * 4) % 16, days=i * 7),
                        send=(i + k) % 7 == 0,
                    ),
                )
            )
        rec = d.family(hub, members)
        if i % 4 != 3:
            d.consent(
                rec, carer, [p for r, p in members if r is MemberRole.CHILD], days_ago=5 + i * 6
            )
