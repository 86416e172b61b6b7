"""Import and export of a caseload in the interchange format (issue 18 §3-4).

An import replays each household's history through the same use cases the API runs, one step
each, with the date each step happened: registration, relationships and consent as the
practitioner who registered the household, the episode's steps as its lead professional, and
each quality assurance decision as the officer who made it (practitioners are matched by email).
So every rule of the process and every access rule applies to imported records as to records
entered live, and each step's audit entry names the practitioner it was done for and the import
run (`request_id` `import:<run>`), beside the admin's own entry for the household.

A household is all-or-nothing: its steps share one transaction (`HouseholdTransaction`), committed
once at the end, or rolled back at the first refusal or for a dry run. Its records keep the source
system's ids (`external_ref`, unique per kind), so a household already imported is skipped whole.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, time
from types import TracebackType
from typing import Any, Protocol, Self

from pydantic import ValidationError

from app.domain.access import Action
from app.domain.assessments import Assessment, Need
from app.domain.consents import (
    Consent,
    ConsentPurpose,
    RecordingMethod,
    SharingScope,
    Withdrawal,
)
from app.domain.contacts import Contact, ContactKind, NoteField
from app.domain.episodes import (
    ClosureReason,
    Episode,
    FamilyLifeImproved,
    FamilyView,
    MeetingDecision,
    QaOutcome,
    RequestSource,
)
from app.domain.errors import DomainError, IllegalTransition, InvalidValue
from app.domain.families import Address, MemberRole, Person, RelationshipKind
from app.domain.identifiers import ChildIdentifier, IdentifierAbsence, IdentifierScheme
from app.domain.plans import Action as PlanAction
from app.domain.plans import ActionStatus, FamilyPlan, Outcome, PlanStatus
from app.domain.practitioners import Practitioner
from app.domain.supporting_families import Evidence, NeedOutcome, SustainmentResult
from app.domain.taf import ChildVoice, OutcomeProgress, TafMemberKind
from app.interchange.format import (
    FORMAT_VERSION,
    AssessmentV1,
    ConsentV1,
    ContactV1,
    EpisodeV1,
    EvidenceV1,
    FamilyNeedV1,
    HouseholdV1,
    MeetingV1,
    OutcomeV1,
    PlanActionV1,
    PlanRevisionV1,
    PlanV1,
)
from app.services import assessments as assessment_steps
from app.services import consents as consent_steps
from app.services import contacts as contact_steps
from app.services import episodes as episode_steps
from app.services import families as family_steps
from app.services import needs as need_steps
from app.services import plans as plan_steps
from app.services import taf as taf_steps
from app.services.ports import (
    AccessFactsRepository,
    AssessmentRepository,
    AuditTrail,
    ChangeFeed,
    ClaimRepository,
    ClaimsUnitOfWork,
    Clock,
    ConsentRepository,
    ContactRepository,
    DisclosureRepository,
    DocumentRepository,
    EpisodeRepository,
    FamilyHelpRepository,
    FamilyNetworkRepository,
    FamilyRepository,
    IdempotencyRepository,
    NeedRepository,
    PeopleRepository,
    PlanRepository,
    PolicyRepository,
    PractitionerRepository,
    ReferenceData,
    ReferenceRepository,
    RequestRepository,
    TafRepository,
    UnitOfWork,
)
from app.services.use_case import Actor, Replayed, Target, UseCase, hidden

# --- ports ---------------------------------------------------------------------------------------


class ExternalRefs(Protocol):
    """The source system's id of each imported record, unique per kind."""

    def find(self, kind: str, external_ref: str) -> uuid.UUID | None: ...
    def refs_of(self, kind: str, internal_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]: ...
    def add(self, kind: str, external_ref: str, internal_id: uuid.UUID) -> None: ...


class InterchangeUnitOfWork(ClaimsUnitOfWork, Protocol):
    @property
    def external_refs(self) -> ExternalRefs: ...

    def family_ids(
        self, *, hub_id: uuid.UUID | None, after: uuid.UUID | None, limit: int
    ) -> list[uuid.UUID]:
        """Families in id order (of one hub, or all), a page at a time, for an export."""
        ...

    def flush(self) -> None: ...


class HouseholdTransaction:
    """One transaction for all of a household's steps: each use case's commit only flushes (so a
    clash is refused at the step that caused it); the import commits once, or rolls back."""

    def __init__(self, inner: InterchangeUnitOfWork) -> None:
        self.inner = inner

    @property
    def reference(self) -> ReferenceRepository:
        return self.inner.reference

    @property
    def reference_data(self) -> ReferenceData:
        return self.inner.reference_data

    @property
    def families(self) -> FamilyRepository:
        return self.inner.families

    @property
    def people(self) -> PeopleRepository:
        return self.inner.people

    @property
    def consents(self) -> ConsentRepository:
        return self.inner.consents

    @property
    def idempotency(self) -> IdempotencyRepository:
        return self.inner.idempotency

    @property
    def practitioners(self) -> PractitionerRepository:
        return self.inner.practitioners

    @property
    def policies(self) -> PolicyRepository:
        return self.inner.policies

    @property
    def episodes(self) -> EpisodeRepository:
        return self.inner.episodes

    @property
    def assessments(self) -> AssessmentRepository:
        return self.inner.assessments

    @property
    def plans(self) -> PlanRepository:
        return self.inner.plans

    @property
    def taf(self) -> TafRepository:
        return self.inner.taf

    @property
    def access(self) -> AccessFactsRepository:
        return self.inner.access

    @property
    def audit(self) -> AuditTrail:
        return self.inner.audit

    @property
    def changes(self) -> ChangeFeed:
        return self.inner.changes

    @property
    def needs(self) -> NeedRepository:
        return self.inner.needs

    @property
    def claims(self) -> ClaimRepository:
        return self.inner.claims

    @property
    def disclosures(self) -> DisclosureRepository:
        return self.inner.disclosures

    @property
    def network(self) -> FamilyNetworkRepository:
        return self.inner.network

    @property
    def family_help(self) -> FamilyHelpRepository:
        return self.inner.family_help

    @property
    def contacts(self) -> ContactRepository:
        return self.inner.contacts

    @property
    def documents(self) -> DocumentRepository:
        return self.inner.documents

    @property
    def requests(self) -> RequestRepository:
        return self.inner.requests

    def __enter__(self) -> Self:
        self.inner.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.inner.__exit__(exc_type, exc, tb)

    def commit(self) -> None:
        self.inner.flush()

    def rollback(self) -> None:
        self.inner.rollback()


# --- problems ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why a line was not imported: where in the file, which field, and what to do about it."""

    line: int
    path: str
    reason: str
    code: str


class _Refused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


@dataclass(frozen=True)
class HouseholdOutcome:
    line: int
    external_ref: str | None
    status: str
    """imported, would_import (a dry run), already_imported or refused."""
    family_id: uuid.UUID | None = None
    problems: tuple[Problem, ...] = ()


@dataclass
class ImportSummary:
    dry_run: bool
    run_id: str
    households: int = 0
    imported: int = 0
    already_imported: int = 0
    refused: int = 0
    problems: list[Problem] = field(default_factory=list)
    problems_not_listed: int = 0

    def add(self, outcome: HouseholdOutcome, *, keep_problems: int) -> None:
        self.households += 1
        if outcome.status in ("imported", "would_import"):
            self.imported += 1
        elif outcome.status == "already_imported":
            self.already_imported += 1
        else:
            self.refused += 1
        for problem in outcome.problems:
            if len(self.problems) < keep_problems:
                self.problems.append(problem)
            else:
                self.problems_not_listed += 1


def begin_import(
    uow: UnitOfWork, clock: Clock, actor: Actor, *, run_id: str, dry_run: bool
) -> None:
    """Only an admin may import; the run itself is audited before any line is read."""
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.IMPORT_RECORDS, "import_dry_run" if dry_run else "import", run_id)
        uc.commit()


