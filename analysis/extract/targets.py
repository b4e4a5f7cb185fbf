"""Quantitative targets in speeches: every figure a speech gives for a named indicator (GDP
growth, consumer prices, urban jobs, the birth rate …), with its value or range, unit and
qualifier, and whether it is the year's target, a result achieved, a multi-year plan or
something else.

What is read, and how, lives in two researcher-editable files:

* ``analysis/data/indicators.tsv``: which words name which indicator (国内生产总值,
  国民生产总值 and 经济增长 are ``gdp_growth``), and in which units a figure of it may be;
* ``analysis/data/target_rules.tsv``: units and their conversions, qualifiers (左右, 以上,
  以内, 不低于 …), the words that give a direction, the clause openings that carry a
  sentence's subject on, the cue words for target and result, and the time words
  (今年, 去年, 今后五年 …) with the years they name.

Numbers are read in every form the speeches use: Arabic and full-width digits, digits with
stray spaces (``1 0 %``), thousands separators (``3，680亿斤``), Chinese numerals
(百分之八, 千分之十三, 七点五, 三千九百二十亿斤) and ranges (``6%－6.5%``, 百分之八至九).

A figure belongs to the nearest indicator named before it in the same clause, or in an
earlier clause of the same sentence when every clause between opens with a word that carries
the subject on (``国内生产总值达到33.5万亿元，比上年增长8.7%``); or to the indicator right
after it (``8%左右的国内生产总值增长目标``). With 分别, the n-th figure goes to the n-th
subject listed. A figure in a unit its indicator does not take (国内生产总值 33.5万亿元 is a
level, not a growth rate) is not reported. The kind and the year are decided as
``target_rules.tsv`` says (cue words first, then time words, then the section heading).

All matching runs on ``text_simplified`` (one character per character of ``text``), so
Traditional and Simplified speeches give the same table; offsets and the written forms are
those of ``text``. The regexes run over each whole text; Python touches the figures only,
never the characters or the tokens.

:func:`agreement` measures the extractor against the hand-coded sample in
``analysis/data/validation/targets.tsv``.
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..common.datafiles import data_lines
from ..common.deprecation import renamed_arguments, warn_spelling
from ..config import DATA_DIR, GWR_DIR
from ..corpus.memo import corpus_memo
from ..corpus.passages import SENTENCE_END, passage_ids
from ..text.numbers import DIGITS, numeral_value
from ..text.script import to_simplified

INDICATORS = DATA_DIR / "indicators.tsv"
TARGET_RULES = DATA_DIR / "target_rules.tsv"
VALIDATION_TARGETS = DATA_DIR / "validation" / "targets.tsv"

KINDS = ("target", "result", "plan", "other")
MEASURES = ("growth", "level")
RATIO = "ratio"
"""The unit of a bare number (出生人口性别比 118), for indicators that admit one."""
CHANGE_UNITS = ("百分点", "千分点")
_RULES = ("unit", "prefix", "qualifier", "direction", "continue", "share", "kind", "time", "base")

TARGET_COLUMNS = ["speech_id", "indicator", "value", "low", "high", "unit", "qualifier", "kind", "year", "until",
                  "change", "direction", "written", "term", "start", "end", "sentence_start", "sentence_end",
                  "sentence", "passage", "rule"]

# --------------------------------------------------------------------------- numbers

_FULLWIDTH = str.maketrans("０１２３４５６７８９．·", "0123456789..")
_CN_CHARS = "零〇一二两三四五六七八九十百千万亿"
_SPACE = "[ \u3000\u00a0]"
ARABIC = (f"[0-9０-９](?:{_SPACE}?[0-9０-９])*(?:[,，][0-9０-９]{{3}}(?![0-9０-９]))*"
          f"(?:{_SPACE}?[.．·]{_SPACE}?[0-9０-９](?:{_SPACE}?[0-9０-９])*)?")
"""An Arabic number: ASCII or full-width digits, single stray spaces between them, thousands
separators (, or ，) and a decimal point (. ． or the middle dot · some typesetting uses)."""
CHINESE = f"[{_CN_CHARS}]+(?:点[零〇一二两三四五六七八九]+)?"
"""A number in Chinese numerals, with 点 for the decimal point (七点五, 一百二十二点九)."""
_CHINESE_LAZY = f"[{_CN_CHARS}]+?(?:点[零〇一二两三四五六七八九]+)?"
_RANGE = f"{_SPACE}?(?:——|[－\\-—–~～〜至到]){_SPACE}?"
_NOT_BEFORE_ARABIC = "(?<![0-9０-９A-Za-zＡ-Ｚａ-ｚ.．])"


def arabic_number(run: str) -> float | None:
    """The value of an Arabic number as written (full-width digits, stray spaces and
    thousands separators allowed); None when it is not one.

    >>> [arabic_number(s) for s in ("6.5", "１１００", "1 0", "3，680", "10.06")]
    [6.5, 1100.0, 10.0, 3680.0, 10.06]
    """
    cleaned = re.sub(f"{_SPACE}|[,，]", "", run).translate(_FULLWIDTH)
    try:
        return float(cleaned)
    except ValueError:
        return None


def _number(run: str) -> float | None:
    return arabic_number(run) if run[:1].translate(_FULLWIDTH).isdigit() else numeral_value(run)


def _clean(value: float | None) -> float | None:
    """Round away float noise from unit conversions (1.39 × 50000 = 69500.00000000001)."""
    return None if value is None else round(float(value), 6)


# --------------------------------------------------------------------------- the data files

def indicator_table(path: str | Path | None = None) -> pd.DataFrame:
    """The indicator terms of ``analysis/data/indicators.tsv`` (or ``path``), in file order.

    Returns columns ``indicator`` (``-`` for a blocking term), ``term`` (as written),
    ``simplified``, ``units`` (a tuple of canonical units), ``measure`` and ``label``. Raises
    ``ValueError`` naming the line for a malformed line, an unknown measure or a term listed
    twice.

    >>> indicator_table().iloc[0][["indicator", "term", "units", "measure"]].tolist()
    ['gdp_growth', '国内生产总值', ('%', '百分点'), 'growth']
    """
    path = Path(path) if path is not None else INDICATORS
    rows, seen = [], {}
    for lineno, fields in data_lines(path):
        fields = fields + [""] * (5 - len(fields))
        if len(fields) > 5 or not fields[0] or not fields[1]:
            raise ValueError(f"{path}:{lineno}: expected indicator<TAB>term<TAB>units<TAB>measure[<TAB>label], "
                             f"got {chr(9).join(fields)!r}")
        indicator, term, units, measure, label = fields
        simplified = to_simplified(term)
        if simplified in seen:
            raise ValueError(f"{path}:{lineno}: {term!r} is listed already on line {seen[simplified]}")
        seen[simplified] = lineno
        if indicator == "-":
            if units or measure or label:
                raise ValueError(f"{path}:{lineno}: a '-' line (a term that names no indicator) takes no "
                                 "units, measure or label")
            rows.append(("-", term, simplified, (), "", ""))
            continue
        if not re.fullmatch(r"[a-z][a-z0-9_]*", indicator):
            raise ValueError(f"{path}:{lineno}: indicator {indicator!r}: use a lower-case key like gdp_growth")
        if measure not in MEASURES:
            raise ValueError(f"{path}:{lineno}: measure {measure!r}: one of {MEASURES}")
        unit_list = tuple(u.strip() for u in units.split(",") if u.strip())
        if not unit_list:
            raise ValueError(f"{path}:{lineno}: {term!r} has no units")
        rows.append((indicator, term, simplified, unit_list, measure, label))
    if not rows:
        raise ValueError(f"{path}: no indicator terms")
    return pd.DataFrame(rows, columns=["indicator", "term", "simplified", "units", "measure", "label"])


def indicator_labels(path: str | Path | None = None) -> dict[str, str]:
    """Each indicator's chart label: its Chinese name (the ``label`` on its first line of
    ``indicators.tsv``) with the key, or the key alone.

    >>> indicator_labels()["gdp_growth"]
    '經濟增長 gdp_growth'
    """
    table = indicator_table(path)
    table = table[table["indicator"] != "-"]
    out = {}
    for indicator, label in zip(table["indicator"], table["label"]):
        if indicator not in out or (label and out[indicator] == indicator):
            out[indicator] = f"{label} {indicator}" if label else indicator
    return out


def indicators(path: str | Path | None = None) -> list[str]:
    """The indicator keys of ``indicators.tsv`` in the order of their first line.

    >>> indicators()[:3]
    ['gdp_growth', 'cpi', 'retail_price']
    """
    table = indicator_table(path)
    return list(dict.fromkeys(table.loc[table["indicator"] != "-", "indicator"]))


def target_rules(path: str | Path | None = None) -> pd.DataFrame:
    """The rule lines of ``analysis/data/target_rules.tsv`` (or ``path``): columns ``rule``,
    ``label``, ``term``, ``value`` and ``simplified``, in file order. Raises ``ValueError``
    naming the line for an unknown rule or a malformed line.

    >>> rules = target_rules()
    >>> rules[rules["rule"] == "unit"].iloc[0][["label", "term", "value"]].tolist()
    ['%', '%', '1']
    """
    path = Path(path) if path is not None else TARGET_RULES
    rows = []
    for lineno, fields in data_lines(path):
        where = f"{path}:{lineno}"
        if len(fields) < 3 or not all(fields[:3]):
            raise ValueError(f"{where}: expected rule<TAB>label<TAB>term[<TAB>value], got {chr(9).join(fields)!r}")
        rule, label, term = fields[:3]
        value = fields[3] if len(fields) > 3 else ""
        if rule not in _RULES:
            raise ValueError(f"{where}: unknown rule {rule!r} (one of {_RULES})")
        if rule == "unit":
            try:
                float(value)
            except ValueError:
                raise ValueError(f"{where}: a unit line needs a numeric factor, got {value!r}") from None
        if rule == "qualifier" and label not in ("before", "after"):
            raise ValueError(f"{where}: a qualifier is 'before' or 'after' the number, got {label!r}")
        if rule == "direction" and label not in ("up", "down", "none"):
            raise ValueError(f"{where}: a direction is up, down or none, got {label!r}")
        if rule == "kind":
            if label not in ("target", "intent", "result") or len(fields) != 4 \
                    or term not in ("clause", "after", "sentence"):
                raise ValueError(f"{where}: write kind<TAB>target|intent|result<TAB>clause|after|sentence<TAB>term")
            term, value = fields[3], term
        if rule == "time" and label == "none":
            pass
        elif rule == "time":
            if value not in ("", "anchored"):
                raise ValueError(f"{where}: the fourth field of a time line is empty or 'anchored', got {value!r}")
            if not re.fullmatch(r"(-?n?[-+]?\d*)\.\.(-?n?[-+]?\d*)", label):
                raise ValueError(f"{where}: a time label is first..last, e.g. -1..-1 or 0..n-1, got {label!r}")
            if ("n" in label) != ("{n}" in term):
                raise ValueError(f"{where}: use n in the label exactly when the term has {{n}}")
        rows.append((rule, label, term, value, to_simplified(term)))
    return pd.DataFrame(rows, columns=["rule", "label", "term", "value", "simplified"])


def _alternation(terms) -> str:
    """A regex alternation of literal terms, longest first (so the longest wins at a place)."""
    return "|".join(re.escape(t) for t in sorted(set(terms), key=lambda t: (-len(t), t)))


_PLAN = ("(?:[“「\"『](?P<plan_q>[一二三四五六七八九十]{1,3})五[”」\"』]"
         "|第(?P<plan_n>[一二三四五六七八九十]{1,3})个五年(?:计划|规划)"
         "|(?<![一二三四五六七八九十〇零])(?P<plan_w>[一二三四五六七八九十]{1,3})五(?=时期|期间|计划|规划))")
_YEAR = "(?:(?<![0-9０-９.．])(?:1[89]|20|１[８９]|２０)[0-9０-９]{2}|[一二][九〇零][〇零一二三四五六七八九]{2})"
_N = "(?:[0-9０-９]+|[一二两三四五六七八九十]+)"


def _plan_years(n: int) -> tuple[int, int]:
    """The years of the n-th five-year plan (1953-57, 1958-62, then from 1966 in fives)."""
    first = 1953 + 5 * (n - 1) if n <= 2 else 1966 + 5 * (n - 3)
    return first, first + 4


def _year(run: str) -> int:
    if run[0] in DIGITS:
        return numeral_value(run)
    return int(run.translate(_FULLWIDTH))


@dataclass(frozen=True)
class _Rules:
    """The data files, compiled once per pair of files."""
    terms: re.Pattern
    term_info: dict            # simplified term → (indicator, units, measure)
    order: list                # indicator keys in file order
    value: re.Pattern
    units: dict                # written unit → (canonical, factor)
    prefixes: dict             # 百分之 → %
    qualifier_after: re.Pattern
    qualifier_before: re.Pattern
    direction: re.Pattern
    direction_of: dict
    opens: re.Pattern
    share: re.Pattern
    cues: re.Pattern
    cue_of: dict               # simplified cue → (kind, scopes)
    times: re.Pattern
    time_of: dict              # group name → (first, last) expressions
    base: re.Pattern


def _linear(expr: str) -> tuple[int, int]:
    """A time label's end (``-1``, ``n-1``, ``-n``) as ``(a, b)`` for ``a * n + b``."""
    m = re.fullmatch(r"(-?)(n?)([-+]?\d*)", expr)
    if not m or not (m.group(2) or m.group(3)):
        raise ValueError(f"time label {expr!r}: write a number, n, -n or n-1 and the like")
    sign = -1 if m.group(1) else 1
    if m.group(2):
        return sign, int(m.group(3) or 0)
    return 0, sign * int(m.group(3))


