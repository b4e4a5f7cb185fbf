"""The structure of a speech: salutation, preamble, numbered sections and the points inside
them, and the closing, each with its span in the cleaned text.

Chinese official speeches number their parts in a fixed hierarchy: sections ``一、`` ``二、``,
points ``第一，`` ``一是`` or ``（一）`` inside them. A closing paragraph that addresses the
audience again (``同志們，…``) after the last section is the closing.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..common.deprecation import renamed_arguments
from .chars import ends_sentence, han_before
from .numbers import cn_numeral, numeral_value

_NUM = "[一二三四五六七八九十]{1,3}"

_SALUTATION = re.compile(
    r"^(?:同志們|同志们|各位[^，,。：:！!\n]{0,20}|朋友們|朋友们|女士們[^：:！!\n]{0,12}|女士们[^：:！!\n]{0,12})[：:！!]\s*$"
)
# The same at the start of a line that runs on (a page flattened into one line).
_SALUTATION_HEAD = re.compile(
    r"^(?:(?:同志們|同志们|各位(?:代表|委員|委员|來賓|来宾|領導|领导|同志)?|朋友們|朋友们)[、，,]?){1,3}[：:]"
)
_SECTION = re.compile(rf"^(?P<label>(?P<num>{_NUM})、)(?P<title>.*)$", re.S)
_BARE = re.compile(rf"^(?P<label>(?P<num>{_NUM}))$")
_PAREN = re.compile(rf"^(?P<label>[（(](?P<num>{_NUM})[）)])(?P<title>.*)$", re.S)
_POINT_FORMS = {
    "第": re.compile(rf"^(?P<label>第(?P<num>{_NUM})[，,、：:])(?P<title>.*)$", re.S),
    "是": re.compile(rf"^(?P<label>(?P<num>{_NUM})是)(?P<title>.*)$", re.S),
    "（）": _PAREN,
    "、": _SECTION,
}
_CLOSING = re.compile(
    r"^(?:同志們|同志们|各位(?:代表|委員|委员|來賓|来宾|領導|领导|同志)?|朋友們|朋友们|最後|最后)[，,！!]"
)
_CLOSING_HEADING = re.compile(r"^(?:結束語|结束语|結語|结语|尾聲|尾声)[：:]?$")
_SENTENCE_END = re.compile(r"[。！？；!?;]")
_PUNCT = re.compile(r"[，,。！？；：!?;:.]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

OUTLINE_COLUMNS = ["part", "section", "point", "label", "title", "start", "end", "n_chars"]


PREAMBLE_LABEL, CLOSING_LABEL = "前言", "結語"


@renamed_arguments(moved=("part_col", "section_col"))
def places(frame: pd.DataFrame, *, part_col: str = "part", section_col: str = "section") -> pd.Categorical:
    """Where each row stands in its speech, as an ordered category for charts and tables:
    前言 (salutation and preamble), 一, 二, … (sections, their points included), 結語 (closing).

    >>> places(pd.DataFrame({"part": ["closing", "section", "preamble"], "section": [None, 2, None]})).tolist()
    ['結語', '二', '前言']
    """
    sections = pd.to_numeric(frame[section_col], errors="coerce")
    n = int(sections.max()) if sections.notna().any() else 0
    order = [PREAMBLE_LABEL] + [cn_numeral(k) for k in range(1, n + 1)] + [CLOSING_LABEL]
    labels = [
        CLOSING_LABEL if part == "closing"
        else cn_numeral(int(sec)) if pd.notna(sec)
        else PREAMBLE_LABEL
        for part, sec in zip(frame[part_col], sections)
    ]
    return pd.Categorical(labels, categories=order, ordered=True)


_INLINE_SECTION = re.compile(rf"(?P<num>{_NUM})、")
_SECTION_AFTER = frozenset("。！？!?”」』")
_INLINE_CLOSING = re.compile(
    r"(?:同志們|同志们|各位(?:代表|委員|委员|來賓|来宾|領導|领导|同志)?|朋友們|朋友们|最後|最后)[，,！!]"
)
_INLINE_POINT = re.compile(rf"第(?P<n1>{_NUM})[，,、：:]|[（(](?P<n3>{_NUM})[）)]|(?P<n2>{_NUM})是")
# 一是 after these is a word (之一是, 統一是, 唯一是), not a point.
_NOT_BEFORE_SHI = frozenset("之統统唯第其另只單单同均萬万劃划")


def _ascending(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The (position, number) pairs that count 1, 2, 3, … in order, others skipped."""
    out: list[tuple[int, int]] = []
    for pos, num in found:
        if num == len(out) + 1:
            out.append((pos, num))
    return out