def parse_line(line: int, text: str | bytes) -> HouseholdV1 | list[Problem]:
    """One line of the file, or what is wrong with it, field by field."""
    try:
        return HouseholdV1.model_validate_json(text)
    except ValidationError as refused:
        return [
            Problem(
                line,
                _path(error["loc"]),
                error["msg"],
                "interchange_json" if error["type"].startswith("json") else "interchange_field",
            )
            for error in refused.errors(include_url=False, include_input=False)
        ]


def _path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def run_import(
    new_uow: Callable[[], InterchangeUnitOfWork],
    clock: Clock,
    actor: Actor,
    lines: Iterable[str | bytes],
    *,
    dry_run: bool,
    levels: Collection[str],
    consistent: IdentifierScheme = IdentifierScheme.NHS_NUMBER,
    progress: Callable[[HouseholdOutcome], None] | None = None,
    keep_problems: int = 1000,
) -> ImportSummary:
    """Read the file line by line (memory holds one household), each imported or refused whole."""
    summary = ImportSummary(dry_run=dry_run, run_id=uuid.uuid4().hex[:12])
    with new_uow() as uow:
        begin_import(uow, clock, actor, run_id=summary.run_id, dry_run=dry_run)
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        parsed = parse_line(number, text)
        if isinstance(parsed, list):
            outcome = HouseholdOutcome(number, None, "refused", problems=tuple(parsed))
        else:
            outcome = import_household(
                new_uow,
                clock,
                actor,
                parsed,
                line=number,
                run_id=summary.run_id,
                dry_run=dry_run,
                levels=levels,
                consistent=consistent,
            )
        summary.add(outcome, keep_problems=keep_problems)
        if progress is not None:
            progress(outcome)
    return summary


# --- import --------------------------------------------------------------------------------------


@dataclass
class _Household:
    """What one household's replay has learnt so far: the ids its refs stand for."""

    line: int
    people: dict[str, uuid.UUID] = field(default_factory=dict)
    consents: dict[str, uuid.UUID] = field(default_factory=dict)
    created: list[tuple[str, str, uuid.UUID]] = field(default_factory=list)
    """(kind, external_ref, id) of every record this import created, kept together at the end."""


def import_household(
    new_uow: Callable[[], InterchangeUnitOfWork],
    clock: Clock,
    actor: Actor,
    household: HouseholdV1,
    *,
    line: int,
    run_id: str,
    dry_run: bool,
    levels: Collection[str],
    consistent: IdentifierScheme = IdentifierScheme.NHS_NUMBER,
) -> HouseholdOutcome:
    """Replay one household's history in one transaction; see the module docstring."""
    with new_uow() as uow:
        tx = HouseholdTransaction(uow)
        admin = UseCase(tx, clock, actor)
        with admin:
            admin.require_council(Action.IMPORT_RECORDS, "household", household.external_ref)
            existing = uow.external_refs.find("household", household.external_ref)
            admin.commit()
        if existing is not None:
            uow.rollback() if dry_run else uow.commit()
            return HouseholdOutcome(line, household.external_ref, "already_imported", existing)
        state = _Household(line)
        try:
            staff = _practitioners(uow, household, line)
            family_id = _replay(
                tx, clock, actor, staff, household, state, run_id, levels, consistent
            )
        except _Refused as refused:
            uow.rollback()
            _audit_refusal(new_uow, clock, actor, household.external_ref)
            return HouseholdOutcome(
                line, household.external_ref, "refused", problems=tuple(refused.problems)
            )
        for kind, ref, internal_id in state.created:
            uow.external_refs.add(kind, ref, internal_id)
        with UseCase(tx, clock, actor) as uc:
            uc.require_council(Action.IMPORT_RECORDS, "household", household.external_ref)
            uc.record("import_household", Target.family(family_id, "household"))
            uc.commit()
        try:
            uow.flush()
        except DomainError as clash:
            uow.rollback()
            _audit_refusal(new_uow, clock, actor, household.external_ref)
            problem = Problem(line, "external_ref", _reason(clash), clash.code)
            return HouseholdOutcome(line, household.external_ref, "refused", problems=(problem,))
        if dry_run:
            uow.rollback()
            return HouseholdOutcome(line, household.external_ref, "would_import")
        uow.commit()
        return HouseholdOutcome(line, household.external_ref, "imported", family_id)


def _audit_refusal(
    new_uow: Callable[[], InterchangeUnitOfWork], clock: Clock, actor: Actor, ref: str
) -> None:
    """The refused household's attempt stays in the audit trail, though nothing of it was kept."""
    with new_uow() as uow, UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.IMPORT_RECORDS, "household", ref)
        uc.record("import_household_refused", Target.council("household", ref))
        uc.commit()


def _reason(error: DomainError) -> str:
    return error.detail


def _practitioners(
    uow: InterchangeUnitOfWork, household: HouseholdV1, line: int
) -> dict[str, Practitioner]:
    """Every practitioner the household names, by email; each unknown or inactive one reported."""
    named: list[tuple[str, str]] = []
    if household.registered_by is not None:
        named.append(("registered_by", household.registered_by))
    for e, episode in enumerate(household.episodes):
        named.append((f"episodes[{e}].lead", episode.lead))
        for m, member in enumerate(episode.taf_members):
            if member.practitioner is not None:
                named.append((f"episodes[{e}].taf_members[{m}].practitioner", member.practitioner))
        for q, review in enumerate(episode.plan.qa_reviews if episode.plan else []):
            if review.decided_by is not None:
                named.append((f"episodes[{e}].plan.qa_reviews[{q}].decided_by", review.decided_by))
        for c, contact in enumerate(episode.contacts):
            named.append((f"episodes[{e}].contacts[{c}].recorded_by", contact.recorded_by))
            for n, email in enumerate(contact.named_practitioners):
                named.append((f"episodes[{e}].contacts[{c}].named_practitioners[{n}]", email))
            for a, amendment in enumerate(contact.amendments):
                named.append(
                    (
                        f"episodes[{e}].contacts[{c}].amendments[{a}].amended_by",
                        amendment.amended_by,
                    )
                )
        for h, handover in enumerate(episode.lead_changes):
            named.append((f"episodes[{e}].lead_changes[{h}].lead", handover.lead))
            if handover.changed_by is not None:
                named.append((f"episodes[{e}].lead_changes[{h}].changed_by", handover.changed_by))
    found: dict[str, Practitioner] = {}
    problems: list[Problem] = []
    for path, email in named:
        key = email.lower()
        if key not in found:
            practitioner = uow.practitioners.get_by_email(email)
            if practitioner is None or not practitioner.active:
                problems.append(
                    Problem(
                        line,
                        path,
                        f"No active practitioner has the email {email}: add them to the"
                        " directory (or correct the email) and import the line again.",
                        "practitioner_unknown",
                    )
                )
                continue
            found[key] = practitioner
    if not household.episodes and household.registered_by is None:
        problems.append(
            Problem(
                line,
                "registered_by",
                "A household with no episode needs registered_by: the practitioner who"
                " registered it.",
                "registered_by_required",
            )
        )
    if problems:
        raise _Refused(problems)
    return found


class _Step:
    """Turns a refusal of the step at `path` into a problem naming the file's field."""

    def __init__(self, state: _Household, path: str) -> None:
        self.state = state
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if isinstance(exc, DomainError):
            where = ".".join(p for p in (self.path, exc.field or "") if p)
            raise _Refused([Problem(self.state.line, where, _reason(exc), exc.code)]) from exc


_MEMBER_FIELD = re.compile(r"^members\[(\d+)\](?:\.person)?")
"""Registration names a member's field as the API does (`members[1].person.date_of_birth`)."""


