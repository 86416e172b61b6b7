"""Who may do what to which record: one pure decision, so every route asks the same question.

The rules come from the authentication issue: relationships (lead professional, Team Around the
Family seat, link worker's hubs, a plan awaiting quality assurance) grant access to a family's
record; roles grant access to the council-wide views. Everything the decision needs arrives as
facts (`RecordFacts`), including which consent to share is in force *today*, so the function reads
no clock, no database and cannot be bypassed by a caller that forgets to check consent.

Least privilege wherever the issue leaves a choice (each choice is repeated where it is made):

- A denial is HIDDEN (404) unless the user could legitimately read the thing they are acting on;
  only then is it FORBIDDEN (403). For an episode that means reading *that* episode.
- Relationship rights (lead, TAF seat, registering a family) need the practitioner role.
- The lead of a closed episode keeps reading it and the family; steps on the closed episode pass
  the gate only for the process to refuse them with a 409 saying why; the family record is
  written by leads of open episodes only.
- A lead reads the episodes they lead, not the family's other episodes.
- Managers read everything, reassign leads and open episodes, but do not write case records or
  decide on plans: that is the lead's and the Early Help and Support Service's job.
- The reporting role is exclusive: a machine account holding it gets nothing else (but the pick
  lists, which hold no case data), whatever other roles it is given by mistake. Admin and auditor grant no case data; roles otherwise add up.
- Break glass lets a practitioner, link worker or quality assurance officer READ (never write) a
  family or episode outside their relationships, with a reason of at least 10 characters.
- A TAF seat counts under consent covering the agency the seat is held for (or all TAF members),
  or, on an episode with an s.17 or s.47 statutory basis, on that basis alone (issue 20 §5).
- A QA officer sees a plan only while it awaits review: once decided it is hidden (404) from them.
- An allocation to an episode as lead child protection practitioner or co-worker (issue 20 §2),
  current today, works the episode beside its lead: it reads the family and that episode, writes
  the family's record and the episode's day-to-day records (assessments, needs, plans, TAF and
  meetings, contacts, documents) as the lead does, and reads sensitive notes. It does not steer
  the episode (close it, change its level of need, step it across), which stays with the lead
  and managers; an allocation ended today grants nothing from that day.
- Contacts (issue 19 §2) are recorded by the lead, an allocated lead child protection
  practitioner or co-worker, and by TAF members under consent, on an open episode; a sensitive
  note's text is read only by managers, the episode's lead and allocated practitioners, and the
  practitioners it names (never by break glass). Everyone else who reads the episode sees that
  the contact happened, with its text withheld (`may_read_sensitive`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from uuid import UUID

from app.domain.consents import Consent, ConsentPurpose, SharingScope
from app.domain.errors import Forbidden, InvalidValue
from app.domain.family_help import AllocationRole

MIN_BREAK_GLASS_REASON = 10
"""Non-space characters a break-glass reason needs, some of them letters: long enough to mean
something, so ten spaces or "1111111111" do not open a record."""


class Role(StrEnum):
    PRACTITIONER = "practitioner"
    """Can lead episodes and sit on a Team Around the Family."""
    LINK_WORKER = "link_worker"
    """Oversees one or more hubs: reads their episodes and timeliness, edits nothing."""
    QUALITY_ASSURANCE = "quality_assurance"
    """An Early Help and Support Service officer: reads and decides plans awaiting review."""
    MANAGER = "manager"
    """Reads everything in the council and reassigns lead professionals."""
    REPORTING = "reporting"
    """A machine account for reporting jobs; reaches the reporting endpoints only."""
    ADMIN = "admin"
    """Manages users and policy; sees no case data."""
    AUDITOR = "auditor"
    """Internal audit of Supporting Families claims; sees no case notes."""
    FRONT_DOOR_OFFICER = "front_door_officer"
    """Receives and screens requests for support at the front door; reads no family record."""


class Action(StrEnum):
    READ_FAMILY = "read_family"
    WRITE_FAMILY = "write_family"
    READ_EPISODE = "read_episode"
    WRITE_EPISODE = "write_episode"
    UPDATE_ASSIGNED_ACTION = "update_assigned_action"
    DECIDE_QA = "decide_qa"
    REASSIGN_LEAD = "reassign_lead"
    OPEN_EPISODE = "open_episode"
    READ_TIMELINESS = "read_timeliness"
    READ_REPORTS = "read_reports"
    MANAGE_PRACTITIONERS = "manage_practitioners"
    MANAGE_POLICY = "manage_policy"
    READ_ACCESS_LOG = "read_access_log"
    READ_SECURITY_EVENTS = "read_security_events"
    AUDIT_CLAIMS = "audit_claims"
    PREPARE_CLAIMS = "prepare_claims"
    CREATE_FAMILY = "create_family"
    SEARCH_FAMILIES = "search_families"
    READ_DIRECTORY = "read_directory"
    READ_MY_WORK = "read_my_work"
    READ_REFERENCE_DATA = "read_reference_data"
    READ_OWN_PROFILE = "read_own_profile"
    RECORD_CONTACT = "record_contact"
    """Record a contact on an episode, or correct one (issue 19 §2)."""
    ERASE_DOCUMENT = "erase_document"
    CREATE_REQUEST = "create_request"
    SEARCH_REQUESTS = "search_requests"
    READ_REQUEST = "read_request"
    SCREEN_REQUEST = "screen_request"
    ACKNOWLEDGE_REQUEST = "acknowledge_request"
    EDIT_REQUEST = "edit_request"
    """Correct a request for support before it is screened."""
    ATTACH_REQUEST_DOCUMENT = "attach_request_document"
    """Attach a document to a request for support (the referral letter, issue 19 §4)."""
    STEP_ACROSS = "step_across"
    STEER_EPISODE = "steer_episode"
    """Close the episode or change its level of need: the lead's judgement on the episode as a
    whole, which a practitioner allocated to work beside the lead does not make."""
    ALLOCATE_PRACTITIONERS = "allocate_practitioners"
    EXPORT_CIN_CENSUS = "export_cin_census"
    IMPORT_RECORDS = "import_records"
    EXPORT_RECORDS = "export_records"


FAMILY_ACTIONS = frozenset(
    {Action.READ_FAMILY, Action.WRITE_FAMILY, Action.OPEN_EPISODE, Action.ERASE_DOCUMENT}
)
"""Actions on a family's record as a whole: `decide` needs the record."""