def _starting(chars: str, pattern: str) -> re.Pattern:
    """``pattern`` behind a lookahead on the characters a match can start with: the scan then
    skips every other position at once, where an alternation of many branches would
    otherwise be tried branch by branch at every character of a long text."""
    return re.compile(f"(?=[{re.escape(''.join(sorted(set(chars))))}])(?:{pattern})")


_DIGIT_CHARS = "0123456789０１２３４５６７８９"


@functools.lru_cache(maxsize=8)
def _compiled(indicators_path: str, rules_path: str, _stamp: tuple) -> _Rules:
    table = indicator_table(indicators_path)
    rules = target_rules(rules_path)
    term_info = {row.simplified: (row.indicator, row.units, row.measure) for row in table.itertuples()}
    order = list(dict.fromkeys(table.loc[table["indicator"] != "-", "indicator"]))

    def of(rule, label=None):
        chosen = rules[rules["rule"] == rule]
        if label is not None:
            chosen = chosen[chosen["label"] == label]
        return chosen

    unit_rows = of("unit")
    units = {row.simplified: (row.label, float(row.value)) for row in unit_rows.itertuples()}
    known = set(u for _, u in units.values()) | {row.label for row in of("prefix").itertuples()} | {RATIO}
    for row in table.itertuples():
        for u in row.units:
            if u not in known and u != RATIO and u not in {c for c, _ in units.values()}:
                raise ValueError(f"{indicators_path}: unit {u!r} of {row.term!r} is not a canonical unit of "
                                 f"{rules_path} ({sorted(set(c for c, _ in units.values()))})")
    prefixes = {row.simplified: row.label for row in of("prefix").itertuples()}
    unit_alt = _alternation(units)
    prefix_alt = _alternation(prefixes)
    value = _starting(
        _DIGIT_CHARS + _CN_CHARS + "".join(p[0] for p in prefixes),
        f"(?P<pp>{prefix_alt})(?P<pa>{CHINESE}|{ARABIC})"
        f"(?:(?P<psep>[至到－\\-—~～])(?:{prefix_alt})?(?P<pb>{CHINESE}|{ARABIC}))?"
        f"|{_NOT_BEFORE_ARABIC}(?P<a>{ARABIC})(?:{_SPACE}?(?P<aunit>{unit_alt}))?"
        f"(?:{_RANGE}(?P<b>{ARABIC}))?(?P<more>[多余])?(?:{_SPACE}?(?P<unit>{unit_alt}))?"
        f"|(?<![{_CN_CHARS}点])(?P<c>{_CHINESE_LAZY})(?:[至到](?P<d>{_CHINESE_LAZY}))?(?P<cmore>[多余])?"
        f"(?P<cunit>{unit_alt})")
    qa = of("qualifier", "after")["simplified"]
    qb = of("qualifier", "before")["simplified"]
    directions = of("direction")
    cues = of("kind")
    time_rows = of("time")
    groups, time_of = [], {}
    for i, row in enumerate(time_rows.itertuples()):
        pattern = re.escape(row.simplified).replace(re.escape("{n}"), f"(?P<n{i}>{_N})")
        groups.append(f"(?P<t{i}>{pattern})")
        if row.label == "none":
            time_of[f"t{i}"] = None
            continue
        first, last = row.label.split("..")
        time_of[f"t{i}"] = (_linear(first), _linear(last), f"n{i}" if "{n}" in row.simplified else None,
                            row.value == "anchored")
    first_chars = _DIGIT_CHARS + "一二１２到至“「\"『第十" + "一二三四五六七八九十"
    for term in time_rows["simplified"]:
        first_chars += _DIGIT_CHARS + "一二两三四五六七八九十" if term.startswith("{n}") else term[0]
    times = _starting(
        first_chars,
        f"(?:到|至)(?P<horizon>{_YEAR})年(?:底|末)?"
        f"|(?P<span_a>{_YEAR})(?:年)?(?:——|[－\\-—–~～至到])(?P<span_b>{_YEAR})年"
        f"|(?P<before>{_YEAR})年(?:以前|前)"
        f"|(?P<year>{_YEAR})年"
        f"|{_PLAN}"
        + ("|" + "|".join(groups) if groups else ""))
    return _Rules(
        terms=re.compile(_alternation(term_info)),
        term_info=term_info, order=order, value=value, units=units, prefixes=prefixes,
        qualifier_after=re.compile(f"{_SPACE}?({_alternation(qa)})") if len(qa) else re.compile("(?!)"),
        qualifier_before=re.compile(f"({_alternation(qb)}){_SPACE}?$") if len(qb) else re.compile("(?!)"),
        direction=re.compile(_alternation(directions["simplified"])),
        direction_of=dict(zip(directions["simplified"], directions["label"])),
        opens=re.compile(f"[\\s“”‘’「」『』（）()]*(?:{_alternation(of('continue')['simplified'])})"),
        share=re.compile(_alternation(of("share")["simplified"]) or "(?!)"),
        cues=re.compile(_alternation(cues["simplified"])),
        cue_of={term: (group["label"].iloc[0], frozenset(group["value"]))
                for term, group in cues.groupby("simplified", sort=False)},
        times=times, time_of=time_of,
        base=re.compile(f"(?:{_alternation(of('base')['simplified'])})$"),
    )


