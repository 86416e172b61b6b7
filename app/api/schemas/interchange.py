"""The answers of an import (issue 18 §3): counts, and each problem by line and field path."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from app.api.schemas.base import ReadSchema
from app.services.interchange import ImportSummary, Problem


class ImportProblemRead(ReadSchema):
    """One problem of an import, by line and field path, with what to do about it."""

    line: int = Field(description="The file's line (1 is the first).")
    path: str = Field(description="The field on that line, e.g. episodes[0].closure.closed_on.")
    reason: str = Field(description="What is wrong, and what to do about it.")
    code: str = Field(description="The rule that refused it (docs/errors.md).")

    @classmethod
    def from_domain(cls, problem: Problem) -> ImportProblemRead:
        return cls(line=problem.line, path=problem.path, reason=problem.reason, code=problem.code)


class ImportRead(ReadSchema):
    """What an import did (or, on a dry run, would do): counts and every problem found."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "dry_run": True,
                    "run_id": "3f2b8c1e9a4d",
                    "households": 2,
                    "imported": 1,
                    "already_imported": 0,
                    "refused": 1,
                    "problems": [
                        {
                            "line": 2,
                            "path": "episodes[0].lead_email",
                            "reason": "No practitioner has the email lena@old.example: add them "
                            "to the directory or correct the file.",
                            "code": "import_practitioner_unknown",
                        }
                    ],
                    "problems_not_listed": 0,
                }
            ]
        }
    )

    dry_run: bool = Field(description="True: every line was checked and nothing was written.")
    run_id: str = Field(description="Names the run in the audit trail (request ids import:RUN).")
    households: int = Field(description="Households (lines) read from the file.")
    imported: int = Field(description="Households imported (or, on a dry run, that would be).")
    already_imported: int = Field(description="Households imported before: nothing created.")
    refused: int = Field(description="Households refused whole: see problems.")
    problems: list[ImportProblemRead] = Field(description="The problems, by line (the first 1000).")
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
