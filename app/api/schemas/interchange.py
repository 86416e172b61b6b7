"""The answers of an import (issue 18 §3): counts, and each problem by line and field path."""

from __future__ import annotations

from pydantic import Field

from app.api.schemas.base import ReadSchema
from app.services.interchange import ImportSummary, Problem


class ImportProblemRead(ReadSchema):
    line: int = Field(description="The file's line (1 is the first).")
    path: str = Field(description="The field on that line, e.g. episodes[0].closure.closed_on.")
    reason: str = Field(description="What is wrong, and what to do about it.")
    code: str = Field(description="The rule that refused it (docs/errors.md).")

    @classmethod
    def from_domain(cls, problem: Problem) -> ImportProblemRead:
        return cls(line=problem.line, path=problem.path, reason=problem.reason, code=problem.code)


class ImportRead(ReadSchema):
    dry_run: bool = Field(description="True: every line was checked and nothing was written.")
    run_id: str = Field(description="Names the run in the audit trail (request ids import:RUN).")
    households: int
    imported: int = Field(description="Households imported (or, on a dry run, that would be).")
    already_imported: int = Field(description="Households imported before: nothing created.")
    refused: int = Field(description="Households refused whole: see problems.")
    problems: list[ImportProblemRead]
    problems_not_listed: int = Field(description="Problems beyond the first 1000, counted only.")

    @classmethod
    def from_domain(cls, summary: ImportSummary) -> ImportRead:
        return cls(
            dry_run=summary.dry_run,
            run_id=summary.run_id,
            households=summary.households,
            imported=summary.imported,
            already_imported=summary.already_imported,
            refused=summary.refused,
            problems=[ImportProblemRead.from_domain(p) for p in summary.problems],
            problems_not_listed=summary.problems_not_listed,
        )
