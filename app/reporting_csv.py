"""A small streaming CSV writer shared by every report (the API and the scheduled CLI job).

Rows go out one encoded line at a time, so a report of any size is written in constant memory.
Numbers are written the way JSON writes them (integers as integers, shares as decimals) and a
missing value (a median of nothing, a share of zero) is an empty cell. Cells that a spreadsheet
would run as a formula (leading =, +, -, @, tab or CR in text) are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence

CSV_MEDIA_TYPE = "text/csv"

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """One CSV cell: numbers as JSON writes them, None as empty, text guarded against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_lines(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The header, then one line per row (CRLF-terminated, RFC 4180 quoting), lazily."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: Sequence[object]) -> str:
        writer.writerow([cell(v) for v in values])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    yield line(list(columns))
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"a row has {len(row)} cells for {len(columns)} columns")
        yield line(row)


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    """`csv_lines` encoded as UTF-8, for a streaming HTTP response or a file."""
    for text in csv_lines(columns, rows):
        yield text.encode("utf-8")


def wants_csv(accept: str | None) -> bool:
    """Whether an Accept header asks for CSV ahead of JSON (JSON is the default)."""
    if not accept:
        return False
    best: tuple[float, str] | None = None
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if media not in (CSV_MEDIA_TYPE, "application/json"):
            continue
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, media)
    return best is not None and best[1] == CSV_MEDIA_TYPE
