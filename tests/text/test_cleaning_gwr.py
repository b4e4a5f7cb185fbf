"""Cleaning and outlining the shared government work reports (../shared; skipped where absent).

These reports come from a wiki: a licence footer, link text set on lines of its own, headings
broken across lines, zero-width characters, full-width and spaced digits, paragraphs marked by
blank lines, indents or both. Nothing here is copied from them: the tests read the files and
check what cleaning must hold on every one.
"""
from __future__ import annotations

import re

import pytest

from analysis.text.chars import HAN_RE, count_han, han_mask
from analysis.text.cleaning import clean_text
from analysis.text.outline import outline

# Kinds a Han character may be removed under: the page's licence, the title, date and byline
# above a report, and a wiki editor's placeholder text ("bold text") left in one.
FURNITURE_WITH_WORDS = {"legal", "title", "date", "byline", "meta", "code"}
CONTINUATION = "。，、；：？！）》」』”"
OPENING = "《“（「『"


@pytest.fixture(scope="module")
def reports(gwr_dir):
    files = sorted(gwr_dir.glob("*.txt"))
    assert len(files) == 72
    out = {}
    for path in files:
        raw = path.read_text(encoding="utf-8")
        out[path.stem] = (raw, clean_text(raw))
    return out


def test_audit_is_exact_and_cleaning_idempotent(reports):
    for stem, (raw, r) in reports.items():
        assert r.rebuild(raw) == r.text, stem
        assert all(raw[x.start:x.end] == x.text for x in r.removed), stem
        again = clean_text(r.text)
        assert again.text == r.text and again.removed == [] and again.substitutions == [], stem


def test_no_sentence_is_lost(reports):
    """Every Han character of a raw file is in the cleaned text, or in a removal of the
    licence, title, date or byline; those stand before the first or after the last character
    of the report kept."""
    for stem, (raw, r) in reports.items():
        removed_han = sum(count_han(x.text) for x in r.removed)
        assert count_han(raw) - count_han(r.text) == removed_han, stem
        kept = han_mask(raw).copy()
        for x in r.removed:
            kept[x.start:x.end] = False
        first, last = kept.argmax(), len(kept) - 1 - kept[::-1].argmax()
        for x in r.removed:
            if HAN_RE.search(x.text):
                assert x.kind in FURNITURE_WITH_WORDS, (stem, x.kind, x.start)
                if x.kind != "code":
                    assert x.end <= first or x.start > last, (stem, x.kind, x.start)
                else:
                    assert len(x.text.strip().strip("'")) <= 10, (stem, x.text)


def test_every_report_loses_its_licence_footer_and_nothing_after_it(reports):
    for stem, (raw, r) in reports.items():
        tail = [x for x in r.removed if x.kind in ("legal", "furniture")]
        if "Public domain" not in raw:
            assert not tail, stem
            continue
        assert tail and "Public domain" not in r.text, stem
        # Everything from the licence on is gone (blank lines aside).
        start = min(x.start for x in r.removed if x.kind == "legal")
        assert not raw[start:].strip() or all(
            any(x.start <= i < x.end for x in r.removed) for i in range(start, len(raw)) if not raw[i].isspace()
        ), stem


def test_lines_break_only_between_paragraphs(reports):
    for stem, (_, r) in reports.items():
        for line in r.text.split("\n"):
            assert line and line[0] not in CONTINUATION, (stem, line[:30])
            assert line[-1] not in OPENING, (stem, line[-30:])
            assert not re.fullmatch(f"[{HAN_RE.pattern[1:-1]}]{{1,2}}", line) or re.fullmatch(
                "[一二三四五六七八九十]+", line), (stem, line)


def test_characters_are_normalised(reports):
    for stem, (_, r) in reports.items():
        assert not re.search("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]", r.text), stem  # full-width digits, letters
        assert not re.search("[\u200b-\u200f\u2060\ufeff\u00a0]", r.text), stem  # zero-width, no-break
        assert not re.search(r"\d \d", r.text), stem  # spaced digits
        assert not re.search(r"^\s|\s$|\n\n", r.text), stem


def test_outlines_count_their_sections_and_points_in_order(reports):
    with_sections = 0
    for stem, (_, r) in reports.items():
        parts = outline(r.text)
        sections = parts[parts.part == "section"]
        assert sections.section.tolist() == list(range(1, len(sections) + 1)), stem
        for number, rows in parts[parts.part == "point"].groupby("section"):
            assert rows.point.tolist() == list(range(1, len(rows) + 1)), (stem, number)
        top = parts[parts.part != "point"]
        assert (top.start.to_numpy()[1:] > top.end.to_numpy()[:-1]).all(), stem
        with_sections += bool(len(sections))
    # Reports without any heading (and the resolutions) have none; most have some.
    assert with_sections >= 45
