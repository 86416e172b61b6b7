"""A column matched against a list of values: one array parameter on PostgreSQL, IN on SQLite.

With `IN (...)` every length of list is a new SQL text: SQLAlchemy renders a placeholder per value
and psycopg parses the whole statement again each time. For a sync over 262 families that was a
quarter of the request's CPU (bench/RESULTS.md). `= ANY(:values)` keeps one text per statement,
which psycopg caches and PostgreSQL can prepare. SQLite has no arrays, so it keeps expanding IN.

    select(FamilyRow.id).where(one_of(FamilyRow.id, "family_ids"))
    session.execute(stmt, {"family_ids": [...]})
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ARRAY, Boolean, any_, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal


class OneOf(ColumnElement[bool]):
    """`column` equals one of the values passed, at execution, as the parameter `name`."""

    inherit_cache = True
    _is_implicitly_boolean = True  # a condition already: SQLite needs no "= 1" after it
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy's cache key protocol: a plain list)
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]
    type = Boolean()

    def __init__(self, column: ColumnElement[Any], name: str) -> None:
        self.column = column
        self.name = name


def one_of(column: Any, name: str) -> ColumnElement[bool]:
    return OneOf(column, name)


@compiles(OneOf)
def _expanding_in(element: OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.in_(bindparam(element.name, expanding=True)), **kw)


@compiles(OneOf, "postgresql")
def _any_of_array(element: OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    values = bindparam(element.name, type_=ARRAY(element.column.type))
    return compiler.process(element.column == any_(values), **kw)
