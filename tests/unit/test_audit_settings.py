"""The audit trail's key: production will not start without one of its own, and no error ever
shows the key, or any piece of it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.settings import DEV_AUDIT_KEY, DEV_AUDIT_KEY_ID, Settings

TOKEN_SECRET = "t" * 40
KEY = "Kp9Xv2Zq8Wm4Rt7Yb3Nc6Hd1Jf5Gs0La-Ue8"
OLD = "Qx7Vb2Lm9Tz4Pw6Ds1Ek3"


@pytest.fixture(autouse=True)
def production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAMILYHUB_ENV", "production")
    monkeypatch.setenv("FAMILYHUB_AUTH_HS256_SECRET", TOKEN_SECRET)


def refusal(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(f"FAMILYHUB_{name.upper()}", value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    return str(caught.value)


def shows_no_piece_of(secret: str, message: str, piece: int = 5) -> None:
    pieces = {secret[i : i + piece] for i in range(len(secret) - piece + 1)}
    assert not [p for p in pieces if p in message], message


def test_production_refuses_to_start_without_an_audit_key(monkeypatch: pytest.MonkeyPatch) -> None:
    message = refusal(monkeypatch)
    assert "FAMILYHUB_AUDIT_KEY" in message
    shows_no_piece_of(DEV_AUDIT_KEY, message, piece=12)  # published anyway, and made of words


def test_production_refuses_a_short_key_without_echoing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    short = KEY[:31]
    assert len(short.encode()) == 31
    message = refusal(monkeypatch, audit_key=short)
    assert "at least 32 bytes" in message
    shows_no_piece_of(short, message)


def test_production_refuses_the_demo_key_among_the_old_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = refusal(monkeypatch, audit_key=KEY, audit_old_keys=f'{{"dev": "{DEV_AUDIT_KEY}"}}')
    assert "FAMILYHUB_AUDIT_OLD_KEYS" in message
    shows_no_piece_of(DEV_AUDIT_KEY, message, piece=12)  # published anyway, and made of words
    shows_no_piece_of(KEY, message)


@pytest.mark.parametrize("old_keys", [f'{{"1": "{OLD}", "2": 5}}', f'{{"1": "{OLD}"'])
def test_malformed_old_keys_are_refused_without_echoing_them(
    monkeypatch: pytest.MonkeyPatch, old_keys: str
) -> None:
    monkeypatch.setenv("FAMILYHUB_AUDIT_KEY", KEY)
    monkeypatch.setenv("FAMILYHUB_AUDIT_OLD_KEYS", old_keys)
    with pytest.raises(ValueError) as caught:  # a ValidationError, or the source's parse error
        Settings()
    shows_no_piece_of(OLD, str(caught.value))
    shows_no_piece_of(KEY, str(caught.value))


def test_a_key_id_that_is_also_an_old_ones_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    message = refusal(
        monkeypatch, audit_key=KEY, audit_key_id="2", audit_old_keys=f'{{"2": "{OLD}"}}'
    )
    assert "audit_old_keys" in message
    shows_no_piece_of(OLD, message)


def test_production_seals_with_its_own_key_and_keeps_old_ones_to_verify(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAMILYHUB_AUDIT_KEY", KEY)
    monkeypatch.setenv("FAMILYHUB_AUDIT_KEY_ID", "2027-01")
    monkeypatch.setenv("FAMILYHUB_AUDIT_OLD_KEYS", '{"1": "the key used until 2027, long enough"}')
    settings = Settings()
    keys = settings.audit_keys()
    assert keys.current_id == "2027-01"
    assert keys.current == KEY.encode()
    assert keys.key("1") == b"the key used until 2027, long enough"
    assert KEY not in repr(settings)
    assert KEY not in repr(keys)


def test_a_key_without_an_id_is_labelled_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAMILYHUB_AUDIT_KEY", KEY)
    assert Settings().audit_keys().current_id == "1"


@pytest.mark.parametrize("env", ["dev", "test"])
def test_dev_and_test_seal_with_the_published_demo_key(
    monkeypatch: pytest.MonkeyPatch, env: str
) -> None:
    monkeypatch.setenv("FAMILYHUB_ENV", env)
    keys = Settings().audit_keys()
    assert (keys.current_id, keys.current) == (DEV_AUDIT_KEY_ID, DEV_AUDIT_KEY.encode())
