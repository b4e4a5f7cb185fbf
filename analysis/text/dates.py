"""When a speech was given: its date or year, where that came from, and the words that say so.

The page a speech was scraped from often carries a posting time (the ``時間:`` line), which
says when the page went up, not when the speech was given: that stays in ``published`` and is
never the speech's date. :func:`speech_date` tries, in this order of trust:

a. **metadata**: a ``date`` column of the metadata table, or ``year`` alone;
b. **a dateline in the text's head**, written the way papers and official sites write it:
   a short line of the first few that starts with a full date and is not a sentence
   (``（2020年2月3日）`` under a title; ``——2024年3月5日在第十四届全国人民代表大会第二次会议上``;
   ``一九八二年十一月三十日``; ``（2013年3月17日第十二届全国人民代表大会第一次会议通过）``), or
   the date of a published head that shares its line with the title, the speaker or the body
   (``《在…上的讲话》（2020年2月3日）习近平``, :mod:`analysis.heads`),
   or, for the year only, the session of the National People's Congress or of the CPPCC
   National Committee that the first paragraph names (``第十二届全国人民代表大会第一次会议``),
   looked up in ``analysis/data/sessions.tsv``;
c. **the file name**: a full date (``2011-03-05_x``, ``x_20120305``) or a year (``gwr-2013``),
   standing apart from letters and other digits (so a hash such as ``8ebf5a98`` is no date);
d. **the year the text speaks of as its own**: ``2012年度``, or ``今年`` next to a year
   (``今年（2012年）``); year only, the most frequent such year (ties: the latest).

Each rule returns a :class:`SpeechDate`: ``date`` (a Timestamp, NaT when only the year is
known), ``year``, ``source`` (``metadata``, ``text``, ``filename``, or None when nothing
dates the speech) and ``evidence`` (the words or the field it came from).
"""
from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from ..common.datafiles import data_lines
from ..common.wording import counted
from ..config import DATA_DIR
from .heads import find_head
from .numbers import DATE_RE, MAX_YEAR, MIN_YEAR, YEAR_DIGITS, numeral_value, written_date

SESSIONS = DATA_DIR / "sessions.tsv"
SOURCES = ("metadata", "text", "filename")
# How much of the text's start is its "head": the lines before the body begins.
HEAD_LINES, HEAD_CHARS = 8, 400
MAX_DATELINE = 100
FIRST_PARAGRAPH_CHARS = 200


@dataclass(frozen=True)
class SpeechDate:
    """What is known of when a speech was given."""

    date: pd.Timestamp = pd.NaT
    year: int | None = None
    source: str | None = None
    evidence: str | None = None


UNKNOWN = SpeechDate()

# ---------------------------------------------------------------- (a) metadata
ACCEPTED_DATES = ("2018-03-05 (a time after it is ignored), 2018/03/05, 2018.03.05, 20180305, 2018年3月5日 "
                  "(or 二〇一八年三月五日); "
                  "or the year and month (2018-03, 2018/03, 2018年3月) or the year alone (2018, 2018年), "
                  "which date the year only")
