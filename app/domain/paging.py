"""Keyset paging values shared by every list: a page of items and the cursor to the next page.

A cursor names the sort key of the last row a page showed. It leaves the service sealed by the
`CursorSealer` the application installs (app/api/cursors.py: authenticated encryption with a key
from settings), so a client can neither read the key (a family's reference, a name) nor edit it;
without one installed (pure unit tests) it is plain base64.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from app.domain.errors import InvalidValue

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_FORGED = "The cursor is not one this service issued."


@dataclass(frozen=True)
class PageRequest:
    limit: int = DEFAULT_LIMIT
    after: tuple[Any, ...] | None = None

    @classmethod
    def parse(cls, limit: int, cursor: str | None) -> PageRequest:
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidValue(
                f"limit must be between 1 and {MAX_LIMIT}.",
                field="limit",
                code="limit_out_of_range",
            )
        return cls(limit=limit, after=decode_cursor(cursor) if cursor else None)

    def after_key(self, *parsers: Callable[[str], Any]) -> tuple[Any, ...] | None:
        """The cursor's sort key with each value parsed (`date.fromisoformat`, `uuid.UUID`, ...).

        A cursor of another shape, or with a value that does not parse, was not issued by this
        list (a forged or edited cursor, or another list's): it is invalid input, never a 500.
        """
        if self.after is None:
            return None
        if len(self.after) != len(parsers):
            raise InvalidValue(_FORGED, field="cursor", code="cursor_invalid")
        try:
            return tuple(parse(value) for parse, value in zip(parsers, self.after, strict=True))
        except (TypeError, ValueError, OverflowError) as exc:
            raise InvalidValue(_FORGED, field="cursor", code="cursor_invalid") from exc


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


class CursorSealer(Protocol):
    """Turns a cursor's bytes into the token clients see, and back (None: not one we issued)."""

    def seal(self, raw: bytes) -> str: ...
    def open(self, token: str) -> bytes | None: ...


class _Base64:
    """No key: readable. Only for code run without the application (pure unit tests)."""

    def seal(self, raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def open(self, token: str) -> bytes | None:
        try:
            return base64.urlsafe_b64decode((token + "=" * (-len(token) % 4)).encode())
        except (binascii.Error, ValueError):
            return None


_sealer: CursorSealer = _Base64()


def use_cursor_sealer(sealer: CursorSealer) -> None:
    """Install the process's cursor sealer (the application does, from its settings)."""
    global _sealer
    _sealer = sealer


def encode_cursor(values: tuple[Any, ...]) -> str:
    """An opaque token for 'after this sort key'; clients cannot read or build it."""
    raw = json.dumps([str(v) if v is not None else None for v in values], separators=(",", ":"))
    return _sealer.seal(raw.encode())


def decode_cursor(cursor: str) -> tuple[Any, ...]:
    raw = _sealer.open(cursor)
    if raw is None:
        raise InvalidValue(_FORGED, field="cursor", code="cursor_invalid")
    try:
        values = json.loads(raw.decode())
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise InvalidValue(_FORGED, field="cursor", code="cursor_invalid") from exc
    if (
        not isinstance(values, list)
        or not values
        or not all(v is None or (isinstance(v, str) and "\x00" not in v) for v in values)
    ):
        raise InvalidValue(_FORGED, field="cursor", code="cursor_invalid")
    return tuple(values)


def page_in_memory(items: list[T], key: Any, page: PageRequest) -> Page[T]:
    """Page a short, already-loaded list (a family's consents) the same way SQL lists are paged."""
    ordered = sorted(items, key=lambda item: tuple(str(v) for v in key(item)))
    if page.after is not None:
        ordered = [item for item in ordered if tuple(str(v) for v in key(item)) > page.after]
    chunk = ordered[: page.limit]
    more = len(ordered) > page.limit
    return Page(items=chunk, next_cursor=encode_cursor(tuple(key(chunk[-1]))) if more else None)
