"""A request's field problems in the API's own words and codes, not the framework's.

Pydantic names its errors for programmers (`uuid_parsing`, "Input should be a valid UUID, invalid
character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `x` at 1").
A front end shows `message` to the person who typed the value, and acts on `type`; both come from
this one table, and every problem in a request is reported at once.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any


class FieldErrorType(StrEnum):
    """What is wrong with one field: a closed set a front end can switch on (the message says
    it in words)."""

    REQUIRED = "required"
    UNKNOWN_FIELD = "unknown_field"
    NOT_AN_ID = "not_an_id"
    NOT_A_DATE = "not_a_date"
    NOT_A_TIME = "not_a_time"
    NOT_A_WHOLE_NUMBER = "not_a_whole_number"
    NOT_A_NUMBER = "not_a_number"
    NOT_TRUE_OR_FALSE = "not_true_or_false"
    NOT_TEXT = "not_text"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    WRONG_FORMAT = "wrong_format"
    TOO_FEW = "too_few"
    TOO_MANY = "too_many"
    TOO_SMALL = "too_small"
    TOO_LARGE = "too_large"
    NOT_ONE_OF = "not_one_of"
    NOT_A_LIST = "not_a_list"
    NOT_AN_OBJECT = "not_an_object"
    NOT_JSON = "not_json"
    INVALID_VALUE = "invalid_value"
    # A business rule refusing one field: the problem's own kind (its type slug, in this style).
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    SELF_ROLE_CHANGE = "self_role_change"
    UNAUTHORIZED = "unauthorized"
    CONSENT_REQUIRED = "consent_required"
    ILLEGAL_TRANSITION = "illegal_transition"
    CONFLICT = "conflict"
    STALE_VERSION = "stale_version"
    PRECONDITION_REQUIRED = "precondition_required"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    BAD_REQUEST = "bad_request"

    @classmethod
    def of_problem(cls, slug: str) -> FieldErrorType:
        """The field's type when a business rule (problem type `slug`) refuses it."""
        return cls(slug.replace("-", "_"))


Rule = Callable[[dict[str, Any]], tuple[FieldErrorType, str]] | tuple[FieldErrorType, str]
"""A fixed (type, message), or one worked out from the error (its limits, its choices)."""


def _limit(error: dict[str, Any], name: str) -> Any:
    return (error.get("ctx") or {}).get(name)


def _choices(error: dict[str, Any]) -> str:
    expected = str(_limit(error, "expected") or "")
    values = [v.strip(" '") for v in expected.replace(" or ", ", ").split(",") if v.strip(" '")]
    return ", ".join(v.replace("_", " ") for v in values)