def inline_breaks(line: str) -> list[int]:
    """Where a speech flattened into one line starts its parts: after a salutation that opens
    the line, and before each numbered section (``一、`` after a sentence's end, counting up
    from 一) and each point inside a section (``第一，``, ``（一）`` or ``一是``, counting up).

    Only a line holding two or more such sections counts as flattened; any other line
    gives ``[]``, so a sentence that says 一是 or 第一 is never cut.

    >>> inline_breaks("同志們：今天開會。一、提高認識第一，要學習。第二，要落實。二、加強領導")
    [4, 9, 15, 22, 29]
    >>> inline_breaks("統一是前提。二、要落實")
    []
    """
    if line.count("、") < 2:
        return []
    sections = _ascending([(m.start(), numeral_value(m["num"])) for m in _INLINE_SECTION.finditer(line)
                           if m.start() == 0 or line[m.start() - 1] in _SECTION_AFTER])
    if len(sections) < 2:
        return []
    cuts = {pos for pos, _ in sections if pos > 0}
    salutation = _SALUTATION_HEAD.match(line)
    if salutation and salutation.end() < sections[0][0]:
        cuts.add(salutation.end())
    # The closing: the last sentence after the last section that addresses the audience again.
    closing = [m.start() for m in _INLINE_CLOSING.finditer(line, sections[-1][0])
               if line[m.start() - 1] in _SECTION_AFTER]
    end = closing[-1] if closing else len(line)
    if closing:
        cuts.add(end)
    bounds = [pos for pos, _ in sections] + [end]
    for (pos, num), nxt in zip(sections, bounds[1:]):
        start = pos + len(cn_numeral(num)) + 1
        by_form: dict[str, list[tuple[int, int]]] = {}
        order: list[str] = []
        for m in _INLINE_POINT.finditer(line, start, nxt):
            form = "第" if m["n1"] else "（）" if m["n3"] else "是"
            if form == "是" and m.start() > 0 and line[m.start() - 1] in _NOT_BEFORE_SHI:
                continue
            if form not in by_form:
                order.append(form)
            by_form.setdefault(form, []).append((m.start(), numeral_value(m["n1"] or m["n2"] or m["n3"])))
        if order:
            # The first point may follow the heading's words; the next ones start sentences.
            found = [(p, n) for p, n in by_form[order[0]] if n == 1 or line[p - 1] in _SECTION_AFTER]
            points = _ascending(found)
            if len(points) >= 2:
                cuts.update(p for p, _ in points)
    return sorted(cuts)


def _units(text: str) -> list[tuple[int, int, str]]:
    """The paragraphs of ``text`` as (start, end, text): its lines, and inside a flattened
    line the parts :func:`inline_breaks` finds. Blank lines are left out."""
    out = []
    pos = 0
    for line in text.split("\n"):
        cuts = inline_breaks(line)
        bounds = [0, *cuts, len(line)]
        for x, y in zip(bounds, bounds[1:]):
            if line[x:y].strip():
                out.append((pos + x, pos + y, line[x:y]))
        pos += len(line) + 1
    return out


def _first_sentence(s: str) -> str:
    m = _SENTENCE_END.search(s)
    return (s[: m.start()] if m else s).strip()


def _heading_shaped(t: str) -> bool:
    """A heading stands alone: short, and no sentence ends in it."""
    return len(t) <= 60 and not _SENTENCE_END.search(t)


def _unnumbered_heading(t: str) -> bool:
    """A heading without a number (第六个五年计划的基本任务): short, unpunctuated, not a label."""
    return (4 <= len(t) <= 30 and len(_HAN.findall(t)) >= 4 and not _PUNCT.search(t)
            and not _SECTION.match(t) and not _PAREN.match(t) and not _BARE.match(t)
            and not any(f.match(t) for f in _POINT_FORMS.values()) and not _CLOSING_HEADING.match(t)
            and not _SALUTATION.match(t))