EPISODE_ACTIONS = frozenset(
    {
        Action.READ_EPISODE,
        Action.WRITE_EPISODE,
        Action.UPDATE_ASSIGNED_ACTION,
        Action.DECIDE_QA,
        Action.REASSIGN_LEAD,
        Action.RECORD_CONTACT,
        Action.STEP_ACROSS,
        Action.STEER_EPISODE,
        Action.ALLOCATE_PRACTITIONERS,
    }
)
"""Actions on one episode: `decide` needs the record and the episode's id."""

RECORD_ACTIONS = FAMILY_ACTIONS | EPISODE_ACTIONS

READ_ACTIONS = frozenset({Action.READ_FAMILY, Action.READ_EPISODE})
"""The only actions break glass can unlock."""

REQUEST_ACTIONS = frozenset(
    {
        Action.READ_REQUEST,
        Action.SCREEN_REQUEST,
        Action.ACKNOWLEDGE_REQUEST,
        Action.EDIT_REQUEST,
        Action.ATTACH_REQUEST_DOCUMENT,
    }
)
"""Actions on one request for support: `decide_request` needs the request's facts."""

REQUEST_DOCUMENT_ACTIONS = REQUEST_ACTIONS | {Action.ERASE_DOCUMENT}
"""What `decide_request` judges: the request's own actions, and erasing a document attached to
it (a request's documents follow the request's rules, not a family's)."""

CHANGING_ACTIONS = frozenset(
    {
        Action.CREATE_FAMILY,
        Action.WRITE_FAMILY,
        Action.OPEN_EPISODE,
        Action.WRITE_EPISODE,
        Action.UPDATE_ASSIGNED_ACTION,
        Action.DECIDE_QA,
        Action.REASSIGN_LEAD,
        Action.RECORD_CONTACT,
        Action.ERASE_DOCUMENT,
        Action.STEP_ACROSS,
        Action.STEER_EPISODE,
        Action.ALLOCATE_PRACTITIONERS,
    }
)
"""Actions that change a family's record: each announces a change hint once committed."""

ACTIONS_ON_ASSIGNED_PLAN_ACTIONS = frozenset({Action.UPDATE_ASSIGNED_ACTION})
"""The only actions `decide` judges by which plan actions are assigned to whom
(`EpisodeFacts.assigned_action_ids_by_practitioner`); facts for any other may leave them out."""

