"""The base schema and constrained field types every request and response uses."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def _no_nul(value: Any) -> Any:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text must not contain NUL characters")
    elif isinstance(value, dict):
        for item in value.values():
            _no_nul(item)
    elif isinstance(value, list):
        for item in value:
            _no_nul(item)
    return value


def _plausible_date(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"date must be between {EARLIEST_DATE} and {LATEST_DATE}")
    return value


class Schema(BaseModel):
    """Unknown fields are refused, so a typo never silently drops data."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data: Any) -> Any:
        return _no_nul(data)


class ReadSchema(BaseModel):
    """What the API answers: every field is always sent (null when it has no value), so the
    contract lists every field as required."""

    model_config = ConfigDict(
        from_attributes=True, json_schema_serialization_defaults_required=True
    )


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
CaseDate = Annotated[date, AfterValidator(_plausible_date)]

T = TypeVar("T")

UNION_TAGS: set[str] = set()
"""The tags of the discriminated unions of request bodies. A validation error inside one names
its variant first (`early_help.sharing_scope`); the problem names the field alone."""


def discriminated(property_name: str, **variants: str) -> dict[str, Any]:
    """`model_config` extra of a union whose variants are told apart by a callable (so Pydantic
    publishes no `discriminator`): the discriminator, property and mapping, for generated clients.
    """
    UNION_TAGS.update(variants)
    return {
        "discriminator": {
            "propertyName": property_name,
            "mapping": {tag: f"#/components/schemas/{name}" for tag, name in variants.items()},
        }
    }


def union_tags(*tags: str) -> None:
    """Registers the tags of a union Pydantic publishes the discriminator of itself."""
    UNION_TAGS.update(tags)


EXAMPLE_CURSOR = "gAAAAABmZ3Vyc29yLWV4YW1wbGUtMjAyNi0wMw"


def _page_schema(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """A page's description and example, from its items' model (`FamilyPage`: families)."""
    item = model.model_fields["items"].annotation
    item_type = getattr(item, "__args__", (None,))[0]
    name = getattr(item_type, "__name__", "record")
    schema["description"] = f"One page of {name} items, and the cursor of the next page."
    config = getattr(item_type, "model_config", {})
    extra = config.get("json_schema_extra") if isinstance(config, dict) else None
    examples = extra.get("examples") if isinstance(extra, dict) else None
    if examples:
        schema["examples"] = [{"items": [examples[0]], "next_cursor": EXAMPLE_CURSOR}]


class PageOf(BaseModel, Generic[T]):
    """A page of a list; each list names its own (`class FamilyPage(PageOf[FamilyRead])`), so
    the contract's component names are plain."""

    model_config = ConfigDict(
        json_schema_serialization_defaults_required=True, json_schema_extra=_page_schema
    )

    items: list[T] = Field(description="This page of results, in a stable order.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )
