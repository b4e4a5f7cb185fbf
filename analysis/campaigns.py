"""Named campaigns, slogans, documents and numbered formulas (數字提法) in a speech.

Official speeches mark the names they invoke: a campaign or slogan in quotation marks
(“陽光計生行動”, “晚婚晚育、從我做起”), a document in title marks (《…實施意見》), a numbered
formula by its numeral (“雙降”, “五有”, “雙建雙匯”), often followed by the items it stands
for in parentheses.

Design: :func:`campaign_mentions` lists every occurrence of every name (one row per
occurrence, quoted or not); :func:`campaigns` aggregates them to one row per name with its
quoted and total counts, its first occurrence and its category. The category comes from
the researcher-editable rule table ``analysis/data/campaign_rules.tsv`` (tried top to
bottom, first match wins; see the comments in the file) rather than from code, so that a
researcher can add a suffix or change a precedence without touching Python.
:func:`formulas` finds numbered formulas and links each to the expansion the speech gives.
All matching runs on the Simplified text, so Traditional and Simplified speeches give the
same results; names, items and spans are reported in the original script.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .chars import HAN
from .config import DATA_DIR
from .outline import locate, outline
from .script import to_simplified

CAMPAIGN_RULES = DATA_DIR / "campaign_rules.tsv"

CATEGORIES = ("campaign", "slogan", "formula", "document", "event", "figure", "other")
CATEGORY_LABELS = {
    "campaign": "活動/行動", "slogan": "口號", "formula": "提法/標準", "document": "文件",
    "event": "會議", "figure": "比喻", "other": "其他",
}
"""Chinese labels for the categories, for charts."""

_TESTS = ("kind", "name", "not_formula", "name_ends", "name_contains", "preceded_by",
          "followed_by", "shape")
_SHAPES = ("numeral_formula", "zhi_pairs", "clauses")

# Quotation marks as (open, close). Symmetric marks (ASCII "…", full-width ＂…＂) are
# paired left to right within a line.
_QUOTE_MARKS = [("“", "”"), ("「", "」"), ("『", "』"), ("‘", "’"), ('"', '"'), ("＂", "＂")]
_TITLE_MARKS = [("《", "》"), ("〈", "〉")]
# A name is at most this long; longer quoted passages, or ones holding a full stop, are
# quotations of sentences, not names.
_MAX_NAME = 40
_SENTENCE_PUNCT = "。！？；!?;"
_CLAUSE_SPLIT = re.compile("[、，,]")
_HAN_RE = re.compile(f"[{HAN}]")
_ALL_HAN = re.compile(f"^[{HAN}]+$")

# Numerals on the Simplified text (兩/雙/萬 become 两/双/万).
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "双": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_UNITS)
_HEADS = "一二两双三四五六七八九十百千万"
_NUMERAL_RUN = re.compile(f"^[{_NUMERAL_CHARS}]+")
# Counting words: a numeral followed by one of these is a count (三点意见, 一个时期, 第一届),
# not a formula, unless the speech quotes it or the rule table lists it.
_MEASURE_WORDS = set("个点条次种类名位年月日天周届批些级件轮方步")
_TIME_UNITS = set("年月日天周")


# --------------------------------------------------------------------------- rule table

def campaign_rules(path: str | Path | None = None) -> pd.DataFrame:
    """The category rules, in precedence order.

    Returns columns ``category``, ``test``, ``term`` (as written) and ``simplified``; one row
    per rule line of ``analysis/data/campaign_rules.tsv`` (or ``path``), comments skipped.
    Raises ``ValueError`` naming the line for an unknown category, test or shape.

    >>> campaign_rules().iloc[0].tolist()
    ['document', 'kind', 'title', 'title']
    """
    path = Path(path) if path is not None else CAMPAIGN_RULES
    rows = []
    with open(path, encoding="utf-8", newline="") as handle:
        for lineno, line in enumerate(handle, 1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = [f.strip() for f in line.split("\t")]
            if len(fields) != 3 or not all(fields):
                raise ValueError(
                    f"{path}:{lineno}: expected category<TAB>test<TAB>term, got {line!r}")
            category, test, term = fields
            if category not in CATEGORIES:
                raise ValueError(
                    f"{path}:{lineno}: unknown category {category!r} (one of {CATEGORIES})")
            if test not in _TESTS:
                raise ValueError(f"{path}:{lineno}: unknown test {test!r} (one of {_TESTS})")
            if test == "shape" and term not in _SHAPES:
                raise ValueError(f"{path}:{lineno}: unknown shape {term!r} (one of {_SHAPES})")
            simplified = term if test in ("kind", "shape") else to_simplified(term)
            rows.append((category, test, term, simplified))
    return pd.DataFrame(rows, columns=["category", "test", "term", "simplified"])


# --------------------------------------------------------------------------- quoted names

@dataclass(frozen=True)
class _Quoted:
    name: str         # original script, without the marks
    simplified: str
    kind: str         # quote | title
    start: int        # text[start:end] == name; the marks sit at start-1 and end
    end: int


def _quoted_names(text: str, simp: str) -> list[_Quoted]:
    """Every quoted name and 《》 title, sorted by position. Quotes nested in a title are
    found too (《…確保“雙降”目標…》 gives the title and 雙降)."""
    found = []
    for kind, marks in (("quote", _QUOTE_MARKS), ("title", _TITLE_MARKS)):
        for opening, closing in marks:
            body = f"[^{re.escape(opening + closing)}\n]"
            pattern = f"{re.escape(opening)}({body}{{1,{_MAX_NAME}}}){re.escape(closing)}"
            for m in re.finditer(pattern, text):
                name = m.group(1)
                if not _HAN_RE.search(name) or any(c in _SENTENCE_PUNCT for c in name):
                    continue
                a, b = m.span(1)
                found.append(_Quoted(name, simp[a:b], kind, a, b))
    return sorted(found, key=lambda q: (q.start, q.kind))


def _clauses(name: str) -> list[str]:
    """A multi-clause name split on 、，: 百萬會員一幫一、帶頭少生促雙降 → two clauses."""
    return [c for c in (part.strip() for part in _CLAUSE_SPLIT.split(name)) if c]


def _occurrences(simp: str, needle: str) -> list[int]:
    """Start offsets of the non-overlapping occurrences of ``needle``, left to right."""
    out, i = [], simp.find(needle)
    while i >= 0 and needle:
        out.append(i)
        i = simp.find(needle, i + len(needle))
    return out


# --------------------------------------------------------------------------- numerals

def _numeral_value(run: str) -> int | None:
    """Value of a run of Chinese numerals: 五 → 5, 十二 → 12, 百万 → 1000000, 两 → 2."""
    total, section, digit = 0, 0, None
    for ch in run:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch == "万":
            section = (section + (digit or 0)) or 1
            total += section * 10000
            section, digit = 0, None
        elif ch in _UNITS:
            section += (digit if digit is not None else 1) * _UNITS[ch]
            digit = None
        else:
            return None
    return total + section + (digit or 0)


def _clause_heads(clause: str) -> list[int]:
    """The numerals heading a clause: one (五有 → [5]) or two for the compound shape
    numeral-X-numeral-Y (雙建雙匯 → [2, 2], 兩學一做 → [2, 1]); [] when not numeral-headed."""
    m = _NUMERAL_RUN.match(clause)
    if not m:
        return []
    heads = [_numeral_value(m.group())]
    if (len(clause) >= 4 and len(m.group()) == 1 and clause[1] not in _NUMERAL_CHARS
            and clause[2] in _HEADS and all(c not in _NUMERAL_CHARS for c in clause[3:])):
        heads.append(_numeral_value(clause[2]))
    return heads


def _is_numeral_formula(simp: str) -> bool:
    """One clause of 2-5 Han characters, headed by a numeral, not all numerals (十二五)."""
    return (2 <= len(simp) <= 5 and bool(_ALL_HAN.match(simp)) and simp[0] in _HEADS
            and any(c not in _NUMERAL_CHARS for c in simp))


def _is_parallel_formula(simp: str) -> bool:
    """Two or more clauses of 2-8 Han characters, each headed by a numeral
    (雙誠信、雙承諾; 兩年明顯變化、五年大見成效、十年實現跨越)."""
    clauses = _clauses(simp)
    return len(clauses) >= 2 and all(
        2 <= len(c) <= 8 and _ALL_HAN.match(c) and c[0] in _HEADS for c in clauses)


_ZHI = re.compile(f"^[{HAN}]{{1,2}}之[{HAN}]{{1,3}}$")


def _shape(shape: str, simp: str) -> bool:
    if shape == "numeral_formula":
        return _is_numeral_formula(simp)
    if shape == "zhi_pairs":
        clauses = _clauses(simp)
        return len(clauses) >= 2 and all(_ZHI.match(c) for c in clauses)
    return len(_clauses(simp)) >= 2  # "clauses"


# --------------------------------------------------------------------------- categories

_FOLLOW_GAP = 4  # Han characters allowed between the closing mark and a followed_by term


def _han_run_after(simp: str, pos: int, limit: int = 12) -> str:
    """The Han characters right after ``pos``, up to the first other character."""
    m = re.match(f"[{HAN}]{{0,{limit}}}", simp[pos:])
    return m.group() if m else ""


def _followed_by(simp: str, quoted: _Quoted, term: str) -> bool:
    run = _han_run_after(simp, quoted.end + 1, _FOLLOW_GAP + len(term))
    i = run.find(term)
    return 0 <= i <= _FOLLOW_GAP


def _preceded_by(simp: str, quoted: _Quoted, term: str) -> bool:
    return simp.endswith(term, 0, max(quoted.start - 1, 0))


def _rule_list(rules: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    """The rule table as (category, test, term, simplified) tuples: pandas row access in
    the per-name loop would dominate the run time on a large corpus."""
    columns = ["category", "test", "term", "simplified"]
    return list(rules[columns].itertuples(index=False, name=None))


def _categorise(simp_name: str, kind: str, mentions: list[_Quoted], simp: str,
                rules: list[tuple[str, str, str, str]]) -> tuple[str, str]:
    """(category, rule that decided it) for one name; ("other", "") when no rule matches."""
    for category, test, written, term in rules:
        if test == "kind":
            hit = kind == term
        elif test in ("name", "not_formula"):
            hit = simp_name == term
        elif test == "name_ends":
            hit = simp_name.endswith(term)
        elif test == "name_contains":
            hit = term in simp_name
        elif test == "preceded_by":
            hit = any(_preceded_by(simp, q, term) for q in mentions)
        elif test == "followed_by":
            hit = any(_followed_by(simp, q, term) for q in mentions)
        else:
            hit = _shape(term, simp_name)
        if hit:
            return category, f"{test} {written}"
    return "other", ""


# --------------------------------------------------------------------------- campaigns

MENTION_COLUMNS = ["name", "simplified", "kind", "category", "quoted", "start", "end",
                   "part", "section", "point"]
CAMPAIGN_COLUMNS = ["name", "simplified", "kind", "category", "rule", "quoted", "count",
                    "start", "end", "part", "section", "point", "sections", "clauses"]


def _prepare(text: str, parts: pd.DataFrame | None, simplified: str | None):
    simp = to_simplified(text) if simplified is None else simplified
    if len(simp) != len(text):
        raise ValueError("simplified text must have one character per character of text")
    return simp, (outline(text) if parts is None else parts)


def _places(positions, parts: pd.DataFrame) -> dict[str, object]:
    """``part``, ``section``, ``point`` arrays for character offsets (:func:`analysis.outline.locate`)."""
    where = locate(positions, parts)
    return {column: where[column].array for column in ("part", "section", "point")}


def _with_place(frame: pd.DataFrame, parts: pd.DataFrame) -> pd.DataFrame:
    for column, values in _places(frame["start"].to_numpy(), parts).items():
        frame[column] = values
    return frame


def _mentions(text: str, simp: str, rules: list) -> list[dict]:
    """One dict per occurrence of every quoted name (see :func:`campaign_mentions`), in
    text order, with the name's category, rule and first-written form."""
    groups: dict[tuple[str, str], list[_Quoted]] = {}
    for q in _quoted_names(text, simp):
        groups.setdefault((q.simplified, q.kind), []).append(q)
    rows = []
    for (simp_name, kind), mentions in groups.items():
        category, rule = _categorise(simp_name, kind, mentions, simp, rules)
        quoted_at = {q.start for q in mentions}
        # Every occurrence of the name counts, quoted or not, also inside a longer name
        # (雙降 in “…帶頭少生促雙降”); `quoted` marks the ones in marks of their own. A
        # one-character name (“好”) would match everywhere: only its quoted mentions count.
        bare = set(_occurrences(simp, simp_name)) if len(simp_name) >= 2 else set()
        for start in sorted(bare | quoted_at):
            end = start + len(simp_name)
            rows.append({"name": text[start:end], "simplified": simp_name, "kind": kind,
                         "category": category, "quoted": start in quoted_at,
                         "start": start, "end": end, "rule": rule,
                         "first_name": mentions[0].name})
    rows.sort(key=lambda r: (r["start"], r["kind"], r["end"]))
    return rows