_RULES: dict[str, Rule] = {
    "missing": (FieldErrorType.REQUIRED, "Give a value here: it is required."),
    "extra_forbidden": (
        FieldErrorType.UNKNOWN_FIELD,
        "This is not a field of this request: check its spelling, or leave it out.",
    ),
    "uuid_parsing": (
        FieldErrorType.NOT_AN_ID,
        "This is not an id: ids look like 3fa85f64-5717-4562-b3fc-2c963f66afa6.",
    ),
    "uuid_type": (
        FieldErrorType.NOT_AN_ID,
        "This is not an id: ids look like 3fa85f64-5717-4562-b3fc-2c963f66afa6.",
    ),
    "uuid_version": (FieldErrorType.NOT_AN_ID, "This id is not one the service issues."),
    "date_parsing": (FieldErrorType.NOT_A_DATE, "Give a date as YYYY-MM-DD, e.g. 2026-03-01."),
    "date_from_datetime_parsing": (
        FieldErrorType.NOT_A_DATE,
        "Give a date as YYYY-MM-DD, e.g. 2026-03-01.",
    ),
    "date_from_datetime_inexact": (
        FieldErrorType.NOT_A_DATE,
        "Give a date as YYYY-MM-DD, without a time.",
    ),
    "date_type": (FieldErrorType.NOT_A_DATE, "Give a date as YYYY-MM-DD, e.g. 2026-03-01."),
    "datetime_parsing": (
        FieldErrorType.NOT_A_TIME,
        "Give a date and time in ISO 8601, e.g. 2026-03-01T10:30:00Z.",
    ),
    "int_parsing": (FieldErrorType.NOT_A_WHOLE_NUMBER, "Give a whole number."),
    "int_type": (FieldErrorType.NOT_A_WHOLE_NUMBER, "Give a whole number."),
    "int_from_float": (FieldErrorType.NOT_A_WHOLE_NUMBER, "Give a whole number."),
    "float_parsing": (FieldErrorType.NOT_A_NUMBER, "Give a number."),
    "bool_parsing": (FieldErrorType.NOT_TRUE_OR_FALSE, "Give true or false."),
    "bool_type": (FieldErrorType.NOT_TRUE_OR_FALSE, "Give true or false."),
    "string_type": (FieldErrorType.NOT_TEXT, "Give text here."),
    "string_too_short": lambda e: (
        FieldErrorType.TOO_SHORT,
        "This cannot be empty."
        if _limit(e, "min_length") == 1
        else f"Use at least {_limit(e, 'min_length')} characters.",
    ),
    "string_too_long": lambda e: (
        FieldErrorType.TOO_LONG,
        f"Use at most {_limit(e, 'max_length')} characters.",
    ),
    "string_pattern_mismatch": (FieldErrorType.WRONG_FORMAT, "This is not in the expected format."),
    "too_short": lambda e: (FieldErrorType.TOO_FEW, f"Give at least {_limit(e, 'min_length')}."),
    "too_long": lambda e: (FieldErrorType.TOO_MANY, f"Give at most {_limit(e, 'max_length')}."),
    "greater_than_equal": lambda e: (FieldErrorType.TOO_SMALL, f"Give {_limit(e, 'ge')} or more."),
    "greater_than": lambda e: (FieldErrorType.TOO_SMALL, f"Give more than {_limit(e, 'gt')}."),
    "less_than_equal": lambda e: (FieldErrorType.TOO_LARGE, f"Give {_limit(e, 'le')} or less."),
    "less_than": lambda e: (FieldErrorType.TOO_LARGE, f"Give less than {_limit(e, 'lt')}."),
    "enum": lambda e: (FieldErrorType.NOT_ONE_OF, f"Choose one of: {_choices(e)}."),
    "literal_error": lambda e: (FieldErrorType.NOT_ONE_OF, f"Choose one of: {_choices(e)}."),
    "list_type": (FieldErrorType.NOT_A_LIST, "Give a list here."),
    "dict_type": (FieldErrorType.NOT_AN_OBJECT, "Give an object ({...}) here."),
    "model_type": (FieldErrorType.NOT_AN_OBJECT, "Give an object ({...}) here."),
    "model_attributes_type": (FieldErrorType.NOT_AN_OBJECT, "Give an object ({...}) here."),
    "json_invalid": (FieldErrorType.NOT_JSON, "The body is not valid JSON."),
    "json_type": (FieldErrorType.NOT_JSON, "The body is not valid JSON."),
    "union_tag_invalid": lambda e: (
        FieldErrorType.NOT_ONE_OF,
        f"Choose one of: {_choices({'ctx': {'expected': _limit(e, 'expected_tags')}})}.",
    ),
    "union_tag_not_found": (FieldErrorType.REQUIRED, "Say which kind this is: it is required."),
    "value_error": lambda e: (FieldErrorType.INVALID_VALUE, _value_error(e)),
    "assertion_error": lambda e: (FieldErrorType.INVALID_VALUE, _value_error(e)),
}


def _value_error(error: dict[str, Any]) -> str:
    """Our own validators' words (an email, a date in range ...), without pydantic's prefix."""
    message = str(error.get("msg", ""))
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if message.startswith("value is not a valid email address"):
        return "This is not an email address."
    return message[:1].upper() + message[1:] if message else "This value is not allowed."


def in_our_words(error: dict[str, Any]) -> tuple[FieldErrorType, str]:
    """(type, message) of one of pydantic's errors: our code and a sentence for a person."""
    kind = str(error.get("type", ""))
    rule = _RULES.get(kind)
    if rule is None:
        return FieldErrorType.INVALID_VALUE, "This value is not allowed here."
    return rule if isinstance(rule, tuple) else rule(error)