_Y = r"(?P<y>\d{4})"
_FULL_FORMS = (
    # A time after the day (2018-03-05 10:00, 2018-03-05T10:00:00+08:00, as scrapers export
    # it) is read past: a speech is dated to the day.
    re.compile(rf"{_Y}(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})"
               r"(?:[ T]\d{1,2}:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?"),
    re.compile(rf"{_Y}(?P<m>\d\d)(?P<d>\d\d)"),
    re.compile(rf"{_Y}\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*日"),
    re.compile(rf"(?P<cy>[{YEAR_DIGITS}]{{4}})\s*年\s*(?P<cm>[一二三四五六七八九十]{{1,3}})\s*月"
               r"\s*(?P<cd>[一二三四五六七八九十廿]{1,3})\s*日"),
)
_PARTIAL_FORMS = (
    re.compile(rf"{_Y}(?:\.0)?年?"),                     # 2018, 2018年 (2018.0: a number in a DataFrame)
    re.compile(rf"{_Y}[-/](?P<m>\d{{1,2}})"),
    re.compile(rf"{_Y}\s*年\s*(?P<m>\d{{1,2}})\s*月"),
    re.compile(rf"(?P<cy>[{YEAR_DIGITS}]{{4}})\s*年(?:\s*(?P<cm>[一二三四五六七八九十]{{1,3}})\s*月)?"),
)
# Forms that could be read more than one way: which number is the year, or the day and the month.
_AMBIGUOUS = (
    (re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{4}"), "day and month order cannot be told apart "
                                                  "(3/5/2018 is 3 May in one country, 5 March in another)"),
    (re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{1,2}|\d{6}"), "a two-digit year (18/3/5 could be 2018, 2005 "
                                                          "or 2003)"),
)


def _check_year(value, year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"{value!r} is not a date between {MIN_YEAR} and {MAX_YEAR}")
    return year


def parse_date_value(value) -> tuple[pd.Timestamp, int | None]:
    """A metadata ``date`` cell as ``(date, year)``, accepting only forms that cannot be misread
    (:data:`ACCEPTED_DATES`) or a datetime value. A full date gives both; a year and month
    (``2012-03``, ``2012年3月``) or a year alone (``2012``, ``2012年``) give the year and NaT,
    since a day would be invented. Raises ``ValueError`` naming the value, why it is refused
    (ambiguous, unsupported, not a real date) and the accepted forms.

    >>> parse_date_value("2012-03-05"), parse_date_value("2012年3月5日"), parse_date_value("2012-03")
    ((Timestamp('2012-03-05 00:00:00'), 2012), (Timestamp('2012-03-05 00:00:00'), 2012), (NaT, 2012))
    """
    if isinstance(value, (pd.Timestamp, datetime.date)) and not pd.isna(value):
        stamp = pd.Timestamp(value)
        return stamp, _check_year(value, stamp.year)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    for form in _FULL_FORMS:
        m = form.fullmatch(text)
        if m:
            groups = m.groupdict()
            if groups.get("cy"):
                year, month, day = numeral_value(m["cy"]), numeral_value(m["cm"]), numeral_value(m["cd"])
            else:
                year, month, day = int(m["y"]), int(m["m"]), int(m["d"])
            _check_year(value, year)
            try:
                stamp = pd.Timestamp(year, month, day)
            except ValueError:
                raise ValueError(f"{value!r} is not a real date (month {month}, day {day})") from None
            return stamp, year
    for form in _PARTIAL_FORMS:
        m = form.fullmatch(text)
        if m:
            groups = m.groupdict()
            if groups.get("cy"):
                year, month = numeral_value(m["cy"]), numeral_value(m["cm"]) if m["cm"] else None
            else:
                year, month = int(m["y"]), int(m["m"]) if groups.get("m") else None
            if month is not None and not 1 <= month <= 12:
                raise ValueError(f"{value!r} is not a real date (month {month})")
            return pd.NaT, _check_year(value, year)
    for form, why in _AMBIGUOUS:
        if form.fullmatch(text):
            raise ValueError(f"{value!r} is ambiguous: {why}; write it as one of {ACCEPTED_DATES}")
    raise ValueError(f"{value!r} is not a date in a supported form; write it as one of {ACCEPTED_DATES}")


def parse_year_value(value) -> int:
    """A metadata ``year`` cell as an int in 1900..2100; raises ``ValueError`` otherwise.

    >>> parse_year_value("2012"), parse_year_value(2012.0), parse_year_value("二〇一二")
    (2012, 2012, 2012)
    """
    text = unicodedata.normalize("NFKC", str(value)).strip().removesuffix("年")
    if re.fullmatch(rf"[{YEAR_DIGITS}]{{4}}", text):
        year = numeral_value(text)
    elif re.fullmatch(r"\d{4}(?:\.0+)?", text):
        year = int(float(text))
    else:
        raise ValueError(f"{value!r} is not a year")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"{value!r} is not a year between {MIN_YEAR} and {MAX_YEAR}")
    return year


# ---------------------------------------------------------------- (b) the text's head
_STRIP = " \t\u3000—–－-―─（）()【】[]〔〕<>《》"


