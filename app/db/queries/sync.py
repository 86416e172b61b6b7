"""Loading a caseload's records in a fixed number of statements, and the stored sync states."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, select, union
from sqlalchemy.orm import Session

from app.db.id_lists import one_of
from app.db.models import (
    ContactRow,
    DisclosureRow,
    EpisodeAllocationRow,
    EpisodeChildRow,
    EpisodeFamilyHelpRow,
    EpisodeRow,
    FamilyPlanRow,
    FamilyRow,
    FgdmMeetingRow,
    FgdmOfferRow,
    NetworkMemberRow,
    PersonRow,
    SupportRequestRow,
    SyncStateRow,
    TafMeetingRow,
    TafMemberRow,
)
from app.db.repositories.contacts import SqlContactRepository
from app.db.repositories.disclosures import SqlDisclosureRepository
from app.db.repositories.episodes import EPISODE_IS_OPEN, SqlEpisodeRepository
from app.db.repositories.families import SqlFamilyRepository, SqlPeopleRepository
from app.db.repositories.family_help import SqlFamilyHelpRepository
from app.db.repositories.family_network import SqlFamilyNetworkRepository
from app.db.repositories.plans import SqlPlanRepository
from app.db.repositories.requests import SqlRequestRepository
from app.db.repositories.taf import SqlTafRepository
from app.domain.access import EpisodeFacts, RequestFacts
from app.domain.family_help import FamilyHelpRecord
from app.services.sync import (
    CaseloadRecords,
    ContactStamp,
    FamilyWideRecords,
    NetworkStamp,
    RecordVersions,
    RequestStamp,
)

KEEP_STATES_FOR = timedelta(days=90)
"""A device offline for longer starts again with a full sync."""


# Built once, with one array parameter each on PostgreSQL (`app.db.id_lists`): a sync asks them
# for every family in its scope.
_FAMILIES = select(FamilyRow.id, FamilyRow.version).where(one_of(FamilyRow.id, "family_ids"))
_EPISODES = select(EpisodeRow.id, EpisodeRow.family_id, EpisodeRow.version).where(
    one_of(EpisodeRow.family_id, "family_ids")
)
_PLANS = select(FamilyPlanRow.id, FamilyPlanRow.episode_id, FamilyPlanRow.version).where(
    one_of(FamilyPlanRow.episode_id, "episode_ids")
)
_TAF_MEMBERS = select(TafMemberRow.id, TafMemberRow.episode_id, TafMemberRow.version).where(
    one_of(TafMemberRow.episode_id, "episode_ids")
)
_MEETINGS = select(TafMeetingRow.id, TafMeetingRow.episode_id).where(
    one_of(TafMeetingRow.episode_id, "episode_ids")
)
_CONTACTS = select(
    ContactRow.id,
    ContactRow.episode_id,
    ContactRow.family_id,
    ContactRow.version,
    ContactRow.sensitive,
    ContactRow.named_practitioner_ids,
).where(one_of(ContactRow.episode_id, "episode_ids"))
# The family's own records (issue 20 §3 and §5; issue 19 §1), asked for the same families.
_NETWORK_MEMBERS = (
    select(
        NetworkMemberRow.id,
        NetworkMemberRow.family_id,
        NetworkMemberRow.version,
        PersonRow.version.label("person_version"),
        PersonRow.contact_restricted,
        PersonRow.restriction_family_id,
        PersonRow.restriction_visible_to,
    )
    .join(PersonRow, PersonRow.id == NetworkMemberRow.person_id)
    .where(one_of(NetworkMemberRow.family_id, "family_ids"))
)
_FGDM_OFFERS = select(FgdmOfferRow.id, FgdmOfferRow.family_id, FgdmOfferRow.version).where(
    one_of(FgdmOfferRow.family_id, "family_ids")
)
_FGDM_MEETINGS = select(FgdmMeetingRow.id, FgdmMeetingRow.family_id).where(
    one_of(FgdmMeetingRow.family_id, "family_ids")
)
_DISCLOSURES = select(DisclosureRow.id, DisclosureRow.family_id).where(
    one_of(DisclosureRow.family_id, "family_ids")
)
_REQUESTS = (
    select(
        SupportRequestRow.id,
        SupportRequestRow.family_id,
        SupportRequestRow.version,
        SupportRequestRow.created_by_practitioner_id,
        EpisodeRow.id.label("episode_id"),
        EpisodeRow.hub_id,
        EpisodeRow.lead_practitioner_id,
    )
    .outerjoin(EpisodeRow, EpisodeRow.id == SupportRequestRow.episode_id)
    .where(one_of(SupportRequestRow.family_id, "family_ids"))
)
"""A request's version with what `decide_request` needs (as `facts_many` reads it)."""
_FAMILY_HELP = select(EpisodeFamilyHelpRow.episode_id, EpisodeFamilyHelpRow.version).where(
    one_of(EpisodeFamilyHelpRow.episode_id, "episode_ids")
)
"""An episode's Family Help record's version (issue 20: an s.47 episode's basis and its lead
child protection practitioner travel with it)."""
_EPISODE_CHILDREN = (
    select(EpisodeChildRow.episode_id, EpisodeChildRow.person_id)
    .where(one_of(EpisodeChildRow.episode_id, "episode_ids"))
    .order_by(EpisodeChildRow.episode_id, EpisodeChildRow.person_id)
)


