"""The domain's error vocabulary. No HTTP here: app/api/problems.py maps each class to a status."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the process refused a request; the message is safe to show to the user.

    `code` names the rule (stable, for a client to act on: `nhs_number_check_digit`); without
    one, the kind of error names it.
    """

    def __init__(self, detail: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.code = code or type(self).__name__


class NotFound(DomainError):
    """The record does not exist, or the caller may not know that it exists."""


class InvalidValue(DomainError):
    """A value breaks a validation rule of the domain (a date of birth in the future ...)."""


class IllegalTransition(DomainError):
    """The record's current state does not allow this step of the process."""


class ConsentRequired(IllegalTransition):
    """The step needs consent that is not in force."""


class Conflict(DomainError):
    """The request clashes with data already recorded (a duplicate, an overlap ...)."""


class StaleVersion(DomainError):
    """The client edited an older version of the record than the one stored."""

    @classmethod
    def changed_elsewhere(cls) -> StaleVersion:
        """Someone else's change was stored first, whichever layer noticed it."""
        return cls("The record was changed by someone else; reload it and try again.")


class PreconditionRequired(DomainError):
    """An update arrived without the version it was based on."""


class IdempotencyKeyReused(DomainError):
    """The same Idempotency-Key came back with a different request body."""


class Forbidden(DomainError):
    """The user may know the record exists but may not do this to it."""


class SelfRoleChange(Forbidden):
    """Someone tried to change their own roles or active flag: another admin has to."""


class Unauthenticated(DomainError):
    """No valid token: the answer says nothing more."""