def compiled_rules(indicators_path=None, rules_path=None) -> _Rules:
    a = Path(indicators_path) if indicators_path is not None else INDICATORS
    b = Path(rules_path) if rules_path is not None else TARGET_RULES
    stamp = tuple((p.stat().st_mtime_ns, p.stat().st_size) for p in (a, b))
    return _compiled(str(a), str(b), stamp)


# --------------------------------------------------------------------------- one text

_HARD = re.compile(r"[；;。！？!?\n]")
# Clause ends: commas (not a thousands separator, 3，680), colons and the sentence ends.
_SOFT = re.compile(r"(?<![0-9０-９])[，,]|[，,](?![0-9０-９]{3}(?![0-9０-９]))|[：:；;。！？!?\n]")


def _boundaries(pattern: re.Pattern, simp: str) -> list[int]:
    return [m.start() for m in pattern.finditer(simp)]


@dataclass
class _Time:
    start: int
    end: int
    first: int | None   # absolute years (None where the speech's year is unknown)
    last: int | None
    relative: bool
    bound: int | None = None  # 上年的1.2%: the time of the figure at this offset only


def _unit_figure(rules: _Rules, simp: str, at: int) -> bool:
    """True when a figure with a unit starts at ``at`` (not 四年间, 五十周年)."""
    m = rules.value.match(simp, at)
    return bool(m) and bool(m.group("pp") or m.group("aunit") or m.group("unit") or m.group("cunit"))


def _times(simp: str, rules: _Rules, year: int | None) -> list[_Time]:
    """Every time word of a text, with the years it names."""
    out = []
    for m in rules.times.finditer(simp):
        g = m.groupdict()
        first = last = None
        relative = False
        if g.get("horizon"):
            last = _year(g["horizon"])
            first = year if year is not None and year <= last else last
        elif g.get("span_a"):
            first, last = _year(g["span_a"]), _year(g["span_b"])
        elif g.get("before"):
            last = _year(g["before"])
            first = year if year is not None and year <= last else last
        elif g.get("year"):
            first = last = _year(g["year"])
        elif g.get("plan_q") or g.get("plan_n") or g.get("plan_w"):
            n = numeral_value(g.get("plan_q") or g.get("plan_n") or g.get("plan_w"))
            if not n or n > 20:
                continue
            first, last = _plan_years(int(n))
        else:
            name = m.lastgroup
            if name not in rules.time_of:
                continue
            if rules.time_of[name] is None:
                continue  # 基础上 hides 上年 (…的基础上年均增长)
            a, b, n_group, anchored = rules.time_of[name]
            n = _number(m.group(n_group)) if n_group else None
            if n_group and not n:
                continue
            relative = True
            anchor = year
            if anchored and out and not out[-1].relative and out[-1].first == out[-1].last \
                    and out[-1].first is not None and not _HARD.search(simp, out[-1].end, m.start()):
                anchor = out[-1].first  # 1979年…由上年的1.2%: the year before 1979
            if anchor is not None:
                n = n or 0
                first, last = anchor + a[0] * n + a[1], anchor + b[0] * n + b[1]
        bound = m.end() + 1 if simp.startswith("的", m.end()) and _unit_figure(rules, simp, m.end() + 1) else None
        out.append(_Time(m.start(), m.end(), first, last, relative, bound))
    return out


def _time_kind(first: int | None, last: int | None, year: int | None) -> str | None:
    """What a time makes a figure: result (past), target (this year or next), plan."""
    if first is None or last is None or year is None:
        return None
    if last < year:
        return "result"
    if first == last and last <= year + 1:
        return "target"
    return "plan"


def heading_time(title: str, rules: _Rules, year: int | None) -> tuple[int, int] | None:
    found = {(t.first, t.last) for t in _times(to_simplified(title), rules, year) if t.first is not None}
    return found.pop() if len(found) == 1 else None