class SqlSyncQueries:
    def __init__(self, session: Session) -> None:
        self._session = session

    def caseload_family_ids(self, practitioner_id: uuid.UUID) -> list[uuid.UUID]:
        """The families `carried_offline` could keep on the device, as a union of four index
        lookups (the OR of EXISTS read every family in the county: bench/RESULTS.md). Wider than
        the rule (a TAF seat already left, or an allocation ended, still counts here); the
        service judges each family."""
        pid = practitioner_id
        ids = union(
            select(FamilyRow.id.label("family_id")).where(
                FamilyRow.created_by_practitioner_id == pid,
                ~exists().where(EpisodeRow.family_id == FamilyRow.id),
            ),
            select(EpisodeRow.family_id).where(
                EpisodeRow.lead_practitioner_id == pid, EPISODE_IS_OPEN
            ),
            select(EpisodeRow.family_id)
            .join(TafMemberRow, TafMemberRow.episode_id == EpisodeRow.id)
            .where(TafMemberRow.practitioner_id == pid, EPISODE_IS_OPEN),
            select(EpisodeRow.family_id)
            .join(EpisodeAllocationRow, EpisodeAllocationRow.episode_id == EpisodeRow.id)
            .where(EpisodeAllocationRow.practitioner_id == pid, EPISODE_IS_OPEN),
        ).subquery()
        return list(self._session.scalars(select(ids.c.family_id).order_by(ids.c.family_id)))

    def versions(self, family_ids: list[uuid.UUID]) -> RecordVersions:
        if not family_ids:
            return RecordVersions({}, {}, {}, {}, {})
        # Column queries on the connection: the ORM's row loading would only add cost here, and
        # a sync reads these for every family in scope (bench/RESULTS.md).
        s = self._session.connection()
        by_family = {"family_ids": family_ids}
        episodes = {
            eid: (fid, version) for eid, fid, version in s.execute(_EPISODES, by_family).all()
        }
        by_episode = {"episode_ids": list(episodes)}

        def owned(statement: Any) -> dict[uuid.UUID, tuple[uuid.UUID, int]]:
            if not episodes:
                return {}
            rows = s.execute(statement, by_episode).all()
            return {rid: (eid, version) for rid, eid, version in rows}

        return RecordVersions(
            families=dict(s.execute(_FAMILIES, by_family).all()),
            episodes=episodes,
            plans=owned(_PLANS),
            taf_members=owned(_TAF_MEMBERS),
            meetings=dict(s.execute(_MEETINGS, by_episode).all()) if episodes else {},
            contacts={
                row.id: ContactStamp(
                    episode_id=row.episode_id,
                    family_id=row.family_id,
                    version=row.version,
                    sensitive=row.sensitive,
                    # The named readers matter only for a sensitive note.
                    named_practitioner_ids=tuple(uuid.UUID(p) for p in row.named_practitioner_ids)
                    if row.sensitive
                    else (),
                )
                for row in s.execute(_CONTACTS, by_episode)
            }
            if episodes
            else {},
            network_members={
                row.id: NetworkStamp(
                    family_id=row.family_id,
                    version=row.version,
                    person_version=row.person_version,
                    restricted=row.contact_restricted,
                    restriction_family_id=row.restriction_family_id,
                    restriction_visible_to=tuple(
                        uuid.UUID(p) for p in row.restriction_visible_to or []
                    ),
                )
                for row in s.execute(_NETWORK_MEMBERS, by_family)
            },
            fgdm_offers={
                rid: (fid, version)
                for rid, fid, version in s.execute(_FGDM_OFFERS, by_family).all()
            },
            fgdm_meetings=dict(s.execute(_FGDM_MEETINGS, by_family).all()),
            disclosures=dict(s.execute(_DISCLOSURES, by_family).all()),
            requests={
                row.id: RequestStamp(
                    version=row.version,
                    facts=RequestFacts(
                        row.id,
                        row.created_by_practitioner_id,
                        EpisodeFacts(row.episode_id, row.hub_id, row.lead_practitioner_id)
                        if row.episode_id is not None
                        else None,
                        row.family_id,
                    ),
                )
                for row in s.execute(_REQUESTS, by_family)
            },
            family_help=dict(s.execute(_FAMILY_HELP, by_episode).all()) if episodes else {},
        )

    def records(
        self,
        family_ids: list[uuid.UUID],
        episode_ids: list[uuid.UUID],
        children_of: list[uuid.UUID],
        contact_ids: list[uuid.UUID],
    ) -> CaseloadRecords:
        families = SqlFamilyRepository(self._session).get_many(family_ids)
        people = SqlPeopleRepository(self._session).get_many(
            [m.person_id for f in families.values() for m in f.memberships]
        )
        episodes = sorted(
            SqlEpisodeRepository(self._session).get_many(episode_ids).values(),
            key=lambda e: (e.requested_on, e.id),
        )
        taf = SqlTafRepository(self._session)
        return CaseloadRecords(
            families=families,
            people=people,
            episodes=episodes,
            plans=SqlPlanRepository(self._session).for_episodes(children_of),
            taf_members=taf.members_for(children_of),
            meetings=taf.meetings_for(children_of),
            contacts=SqlContactRepository(self._session).get_many(contact_ids),
        )

    def family_wide(
        self,
        network_member_ids: list[uuid.UUID],
        fgdm_offer_ids: list[uuid.UUID],
        fgdm_meeting_ids: list[uuid.UUID],
        disclosure_ids: list[uuid.UUID],
        request_ids: list[uuid.UUID],
    ) -> FamilyWideRecords:
        network = SqlFamilyNetworkRepository(self._session)
        members = network.members_many(network_member_ids)
        return FamilyWideRecords(
            network_members=members,
            people=SqlPeopleRepository(self._session).get_many([m.person_id for m in members]),
            fgdm_offers=network.offers_many(fgdm_offer_ids),
            fgdm_meetings=network.meetings_many(fgdm_meeting_ids),
            disclosures=SqlDisclosureRepository(self._session).get_many(disclosure_ids),
            requests=SqlRequestRepository(self._session).get_many(request_ids),
        )

    def family_help(self, episode_ids: list[uuid.UUID]) -> list[FamilyHelpRecord]:
        return SqlFamilyHelpRepository(self._session).for_episodes(episode_ids)

    def episode_children(
        self, episode_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[uuid.UUID, ...]]:
        if not episode_ids:
            return {}
        found: dict[uuid.UUID, list[uuid.UUID]] = {}
        rows = self._session.connection().execute(
            _EPISODE_CHILDREN, {"episode_ids": list(dict.fromkeys(episode_ids))}
        )
        for episode_id, person_id in rows:
            found.setdefault(episode_id, []).append(person_id)
        return {eid: tuple(children) for eid, children in found.items()}

    def load_state(self, state_id: uuid.UUID, practitioner_id: uuid.UUID) -> dict[str, Any] | None:
        row = self._session.get(SyncStateRow, state_id)
        if row is None or row.practitioner_id != practitioner_id:
            return None
        return dict(row.snapshot)

    def save_state(
        self, practitioner_id: uuid.UUID, snapshot: dict[str, Any], *, at: datetime
    ) -> uuid.UUID:
        self._session.execute(
            delete(SyncStateRow).where(
                SyncStateRow.practitioner_id == practitioner_id,
                SyncStateRow.created_at < at - KEEP_STATES_FOR,
            )
        )
        state = SyncStateRow(
            id=uuid.uuid4(), practitioner_id=practitioner_id, created_at=at, snapshot=snapshot
        )
        self._session.add(state)
        self._session.flush()
        return state.id
