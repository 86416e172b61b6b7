"""One request, one use case: access decided, work done, audit and idempotency recorded, one commit.

Every public service function opens a `UseCase` for its actor on the request's unit of work. The
use case asks the domain's `decide` (through `require`, `require_person` or the list filters),
keeps an audit entry for every decision, and commits the work, the entries and the remembered
answer to an Idempotency-Key together. If the work fails after the decision, the transaction is
rolled back and the entries alone are written again with the real outcome, so a refusal is
evidence too ("denied" by the access rules, "refused" by the process).

A route declares the action it performs (`Actor.declared_action`, app/api/acting.py); a use case
that ends without having decided that action raises `AccessNotDecided`, so a route that skips
the access rules cannot be written without every request to it failing.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import TracebackType
from typing import Generic, Self, TypeVar

from app.domain.access import (
    ACTIONS_ON_ASSIGNED_PLAN_ACTIONS,
    CHANGING_ACTIONS,
    Action,
    Decision,
    Principal,
    RecordFacts,
    RequestFacts,
    RequestScope,
    SearchScope,
    Visibility,
    decide,
    decide_named,
    decide_request,
    may_see_restricted_details,
    request_scope,
    search_scope,
)
from app.domain.audit import OUTCOME_ALLOWED, OUTCOME_DENIED, OUTCOME_FAILED, OUTCOME_REFUSED
from app.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    IdempotencyKeyReused,
    NotFound,
)
from app.domain.families import Person
from app.services.ports import AuditRecord, ChangeHint, Clock, StoredResponse, UnitOfWork

log = logging.getLogger("familyhub.use_case")

R = TypeVar("R")


@dataclass(frozen=True)
class Actor:
    """Who is asking, as the access rules and the audit trail see them."""

    principal: Principal
    request_id: str | None = None
    break_glass_reason: str | None = None
    declared_action: Action | None = None
    """The action the route declared; None for callers that are not routes (the CLI, tests)."""


class AccessNotDecided(RuntimeError):
    """A programming error: a use case ended without deciding the action its route declared."""


@dataclass(frozen=True)
class Target:
    """What is asked about: a family's record, one of its episodes, or nothing (council-wide)."""

    resource_type: str
    resource_id: str | None = None
    family_id: uuid.UUID | None = None
    episode_id: uuid.UUID | None = None
    action_item_id: uuid.UUID | None = None

    @classmethod
    def family(
        cls, family_id: uuid.UUID, resource_type: str = "family", resource_id: object = None
    ) -> Target:
        return cls(
            resource_type,
            str(family_id if resource_id is None else resource_id),
            family_id=family_id,
        )

    @classmethod
    def episode(
        cls,
        episode_id: uuid.UUID,
        resource_type: str = "episode",
        resource_id: object = None,
        *,
        action_item_id: uuid.UUID | None = None,
    ) -> Target:
        return cls(
            resource_type,
            str(episode_id if resource_id is None else resource_id),
            episode_id=episode_id,
            action_item_id=action_item_id,
        )

    @classmethod
    def council(cls, resource_type: str, resource_id: object = None) -> Target:
        """A council-wide view or a record outside any family's (the practitioner directory)."""
        return cls(resource_type, None if resource_id is None else str(resource_id))

    @property
    def names_record(self) -> bool:
        return self.family_id is not None or self.episode_id is not None


def hidden(noun: str) -> NotFound:
    """The one answer for a record that does not exist and for one the user may not know of."""
    return NotFound(f"There is no {noun} with this id.")


def _named(target: Target) -> str:
    """What the request named by id: the family or episode whose record the target is part of."""
    if target.family_id is not None:
        return "family"
    if target.episode_id is not None:
        return "episode"
    return "record"