def _section_chain(cands: list[tuple[int, int, bool]]) -> list[tuple[int, int, bool]]:
    """Sections from numbered candidates (unit, number, heading-shaped): they count 1, 2, 3, …
    from the first heading-shaped 一; a run that starts again at 一 inside a section is a
    list, not sections, unless a heading-shaped candidate carries on the count."""
    firsts = [c for c in cands if c[1] == 1]
    if not firsts:
        return []
    start = next((c for c in firsts if c[2]), firsts[0])
    main: list[tuple[int, int, bool]] = []
    sub: list[tuple[int, int, bool]] | None = None
    for c in cands:
        if c[0] < start[0]:
            continue
        fits = (not main and c[1] == 1) or (main and c[1] == main[-1][1] + 1)
        if fits and (c[2] or sub is None):
            main.append(c)
            sub = None
        elif sub is not None and c[1] == sub[-1][1] + 1:
            sub.append(c)
        elif fits:
            main.append(c)
            sub = None
        elif main and c[1] == 1:
            sub = [c]
    return main


def _sections(units: list[tuple[int, int, str]], k: int, end: int):
    """The section headings among ``units[k:end]``: (unit, number, label, title) and the
    numbering form used, read from the speech's own numbering: ``一、`` headings, bare
    numerals on a line of their own, ``（一）`` headings, or unnumbered headings. Of the forms
    that give two or more sections, the one whose first heading comes first is the top level
    (an unnumbered heading above ``一、`` ones makes those points)."""

    def numbered(pattern, strong_only=False):
        cands = []
        for i in range(k, end):
            m = pattern.match(units[i][2])
            if m:
                strong = _heading_shaped(units[i][2])
                if strong or not strong_only:
                    cands.append((i, numeral_value(m["num"]), strong))
        chain = _section_chain(cands)
        return [(i, num, m["label"], m.groupdict().get("title") or "")
                for i, num, _ in chain for m in [pattern.match(units[i][2])]]

    levels = [(numbered(_SECTION), "、"), (numbered(_BARE), "bare"), (numbered(_PAREN, strong_only=True), "（）")]
    plain = [i for i in range(max(k, 1), end - 1)
             if _unnumbered_heading(units[i][2].strip()) and len(units[i + 1][2]) > len(units[i][2])
             and ends_sentence(units[i - 1][2]) and _SENTENCE_END.search(units[i + 1][2])]
    levels.append(([(i, n + 1, "", units[i][2].strip()) for n, i in enumerate(plain)], "plain"))
    usable = [(found, form) for found, form in levels if len(found) >= 2]
    if not usable:
        return [], None
    return min(usable, key=lambda level: level[0][0][0])


def _points(units: list[tuple[int, int, str]], first: int, last: int, section_form: str | None):
    """The points of a section (units ``first..last``): the numbering form met first, counting
    1, 2, 3, … (other forms, and a count that starts again, are lists inside the points)."""
    forms = {name: pattern for name, pattern in _POINT_FORMS.items() if name != section_form}
    found: dict[str, list] = {}
    order: list[str] = []
    for i in range(first, last + 1):
        for name, pattern in forms.items():
            m = pattern.match(units[i][2])
            if m:
                if name not in found:
                    order.append(name)
                found.setdefault(name, []).append((i, numeral_value(m["num"]), m))
                break
    if not order:
        return []
    out = []
    for i, num, m in found[order[0]]:
        if num == len(out) + 1:
            out.append((i, num, m))
    return out


def outline(text: str) -> pd.DataFrame:
    """The parts of a speech with their spans in ``text``.

    Returns one row per part in reading order, with columns ``part`` (salutation, preamble,
    section, point, closing), ``section`` and ``point`` (numbers, NA where not applicable),
    ``label`` (``一、``, ``第一，``, ``一是``; empty for an unnumbered heading), ``title``,
    ``start``, ``end`` (``text[start:end]`` is the part; a section's span includes its points)
    and ``n_chars`` (Han characters).

    Sections are read from the speech's own numbering: ``一、`` headings counting up (a list
    that starts again at 一 inside a section is not a section), else bare numerals on lines of
    their own, ``（一）`` headings or unnumbered short headings. Points are the first numbering
    form met inside a section (``第一，``, ``一是``, ``（一）``), counting up. A speech flattened
    into one line is read the same way (see :func:`inline_breaks`).

    >>> outline("同志們：\\n今天開會。\\n一、學習\\n第一，讀書。\\n第二，討論。\\n二、落實\\n同志們，加油！")[
    ...     ["part", "section", "point", "label"]].astype(str).values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['salutation', '<NA>', '<NA>', ''], ['preamble', '<NA>', '<NA>', ''],
     ['section', '1', '<NA>', '一、'], ['point', '1', '1', '第一，'], ['point', '1', '2', '第二，'],
     ['section', '2', '<NA>', '二、'], ['closing', '<NA>', '<NA>', '']]
    """
    rows = outline_rows(text)
    if not rows:
        return pd.DataFrame(columns=OUTLINE_COLUMNS)
    frame = pd.DataFrame(rows).reindex(columns=OUTLINE_COLUMNS)
    frame["section"] = frame["section"].astype("Int64")
    frame["point"] = frame["point"].astype("Int64")
    return frame


