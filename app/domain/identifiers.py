"""A child's identifiers: the NHS number (the consistent identifier the 2026 Act points to) and others.

Families First §3.4 items 17-19 (shared/domain/families-first.md; R37-R40): a collection of
identifiers by scheme rather than one hard-wired field, the NHS number validated by its Modulus 11
check digit (and refusing the all-same-digit numbers the check alone accepts), shown as
`XXX XXX XXXX`, and a recorded reason when a child's identifier is absent (s.16LC(7) and (8)).
Which scheme is the council's consistent identifier is policy (settings), defaulting to the NHS
number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from app.domain.errors import InvalidValue


class IdentifierScheme(StrEnum):
    """Which register an identifier comes from: nhs_number, upn, la_child_id or other."""

    NHS_NUMBER = "nhs_number"
    """10 digits with a Modulus 11 check digit (NHS Data Dictionary)."""
    UPN = "upn"
    """The Department for Education's unique pupil number (13 characters)."""
    LA_CHILD_ID = "la_child_id"
    """The council's own child identifier (its social care system's, say)."""
    OTHER = "other"


class IdentifierAbsence(StrEnum):
    """Why a child has no consistent identifier on record (Families First §3.4 item 19)."""

    NOT_KNOWN_TRACING_WOULD_DELAY = "not_known_tracing_would_delay"
    """Not known, and finding it would cause unreasonable delay (CA 2004 s.16LC(8))."""
    WITHHELD_MORE_DETRIMENTAL_TO_CHILD = "withheld_more_detrimental_to_child"
    """Including it would be more detrimental to the child (s.16LC(7))."""
    NOT_APPLICABLE = "not_applicable"
    PENDING_TRACE = "pending_trace"


_SEPARATORS = re.compile(r"[\s-]+")
_UPN = re.compile(r"[A-Z][0-9]{11}[0-9A-Z]")
_LOCAL = re.compile(r"[A-Za-z0-9/._-]{1,40}")


def normalise_nhs_number(raw: str, *, field: str = "nhs_number") -> str:
    """Ten digits, spaces and hyphens removed, passing the Modulus 11 check; the all-same-digit
    numbers that pass it ('0000000000', '9999999999') are refused as placeholders."""
    digits = _SEPARATORS.sub("", raw)
    if len(digits) != 10 or not digits.isdigit():
        raise InvalidValue(
            "An NHS number is 10 digits (spaces and hyphens are allowed).",
            field=field,
            code="nhs_number_not_ten_digits",
        )
    if len(set(digits)) == 1:
        raise InvalidValue(
            "This NHS number is a placeholder, not a real number; leave it out and say why.",
            field=field,
            code="nhs_number_placeholder",
        )
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10 or check != int(digits[9]):
        raise InvalidValue(
            "This NHS number fails its check digit: look for a mistyped digit.",
            field=field,
            code="nhs_number_check_digit",
        )
    return digits


def display_nhs_number(digits: str) -> str:
    """`XXX XXX XXXX`, as the NHS shows it."""
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def normalise_identifier(scheme: IdentifierScheme, raw: str, *, field: str = "value") -> str:
    """The stored form of an identifier of `scheme`, or a refusal naming what is wrong."""
    if scheme is IdentifierScheme.NHS_NUMBER:
        return normalise_nhs_number(raw, field=field)
    value = raw.strip()
    if scheme is IdentifierScheme.UPN:
        upn = _SEPARATORS.sub("", value).upper()
        if not _UPN.fullmatch(upn):
            raise InvalidValue(
                "A unique pupil number is 13 characters: a letter, 11 digits, then a digit or a"
                " letter.",
                field=field,
                code="upn_format",
            )
        return upn
    if not _LOCAL.fullmatch(value):
        raise InvalidValue(
            "An identifier is 1 to 40 letters, digits, '/', '.', '_' or '-'.",
            field=field,
            code="identifier_format",
        )
    return value


@dataclass(frozen=True)
class ChildIdentifier:
    """One identifier of a person under one scheme, with how far it can be trusted."""

    scheme: IdentifierScheme
    value: str
    verified: bool = False
    """Checked against its source (a demographics trace, the school's record)."""
    source: str | None = None
    """Where it came from: 'PDS trace', 'school admission form', 'health visitor' ..."""
    verified_by: UUID | None = None
    """The practitioner who marked it verified."""
    recorded_at: datetime | None = None
    """When this value was first recorded for the person."""

    @property
    def display(self) -> str:
        return (
            display_nhs_number(self.value)
            if self.scheme is IdentifierScheme.NHS_NUMBER
            else self.value
        )


