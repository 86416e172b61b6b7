"""Optimistic concurrency: every change names the version of the record it was based on.

The condition is an HTTP If-Match header (RFC 9110 §13.1.1) as the domain sees it: a list of
versions any of which may match, or "*" for any version of a record that exists. Only strong
tags name a version: a weak tag (W/"2") never matches, as strong comparison requires.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.errors import PreconditionRequired, StaleVersion


@dataclass(frozen=True)
class ExpectedVersion:
    """The versions a change was based on (any one of them), or any version at all."""

    versions: frozenset[int] = frozenset()
    any_version: bool = False

    def matches(self, actual: int) -> bool:
        return self.any_version or actual in self.versions


Expected = ExpectedVersion | int | None
"""What a service is told of the version a change was based on (an int: exactly that one)."""


def check_version(expected: Expected, actual: int) -> None:
    """Every update names the version it was based on, so offline edits never overwrite newer data."""
    if expected is None:
        raise PreconditionRequired("Send If-Match with the ETag of the version you are changing.")
    condition = (
        expected
        if isinstance(expected, ExpectedVersion)
        else ExpectedVersion(frozenset({expected}))
    )
    if not condition.matches(actual):
        raise StaleVersion.changed_elsewhere()