def _head_lines(text: str) -> list[str]:
    lines, used = [], 0
    for line in text.split("\n"):
        if not line.strip():
            continue
        lines.append(line)
        used += len(line)
        if len(lines) >= HEAD_LINES or used >= HEAD_CHARS:
            break
    return lines


def dateline(text: str) -> SpeechDate:
    """A date written as a dateline among the first lines of ``text``: the date of a published
    head at the start of a line (:func:`analysis.heads.find_head`: ``《…》（2020年2月3日）王明``,
    with the body run on after it or not), or a short line that, stripped of dashes, brackets
    and spaces, starts with a full date and holds no full stop (so a sentence that opens with
    a date is not taken for one).

    >>> dateline("政府工作报告\\n——2024年3月5日在第十四届全国人民代表大会第二次会议上\\n各位代表：").date
    Timestamp('2024-03-05 00:00:00')
    >>> dateline("《在全市会议上的讲话》（2020年2月3日）王明 同志们：今天开会。").evidence
    '（2020年2月3日）'
    >>> dateline("2011年3月，我们召开了会议。").source is None
    True
    """
    for line in _head_lines(text):
        head = find_head(line)
        if head is not None:
            return SpeechDate(head.date, head.date.year, "text", head.date_text.strip())
        stripped = unicodedata.normalize("NFKC", line).strip(_STRIP)
        if len(stripped) > MAX_DATELINE or re.search("[。！？!?]", stripped):
            continue
        m = DATE_RE.match(stripped)
        if m:
            stamp = written_date(m)
            if stamp is not None:
                return SpeechDate(stamp, stamp.year, "text", line.strip())
    return UNKNOWN


_CN_ORDINAL = "一二三四五六七八九十"
_N = rf"[{_CN_ORDINAL}]{{1,3}}"
# On the Simplified text: 第十二届全国人民代表大会第一次会议, 十二届全国人大一次会议;
# 中国人民政治协商会议第十二届全国委员会第一次会议, 全国政协十二届一次会议.
_SESSION_RE = re.compile(
    rf"第?(?P<t1>{_N})届全国(?:人民代表大会|人大)(?:常务委员会|常委会)?第?(?P<s1>{_N})次(?:全体)?会议"
    rf"|(?:政治协商会议|政协)第?(?P<t2>{_N})届全国委员会第?(?P<s2>{_N})次(?:全体)?会议"
    rf"|全国政协第?(?P<t3>{_N})届第?(?P<s3>{_N})次(?:全体)?会议"
)


def sessions() -> pd.DataFrame:
    """The session table ``analysis/data/sessions.tsv``: ``body`` (npc or cppcc), ``term``,
    ``session`` and ``year`` (when that session met), one row per session. A copy of the
    table read once: editing it changes nothing for the next caller."""
    return _sessions().copy()


@functools.lru_cache(maxsize=1)
def _sessions() -> pd.DataFrame:
    rows = []
    for lineno, fields in data_lines(SESSIONS):
        if len(fields) != 4:
            raise ValueError(f"{SESSIONS}:{lineno}: expected body<TAB>term<TAB>session<TAB>year")
        body, term, session, year = fields
        rows.append((body, int(term), int(session), parse_year_value(year)))
    return pd.DataFrame(rows, columns=["body", "term", "session", "year"])


@functools.lru_cache(maxsize=1)
def _session_years() -> dict[tuple[str, int, int], int]:
    table = _sessions()
    return {(b, t, s): y for b, t, s, y in table.itertuples(index=False, name=None)}


def session_year(text: str, simplified: str | None = None) -> SpeechDate:
    """The year of the NPC or CPPCC session the opening of ``text`` names: its first line, or
    the line after a salutation (``各位代表：``), within its first 200 characters. A Standing
    Committee session is not dated (the table lists plenary sessions only).

    >>> session_year("第十二届全国人民代表大会第一次会议听取和审议了政府工作报告。").year
    2013
    >>> session_year("各位代表：\\n我们第一届全国人民代表大会第一次会议，已经光荣地完成了……").year
    1954
    >>> session_year("从去年9月第五届全国人民代表大会第三次会议到现在，已经过去了一年。").source is None
    True
    """
    simp = _simplified(text, simplified)
    for start, end in _opening(simp):
        m = _SESSION_RE.search(simp, start, min(end, start + FIRST_PARAGRAPH_CHARS))
        if not m or "常" in m.group() or _LOOKS_BACK.search(simp[max(start, m.start() - 8):m.start()]) \
                or _SINCE.match(simp, m.end()):
            continue
        body = "npc" if m["t1"] else "cppcc"
        term = m["t1"] or m["t2"] or m["t3"]
        session = m["s1"] or m["s2"] or m["s3"]
        year = _session_years().get((body, numeral_value(term), numeral_value(session)))
        if year is not None:
            return SpeechDate(pd.NaT, year, "text", text[m.start():m.end()])
    return UNKNOWN


