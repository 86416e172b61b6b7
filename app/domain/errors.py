"""The domain's error vocabulary. No HTTP here: app/api/problems.py maps each class to a status.

Every refusal names its rule with a stable snake_case `code` (`postcode_format`,
`plan_already_in_progress`) that a client can act on; docs/errors.md lists them all. A rule's class
takes the code as a required argument, so a raise without one does not type-check
(tests/unit/domain/test_error_codes.py also reads every raise in app/). The kinds that answer
alike whatever happened (`not_found`, `stale_version` ...) carry one code of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class RuleReason:
    """One rule of several that refused a request, by its code (a claim rule: C1 ... C9) and why:
    a client lists them without parsing the prose of `detail`."""

    rule: str
    reason: str


class DomainError(Exception):
    """A rule of the process refused a request; the message is safe to show to the user.

    `code` names the rule (stable, for a client to act on: `nhs_number_check_digit`); `reasons`
    lists each of several rules that refused it, when there are several.
    """

    def __init__(
        self,
        detail: str,
        *,
        code: str,
        field: str | None = None,
        reasons: Sequence[RuleReason] = (),
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.code = code
        self.reasons = tuple(reasons)


class _OneCode(DomainError):
    """A kind of error with one code whatever raised it: `CODE`."""

    CODE: ClassVar[str]

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail, code=self.CODE, field=field)


class NotFound(_OneCode):
    """The record does not exist, or the caller may not know that it exists.

    One code for both: a record the caller may not know of answers exactly like an unknown id.
    """

    CODE = "not_found"


class InvalidValue(DomainError):
    """A value breaks a validation rule of the domain (a date of birth in the future ...)."""


class IllegalTransition(DomainError):
    """The record's current state does not allow this step of the process."""


class ConsentRequired(IllegalTransition):
    """The step needs consent that is not in force."""


class Conflict(DomainError):
    """The request clashes with data already recorded (a duplicate, an overlap ...)."""


class StaleVersion(_OneCode):
    """The client edited an older version of the record than the one stored."""

    CODE = "stale_version"

    @classmethod
    def changed_elsewhere(cls) -> StaleVersion:
        """Someone else's change was stored first, whichever layer noticed it."""
        return cls("The record was changed by someone else; reload it and try again.")


class PreconditionRequired(_OneCode):
    """An update arrived without the version it was based on."""

    CODE = "precondition_required"


class IdempotencyKeyReused(_OneCode):
    """The same Idempotency-Key came back with a different request body."""

    CODE = "idempotency_key_reused"


class TooLarge(DomainError):
    """The content is larger than the service accepts (a document over the size limit)."""


class Forbidden(DomainError):
    """The user may know the record exists but may not do this to it."""


class SelfRoleChange(Forbidden):
    """Someone tried to change their own roles or active flag: another admin has to."""


class Unauthenticated(_OneCode):
    """No valid token: the answer says nothing more."""

    CODE = "unauthenticated"
