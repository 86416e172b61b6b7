"""When a step of the cycle happened: the one rule every dated step is checked against.

Issue 18 §1 ("Dated steps"): every step accepts the date it happened, defaulting to today in the
council's time zone, so that a case entered late (moved from an old system, or recorded after a
visit) gets the clocks it would have had if recorded live. A date may not be in the future, nor
before the episode was requested, nor before the step it follows. The server keeps when each step
was recorded beside when it happened; that timestamp is the caller's, never this module's.

Its refusals (`InvalidValue`, naming the request field and both dates) have three codes:
`step_date_in_future` (after today), `step_date_before_request` (before the episode was
requested) and `step_date_before_previous_step` (before a step it follows).

Nothing here reads the clock: "today" is passed in (the council's date, `app/clock.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from app.domain.errors import InvalidValue


@dataclass(frozen=True)
class PreviousStep:
    """A step already recorded that the new one follows: its date, and how a sentence names it
    ("the assessment started")."""

    on: date
    what: str


def happened_on(given: date | None, *, today: date, field: str) -> date:
    """The date a step happened: the one the request gives, or today; never after today.

    `field` names the request field (`submitted_on`), for the problem's `errors[]`.
    """
    on = today if given is None else given
    check_not_in_future(on, today=today, field=field)
    return on


def check_not_in_future(on: date, *, today: date, field: str) -> None:
    """A step cannot be dated after today (issue 18 §1)."""
    if on > today:
        raise InvalidValue(
            f"This step is dated {on.isoformat()}, after today ({today.isoformat()}): a step "
            "is recorded on or after the day it happened, never before.",
            field=field,
            code="step_date_in_future",
        )


def check_step_order(
    on: date,
    *,
    field: str,
    requested_on: date | None = None,
    follows: Iterable[PreviousStep] = (),
) -> None:
    """A step cannot be dated before the episode's request, nor before any step it follows.

    Issue 18 §1: "nor before the step it follows ..., nor before the episode was requested".
    The request is checked first; among the steps followed, the latest one is named, so the
    message gives the date the step must not be before.
    """
    if requested_on is not None and on < requested_on:
        raise InvalidValue(
            f"This step is dated {on.isoformat()}, before the episode was requested "
            f"({requested_on.isoformat()}).",
            field=field,
            code="step_date_before_request",
        )
    latest = max(follows, key=lambda step: step.on, default=None)
    if latest is not None and on < latest.on:
        raise InvalidValue(
            f"This step is dated {on.isoformat()}, before {latest.what} ({latest.on.isoformat()}).",
            field=field,
            code="step_date_before_previous_step",
        )


def check_step_date(
    on: date,
    *,
    today: date,
    field: str,
    requested_on: date | None = None,
    follows: Iterable[PreviousStep] = (),
) -> None:
    """The whole rule: not after today, not before the request, not before the steps it follows."""
    check_not_in_future(on, today=today, field=field)
    check_step_order(on, field=field, requested_on=requested_on, follows=follows)