def _scan(text: str, simp: str, year: int | None, sections: list[tuple[int, int, str]], rules: _Rules) -> list[dict]:
    """The figures of one text (see :func:`text_targets`)."""
    terms = [(m.start(), m.end(), m.group()) for m in rules.terms.finditer(simp)]
    if not terms:
        return []
    term_ends = [t[1] for t in terms]
    term_at = {t[0]: i for i, t in enumerate(terms)}
    hard = _boundaries(_HARD, simp)
    soft = _boundaries(_SOFT, simp)
    sentence_ends = [m.end() for m in SENTENCE_END.finditer(simp)]
    times = None
    heading_cache: dict[int, tuple[int, int] | None] = {}
    section_starts = [s[0] for s in sections]
    rows = []
    for vs, ve, low, high, unit, more in _figures(simp, rules):
        # qualifier after
        qual_after = rules.qualifier_after.match(simp, ve)
        end = qual_after.end() if qual_after else ve
        # the indicator: right after (8%左右的国内生产总值), else the nearest before
        t_index = None
        if simp.startswith("的", end) and (end + 1) in term_at:
            t_index = term_at[end + 1]
            after = True
        else:
            after = False
            i = bisect.bisect_right(term_ends, vs) - 1
            if i < 0:
                continue
            t_index = i
        t_start, t_end, t_simp = terms[t_index]
        indicator, units, measure = rules.term_info[t_simp]
        if indicator == "-" or (unit not in units and not (unit is None and RATIO in units)):
            continue
        if unit is None and simp[ve:ve + 1] in "年月日号时个":
            continue
        if not after:
            seg_start = _last_before(hard, vs) + 1
            if t_start < seg_start:
                continue
            between = simp[t_end:vs]
            if rules.share.search(between):
                continue
            if not _carried(simp, soft, t_start, vs, rules):
                continue
            if "分别" in between and not _respectively(simp, soft, t_start, t_end, vs, between, rules):
                continue
        # qualifier before
        before_window = simp[max(0, vs - 4):vs]
        qual_before = rules.qualifier_before.search(before_window)
        written_q = []
        if qual_before:
            q0 = vs - len(qual_before.group(0))
            written_q.append(text[q0:q0 + len(qual_before.group(1))])
        if more:
            at = simp.find(more, vs, ve)
            written_q.append(text[at] if at >= 0 else more)
        if qual_after:
            written_q.append(text[qual_after.start(1):qual_after.end(1)])
        # one qualifier, the one bound to the number: after it (左右), between it and its unit
        # (多), else before it (不低于)
        qualifier = written_q[-1] if written_q else ""
        # direction, change
        scope_start = t_end if not after else _last_before(soft, vs) + 1
        dir_end = vs - (len(qual_before.group(0)) if qual_before else 0)
        direction = ""
        for d in rules.direction.finditer(simp, scope_start, max(scope_start, dir_end)):
            direction = rules.direction_of[d.group()]
        direction = "" if direction == "none" else direction
        change = unit in CHANGE_UNITS or (measure == "level" and direction in ("up", "down"))
        # sentence and its scope for cues and times
        k = bisect.bisect_right(sentence_ends, vs)
        s_start = sentence_ends[k - 1] if k else 0
        s_end = sentence_ends[k] if k < len(sentence_ends) else len(simp)
        scope = s_start
        # a list introduced by a colon at the end of the line before belongs to that line's sentence
        j = s_start - 1
        while j >= 0 and simp[j] == "\n":
            j -= 1
        if j >= 0 and simp[j] in "：:" and k >= 1:
            scope = sentence_ends[k - 2] if k >= 2 else 0
        if times is None:
            times = _times(simp, rules, year)
            time_starts = [t.start for t in times]
        kind, first, last, rule = _decide(simp, soft, sentence_ends, scope, s_end, t_start, vs, end, times,
                                          time_starts, sections, section_starts, heading_cache, year, rules)
        rows.append({
            "indicator": indicator, "value": low if high is None else None,
            "low": low if high is not None else None, "high": high, "unit": unit if unit is not None else RATIO,
            "qualifier": qualifier, "kind": kind, "year": first, "until": last, "change": bool(change),
            "direction": direction, "written": text[vs:end], "term": text[t_start:t_end], "start": vs, "end": end,
            "sentence_start": s_start, "sentence_end": s_end, "sentence": text[s_start:s_end].strip(),
            "rule": rule,
        })
    return rows


_RANGE_JOIN = re.compile(f"{_RANGE}$")


def _figures(simp: str, rules: _Rules) -> list[tuple]:
    """(start, end, low, high, unit, 多/余) of every figure of a text, a range written with
    the unit on both ends (七千二百亿斤到七千五百亿斤) joined into one."""
    out = []
    for m in rules.value.finditer(simp):
        figure = _figure(m, rules)
        if figure is None:
            continue
        more = m.group("more") or m.group("cmore")
        if out and figure[4] is not None and out[-1][4] == figure[4] and out[-1][3] is None \
                and figure[3] is None and _RANGE_JOIN.fullmatch(simp, out[-1][1], figure[0]):
            prev = out[-1]
            low, high = sorted((prev[2], figure[2]))
            out[-1] = (prev[0], figure[1], low, high, figure[4], more or prev[5])
            continue
        out.append((*figure, more))
    return out


def _figure(m: re.Match, rules: _Rules):
    """(start, end, low, high, canonical unit) of a value match, converted; None if unusable."""
    g = m.groupdict()
    if g["pp"]:
        unit, factor = rules.prefixes[g["pp"]], 1.0
        low = _number(g["pa"])
        high = _number(g["pb"]) if g["pb"] else None
        start, end = m.start(), m.end()
    elif g["a"] is not None:
        low = _number(g["a"])
        high = None
        start, end = m.start(), m.end()
        written_unit = g["unit"] or g["aunit"]
        if g["b"] is not None:
            if g["aunit"] and (not g["unit"] or rules.units[g["aunit"]] != rules.units[g["unit"]]):
                # 2%到2020年: the second number is no part of the first
                end, written_unit = m.end("aunit"), g["aunit"]
            else:
                high = _number(g["b"])
        if written_unit is None:
            # a bare number (for indicators that take one: 出生人口性别比 118)
            return (start, m.end("a"), _clean(low), None, None) if low is not None and g["b"] is None else None
        unit, factor = rules.units[written_unit]
    else:
        unit, factor = rules.units[g["cunit"]]
        low = _wan(g["c"], g["cunit"])
        high = _wan(g["d"], g["cunit"]) if g["d"] else None
        start, end = m.start(), m.end()
    if low is None:
        return None
    low = _clean(low * factor)
    high = _clean(high * factor) if high is not None else None
    if high is not None and high < low:
        low, high = high, low
    return start, end, low, high, unit


def _wan(run: str, written_unit: str) -> float | None:
    """A Chinese number before a unit in 万: 三亿六千 (万吨) is 3亿6千万 = 36000 万."""
    if written_unit.startswith("万") and "亿" in run:
        high, _, low = run.partition("亿")
        a, b = numeral_value(high), numeral_value(low) if low else 0
        return None if a is None or b is None else a * 10_000 + b
    return _number(run)


def _last_before(positions: list[int], at: int) -> int:
    i = bisect.bisect_left(positions, at) - 1
    return positions[i] if i >= 0 else -1


def _carried(simp: str, soft: list[int], t_start: int, vs: int, rules: _Rules) -> bool:
    """True when every clause after the indicator's, up to the figure's, opens with a word
    that carries the subject on (after a time word, if one comes first)."""
    i = bisect.bisect_right(soft, t_start)
    while i < len(soft) and soft[i] < vs:
        at = soft[i] + 1
        time = rules.times.match(simp, at)  # 今年预期增长…: a time word may come first
        if time is not None:
            at = time.end()
        if not rules.opens.match(simp, at):
            return False
        i += 1
    return True


_LIST_SPLIT = re.compile("[、和与及]")


def _respectively(simp: str, soft: list[int], t_start: int, t_end: int, vs: int, between: str,
                  rules: _Rules) -> bool:
    """With 分别, the n-th figure goes to the n-th subject: True when this figure's place
    among the figures after 分别 is the indicator's place among the subjects before it."""
    clause_start = _last_before(soft, t_start) + 1
    at = t_end + between.index("分别")
    # the indicator's place: how many list separators come before it
    place = len(_LIST_SPLIT.findall(simp[clause_start:t_start]))
    figures = [m.start() for m in rules.value.finditer(simp, at, vs + 1)]
    return vs in figures and figures.index(vs) == place


