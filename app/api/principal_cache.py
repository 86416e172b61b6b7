"""Who a token's subject is, remembered for a few seconds.

Looking the practitioner up cost two statements and a transaction on every request. A change to
a practitioner made through this process forgets everything at once; another worker process
sees it within `Settings.principal_cache_seconds` (0 turns the cache off).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from app.domain.access import Principal


class PrincipalCache:
    def __init__(
        self,
        ttl_seconds: float,
        *,
        max_entries: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max_entries = max_entries
        self._monotonic = monotonic
        self._entries: OrderedDict[str, tuple[float, Principal]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, subject: str) -> Principal | None:
        if self._ttl <= 0:
            return None
        with self._lock:
            found = self._entries.get(subject)
            if found is None:
                return None
            expires, principal = found
            if self._monotonic() >= expires:
                del self._entries[subject]
                return None
            return principal

    def put(self, subject: str, principal: Principal) -> None:
        if self._ttl <= 0:
            return
        with self._lock:
            self._entries[subject] = (self._monotonic() + self._ttl, principal)
            self._entries.move_to_end(subject)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def forget_all(self) -> None:
        with self._lock:
            self._entries.clear()