@dataclass(frozen=True)
class IdempotentRequest(Generic[R]):
    """A create sent with an Idempotency-Key: a retry gets the first answer again.

    `render` turns the use case's result into the answer to remember; it runs before the commit,
    so the remembered answer and the work are stored together or not at all.
    """

    scope: str
    """The practitioner's id with the method and path: one user's key never replays another's."""
    key: str
    fingerprint: str
    render: Callable[[R], StoredResponse]


@dataclass(frozen=True)
class Replayed:
    """The answer first given to this Idempotency-Key, given again."""

    response: StoredResponse


@dataclass
class _Pending:
    record: AuditRecord
    allowed: bool


@dataclass
class UseCase:
    """The unit of one request; see the module docstring."""

    uow: UnitOfWork
    clock: Clock
    actor: Actor
    today: date = field(init=False)
    now: datetime = field(init=False)
    _entries: list[_Pending] = field(init=False, default_factory=list)
    _decided: set[Action] = field(init=False, default_factory=set)
    _committed: bool = field(init=False, default=False)
    _restriction_facts: dict[uuid.UUID, RecordFacts | None] = field(
        init=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        # One reading of the clock per request: every rule in it sees the same "today".
        self.now = self.clock.now()
        self.today = self.clock.today()

    @property
    def principal(self) -> Principal:
        return self.actor.principal

    def __enter__(self) -> Self:
        self.uow.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                self.uow.rollback()
                if self._entries:
                    self._keep_entries_of_failure(exc)
            if exc is None and self._committed is False:
                raise AccessNotDecided("a use case ended without committing")
            if exc is None and not self._declared_was_decided():
                raise AccessNotDecided(
                    f"the route declared {self.actor.declared_action} but it was never decided"
                )
        finally:
            self.uow.__exit__(exc_type, exc, tb)

    def _declared_was_decided(self) -> bool:
        declared = self.actor.declared_action
        return declared is None or declared in self._decided

    def _keep_entries_of_failure(self, exc: BaseException | None) -> None:
        """The work is undone; the accesses it was refused (or failed) on are kept as evidence."""
        outcome = OUTCOME_REFUSED if isinstance(exc, DomainError) else OUTCOME_FAILED
        problem = (
            exc.code
            if isinstance(exc, DomainError)
            else (type(exc).__name__ if exc is not None else None)
        )
        records = [
            p.record if not p.allowed else replace(p.record, outcome=outcome, problem_code=problem)
            for p in self._entries
        ]
        try:
            self.uow.audit.append(records, at=self.now)
            self.uow.commit()
        except Exception:
            # The request already fails; losing its evidence is logged, never hidden behind
            # a different error.
            log.exception("audit entries of a failed request could not be written")
            self.uow.rollback()

    # --- access ---------------------------------------------------------------------------------

    def _audit(
        self,
        action: str,
        target_type: str,
        resource_id: str | None,
        family_id: uuid.UUID | None,
        *,
        allowed: bool,
        break_glass: bool = False,
    ) -> None:
        principal = self.principal
        record = AuditRecord(
            actor_id=principal.practitioner_id,
            actor_roles=tuple(sorted(r.value for r in principal.roles)),
            action=action,
            resource_type=target_type,
            resource_id=resource_id,
            family_id=family_id,
            request_id=self.actor.request_id,
            outcome=OUTCOME_ALLOWED if allowed else OUTCOME_DENIED,
            break_glass_reason=self.actor.break_glass_reason if break_glass else None,
        )
        self._entries.append(_Pending(record, allowed))

    def identify(
        self, action: Action, resource_id: object, family_id: uuid.UUID | None = None
    ) -> None:
        """Name, in the audit entry of the decision on `action`, the record it created."""
        entry = next(p for p in self._entries if p.record.action == action.value)
        entry.record = replace(
            entry.record,
            resource_id=str(resource_id),
            family_id=family_id if family_id is not None else entry.record.family_id,
        )

    def record(self, action: str, target: Target, *, allowed: bool = True) -> None:
        """An audit entry for something the work itself does besides the decisions (a role
        granted, a practitioner switched off), committed with it. As a decision's, an allowed
        entry takes the request's real outcome if the request then fails; a denied one (an
        attempt the rules refused) stays denied."""
        self._audit(
            action, target.resource_type, target.resource_id, target.family_id, allowed=allowed
        )

    def _facts(self, action: Action, target: Target) -> RecordFacts | None:
        with_assigned = action in ACTIONS_ON_ASSIGNED_PLAN_ACTIONS
        if target.family_id is not None:
            return self.uow.access.for_families(
                [target.family_id], self.today, with_assigned_actions=with_assigned
            ).get(target.family_id)
        if target.episode_id is not None:
            return self.uow.access.for_episode(
                target.episode_id, self.today, with_assigned_actions=with_assigned
            )
        return None

    def decide(self, action: Action, target: Target) -> tuple[Decision, RecordFacts | None]:
        """The decision, audited, without raising: for callers that choose what a refusal means."""
        record = self._facts(action, target)
        decision = decide_named(
            self.principal,
            action,
            record,
            names_record=target.names_record,
            today=self.today,
            episode_id=target.episode_id,
            action_item_id=target.action_item_id,
            break_glass_reason=self.actor.break_glass_reason,
        )
        self._decided.add(action)
        self._audit(
            action.value,
            target.resource_type,
            target.resource_id,
            record.family_id if record else None,
            allowed=decision.allowed,
            break_glass=decision.break_glass,
        )
        return decision, record

    def require(self, action: Action, target: Target) -> RecordFacts | None:
        """Decide and audit; raise the answer for a hidden record (404) or a forbidden step (403)."""
        decision, record = self.decide(action, target)
        if decision.visibility is Visibility.HIDDEN:
            raise hidden(_named(target))
        if decision.visibility is Visibility.FORBIDDEN:
            raise Forbidden("You may not do this to this record.", code="not_permitted")
        return record

    def require_person(
        self, action: Action, person_id: uuid.UUID, *, resource_type: str = "person"
    ) -> RecordFacts:
        """A person is reached through a household of theirs the user may reach for `action`.

        One path for an unknown person and for one the user may not know of: both raise the same
        NotFound after the same queries. The attempt is audited against every household the person
        has belonged to, so each family's access log shows who reached its member from elsewhere.
        """
        households = self.uow.families.households_of_person(person_id)
        facts = self.uow.access.for_families(
            [h.family_id for h in households if h.current], self.today
        )
        self._decided.add(action)
        allowed: RecordFacts | None = None
        break_glass = False
        for household in households:
            record = facts.get(household.family_id)
            if record is None:
                continue
            decision = decide(
                self.principal,
                action,
                record,
                today=self.today,
                break_glass_reason=self.actor.break_glass_reason,
            )
            if decision.allowed:
                allowed = record
                break_glass = decision.break_glass
                break
        every_household: list[uuid.UUID | None] = [h.family_id for h in households] or [None]
        for family_id in every_household:
            self._audit(
                action.value,
                resource_type,
                str(person_id),
                family_id,
                allowed=allowed is not None,
                break_glass=break_glass,
            )
        if allowed is None:
            raise hidden("person")
        return allowed

    def require_council(
        self, action: Action, resource_type: str, resource_id: object = None
    ) -> None:
        """A council-wide action (a report, the directory, policy)."""
        self.require(action, Target.council(resource_type, resource_id))

    def decide_request(
        self,
        action: Action,
        request_id: uuid.UUID,
        *,
        resource_type: str = "support_request",
        resource_id: object = None,
        standing_for: Action | None = None,
    ) -> tuple[Decision, RequestFacts | None]:
        """The decision on a request for support (`decide_request`), audited against the
        household it is about when known, without raising.

        `standing_for`: the action the route declared, when the request's rule decides it in its
        place (a document's routes serve documents of families and of requests alike; for a
        request's document, the request's rule is the one that applies)."""
        facts = self.uow.requests.facts(request_id)
        decision = decide_request(self.principal, action, facts)
        self._decided.add(action)
        if standing_for is not None:
            self._decided.add(standing_for)
        self._audit(
            action.value,
            resource_type,
            str(request_id if resource_id is None else resource_id),
            facts.family_id if facts else None,
            allowed=decision.allowed,
        )
        return decision, facts

    def require_request(
        self,
        action: Action,
        request_id: uuid.UUID,
        *,
        resource_type: str = "support_request",
        resource_id: object = None,
    ) -> RequestFacts:
        """A request for support (`decide_request`), audited against the household it is about
        when known; an unknown request and one the user may not know of answer alike."""
        decision, facts = self.decide_request(
            action, request_id, resource_type=resource_type, resource_id=resource_id
        )
        if decision.visibility is Visibility.HIDDEN:
            raise hidden("request for support")
        if decision.visibility is Visibility.FORBIDDEN:
            raise Forbidden("You may not do this to this request.", code="not_permitted")
        assert facts is not None
        return facts

    def readable_requests(self, request_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Of requests found (a page scoped in SQL), those the rules let the user read, each
        audited as listed. The SQL scope matches the rules, so normally all of them."""
        facts = self.uow.requests.facts_many(list(dict.fromkeys(request_ids)))
        allowed = {
            rid
            for rid, f in facts.items()
            if decide_request(self.principal, Action.READ_REQUEST, f).allowed
        }
        for rid in sorted(allowed, key=str):
            self._audit(
                "list_" + Action.READ_REQUEST.value,
                "support_request",
                str(rid),
                facts[rid].family_id,
                allowed=True,
            )
        return allowed

    def request_scope(self) -> RequestScope:
        """Exactly the requests `decide_request` lets this user read, for SQL to page within."""
        return request_scope(self.principal)

    # --- lists ----------------------------------------------------------------------------------

    def readable_families(self, family_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, RecordFacts]:
        """Of families already found (a page scoped in SQL), those the rules let the user read,
        each audited as listed. The SQL scope matches the rules, so normally all of them."""
        ids = list(dict.fromkeys(family_ids))
        facts = self.uow.access.for_families(ids, self.today) if ids else {}
        allowed = {
            fid: record
            for fid, record in facts.items()
            if decide(self.principal, Action.READ_FAMILY, record, today=self.today).allowed
        }
        self.listed_families(allowed)
        return allowed

    def readable_family_ids(self, family_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Of families named by id only (change hints), those the rules let the user read; not
        recorded as read, since nothing of them is shown."""
        ids = list(dict.fromkeys(family_ids))
        facts = self.uow.access.for_families(ids, self.today) if ids else {}
        return {
            fid
            for fid, record in facts.items()
            if decide(self.principal, Action.READ_FAMILY, record, today=self.today).allowed
        }

    def listed_families(self, family_ids: Iterable[uuid.UUID]) -> None:
        """Audit families shown by a list that has judged them readable by the same rules."""
        for fid in family_ids:
            self._audit("list_" + Action.READ_FAMILY.value, "family", str(fid), fid, allowed=True)

    def readable_episode_ids(
        self, pairs: Iterable[tuple[uuid.UUID, uuid.UUID]]
    ) -> set[tuple[uuid.UUID, uuid.UUID]]:
        """Of (episode id, family id) pairs, those whose episode the user may read (not audited:
        for a list that pages after judging; it audits what it shows with `listed_episodes`)."""
        pairs = list(dict.fromkeys(pairs))
        facts = self.uow.access.for_families([fid for _, fid in pairs], self.today)
        return {
            (eid, fid)
            for eid, fid in pairs
            if fid in facts
            and decide(
                self.principal,
                Action.READ_EPISODE,
                facts[fid],
                today=self.today,
                episode_id=eid,
            ).allowed
        }

    def listed_episodes(self, pairs: Iterable[tuple[uuid.UUID, uuid.UUID]]) -> None:
        """Audit episodes shown by a list that has judged them readable."""
        for eid, fid in sorted(set(pairs)):
            self._audit("list_" + Action.READ_EPISODE.value, "episode", str(eid), fid, allowed=True)

    def readable_episodes(self, pairs: Iterable[tuple[uuid.UUID, uuid.UUID]]) -> set[uuid.UUID]:
        """Of (episode id, family id) pairs on a page, the episodes the user may read, each
        audited as listed."""
        allowed = self.readable_episode_ids(pairs)
        self.listed_episodes(allowed)
        return {eid for eid, _ in allowed}

    def prefetch_restrictions(self, people: Iterable[Person]) -> None:
        """Load, in one query, the facts of the households where these people's restrictions
        were set (a page of families shows many)."""
        self.prefetch_restriction_households(
            p.restriction_family_id
            for p in people
            if p.contact_restricted and p.restriction_family_id is not None
        )

    def prefetch_restriction_households(
        self,
        family_ids: Iterable[uuid.UUID],
        *,
        known: Mapping[uuid.UUID, RecordFacts] | None = None,
    ) -> None:
        """Load, in one query, the facts of these households (where restrictions were set);
        those in `known` (loaded by the caller today) are not asked for again."""
        wanted = set(family_ids) - self._restriction_facts.keys()
        if known is not None:
            for family_id in wanted & known.keys():
                self._restriction_facts[family_id] = known[family_id]
            wanted -= known.keys()
        if wanted:
            found = self.uow.access.for_families(sorted(wanted, key=str), self.today)
            for family_id in wanted:
                self._restriction_facts[family_id] = found.get(family_id)

    def restricted_visible(
        self, viewed_through: RecordFacts | None, people: Iterable[Person]
    ) -> set[uuid.UUID]:
        """The people, seen through the household `viewed_through`, whose restricted details this
        user may see (the restriction belongs to the person: see `may_see_restricted_details`)."""
        restricted = [p for p in people if p.contact_restricted]
        self.prefetch_restrictions(restricted)
        return {
            p.id
            for p in restricted
            if self.may_see_restricted(
                viewed_through,
                restriction_family_id=p.restriction_family_id,
                named_practitioner_ids=p.restriction_visible_to,
            )
        }

    def may_see_restricted(
        self,
        viewed_through: RecordFacts | None,
        *,
        restriction_family_id: uuid.UUID | None,
        named_practitioner_ids: frozenset[uuid.UUID],
    ) -> bool:
        """Whether this user sees one restricted person's details through `viewed_through` (for
        callers that hold the restriction's columns, not the whole person: the offline sync)."""
        if restriction_family_id is not None:
            self.prefetch_restriction_households([restriction_family_id])
        return may_see_restricted_details(
            self.principal,
            viewed_through
            if restriction_family_id is None
            else self._restriction_facts.get(restriction_family_id),
            viewed_through=viewed_through,
            named_practitioner_ids=named_practitioner_ids,
            today=self.today,
        )

    def search_scope(self) -> SearchScope:
        """Exactly the records `decide` lets this user read today, for SQL to page within."""
        return search_scope(self.principal, today=self.today)

    # --- idempotency and commit -----------------------------------------------------------------

    def replay(self, request: IdempotentRequest[R] | None) -> Replayed | None:
        """The first answer to this key, if there was one (after the access check, so a user who
        lost access is not answered from memory)."""
        if request is None:
            return None
        stored = self.uow.idempotency.find(request.scope, request.key)
        if stored is None:
            return None
        if stored.request_hash != request.fingerprint:
            raise _key_reused()
        return Replayed(stored)

    def commit(
        self, result: R | None = None, *, remember: IdempotentRequest[R] | None = None
    ) -> None:
        """Store the work, its audit entries and (with `remember`) the answer, in one commit."""
        if not self._declared_was_decided():
            raise AccessNotDecided(
                f"the route declared {self.actor.declared_action} but it was never decided"
            )
        if remember is not None:
            assert result is not None
            response = remember.render(result)
            self.uow.idempotency.remember(
                remember.scope,
                remember.key,
                replace(response, request_hash=remember.fingerprint),
                at=self.now,
            )
        records = [p.record for p in self._entries]
        self.uow.audit.append(records, at=self.now)
        self.uow.changes.announce(_hints(records))
        self.uow.commit()
        self._committed = True


def _hints(entries: Iterable[AuditRecord]) -> list[ChangeHint]:
    """The records a use case changed, from its audit entries: one hint each, ids only."""
    changing = {a.value for a in CHANGING_ACTIONS}
    hints = [
        ChangeHint(e.family_id, e.resource_type, e.resource_id)
        for e in entries
        if e.outcome == OUTCOME_ALLOWED and e.action in changing and e.family_id is not None
    ]
    return list(dict.fromkeys(hints))


def run_idempotent(
    use_case: UseCase,
    request: IdempotentRequest[R] | None,
    create: Callable[[], R],
) -> R | Replayed:
    """Replay the first answer to this key, or create, remember the answer and commit.

    Two requests with one key at once: the second's commit clashes on the key and is answered
    with the first's stored answer.
    """
    replayed = use_case.replay(request)
    if replayed is not None:
        use_case.commit()
        return replayed
    return _commit_remembering(use_case, create(), request)


@dataclass(frozen=True)
class IdempotentUpload(Generic[R]):
    """A create whose body streams in (an uploaded file) sent with an Idempotency-Key.

    Its fingerprint covers the form's fields and the content's SHA-256, which is known only once
    the content has streamed past: the content is hashed as it is read, never held whole.
    """

    scope: str
    key: str
    fields_fingerprint: str
    render: Callable[[R], StoredResponse]

    def with_content(self, sha256: str) -> IdempotentRequest[R]:
        return IdempotentRequest(
            scope=self.scope,
            key=self.key,
            fingerprint=hashlib.sha256(f"{self.fields_fingerprint} {sha256}".encode()).hexdigest(),
            render=self.render,
        )


def run_idempotent_upload(
    use_case: UseCase,
    request: IdempotentUpload[R] | None,
    content: Iterable[bytes],
    create: Callable[[Iterable[bytes]], tuple[R, str]],
) -> R | Replayed:
    """As `run_idempotent`, for a streamed body: `create` stores the content and gives back its
    SHA-256 with the result. A key answered before is checked by hashing the retried content as it
    streams past, storing nothing; a key never seen costs no second pass over the content."""
    stored = (
        use_case.uow.idempotency.find(request.scope, request.key) if request is not None else None
    )
    if request is not None and stored is not None:
        digest = hashlib.sha256()
        for chunk in content:
            digest.update(chunk)
        if stored.request_hash != request.with_content(digest.hexdigest()).fingerprint:
            raise _key_reused()
        use_case.commit()
        return Replayed(stored)
    result, sha256 = create(content)
    return _commit_remembering(
        use_case, result, request.with_content(sha256) if request is not None else None
    )


def _key_reused() -> IdempotencyKeyReused:
    return IdempotencyKeyReused(
        "This Idempotency-Key was used for a different request; use a new key.",
        field="Idempotency-Key",
    )


def _commit_remembering(
    use_case: UseCase, result: R, request: IdempotentRequest[R] | None
) -> R | Replayed:
    """Commit the work with the answer to remember; if another request with the same key
    committed first, answer with its stored answer instead (or refuse a different body)."""
    try:
        use_case.commit(result, remember=request)
    except Conflict:
        if request is None:
            raise
        use_case.uow.rollback()
        stored = use_case.uow.idempotency.find(request.scope, request.key)
        if stored is None:
            raise
        if stored.request_hash != request.fingerprint:
            raise _key_reused() from None
        use_case.commit()
        return Replayed(stored)
    return result
