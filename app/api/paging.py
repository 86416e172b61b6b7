"""Query parameters and Link headers shared by every list endpoint."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response

from app.domain.paging import DEFAULT_LIMIT, MAX_LIMIT, PageRequest

Limit = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"Page size (default {DEFAULT_LIMIT}).")
]
Cursor = Annotated[
    str | None, Query(max_length=1000, description="The `next_cursor` of the previous page.")
]


def page_request(limit: int, cursor: str | None) -> PageRequest:
    return PageRequest.parse(limit, cursor)


def link_next(request: Request, response: Response, next_cursor: str | None) -> None:
    """RFC 8288 Link header to the next page, so generic clients can follow it."""
    if next_cursor:
        url = request.url.include_query_params(cursor=next_cursor)
        response.headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
