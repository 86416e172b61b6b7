"""A request's field problems in the API's own words and codes, not the framework's.

Pydantic names its errors for programmers (`uuid_parsing`, "Input should be a valid UUID, invalid
character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `x` at 1").
A front end shows `message` to the person who typed the value, and acts on `type`; both come from
this one table, and every problem in a request is reported at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Rule = Callable[[dict[str, Any]], tuple[str, str]] | tuple[str, str]
"""A fixed (type, message), or one worked out from the error (its limits, its choices)."""


def _limit(error: dict[str, Any], name: str) -> Any:
    return (error.get("ctx") or {}).get(name)


def _choices(error: dict[str, Any]) -> str:
    expected = str(_limit(error, "expected") or "")
    values = [v.strip(" '") for v in expected.replace(" or ", ", ").split(",") if v.strip(" '")]
    return ", ".join(v.replace("_", " ") for v in values)


_RULES: dict[str, Rule] = {
    "missing": ("required", "Give a value here: it is required."),
    "extra_forbidden": (
        "unknown_field",
        "This is not a field of this request: check its spelling, or leave it out.",
    ),
    "uuid_parsing": (
        "not_an_id",
        "This is not an id: ids look like 3fa85f64-5717-4562-b3fc-2c963f66afa6.",
    ),
    "uuid_type": (
        "not_an_id",
        "This is not an id: ids look like 3fa85f64-5717-4562-b3fc-2c963f66afa6.",
    ),
    "uuid_version": ("not_an_id", "This id is not one the service issues."),
    "date_parsing": ("not_a_date", "Give a date as YYYY-MM-DD, e.g. 2026-03-01."),
    "date_from_datetime_parsing": (
        "not_a_date",
        "Give a date as YYYY-MM-DD, e.g. 2026-03-01.",
    ),
    "date_from_datetime_inexact": (
        "not_a_date",
        "Give a date as YYYY-MM-DD, without a time.",
    ),
    "date_type": ("not_a_date", "Give a date as YYYY-MM-DD, e.g. 2026-03-01."),
    "datetime_parsing": (
        "not_a_time",
        "Give a date and time in ISO 8601, e.g. 2026-03-01T10:30:00Z.",
    ),
    "int_parsing": ("not_a_whole_number", "Give a whole number."),
    "int_type": ("not_a_whole_number", "Give a whole number."),
    "int_from_float": ("not_a_whole_number", "Give a whole number."),
    "float_parsing": ("not_a_number", "Give a number."),
    "bool_parsing": ("not_true_or_false", "Give true or false."),
    "bool_type": ("not_true_or_false", "Give true or false."),
    "string_type": ("not_text", "Give text here."),
    "string_too_short": lambda e: (
        "too_short",
        "This cannot be empty."
        if _limit(e, "min_length") == 1
        else f"Use at least {_limit(e, 'min_length')} characters.",
    ),
    "string_too_long": lambda e: (
        "too_long",
        f"Use at most {_limit(e, 'max_length')} characters.",
    ),
    "string_pattern_mismatch": ("wrong_format", "This is not in the expected format."),
    "too_short": lambda e: ("too_few", f"Give at least {_limit(e, 'min_length')}."),
    "too_long": lambda e: ("too_many", f"Give at most {_limit(e, 'max_length')}."),
    "greater_than_equal": lambda e: ("too_small", f"Give {_limit(e, 'ge')} or more."),
    "greater_than": lambda e: ("too_small", f"Give more than {_limit(e, 'gt')}."),
    "less_than_equal": lambda e: ("too_large", f"Give {_limit(e, 'le')} or less."),
    "less_than": lambda e: ("too_large", f"Give less than {_limit(e, 'lt')}."),
    "enum": lambda e: ("not_one_of", f"Choose one of: {_choices(e)}."),
    "literal_error": lambda e: ("not_one_of", f"Choose one of: {_choices(e)}."),
    "list_type": ("not_a_list", "Give a list here."),
    "dict_type": ("not_an_object", "Give an object ({...}) here."),
    "model_type": ("not_an_object", "Give an object ({...}) here."),
    "model_attributes_type": ("not_an_object", "Give an object ({...}) here."),
    "json_invalid": ("not_json", "The body is not valid JSON."),
    "json_type": ("not_json", "The body is not valid JSON."),
    "union_tag_invalid": lambda e: (
        "not_one_of",
        f"Choose one of: {_choices({'ctx': {'expected': _limit(e, 'expected_tags')}})}.",
    ),
    "union_tag_not_found": ("required", "Say which kind this is: it is required."),
    "value_error": lambda e: ("invalid_value", _value_error(e)),
    "assertion_error": lambda e: ("invalid_value", _value_error(e)),
}


def _value_error(error: dict[str, Any]) -> str:
    """Our own validators' words (an email, a date in range ...), without pydantic's prefix."""
    message = str(error.get("msg", ""))
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if message.startswith("value is not a valid email address"):
        return "This is not an email address."
    return message[:1].upper() + message[1:] if message else "This value is not allowed."


def in_our_words(error: dict[str, Any]) -> tuple[str, str]:
    """(type, message) of one of pydantic's errors: our code and a sentence for a person."""
    kind = str(error.get("type", ""))
    rule = _RULES.get(kind)
    if rule is None:
        return "invalid_value", "This value is not allowed here."
    return rule if isinstance(rule, tuple) else rule(error)