# A session named as the past the speech looks back on, not the one it is given at:
# 从去年9月第五届全国人民代表大会第三次会议到现在, 十二届全国人大一次会议以来.
_LOOKS_BACK = re.compile(r"从|自从|自|去年|上次|上一次|前次|前年")
_SINCE = re.compile(r"[^，。；\n]{0,4}?(?:以来|到现在|至今|之后|以后|闭幕后|后)")
_SALUTATION_LINE = re.compile(r"^[^。，\n]{1,24}[：:]\s*$")


def _opening(simp: str) -> list[tuple[int, int]]:
    """(start, end) of the first non-empty line, and of the next one too when the first is
    a salutation."""
    spans = []
    pos = 0
    for line in simp.split("\n"):
        if line.strip():
            spans.append((pos, pos + len(line)))
            if len(spans) == 2 or not _SALUTATION_LINE.match(line.strip()):
                break
        pos += len(line) + 1
    return spans


def _simplified(text: str, simplified: str | None) -> str:
    if simplified is not None and len(simplified) == len(text):
        return simplified
    from .script import to_simplified

    return to_simplified(text)


# ---------------------------------------------------------------- (c) the file name
_NAME_DATE = re.compile(
    r"(?<![0-9A-Za-z])((?:19|20)\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?![0-9A-Za-z])")
_NAME_YEAR = re.compile(r"(?<![0-9A-Za-z])((?:19|20)\d\d)(?![0-9A-Za-z])")