# Council-wide actions and the roles that grant them. READ_ACCESS_LOG may also name a record.
_GLOBAL_GRANTS: Mapping[Action, frozenset[Role]] = MappingProxyType(
    {
        # Cross-episode deadline views; the query scopes a link worker's view to their hubs.
        Action.READ_TIMELINESS: frozenset({Role.LINK_WORKER, Role.MANAGER}),
        # Aggregates only; the reporting account pulls the measures here and nowhere else.
        Action.READ_REPORTS: frozenset({Role.REPORTING, Role.MANAGER, Role.AUDITOR}),
        Action.MANAGE_PRACTITIONERS: frozenset({Role.ADMIN}),
        Action.MANAGE_POLICY: frozenset({Role.ADMIN}),
        # Moving a caseload in from an old system, or out to another council (issue 18 §3-4):
        # the admin runs it; each imported step is still judged as the practitioner it names.
        Action.IMPORT_RECORDS: frozenset({Role.ADMIN}),
        Action.EXPORT_RECORDS: frozenset({Role.ADMIN}),
        # Who opened which record is itself sensitive: managers only.
        Action.READ_ACCESS_LOG: frozenset({Role.MANAGER}),
        # Role changes and break-glass reads across the council: managers only, since an admin's
        # own grants are among the events and nobody should review themselves.
        Action.READ_SECURITY_EVENTS: frozenset({Role.MANAGER}),
        # Approving claims is segregated from running the service: auditors only.
        Action.AUDIT_CLAIMS: frozenset({Role.AUDITOR}),
        # Raising and submitting claims: never the auditor who approves them (K9).
        Action.PREPARE_CLAIMS: frozenset({Role.REPORTING, Role.MANAGER}),
        # The statutory CIN census return is child-level: the reporting account and managers who
        # submit it, never the auditor's aggregate view (families-first.md R31).
        Action.EXPORT_CIN_CENSUS: frozenset({Role.REPORTING, Role.MANAGER}),
        Action.CREATE_FAMILY: frozenset({Role.PRACTITIONER, Role.MANAGER}),
        # Anyone working with families may refer one to the front door (issue 19 §1); each
        # request read or screened afterwards is judged by `decide_request`.
        Action.CREATE_REQUEST: frozenset(
            {
                Role.FRONT_DOOR_OFFICER,
                Role.PRACTITIONER,
                Role.LINK_WORKER,
                Role.QUALITY_ASSURANCE,
                Role.MANAGER,
            }
        ),
        # The list itself; the rows are scoped in SQL by `request_scope` and judged one by one.
        Action.SEARCH_REQUESTS: frozenset(
            {
                Role.FRONT_DOOR_OFFICER,
                Role.PRACTITIONER,
                Role.LINK_WORKER,
                Role.QUALITY_ASSURANCE,
                Role.MANAGER,
            }
        ),
        # Results must still be filtered record by record with READ_FAMILY.
        Action.SEARCH_FAMILIES: frozenset(
            {Role.PRACTITIONER, Role.LINK_WORKER, Role.QUALITY_ASSURANCE, Role.MANAGER}
        ),
        # One's own caseload, worklist and offline sync: each record on them is still judged.
        Action.READ_MY_WORK: frozenset(
            {
                Role.FRONT_DOOR_OFFICER,
                Role.PRACTITIONER,
                Role.LINK_WORKER,
                Role.QUALITY_ASSURANCE,
                Role.MANAGER,
                Role.ADMIN,
                Role.AUDITOR,
            }
        ),
        # Names, agencies and roles of staff, to pick a lead or a TAF member; no case data.
        Action.READ_DIRECTORY: frozenset(
            {
                Role.FRONT_DOOR_OFFICER,
                Role.PRACTITIONER,
                Role.LINK_WORKER,
                Role.QUALITY_ASSURANCE,
                Role.MANAGER,
                Role.ADMIN,
                Role.AUDITOR,
            }
        ),
        # Pick lists (hubs, agencies, outcome headlines, levels of need): no case data, every role.
        Action.READ_REFERENCE_DATA: frozenset(Role),
        # Who am I: one's own name, roles, hubs and agency, for the front end's first screen.
        Action.READ_OWN_PROFILE: frozenset(Role),
    }
)

_BREAK_GLASS_ROLES = frozenset({Role.PRACTITIONER, Role.LINK_WORKER, Role.QUALITY_ASSURANCE})


@dataclass(frozen=True)
class Principal:
    """The authenticated user as the rules see them: who, which agency, which roles and hubs."""

    practitioner_id: UUID
    agency_code: str
    roles: frozenset[Role]
    hub_ids: frozenset[UUID] = frozenset()
    """Hubs a link worker covers, or a practitioner works in."""
    active: bool = True

    def has(self, role: Role) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class TafSeat:
    """A practitioner's membership of an episode's TAF, for the agency they sit for."""

    practitioner_id: UUID
    agency_code: str
    joined_on: date
    left_on: date | None = None

    def is_active_on(self, on: date) -> bool:
        """Same rule as `TafMember.is_active_on`: the leaving day is already out."""
        return self.joined_on <= on and (self.left_on is None or on < self.left_on)


ALLOCATIONS_GRANTING_ACCESS: frozenset[AllocationRole] = frozenset(
    {AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER, AllocationRole.CO_WORKER}
)
"""Allocations that let a practitioner work an episode beside its lead. On s.47 the lead child
protection practitioner leads the child protection work and the former family help lead co-works
(Families First §3.2 item 8, R12, R17): both must reach the case to do their job. The family help
lead practitioner role follows the episode's lead (who has the lead's rights already); oversight
managers and practice supervisors oversee rather than work the case (managers read everything)."""


@dataclass(frozen=True)
class AllocatedPractitioner:
    """A practitioner's allocation to an episode in a role of `ALLOCATIONS_GRANTING_ACCESS`."""

    practitioner_id: UUID
    role: AllocationRole
    started_on: date
    ended_on: date | None = None

    def is_active_on(self, on: date) -> bool:
        """Same rule as `Allocation.active_on`: from its first day, and nothing from its end date."""
        return self.started_on <= on and (self.ended_on is None or on < self.ended_on)


