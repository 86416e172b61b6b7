"""The README is short, shows the walk-through as the script runs it, and, like the reference in
docs/, links only to files of this repository: every relative link resolves (a heading it names
included), and nothing points to another host."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCUMENTS = sorted([README, *(ROOT / "docs").glob("*.md"), ROOT / "bench" / "RESULTS.md"])
LOOPBACK = re.compile(r"https?://(127\.0\.0\.1|localhost)(:\d+)?(/|\b)")

FENCE = re.compile(r"^ *```.*?^ *```", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
AUTOLINK = re.compile(r"<([a-z][a-z0-9+.-]*:[^>\s]*)>", re.IGNORECASE)
BARE_URL = re.compile(r"\b(?:https?|ftp)://[^\s)>\]]+|\bwww\.[a-z0-9-]+\.[a-z]{2,}", re.IGNORECASE)


def prose(markdown: str) -> str:
    """The text a reader sees as text: code blocks and code spans removed (their URLs are examples)."""
    return CODE_SPAN.sub("", FENCE.sub("", markdown))


def links(markdown: str) -> list[str]:
    text = prose(markdown)
    return [
        *INLINE_LINK.findall(text),
        *REFERENCE_DEFINITION.findall(text),
        *AUTOLINK.findall(text),
    ]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = CODE_SPAN.sub(lambda m: m.group(0).strip("`"), heading.strip()).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    headings = re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", FENCE.sub("", markdown), re.MULTILINE)
    return {slug(h) for h in headings}


def name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_readme_is_under_10_kb() -> None:
    size = len(README.read_bytes())
    assert size < 10_000, f"README.md is {size} bytes: move reference material to docs/"


def test_every_page_of_the_reference_is_reached_from_the_readme() -> None:
    reached, waiting = {README.resolve()}, [README.resolve()]
    while waiting:
        page = waiting.pop()
        for target in links(page.read_text()):
            linked = (page.parent / target.split("#")[0]).resolve()
            if linked.suffix == ".md" and linked.is_file() and linked not in reached:
                reached.add(linked)
                waiting.append(linked)
    missing = [name(p) for p in (ROOT / "docs").glob("*.md") if p.resolve() not in reached]
    assert missing == [], f"docs/ pages no link from the README leads to: {missing}"


@pytest.mark.parametrize("document", DOCUMENTS, ids=name)
def test_every_link_is_relative_and_resolves_to_a_file_of_the_repository(
    document: Path,
) -> None:
    markdown = document.read_text()
    found = links(markdown)
    for target in found:
        assert not re.match(r"[a-z][a-z0-9+.-]*:|//", target, re.IGNORECASE), (
            f"{name(document)} links outside the repository: {target}"
        )
        path_part, _, fragment = target.partition("#")
        resolved = (document.parent / path_part).resolve() if path_part else document
        assert resolved.is_relative_to(ROOT), f"{name(document)}: {target} leaves the repository"
        assert resolved.exists(), f"{name(document)}: {target} does not exist"
        if fragment and resolved.suffix == ".md":
            assert fragment in anchors(resolved.read_text()), (
                f"{name(document)}: {target} names no heading of {name(resolved)}"
            )


@pytest.mark.parametrize("document", DOCUMENTS, ids=name)
def test_no_text_names_another_host(document: Path) -> None:
    """A URL in running text is a link on GitHub whether or not it is marked up as one; the
    service's own loopback address is allowed, as in `make run`'s address."""
    text = LOOPBACK.sub("", prose(document.read_text()))
    assert BARE_URL.findall(text) == [], f"{name(document)} names another host"


def test_the_link_checks_catch_what_they_are_for() -> None:
    page = (
        "See [the guide](https://example.org/guide), [a page](docs/nowhere.md),\n"
        "<https://example.org>, and https://example.net in passing; http://127.0.0.1:8000/docs.\n\n"
        "```sh\ncurl https://example.com  # an example, not a link\n```\n"
    )
    assert links(page) == ["https://example.org/guide", "docs/nowhere.md", "https://example.org"]
    named = BARE_URL.findall(LOOPBACK.sub("", prose(page)))
    assert "https://example.net" in named
    assert not [url for url in named if "example.com" in url or "127.0.0.1" in url], named
    assert slug("In production: the audit trail") == "in-production-the-audit-trail"
    assert slug("The `familyhub` command") == "the-familyhub-command"


def test_the_readme_shows_the_walkthrough_as_the_script_runs_it() -> None:
    script = (ROOT / "scripts" / "walkthrough.sh").read_text()
    blocks = re.findall(r"^```sh\n(.*?)^```", README.read_text(), re.MULTILINE | re.DOTALL)
    excerpt = [b for b in blocks if 'call "$LEAD" POST /episodes' in b]
    assert excerpt, "the README shows no part of scripts/walkthrough.sh"
    assert excerpt[0] in script, "the README's walk-through differs from scripts/walkthrough.sh"
