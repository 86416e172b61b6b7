"""Sealed list cursors: authenticated encryption, so a cursor is opaque and cannot be edited.

A cursor carries the sort key of the last row a page showed (a family's reference, a date and an
id). Sealed with AES-GCM under a key from settings, a client can neither read that key nor make
a cursor of its own; one that fails to open is answered as a cursor this service never issued.

The nonce is derived from the cursor itself (an HMAC under a second key: the synthetic-IV
construction), so the same page always carries the same cursor and its answer keeps its validator
(a list's ETag); different cursors never share a nonce.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12
_PURPOSE = b"familyhub list cursor v1"
"""Associated data: a token sealed for another purpose with the same key never opens here."""


class AesGcmCursors:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the cursor key is 32 bytes")
        self._aead = AESGCM(hmac.new(key, b"encrypt", hashlib.sha256).digest())
        self._nonce_key = hmac.new(key, b"nonce", hashlib.sha256).digest()

    def seal(self, raw: bytes) -> str:
        nonce = hmac.new(self._nonce_key, raw, hashlib.sha256).digest()[:_NONCE_BYTES]
        token = nonce + self._aead.encrypt(nonce, raw, _PURPOSE)
        return base64.urlsafe_b64encode(token).decode().rstrip("=")

    def open(self, token: str) -> bytes | None:
        try:
            data = base64.urlsafe_b64decode((token + "=" * (-len(token) % 4)).encode())
        except (binascii.Error, ValueError):
            return None
        if len(data) <= _NONCE_BYTES:
            return None
        try:
            return self._aead.decrypt(data[:_NONCE_BYTES], data[_NONCE_BYTES:], _PURPOSE)
        except InvalidTag:
            return None
