"""
UW facts live in ``docs/uw-api.md``: code cites its sections, never a document outside the
repository, and every cited section exists.
"""

import os
import re
from pathlib import Path


ROOT = Path(__file__).resolve().parents[3]
FACTS = ROOT / "docs" / "uw-api.md"

# Where code and its comments live.
CODE_DIRS = ("crates", "nautilus_trader_uw", "scripts", "examples", "python")
# Build output, caches and environments: not the repository's own text.
SKIPPED_DIRS = {
    ".git",
    ".hypothesis",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".venv",
    ".venv-legacy",
    "__pycache__",
    "build",
    "dist",
    "node_modules",
    "target",
}

# The research file that used to hold the UW facts, outside the repository: `SPEC.md`, `SPEC §4.5`,
# `the SPEC's examples`. Spelled in two parts so that this file does not match itself.
OUTSIDE_SPEC = re.compile(r"\b" + "SP" + r"EC\b")
# A link into the facts page, from anywhere: `docs/uw-api.md#rate-limits`, `(uw-api.md#paging)`.
FACTS_LINK = re.compile(r"uw-api\.md#([\w-]+)")
# A link inside the facts page to one of its own sections: `[paging](#paging)`.
SELF_LINK = re.compile(r"\]\(#([\w-]+)\)")


def text_files(*tops: Path):
    """
    Every text file under ``tops``, build output and caches left out (pruned, not listed: the
    Rust ``target/`` alone holds tens of thousands of files).
    """
    for top in tops:
        for directory, subdirs, names in os.walk(top):
            subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_DIRS)
            for name in sorted(names):
                path = Path(directory) / name
                data = path.read_bytes()
                if b"\0" not in data[:8192]:
                    yield path


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


def github_anchor(heading: str) -> str:
    """
    The anchor GitHub gives a Markdown heading: the rendered text lower-cased, everything but
    letters, digits, spaces, hyphens and underscores dropped, spaces turned into hyphens.
    """
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def heading_anchors(markdown: str) -> list[str]:
    anchors = []
    in_fence = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        match = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match and not in_fence:
            anchors.append(github_anchor(match.group(1)))
    return anchors


def test_github_anchor_rules():
    assert github_anchor("Rate limits") == "rate-limits"
    assert github_anchor("Channel `gex_strike_expiry`") == "channel-gex_strike_expiry"
    assert github_anchor("REST: stock state, quote and OHLC") == "rest-stock-state-quote-and-ohlc"
    assert github_anchor("See [paging](#paging) first") == "see-paging-first"


def test_no_code_cites_the_outside_spec():
    offenders = []
    for path in text_files(*(ROOT / d for d in CODE_DIRS)):
        if path == Path(__file__).resolve():
            continue
        for number, line in enumerate(read(path).splitlines(), 1):
            if OUTSIDE_SPEC.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "cite docs/uw-api.md#<section> instead:\n" + "\n".join(offenders)


def test_facts_page_anchors_are_unique():
    anchors = heading_anchors(read(FACTS))
    duplicates = sorted({a for a in anchors if anchors.count(a) > 1})
    assert not duplicates, f"headings with the same anchor in docs/uw-api.md: {duplicates}"


def test_every_cited_section_exists():
    anchors = set(heading_anchors(read(FACTS)))
    missing = []
    for path in text_files(ROOT):
        text = read(path)
        links = FACTS_LINK.findall(text)
        if path == FACTS:
            links += SELF_LINK.findall(text)
        missing += [f"{path.relative_to(ROOT)}: #{anchor}" for anchor in links if anchor not in anchors]
    assert not missing, "no such section in docs/uw-api.md:\n" + "\n".join(missing)
