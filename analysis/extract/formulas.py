"""Numbered formulas (數字提法) and the names a speech marks: quotation marks, 《》 titles
and the researcher's gazetteer of known names.

A numbered formula is a short fixed expression headed by a numeral that stands for a list
(雙降, 五有, 三進, 雙建雙匯, 三個代表, 一國兩制, 八項規定, 三去一降一補). Official text is full
of other numeral-headed strings that are not formulas, and the rules here keep them out:

* numbers and dates written in Chinese numerals (一九七七年, 一五六項, 九二共識's 九二), decimals
  (一點八倍), ranges (五到十年, 三至五年), approximations (兩三個) and streaks (九連增);
* ordinals and congresses (第三, 十一屆三中全會, 十八大), plan periods (十二五);
* counts (三個方面, 一個時期): a numeral and a measure word written bare;
* idioms and words whose numeral counts nothing (四兩撥千斤, 三心二意, 千方百計, 一刀切, 一切,
  雙贏): the researcher-editable stoplist ``analysis/data/not_formulas.txt``.

A string of formula shape is reported when one of these ``evidence`` holds: it is
``quoted`` (“五有”); it is listed in the ``gazetteer`` (``analysis/data/gazetteer.tsv``:
一國兩制, 四個現代化 … are found bare); it is a compound numeral-X-numeral-Y said twice or
more (``repeated``: 兩學一做); it is written bare right before a parenthesis or 即 whose
items number what it says (``expanded``); or, in :func:`corpus_formulas`, it is quoted as a
formula in another speech of the same corpus (``attested``).

Each formula is linked to the expansion the speech gives (a parenthesis, 即, or the sentence
that defines it), its numeral is checked against the items, and 雙 meaning "both parties"
(雙誠信、雙承諾: both sides pledge) is not taken for a count of two (the gazetteer's
``count`` column says ``both``). All matching runs on the Simplified text; formulas, items
and spans are reported in the original script.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..common.datafiles import data_lines
from ..common.deprecation import renamed_arguments
from ..config import DATA_DIR
from ..corpus.memo import corpus_memo
from ..text.chars import HAN
from ..text.numbers import numeral_value
from ..text.outline import outline
from ..text.script import to_simplified

GAZETTEER = DATA_DIR / "gazetteer.tsv"
FUNCTIONS = ("campaign", "target", "standard", "slogan", "mechanism", "policy", "problem",
             "event", "period", "document", "body", "figure", "other")
"""What a name does: the functions the gazetteer and the campaign rules assign (the
classifier, :mod:`analysis.extract.campaigns`, decides among them)."""
NOT_FORMULAS = DATA_DIR / "not_formulas.txt"

FORMULA_COLUMNS = ["formula", "simplified", "canonical", "evidence", "numerals", "numeral",
                   "numeral_kind", "quoted", "count", "start", "end", "part", "section", "point",
                   "expansion", "expansion_source", "expansion_start", "n_items", "matches", "passage"]
EVIDENCE = ("quoted", "gazetteer", "repeated", "expanded", "attested")
NUMERAL_KINDS = ("count", "timeline", "both", "magnitude", "none")

# --------------------------------------------------------------------------- marked names

# Quotation marks as (open, close). Symmetric marks (ASCII "…", full-width ＂…＂) are
# paired left to right within a line.
_QUOTE_MARKS = [("“", "”"), ("「", "」"), ("『", "』"), ("‘", "’"), ('"', '"'), ("＂", "＂")]
_TITLE_MARKS = [("《", "》"), ("〈", "〉")]
_CLOSING_MARKS = "”」』’\"＂》〉"
# A name is at most this long; longer quoted passages, or ones holding a full stop, are
# quotations of sentences, not names.
_MAX_NAME = 40
_SENTENCE_PUNCT = "。！？；!?;"
_CLAUSE_SPLIT = re.compile("[、，,]")
_HAN_RE = re.compile(f"[{HAN}]")
_ALL_HAN = re.compile(f"^[{HAN}]+$")


@dataclass(frozen=True)
class Marked:
    """A name in quotation marks or title marks: ``text[start:end] == name``; the marks sit
    at ``start - 1`` and ``end``."""
    name: str         # original script, without the marks
    simplified: str
    kind: str         # quote | title
    start: int
    end: int


def marked_names(text: str, simp: str) -> list[Marked]:
    """Every quoted name and 《》 title, sorted by position. Quotes nested in a title are
    found too (《…確保“雙降”目標…》 gives the title and 雙降).

    >>> [(m.name, m.kind) for m in marked_names("學習《條例》和“三進”", "学习《条例》和“三进”")]
    [('條例', 'title'), ('三進', 'quote')]
    """
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
                found.append(Marked(name, simp[a:b], kind, a, b))
    return sorted(found, key=lambda q: (q.start, q.kind))


def clauses(name: str) -> list[str]:
    """A multi-clause name split on 、，: 百萬會員一幫一、帶頭少生促雙降 → two clauses.

    >>> clauses("雙誠信、雙承諾")
    ['雙誠信', '雙承諾']
    """
    return [c for c in (part.strip() for part in _CLAUSE_SPLIT.split(name)) if c]


def occurrences(simp: str, needle: str) -> list[int]:
    """Start offsets of the non-overlapping occurrences of ``needle``, left to right."""
    out, i = [], simp.find(needle)
    while i >= 0 and needle:
        out.append(i)
        i = simp.find(needle, i + len(needle))
    return out


# --------------------------------------------------------------------------- numerals

# On the Simplified text (兩/雙/萬 become 两/双/万).
NUMERAL_CHARS = "零〇一二两双三四五六七八九十百千万"
_UNITS = "十百千万"
_HEADS = "一二两双三四五六七八九十百千万"
_MAGNITUDE_HEADS = "百千万"  # 百花, 千村, 万村: a size, not a number of items
_NUMERAL_RUN = re.compile(f"^[{NUMERAL_CHARS}]+")
# Digits written one by one, with no unit between them: a year (一九七七), a code (一五六项),
# a date (九一八) or an approximation (两三个, 三四年) — never a count of items.
_DIGIT_RUN = re.compile("[〇零一二两三四五六七八九]{2,}")
# Counting words: a numeral followed by one of these, written bare, is a count (三点意见,
# 一个时期, 第一届), not a formula, unless the speech quotes it or the gazetteer lists it.
_MEASURE_WORDS = set("个点条次种类名位年月日天周届批些级件轮方步项大部处份倍道")
_TIME_UNITS = set("年月日天周")
# After a numeral, these make a number, not a name: decimals (一点八), ranges (五到十, 三至五,
# 三或四), approximations (十多, 五余, 十来), ordinal sessions (三届, 三中全会), streaks (九连增).
_NOT_A_COUNT_AFTER = re.compile(f"^[{NUMERAL_CHARS}]+(?:点[{NUMERAL_CHARS}]|[到至或][{NUMERAL_CHARS}]"
                                f"|[多余来几]|届|中全会|连[{HAN}])")
_CONGRESS = re.compile(f"^[{NUMERAL_CHARS}]+大$")  # 十八大, 二十大: a party congress


def _clause_heads(clause: str) -> list[int]:
    """The numerals heading the parts of a clause: 五有 → [5]; a compound alternating
    numerals and other characters gives one per numeral (雙建雙匯 → [2, 2], 三去一降一補 →
    [3, 1, 1]); [] when the clause is not numeral-headed."""
    return [numeral_value(_head_run(m.group())) for m in re.finditer(f"[{NUMERAL_CHARS}]+", clause)
            if m.start() == 0 or _is_compound(clause)]


def _head_run(run: str) -> str:
    """The numeral of a run that heads a formula: 雙/兩 followed by a digit stand alone
    (雙一流 is two first-class things, not 一), unless a unit follows (兩萬, 兩百)."""
    if len(run) > 1 and run[0] in "双两" and run[1] not in _UNITS:
        return run[0]
    return run


_COMPOUND_SHAPE = re.compile(f"^(?:[{_HEADS}][^{NUMERAL_CHARS}]{{1,2}}){{2,3}}$")


def _is_compound(clause: str) -> bool:
    """Numerals alternating with one or two other characters, two or three times
    (兩學一做, 三嚴三實, 三去一降一補, 兩不愁三保障, 雙隨機一公開)."""
    return bool(_COMPOUND_SHAPE.match(clause))


def numeral_claim(simp: str, count: str = "") -> tuple[list[int], int | None, str]:
    """The numerals heading a formula's parts, the number of items they claim and what kind
    of claim it is (one of ``NUMERAL_KINDS``).

    ``count`` is the gazetteer's say: ``""`` (the numerals decide), an integer, ``both``
    (雙/兩 means both parties: no count) or ``none``. A timeline whose every clause is
    headed by a span of time (兩年…、五年…、十年…) claims no count, nor does a magnitude
    (百/千/萬 alone: 千村示範、萬村整治).

    >>> numeral_claim("双建双汇")
    ([2, 2], 4, 'count')
    >>> numeral_claim("双一流")
    ([2], 2, 'count')
    >>> numeral_claim("两年明显变化、五年大见成效、十年实现跨越")
    ([2, 5, 10], None, 'timeline')
    >>> numeral_claim("双诚信、双承诺", "both")
    ([2, 2], None, 'both')
    """
    parts = clauses(simp)
    heads = [h for c in parts for h in _clause_heads(c)]
    if count == "both":
        return heads, None, "both"
    if count == "none":
        return heads, None, "none"
    if count:
        return heads, int(count), "count"
    if len(parts) >= 2 and all(
            (m := _NUMERAL_RUN.match(c)) and c[m.end():m.end() + 1] in _TIME_UNITS for c in parts):
        return heads, None, "timeline"
    if any(c[0] in _MAGNITUDE_HEADS for c in parts):
        return heads, None, "magnitude"
    return heads, (sum(heads) if heads and None not in heads else None), "count"


# --------------------------------------------------------------------------- shapes

def _single_shape(simp: str) -> bool:
    """One clause of Han characters headed by a numeral, not all numerals (十二五): 2 to 5
    characters (雙降, 五有, 三個代表, 兩個一百年), or up to 8 for a compound (三去一降一補)."""
    return (2 <= len(simp) <= 8 and bool(_ALL_HAN.match(simp)) and simp[0] in _HEADS
            and any(c not in NUMERAL_CHARS for c in simp)
            and (len(simp) <= 5 or _is_compound(simp)))


def _parallel_shape(simp: str) -> bool:
    """Two or more clauses of 2-8 Han characters, each headed by a numeral (雙誠信、雙承諾;
    兩年明顯變化、五年大見成效、十年實現跨越), unless the numerals only number the clauses
    in order (一要吃飯、二要建設: an enumeration, not a count)."""
    parts = clauses(simp)
    if len(parts) < 2 or not all(2 <= len(c) <= 8 and _ALL_HAN.match(c) and c[0] in _HEADS
                                 for c in parts):
        return False
    firsts = [numeral_value(_NUMERAL_RUN.match(c).group()) for c in parts]
    return firsts != list(range(1, len(parts) + 1))


def formula_shape(simp: str) -> bool:
    """Whether a (Simplified) string has the shape of a numbered formula; see
    :func:`formulas` for what else it takes to be reported.

    >>> [formula_shape(s) for s in ("双降", "三去一降一补", "十二五", "一要吃饭、二要建设")]
    [True, True, False, False]
    """
    return _single_shape(simp) or _parallel_shape(simp)


def _not_a_count(simp: str) -> bool:
    """Numbers, dates, ordinals and congresses written in numerals (see the module notes)."""
    return any(_DIGIT_RUN.match(c) or _NOT_A_COUNT_AFTER.match(c) or _CONGRESS.match(c)
               or (len(c) == 2 and c[1] in _TIME_UNITS) for c in clauses(simp))


# --------------------------------------------------------------------------- researcher lists

@dataclass(frozen=True)
class Stoplist:
    """``analysis/data/not_formulas.txt``: exact strings and prefixes (Simplified) that are
    never formulas, and contexts in which a formula's string is no formula (同属[一个中国]:
    one China as the thing both sides belong to, not the one-China principle)."""
    exact: frozenset[str]
    prefixes: tuple[str, ...]
    contexts: tuple[tuple[str, str, str], ...] = ()

    def __contains__(self, simp: str) -> bool:
        parts = clauses(simp)
        return any(p in self.exact or p.startswith(self.prefixes) for p in [simp, *parts])

    def blocked(self, simp: str, start: int, end: int) -> bool:
        """Whether the occurrence ``simp[start:end]`` stands in a listed context."""
        form = simp[start:end]
        return any(form == name and simp[max(0, start - len(before)):start] == before
                   and simp[end:end + len(after)] == after for before, name, after in self.contexts)


def not_formulas(path: str | Path | None = None) -> Stoplist:
    """The stoplist of numeral-headed strings that are not formulas (idioms, words whose
    numeral counts nothing). One entry a line, either script; ``#`` comments; a line ending
    in ``*`` is a prefix (``一切*``). A multi-clause name is left out when it or any of its
    clauses is listed. A line ``words[formula]words`` is a context: an occurrence of the
    formula with those words right before (and after) it is not counted (``同屬[一個中國]``).

    >>> "四两拨千斤" in not_formulas(), "一切向钱看" in not_formulas(), "三个代表" in not_formulas()
    (True, True, False)
    """
    path = Path(path) if path is not None else NOT_FORMULAS
    return _not_formulas_for(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _not_formulas_for(path: str, mtime: int) -> Stoplist:
    exact, prefixes, contexts = set(), [], []
    with open(path, encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            entry = line.split("#", 1)[0].strip()
            if not entry:
                continue
            if any(c.isspace() for c in entry):
                raise ValueError(f"{path}:{lineno}: one string a line, got {line.strip()!r}")
            if "[" in entry or "]" in entry:
                m = _CONTEXT_ENTRY.match(entry)
                if not m or not (m["before"] or m["after"]):
                    raise ValueError(f"{path}:{lineno}: a context is written words[formula]words, with "
                                     f"words on at least one side, got {entry!r}")
                contexts.append(tuple(to_simplified(m[k]) for k in ("before", "name", "after")))
            elif entry.endswith("*"):
                if len(entry) < 2:
                    raise ValueError(f"{path}:{lineno}: a prefix needs at least one character")
                prefixes.append(to_simplified(entry[:-1]))
            else:
                exact.add(to_simplified(entry))
    return Stoplist(frozenset(exact), tuple(prefixes), tuple(contexts))


_CONTEXT_ENTRY = re.compile(r"^(?P<before>[^\[\]*]*)\[(?P<name>[^\[\]*]+)\](?P<after>[^\[\]*]*)$")


GAZETTEER_COLUMNS = ["name", "simplified", "function", "variants", "count", "note"]
_COUNTS = re.compile(r"^(?:|\d+|both|none)$")


def gazetteer(path: str | Path | None = None) -> pd.DataFrame:
    """The researcher's gazetteer of known campaign and formula names.

    Returns one row per name line of ``analysis/data/gazetteer.tsv`` (or ``path``):
    ``name`` (as written there), ``simplified``, ``function`` (see
    :data:`FUNCTIONS`), ``variants`` (list of other spellings,
    Simplified), ``count`` (``""``, an integer, ``both`` or ``none``: see
    :func:`numeral_claim`) and ``note``. Raises ``ValueError`` naming the line for a
    malformed line, an unknown function or a name listed twice.

    >>> gazetteer().set_index("simplified").loc["一国两制", "function"]
    'policy'
    """
    path = Path(path) if path is not None else GAZETTEER
    return _gazetteer_for(str(path), path.stat().st_mtime_ns).copy()


@functools.lru_cache(maxsize=4)
def _gazetteer_for(path: str, mtime: int) -> pd.DataFrame:
    rows, seen = [], {}
    for lineno, fields in data_lines(path):
        line = "\t".join(fields)
        fields += [""] * (5 - len(fields))
        if len(fields) > 5 or not fields[0] or not fields[1]:
            raise ValueError(f"{path}:{lineno}: expected name<TAB>function[<TAB>variants"
                             f"<TAB>count<TAB>note], got {line!r}")
        name, function, variants, count, note = fields
        if function not in FUNCTIONS:
            raise ValueError(f"{path}:{lineno}: unknown function {function!r} (one of {FUNCTIONS})")
        if not _COUNTS.match(count):
            raise ValueError(f"{path}:{lineno}: count must be empty, a number, both or none; "
                             f"got {count!r}")
        simp = to_simplified(name)
        spellings = [to_simplified(v.strip()) for v in variants.split("|") if v.strip()]
        for s in [simp, *spellings]:
            if s in seen:
                raise ValueError(f"{path}:{lineno}: {s!r} is already listed on line {seen[s]}")
            seen[s] = lineno
        rows.append((name, simp, function, spellings, count, note))
    return pd.DataFrame(rows, columns=GAZETTEER_COLUMNS)


@dataclass(frozen=True)
class Lexicon:
    """What the formula and name finders read from the researcher's files, prepared once:
    the stoplist, the gazetteer's spellings (Simplified spelling → canonical Simplified
    name) with their count and function, and one regex that finds them all."""
    stop: Stoplist
    canonical: dict[str, str]
    counts: dict[str, str]
    functions: dict[str, str]
    pattern: re.Pattern | None

    def with_attested(self, names) -> Lexicon:
        """This lexicon plus formulas quoted elsewhere in a corpus (looked for bare)."""
        extra = sorted(set(names) - set(self.canonical))
        if not extra:
            return self
        canonical = dict(self.canonical, **{n: n for n in extra})
        return Lexicon(self.stop, canonical, self.counts, self.functions, _spellings_regex(canonical),
                       attested=frozenset(extra) | self.attested)

    attested: frozenset[str] = frozenset()


# A listed name of four or more characters also counts when written with one enumeration
# comma between two parts of at least two characters (少生、快富 for 少生快富): speeches split
# slogans that way. Such a mention is marked ``split``.
_SPLIT_MIN = 4


def _spellings_regex(canonical: dict[str, str]) -> re.Pattern | None:
    alternatives = []
    for spelling in canonical:
        alternatives.append(re.escape(spelling))
        if len(spelling) >= _SPLIT_MIN and _ALL_HAN.match(spelling):
            for i in range(2, len(spelling) - 1):
                alternatives.append(re.escape(spelling[:i] + "、" + spelling[i:]))
    if not alternatives:
        return None
    # Longest first: the regex takes the first alternative that matches at a position.
    alternatives.sort(key=len, reverse=True)
    return re.compile("|".join(alternatives))


def lexicon(gazetteer_frame: pd.DataFrame | None = None, stop: Stoplist | None = None) -> Lexicon:
    """The researcher's lists prepared for matching (default: the project's files)."""
    if gazetteer_frame is None and stop is None:
        return _default_lexicon(GAZETTEER.stat().st_mtime_ns, NOT_FORMULAS.stat().st_mtime_ns)
    return _build_lexicon(gazetteer() if gazetteer_frame is None else gazetteer_frame,
                          not_formulas() if stop is None else stop)


@functools.lru_cache(maxsize=2)
def _default_lexicon(*mtimes: int) -> Lexicon:
    return _build_lexicon(gazetteer(), not_formulas())


def _build_lexicon(frame: pd.DataFrame, stop: Stoplist) -> Lexicon:
    canonical, counts, functions = {}, {}, {}
    for simp, function, variants, count in frame[["simplified", "function", "variants", "count"]].itertuples(
            index=False, name=None):
        functions[simp] = function
        counts[simp] = count
        for spelling in [simp, *variants]:
            canonical[spelling] = simp
    return Lexicon(stop, canonical, counts, functions, _spellings_regex(canonical))


@dataclass(frozen=True)
class Hit:
    """A gazetteer spelling found in the text: ``simp[start:end]`` (which may hold one
    enumeration comma when ``split``) spells ``canonical``."""
    spelling: str     # Simplified, as listed (without the comma of a split hit)
    canonical: str
    start: int
    end: int
    split: bool


def listed_hits(simp: str, lex: Lexicon) -> list[Hit]:
    """Every occurrence of a gazetteer name or variant (and of attested formulas) in the
    Simplified text, left to right, longest match first at each position."""
    if lex.pattern is None:
        return []
    hits = []
    for m in lex.pattern.finditer(simp):
        found = m.group()
        spelling = found.replace("、", "") if found not in lex.canonical else found
        if lex.stop.blocked(simp, m.start(), m.end()):
            continue
        hits.append(Hit(spelling, lex.canonical[spelling], m.start(), m.end(), found != spelling))
    return hits


def name_occurrences(simp: str, name: str, lex: Lexicon) -> list[int]:
    """:func:`occurrences` of ``name``, without those in a context the stoplist lists
    (同属[一个中国])."""
    return [s for s in occurrences(simp, name) if not lex.stop.blocked(simp, s, s + len(name))]


# --------------------------------------------------------------------------- candidates

def _is_formula(simp: str, lex: Lexicon) -> bool:
    """A string of formula shape that is no number, date, ordinal or listed idiom; a
    numeral-headed gazetteer name is a formula whatever its shape, unless the stoplist
    says otherwise (百花齊放、百家爭鳴: a policy, but 百 counts nothing)."""
    listed = lex.canonical.get(simp)
    if listed is not None and listed not in lex.attested:
        return simp[0] in _HEADS and simp not in lex.stop
    return formula_shape(simp) and simp not in lex.stop and not _not_a_count(simp)


_COMPOUND_HEAD = "一两双三四五六七八九十"  # no 二, no 百千万: idioms (三心二意, 千家万户)
_COMPOUND = re.compile(f"(?<![{NUMERAL_CHARS}])((?:[{_COMPOUND_HEAD}][^{NUMERAL_CHARS}\\W\\d]){{2,3}})"
                       f"(?![{NUMERAL_CHARS}])")
_PAREN_OPEN, _PAREN_CLOSE = "（(", "）)"


def formula_candidates(marked: list[Marked], simp: str, lex: Lexicon,
                       hits: list[Hit] | None = None) -> dict[str, str]:
    """Simplified formula → evidence (see :data:`EVIDENCE`), in the order found."""
    found: dict[str, str] = {}
    for q in marked:
        if q.kind == "quote" and _is_formula(q.simplified, lex):
            found.setdefault(q.simplified, "quoted")
    for hit in listed_hits(simp, lex) if hits is None else hits:
        if _is_formula(hit.spelling, lex) and not hit.split:
            found.setdefault(hit.spelling, "attested" if hit.canonical in lex.attested else "gazetteer")
    # Repeated: a compound numeral-X-numeral-Y (兩學一做, 三嚴三實) is specific enough to
    # trust when it recurs; 二 (三心二意) and 一…一 (一心一意) are left out because idioms
    # use them; the stoplist lists the rest (五湖四海).
    compounds: dict[str, int] = {}
    for m in _COMPOUND.finditer(simp):
        s = m.group(1)
        if (s[0] == s[2] == "一") or any(s[i] in _MEASURE_WORDS for i in range(1, len(s), 2)):
            continue
        if _is_formula(s, lex):
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
            if (cand[0] not in _HEADS or cand[1] in _MEASURE_WORDS or simp[q - 1:q] == "第"
                    or cand[1] == "是" or not _is_formula(cand, lex)):
                continue
            got = _paren_expansion(simp, p) if simp[p] in _PAREN_OPEN else _ji_expansion(simp, p)
            _, claim, _ = numeral_claim(cand)
            if got and claim == len(got[1]):
                found.setdefault(cand, "expanded")
                break
    return found


# --------------------------------------------------------------------------- expansions

_ITEM_SPLIT = "、，,；;"
# 和/与/及 as conjunctions, not inside 和谐, 参与, 普及, 涉及, 及时.
_AND_SPLIT = re.compile("以及|和(?!谐)|(?<!参)与|(?<![普涉危波顾以])及(?!时)")
_SENTENCE_BREAK = re.compile("[。！？；!?;\n]")
_EXPANSION_LEAD = re.compile("^(?:即|包括|分别是|也就是)[：:]?")
_PAREN_GAP = 4  # Han characters allowed between a formula and its parenthesis (“三進”等活動（…）)
_FOLLOW_RUN = 12
_MAX_SUBJECT = 30
# The subject of a defining sentence: the shortest Han run before 是/即/就是.
_SUBJECT = re.compile(f"([{HAN}]{{2,{_MAX_SUBJECT}}}?)(?:是|即|就是)")
_COMMA = re.compile("[，,]")


def han_run_after(simp: str, pos: int, limit: int = _FOLLOW_RUN) -> str:
    """The Han characters right after ``pos``, up to the first other character."""
    m = re.match(f"[{HAN}]{{0,{limit}}}", simp[pos:])
    return m.group() if m else ""


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
    return end + 1 if end < len(simp) and simp[end] in _CLOSING_MARKS else end


def _paren_expansion(simp: str, end: int):
    """Items of a parenthesis that follows the formula ending at ``end`` after at most
    _PAREN_GAP Han characters: (source, spans, paren start) or None. A parenthesis of one
    item (各縣（區）) is a gloss, not an expansion."""
    at = _after_formula(simp, end)
    gap = han_run_after(simp, at, _PAREN_GAP)
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


# 即 after the formula, across at most _PAREN_GAP Han characters (“四个不摘”要求，即…) and
# a comma or colon; not 即将, 即使, 即便, 即可, 即时, 即刻 (about to, even if, …).
_JI = re.compile(f"[{HAN}]{{0,{_PAREN_GAP}}}?[，,：:]?(即)(?![将將使便可时時刻])")


_FULL_STOP = re.compile("[。！？!?\n]")


def _ji_expansion(simp: str, end: int, numeral: int | None = None):
    """Items after 即 (or ，即) right after the formula, or after a word or two that name
    it (要求，即): (source, spans, position) or None. Items run to the end of the clause when
    that clause alone is a list, else to the end of the sentence; when they number fewer
    than ``numeral`` and the items up to the full stop, across semicolons, number exactly
    that (“三保三压”的方针，即保…，压…；保…，压…；保…，压…。), those."""
    m = _JI.match(simp, _after_formula(simp, end))
    if m is None:
        return None
    at = m.start(1)
    spans = _items_after(simp, at, numeral)
    return ("即", spans, at) if len(spans) >= 2 else None


def _items_after(simp: str, at: int, numeral: int | None) -> list[tuple[int, int]]:
    """The items of a list that starts after position ``at`` (即, a colon): to the end of the
    clause when that clause alone is a list, else to the end of the sentence; when they number
    fewer than ``numeral`` and the items up to the full stop, across semicolons, number exactly
    that, those."""
    stop = _sentence_end(simp, at)
    clause = _COMMA.search(simp, at + 1, stop)
    spans = _split_items(simp, at + 1, clause.start()) if clause else []
    if len(spans) < 2:
        spans = _split_items(simp, at + 1, stop)
    if numeral is not None and len(spans) < numeral:
        full = _FULL_STOP.search(simp, at)
        longer = _split_items(simp, at + 1, full.start() if full else len(simp))
        if len(longer) == numeral:
            spans = longer
    return spans


# A colon right after the formula (past its closing quote), or after a word or two that name
# it (“五有”目标：).
_COLON = re.compile(f"[{HAN}]{{0,{_PAREN_GAP}}}?([：:])")


def _colon_expansion(simp: str, end: int, numeral: int | None = None):
    """Items after a colon right after the formula (“五有”：幼有所育、学有所教…): (source,
    spans, position) or None. A colon may open a sentence rather than a list, so the items
    must number exactly ``numeral`` where the formula has one, else at least two. (A new
    user's 「五有」：…, 「三個確保」：… and 「三減三增」：… had no expansion.)"""
    m = _COLON.match(simp, _after_formula(simp, end))
    if m is None:
        return None
    at = m.start(1)
    spans = _items_after(simp, at, numeral)
    if len(spans) < 2 or (numeral is not None and len(spans) != numeral):
        return None
    return ("colon", spans, at)


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
    content = set(formula) - set(NUMERAL_CHARS)
    joined = "".join(simp[s:e] for s, e in spans)
    if len(spans) == numeral and content & set(joined):
        return ("defining sentence", spans, a)
    return None


_BEFORE_STOP = re.compile("[，,。；;：:！？!?（()）\n]")
_OPENING_MARKS = "“「『‘\"＂"
_MAX_BEFORE = 60


def _preceding_expansion(simp: str, start: int, numeral: int | None):
    """Items listed right before the formula, in its clause, numbering exactly what its
    numeral says. Two shapes are read, both conservative:

    * a list of three or more items separated by 、 (``A、B、C“三大战略”``, ``…等“五毒”``,
      ``…的“三不主义”``: 等, 等所谓 and 的 between list and formula are passed over); the
      first item is cut to as many words as the longest other item has (the clause's verb
      stays out: 重点推进 of 重点推进“一带一路”建设); not when 和/与/及/、 joins the list to
      the formula (马列主义、毛泽东思想、邓小平理论和“三个代表”: the formula is one more
      item, not their sum), nor when every item is one word that is no noun (全面、直接、双向);
    * for a numeral of 2, two nouns (single words that jieba's dictionary tags as nouns,
      place or locative words): joined by 和/与/及/、 (``中央和地方两个积极性``, ``总量和强度双控``)
      or written together (``国内国际双循环``); not verbs (``坚持和落实“两个毫不动摇”``).

    Returns (source, spans, position) or None.

    >>> simp = "发挥中央和地方两个积极性"
    >>> source, spans, _ = _preceding_expansion(simp, simp.index("两个"), 2)
    >>> source, [simp[a:b] for a, b in spans]
    ('preceding list', ['中央', '地方'])
    """
    if numeral is None or numeral < 2:
        return None
    end = start
    if end > 0 and simp[end - 1] in _OPENING_MARKS:
        end -= 1
    for filler in ("等所谓", "等", "的"):
        if simp[end - len(filler):end] == filler:
            end -= len(filler)
            break
    if end <= 0 or simp[end - 1] in "和与及、":
        return None
    stop = None
    for m in _BEFORE_STOP.finditer(simp, max(0, end - _MAX_BEFORE), end):
        stop = m
    begin = stop.end() if stop else max(0, end - _MAX_BEFORE)
    if end - begin < 2 * numeral:
        return None
    if numeral >= 3:
        spans = _split_items(simp, begin, end, "、")
        if len(spans) != numeral or simp.count("、", begin, end) < numeral - 1 or any(e - s < 2 for s, e in spans):
            return None
        spans = [_trim_first(simp, spans[0], spans[1:]), *spans[1:]]
        words = [_han_words(simp, s, e) for s, e in spans]
        if all(len(w) == 1 for w in words) and not any(_is_noun(simp[s:e]) for s, e in spans):
            return None
        return "preceding list", spans, spans[0][0]
    # Two nouns: X和Y / X、Y, or XY written together (then alike: 国内国际).
    words = _han_words(simp, begin, end)
    pair = None
    if len(words) >= 3 and simp[words[-2][0]:words[-2][1]] in ("和", "与", "及") \
            and words[-3][1] == words[-2][0] and words[-2][1] == words[-1][0]:
        pair = [words[-3], words[-1]]
    elif len(words) >= 2 and simp[words[-2][1]:words[-1][0]] == "、":
        pair = words[-2:]
    elif len(words) >= 2 and words[-2][1] == words[-1][0]:
        (a, b), (c, d) = words[-2:]
        if b - a == d - c and (simp[a] == simp[c] or simp[b - 1] == simp[d - 1]):
            pair = words[-2:]
    if pair is None or pair[-1][1] != end or not all(e - s >= 2 and _is_noun(simp[s:e]) for s, e in pair):
        return None
    return "preceding list", pair, pair[0][0]


_NOUN_TAGS = ("n", "s", "f", "j")


def _is_noun(word: str) -> bool:
    """Whether jieba's dictionary tags ``word`` as a noun (n, nr, ns, nt, nz…), a place (s) or
    locative (f) word or an abbreviation (j)."""
    return _word_tags().get(word, "x").startswith(_NOUN_TAGS)


@functools.lru_cache(maxsize=1)
def _word_tags() -> dict[str, str]:
    """jieba's dictionary: word → part-of-speech tag, kept in the cache folder (keyed by the
    dictionary's bytes) so that reading it costs a fraction of a second once per process."""
    import pyarrow as pa

    from ..corpus.cache import ParquetStore, digest
    from ..text.segment import jieba_dict_path

    store = ParquetStore("word-tags")
    path = jieba_dict_path()
    key = digest("jieba-tags", path.read_bytes())
    cached = store.get(key)
    if cached is None:
        table = pd.read_csv(path, sep=" ", header=None, names=["word", "freq", "tag"], usecols=[0, 2],
                            dtype=str, keep_default_na=False, quoting=3, encoding="utf-8")
        cached = pa.table({"word": table["word"].tolist(), "tag": table["tag"].tolist()})
        store.put(key, cached)
    return dict(zip(cached.column("word").to_pylist(), cached.column("tag").to_pylist()))


def _han_words(simp: str, a: int, b: int) -> list[tuple[int, int]]:
    """The spans of the words of ``simp[a:b]`` cut by jieba's own dictionary, Han words only."""
    spans, at = [], a
    for word in _plain_cut(simp[a:b]):
        if _ALL_HAN.match(word):
            spans.append((at, at + len(word)))
        at += len(word)
    return spans


_LEADING_PARTICLES = "了的地着过把将对要"


def _trim_first(simp: str, first: tuple[int, int], others: list[tuple[int, int]]) -> tuple[int, int]:
    """The first item of a preceding list without the clause's lead (verb, adverb): its last
    words, as many as the longest other item has; an opening quote mark before them is kept
    when its closing mark is inside."""
    keep = max(len(_han_words(simp, s, e)) for s, e in others)
    words = _han_words(simp, *first)
    if len(words) > keep:
        words = words[-keep:]
    while len(words) > 1 and words[0][1] - words[0][0] == 1 and simp[words[0][0]] in _LEADING_PARTICLES:
        words = words[1:]
    s = words[0][0] if words else first[0]
    if s > first[0] and simp[s - 1] in _OPENING_MARKS and any(c in _CLOSING_MARKS for c in simp[s:first[1]]):
        s -= 1
    return s, first[1]


def _plain_cut(phrase: str) -> list[str]:
    """``phrase`` cut by jieba's own dictionary (no HMM), cached on disk: loading that
    dictionary costs a second and a half, for a few short phrases per corpus."""
    from importlib.metadata import version

    import pyarrow as pa

    from ..corpus.cache import ParquetStore, digest

    store = ParquetStore("plain-cuts")
    key = digest("plain-cut", version("jieba"), phrase)
    cached = store.get(key)
    if cached is not None:
        return cached.column("word").to_pylist()
    from ..text.segment import jieba_tokenizer

    # jieba with its own dictionary only: the project's user dictionary keeps domain terms
    # whole (人口出生率), which is right for counting words but hides the modifier that
    # coordinated items share (降低|人口|出生率 和 自然增长率).
    words = jieba_tokenizer(user_dict=False, rules=False).lcut(phrase, HMM=False)
    store.put(key, pa.table({"word": pa.array(words, type=pa.string())}))
    return words


def _shared_head(first: str, later: str) -> int:
    """Length of the head of the coordinated item ``first`` that ``later`` shares. When the
    two end alike (出生率 / 增長率: parallel head nouns) everything before ``first``'s last
    word is shared (降低人口); otherwise only its first word, the verb (提高 in
    提高農業綜合生產能力和農民收入)."""
    words = _plain_cut(first)
    if len(words) < 2:
        return 0
    return len(first) - len(words[-1]) if first[-1] == later[-1] else len(words[0])


def expansion_items(text: str, simp: str, spans: list[tuple[int, int]], formula: str) -> list[str]:
    """The items of an expansion in the original script. When the first item holds the
    formula's own characters and a later one holds none of them, the later item shares the
    first one's head (see :func:`_shared_head`): 降低人口出生率和自然增長率 after 雙降 gives
    降低人口出生率 and 降低人口自然增長率 (the head 降低人口 distributed over the
    coordinated nouns).

    >>> simp = "降低人口出生率和自然增长率"
    >>> expansion_items("降低人口出生率和自然增長率", simp, [(0, 7), (8, 13)], "双降")
    ['降低人口出生率', '降低人口自然增長率']
    """
    items = [text[s:e] for s, e in spans]
    content = set(formula) - set(NUMERAL_CHARS) - set("、，,")
    if len(spans) < 2 or not content:
        return items
    first = simp[spans[0][0]:spans[0][1]]
    if not content & set(first):
        return items
    lacking = [i for i, (s, e) in enumerate(spans[1:], 1) if not content & set(simp[s:e])]
    if not lacking:
        return items
    out = list(items)
    for i in lacking:
        s, e = spans[i]
        n = _shared_head(first, simp[s:e])
        head = text[spans[0][0]:spans[0][0] + n]
        if n and content & set(first[:n]) and not items[i].startswith(head):
            out[i] = head + items[i]
    return out


# --------------------------------------------------------------------------- formulas

def prepare_text(text: str, parts: pd.DataFrame | None, simplified: str | None, name: str = "formulas"):
    """``(simplified text, parts)`` of one speech: its Simplified form (one character per
    character of ``text``) and its outline, each computed unless given. ``name``, the
    function called, is what the error names when ``text`` is not a text (a corpus: its
    ``corpus_`` function reads a whole one)."""
    if not isinstance(text, str):
        what = "a corpus" if isinstance(text, pd.DataFrame) else f"a {type(text).__name__}"
        raise TypeError(f"{name}() reads one speech's text (a str), not {what}; for a corpus's speeches call "
                        f"analysis.corpus_{name}(corpus), or {name}(corpus.text.iloc[i]) for one of them")
    simp = to_simplified(text) if simplified is None else simplified
    if len(simp) != len(text):
        raise ValueError("simplified text must have one character per character of text")
    return simp, (outline(text) if parts is None else parts)


def places_of(positions, parts: pd.DataFrame | None) -> dict[str, list]:
    """``part``, ``section``, ``point`` lists for character offsets: what
    :func:`analysis.outline.locate` gives, in plain Python (a speech has a few dozen parts
    and names, and a pandas frame per speech would cost more than the search). With
    ``parts`` None every place is missing (None, NA, NA).

    >>> parts = pd.DataFrame({"part": ["preamble", "section", "point"], "section": [pd.NA, 1, 1],
    ...                       "point": [pd.NA, pd.NA, 2], "start": [0, 10, 15], "end": [9, 30, 30]})
    >>> places_of([3, 12, 20], parts)
    {'part': ['preamble', 'section', 'section'], 'section': [<NA>, 1, 1], 'point': [<NA>, <NA>, 2]}
    """
    n = len(positions)
    part, section, point = [None] * n, [pd.NA] * n, [pd.NA] * n
    if parts is None or not n:
        return {"part": part, "section": section, "point": point}
    rows = list(parts[["part", "section", "point", "start", "end"]].itertuples(index=False, name=None))
    for i, pos in enumerate(positions):
        for kind, sec, pt, a, b in rows:
            if a <= pos < max(b, a + 1):
                if kind == "point":
                    point[i] = int(pt)
                else:
                    part[i] = kind
                    if kind == "section":
                        section[i] = int(sec)
    return {"part": part, "section": section, "point": point}


@renamed_arguments(moved=("parts",))
def formulas(text: str, *, parts: pd.DataFrame | None = None, simplified: str | None = None,
             lex: Lexicon | None = None) -> pd.DataFrame:
    """The numbered formulas (數字提法) of ``text`` and the items the speech expands them into.

    A formula is a numeral-headed expression (一…十, 兩, 雙, 百, 千, 萬) of one clause (雙降,
    五有, 三進, 雙建雙匯, 兩會, 三個代表, 三去一降一補) or of several clauses each headed by one
    (雙誠信、雙承諾; 兩年明顯變化、五年大見成效、十年實現跨越), reported on one of the
    ``evidence`` of the module notes (quoted, gazetteer, repeated, expanded). Numbers,
    dates, ordinals, counts written bare (講三點意見, 三個方面) and the stoplist's idioms
    are not formulas.

    Returns one row per formula in order of first occurrence: ``formula`` (original
    script), ``simplified``, ``canonical`` (the gazetteer's name for a listed variant, else
    ``simplified``), ``evidence``, ``numerals`` (the heads, 雙建雙匯 → [2, 2]), ``numeral``
    (the count they claim, NA when there is none), ``numeral_kind`` (count, timeline,
    both, magnitude, none: see :func:`numeral_claim`), ``quoted`` and ``count`` (quoted
    and all occurrences, bare ones and those inside longer names included),
    ``start``/``end``/``part``/``section``/``point`` of the first occurrence,
    ``expansion`` (list of items, original script), ``expansion_source`` (parenthesis,
    即, colon, defining sentence, preceding list, or none), ``expansion_start``, ``n_items``,
    ``matches`` (``n_items == numeral``; NA without an expansion or a count) and ``passage``,
    the citable id of the first occurrence (:func:`analysis.passages.passage_ids`; the
    speech id of one text is "text").

    Expansion: at each occurrence in turn, a parenthesis at most 4 Han characters after
    it (“三進”等活動（進校園、進企業、進社區、）), its leading 即 dropped and split on
    、，；; else 即 right after it; else, only when the items number exactly what the
    numeral says and share a character with the formula, the subject of the next
    sentence in the same paragraph (“雙降”… 降低人口出生率和自然增長率是…). A head shared by
    coordinated items is distributed (see :func:`expansion_items`).

    >>> found = formulas("按照“五有”標準（即有場所、有制度、有隊伍、有器材、有計劃）")
    >>> found[["formula", "n_items", "matches"]].values.tolist()
    [['五有', 5, True]]
    """
    simp, parts = prepare_text(text, parts, simplified, "formulas")
    from ..corpus.passages import text_passages

    frame = _formula_frame(formula_rows(text, simp, parts, lexicon() if lex is None else lex))
    return text_passages(frame, text, parts)[FORMULA_COLUMNS]


def formula_rows(text: str, simp: str, parts: pd.DataFrame | None, lex: Lexicon,
                 marked: list[Marked] | None = None, hits: list[Hit] | None = None) -> list[dict]:
    """The rows of :func:`formulas` as dicts, in order of first occurrence (places missing
    when ``parts`` is None)."""
    marked = marked_names(text, simp) if marked is None else marked
    quoted_at = {(q.simplified, q.start) for q in marked if q.kind == "quote"}
    rows = []
    for form, evidence in formula_candidates(marked, simp, lex, hits).items():
        starts = name_occurrences(simp, form, lex)
        if not starts:
            continue
        canonical = lex.canonical.get(form, form)
        heads, numeral, kind = numeral_claim(form, lex.counts.get(canonical, ""))
        expansion = None
        for start in starts:
            expansion = (_paren_expansion(simp, start + len(form))
                         or _ji_expansion(simp, start + len(form), numeral)
                         or _colon_expansion(simp, start + len(form), numeral))
            if expansion:
                break
        if expansion is None:
            for start in starts:
                expansion = _preceding_expansion(simp, start, numeral)
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
            # A head shared by coordinated items is distributed after the formula only: a list
            # before it names its items in full (防范化解重大风险、精准脱贫、污染防治).
            items = ([text[a:b] for a, b in spans] if source == "preceding list"
                     else expansion_items(text, simp, spans, form))
            n_items = len(items)
            matches = pd.NA if numeral is None else n_items == numeral
        else:
            source, items, at, n_items, matches = "none", [], pd.NA, pd.NA, pd.NA
        rows.append({
            "formula": text[first:first + len(form)], "simplified": form, "canonical": canonical,
            "evidence": evidence, "numerals": heads,
            "numeral": numeral if numeral is not None else pd.NA, "numeral_kind": kind,
            "quoted": sum((form, s) in quoted_at for s in starts), "count": len(starts),
            "start": first, "end": first + len(form), "expansion": items,
            "expansion_source": source, "expansion_start": at, "n_items": n_items,
            "matches": matches,
        })
    rows.sort(key=lambda r: (r["start"], r["end"]))
    places = places_of([r["start"] for r in rows], parts)
    for i, row in enumerate(rows):
        row.update(part=places["part"][i], section=places["section"][i], point=places["point"][i])
    return rows


def _formula_frame(rows: list[dict], columns: list[str] = FORMULA_COLUMNS) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"numeral": "Int64", "quoted": "int64", "count": "int64",
                         "start": "int64", "end": "int64", "section": "Int64", "point": "Int64",
                         "expansion_start": "Int64", "n_items": "Int64", "matches": "boolean"})