@dataclass(frozen=True)
class EpisodeFacts:
    """What the rules need to know about one episode; the caller loads it."""

    episode_id: UUID
    hub_id: UUID
    lead_practitioner_id: UUID
    taf: tuple[TafSeat, ...] = ()
    plan_awaiting_qa: bool = False
    is_open: bool = True
    allocated: tuple[AllocatedPractitioner, ...] = ()
    """Practitioners allocated as lead child protection practitioner or co-worker, current or
    ended (other roles may be left out: they grant nothing)."""
    statutory_basis: bool = False
    """On an s.17 or s.47 basis (Family Help): a TAF agency's access rests on the statutory duty
    to share, not on consent (Families First §3.4 item 20; issue 20 §5)."""
    assigned_action_ids_by_practitioner: Mapping[UUID, frozenset[UUID]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """Plan action ids of this episode, by the practitioner each is assigned to."""

    def assigned_to(self, practitioner_id: UUID) -> frozenset[UUID]:
        return self.assigned_action_ids_by_practitioner.get(practitioner_id, frozenset())


@dataclass(frozen=True)
class RecordFacts:
    """What the rules need to know about a family's record, evaluated on `today` by the caller.

    `created_by_practitioner_id`: the practitioner who registered the family keeps reading and
    writing it until its first episode exists, so a family registered ahead of an episode is not
    orphaned; from then on only the episode relationships count.
    """

    family_id: UUID
    family_hub_id: UUID
    episodes: tuple[EpisodeFacts, ...] = ()
    sharing_agencies_in_force: frozenset[str] = frozenset()
    sharing_with_all_taf_in_force: bool = False
    created_by_practitioner_id: UUID | None = None

    def episode(self, episode_id: UUID) -> EpisodeFacts | None:
        return next((e for e in self.episodes if e.episode_id == episode_id), None)


class Visibility(StrEnum):
    ALLOWED = "allowed"
    FORBIDDEN = "forbidden"
    """The user may know the record exists (answer 403)."""
    HIDDEN = "hidden"
    """The user may not know the record exists (answer 404, as for an unknown id)."""


@dataclass(frozen=True)
class Decision:
    """The answer, with a reason for logs and the audit trail (roles and rules, no personal data)."""

    visibility: Visibility
    reason: str
    break_glass: bool = False

    @property
    def allowed(self) -> bool:
        return self.visibility is Visibility.ALLOWED


def _allow(reason: str) -> Decision:
    return Decision(Visibility.ALLOWED, reason)


def sharing_in_force(consents: Iterable[Consent], today: date) -> tuple[frozenset[str], bool]:
    """The agencies, and whether all TAF members, the family agreed to share with on `today`.

    For `RecordFacts`: a withdrawal dated today already removes the agency's access.
    """
    agencies: set[str] = set()
    all_taf = False
    for consent in consents:
        if consent.purpose is not ConsentPurpose.INFORMATION_SHARING:
            continue
        if not consent.is_in_force_on(today):
            continue
        if consent.sharing_scope is SharingScope.ALL_TAF_MEMBERS:
            all_taf = True
        else:
            agencies.update(consent.agency_codes)
    return frozenset(agencies), all_taf


def valid_break_glass_reason(reason: str | None) -> bool:
    if reason is None:
        return False
    meaningful = "".join(reason.split())
    return len(meaningful) >= MIN_BREAK_GLASS_REASON and any(c.isalpha() for c in meaningful)


def require_break_glass_reason(reason: str | None) -> str:
    """For the API: refuse a short reason with 422 before any record is looked at (leaks nothing)."""
    if reason is None or not valid_break_glass_reason(reason):
        raise InvalidValue(
            f"Give a reason in words, at least {MIN_BREAK_GLASS_REASON} characters besides spaces,"
            " for opening this record.",
            field="break_glass_reason",
            code="break_glass_reason_too_short",
        )
    return reason.strip()


_ALLOCATED = "allocated as lead child protection practitioner or co-worker to"


@dataclass(frozen=True)
class _Relationships:
    """The principal's ties to one record, computed once per decision."""

    principal: Principal
    record: RecordFacts
    today: date

    @property
    def _practitioner(self) -> bool:
        return self.principal.has(Role.PRACTITIONER)

    def leads(self, episode: EpisodeFacts) -> bool:
        return self._practitioner and episode.lead_practitioner_id == self.principal.practitioner_id

    def sits_on_taf(self, episode: EpisodeFacts) -> bool:
        """An active seat today AND a lawful basis for the seat's agency today: consent to share
        with it (or all TAF) on a voluntary episode, the statutory basis itself on s.17 or s.47
        (withdrawing consent to voluntary help does not cut off statutory partners)."""
        if not self._practitioner:
            return False
        record = self.record
        return any(
            seat.practitioner_id == self.principal.practitioner_id
            and seat.is_active_on(self.today)
            and (
                episode.statutory_basis
                or record.sharing_with_all_taf_in_force
                or seat.agency_code in record.sharing_agencies_in_force
            )
            for seat in episode.taf
        )

    def allocated_to(self, episode: EpisodeFacts) -> bool:
        """An allocation today as lead child protection practitioner or co-worker; like the lead,
        it needs the practitioner role (a relationship right)."""
        if not self._practitioner:
            return False
        return any(
            a.practitioner_id == self.principal.practitioner_id
            and a.role in ALLOCATIONS_GRANTING_ACCESS
            and a.is_active_on(self.today)
            for a in episode.allocated
        )

    def works(self, episode: EpisodeFacts) -> bool:
        """Leads the episode or is allocated to work it beside the lead: who writes its
        day-to-day records and reads its sensitive notes."""
        return self.leads(episode) or self.allocated_to(episode)

    def registered_family(self) -> bool:
        return (
            self._practitioner
            and not self.record.episodes
            and self.record.created_by_practitioner_id == self.principal.practitioner_id
        )

    def link_worker_for(self, hub_id: UUID) -> bool:
        return self.principal.has(Role.LINK_WORKER) and hub_id in self.principal.hub_ids

    def qa_for(self, episode: EpisodeFacts) -> bool:
        return self.principal.has(Role.QUALITY_ASSURANCE) and episode.plan_awaiting_qa

    @property
    def manager(self) -> bool:
        return self.principal.has(Role.MANAGER)

    def why_read_family(self) -> str | None:
        """The first rule that lets the principal read the family, or None."""
        episodes = self.record.episodes
        if self.manager:
            return "manager reads every record in the council"
        if any(self.leads(e) for e in episodes):
            return "lead professional of an episode of this family"
        if any(self.allocated_to(e) for e in episodes):
            return _ALLOCATED + " an episode of this family"
        if self.registered_family():
            return "registered this family, which has no episode yet"
        if any(self.sits_on_taf(e) for e in episodes):
            return "TAF member under consent to share with their agency, or on a statutory basis"
        if self.link_worker_for(self.record.family_hub_id) or any(
            self.link_worker_for(e.hub_id) for e in episodes
        ):
            return "link worker for the family's hub"
        if any(self.qa_for(e) for e in episodes):
            return "quality assurance: a plan of this family awaits review"
        return None

    def why_read_episode(self, episode: EpisodeFacts) -> str | None:
        if self.manager:
            return "manager reads every record in the council"
        if self.leads(episode):
            return "lead professional of this episode"
        if self.allocated_to(episode):
            return _ALLOCATED + " this episode"
        if self.sits_on_taf(episode):
            return "TAF member under consent to share with their agency, or on a statutory basis"
        if self.link_worker_for(episode.hub_id):
            return "link worker for the episode's hub"
        if self.qa_for(episode):
            return "quality assurance: the episode's plan awaits review"
        return None


def decide_named(
    principal: Principal,
    action: Action,
    record: RecordFacts | None,
    *,
    names_record: bool,
    today: date,
    episode_id: UUID | None = None,
    action_item_id: UUID | None = None,
    break_glass_reason: str | None = None,
) -> Decision:
    """`decide` for a request, which may name a record (`names_record`) that was not found.

    A record that does not exist is hidden, exactly as one the user may not see is, so a refusal
    never tells anyone whether a family or an episode exists.
    """
    if (names_record or action in RECORD_ACTIONS) and record is None:
        return Decision(Visibility.HIDDEN, "no such record")
    return decide(
        principal,
        action,
        record,
        today=today,
        episode_id=episode_id,
        action_item_id=action_item_id,
        break_glass_reason=break_glass_reason,
    )


def decide(
    principal: Principal,
    action: Action,
    record: RecordFacts | None,
    *,
    today: date,
    episode_id: UUID | None = None,
    action_item_id: UUID | None = None,
    break_glass_reason: str | None = None,
) -> Decision:
    """May `principal` do `action` (to `record`, its episode `episode_id`) on `today`?

    `record` is None for council-wide actions (READ_ACCESS_LOG may name one or not). A missing
    record, episode id or action id for an action that needs one is a bug in the caller and
    raises ValueError rather than being mistaken for a denial.
    """
    if action in RECORD_ACTIONS and record is None:
        raise ValueError(f"{action} needs the record's facts")
    if action in EPISODE_ACTIONS and episode_id is None:
        raise ValueError(f"{action} needs an episode id")
    if action is Action.UPDATE_ASSIGNED_ACTION and action_item_id is None:
        raise ValueError(f"{action} needs the plan action's id")
    record_scoped = action in RECORD_ACTIONS or (
        action is Action.READ_ACCESS_LOG and record is not None
    )

    if not principal.active:
        return Decision(
            Visibility.HIDDEN if record_scoped else Visibility.FORBIDDEN, "the user is inactive"
        )
    if principal.has(Role.REPORTING):
        # Exclusive: a machine account never reaches case data, whatever else it holds.
        if action is Action.READ_REPORTS:
            return _allow("the reporting account reads the reports")
        if action is Action.PREPARE_CLAIMS:
            return _allow("the reporting account prepares and submits claims")
        if action is Action.READ_REFERENCE_DATA:
            return _allow("the reporting account reads the pick lists its reports are filtered by")
        if action is Action.EXPORT_CIN_CENSUS:
            return _allow("the reporting account prepares the CIN census return")
        if action is Action.READ_OWN_PROFILE:
            return _allow("every signed-in account reads who it is")
        if record_scoped:
            return Decision(Visibility.HIDDEN, "the reporting account reaches no case records")
        return Decision(Visibility.FORBIDDEN, "the reporting account reaches only the reports")

    if not record_scoped:
        granted_by = _GLOBAL_GRANTS.get(action, frozenset()) & principal.roles
        if granted_by:
            return _allow(f"granted to the {', '.join(sorted(granted_by))} role")
        return Decision(Visibility.FORBIDDEN, f"no role of the user grants {action}")

    assert record is not None
    episode: EpisodeFacts | None = None
    if episode_id is not None and action in EPISODE_ACTIONS:
        episode = record.episode(episode_id)
        if episode is None:
            # Not this family's episode: exactly like an unknown id, break glass or not.
            return Decision(Visibility.HIDDEN, "the episode is not part of this family's record")

    ties = _Relationships(principal, record, today)
    why_read = ties.why_read_family() if episode is None else ties.why_read_episode(episode)
    normal = _decide_record(ties, action, episode, action_item_id, why_read)
    if normal.allowed or break_glass_reason is None:
        return normal
    return _break_glass(principal, action, normal, break_glass_reason)


def _decide_record(
    ties: _Relationships,
    action: Action,
    episode: EpisodeFacts | None,
    action_item_id: UUID | None,
    why_read: str | None,
) -> Decision:
    grant = _record_grant(ties, action, episode, action_item_id, why_read)
    if grant is not None:
        return _allow(grant)
    if why_read is not None:
        return Decision(Visibility.FORBIDDEN, f"may read ({why_read}) but not {action}")
    return Decision(Visibility.HIDDEN, "no relationship with this record")


def _record_grant(
    ties: _Relationships,
    action: Action,
    episode: EpisodeFacts | None,
    action_item_id: UUID | None,
    why_read: str | None,
) -> str | None:
    """The rule granting `action` on the record, or None."""
    record = ties.record
    if action in READ_ACTIONS:
        return why_read
    if action is Action.WRITE_FAMILY:
        if any(e.is_open and ties.leads(e) for e in record.episodes):
            return "lead professional of an open episode of this family"
        # The household, its consents, network and disclosures are part of the work: on s.47
        # the child protection practitioner records what is shared under s.47, for one.
        if any(e.is_open and ties.allocated_to(e) for e in record.episodes):
            return _ALLOCATED + " an open episode of this family"
        if ties.registered_family():
            return "registered this family, which has no episode yet"
        return None
    if action is Action.OPEN_EPISODE:
        # Lead-capable practitioners who already hold the family (its registrar, or a previous
        # lead on re-referral) and managers; TAF seats and oversight roles do not open episodes.
        if ties.manager:
            return "manager opens episodes"
        if ties.registered_family():
            return "registered this family, which has no episode yet"
        if any(ties.leads(e) for e in record.episodes):
            return "lead professional of an earlier episode of this family"
        return None
    if action is Action.READ_ACCESS_LOG:
        return "manager reads the access log" if ties.manager else None
    if action is Action.ERASE_DOCUMENT:
        # Erasure destroys evidence: managers only, with a reason the service asks for.
        return "manager erases documents" if ties.manager else None

    assert episode is not None
    if action is Action.WRITE_EPISODE:
        # A closed episode's lead passes the gate so the process itself refuses the step with a
        # clear 409 ("the episode is closed"); nothing in a closed episode can change anyway.
        # Practitioners allocated beside the lead do the same day-to-day work, so they pass too.
        if ties.leads(episode):
            return "lead professional of this episode"
        if ties.allocated_to(episode):
            return _ALLOCATED + " this episode"
        return None
    if action is Action.STEER_EPISODE:
        # Closing the episode or changing its level of need is the lead's call (as in WRITE_EPISODE,
        # a closed episode's lead passes for the process to answer 409); a co-worker or lead child
        # protection practitioner asks the lead or a manager, who reassigns the lead if need be.
        return "lead professional of this episode" if ties.leads(episode) else None
    if action is Action.UPDATE_ASSIGNED_ACTION:
        if not episode.is_open:
            return None
        if ties.leads(episode):
            return "lead professional of this open episode"
        if ties.allocated_to(episode):
            return _ALLOCATED + " this open episode"
        if ties.sits_on_taf(episode) and action_item_id in episode.assigned_to(
            ties.principal.practitioner_id
        ):
            return "TAF member updating an action assigned to them"
        return None
    if action is Action.RECORD_CONTACT:
        # The lead of a closed episode passes, for the process to refuse a new contact with a
        # 409 and to let a note of theirs be corrected; a TAF seat counts while the episode is
        # open (the seat and the consent it sits under are judged today).
        if ties.leads(episode):
            return "lead professional of this episode"
        if ties.allocated_to(episode):
            return _ALLOCATED + " this episode"
        if episode.is_open and ties.sits_on_taf(episode):
            return "TAF member under consent to share with their agency, or on a statutory basis"
        return None
    if action is Action.DECIDE_QA:
        return "quality assurance decides a plan awaiting review" if ties.qa_for(episode) else None
    if action is Action.REASSIGN_LEAD:
        return "manager reassigns lead professionals" if ties.manager else None
    if action is Action.STEP_ACROSS:
        # Recording the decision; who decided (a social-work-qualified manager or supervisor for
        # a change of basis) is a rule of app/domain/family_help.py.
        if ties.manager:
            return "manager records a step across"
        if ties.leads(episode):
            return "lead professional of this episode records a step across"
        return None
    if action is Action.ALLOCATE_PRACTITIONERS:
        return "manager allocates practitioners to episodes" if ties.manager else None
    raise AssertionError(f"unhandled record action {action}")  # pragma: no cover


def _break_glass(principal: Principal, action: Action, normal: Decision, reason: str) -> Decision:
    """Read outside the rules with a reason, audited; writes and non-case roles never qualify."""
    if action not in READ_ACTIONS:
        return Decision(normal.visibility, f"{normal.reason}; break glass never grants {action}")
    if not (principal.roles & _BREAK_GLASS_ROLES):
        return Decision(normal.visibility, f"{normal.reason}; the user's roles cannot break glass")
    if not valid_break_glass_reason(reason):
        return Decision(normal.visibility, f"{normal.reason}; the break-glass reason is too short")
    return Decision(
        Visibility.ALLOWED,
        f"break glass: {action} outside the user's relationships, with a reason",
        break_glass=True,
    )


def may_see_restricted_details(
    principal: Principal,
    set_in: RecordFacts | None,
    *,
    viewed_through: RecordFacts | None,
    named_practitioner_ids: frozenset[UUID],
    today: date,
) -> bool:
    """Restricted details (a DA victim's refuge address ...) go to managers, the lead of an open
    episode of the household where the restriction was set (`set_in`), and the practitioners the
    restriction names.

    The restriction belongs to the person, not to the household the details are seen through:
    leading an episode in another household of theirs (one made for the purpose, say) grants
    nothing. Naming someone does not grant the record either: a named user must also read the
    household they see the person through (`viewed_through`) by the ordinary rules, never by break
    glass, so an old name cannot outlive their access.
    """
    if not principal.active or principal.has(Role.REPORTING):
        return False
    if principal.has(Role.MANAGER):
        return True
    if set_in is not None:
        ties = _Relationships(principal, set_in, today)
        if any(e.is_open and ties.leads(e) for e in set_in.episodes):
            return True
    return (
        principal.practitioner_id in named_practitioner_ids
        and viewed_through is not None
        and _Relationships(principal, viewed_through, today).why_read_family() is not None
    )


def may_read_sensitive(
    principal: Principal,
    record: RecordFacts,
    *,
    episode_id: UUID | None,
    named_practitioner_ids: frozenset[UUID],
    today: date,
) -> bool:
    """A sensitive record (a case note or a document, issue 19 §2 and §4) is read by managers,
    the lead professional and the practitioners allocated today as lead child protection
    practitioner or co-worker (of its episode; for a family's own, of an episode of the family),
    who do the lead's work, and the practitioners named on it (the recorder of a note is always
    named).

    Everyone else who may read the record (a TAF member not named, a link worker, quality
    assurance, a reader by break glass) sees that it exists, with its text withheld: the team
    knows a visit took place without learning what was confided. As for restricted details,
    naming someone grants nothing by itself: a named practitioner must also read the record it
    belongs to by the ordinary rules today (never break glass), so a name cannot outlive the seat
    or the family's consent. The lead of a closed episode keeps reading its notes.
    """
    if not principal.active or principal.has(Role.REPORTING):
        return False
    if principal.has(Role.MANAGER):
        return True
    ties = _Relationships(principal, record, today)
    episode = record.episode(episode_id) if episode_id is not None else None
    if episode_id is not None and episode is None:
        return False
    if any(ties.works(e) for e in ((episode,) if episode is not None else record.episodes)):
        return True
    if principal.practitioner_id not in named_practitioner_ids:
        return False
    why = ties.why_read_family() if episode is None else ties.why_read_episode(episode)
    return why is not None


def timeliness_hub_scope(
    principal: Principal, requested_hub: UUID | None
) -> frozenset[UUID] | None:
    """The hubs a timeliness view covers: managers the council (None) or the hub they ask for;
    link workers the hub they ask for among theirs, or all of their hubs when they name none.

    A link worker watches their neighbourhoods (seed-digest AMB-19): asking for another hub is
    refused.
    """
    if principal.has(Role.MANAGER):
        return None if requested_hub is None else frozenset({requested_hub})
    if requested_hub is not None:
        if requested_hub not in principal.hub_ids:
            raise Forbidden(
                "You watch the timeliness of your own hubs only.",
                field="hub_id",
                code="timeliness_hub_not_yours",
            )
        return frozenset({requested_hub})
    return principal.hub_ids


@dataclass(frozen=True)
class SearchScope:
    """Exactly the records `decide` lets a user read on `today` (break glass aside), for the
    database to page within: a page, and the cursor after it, are built only from records the user
    may see. Each relationship below mirrors one rule of `_Relationships`; a property test holds
    the SQL translation to `decide`.
    """

    today: date | None = None
    everything: bool = False
    practitioner_id: UUID | None = None
    """Families this practitioner registered (while they have no episode), leads an episode of,
    is allocated to an episode of today as lead child protection practitioner or co-worker, or
    sits on the TAF of today under consent to share with the seat's agency (or all TAF), or on a
    statutory basis."""
    hub_ids: frozenset[UUID] = frozenset()
    """Families in, or with an episode in, these hubs (link workers)."""
    plans_awaiting_qa: bool = False

    @property
    def nothing(self) -> bool:
        return not (
            self.everything or self.practitioner_id or self.hub_ids or self.plans_awaiting_qa
        )


def search_scope(principal: Principal, *, today: date) -> SearchScope:
    """The set of records `decide` lets this user read on `today` (break glass aside)."""
    if not principal.active or principal.has(Role.REPORTING):
        return SearchScope(today=today)
    if principal.has(Role.MANAGER):
        return SearchScope(today=today, everything=True)
    return SearchScope(
        today=today,
        practitioner_id=principal.practitioner_id if principal.has(Role.PRACTITIONER) else None,
        hub_ids=principal.hub_ids if principal.has(Role.LINK_WORKER) else frozenset(),
        plans_awaiting_qa=principal.has(Role.QUALITY_ASSURANCE),
    )


# --- requests for support at the front door (issue 19 §1) ----------------------------------------


@dataclass(frozen=True)
class RequestFacts:
    """What the rules need to know about one request for support; the caller loads it.

    `episode` is the episode the screening linked it to (opened for it, or the family's open
    episode it was attached to), if any.
    """

    request_id: UUID
    created_by_practitioner_id: UUID
    episode: EpisodeFacts | None = None
    family_id: UUID | None = None
    """The household's record, when it is known (for the family's access log)."""


def decide_request(principal: Principal, action: Action, request: RequestFacts | None) -> Decision:
    """May `principal` read or screen this request for support?

    A request is personal data about a household that may not yet be known to anyone, so its
    readers are few (least privilege): front door officers and managers (the front door's own
    work), the practitioner who made it (a referrer follows what became of their referral), and,
    once screening linked it to an episode, that episode's lead and the link workers of its hub.
    Only front door officers and managers screen; they and the practitioner who made a request
    correct it (before it is screened); only the lead of the episode a request was attached to
    acknowledges it (it leaves their worklist). Anyone else: hidden, like an unknown
    id. The reporting account, and an inactive user, reach no request.
    """
    if action not in REQUEST_DOCUMENT_ACTIONS:
        raise ValueError(f"{action} is not an action on a request")
    if request is None:
        return Decision(Visibility.HIDDEN, "no such request")
    if not principal.active or principal.has(Role.REPORTING):
        return Decision(Visibility.HIDDEN, "the user reaches no requests")
    front_door = principal.roles & {Role.FRONT_DOOR_OFFICER, Role.MANAGER}
    why = (
        f"the {', '.join(sorted(front_door))} role works the front door"
        if front_door
        else _why_read_request(principal, request)
    )
    if why is None:
        return Decision(Visibility.HIDDEN, "no relationship with this request")
    if action is Action.READ_REQUEST:
        return _allow(why)
    if action is Action.SCREEN_REQUEST:
        if front_door:
            return _allow(why)
        return Decision(Visibility.FORBIDDEN, f"may read ({why}) but only the front door screens")
    if action is Action.EDIT_REQUEST:
        if front_door:
            return _allow(why)
        if (
            principal.roles & _REFERRING_ROLES
            and request.created_by_practitioner_id == principal.practitioner_id
        ):
            return _allow("made this request")
        return Decision(
            Visibility.FORBIDDEN,
            f"may read ({why}) but only the front door and whoever made it correct it",
        )
    if action is Action.ATTACH_REQUEST_DOCUMENT:
        # The front door and the referrer add to the request; an episode's lead attaches to the
        # episode the request became.
        if front_door:
            return _allow(why)
        if request.created_by_practitioner_id == principal.practitioner_id:
            return _allow("made this request")
        return Decision(
            Visibility.FORBIDDEN, f"may read ({why}) but only the front door and the referrer add"
        )
    if action is Action.ERASE_DOCUMENT:
        # Erasure destroys evidence: managers only, as on a family's record.
        if principal.has(Role.MANAGER):
            return _allow("manager erases documents")
        return Decision(Visibility.FORBIDDEN, f"may read ({why}) but only managers erase")
    episode = request.episode
    if (
        episode is not None
        and principal.has(Role.PRACTITIONER)
        and episode.lead_practitioner_id == principal.practitioner_id
    ):
        return _allow("lead professional of the episode the request was attached to")
    return Decision(
        Visibility.FORBIDDEN, f"may read ({why}) but only the episode's lead acknowledges"
    )


def may_read_sensitive_request_document(
    principal: Principal, request: RequestFacts, *, named_practitioner_ids: frozenset[UUID]
) -> bool:
    """A sensitive document on a request for support is opened by managers, the lead of the
    episode the request is linked to and the practitioners named on it (the uploader always is),
    as a family's (`may_read_sensitive`). Others who read the request see that it exists. A name
    grants nothing by itself: the named must read the request by `decide_request` today."""
    if not decide_request(principal, Action.READ_REQUEST, request).allowed:
        return False
    if principal.has(Role.MANAGER):
        return True
    episode = request.episode
    if (
        episode is not None
        and principal.has(Role.PRACTITIONER)
        and episode.lead_practitioner_id == principal.practitioner_id
    ):
        return True
    return principal.practitioner_id in named_practitioner_ids


def _why_read_request(principal: Principal, request: RequestFacts) -> str | None:
    if (
        principal.roles & _REFERRING_ROLES
        and request.created_by_practitioner_id == principal.practitioner_id
    ):
        return "made this request"
    episode = request.episode
    if episode is None:
        return None
    if (
        principal.has(Role.PRACTITIONER)
        and episode.lead_practitioner_id == principal.practitioner_id
    ):
        return "lead professional of the episode the request is linked to"
    if principal.has(Role.LINK_WORKER) and episode.hub_id in principal.hub_ids:
        return "link worker for the hub of the episode the request is linked to"
    return None


_REFERRING_ROLES = frozenset({Role.PRACTITIONER, Role.LINK_WORKER, Role.QUALITY_ASSURANCE})
"""Roles whose holders keep reading the requests they made (CREATE_REQUEST, less the front door's
own roles, which read every request anyway)."""


@dataclass(frozen=True)
class RequestScope:
    """Exactly the requests `decide_request` lets a user read, for SQL to page within."""

    everything: bool = False
    created_by: UUID | None = None
    """Requests this user made."""
    led_by: UUID | None = None
    """Requests linked to an episode this practitioner leads."""
    hub_ids: frozenset[UUID] = frozenset()
    """Requests linked to an episode in these hubs (link workers)."""

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.created_by or self.led_by or self.hub_ids)


def request_scope(principal: Principal) -> RequestScope:
    """The requests `decide_request` lets this user read, as conditions for SQL."""
    if not principal.active or principal.has(Role.REPORTING):
        return RequestScope()
    if principal.roles & {Role.FRONT_DOOR_OFFICER, Role.MANAGER}:
        return RequestScope(everything=True)
    return RequestScope(
        created_by=principal.practitioner_id if principal.roles & _REFERRING_ROLES else None,
        led_by=principal.practitioner_id if principal.has(Role.PRACTITIONER) else None,
        hub_ids=principal.hub_ids if principal.has(Role.LINK_WORKER) else frozenset(),
    )