def outline_rows(text: str) -> list[dict]:
    """The rows of :func:`outline` as dicts (``section`` and ``point`` absent where not
    applicable): for the pipeline, which builds one Arrow table for many speeches."""
    units = _units(text)
    rows: list[dict] = []
    if not units:
        return rows

    k = 0
    if _SALUTATION.match(units[0][2].strip()):
        a, b, line = units[0]
        rows.append(dict(part="salutation", label="", title=line.strip(), start=a, end=b))
        k = 1

    sections, form = _sections(units, k, len(units))
    heading_idx = [i for i, *_ in sections]
    # The closing: after the last section heading (or the preamble's first paragraph, when
    # there is none), a 結束語 heading, else the last paragraph that addresses the audience again.
    search_from = heading_idx[-1] + 1 if heading_idx else k + 1
    closing_idx = next((i for i in range(search_from, len(units)) if _CLOSING_HEADING.match(units[i][2].strip())),
                       None)
    if closing_idx is None:
        closing_idx = next((i for i in range(len(units) - 1, search_from - 1, -1) if _CLOSING.match(units[i][2])),
                           None)
    body_end = closing_idx if closing_idx is not None else len(units)
    sections = [s for s in sections if s[0] < body_end]
    heading_idx = [i for i, *_ in sections]

    first_section = heading_idx[0] if heading_idx else body_end
    if first_section > k:
        rows.append(dict(part="preamble", label="", title="", start=units[k][0], end=units[first_section - 1][1]))

    for n, (si, sec_no, label, title) in enumerate(sections):
        last = (heading_idx[n + 1] if n + 1 < len(heading_idx) else body_end) - 1
        rows.append(dict(part="section", section=sec_no, label=label, title=_first_sentence(title),
                         start=units[si][0], end=units[last][1]))
        points = _points(units, si + 1, last, form)
        for j, (pi, num, pm) in enumerate(points):
            p_last = (points[j + 1][0] if j + 1 < len(points) else last + 1) - 1
            rows.append(dict(part="point", section=sec_no, point=num, label=pm["label"],
                             title=_first_sentence(pm["title"]), start=units[pi][0], end=units[p_last][1]))

    if closing_idx is not None:
        rows.append(dict(part="closing", label="", title=_first_sentence(units[closing_idx][2]),
                         start=units[closing_idx][0], end=units[-1][1]))

    before = han_before(text)
    for row in rows:
        row["n_chars"] = int(before[row["end"]] - before[row["start"]])
    return rows


def locate(positions, parts: pd.DataFrame) -> pd.DataFrame:
    """For each character offset, the part, section and point it falls in.

    Returns a frame aligned with ``positions``: ``part`` (salutation, preamble, section,
    closing; a position inside a point says ``section``), ``section`` and ``point`` (Int64,
    NA outside sections and points). Vectorised: one pass per part, not per position.
    """
    positions = np.asarray(positions, dtype=np.int64)
    n = len(positions)
    part = np.full(n, None, dtype=object)
    section, section_na = np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)
    point, point_na = np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)
    for kind, sec, pt, a, b in parts[["part", "section", "point", "start", "end"]].itertuples(
            index=False, name=None):
        inside = (positions >= a) & (positions < max(b, a + 1))
        if kind == "point":
            point[inside], point_na[inside] = pt, False
        else:
            part[inside] = kind
            if kind == "section":
                section[inside], section_na[inside] = sec, False
    return pd.DataFrame({"part": part,
                         "section": pd.arrays.IntegerArray(section, section_na),
                         "point": pd.arrays.IntegerArray(point, point_na)})


@renamed_arguments(moved=("parts",))
def assign_parts(tokens: pd.DataFrame, *, parts: pd.DataFrame) -> pd.DataFrame:
    """``tokens`` with the columns ``part`` (Arrow-backed strings, like the token columns),
    ``section`` and ``point`` (Int64) of :func:`locate` added."""
    where = locate(tokens["start"].to_numpy(), parts)
    out = tokens.reset_index(drop=True)
    out["part"] = pd.array(where["part"].to_numpy(), dtype=pd.StringDtype("pyarrow"))
    out["section"] = where["section"].array
    out["point"] = where["point"].array
    return out