def filename_date(name: str) -> SpeechDate:
    """A date or year in a file name (its stem): ``2011-03-05_x``, ``x_20120305``, ``gwr-2013``.
    Two different years in one name say nothing.

    >>> filename_date("x_20120305").date, filename_date("gwr-2013").year
    (Timestamp('2012-03-05 00:00:00'), 2013)
    >>> filename_date("000_8ebf5a98b5b66884").source is None
    True
    """
    stem = name[:-4] if name.lower().endswith(".txt") else name
    for m in _NAME_DATE.finditer(stem):
        try:
            stamp = pd.Timestamp(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue
        return SpeechDate(stamp, stamp.year, "filename", stem)
    years = {int(y) for y in _NAME_YEAR.findall(stem)}
    if len(years) == 1:
        return SpeechDate(pd.NaT, years.pop(), "filename", stem)
    return UNKNOWN


_RUN4 = re.compile(r"(?<![0-9A-Za-z])\d{4}(?![0-9A-Za-z])")
SEQUENCE_MIN_NAMES = 10
"""The fewest names sharing a pattern (``doc_####``) that can show it numbers a sequence."""


def numbered_names(names) -> set[str]:
    """The names whose four-digit number is a place in a numbered sequence, not a year:
    among the names of the same pattern (the number replaced, ``doc_####``), at least
    :data:`SEQUENCE_MIN_NAMES` of them, most numbers are not years of 1900-2099 (``doc_0001``
    … ``doc_2000``), so that ``doc_1950`` is the 1,950th document, not one of 1950.
    :func:`filename_date` reads one name alone; the load reads the corpus's names with this.

    >>> sorted(numbered_names([f"doc_{i:04d}" for i in range(1, 31)] + ["doc_1950", "gwr-2013"]))
    ['doc_1950']
    >>> numbered_names([f"report-{y}" for y in range(1990, 2020)])
    set()
    """
    by_pattern: dict[str, list[tuple[str, str]]] = {}
    for name in names:
        stem = str(name)[:-4] if str(name).lower().endswith(".txt") else str(name)
        for m in _RUN4.finditer(stem):
            pattern = f"{stem[:m.start()]}\0{stem[m.end():]}"
            by_pattern.setdefault(pattern, []).append((str(name), m.group()))
    found: set[str] = set()
    for members in by_pattern.values():
        if len(members) < SEQUENCE_MIN_NAMES:
            continue
        years = [name for name, run in members if _NAME_YEAR.fullmatch(run)]
        if len(members) - len(years) > len(members) / 2:
            found.update(years)
    return found


# ---------------------------------------------------------------- (d) the year the text speaks of
_OWN_YEAR = re.compile(
    r"(?<!\d)(?P<a>\d{4})\s*年度"
    rf"|(?P<c>[{YEAR_DIGITS}]{{4}})年度"
    r"|今年\s*[（(]\s*(?P<b>\d{4})\s*年?\s*[）)]"
    r"|(?<!\d)(?P<e>\d{4})\s*年\s*[，,]?\s*(?:也就是|即)\s*今年"
)


_ANCHOR = re.compile("年度|今年")
_REACH = 24  # characters a match can run on either side of its 年度 or 今年


def _own_year_matches(text: str):
    """The matches of :data:`_OWN_YEAR`, searched only around each 年度 and 今年 (a search
    of the whole text cost more than reading the corpus from the cache). No NFKC pass: \\d
    matches full-width digits, int() reads them, and the brackets allow （ as well as (."""
    windows: list[list[int]] = []
    for m in _ANCHOR.finditer(text):
        a, b = max(0, m.start() - _REACH), m.end() + _REACH
        if windows and a <= windows[-1][1]:
            windows[-1][1] = b
        else:
            windows.append([a, b])
    for a, b in windows:
        yield from _OWN_YEAR.finditer(text, a, min(b, len(text)))


def own_year(text: str) -> SpeechDate:
    """The year the text speaks of as its own: ``2012年度``, ``今年（2012年）``; the most
    frequent (ties: the latest), year only.

    >>> own_year("部署了2012年度工作；2011年的成績……對2012年度工作提出要求").evidence
    '2012年度 (2 times)'
    """
    years: Counter[int] = Counter()
    words: dict[int, str] = {}
    for m in _own_year_matches(text):
        year = numeral_value(m["c"]) if m["c"] else int(m["a"] or m["b"] or m["e"])
        if MIN_YEAR <= year <= MAX_YEAR:
            years[year] += 1
            words.setdefault(year, m.group())
    if not years:
        return UNKNOWN
    year = max(years, key=lambda y: (years[y], y))
    n = years[year]
    return SpeechDate(pd.NaT, year, "text", f"{words[year]} ({counted(n, 'time')})")


def with_header(text: str, header: str = "") -> str:
    """``text`` with the ``header`` lines cleaning took off its top put back first: the head a
    dateline is looked for in."""
    return f"{header}\n{text}" if header else text


def speech_date(text: str, name: str = "", meta: SpeechDate = UNKNOWN,
                simplified: str | None = None, header: str = "", *,
                head_date: SpeechDate | None = None) -> SpeechDate:
    """The first rule that dates a speech, in order of trust: ``meta`` (what the metadata
    table said, see :mod:`analysis.metadata`), a dateline or a named session in the head of
    ``text``, the file ``name``, then the year the text speaks of as its own. ``simplified``
    is ``text`` in Simplified (one character per character), when the caller has it;
    ``header`` the lines cleaning took off the top (:func:`header_lines`), read as the head's
    first lines for a dateline; ``head_date`` its :func:`dateline`, when the caller read it
    already. The rules are read in turn and the first that dates the speech ends the search.

    >>> speech_date("同志們：\\n部署了全市2012年度工作。", "000_8ebf5a98b5b66884")
    SpeechDate(date=NaT, year=2012, source='text', evidence='2012年度 (1 time)')
    """
    if meta.source is not None:
        return meta
    rules = (lambda: dateline(with_header(text, header)) if head_date is None else head_date,
             lambda: session_year(text, simplified), lambda: filename_date(name), lambda: own_year(text))
    for rule in rules:
        found = rule()
        if found.source is not None:
            return found
    return UNKNOWN