def _framing(simp: str, t: _Time, sentence_ends: list[int]) -> bool:
    """True for a time word that frames what follows it: at the head of its sentence and
    set off by a comma (过去一年，…; 刚刚过去的2017年，…)."""
    k = bisect.bisect_right(sentence_ends, t.start)
    start = sentence_ends[k - 1] if k else 0
    return t.start - start <= 8 and simp.startswith(("，", ","), t.end)


def _decide(simp, soft, sentence_ends, scope, sentence_end, t_start, vs, end, times, time_starts, sections,
            section_starts, heading_cache, year, rules: _Rules):
    """(kind, year, until, rule) of a figure, in the order target_rules.tsv states."""
    # the clause that names the indicator (or, for a figure before its indicator, its own)
    clause_start = max(scope, _last_before(soft, min(t_start, vs)) + 1)
    # the time word nearest before the figure in its sentence, not a base of comparison; and
    # a base year in the figure's clauses (比一九七八年增长: the growth of the years after it)
    time, base = None, None
    # the sentence first; failing that, the sentences before it in its paragraph (过去一年，
    # 我们的各项工作取得了很大成绩。国内生产总值增长10.3%)
    paragraph = simp.rfind("\n", 0, scope) + 1
    i = bisect.bisect_left(time_starts, vs) - 1
    while i >= 0 and times[i].start >= paragraph:
        t = times[i]
        if t.start < scope and not _framing(simp, t, sentence_ends):
            i -= 1
            continue
        if t.end <= vs and (t.bound is None or t.bound == vs):
            if not rules.base.search(simp[max(0, t.start - 2):t.start]):
                time = t
                break
            if base is None and not t.relative and t.start >= scope:
                base = t
        i -= 1
    if time is not None and base is not None and None not in (time.first, base.last) \
            and time.first == time.last and base.last < time.first:
        time = _Time(time.start, time.end, base.last + 1, time.last, time.relative)
    # the heading's time
    h = bisect.bisect_right(section_starts, vs) - 1
    heading = None
    if h >= 0 and sections[h][0] <= vs < sections[h][1]:
        if h not in heading_cache:
            heading_cache[h] = heading_time(sections[h][2], rules, year)
        heading = heading_cache[h]

    def cues(start, stop, scope_name, kinds):
        return [c.group() for c in rules.cues.finditer(simp, start, stop)
                if scope_name in rules.cue_of[c.group()][1] and rules.cue_of[c.group()][0] in kinds]

    if time is not None and time.first is not None:
        first, last = time.first, time.last
    elif heading is not None:
        first, last = heading
    else:
        first = last = year
    past = last is not None and year is not None and last < year
    # 1. a target cue: the nearest in the clause, else right after the figure, else in the
    # sentence. A word of intent (要, 拟, 控制在) makes a target only of the present or the
    # future: of a past year it says what was done (一直控制在3%以内).
    wanted = ("target",) if past else ("target", "intent")
    clause_end = _next_soft(simp, end)
    cue = (cues(clause_start, vs, "clause", wanted)[-1:] or cues(end, clause_end, "after", wanted)[:1]
           or cues(scope, vs, "sentence", wanted)[-1:])
    if cue:
        several = first is not None and last is not None and last > first
        ahead = first is not None and year is not None and first > year + 1
        return ("plan" if several or ahead else "target"), first, last, f"cue:{cue[0]}"
    # 2. a time word in the sentence
    if time is not None:
        kind = _time_kind(time.first, time.last, year)
        if kind is not None:
            return kind, time.first, time.last, f"time:{simp[time.start:time.end]}"
    # 3. the heading's time
    if heading is not None:
        kind = _time_kind(heading[0], heading[1], year)
        if kind is not None:
            return kind, heading[0], heading[1], "heading"
    # 4. a result cue: before the figure in its clause, or anywhere after it in the sentence
    cue = (cues(clause_start, vs, "clause", ("result",))[-1:]
           or cues(end, sentence_end, "clause", ("result",))[:1])
    if cue:
        first = last = year - 1 if year is not None else None
        return "result", first, last, f"cue:{cue[0]}"
    return "other", None, None, ""


def _next_soft(simp: str, at: int) -> int:
    m = _SOFT.search(simp, at)
    return m.start() if m else len(simp)


# --------------------------------------------------------------------------- public

@renamed_arguments(moved=("year",))
def text_targets(text: str, *, year: int | None = None, simplified: str | None = None,
                 headings: list[tuple[int, int, str]] | None = None,
                 indicators_path: str | Path | None = None, rules_path: str | Path | None = None) -> pd.DataFrame:
    """The figures of one text: :data:`TARGET_COLUMNS` without ``speech_id`` and ``passage``.

    ``year`` is the year the speech was given (the year its 今年 means); without it, time
    words relative to it give no year. ``headings`` are ``(start, end, title)`` of its sections (the
    :func:`analysis.outline` sections), whose titles give the time of the figures under them
    that name none.

    >>> t = text_targets("今年国内生产总值增长百分之八至九，城镇新增就业1000万人以上。", year=2020)
    >>> t[["indicator", "low", "high", "unit", "kind", "year"]].values.tolist()[0]
    ['gdp_growth', 8.0, 9.0, '%', 'target', 2020]
    >>> t[["indicator", "value", "unit", "qualifier", "kind", "year"]].values.tolist()[1]
    ['urban_jobs', 1000.0, '万人', '以上', 'target', 2020]
    """
    rules = compiled_rules(indicators_path, rules_path)
    simp = simplified if simplified is not None else to_simplified(text)
    if len(simp) != len(text):
        raise ValueError("text_targets: the Simplified text must have one character per character of the text")
    rows = _scan(text, simp, None if year is None or pd.isna(year) else int(year), sorted(headings or []), rules)
    return _frame(rows, [c for c in TARGET_COLUMNS if c not in ("speech_id", "passage")])


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("value", "low", "high"):
        frame[column] = frame[column].astype("float64")
    for column in ("year", "until", "start", "end", "sentence_start", "sentence_end"):
        frame[column] = frame[column].astype("Int64")
    frame["change"] = frame["change"].astype(bool)
    return frame