# --------------------------------------------------------------------------- corpus level

def speech_texts(corpus: pd.DataFrame):
    """(speech_id, text, simplified) for every speech of a corpus frame."""
    simps = corpus["text_simplified"] if "text_simplified" in corpus.columns else map(
        to_simplified, corpus["text"])
    return zip(corpus["speech_id"], corpus["text"], simps)


def attested_formulas(corpus: pd.DataFrame, lex: Lexicon | None = None) -> list[str]:
    """The formulas some speech of ``corpus`` quotes (Simplified, sorted): with
    ``attested=True`` the corpus functions look for them bare in every speech. Two-character
    ones are left out (三公, 十條 would match inside other words)."""
    lex = lexicon() if lex is None else lex
    found = set()
    for _, text, simp in speech_texts(corpus):
        for q in marked_names(text, simp):
            if (q.kind == "quote" and len(q.simplified) >= 3 and q.simplified not in lex.canonical
                    and _is_formula(q.simplified, lex)):
                found.add(q.simplified)
    return sorted(found)


def corpus_lexicon(corpus: pd.DataFrame, attested: bool = True, lex: Lexicon | None = None) -> Lexicon:
    """The lexicon the corpus functions use: the researcher's lists, plus (``attested``)
    the formulas quoted somewhere in the corpus."""
    lex = lexicon() if lex is None else lex
    return lex.with_attested(attested_formulas(corpus, lex)) if attested else lex


