"""The catalogue of problem `code`s, read off the code itself.

Every raise of a domain error in app/ names its rule with a literal `code=` (or, re-raising,
passes on the code it caught); the kinds that answer alike carry one `CODE` of their own. This
module reads each raise from the source (`collect`), checks the codes keep their promises
(`refusals`) and writes the catalogue: docs/errors.md for people and app/api/error_codes.py for the
/problems pages. `familyhub error-codes` rewrites both; tests/unit/test_error_codes.py fails when
either has drifted from the code.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.api import problems
from app.api.routers.problem_pages import PAGES
from app.domain import errors

APP = Path(__file__).resolve().parents[1]
DOCS_PATH = APP.parent / "docs" / "errors.md"
MODULE_PATH = Path(__file__).resolve().with_name("error_codes.py")

CODE_FORMAT = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
MAX_CODE_LENGTH = 64  # the audit trail's problem_code column

# Refusals whose message is built at run time (a helper chooses the words by the record's stage):
# what the rule means, in words.
MEANINGS: dict[str, str] = {
    "plan_submission_out_of_turn": (
        "The plan cannot be sent for quality assurance at this stage: the assessment has not"
        " started, the plan is already waiting for a decision, or it was already approved."
    ),
    "qa_decision_out_of_turn": (
        "Quality assurance can decide only on a plan sent for review: this one was not sent,"
        " was returned, or was already approved."
    ),
    "plan_not_editable": (
        "The plan cannot be changed in its current status: only a draft plan or one returned"
        " by quality assurance can be; start a revised plan instead."
    ),
    "plan_agreement_out_of_turn": (
        "The TAF cannot agree this plan: it is waiting for quality assurance, was returned,"
        " was already agreed or has been replaced."
    ),
    "claim_locks_record": (
        "The family's needs, outcomes and closure cannot change while a claim stands on them:"
        " while with internal audit the auditor must reject the claim first; after that a"
        " new claim must reverse it."
    ),
    "claim_step_out_of_turn": (
        "The claim's state does not allow this step (only a draft claim is made ready, only a"
        " ready one goes to internal audit, only an approved one is submitted; rejected and"
        " clawed-back claims are final)."
    ),
    "claim_rules_failed": (
        "The claim fails one or more Supporting Families rules; `errors[]` holds one entry per"
        " failing rule, its id in `rule` (C1 ... C9, K13, LOOKBACK, VERIFIED) and its reason in"
        " `message`, and the detail says them all in words."
    ),
    "episode_closed": (
        "The episode is closed: its assessment, plan, actions, TAF and needs no longer change;"
        " closed episodes are never reopened, so open a new episode linked to it."
    ),
    "text_required": "A required text (a name, a reason, a role ...) is empty.",
    "cursor_invalid": "The cursor is not one this service issued (garbled, edited or forged).",
    "not_found": ("There is no such record, or it is not one you may know of: both answer alike."),
    "stale_version": "The record was changed by someone else since you read it.",
    "unauthenticated": "No valid bearer token: missing, expired, or not one this service takes.",
}

# Codes the HTTP layer answers with, outside any domain rule: code → (status, slug, meaning).
HTTP_CODES: dict[str, tuple[int, str, str]] = {
    "invalid_request": (
        422,
        "validation",
        "The request does not have the shape the operation takes; `errors[]` names each field.",
    ),
    "value_out_of_range": (
        422,
        "invalid-value",
        "A value is out of the range the record can hold (a number or text too large).",
    ),
    "record_clash": (
        409,
        "conflict",
        "The change clashes with a record already stored (someone stored the same thing first).",
    ),
    "bad_request": (400, "bad-request", "The request could not be read as HTTP."),
    "loopback_only": (
        403,
        "forbidden",
        "A dev or test service answers loopback clients only.",
    ),
    "forbidden": (403, "forbidden", "The HTTP layer refused the request."),
    "not_found": (404, "not-found", "There is no such path, record or page."),
    "method_not_allowed": (405, "method-not-allowed", "The path does not take this method."),
    "not_acceptable": (406, "not-acceptable", "The service cannot answer in the type asked for."),
    "payload_too_large": (413, "payload-too-large", "The request body is too large."),
    "unsupported_media_type": (
        415,
        "unsupported-media-type",
        "The body's media type is not one the operation takes.",
    ),
    "internal_error": (500, "internal", "Something went wrong on our side; it is logged."),
    "database_unavailable": (
        503,
        "unavailable",
        "The database cannot be reached or every connection is busy.",
    ),
    "unavailable": (503, "unavailable", "The service cannot answer now."),
    "http_error": (400, "error", "Any other error the HTTP layer answers with."),
}


@dataclass(frozen=True)
class Raise:
    """One construction of a domain error in the source."""

    where: str  # "app/domain/families.py:61"
    error: type[errors.DomainError]
    code: str | None  # None: passes on a caught error's code
    literal: bool  # the code is written at the raise (or is the class's own CODE)
    detail: str | None  # the message with its placeholders as "…"; None when built elsewhere
    field: str | None


@dataclass
class Entry:
    """One code of the catalogue."""

    code: str
    status: int
    slug: str
    meaning: str
    fields: list[str] = field(default_factory=list)
    classes: set[str] = field(default_factory=set)


def domain_errors() -> dict[str, type[errors.DomainError]]:
    """Every domain error class by name, those defined outside errors.py included."""
    import app.main  # noqa: F401  (imports every module that defines an error class)

    found: dict[str, type[errors.DomainError]] = {}
    todo: list[type[errors.DomainError]] = [errors.DomainError]
    while todo:
        cls = todo.pop()
        found[cls.__name__] = cls
        todo.extend(cls.__subclasses__())
    return found


def _text(node: ast.expr | None, constants: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            str(v.value) if isinstance(v, ast.Constant) else "…" for v in node.values
        ).replace("……", "…")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left, constants), _text(node.right, constants)
        if left is None:
            return None
        return (left + (right if right is not None else "…")).replace("……", "…")
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    return None


def _constants(tree: ast.Module) -> dict[str, str]:
    out: dict[str, str] = {}
    for node in tree.body:
        target: ast.expr | None = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if (
            isinstance(target, ast.Name)
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
        ):
            out[target.id] = value.value
    return out


def _called(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def collect(root: Path = APP) -> list[Raise]:
    """Every construction of a domain error under `root`, in file order."""
    classes = domain_errors()
    found: list[Raise] = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)
        where = path.relative_to(root.parent).as_posix()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or (name := _called(node)) not in classes:
                continue
            error = classes[name]
            given = next((k.value for k in node.keywords if k.arg == "code"), None)
            fixed = getattr(error, "CODE", None)
            if isinstance(given, ast.Constant) and isinstance(given.value, str):
                code, literal = given.value, True
            elif given is None and isinstance(fixed, str):
                code, literal = fixed, True
            elif isinstance(given, ast.Attribute) and given.attr == "code":
                code, literal = None, True
            else:
                code, literal = None, False
            detail = _text(node.args[0], constants) if node.args else None
            field_node = next((k.value for k in node.keywords if k.arg == "field"), None)
            found.append(
                Raise(
                    where=f"{where}:{node.lineno}",
                    error=error,
                    code=code,
                    literal=literal,
                    detail=detail,
                    field=_text(field_node, constants),
                )
            )
    return found


def refusals(raises: Iterable[Raise]) -> Iterator[str]:
    """What is wrong with the codes: a raise naming no rule, a malformed code, one code for two
    kinds of problem (so two statuses), a code without a meaning."""
    kinds: dict[str, set[str]] = {}
    for r in raises:
        if not r.literal:
            yield f"{r.where}: {r.error.__name__} without a literal code= naming its rule"
            continue
        if r.code is None:
            continue
        if not CODE_FORMAT.match(r.code) or len(r.code) > MAX_CODE_LENGTH:
            yield f"{r.where}: code {r.code!r} is not snake_case of at most {MAX_CODE_LENGTH}"
        kinds.setdefault(r.code, set()).add(problems.lookup_class(r.error)[1])
    for code, slugs in sorted(kinds.items()):
        if len(slugs) > 1:
            yield f"code {code!r} is raised as {sorted(slugs)}: one code, one kind of problem"
        http = HTTP_CODES.get(code)
        if http is not None and http[1] not in slugs:
            yield f"code {code!r} is also an HTTP-layer code of {http[1]}"


def catalogue(raises: Iterable[Raise]) -> dict[str, Entry]:
    """Every code with its status, problem type, meaning and the fields it names."""
    entries: dict[str, Entry] = {}
    for r in raises:
        if r.code is None:
            continue
        status, slug, _title = problems.lookup_class(r.error)
        entry = entries.get(r.code)
        if entry is None:
            meaning = MEANINGS.get(r.code) or r.detail or ""
            entry = entries[r.code] = Entry(r.code, status, slug, meaning)
        if not entry.meaning and r.detail:
            entry.meaning = r.detail
        if r.field and r.field not in entry.fields:
            entry.fields.append(r.field)
        entry.classes.add(r.error.__name__)
    for error in domain_errors().values():
        fixed = getattr(error, "CODE", None)
        if isinstance(fixed, str) and fixed not in entries:
            status, slug, _title = problems.lookup_class(error)
            entries[fixed] = Entry(fixed, status, slug, MEANINGS.get(fixed, ""))
            entries[fixed].classes.add(error.__name__)
    for code, (status, slug, meaning) in HTTP_CODES.items():
        entries.setdefault(code, Entry(code, status, slug, meaning))
    return dict(sorted(entries.items(), key=lambda kv: (kv[1].status, kv[1].slug, kv[0])))


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_markdown(entries: dict[str, Entry]) -> str:
    lines = [
        "# Error codes",
        "",
        "<!-- Generated by `familyhub error-codes` from the raises in app/; do not edit."
        " tests/unit/test_error_codes.py fails when it drifts. -->",
        "",
        "Every problem document (RFC 9457, `application/problem+json`) has a `type` naming the"
        " kind of problem (`/problems/invalid-value`, a page explaining it) and a `code` naming"
        " the exact rule that refused the request. Codes are stable snake_case: a client may"
        " branch on them. One code always comes with the same status and type; a rule refused"
        " from several places answers with the same code. `errors[]` names the field to blame"
        " where there is one (the *Field* column; `…` stands for an index or a name).",
        "",
        "Not-found answers have one code, `not_found`, whatever the reason: a record you may not"
        " know of answers exactly like an id that does not exist.",
        "",
        "In *Meaning*, `…` stands for a value filled in from the request or the record; the"
        " problem's `detail` gives the sentence in full.",
        "",
    ]
    by_slug: dict[str, list[Entry]] = {}
    for entry in entries.values():
        by_slug.setdefault(entry.slug, []).append(entry)
    for slug, group in by_slug.items():
        status = group[0].status
        page = PAGES.get(slug)
        title = page[1] if page else slug
        lines += [f"## {status} {title} (`/problems/{slug}`)", ""]
        if page is not None:
            lines += [_cell(page[2]), "", f"**What to do:** {_cell(page[3])}", ""]
        lines += ["| Code | Field | Meaning |", "|---|---|---|"]
        for entry in group:
            fields = ", ".join(f"`{f}`" for f in entry.fields)
            lines.append(f"| `{entry.code}` | {fields} | {_cell(entry.meaning)} |")
        lines.append("")
    return "\n".join(lines)


def render_module(entries: dict[str, Entry]) -> str:
    lines = [
        '"""Every problem `code` the API answers with, by problem type: generated by'
        " `familyhub error-codes`",
        'from the raises in app/ (app/api/error_catalogue.py); do not edit."""',
        "",
        "CODES: dict[str, tuple[int, str, str]] = {",
    ]
    for entry in entries.values():
        lines.append(f"    {entry.code!r}: ({entry.status}, {entry.slug!r}, {entry.meaning!r}),")
    lines += ["}", ""]
    return "\n".join(lines)


def write() -> list[Path]:
    entries = catalogue(collect())
    DOCS_PATH.write_text(render_markdown(entries), encoding="utf-8")
    MODULE_PATH.write_text(render_module(entries), encoding="utf-8")
    return [DOCS_PATH, MODULE_PATH]