@renamed_arguments(moved=("parts",))
@corpus_memo("targets")
def targets(corpus: pd.DataFrame, *, parts: pd.DataFrame | None = None,
            indicators_path: str | Path | None = None, rules_path: str | Path | None = None) -> pd.DataFrame:
    """Every figure the speeches of ``corpus`` give for an indicator of
    ``analysis/data/indicators.tsv``: one row each, in speech and text order.

    Columns (:data:`TARGET_COLUMNS`): ``speech_id``; ``indicator``; ``value``, or ``low``
    and ``high`` for a range (in the canonical ``unit``: %, ‰, 百分点, 千分点, 万人, 亿元,
    万吨, ``ratio`` for a bare number); ``qualifier`` as written (左右, 以上, 以内, 不低于,
    不超过 …, or empty); ``kind`` (target, result, plan, other); ``year`` and ``until`` (the
    first and last year it applies to); ``change`` (the figure is a change of a level, not
    the level: 比上年增加1800亿元, 0.4个百分点); ``direction`` (up, down or empty, from the
    word before it); ``written`` (the figure as written); ``term`` (the indicator's name as
    written); ``start``/``end`` (offsets of the figure in ``text``) and
    ``sentence_start``/``sentence_end``/``sentence``; ``passage`` (a citable id,
    :func:`analysis.passages.passage_ids`); ``rule`` (what decided the kind: ``cue:…``,
    ``time:…``, ``heading`` or empty).

    ``parts`` is the corpus's :func:`analysis.corpus_outline` (computed when not given):
    section headings give the time of figures that name none.
    """
    from ..corpus.pipeline import corpus_outline

    rules = compiled_rules(indicators_path, rules_path)
    if parts is None:
        parts = corpus_outline(corpus)
    sections = parts[parts["part"] == "section"]
    by_speech: dict = {}
    for sid, start, end, title in zip(sections["speech_id"], sections["start"], sections["end"], sections["title"]):
        by_speech.setdefault(sid, []).append((int(start), int(end), str(title) if pd.notna(title) else ""))
    years = corpus["year"] if "year" in corpus else pd.Series([None] * len(corpus), index=corpus.index)
    rows = []
    for sid, text, simp, year in zip(corpus["speech_id"], corpus["text"], corpus["text_simplified"], years):
        found = _scan(text, simp, None if pd.isna(year) else int(year), sorted(by_speech.get(sid, [])), rules)
        for row in found:
            row["speech_id"] = sid
        rows.extend(found)
    frame = _frame(rows, [c for c in TARGET_COLUMNS if c != "passage"])
    frame["passage"] = (passage_ids(frame["speech_id"], frame["start"].astype("int64"), corpus, parts)
                        if len(frame) else pd.Series([], dtype="string"))
    frame["indicator"] = pd.Categorical(frame["indicator"], categories=rules.order)
    frame["kind"] = pd.Categorical(frame["kind"], categories=KINDS)
    return frame[TARGET_COLUMNS]


# --------------------------------------------------------------------------- validation

GOLD_COLUMNS = ["sample", "speech_id", "offset", "indicator", "value", "low", "high", "unit", "qualifier", "kind",
                "year", "until", "change", "direction", "note"]
FIELDS = ("value", "unit", "qualifier", "kind", "year", "change", "direction")
"""The fields compared on a figure found at the right place for the right indicator."""


def validation_targets(path: str | Path | None = None) -> pd.DataFrame:
    """The hand-coded sample (``analysis/data/validation/targets.tsv``): one row per figure,
    :data:`GOLD_COLUMNS`; a row with an empty ``indicator`` says the speech was coded and holds
    no figure. Raises ``ValueError`` naming the row for an unknown indicator, kind, unit or a
    row with neither a value nor a range."""
    path = Path(path) if path is not None else VALIDATION_TARGETS
    frame = pd.read_csv(path, sep="\t", comment="#", dtype=str, keep_default_na=False)
    missing = [c for c in GOLD_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}")
    known = set(indicators())
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        where = f"{path}: row {i} ({row.speech_id} {row.offset})"
        if not row.indicator:
            continue
        if row.indicator not in known:
            raise ValueError(f"{where}: unknown indicator {row.indicator!r}")
        if row.kind not in KINDS:
            raise ValueError(f"{where}: unknown kind {row.kind!r}")
        if not row.value and not (row.low and row.high):
            raise ValueError(f"{where}: give a value, or low and high")
        if row.change not in ("0", "1") or row.direction not in ("", "up", "down"):
            raise ValueError(f"{where}: change is 0 or 1, direction up, down or empty")
    for column in ("offset", "year", "until"):
        frame[column] = pd.to_numeric(frame[column].replace("", None)).astype("Int64")
    for column in ("value", "low", "high"):
        frame[column] = pd.to_numeric(frame[column].replace("", None)).astype("float64")
    frame["change"] = frame["change"].map({"1": True, "0": False})
    return frame[GOLD_COLUMNS]


@dataclass
class TargetAgreement:
    """How :func:`targets` agrees with the hand-coded sample.

    ``rows``: one row per coded or found figure in the coded speeches, with ``status``
    ``matched`` (found at the coded place, for the coded indicator), ``missed`` (coded, not
    found) or ``spurious`` (found, not coded), and the coded and found fields side by side.
    ``precision`` and ``recall`` count figures; ``fields``: on matched figures, the share
    whose found field equals the coded one (value compares value, low and high).
    ``by_indicator``: precision and recall per indicator.
    """
    rows: pd.DataFrame
    precision: float = float("nan")
    recall: float = float("nan")
    fields: dict = field(default_factory=dict)
    by_indicator: pd.DataFrame | None = None

    def __repr__(self) -> str:
        counts = self.rows["status"].value_counts()
        return (f"TargetAgreement({int(counts.get('matched', 0))} matched, {int(counts.get('missed', 0))} missed, "
                f"{int(counts.get('spurious', 0))} spurious: precision {self.precision:.1%}, "
                f"recall {self.recall:.1%})")


def _same(a, b) -> bool:
    if (a is None or pd.isna(a)) and (b is None or pd.isna(b)):
        return True
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        return False
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) < 1e-6
    return a == b


def _gold_corpus(speech_ids) -> pd.DataFrame:
    import warnings

    from ..corpus.load import load_corpus

    ids = sorted(set(speech_ids))
    if not (GWR_DIR / "metadata.csv").is_file():
        raise FileNotFoundError(f"{GWR_DIR}: the shared corpus holding the coded reports is absent")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="not loaded", category=UserWarning)
        corpus = load_corpus(GWR_DIR)
    corpus = corpus[corpus["speech_id"].isin(ids)].reset_index(drop=True)
    absent = set(ids) - set(corpus["speech_id"])
    if absent:
        raise ValueError(f"validation speeches not found: {sorted(absent)}")
    return corpus


@renamed_arguments(moved=("corpus", "found"))
def target_agreement(gold: pd.DataFrame | None = None, *, corpus: pd.DataFrame | None = None,
                     found: pd.DataFrame | None = None) -> TargetAgreement:
    """Measure :func:`targets` against the hand-coded sample (:func:`validation_targets`).

    A coded figure is matched by a found figure of the same speech and indicator whose span
    (``start`` to ``end``) holds the coded offset. ``corpus`` defaults to the coded speeches
    of the shared corpus (``analysis.config.GWR_DIR``); ``found`` to ``targets(corpus)``.
    """
    gold = validation_targets() if gold is None else gold
    corpus = _gold_corpus(gold["speech_id"]) if corpus is None else corpus
    coded_ids = set(gold["speech_id"])
    found = targets(corpus[corpus["speech_id"].isin(coded_ids)]) if found is None else found
    found = found[found["speech_id"].isin(coded_ids)].reset_index(drop=True)
    figures = gold[gold["indicator"] != ""].reset_index(drop=True)
    used = set()
    rows = []
    for g in figures.itertuples(index=False):
        hits = found[(found["speech_id"] == g.speech_id) & (found["start"] <= g.offset) & (found["end"] > g.offset)
                     & (found["indicator"].astype(str) == g.indicator)]
        hit = next((i for i in hits.index if i not in used), None)
        row = {"sample": g.sample, "speech_id": g.speech_id, "offset": int(g.offset), "indicator": g.indicator,
               "status": "missed" if hit is None else "matched", "note": g.note}
        for name in ("value", "low", "high", "unit", "qualifier", "kind", "year", "until", "change", "direction"):
            row[name] = getattr(g, name)
            row[f"found_{name}"] = None if hit is None else found.at[hit, name]
        rows.append(row)
        if hit is not None:
            used.add(hit)
    sample_of = dict(zip(gold["speech_id"], gold["sample"]))
    for i in found.index:
        if i in used:
            continue
        f = found.loc[i]
        row = {"sample": sample_of[f["speech_id"]], "speech_id": f["speech_id"], "offset": int(f["start"]),
               "indicator": str(f["indicator"]), "status": "spurious", "note": "found, not coded"}
        for name in ("value", "low", "high", "unit", "qualifier", "kind", "year", "until", "change", "direction"):
            row[name] = None
            row[f"found_{name}"] = f[name]
        rows.append(row)
    frame = pd.DataFrame(rows)
    matched = frame[frame["status"] == "matched"]
    n_found = int((frame["status"] != "missed").sum())
    result = TargetAgreement(frame)
    result.precision = len(matched) / n_found if n_found else float("nan")
    result.recall = len(matched) / len(figures) if len(figures) else float("nan")
    for name in FIELDS:
        if name == "value":
            ok = [all(_same(r[c], r[f"found_{c}"]) for c in ("value", "low", "high")) for _, r in matched.iterrows()]
        elif name == "year":
            ok = [_same(r["year"], r["found_year"]) and _same(r["until"], r["found_until"])
                  for _, r in matched.iterrows()]
        else:
            ok = [_same(r[name], r[f"found_{name}"]) for _, r in matched.iterrows()]
        result.fields[name] = float(np.mean(ok)) if ok else float("nan")
    per = []
    for indicator, part in frame.groupby("indicator", sort=True):
        m = int((part["status"] == "matched").sum())
        n_coded = int((part["status"] != "spurious").sum())
        n_found_i = int((part["status"] != "missed").sum())
        per.append((indicator, n_coded, n_found_i, m, m / n_found_i if n_found_i else float("nan"),
                    m / n_coded if n_coded else float("nan")))
    result.by_indicator = pd.DataFrame(per, columns=["indicator", "coded", "found", "matched", "precision", "recall"])
    return result