def check_identifiers(
    identifiers: tuple[ChildIdentifier, ...],
    absence: IdentifierAbsence | None,
    consistent: IdentifierScheme = IdentifierScheme.NHS_NUMBER,
) -> None:
    """One identifier per scheme, and a reason for absence only while the council's consistent
    identifier (`consistent`) is missing: a child with a UPN may still be waiting for an NHS
    number trace."""
    seen: set[IdentifierScheme] = set()
    for index, identifier in enumerate(identifiers):
        if identifier.scheme in seen:
            raise InvalidValue(
                "Give one identifier per scheme.",
                field=f"identifiers[{index}].scheme",
                code="identifier_scheme_repeated",
            )
        seen.add(identifier.scheme)
    if absence is not None and consistent in seen:
        raise InvalidValue(
            "A reason for having no identifier is only for a person without one.",
            field="identifier_absent_reason",
            code="identifier_absence_with_identifier",
        )


def in_scheme_order(identifiers: Iterable[ChildIdentifier]) -> tuple[ChildIdentifier, ...]:
    """NHS number first, then UPN, the council's id and others: the order they are shown in."""
    order = list(IdentifierScheme)
    return tuple(sorted(identifiers, key=lambda i: order.index(i.scheme)))


def normalise_identifiers(
    identifiers: Iterable[ChildIdentifier],
) -> tuple[ChildIdentifier, ...]:
    """Each identifier in its stored form (refusals name `identifiers[i].value`), sources trimmed."""
    return tuple(
        replace(
            identifier,
            value=normalise_identifier(
                identifier.scheme, identifier.value, field=f"identifiers[{index}].value"
            ),
            source=(identifier.source or "").strip() or None,
        )
        for index, identifier in enumerate(identifiers)
    )


def with_nhs_number(
    identifiers: tuple[ChildIdentifier, ...],
    raw: str | None,
    *,
    replacing: bool,
    prefix: str = "",
) -> tuple[ChildIdentifier, ...]:
    """The collection with the older single `nhs_number` field folded in as its `nhs_number` entry.

    `replacing`: the collection is the stored one and the field was sent alone, so the field wins
    (null removes the entry; the same number keeps the entry, verified or not). Otherwise both were
    sent together and must agree.
    """
    number = normalise_nhs_number(raw, field=f"{prefix}nhs_number") if raw is not None else None
    index = next(
        (i for i, x in enumerate(identifiers) if x.scheme is IdentifierScheme.NHS_NUMBER), None
    )
    if index is None:
        if number is None:
            return identifiers
        return (*identifiers, ChildIdentifier(IdentifierScheme.NHS_NUMBER, number))
    existing = identifiers[index]
    if replacing:
        if existing.value == number:
            return identifiers
        kept = identifiers[:index] + identifiers[index + 1 :]
        if number is None:
            return kept
        return (*kept, ChildIdentifier(IdentifierScheme.NHS_NUMBER, number))
    given = normalise_nhs_number(existing.value, field=f"{prefix}identifiers[{index}].value")
    if given != number:
        raise InvalidValue(
            "The NHS number differs from the nhs_number identifier: give it once, in identifiers.",
            field=f"{prefix}nhs_number",
            code="nhs_number_conflict",
        )
    return identifiers


def stamp_identifiers(
    before: tuple[ChildIdentifier, ...],
    after: tuple[ChildIdentifier, ...],
    *,
    by: UUID | None,
    at: datetime,
) -> tuple[ChildIdentifier, ...]:
    """Who verified each identifier and when it was recorded.

    A value already held under the same scheme keeps when it was first recorded, and who verified
    it while it stays verified; a new value is recorded `at`; marking one verified records `by`.
    """
    held = {(x.scheme, x.value): x for x in before}
    stamped = []
    for identifier in after:
        old = held.get((identifier.scheme, identifier.value))
        if not identifier.verified:
            verified_by = None
        elif old is not None and old.verified:
            verified_by = old.verified_by
        else:
            verified_by = by
        recorded_at = old.recorded_at if old is not None and old.recorded_at else at
        stamped.append(replace(identifier, verified_by=verified_by, recorded_at=recorded_at))
    return tuple(stamped)


def consistent_identifier(
    identifiers: tuple[ChildIdentifier, ...], scheme: IdentifierScheme
) -> ChildIdentifier | None:
    """The council's consistent identifier (its configured scheme) among a person's."""
    return next((i for i in identifiers if i.scheme is scheme), None)