def campaign_mentions(text: str, parts: pd.DataFrame | None = None, *,
                      simplified: str | None = None, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every occurrence of every quoted name and 《》 title of ``text``, quoted or not.

    Returns one row per occurrence in text order: ``name`` (original script,
    ``text[start:end]``, marks excluded), ``simplified``, ``kind`` (quote/title),
    ``category``, ``quoted`` (False for a bare mention, e.g. 幸福工程 after “幸福工程”,
    or one inside a longer name), ``start``, ``end``, ``part``, ``section``, ``point``.
    ``parts`` is the :func:`analysis.outline` of ``text`` (computed when not given).

    >>> campaign_mentions("開展“幸福工程”，做好幸福工程。")[["name", "quoted"]].values.tolist()
    [['幸福工程', True], ['幸福工程', False]]
    """
    simp, parts = _prepare(text, parts, simplified)
    rows = _mentions(text, simp, _rule_list(campaign_rules() if rules is None else rules))
    frame = pd.DataFrame(rows, columns=MENTION_COLUMNS[:7])
    frame = frame.astype({"quoted": bool, "start": "int64", "end": "int64"})
    return _with_place(frame, parts)


def _campaign_rows(text: str, simp: str, parts: pd.DataFrame, rules: list) -> list[dict]:
    """The rows of :func:`campaigns` as dicts, in order of first occurrence."""
    mentions = _mentions(text, simp, rules)
    places = _places([m["start"] for m in mentions], parts)
    names: dict[tuple[str, str], dict] = {}
    for i, m in enumerate(mentions):
        section = places["section"][i]
        row = names.get((m["simplified"], m["kind"]))
        if row is None:
            name = m["first_name"]
            row = names[(m["simplified"], m["kind"])] = {
                "name": name, "simplified": m["simplified"], "kind": m["kind"],
                "category": m["category"], "rule": m["rule"], "quoted": 0, "count": 0,
                "start": m["start"], "end": m["end"], "part": places["part"][i],
                "section": section, "point": places["point"][i], "sections": set(),
                "clauses": _clauses(name) if m["kind"] == "quote" else [name],
            }
        row["quoted"] += m["quoted"]
        row["count"] += 1
        if section is not pd.NA:
            row["sections"].add(int(section))
    # Mentions come in text order, so names are in order of first occurrence already.
    return [dict(row, sections=sorted(row["sections"])) for row in names.values()]


def _campaign_frame(rows: list[dict], columns: list[str] = CAMPAIGN_COLUMNS) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"quoted": "int64", "count": "int64", "start": "int64", "end": "int64",
                         "section": "Int64", "point": "Int64"})


def campaigns(text: str, parts: pd.DataFrame | None = None, *,
              simplified: str | None = None, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """The quoted names (“…” 「…」 『…』 ‘…’ "…") and 《》 titles of ``text``, one row per name.

    Returns, in order of first occurrence: ``name`` (original script, as first written),
    ``simplified``, ``kind`` (quote/title), ``category`` (campaign, slogan, formula,
    document, event, figure, other; see ``analysis/data/campaign_rules.tsv``), ``rule``
    (the rule line that decided it), ``quoted`` (occurrences in marks of their own),
    ``count`` (all occurrences, bare ones included), ``start``/``end``/``part``/
    ``section``/``point`` of the first occurrence, ``sections`` (sorted section numbers
    of all occurrences) and ``clauses`` (a quoted name split on 、，; the name itself is
    kept whole). Use :func:`campaign_mentions` for one row per occurrence.

    >>> found = campaigns("開展“晚婚晚育、從我做起”宣傳服務活動")
    >>> found[["name", "category", "clauses"]].values.tolist()
    [['晚婚晚育、從我做起', 'campaign', ['晚婚晚育', '從我做起']]]
    """
    simp, parts = _prepare(text, parts, simplified)
    rules = _rule_list(campaign_rules() if rules is None else rules)
    return _campaign_frame(_campaign_rows(text, simp, parts, rules))


# --------------------------------------------------------------------------- formulas

FORMULA_COLUMNS = ["formula", "simplified", "evidence", "numerals", "numeral", "quoted", "count",
                   "start", "end", "part", "section", "point", "expansion", "expansion_source",
                   "expansion_start", "n_items", "matches"]

_ITEM_SPLIT = "、，,；;"
# 和/与/及 as conjunctions, not inside 和谐, 参与, 普及, 涉及, 及时.
_AND_SPLIT = re.compile("以及|和(?!谐)|(?<!参)与|(?<![普涉危波顾以])及(?!时)")
_SENTENCE_BREAK = re.compile("[。！？；!?;\n]")
_PAREN_OPEN, _PAREN_CLOSE = "（(", "）)"
_EXPANSION_LEAD = re.compile("^(?:即|包括|分别是|也就是)[：:]?")
_PAREN_GAP = 4  # Han characters allowed between a formula and its parenthesis (“三進”等活動（…）)
_MAX_SUBJECT = 30
# The subject of a defining sentence: the shortest Han run before 是/即/就是.
_SUBJECT = re.compile(f"([{HAN}]{{2,{_MAX_SUBJECT}}}?)(?:是|即|就是)")
_COMMA = re.compile("[，,]")


def _split_items(simp: str, a: int, b: int, separators: str = _ITEM_SPLIT) -> list[tuple[int, int]]:
    """Spans of the non-empty items of ``simp[a:b]`` split on ``separators``; a list of one
    item is split again on 和/与/及 (降低人口出生率和自然增長率 → two items)."""
    spans, start = [], a
    for i in range(a, b + 1):
        if i == b or simp[i] in separators:
            s, e = start, i
            while s < e and simp[s].isspace():
                s += 1
            while e > s and simp[e - 1].isspace():
                e -= 1
            if e > s:
                spans.append((s, e))
            start = i + 1
    if len(spans) == 1:
        s, e = spans[0]
        cuts = [(m.start() + s, m.end() + s) for m in _AND_SPLIT.finditer(simp[s:e])]
        if cuts:
            pieces, at = [], s
            for cs, ce in cuts:
                pieces.append((at, cs))
                at = ce
            pieces.append((at, e))
            if all(pe - ps >= 2 for ps, pe in pieces):
                spans = pieces
    return spans


def _after_formula(simp: str, end: int) -> int:
    """The position after a formula ending at ``end``, past a closing quote mark."""
    return end + 1 if end < len(simp) and simp[end] in "”」』’\"＂" else end


def _paren_expansion(simp: str, end: int):
    """Items of a parenthesis that follows the formula ending at ``end`` after at most
    _PAREN_GAP Han characters: (source, spans, paren start) or None. A parenthesis of one
    item (各縣（區）) is a gloss, not an expansion."""
    at = _after_formula(simp, end)
    gap = _han_run_after(simp, at, _PAREN_GAP)
    p = at + len(gap)
    if p >= len(simp) or simp[p] not in _PAREN_OPEN:
        return None
    window = range(p + 1, min(len(simp), p + 200))
    close = next((i for i in window if simp[i] in _PAREN_CLOSE), None)
    if close is None:
        return None
    lead = _EXPANSION_LEAD.match(simp[p + 1:close])
    spans = _split_items(simp, p + 1 + (lead.end() if lead else 0), close)
    return ("parenthesis", spans, p) if len(spans) >= 2 else None


def _sentence_end(simp: str, start: int) -> int:
    m = _SENTENCE_BREAK.search(simp, start)
    return m.start() if m else len(simp)


def _ji_expansion(simp: str, end: int):
    """Items after 即 (or ，即) right after the formula: (source, spans, position) or None.
    Items run to the end of the clause when that clause alone is a list, else to the end
    of the sentence."""
    at = _after_formula(simp, end)
    if simp[at:at + 1] in "，,：:":
        at += 1
    if not simp.startswith("即", at):
        return None
    stop = _sentence_end(simp, at)
    clause = _COMMA.search(simp, at + 1, stop)
    spans = _split_items(simp, at + 1, clause.start()) if clause else []
    if len(spans) < 2:
        spans = _split_items(simp, at + 1, stop)
    return ("即", spans, at) if len(spans) >= 2 else None


def _defining_expansion(simp: str, start: int, end: int, formula: str, numeral: int | None):
    """The subject of the sentence after the one mentioning the formula, in the same
    paragraph, when it is a list whose length is the numeral and which shares a character
    with the formula (降低人口出生率和自然增長率是… after “雙降”): (source, spans, position)."""
    if numeral is None:
        return None
    here = _sentence_end(simp, end)
    if here >= len(simp) or simp[here] == "\n":
        return None
    a = here + 1
    b = _sentence_end(simp, a)
    m = _SUBJECT.match(simp, a, b)
    if not m:
        return None
    spans = _split_items(simp, a, a + len(m.group(1)))
    content = set(formula) - set(_NUMERAL_CHARS)
    joined = "".join(simp[s:e] for s, e in spans)
    if len(spans) == numeral and content & set(joined):
        return ("defining sentence", spans, a)
    return None


def _formula_numerals(simp: str) -> tuple[list[int], int | None]:
    """The numerals heading a formula's clauses and the count they claim: their sum
    (雙建雙匯 → [2, 2], 4; 五有 → [5], 5). A timeline whose every clause is headed by
    a span of time (兩年…、五年…、十年…) claims no count: None."""
    clauses = _clauses(simp)
    heads = [h for c in clauses for h in _clause_heads(c)]
    timeline = len(clauses) >= 2 and all(
        (m := _NUMERAL_RUN.match(c)) and c[m.end():m.end() + 1] in _TIME_UNITS for c in clauses)
    if timeline:
        return heads, None
    return heads, (sum(heads) if heads and None not in heads else None)


_COMPOUND_HEAD = "一两双三四五六七八九十"  # no 二, no 百千万: idioms (三心二意, 千家万户)
_COMPOUND = re.compile(f"(?<![{_NUMERAL_CHARS}])([{_COMPOUND_HEAD}][{HAN}][{_COMPOUND_HEAD}][{HAN}])"
                       f"(?![{_NUMERAL_CHARS}])")


def _formula_lexicon(rules: pd.DataFrame) -> tuple[frozenset[str], list[str]]:
    """From the rule table: the strings that are never formulas (``not_formula`` rows) and
    the known formulas looked for bare (``formula name`` rows)."""
    never = frozenset(rules.loc[rules.test == "not_formula", "simplified"])
    known = rules.loc[(rules.category == "formula") & (rules.test == "name"), "simplified"]
    return never, [term for term in known if term not in never]


def _formula_candidates(quoted: list[_Quoted], simp: str,
                        lexicon: tuple[frozenset[str], list[str]]) -> dict[str, str]:
    """Simplified formula → evidence (quoted, lexicon, repeated, expanded), in the order
    found. See :func:`formulas` for the rule."""
    never, known = lexicon
    found: dict[str, str] = {}
    for q in quoted:
        if q.kind == "quote" and q.simplified not in never and (
                _is_numeral_formula(q.simplified) or _is_parallel_formula(q.simplified)):
            found.setdefault(q.simplified, "quoted")
    for term in known:
        if term in simp:
            found.setdefault(term, "lexicon")
    # Repeated: the compound shape numeral-X-numeral-Y (兩學一做, 三嚴三實) is specific enough
    # to trust when it recurs; 二 (三心二意) and 一…一 (一心一意) are left out because idioms
    # use them, and the rule table's not_formula rows list the rest (五湖四海).
    compounds: dict[str, int] = {}
    for m in _COMPOUND.finditer(simp):
        s = m.group(1)
        if not (s[0] == s[2] == "一") and s not in never:
            compounds[s] = compounds.get(s, 0) + 1
    for s, n in compounds.items():
        if n >= 2:
            found.setdefault(s, "repeated")
    # Expanded: a bare numeral-headed word right before a parenthesis or 即 whose items
    # number exactly what the numeral says (開展三進（進校園、進企業、進社區）).
    for m in re.finditer(f"[{_PAREN_OPEN}]|，?即", simp):
        p = m.start()
        run = re.search(f"[{HAN}]{{1,5}}$", simp[max(0, p - 5):p])
        if not run:
            continue
        word = run.group()
        for i in range(len(word) - 1):
            cand = word[i:]
            q = p - len(cand)
            if (cand[0] not in _HEADS or cand[1] in _MEASURE_WORDS or cand in never
                    or simp[q - 1:q] == "第" or cand[1] == "是" or not _is_numeral_formula(cand)):
                continue
            got = _paren_expansion(simp, p) if simp[p] in _PAREN_OPEN else _ji_expansion(simp, p)
            _, claim = _formula_numerals(cand)
            if got and claim == len(got[1]):
                found.setdefault(cand, "expanded")
                break
    return found


def formulas(text: str, parts: pd.DataFrame | None = None, *,
             simplified: str | None = None, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """The numbered formulas (數字提法) of ``text`` and the items the speech expands them into.

    A formula is a short fixed expression headed by a numeral (一…十, 兩, 雙, 百, 千, 萬):
    one clause of 2-5 Han characters (雙降, 五有, 三進, 雙建雙匯, 五項工程, 兩會) or
    several clauses each headed by one (雙誠信、雙承諾; 兩年明顯變化、五年大見成效、十年實現
    跨越), found by one of four kinds of ``evidence``:

    * ``quoted``: it stands in quotation marks;
    * ``lexicon``: a ``formula name`` row of ``campaign_rules.tsv`` (兩委, 三嚴三實), bare;
    * ``repeated``: the compound shape numeral-X-numeral-Y (兩學一做), bare, twice or more;
    * ``expanded``: bare, right before a parenthesis or 即 listing as many items as it says.

    Ordinary counting is not a formula: 一是/二是 labels, 第一, 一些, 一個, 一次, dates, and
    講三點意見 (a count of the speech's own parts: bare, said once, never expanded), and
    numeral-headed idioms listed as ``not_formula`` in the rule table.

    Returns one row per formula in order of first occurrence: ``formula`` (original
    script), ``simplified``, ``evidence``, ``numerals`` (the heads, 雙建雙匯 → [2, 2]),
    ``numeral`` (the count they claim: their sum, or NA for a timeline like 兩年…、五年…),
    ``quoted`` and ``count`` (quoted and all occurrences, bare and inside longer names),
    ``start``/``end``/``part``/``section``/``point`` of the first occurrence,
    ``expansion`` (list of items, original script), ``expansion_source`` (parenthesis,
    即, defining sentence, or none), ``expansion_start``, ``n_items`` and ``matches``
    (``n_items == numeral``; NA without an expansion or a numeral).

    Expansion: at each occurrence in turn, a parenthesis at most 4 Han characters after
    it (“三進”等活動（進校園、進企業、進社區、）), its leading 即 dropped and split on
    、，；; else 即 right after it; else, only when the items number exactly what the
    numeral says and share a character with the formula, the subject of the next
    sentence in the same paragraph (“雙降”… 降低人口出生率和自然增長率是…).

    >>> found = formulas("按照“五有”標準（即有場所、有制度、有隊伍、有器材、有計劃）")
    >>> found[["formula", "n_items", "matches"]].values.tolist()
    [['五有', 5, True]]
    """
    simp, parts = _prepare(text, parts, simplified)
    lexicon = _formula_lexicon(campaign_rules() if rules is None else rules)
    return _formula_frame(_formula_rows(text, simp, parts, lexicon))


def _formula_rows(text: str, simp: str, parts: pd.DataFrame,
                  lexicon: tuple[frozenset[str], list[str]]) -> list[dict]:
    """The rows of :func:`formulas` as dicts, in order of first occurrence."""
    quoted = _quoted_names(text, simp)
    quoted_at = {(q.simplified, q.start) for q in quoted if q.kind == "quote"}
    rows = []
    for form, evidence in _formula_candidates(quoted, simp, lexicon).items():
        starts = _occurrences(simp, form)
        if not starts:
            continue
        heads, numeral = _formula_numerals(form)
        expansion = None
        for start in starts:
            expansion = (_paren_expansion(simp, start + len(form))
                         or _ji_expansion(simp, start + len(form)))
            if expansion:
                break
        if expansion is None:
            for start in starts:
                expansion = _defining_expansion(simp, start, start + len(form), form, numeral)
                if expansion:
                    break
        first = starts[0]
        if expansion:
            source, spans, at = expansion
            items = [text[s:e] for s, e in spans]
            n_items = len(items)
            matches = pd.NA if numeral is None else n_items == numeral
        else:
            source, items, at, n_items, matches = "none", [], pd.NA, pd.NA, pd.NA
        rows.append({
            "formula": text[first:first + len(form)], "simplified": form, "evidence": evidence,
            "numerals": heads, "numeral": numeral if numeral is not None else pd.NA,
            "quoted": sum((form, s) in quoted_at for s in starts), "count": len(starts),
            "start": first, "end": first + len(form), "expansion": items,
            "expansion_source": source, "expansion_start": at, "n_items": n_items,
            "matches": matches,
        })
    rows.sort(key=lambda r: (r["start"], r["end"]))
    places = _places([r["start"] for r in rows], parts)
    for i, row in enumerate(rows):
        row.update(part=places["part"][i], section=places["section"][i],
                   point=places["point"][i])
    return rows


def _formula_frame(rows: list[dict], columns: list[str] = FORMULA_COLUMNS) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"numeral": "Int64", "quoted": "int64", "count": "int64",
                         "start": "int64", "end": "int64", "section": "Int64", "point": "Int64",
                         "expansion_start": "Int64", "n_items": "Int64", "matches": "boolean"})


# --------------------------------------------------------------------------- corpus level

def _speech_rows(corpus: pd.DataFrame, rows_of) -> list[dict]:
    """``rows_of(text, simplified, parts)`` for every speech, each row with its speech_id:
    one frame is built at the end, not one per speech (pandas overhead per frame would
    dominate on thousands of speeches)."""
    has_simp = "text_simplified" in corpus.columns
    rows = []
    for row in corpus.itertuples(index=False):
        simp = row.text_simplified if has_simp else to_simplified(row.text)
        for found in rows_of(row.text, simp, outline(row.text)):
            rows.append({"speech_id": row.speech_id, **found})
    return rows


def corpus_campaigns(corpus: pd.DataFrame) -> pd.DataFrame:
    """:func:`campaigns` of every speech of ``corpus`` (the frame of
    :func:`analysis.load_corpus`), with ``speech_id`` first, in corpus order.

    >>> corpus_campaigns(load_corpus()).query("category == 'campaign'").name.iloc[0]
    '百萬會員一幫一、帶頭少生促雙降'
    """
    rules = _rule_list(campaign_rules())
    rows = _speech_rows(corpus, lambda text, simp, parts: _campaign_rows(text, simp, parts, rules))
    return _campaign_frame(rows, ["speech_id", *CAMPAIGN_COLUMNS])


def corpus_formulas(corpus: pd.DataFrame) -> pd.DataFrame:
    """:func:`formulas` of every speech of ``corpus``, with ``speech_id`` first, in corpus order.

    >>> corpus_formulas(load_corpus()).formula.iloc[0]
    '兩會'
    """
    lexicon = _formula_lexicon(campaign_rules())
    rows = _speech_rows(corpus, lambda text, simp, parts: _formula_rows(text, simp, parts, lexicon))
    return _formula_frame(rows, ["speech_id", *FORMULA_COLUMNS])


def corpus_campaign_mentions(corpus: pd.DataFrame) -> pd.DataFrame:
    """:func:`campaign_mentions` of every speech of ``corpus``, ``speech_id`` first: one row
    per occurrence of a quoted name, with the part, section and point it stands in."""
    rules = campaign_rules()
    frames = [
        campaign_mentions(row.text, simplified=row.text_simplified, rules=rules)
        .assign(speech_id=row.speech_id)
        for row in corpus.itertuples(index=False)
    ]
    if not frames:
        return pd.DataFrame(columns=["speech_id", *MENTION_COLUMNS])
    frame = pd.concat(frames, ignore_index=True)
    return frame[["speech_id", *[c for c in frame.columns if c != "speech_id"]]]