def target_agreement_summary(gold: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`target_agreement` per sample of the hand-coded table, for the samples whose
    reports can be loaded here (the shared corpus, where ``../shared`` is present): one row
    per sample with ``figures`` (coded), ``precision``, ``recall`` and the share of matched
    figures whose ``kind`` and ``year`` agree. Empty when the shared corpus is absent."""
    from ..corpus.cache import cached_frame, code_digest, digest

    gold = validation_targets() if gold is None else gold
    columns = ["sample", "figures", "precision", "recall", "kind", "year"]
    if not (GWR_DIR / "metadata.csv").is_file():
        return pd.DataFrame(columns=columns)
    corpus = _gold_corpus(gold["speech_id"])

    def compute() -> pd.DataFrame:
        found = targets(corpus)
        rows = []
        for name, part in gold.groupby("sample", sort=True):
            result = target_agreement(part, corpus=corpus, found=found)
            rows.append({"sample": name, "figures": int((part["indicator"] != "").sum()),
                         "precision": result.precision, "recall": result.recall,
                         "kind": result.fields["kind"], "year": result.fields["year"]})
        return pd.DataFrame(rows, columns=columns)

    key = digest(code_digest(), gold.to_csv(index=False),
                 *(part for sid, text in sorted(zip(corpus["speech_id"], corpus["text"])) for part in (sid, text)))
    return cached_frame("target-agreement", key, compute)


# --------------------------------------------------------------------------- summaries

def _speech_years(found: pd.DataFrame, corpus: pd.DataFrame) -> pd.Series:
    years = dict(zip(corpus["speech_id"], corpus["year"])) if "year" in corpus else {}
    return pd.to_numeric(found["speech_id"].map(years), errors="coerce").astype("Int64")


def figure_label(value, low, high, unit, qualifier) -> str:
    """A figure as a table shows it: ``6–6.5%``, ``1100万人以上``, ``3%左右``.

    >>> figure_label(None, 6.0, 6.5, "%", ""), figure_label(1100.0, None, None, "万人", "以上")
    ('6–6.5%', '1100万人以上')
    """
    def num(x):
        return f"{x:g}" if x is not None and not pd.isna(x) else ""
    unit = "" if unit == RATIO else unit
    body = f"{num(low)}–{num(high)}" if high is not None and not pd.isna(high) else num(value)
    before = qualifier if qualifier in _BEFORE_QUALIFIERS else ""
    after = qualifier if qualifier and not before else ""
    return f"{before}{body}{unit}{after}"


_BEFORE_QUALIFIERS = frozenset({"不低于", "不超过", "不高于", "不少于", "超过", "高于", "低于", "至少", "接近", "将近",
                                "約", "约", "近", "超", "不低於", "不超過", "不高於", "不少於", "超過", "高於", "低於"})


@renamed_arguments(moved=("corpus", "kind"))
def year_figures(found: pd.DataFrame, *, corpus: pd.DataFrame, kind: str = "target") -> pd.DataFrame:
    """One figure per indicator and year of the given ``kind`` (single-year figures of a
    level or rate, no changes): the one the speech of the right year gives first — for a
    target, the report of that year (the one that sets it); for a result, the report of the
    year after (the one that announces it); where that speech gives none, the first figure
    of any speech.

    Returns ``indicator``, ``year``, ``value``, ``low``, ``high``, ``unit``, ``qualifier``,
    ``label`` (:func:`figure_label`), ``speech_id`` and ``passage``, sorted by indicator
    and year; and ``n_speeches``, ``n_labels`` and ``n_speech_labels``: how many speeches
    give a figure of that indicator and year, how many different figures they give, and how
    many different figures when each speech counts by its first (a speech may give two: a
    total and a part, a figure and a correction). A corpus of one
    government's reports has one speech a year; in one of many places' speeches the year's
    figure is one place's among others (``n_labels`` > 1): compare places by their own rows
    of ``found``, not by this table.
    """
    columns = ["indicator", "year", "value", "low", "high", "unit", "qualifier", "label", "speech_id", "passage",
               "n_speeches", "n_labels", "n_speech_labels"]
    rows = found[(found["kind"].astype(str) == kind) & ~found["change"] & found["year"].notna()
                 & (found["year"] == found["until"])].copy()
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows["indicator"] = rows["indicator"].astype(str)
    spoken = _speech_years(rows, corpus)
    expected = rows["year"] + (1 if kind == "result" else 0)
    rows["own"] = (spoken == expected).fillna(False).astype(bool)
    rows["order"] = np.arange(len(rows))
    rows["label"] = [figure_label(*v) for v in zip(rows["value"], rows["low"], rows["high"], rows["unit"],
                                                      rows["qualifier"])]
    groups = rows.groupby(["indicator", "year"], sort=False)
    rows["n_speeches"] = groups["speech_id"].transform("nunique").astype("int64")
    rows["n_labels"] = groups["label"].transform("nunique").astype("int64")
    firsts = rows.drop_duplicates(["indicator", "year", "speech_id"])   # found is in text order
    per_speech = firsts.groupby(["indicator", "year"])["label"].nunique()
    rows["n_speech_labels"] = per_speech.reindex(pd.MultiIndex.from_frame(rows[["indicator", "year"]])).to_numpy(
        dtype="int64")
    rows = rows.sort_values(["indicator", "year", "own", "order"], ascending=[True, True, False, True], kind="stable")
    rows = rows.drop_duplicates(["indicator", "year"], keep="first")
    rows["year"] = rows["year"].astype("int64")
    return rows[columns].reset_index(drop=True)


@renamed_arguments(moved=("corpus", "indicators"))
def target_table(found: pd.DataFrame, *, corpus: pd.DataFrame, indicators: list[str] | None = None) -> pd.DataFrame:
    """The targets by year and indicator: one row per year, one column per indicator (in
    ``indicators.tsv`` order, or as given), each cell the year's own target as written
    (:func:`year_figures`), empty where the speeches set none."""
    year_rows = year_figures(found, corpus=corpus, kind="target")
    order = [i for i in (indicators or compiled_rules().order) if i in set(year_rows["indicator"])]
    if year_rows.empty or not order:
        return pd.DataFrame(columns=["year", *order])
    table = year_rows.pivot(index="year", columns="indicator", values="label").reindex(columns=order)
    return table.fillna("").reset_index().rename_axis(columns=None)


@renamed_arguments(moved=("corpus", "indicators"))
def targets_and_results(found: pd.DataFrame, *, corpus: pd.DataFrame, indicators: list[str]) -> pd.DataFrame:
    """Each year's target beside the result the following report announces, for the given
    indicators: ``indicator``, ``year``, ``target`` (label), ``target_low`` and
    ``target_high`` (the same for a single figure), ``qualifier``, ``result``, ``unit``,
    ``gap`` (the result's distance from the target's band: positive above its upper end,
    negative below its lower end, 0 within; NA without a result) and the two ``passage``
    ids (each names its speech); ``n_speech_labels``, how many different figures the
    speeches give for that indicator and year, each speech by its first, as a target or as a
    result, whichever more (:func:`year_figures`). Only years with a target; the result is NA
    where no report announces one.

    The pairs are by year alone: right for one government's reports, one a year. In a corpus
    of several places' speeches a year, the target of one place would stand beside the result
    of another; ``n_speech_labels`` above 1 shows it, such a year's ``result``, ``gap`` and
    ``result_passage`` are left empty (a new user's notebook 06 showed a Hong Kong target
    beside a Taiwan result, with their gap), and :func:`enough_for_targets` charts nothing."""
    columns = ["indicator", "year", "target", "target_low", "target_high", "qualifier", "result", "unit", "gap",
               "target_passage", "result_passage", "n_speech_labels"]
    wanted = set(indicators)
    goals = year_figures(found, corpus=corpus, kind="target")
    goals = goals[goals["indicator"].isin(wanted)]
    if goals.empty:
        return pd.DataFrame(columns=columns)
    done = year_figures(found, corpus=corpus, kind="result")
    done = done[done["indicator"].isin(wanted)][["indicator", "year", "value", "unit", "passage", "n_speech_labels"]]
    table = goals.merge(done, on=["indicator", "year"], how="left", suffixes=("", "_result"))
    # a result in another unit (a target in %, a result in 万人) is no result of that target
    table.loc[table["unit_result"].notna() & (table["unit_result"] != table["unit"]), "value_result"] = np.nan
    # as floats: with no result at all, the merged result columns are the empty table's objects
    low = table["low"].fillna(table["value"]).astype("float64")
    high = table["high"].fillna(table["value"]).astype("float64")
    result = pd.to_numeric(table["value_result"], errors="coerce").astype("float64")
    gap = np.where(result > high, result - high, np.where(result < low, result - low, 0.0))
    out = pd.DataFrame({
        "indicator": table["indicator"], "year": table["year"], "target": table["label"], "target_low": low,
        "target_high": high, "qualifier": table["qualifier"], "result": result, "unit": table["unit"],
        "gap": pd.Series(gap, index=table.index).where(result.notna()).round(6),
        "target_passage": table["passage"], "result_passage": table["passage_result"],
        "n_speech_labels": np.fmax(table["n_speech_labels"].astype("int64"),
                                   pd.to_numeric(table["n_speech_labels_result"]).fillna(0)).astype("int64")})
    mixed = out["n_speech_labels"] > 1  # another speech's result: no result of this target
    out["result"] = out["result"].mask(mixed)
    out["gap"] = out["gap"].mask(mixed)
    out["result_passage"] = out["result_passage"].mask(mixed)
    order = {k: i for i, k in enumerate(indicators)}
    return out.sort_values(["indicator", "year"], key=lambda s: s.map(order) if s.name == "indicator" else s,
                           kind="stable").reset_index(drop=True)[columns]


def _old_term_figures_order(fn):
    """``term_figures(corpus, found, terms)``, the order before the convention of docs/api.md
    (``found`` is another table, so keyword-only): still read, with a DeprecationWarning."""
    import functools

    @functools.wraps(fn)
    def inner(corpus, *args, **kwargs):
        if args and isinstance(args[0], pd.DataFrame) and "found" not in kwargs:
            warn_spelling("term_figures(corpus, found, terms) is now term_figures(corpus, terms, found=found)")
            kwargs["found"], args = args[0], args[1:]
        return fn(corpus, *args, **kwargs)

    return inner


@_old_term_figures_order
def term_figures(corpus: pd.DataFrame, terms: list[str], *, found: pd.DataFrame) -> pd.DataFrame:
    """Each sentence that mentions one of ``terms`` (either script; 雙降, 出生率) with the
    figures :func:`targets` found in it: ``speech_id``, ``term`` (as written), ``start``,
    ``passage``, ``figures`` (how many), ``indicators`` (theirs, joined by 、) and
    ``sentence``. Tells whether a speech that names a target gives it a number."""
    from ..corpus.passages import passage_ids as _ids

    columns = ["speech_id", "term", "start", "passage", "figures", "indicators", "sentence"]
    wanted = [to_simplified(t) for t in terms if t]
    if not wanted:
        return pd.DataFrame(columns=columns)
    pattern = re.compile(_alternation(wanted))
    rows = []
    where = found.groupby("speech_id", observed=True, sort=False).indices if len(found) else {}
    starts, indicators = found["start"].to_numpy(), found["indicator"].astype(str).to_numpy()
    for sid, text, simp in zip(corpus["speech_id"], corpus["text"], corpus["text_simplified"]):
        matches = list(pattern.finditer(simp))
        if not matches:
            continue
        ends = [m.end() for m in SENTENCE_END.finditer(simp)]
        mine = where.get(sid, np.array([], dtype=np.intp))
        mine_starts, mine_indicators = starts[mine], indicators[mine]
        for m in matches:
            k = bisect.bisect_right(ends, m.start())
            s_start = ends[k - 1] if k else 0
            s_end = ends[k] if k < len(ends) else len(simp)
            inside = (mine_starts >= s_start) & (mine_starts < s_end)
            named = "、".join(dict.fromkeys(mine_indicators[inside].tolist()))
            rows.append({"speech_id": sid, "term": text[m.start():m.end()], "start": m.start(),
                         "figures": int(inside.sum()), "indicators": named, "sentence": text[s_start:s_end].strip()})
    frame = pd.DataFrame(rows, columns=[c for c in columns if c != "passage"])
    frame["passage"] = _ids(frame["speech_id"], frame["start"], corpus) if len(frame) else pd.Series([], dtype="string")
    return frame[columns]


@renamed_arguments(moved=("minimum",))
def enough_for_targets(table: pd.DataFrame, *, minimum: int = 2):
    """Whether :func:`targets_and_results` has enough to chart: at least ``minimum`` years
    with both a target and a result, for some indicator. True or false, with the reason as
    its text (an :class:`analysis.trends.Enough`).

    >>> bool(enough_for_targets(pd.DataFrame(columns=["indicator", "year", "result"])))
    False
    """
    from ..common.wording import counted
    from ..measures.trends import Enough

    if table.empty:
        return Enough(False, "no year has a target of these indicators: nothing to chart")
    paired = table[table["result"].notna()]
    if "n_speech_labels" in table and (table["n_speech_labels"] > 1).any():
        mixed = table[table["n_speech_labels"] > 1].sort_values("year", kind="stable")
        first = mixed.iloc[0]
        return Enough(False, f"the speeches give different figures for the same year "
                             f"({counted(int(mixed['year'].nunique()), 'year')}; {int(first['year'])}: "
                             f"{int(first['n_speech_labels'])} different {first['indicator']} figures). "
                             "The corpus holds several places' or series' speeches a year, and a target set "
                             "beside a result would join one speech's figure to another's, so nothing is charted; "
                             "compare each place by its own rows of the targets table (year_figures names the "
                             "speeches)")
    both = paired.groupby("indicator", sort=False)["year"].nunique()
    best = int(both.max()) if len(both) else 0
    said = (f"{counted(int(table['year'].nunique()), 'year')} with a target, "
            f"{counted(best, 'year')} with the following report's result")
    if best >= minimum:
        return Enough(True, f"enough to chart: {said}")
    return Enough(False, f"too little to chart: {said} (at least {minimum} needed)")