class _Registration(_Step):
    """The household's registration: a refusal names the file's field (`people[1].date_of_birth`),
    the members being the file's people in the same order."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if isinstance(exc, DomainError) and exc.field:
            exc.field = _MEMBER_FIELD.sub(r"people[\1]", exc.field)
        super().__exit__(exc_type, exc, tb)


def _ref(refs: dict[str, uuid.UUID], ref: str, path: str, what: str) -> uuid.UUID:
    found = refs.get(ref)
    if found is None:
        raise InvalidValue(
            f"No {what} in this household has the external_ref {ref!r}.",
            field=path,
            code="interchange_ref_unknown",
        )
    return found


def _version(record: Any) -> int:
    """The version a step changes: the one the replay has just made (no one else is editing a
    household that is still being imported)."""
    assert record is not None
    return int(record.version)


def _actor(practitioner: Practitioner, run_id: str) -> Actor:
    return Actor(principal=practitioner.as_principal(), request_id=f"import:{run_id}")


def _replay(
    tx: HouseholdTransaction,
    clock: Clock,
    importer: Actor,
    staff: dict[str, Practitioner],
    household: HouseholdV1,
    state: _Household,
    run_id: str,
    levels: Collection[str],
    consistent: IdentifierScheme,
) -> uuid.UUID:
    registrar_email = household.registered_by or household.episodes[0].lead
    registrar = _actor(staff[registrar_email.lower()], run_id)
    family_id = _register(tx, clock, registrar, household, state, consistent)
    for c, consent in enumerate(household.consents):
        with _Step(state, f"consents[{c}]"):
            _record_consent(tx, clock, registrar, family_id, consent, state)
    for e, episode in enumerate(household.episodes):
        lead = _actor(staff[episode.lead.lower()], run_id)
        _replay_episode(
            tx, clock, lead, importer, staff, run_id, family_id, episode, e, state, levels
        )
    for c, consent in enumerate(household.consents):
        if consent.withdrawal is None:
            continue
        with _Step(state, f"consents[{c}].withdrawal"):
            withdrawn_by = consent.withdrawal.withdrawn_by
            consent_steps.withdraw_consent(
                tx,
                clock,
                registrar,
                family_id,
                state.consents[consent.external_ref],
                withdrawal=Withdrawal(
                    withdrawn_on=consent.withdrawal.withdrawn_on,
                    reason=consent.withdrawal.reason,
                    withdrawn_by_person_id=None
                    if withdrawn_by is None
                    else _ref(state.people, withdrawn_by, "withdrawn_by", "person"),
                ),
                expected_version=_version(tx.consents.get(state.consents[consent.external_ref])),
            )
    return family_id


def _register(
    tx: HouseholdTransaction,
    clock: Clock,
    registrar: Actor,
    household: HouseholdV1,
    state: _Household,
    consistent: IdentifierScheme,
) -> uuid.UUID:
    with _Step(state, "hub_code"):
        hub = tx.reference.hub_by_code(household.hub_code)
        if hub is None:
            raise InvalidValue(
                f"There is no family hub with the code {household.hub_code!r}.",
                field=None,
                code="hub_unknown",
            )
    members: list[family_steps.NewMember] = []
    for p, person in enumerate(household.people):
        with _Step(state, f"people[{p}]"):
            existing = tx.inner.external_refs.find("person", person.external_ref)
            if existing is not None:
                state.people[person.external_ref] = existing
                members.append(
                    family_steps.NewMember(
                        role=MemberRole(person.role), joined_on=person.joined_on, person_id=existing
                    )
                )
                continue
            new = Person(
                id=uuid.uuid4(),
                given_name=person.given_name,
                family_name=person.family_name,
                date_of_birth=person.date_of_birth,
                expected_delivery_date=person.expected_delivery_date,
                sex=person.sex,
                gender=person.gender,
                ethnicity=person.ethnicity,
                send=person.send,
                disabilities=tuple(person.disabilities),
                identifiers=tuple(
                    ChildIdentifier(
                        scheme=IdentifierScheme(i.scheme),
                        value=i.value,
                        verified=i.verified,
                        source=i.source,
                    )
                    for i in person.identifiers
                ),
                identifier_absent_reason=None
                if person.identifier_absent_reason is None
                else _enum(
                    IdentifierAbsence, person.identifier_absent_reason, "identifier_absent_reason"
                ),
            )
            state.people[person.external_ref] = new.id
            state.created.append(("person", person.external_ref, new.id))
            members.append(
                family_steps.NewMember(
                    role=MemberRole(person.role), joined_on=person.joined_on, person=new
                )
            )
    with _Registration(state, ""):
        draft = family_steps.FamilyDraft(
            address=Address.create(
                line1=household.address.line1,
                line2=household.address.line2,
                town=household.address.town,
                postcode=household.address.postcode,
            ),
            hub_id=hub.id,
            members=members,
            reference=household.reference,
        )
        created = family_steps.create_family(tx, clock, registrar, draft, consistent=consistent)
    assert isinstance(created, family_steps.FamilyRecord)
    family_id = created.family.id
    state.created.append(("household", household.external_ref, family_id))
    for r, relationship in enumerate(household.relationships):
        with _Step(state, f"relationships[{r}]"):
            family_steps.add_relationship(
                tx,
                clock,
                registrar,
                family_id,
                person_id=_ref(state.people, relationship.person, "person", "person"),
                related_person_id=_ref(
                    state.people, relationship.related_person, "related_person", "person"
                ),
                kind=_enum(RelationshipKind, relationship.kind, "kind"),
                parental_responsibility=relationship.parental_responsibility,
            )
    return family_id


def _enum(kind: Any, value: str, path: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise InvalidValue(
            f"{value!r} is not one of: {allowed}.", field=path, code="interchange_value_unknown"
        ) from None


def _record_consent(
    tx: HouseholdTransaction,
    clock: Clock,
    registrar: Actor,
    family_id: uuid.UUID,
    consent: ConsentV1,
    state: _Household,
) -> None:
    recorded = Consent(
        id=uuid.uuid4(),
        family_id=family_id,
        purpose=ConsentPurpose(consent.purpose),
        given_by_person_id=_ref(state.people, consent.given_by, "given_by", "person"),
        given_on=consent.given_on,
        method=RecordingMethod(consent.method),
        on_behalf_of_person_ids=tuple(
            _ref(state.people, ref, f"on_behalf_of[{i}]", "person")
            for i, ref in enumerate(consent.on_behalf_of)
        ),
        sharing_scope=None
        if consent.sharing_scope is None
        else SharingScope(consent.sharing_scope),
        agency_codes=frozenset(consent.agency_codes),
        review_on=consent.review_on,
        notes=consent.notes,
    )
    consent_steps.record_consent(tx, clock, registrar, recorded)
    state.consents[consent.external_ref] = recorded.id
    state.created.append(("consent", consent.external_ref, recorded.id))


def _replay_episode(
    tx: HouseholdTransaction,
    clock: Clock,
    lead: Actor,
    importer: Actor,
    staff: dict[str, Practitioner],
    run_id: str,
    family_id: uuid.UUID,
    episode: EpisodeV1,
    e: int,
    state: _Household,
    levels: Collection[str],
) -> None:
    at = f"episodes[{e}]"
    with _Step(state, at):
        hub_id = None
        if episode.hub_code is not None:
            hub = tx.reference.hub_by_code(episode.hub_code)
            if hub is None:
                raise InvalidValue(
                    f"There is no family hub with the code {episode.hub_code!r}.",
                    field="hub_code",
                    code="hub_unknown",
                )
            hub_id = hub.id
        opened = episode_steps.open_new_episode(
            tx,
            clock,
            lead,
            episode_steps.EpisodeRequest(
                family_id=family_id,
                source=_enum(RequestSource, episode.source, "source"),
                level_of_need=episode.level_of_need,
                lead_practitioner_id=lead.principal.practitioner_id,
                child_person_ids=tuple(
                    _ref(state.people, ref, f"children[{i}]", "person")
                    for i, ref in enumerate(episode.children)
                ),
                requested_on=episode.requested_on,
                hub_id=hub_id,
            ),
            levels=levels,
        )
    assert isinstance(opened, episode_steps.EpisodeRecord)
    episode_id = opened.episode.id
    state.created.append(("episode", episode.external_ref, episode_id))
    needs: dict[str, uuid.UUID] = {}
    if episode.assessment is not None:
        _assess(tx, clock, lead, episode_id, episode.assessment, f"{at}.assessment", state, needs)
    members: dict[str, uuid.UUID] = {}
    for m, member in enumerate(episode.taf_members):
        with _Step(state, f"{at}.taf_members[{m}]"):
            if (member.practitioner is None) == (member.person is None):
                raise InvalidValue(
                    "A TAF member is a practitioner (by email) or a person of the household"
                    " (by external_ref): give exactly one.",
                    field="practitioner",
                    code="interchange_taf_member_kind",
                )
            joined = taf_steps.add_member(
                tx,
                clock,
                lead,
                episode_id,
                taf_steps.Joining(
                    kind=TafMemberKind.PRACTITIONER
                    if member.practitioner
                    else TafMemberKind.FAMILY_MEMBER,
                    role=member.role,
                    practitioner_id=staff[member.practitioner.lower()].id
                    if member.practitioner
                    else None,
                    person_id=_ref(state.people, member.person, "person", "person")
                    if member.person
                    else None,
                    joined_on=member.joined_on,
                ),
            )
        assert not isinstance(joined, Replayed)
        members[member.external_ref] = joined.value.id
        state.created.append(("taf_member", member.external_ref, joined.value.id))
    outcomes: dict[str, uuid.UUID] = {}
    if episode.plan is not None:
        _plan(
            tx,
            clock,
            lead,
            staff,
            run_id,
            episode_id,
            episode.plan,
            f"{at}.plan",
            state,
            needs,
            members,
            outcomes,
        )
    _replay_meetings(tx, clock, lead, episode_id, episode, at, state, needs, members, outcomes)
    lead = _replay_timeline(
        tx,
        clock,
        lead,
        importer,
        staff,
        run_id,
        episode_id,
        episode,
        at,
        state,
        levels,
        members,
        needs,
    )
    family_needs = _record_family_needs(tx, clock, lead, episode_id, episode, at, state, needs)
    for s, support in enumerate(episode.support):
        with _Step(state, f"{at}.support[{s}]"):
            need_steps.record_support(
                tx,
                clock,
                lead,
                episode_id,
                need_steps.NewSupport(
                    service=support.service,
                    provider=support.provider,
                    started_on=support.started_on,
                    ended_on=support.ended_on,
                ),
            )
    if episode.closure is not None:
        closure = episode.closure
        with _Step(state, f"{at}.closure"):
            episode_steps.close_episode(
                tx,
                clock,
                lead,
                episode_id,
                episode_steps.Closure(
                    reason=_enum(ClosureReason, closure.reason, "reason"),
                    family_view=None
                    if closure.family_view is None
                    else FamilyView(
                        FamilyLifeImproved(closure.family_view.improved),
                        closure.family_view.in_their_words,
                    ),
                    closed_on=closure.closed_on,
                    notes=closure.notes,
                    stepped_up_reference=closure.stepped_up_reference,
                ),
                expected_version=_version(tx.episodes.get(episode_id)),
            )
    for n, need in enumerate(episode.family_needs):
        check = need.sustainment_check
        if check is None:
            continue
        with _Step(state, f"{at}.family_needs[{n}].sustainment_check"):
            need_steps.record_sustainment(
                tx,
                clock,
                lead,
                episode_id,
                family_needs[need.external_ref],
                result=SustainmentResult(check.result),
                checked_on=check.checked_on,
                lapsed_on=check.lapsed_on,
                evidence=_evidence(check.evidence),
                expected_version=_version(tx.needs.get(family_needs[need.external_ref])),
            )


def _evidence(evidence: EvidenceV1) -> need_steps.EvidenceIn:
    return need_steps.EvidenceIn(source=evidence.source, reference=evidence.reference)


def _record_family_needs(
    tx: HouseholdTransaction,
    clock: Clock,
    lead: Actor,
    episode_id: uuid.UUID,
    episode: EpisodeV1,
    at: str,
    state: _Household,
    assessed: dict[str, uuid.UUID],
) -> dict[str, uuid.UUID]:
    """The Supporting Families needs and their outcomes, while the episode is open (a need is
    only recorded then); their sustainment checks come after the closure."""
    recorded: dict[str, uuid.UUID] = {}
    for n, need in enumerate(episode.family_needs):
        with _Step(state, f"{at}.family_needs[{n}]"):
            recorded[need.external_ref] = _record_family_need(
                tx, clock, lead, episode_id, need, state, assessed
            )
        state.created.append(("family_need", need.external_ref, recorded[need.external_ref]))
        if need.outcome is None:
            continue
        with _Step(state, f"{at}.family_needs[{n}].outcome"):
            need_steps.record_need_outcome(
                tx,
                clock,
                lead,
                episode_id,
                recorded[need.external_ref],
                status=NeedOutcome(need.outcome.status),
                on=need.outcome.on,
                evidence=_evidence(need.outcome.evidence),
                expected_version=_version(tx.needs.get(recorded[need.external_ref])),
            )
    return recorded


def _record_family_need(
    tx: HouseholdTransaction,
    clock: Clock,
    lead: Actor,
    episode_id: uuid.UUID,
    need: FamilyNeedV1,
    state: _Household,
    assessed: dict[str, uuid.UUID],
) -> uuid.UUID:
    view = need_steps.record_need(
        tx,
        clock,
        lead,
        episode_id,
        need_steps.NewNeed(
            descriptor_code=need.descriptor_code,
            person_ids=tuple(
                _ref(state.people, ref, f"people[{i}]", "person")
                for i, ref in enumerate(need.people)
            ),
            identified_on=need.identified_on,
            emerged_later=need.emerged_later,
            evidence=_evidence(need.evidence),
            need_id=None
            if need.assessment_need is None
            else _ref(assessed, need.assessment_need, "assessment_need", "assessed need"),
        ),
    )
    assert isinstance(view, need_steps.NeedView)
    return view.stored.record.need.id


_LEVEL, _HANDOVER, _REASSESSMENT, _CONTACT, _LEAVING = range(5)
"""The order of a timeline's steps on one day: a contact by the new lead follows the handover
that day, a contact by a TAF member comes before they leave."""


def _replay_timeline(
    tx: HouseholdTransaction,
    clock: Clock,
    lead: Actor,
    importer: Actor,
    staff: dict[str, Practitioner],
    run_id: str,
    episode_id: uuid.UUID,
    episode: EpisodeV1,
    at: str,
    state: _Household,
    levels: Collection[str],
    members: dict[str, uuid.UUID],
    needs: dict[str, uuid.UUID],
) -> Actor:
    """Level changes, handovers, reassessments, contacts and TAF leavers in the order they
    happened: who may
    record a contact depends on who led and who sat on the TAF that day. A level change is the
    lead's of the day, a handover a manager's; answers the lead the rest of the episode is theirs."""
    timeline = sorted(
        [(c.effective_on, _LEVEL, i) for i, c in enumerate(episode.level_changes)]
        + [(c.effective_on, _HANDOVER, i) for i, c in enumerate(episode.lead_changes)]
        + [(a.started_on, _REASSESSMENT, i) for i, a in enumerate(episode.reassessments)]
        + [(c.happened_on, _CONTACT, i) for i, c in enumerate(episode.contacts)]
        + [(m.left_on, _LEAVING, i) for i, m in enumerate(episode.taf_members) if m.left_on]
    )
    for _, kind, i in timeline:
        if kind == _REASSESSMENT:
            path = f"{at}.reassessments[{i}]"
            _reassess(tx, clock, lead, episode_id, episode.reassessments[i], path, state, needs)
            continue
        if kind == _CONTACT:
            path = f"{at}.contacts[{i}]"
            _replay_contact(tx, clock, staff, run_id, episode_id, episode.contacts[i], path, state)
            continue
        if kind == _LEAVING:
            member = episode.taf_members[i]
            with _Step(state, f"{at}.taf_members[{i}]"):
                taf_steps.member_leaves(
                    tx,
                    clock,
                    lead,
                    episode_id,
                    members[member.external_ref],
                    left_on=member.left_on,
                    expected_version=_version(tx.taf.member(members[member.external_ref])),
                )
            continue
        if kind == _LEVEL:
            level = episode.level_changes[i]
            with _Step(state, f"{at}.level_changes[{i}]"):
                episode_steps.change_level(
                    tx,
                    clock,
                    lead,
                    episode_id,
                    level=level.level_of_need,
                    reason=level.reason,
                    expected_version=_version(tx.episodes.get(episode_id)),
                    levels=levels,
                    effective_on=level.effective_on,
                )
            continue
        handover = episode.lead_changes[i]
        manager = (
            importer
            if handover.changed_by is None
            else _actor(staff[handover.changed_by.lower()], run_id)
        )
        new_lead = staff[handover.lead.lower()]
        with _Step(state, f"{at}.lead_changes[{i}]"):
            episode_steps.assign_lead(
                tx,
                clock,
                manager,
                episode_id,
                practitioner_id=new_lead.id,
                reason=handover.reason,
                expected_version=_version(tx.episodes.get(episode_id)),
                effective_on=handover.effective_on,
            )
        lead = _actor(new_lead, run_id)
    return lead


def _replay_contact(
    tx: HouseholdTransaction,
    clock: Clock,
    staff: dict[str, Practitioner],
    run_id: str,
    episode_id: uuid.UUID,
    contact: ContactV1,
    at: str,
    state: _Household,
) -> None:
    """The contact as whoever recorded it, then each correction as whoever made it."""
    with _Step(state, at):
        recorded = _record_contact(tx, clock, staff, run_id, episode_id, contact, state)
    state.created.append(("contact", contact.external_ref, recorded))
    for a, amendment in enumerate(contact.amendments):
        with _Step(state, f"{at}.amendments[{a}]"):
            contact_steps.amend_contact(
                tx,
                clock,
                _actor(staff[amendment.amended_by.lower()], run_id),
                episode_id,
                recorded,
                contact_steps.Correction(
                    field=NoteField(amendment.field),
                    text=amendment.text,
                    reason=amendment.reason,
                ),
                expected_version=_version(tx.contacts.get(recorded)),
            )


def _record_contact(
    tx: HouseholdTransaction,
    clock: Clock,
    staff: dict[str, Practitioner],
    run_id: str,
    episode_id: uuid.UUID,
    contact: ContactV1,
    state: _Household,
) -> uuid.UUID:
    recorded = contact_steps.record_contact(
        tx,
        clock,
        _actor(staff[contact.recorded_by.lower()], run_id),
        episode_id,
        contact_steps.NewContact(
            kind=ContactKind(contact.kind),
            note=contact.note,
            happened_on=contact.happened_on,
            happened_at=contact.happened_at,
            seen_person_ids=tuple(
                _ref(state.people, ref, f"seen[{i}]", "person")
                for i, ref in enumerate(contact.seen)
            ),
            children_seen_alone=tuple(
                _ref(state.people, ref, f"children_seen_alone[{i}]", "person")
                for i, ref in enumerate(contact.children_seen_alone)
            ),
            child_voice=contact.child_voice,
            what_was_done=contact.what_was_done,
            sensitive=contact.sensitive,
            named_practitioner_ids=tuple(
                staff[email.lower()].id for email in contact.named_practitioners
            ),
            significant=contact.significant,
        ),
    )
    assert isinstance(recorded, contact_steps.ContactView)
    return recorded.contact.id


def _assess(
    tx: HouseholdTransaction,
    clock: Clock,
    lead: Actor,
    episode_id: uuid.UUID,
    assessment: AssessmentV1,
    at: str,
    state: _Household,
    needs: dict[str, uuid.UUID],
) -> None:
    with _Step(state, at):
        _, started = episode_steps.start_assessment(
            tx,
            clock,
            lead,
            episode_id,
            expected_version=_version(tx.episodes.get(episode_id)),
            started_on=assessment.started_on,
        )
    _write_and_complete(tx, clock, lead, episode_id, started.id, assessment, at, state, needs)


def _reassess(
    tx: HouseholdTransaction,
    clock: Clock,
    lead: Actor,
    episode_id: uuid.UUID,
    assessment: AssessmentV1,
    at: str,
    state: _Household,
    needs: dict[str, uuid.UUID],
) -> None:
    """A later version: drafted from the one before on its day, then written as the file has it
    (every field, so one the old version had and this one has not is cleared)."""
    with _Step(state, at):
        again = assessment_steps.reassess(
            tx, clock, lead, episode_id, started_on=assessment.started_on
        )
    assert isinstance(again, Assessment)
    _write_and_complete(
        tx, clock, lead, episode_id, again.id, assessment, at, state, needs, keep_unset=False
    )


def _write_and_complete(
    tx: HouseholdTransaction,
    clock: Clock,
    lead: Actor,
    episode_id: uuid.UUID,
    assessment_id: uuid.UUID,
    assessment: AssessmentV1,
    at: str,
    state: _Household,
    needs: dict[str, uuid.UUID],
    *,
    keep_unset: bool = True,
) -> None:
    found: list[Need] = []
    with _Step(state, at):
        for i, need in enumerate(assessment.needs):
            found.append(
                Need(
                    id=needs.get(need.external_ref) or uuid.uuid4(),
                    headline=need.headline,
                    description=need.description,
                    person_ids=tuple(
                        _ref(state.people, ref, f"needs[{i}].people[{j}]", "person")
                        for j, ref in enumerate(need.people)
                    ),
                )
            )
            needs[need.external_ref] = found[-1].id
        fields: dict[str, Any] = {
            "strengths": tuple(assessment.strengths),
            "child_voice": assessment.child_voice,
            "parents_view": assessment.parents_view,
            "analysis": assessment.analysis,
        }
        assessment_steps.revise_assessment(
            tx,
            clock,
            lead,
            episode_id,
            assessment_id,
            assessment_steps.AssessmentChanges(
                fields={k: v for k, v in fields.items() if v is not None or not keep_unset},
                needs=found,
            ),
            expected_version=_version(tx.assessments.get(assessment_id)),
        )
        if assessment.completed_on is not None:
            assessment_steps.complete_assessment(
                tx,
                clock,
                lead,
                episode_id,
                assessment_id,
                expected_version=_version(tx.assessments.get(assessment_id)),
                completed_on=assessment.completed_on,
            )


def _plan(
    tx: HouseholdTransaction,
    clock: Clock,
    lead: Actor,
    staff: dict[str, Practitioner],
    run_id: str,
    episode_id: uuid.UUID,
    plan: PlanV1,
    at: str,
    state: _Household,
    needs: dict[str, uuid.UUID],
    members: dict[str, uuid.UUID],
    outcomes: dict[str, uuid.UUID],
) -> None:
    with _Step(state, at):
        plan_steps.draft_plan(
            tx,
            clock,
            lead,
            episode_id,
            outcomes=_outcomes_in(plan.outcomes, needs, outcomes),
            actions=_actions_in(plan.actions, outcomes, members, state),
        )
    for q, review in enumerate(plan.qa_reviews):
        with _Step(state, f"{at}.qa_reviews[{q}]"):
            plan_steps.submit_for_quality_assurance(
                tx,
                clock,
                lead,
                episode_id,
                expected_version=_version(tx.episodes.get(episode_id)),
                submitted_on=review.submitted_on,
            )
            if review.outcome is None:
                continue
            if review.decided_by is None:
                raise InvalidValue(
                    "A decision needs decided_by: the quality assurance officer's email.",
                    field="decided_by",
                    code="interchange_decider_required",
                )
            plan_steps.decide_quality_assurance(
                tx,
                clock,
                _actor(staff[review.decided_by.lower()], run_id),
                episode_id,
                outcome=QaOutcome(review.outcome),
                comments=review.comments,
                expected_version=_version(tx.episodes.get(episode_id)),
                decided_on=review.decided_on,
            )


def _replay_meetings(
    tx: HouseholdTransaction,
    clock: Clock,
    lead: Actor,
    episode_id: uuid.UUID,
    episode: EpisodeV1,
    at: str,
    state: _Household,
    needs: dict[str, uuid.UUID],
    members: dict[str, uuid.UUID],
    outcomes: dict[str, uuid.UUID],
) -> None:
    """The meetings in order; a plan revision is drafted just before the review that agreed it
    (a revision still being written, after the last meeting)."""
    revisions = dict(enumerate(episode.plan_revisions))
    held = {m.held_on for m in episode.meetings}
    for r, revision in revisions.items():
        if revision.agreed_on is not None and revision.agreed_on not in held:
            raise _Refused(
                [
                    Problem(
                        state.line,
                        f"{at}.plan_revisions[{r}].agreed_on",
                        "No TAF meeting of this episode was held on the day this revision was"
                        " agreed: a revision is agreed at a review.",
                        "interchange_revision_without_meeting",
                    )
                ]
            )
    for n, meeting in enumerate(episode.meetings):
        agreed_here = next(
            (r for r, rev in revisions.items() if rev.agreed_on == meeting.held_on), None
        )
        agrees_plan_id = None
        if agreed_here is not None:
            revision = revisions.pop(agreed_here)
            path = f"{at}.plan_revisions[{agreed_here}]"
            agrees_plan_id = _revise(
                tx, clock, lead, episode_id, revision, path, state, needs, members, outcomes
            )
        with _Step(state, f"{at}.meetings[{n}]"):
            _meet(tx, clock, lead, episode_id, meeting, members, outcomes, agrees_plan_id)
    for r, revision in revisions.items():
        path = f"{at}.plan_revisions[{r}]"
        _revise(tx, clock, lead, episode_id, revision, path, state, needs, members, outcomes)


def _revise(
    tx: HouseholdTransaction,
    clock: Clock,
    lead: Actor,
    episode_id: uuid.UUID,
    revision: PlanRevisionV1,
    at: str,
    state: _Household,
    needs: dict[str, uuid.UUID],
    members: dict[str, uuid.UUID],
    outcomes: dict[str, uuid.UUID],
) -> uuid.UUID:
    """The next version of the agreed plan, written as the file has it."""
    with _Step(state, at):
        agreed = [p for p in tx.plans.for_episode(episode_id) if p.status is PlanStatus.AGREED]
        if not agreed:
            raise IllegalTransition(
                "A plan revision starts from the plan the TAF agreed; this episode has none.",
                code="plan_revision_of_unagreed",
            )
        drafted = plan_steps.revise_plan(tx, clock, lead, episode_id, agreed[-1].id)
        assert not isinstance(drafted, Replayed)
        written_outcomes = _outcomes_in(revision.outcomes, needs, outcomes)
        plan_steps.edit_plan(
            tx,
            clock,
            lead,
            episode_id,
            drafted.value.id,
            outcomes=written_outcomes,
            actions=_actions_in(revision.actions, outcomes, members, state),
            expected_version=_version(tx.plans.get(drafted.value.id)),
        )
    return drafted.value.id


def _outcomes_in(
    written: list[OutcomeV1], needs: dict[str, uuid.UUID], outcomes: dict[str, uuid.UUID]
) -> list[Outcome]:
    """The plan's outcomes; one carried over from an earlier version (same ref) keeps its id, so
    progress scored at later meetings follows it."""
    made = []
    for o, outcome in enumerate(written):
        made.append(
            Outcome(
                id=outcomes.get(outcome.external_ref) or uuid.uuid4(),
                description=outcome.description,
                need_ids=tuple(
                    _ref(needs, ref, f"outcomes[{o}].needs[{n}]", "assessed need")
                    for n, ref in enumerate(outcome.needs)
                ),
                measure=outcome.measure,
                baseline_score=outcome.baseline_score,
            )
        )
        outcomes[outcome.external_ref] = made[-1].id
    return made


def _actions_in(
    written: list[PlanActionV1],
    outcomes: dict[str, uuid.UUID],
    members: dict[str, uuid.UUID],
    state: _Household,
) -> list[PlanAction]:
    return [
        PlanAction(
            id=uuid.uuid4(),
            outcome_id=None
            if a.outcome is None
            else _ref(outcomes, a.outcome, f"actions[{i}].outcome", "outcome"),
            description=a.description,
            owner_taf_member_id=None
            if a.owner_taf_member is None
            else _ref(members, a.owner_taf_member, f"actions[{i}].owner_taf_member", "TAF member"),
            owner_person_id=None
            if a.owner_person is None
            else _ref(state.people, a.owner_person, f"actions[{i}].owner_person", "person"),
            due_on=a.due_on,
            status=ActionStatus(a.status),
        )
        for i, a in enumerate(written)
    ]


def _meet(
    tx: HouseholdTransaction,
    clock: Clock,
    lead: Actor,
    episode_id: uuid.UUID,
    meeting: MeetingV1,
    members: dict[str, uuid.UUID],
    outcomes: dict[str, uuid.UUID],
    agrees_plan_id: uuid.UUID | None = None,
) -> None:
    taf_steps.hold_meeting(
        tx,
        clock,
        lead,
        episode_id,
        taf_steps.MeetingReport(
            held_on=meeting.held_on,
            attendee_member_ids=[
                _ref(members, ref, f"attendees[{i}]", "TAF member")
                for i, ref in enumerate(meeting.attendees)
            ],
            family_present=meeting.family_present,
            child_voice=ChildVoice(meeting.child_voice),
            progress=[
                OutcomeProgress(
                    _ref(outcomes, p.outcome, f"progress[{i}].outcome", "outcome"), p.score
                )
                for i, p in enumerate(meeting.progress)
            ],
            decision=MeetingDecision(meeting.decision),
            next_review_on=meeting.next_review_on,
            notes=meeting.notes,
            agrees_plan_id=agrees_plan_id,
        ),
        expected_version=_version(tx.episodes.get(episode_id)),
    )


# --- export --------------------------------------------------------------------------------------

EXPORT_PAGE = 100
"""Families read, disclosed and audited together: memory holds one page, whatever the scope."""

LAWFUL_BASIS = (
    "Disclosed by the council under UK GDPR Article 6(1)(e) (a task in the public interest: early"
    " help under the Children Act 2004 s.10) and, for special category data, Article 9(2)(g) with"
    " DPA 2018 Schedule 1 Part 2 para 6 and 18, to the receiving council for the continuity of"
    " the family's support; keep it under the receiving council's own retention schedule."
)


def begin_export(
    uow: InterchangeUnitOfWork,
    clock: Clock,
    actor: Actor,
    *,
    family_id: uuid.UUID | None,
    hub_id: uuid.UUID | None,
) -> None:
    """Decide (and audit) the export before anything is streamed: a refusal is an answer, not a
    broken stream; an unknown family or hub answers 404."""
    scope = f"family:{family_id}" if family_id else f"hub:{hub_id}" if hub_id else "all"
    with UseCase(uow, clock, actor) as uc:
        uc.require_council(Action.EXPORT_RECORDS, "export", scope)
        if family_id is not None and uow.families.get(family_id) is None:
            raise hidden("family")
        if hub_id is not None and uow.reference.hub(hub_id) is None:
            raise hidden("hub")
        uc.commit()


def export_households(
    new_uow: Callable[[], InterchangeUnitOfWork],
    clock: Clock,
    actor: Actor,
    *,
    family_id: uuid.UUID | None = None,
    hub_id: uuid.UUID | None = None,
) -> Iterator[dict[str, Any]]:
    """The households in scope, one dict a line, a page at a time; each family is audited as
    disclosed (`disclose_family`) in the same commit as the page that read it."""
    after: uuid.UUID | None = None
    while True:
        with new_uow() as uow, UseCase(uow, clock, actor) as uc:
            uc.require_council(Action.EXPORT_RECORDS, "export")
            if family_id is not None:
                ids = [family_id] if after is None else []
            else:
                ids = uow.family_ids(hub_id=hub_id, after=after, limit=EXPORT_PAGE)
            lines = [_household(uow, fid) for fid in ids]
            for fid in ids:
                uc.record("disclose_family", Target.family(fid))
            uc.commit()
        yield from lines
        if len(ids) < EXPORT_PAGE or family_id is not None:
            return
        after = ids[-1]


class _Refs:
    """The ref a record is exported under: its source system's id if it was imported, else its
    familyhub id (so an export of an import names records as the first system did)."""

    def __init__(self, uow: InterchangeUnitOfWork) -> None:
        self.uow = uow

    def of(self, kind: str, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        found = self.uow.external_refs.refs_of(kind, ids)
        return {i: found.get(i, str(i)) for i in ids}


def _household(uow: InterchangeUnitOfWork, family_id: uuid.UUID) -> dict[str, Any]:
    family = uow.families.get(family_id)
    assert family is not None
    refs = _Refs(uow)
    hubs = {h.id: h.code for h in uow.reference.hubs(include_inactive=True)}
    person_ids = [m.person_id for m in family.memberships]
    people = uow.people.get_many(person_ids)
    person_refs = refs.of("person", person_ids)
    consents = uow.consents.for_family(family_id)
    episodes = sorted(uow.episodes.for_family(family_id), key=lambda e: e.requested_on)
    emails = _emails(uow, family.created_by_practitioner_id, episodes)
    return {
        "format_version": FORMAT_VERSION,
        "external_ref": refs.of("household", [family_id])[family_id],
        "hub_code": hubs[family.hub_id],
        "reference": family.reference,
        "registered_by": emails.get(family.created_by_practitioner_id)
        if family.created_by_practitioner_id
        else None,
        "address": {
            "line1": family.address.line1,
            "line2": family.address.line2,
            "town": family.address.town,
            "postcode": family.address.postcode,
        },
        "people": [
            _person(people[m.person_id], person_refs[m.person_id], m.role.value, m.joined_on)
            for m in family.memberships
        ],
        "relationships": [
            {
                "person": person_refs[r.person_id],
                "related_person": person_refs[r.related_person_id],
                "kind": r.kind.value,
                "parental_responsibility": r.parental_responsibility,
            }
            for r in uow.families.relationships(family_id)
        ],
        "consents": _consents(refs, consents, person_refs),
        "episodes": [_episode(uow, refs, e, hubs, person_refs, emails) for e in episodes],
        "lawful_basis": LAWFUL_BASIS,
    }


def _person(person: Person, ref: str, role: str, joined_on: date) -> dict[str, Any]:
    return {
        "external_ref": ref,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": _iso(person.date_of_birth),
        "expected_delivery_date": _iso(person.expected_delivery_date),
        "sex": person.sex,
        "gender": person.gender,
        "ethnicity": person.ethnicity,
        "send": person.send,
        "disabilities": list(person.disabilities),
        "identifiers": [
            {"scheme": i.scheme.value, "value": i.value, "verified": i.verified, "source": i.source}
            for i in person.identifiers
        ],
        "identifier_absent_reason": person.identifier_absent_reason.value
        if person.identifier_absent_reason
        else None,
        "role": role,
        "joined_on": joined_on.isoformat(),
    }


def _iso(on: date | None) -> str | None:
    return None if on is None else on.isoformat()


def _emails(
    uow: InterchangeUnitOfWork, registrar: uuid.UUID | None, episodes: list[Episode]
) -> dict[uuid.UUID, str]:
    ids: set[uuid.UUID] = {e.lead_practitioner_id for e in episodes}
    ids.update(a.practitioner_id for e in episodes for a in e.lead_history)
    if registrar is not None:
        ids.add(registrar)
    for episode in episodes:
        ids.update(d.officer_id for d in episode.qa_decisions)
        ids.update(
            m.practitioner_id for m in uow.taf.members(episode.id) if m.practitioner_id is not None
        )
    return {p.id: p.email for p in uow.practitioners.get_many(sorted(ids, key=str)).values()}


def _consents(
    refs: _Refs, consents: list[Consent], person_refs: dict[uuid.UUID, str]
) -> list[dict[str, Any]]:
    consent_refs = refs.of("consent", [c.id for c in consents])
    return [
        {
            "external_ref": consent_refs[c.id],
            "purpose": c.purpose.value,
            "given_by": person_refs[c.given_by_person_id],
            "on_behalf_of": [person_refs[p] for p in c.on_behalf_of_person_ids],
            "method": c.method.value,
            "given_on": c.given_on.isoformat(),
            "sharing_scope": c.sharing_scope.value if c.sharing_scope else None,
            "agency_codes": sorted(c.agency_codes),
            "review_on": _iso(c.review_on),
            "notes": c.notes,
            "withdrawal": None
            if c.withdrawal is None
            else {
                "withdrawn_on": c.withdrawal.withdrawn_on.isoformat(),
                "reason": c.withdrawal.reason,
                "withdrawn_by": person_refs.get(c.withdrawal.withdrawn_by_person_id)
                if c.withdrawal.withdrawn_by_person_id
                else None,
            },
        }
        for c in sorted(consents, key=lambda c: (c.given_on, str(c.id)))
    ]


def _episode(
    uow: InterchangeUnitOfWork,
    refs: _Refs,
    episode: Episode,
    hubs: dict[uuid.UUID, str],
    person_refs: dict[uuid.UUID, str],
    emails: dict[uuid.UUID, str],
) -> dict[str, Any]:
    assessments = uow.assessments.for_episode(episode.id)
    plans = uow.plans.for_episode(episode.id)
    members = uow.taf.members(episode.id)
    member_refs = refs.of("taf_member", [m.id for m in members])
    assessment = assessments[0] if assessments else None
    plan = plans[0] if plans else None
    opening_level = episode.level_history[0].level if episode.level_history else None
    opening_lead = (
        episode.lead_history[0].practitioner_id
        if episode.lead_history
        else episode.lead_practitioner_id
    )
    assessed = {n.id for n in assessment.needs} if assessment else set()
    return {
        "external_ref": refs.of("episode", [episode.id])[episode.id],
        "source": episode.source.value,
        "level_of_need": opening_level or episode.level_of_need,
        "lead": emails[opening_lead],
        "children": [person_refs[p] for p in episode.child_person_ids],
        "requested_on": episode.requested_on.isoformat(),
        "hub_code": hubs[episode.hub_id],
        "assessment": None if assessment is None else _assessment_out(assessment, person_refs),
        "reassessments": [_assessment_out(a, person_refs) for a in assessments[1:]],
        "plan": None
        if plan is None
        else _plan_out(episode, plan, person_refs, member_refs, emails),
        "plan_revisions": [
            _revision_out(episode, p, person_refs, member_refs, emails) for p in plans[1:]
        ],
        "taf_members": [
            {
                "external_ref": member_refs[m.id],
                "practitioner": emails[m.practitioner_id] if m.practitioner_id else None,
                "person": person_refs[m.person_id] if m.person_id else None,
                "role": m.role,
                "joined_on": m.joined_on.isoformat(),
                "left_on": _iso(m.left_on),
            }
            for m in members
        ],
        "meetings": [
            {
                "held_on": meeting.held_on.isoformat(),
                "attendees": [member_refs[m] for m in meeting.attendee_member_ids],
                "family_present": meeting.family_present,
                "child_voice": meeting.child_voice.value,
                "progress": [
                    {"outcome": str(p.outcome_id), "score": p.score} for p in meeting.progress
                ],
                "decision": meeting.decision.value,
                "next_review_on": _iso(meeting.next_review_on),
                "notes": meeting.notes,
            }
            for meeting in uow.taf.meetings(episode.id)
        ],
        "lead_changes": [
            {
                "lead": emails[a.practitioner_id],
                "effective_on": a.assigned_on.isoformat(),
                "reason": a.reason,
                "changed_by": None,
            }
            for a in episode.lead_history[1:]
        ],
        "level_changes": [
            {
                "level_of_need": c.level,
                "effective_on": c.changed_on.isoformat(),
                "reason": c.reason,
            }
            for c in episode.level_history[1:]
        ],
        "family_needs": _family_needs(uow, refs, episode.id, person_refs, assessed),
        "support": [
            {
                "service": s.support.service,
                "provider": s.support.provider,
                "started_on": s.support.started_on.isoformat(),
                "ended_on": _iso(s.support.ended_on),
            }
            for s in sorted(
                uow.needs.support_for([episode.id]),
                key=lambda s: (s.support.started_on, str(s.id)),
            )
        ],
        "contacts": _contacts(uow, refs, episode.id, person_refs),
        "closure": None
        if episode.closed_on is None or episode.closure_reason is None
        else {
            "closed_on": episode.closed_on.isoformat(),
            "reason": episode.closure_reason.value,
            "family_view": None
            if episode.family_view is None
            else {
                "improved": episode.family_view.improved.value,
                "in_their_words": episode.family_view.in_their_words,
            },
            "notes": episode.closure_notes,
            "stepped_up_reference": episode.stepped_up_reference,
        },
    }


def _assessment_out(assessment: Assessment, person_refs: dict[uuid.UUID, str]) -> dict[str, Any]:
    """One version of the assessment; a need carried into a later version keeps its ref (its id)."""
    return {
        "started_on": assessment.started_on.isoformat(),
        "completed_on": _iso(assessment.completed_on),
        "strengths": list(assessment.strengths),
        "needs": [
            {
                "external_ref": str(n.id),
                "headline": n.headline,
                "description": n.description,
                "people": [person_refs[p] for p in n.person_ids],
            }
            for n in assessment.needs
        ],
        "child_voice": assessment.child_voice,
        "parents_view": assessment.parents_view,
        "analysis": assessment.analysis,
    }


def _contacts(
    uow: InterchangeUnitOfWork,
    refs: _Refs,
    episode_id: uuid.UUID,
    person_refs: dict[uuid.UUID, str],
) -> list[dict[str, Any]]:
    """Every contact, sensitive ones included (an export is the whole record, disclosed as such),
    each as first recorded with its corrections in order."""
    contacts = sorted(
        uow.contacts.for_episodes([episode_id]),
        key=lambda c: (c.happened_on, c.happened_at or time.min, str(c.id)),
    )
    contact_refs = refs.of("contact", [c.id for c in contacts])
    people = {
        p
        for c in contacts
        for p in (c.recorded_by, *c.named_practitioner_ids, *(a.amended_by for a in c.amendments))
    }
    emails = {p.id: p.email for p in uow.practitioners.get_many(sorted(people, key=str)).values()}
    return [_contact(c, contact_refs[c.id], person_refs, emails) for c in contacts]


def _contact(
    contact: Contact, ref: str, person_refs: dict[uuid.UUID, str], emails: dict[uuid.UUID, str]
) -> dict[str, Any]:
    return {
        "external_ref": ref,
        "happened_on": contact.happened_on.isoformat(),
        "happened_at": None if contact.happened_at is None else contact.happened_at.isoformat(),
        "kind": contact.kind.value,
        "recorded_by": emails[contact.recorded_by],
        "seen": [person_refs[p] for p in contact.seen_person_ids],
        "children_seen_alone": [person_refs[p] for p in contact.children_seen_alone],
        "child_voice": contact.original(NoteField.CHILD_VOICE),
        "what_was_done": contact.original(NoteField.WHAT_WAS_DONE),
        "note": contact.original(NoteField.NOTE),
        "sensitive": contact.sensitive,
        "named_practitioners": [emails[p] for p in contact.named_practitioner_ids],
        "significant": contact.significant,
        "amendments": [
            {
                "field": a.field.value,
                "text": a.text,
                "reason": a.reason,
                "amended_by": emails[a.amended_by],
            }
            for a in contact.amendments
        ],
    }


def _evidence_out(evidence: Evidence | None) -> dict[str, str] | None:
    return (
        None if evidence is None else {"source": evidence.source, "reference": evidence.reference}
    )


def _family_needs(
    uow: InterchangeUnitOfWork,
    refs: _Refs,
    episode_id: uuid.UUID,
    person_refs: dict[uuid.UUID, str],
    assessed: set[uuid.UUID],
) -> list[dict[str, Any]]:
    """The Supporting Families needs; one linked to an assessment need shares its id, so it
    names that need (exported under its id, as the assessment's needs are)."""
    stored = sorted(
        uow.needs.for_episodes([episode_id]),
        key=lambda s: (s.record.need.identified_on, str(s.record.need.id)),
    )
    need_refs = refs.of("family_need", [s.record.need.id for s in stored])
    lines = []
    for s in stored:
        need, outcome, check = s.record.need, s.record.outcome, s.record.sustainment
        lines.append(
            {
                "external_ref": need_refs[need.id],
                "descriptor_code": need.descriptor_code,
                "people": [person_refs[p] for p in need.person_ids],
                "identified_on": need.identified_on.isoformat(),
                "emerged_later": need.emerged_later,
                "evidence": _evidence_out(need.evidence),
                "assessment_need": str(need.id) if need.id in assessed else None,
                "outcome": None
                if outcome.status is NeedOutcome.OPEN or outcome.on is None
                else {
                    "status": outcome.status.value,
                    "on": outcome.on.isoformat(),
                    "evidence": _evidence_out(outcome.evidence),
                },
                "sustainment_check": None
                if check is None
                else {
                    "checked_on": check.checked_on.isoformat(),
                    "result": check.result.value,
                    "lapsed_on": _iso(check.lapsed_on),
                    "evidence": _evidence_out(check.evidence),
                },
            }
        )
    return lines


def _revision_out(
    episode: Episode,
    plan: FamilyPlan,
    person_refs: dict[uuid.UUID, str],
    member_refs: dict[uuid.UUID, str],
    emails: dict[uuid.UUID, str],
) -> dict[str, Any]:
    """A later version: its outcomes and actions, and the day the review agreed it."""
    written = _plan_out(episode, plan, person_refs, member_refs, emails)
    return {
        "outcomes": written["outcomes"],
        "actions": written["actions"],
        "agreed_on": _iso(plan.agreed_on),
    }


def _plan_out(
    episode: Episode,
    plan: FamilyPlan,
    person_refs: dict[uuid.UUID, str],
    member_refs: dict[uuid.UUID, str],
    emails: dict[uuid.UUID, str],
) -> dict[str, Any]:
    """The first plan version, with each submission and decision on it. A submission's date is
    kept for the latest one only (the plan's `submitted_on`); an earlier one is exported as the
    day the decision before it was made (the earliest it can have been)."""
    decisions = [d for d in episode.qa_decisions if d.plan_version == plan.number]
    reviews: list[dict[str, Any]] = []
    for index, decision in enumerate(decisions):
        last = index == len(decisions) - 1
        submitted = plan.submitted_on if last else None
        if submitted is None:
            submitted = decisions[index - 1].decided_on if index else episode.plan_submitted_on
        reviews.append(
            {
                "submitted_on": _iso(submitted),
                "decided_on": decision.decided_on.isoformat(),
                "decided_by": emails[decision.officer_id],
                "outcome": decision.outcome.value,
                "comments": decision.comments,
            }
        )
    if plan.submitted_on is not None and (
        not decisions or episode.stage.value == "plan_awaiting_qa"
    ):
        reviews.append({"submitted_on": plan.submitted_on.isoformat(), "comments": ""})
    return {
        "outcomes": [
            {
                "external_ref": str(o.id),
                "description": o.description,
                "needs": [str(n) for n in o.need_ids],
                "measure": o.measure,
                "baseline_score": o.baseline_score,
            }
            for o in plan.outcomes
        ],
        "actions": [
            {
                "description": a.description,
                "outcome": str(a.outcome_id) if a.outcome_id else None,
                "owner_person": person_refs[a.owner_person_id] if a.owner_person_id else None,
                "owner_taf_member": member_refs[a.owner_taf_member_id]
                if a.owner_taf_member_id
                else None,
                "due_on": a.due_on.isoformat(),
                "status": a.status.value,
            }
            for a in plan.actions
        ],
        "qa_reviews": reviews,
    }
