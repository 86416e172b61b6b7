"""The SQL unit of work: one session per business transaction, rolled back unless committed."""

from __future__ import annotations

import uuid
from types import TracebackType
from typing import Self

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from app.db.audit_sealer import AuditSealing, SqlAuditSealer
from app.db.changes import ChangeBroker, SqlChangeFeed
from app.db.queries.caseload import SqlCaseloadQueries
from app.db.queries.measures import SqlMeasureQueries
from app.db.queries.sync import SqlSyncQueries
from app.db.queries.timeliness import SqlTimelinessQueries
from app.db.repositories.access import SqlAccessFacts
from app.db.repositories.assessments import SqlAssessmentRepository
from app.db.repositories.audit import SqlAuditTrail
from app.db.repositories.claims import SqlClaimRepository
from app.db.repositories.consents import SqlConsentRepository
from app.db.repositories.contacts import SqlContactRepository
from app.db.repositories.disclosures import SqlDisclosureRepository
from app.db.repositories.documents import SqlDocumentRepository
from app.db.repositories.episodes import SqlEpisodeRepository
from app.db.repositories.external_refs import SqlExternalRefs, family_ids
from app.db.repositories.families import SqlFamilyRepository, SqlPeopleRepository
from app.db.repositories.family_help import SqlFamilyHelpRepository
from app.db.repositories.family_network import SqlFamilyNetworkRepository
from app.db.repositories.idempotency import SqlIdempotencyRepository
from app.db.repositories.needs import SqlNeedRepository
from app.db.repositories.plans import SqlPlanRepository
from app.db.repositories.policies import SqlPolicyRepository
from app.db.repositories.practitioners import SqlPractitionerRepository
from app.db.repositories.reference import SqlReferenceData, SqlReferenceRepository
from app.db.repositories.requests import SqlRequestRepository
from app.db.repositories.taf import SqlTafRepository
from app.domain.audit import AuditKeys
from app.domain.errors import Conflict, StaleVersion


class SqlUnitOfWork:
    """`audit_keys` seal and verify the audit trail; a unit of work made without them (to look a
    practitioner up, to run a report) refuses to touch the chain rather than use another key.

    `reads_from` (a read replica's sessions, FAMILYHUB_READ_REPLICA_URL) splits the unit of work
    in two: every repository and query reads on a session of the replica, in a read-only
    transaction, while what the use case writes, its audit entries, its remembered
    Idempotency-Key answer and its change hints, goes to the primary's session and is committed
    there. Only use cases that write nothing else take one (the reports and the timeliness
    summary): they read what the replica has replayed so far, up to its replication lag behind
    the primary.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        audit_keys: AuditKeys | None = None,
        sealing: AuditSealing | None = None,
        broker: ChangeBroker | None = None,
        notify_changes: bool = True,
        reads_from: sessionmaker[Session] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._reads_from = reads_from
        self._read_session: Session | None = None
        self._sealing = sealing
        self._broker = broker
        self._notify_changes = notify_changes
        """PostgreSQL: announce change hints with NOTIFY (every worker hears them); otherwise,
        and on SQLite, hand them to this process's broker after the commit."""
        """Seals the entries a commit wrote; None: seal them right after the commit."""
        self._session: Session | None = None
        self._depth = 0
        """How many `with` blocks hold the session: the outermost one closes it."""
        self._audit_keys = audit_keys

    @property
    def audit_keys(self) -> AuditKeys:
        if self._audit_keys is None:
            raise RuntimeError("this unit of work was made without the audit keys")
        return self._audit_keys

    @property
    def audit_sealer(self) -> SqlAuditSealer:
        return SqlAuditSealer(self._session_factory, self.audit_keys)

    @property
    def is_open(self) -> bool:
        return self._session is not None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    def __enter__(self) -> Self:
        self._depth += 1
        if self._session is not None:
            return self
        self._session = self._session_factory()
        session = self._session
        reads = session
        if self._reads_from is not None:
            reads = self._read_session = self._reads_from()
        self.reference = SqlReferenceRepository(reads)
        self.reference_data = SqlReferenceData(reads)
        self.families = SqlFamilyRepository(reads)
        self.people = SqlPeopleRepository(reads)
        self.consents = SqlConsentRepository(reads)
        self.disclosures = SqlDisclosureRepository(reads)
        self.network = SqlFamilyNetworkRepository(reads)
        self.idempotency = SqlIdempotencyRepository(session)
        self.practitioners = SqlPractitionerRepository(reads)
        self.policies = SqlPolicyRepository(reads)
        self.episodes = SqlEpisodeRepository(reads)
        self.family_help = SqlFamilyHelpRepository(reads)
        self.assessments = SqlAssessmentRepository(reads)
        self.plans = SqlPlanRepository(reads)
        self.taf = SqlTafRepository(reads)
        self.access = SqlAccessFacts(reads)
        self.audit = SqlAuditTrail(session)
        self.changes = SqlChangeFeed(
            session,
            self._broker,
            notify=self._notify_changes and session.get_bind().dialect.name == "postgresql",
        )
        self.needs = SqlNeedRepository(reads)
        self.contacts = SqlContactRepository(reads)
        self.requests = SqlRequestRepository(reads)
        self.claims = SqlClaimRepository(reads)
        # The primary's session: content is written here and read right after it is committed.
        self.documents = SqlDocumentRepository(session)
        self.caseload = SqlCaseloadQueries(reads)
        self.sync = SqlSyncQueries(reads)
        self.measures = SqlMeasureQueries(reads)
        self.timeliness = SqlTimelinessQueries(reads)
        self.external_refs = SqlExternalRefs(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth = max(0, self._depth - 1)
        if not self._depth:
            self.close()

    def close(self) -> None:
        self._depth = 0
        if self._session is not None:
            self._session.rollback()
            self._session.close()
            self._session = None
        self._end_reads(close=True)

    def _end_reads(self, *, close: bool = False) -> None:
        """End the replica's read-only transaction (a long one holds back its replay)."""
        if self._read_session is not None:
            self._read_session.rollback()
            if close:
                self._read_session.close()
                self._read_session = None

    def family_ids(
        self, *, hub_id: uuid.UUID | None, after: uuid.UUID | None, limit: int
    ) -> list[uuid.UUID]:
        """A page of families in id order, for an export (issue 18 §4)."""
        return family_ids(self.session, hub_id=hub_id, after=after, limit=limit)

    def flush(self) -> None:
        try:
            self.session.flush()
        except StaleDataError as exc:
            self.rollback()
            raise StaleVersion.changed_elsewhere() from exc
        except IntegrityError as exc:
            self.rollback()
            raise Conflict(
                "The change clashes with a record already stored.", code="record_clash"
            ) from exc

    def commit(self) -> None:
        self.flush()
        self.session.commit()
        self._end_reads()
        self.changes.committed()
        if self.audit.appended:
            self.audit.appended = False
            if self._sealing is not None:
                self._sealing.entries_committed()
            else:
                self.audit_sealer.seal_pending()

    def rollback(self) -> None:
        self.session.rollback()
        self.policies.forget()
        self._end_reads()
        self.audit.appended = False
        self.changes.rolled_back()
