"""Names match the way people write them: a slip of the keyboard, or another spelling."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.names import (
    NameMatch,
    edit_distance,
    how_names_match,
    name_key,
    names_match,
    soundex,
)

letters = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=12)


@pytest.mark.parametrize(
    ("typed", "recorded"),
    [
        ("Hughs", "Hughes"),
        ("Hugbes", "Hughes"),
        ("Mohammed", "Muhammad"),
        ("Smyth", "Smith"),
        ("Okafro", "Okafor"),
        ("O'Brien", "OBrien"),
        ("kowalsky", "Kowalski"),
        ("Sara", "Sarah"),
    ],
)
def test_a_typo_or_another_spelling_still_finds_the_name(typed: str, recorded: str) -> None:
    assert names_match(typed, recorded)


@pytest.mark.parametrize(
    ("typed", "recorded"), [("Smith", "Jones"), ("Ali", "Evans"), ("Patel", "Begum")]
)
def test_different_names_do_not_match(typed: str, recorded: str) -> None:
    assert not names_match(typed, recorded)


def test_soundex_codes_names_that_sound_alike() -> None:
    assert soundex("Robert") == soundex("Rupert") == "R163"
    assert soundex("Hughes") == "H220"
    assert soundex("") == ""


@given(
    name=letters,
    position=st.integers(min_value=0, max_value=11),
    letter=st.sampled_from("abcdefghijklmnopqrstuvwxyz"),
)
def test_any_one_letter_typo_is_tolerated(name: str, position: int, letter: str) -> None:
    index = position % len(name)
    typo = name[:index] + letter + name[index + 1 :]
    assert edit_distance(typo, name) <= 1
    assert names_match(typo, name)


@given(a=letters, b=letters)
def test_edit_distance_is_symmetric_and_zero_only_for_equal_names(a: str, b: str) -> None:
    assert edit_distance(a, b) == edit_distance(b, a)
    assert (edit_distance(a, b) == 0) == (a == b)


def test_name_keys_ignore_case_spaces_and_punctuation() -> None:
    assert name_key("O'Brien-Smith ") == "obriensmith"


@pytest.mark.parametrize(
    ("typed", "stored", "how"),
    [
        ("Hughes", "hughes", NameMatch.SAME),
        ("Hug", "Hughes", NameMatch.STARTS_WITH),
        ("Hgues", "Hughes", NameMatch.SOUNDS_LIKE),
        ("Hughs", "Hughes", NameMatch.NEAR_SPELLING),
        ("Muhamad", "Muhammad", NameMatch.SOUNDS_LIKE),
        ("Zed", "Hughes", None),
    ],
)
def test_a_match_says_how_exact_it_is(typed: str, stored: str, how: NameMatch | None) -> None:
    assert how_names_match(typed, stored) is how
    assert (how is not None) is names_match(typed, stored)
