"""Which role an episode is on my caseload in (issue 20 §2): the allocation I hold beside its
lead, else its lead."""

from __future__ import annotations

import pytest

from app.domain.caseload import WorkingRole, working_role
from app.domain.family_help import AllocationRole


@pytest.mark.parametrize(
    ("allocation", "role"),
    [
        (None, WorkingRole.LEAD_PROFESSIONAL),
        (
            AllocationRole.LEAD_CHILD_PROTECTION_PRACTITIONER,
            WorkingRole.LEAD_CHILD_PROTECTION_PRACTITIONER,
        ),
        (AllocationRole.CO_WORKER, WorkingRole.CO_WORKER),
        (AllocationRole.FAMILY_HELP_LEAD_PRACTITIONER, WorkingRole.LEAD_PROFESSIONAL),
    ],
)
def test_an_episode_is_on_my_caseload_in_the_role_i_hold_beside_its_lead_else_as_its_lead(
    allocation: AllocationRole | None, role: WorkingRole
) -> None:
    assert working_role(allocation) is role
