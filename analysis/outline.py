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

from .chars import han_before

# Bump when a change to this module can change parts (the token cache keys on it).
OUTLINE_VERSION = "1"

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = "[一二三四五六七八九十]{1,3}"

_SALUTATION = re.compile(
    r"^(?:同志們|同志们|各位[^，,。：:\n]{0,20}|朋友們|朋友们|女士們[^：:\n]{0,12}|女士们[^：:\n]{0,12})[：:]\s*$"
)
_SECTION = re.compile(rf"^(?P<label>(?P<num>{_NUM})、)(?P<title>.*)$")
_POINT = re.compile(
    rf"^(?P<label>第(?P<num1>{_NUM})[，,、：:]|(?P<num2>{_NUM})是|[（(](?P<num3>{_NUM})[）)])(?P<rest>.*)$"
)
_CLOSING = re.compile(r"^(?:同志們|同志们|各位|朋友們|朋友们|最後|最后)[，,！!]")
_SENTENCE_END = re.compile(r"[。！？；!?;]")

OUTLINE_COLUMNS = ["part", "section", "point", "label", "title", "start", "end", "n_chars"]


def cn_number(numeral: str) -> int:
    """Value of a Chinese numeral up to 99.

    >>> cn_number("十二"), cn_number("二十"), cn_number("三")
    (12, 20, 3)
    """
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    value = 0
    for ch in numeral:
        value = value * 10 + _CN_DIGITS[ch]
    return value


_CN_NUMERALS = "〇一二三四五六七八九"


def cn_numeral(n: int) -> str:
    """The Chinese numeral for 0 ≤ n ≤ 99, as section headings write it.

    >>> cn_numeral(3), cn_numeral(10), cn_numeral(12), cn_numeral(20)
    ('三', '十', '十二', '二十')
    """
    n = int(n)
    if not 0 <= n <= 99:
        raise ValueError(f"cn_numeral: {n} is outside 0..99")
    if n < 10:
        return _CN_NUMERALS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_NUMERALS[tens]) + "十" + (_CN_NUMERALS[ones] if ones else "")


PREAMBLE_LABEL, CLOSING_LABEL = "前言", "結語"


def places(frame: pd.DataFrame, part_col: str = "part", section_col: str = "section") -> pd.Categorical:
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


def _paragraphs(text: str):
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line), line
        pos += len(line) + 1


def _first_sentence(s: str) -> str:
    m = _SENTENCE_END.search(s)
    return (s[: m.start()] if m else s).strip()


def outline(text: str) -> pd.DataFrame:
    """The parts of a speech with their spans in ``text``.

    Returns one row per part in reading order, with columns ``part`` (salutation, preamble,
    section, point, closing), ``section`` and ``point`` (numbers, NA where not applicable),
    ``label`` (``一、``, ``第一，``, ``一是``), ``title``, ``start``, ``end`` (``text[start:end]``
    is the part; a section's span includes its points) and ``n_chars`` (Han characters).
    """
    paras = [p for p in _paragraphs(text) if p[2].strip()]
    rows: list[dict] = []
    if not paras:
        return pd.DataFrame(columns=OUTLINE_COLUMNS)

    k = 0
    if _SALUTATION.match(paras[0][2].strip()):
        a, b, line = paras[0]
        rows.append(dict(part="salutation", label="", title=line.strip(), start=a, end=b))
        k = 1

    section_idx = [i for i in range(k, len(paras)) if _SECTION.match(paras[i][2])]
    # The closing: after the last section heading (or anywhere, when there is none), the
    # first paragraph that addresses the audience again.
    search_from = section_idx[-1] + 1 if section_idx else k + 1
    closing_idx = next((i for i in range(search_from, len(paras)) if _CLOSING.match(paras[i][2])), None)
    body_end = closing_idx if closing_idx is not None else len(paras)

    first_section = section_idx[0] if section_idx else body_end
    if first_section > k:
        rows.append(dict(part="preamble", label="", title="", start=paras[k][0],
                         end=paras[first_section - 1][1]))

    for n, si in enumerate(section_idx):
        last = (section_idx[n + 1] if n + 1 < len(section_idx) else body_end) - 1
        m = _SECTION.match(paras[si][2])
        sec_no = cn_number(m["num"])
        rows.append(dict(part="section", section=sec_no, label=m["label"], title=m["title"].strip(),
                         start=paras[si][0], end=paras[last][1]))
        points = []
        for pi in range(si + 1, last + 1):
            pm = _POINT.match(paras[pi][2])
            if pm:
                points.append((pi, pm))
        for j, (pi, pm) in enumerate(points):
            p_last = (points[j + 1][0] if j + 1 < len(points) else last + 1) - 1
            num = pm["num1"] or pm["num2"] or pm["num3"]
            rows.append(dict(part="point", section=sec_no, point=cn_number(num), label=pm["label"],
                             title=_first_sentence(pm["rest"]), start=paras[pi][0], end=paras[p_last][1]))

    if closing_idx is not None:
        rows.append(dict(part="closing", label="", title=_first_sentence(paras[closing_idx][2]),
                         start=paras[closing_idx][0], end=paras[-1][1]))

    frame = pd.DataFrame(rows).reindex(columns=OUTLINE_COLUMNS)
    frame["section"] = frame["section"].astype("Int64")
    frame["point"] = frame["point"].astype("Int64")
    before = han_before(text)
    frame["n_chars"] = [int(before[b] - before[a]) for a, b in zip(frame["start"], frame["end"])]
    return frame


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


def assign_parts(tokens: pd.DataFrame, parts: pd.DataFrame) -> pd.DataFrame:
    """``tokens`` with the columns ``part`` (Arrow-backed strings, like the token columns),
    ``section`` and ``point`` (Int64) of :func:`locate` added."""
    where = locate(tokens["start"].to_numpy(), parts)
    out = tokens.reset_index(drop=True)
    out["part"] = pd.array(where["part"].to_numpy(), dtype=pd.StringDtype("pyarrow"))
    out["section"] = where["section"].array
    out["point"] = where["point"].array
    return out