@corpus_memo("corpus_formulas")
def corpus_formulas(corpus: pd.DataFrame, *, attested: bool = True, places: bool = True) -> pd.DataFrame:
    """:func:`formulas` of every speech of ``corpus`` (the frame of
    :func:`analysis.load_corpus`), ``speech_id`` first, in corpus order: one row per speech
    and formula. With ``attested`` (the default), a formula quoted in one speech is also
    found bare in the others (evidence ``attested``). ``places=False`` leaves ``part``,
    ``section``, ``point`` and ``passage`` missing and skips outlining each speech, most of
    the time on a large corpus (a table of first and last attestations needs no places).

    >>> from analysis import load_corpus
    >>> corpus_formulas(load_corpus()).formula.tolist()[:3]
    ['兩會', '雙降', '兩年明顯變化、五年大見成效、十年實現跨越']
    """
    return formula_table(corpus, corpus_lexicon(corpus, attested), places=places)


def formula_table(corpus: pd.DataFrame, lex: Lexicon, *, places: bool = True) -> pd.DataFrame:
    """:func:`corpus_formulas` with the lexicon given: a batch of a corpus read on a
    cluster's worker (:func:`analysis.lifecycle`) looks for the formulas quoted anywhere in
    the whole corpus, not only in its batch."""
    from ..corpus.passages import with_passages
    from ..corpus.pipeline import corpus_outline, parts_by_speech

    outlines = corpus_outline(corpus) if places else None   # read from the cache, not rebuilt
    table = parts_by_speech(corpus, outlines) if places else {}
    rows = []
    for speech_id, text, simp in speech_texts(corpus):
        for found in formula_rows(text, simp, table.get(speech_id, outline(text)) if places else None, lex):
            rows.append({"speech_id": speech_id, **found})
    frame = _formula_frame(rows, ["speech_id", *FORMULA_COLUMNS])
    return with_passages(frame, corpus, outlines) if places else frame
