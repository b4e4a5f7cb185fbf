"""Cleaning scraped speech pages: site furniture, paragraph recovery, characters, inline pinyin
and paywall markers, with an audit trail of every change.

``clean_text(raw)`` never edits ``raw``. It returns a :class:`CleanResult` whose ``removed``
lists every deletion (kind, position in ``raw``, the removed text) and whose ``substitutions``
lists every other change: a character changed in place (full-width digit to ASCII,
half-width to full-width punctuation, an indent that marks a paragraph turned into a line
break) or a line break inserted where a page ran two numbered parts together. Deleting the
``removed`` spans from ``raw`` and applying the ``substitutions`` gives ``text`` exactly (see
:meth:`CleanResult.rebuild`).

What goes, and why (the table of docs/cleaning.md, "Cleaning: what is removed and what is joined", gives
an example of each kind):

* **Site furniture**, recognised by its words in Traditional and Simplified (toolbars, SEO and
  keyword lines, leaked CSS and JavaScript, disclaimers, copyright, ICP and licence lines,
  related-article lists, 上一篇/下一篇, 責任編輯/來源/作者/瀏覽次數 lines, running headers and page
  numbers) and by its position and shape: the short lines above the speech's first sentence
  (the first of them is the title), what follows the first furniture line below its last
  sentence, and short lines repeated on every page. A line of the speech that ends a
  sentence is never removed for its shape.
* **A published head** (:mod:`analysis.heads`: ``《在…上的讲话》（2020年2月3日）王明``), its
  parts on lines of their own or run together, and run on into the body where a page was
  flattened: its parts are set on lines of their own (line breaks inserted, then removed
  with them) and removed as ``title``, ``date`` and ``byline``, so that the loader reads the
  speech's date and speaker from them (:func:`analysis.dates.header_lines`).
* **Paragraphs** are recovered however the source marks them: line breaks inside a paragraph
  are joined (link text set on lines of its own, a heading or word broken across lines, a
  numbering label on a line of its own, a PDF's hard wraps, never across a heading); an
  indent inside a line (full-width or ASCII) becomes a line break; a page flattened into one
  line is split before its numbered sections and points.
* **Characters**: full-width digits and Latin letters become ASCII (NFKC); full-width Chinese
  punctuation stays, and half-width punctuation next to Chinese text becomes full width.
  Zero-width characters, no-break and other odd spaces go; CJK characters and digits spaced
  out by a PDF text layer are joined.

The passes run until nothing changes and each depends only on the text in front of it, so
``clean_text(clean_text(x).text).text == clean_text(x).text``.
"""
from __future__ import annotations

import functools
import re
import string
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .chars import CLOSERS, HAN, HAN_RE, SENTENCE_ENDS, ends_sentence  # the one definition of a Han character
from .heads import HEAD_LINES, byline_between, find_head, is_date_line, name_like
from .numbers import numeral_value
from .outline import inline_breaks

# Full-width punctuation and brackets that make a neighbour "Chinese text".
CJK_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201f\u2026\u2014\u00b7"
_CJK_CONTEXT = re.compile(f"[{HAN}{CJK_PUNCT}]")

KINDS = ("title", "date", "byline", "lede", "meta", "seo", "toolbar", "code", "legal", "related", "page",
         "footer", "furniture", "marker", "pinyin", "invisible", "join", "split", "spacing",
         "whitespace")
"""Every kind of deletion, in the order the loader reports their counts."""

SUBSTITUTION_KINDS = ("newline", "width", "punctuation", "space", "join", "split")
"""Every kind of substitution (a character changed in place, or a line break inserted)."""


@dataclass(frozen=True, slots=True)
class Removal:
    """One deletion: ``raw[start:end] == text``."""

    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Substitution:
    """One change that is not a deletion: ``raw[position:position + len(old)] == old`` became
    ``new``. ``old`` is one character for a change in place; it is empty for an insertion
    before ``raw[position]`` (a line break where a flattened page ran two parts together)."""

    kind: str
    position: int
    old: str
    new: str

    @property
    def end(self) -> int:
        return self.position + len(self.old)


CHANGE_COLUMNS = ["kind", "start", "end", "text", "new"]


@dataclass
class CleanResult:
    """What :func:`clean_text` returns.

    ``text`` is the cleaned body; ``title``, ``published``, ``prev_title`` and ``next_title``
    are the header and footer fields found (``None``/``NaT`` when absent).
    """

    text: str
    title: str | None = None
    published: pd.Timestamp = pd.NaT
    prev_title: str | None = None
    next_title: str | None = None
    removed: list[Removal] = field(default_factory=list)
    substitutions: list[Substitution] = field(default_factory=list)

    def removed_frame(self) -> pd.DataFrame:
        """The deletions as a table: kind, start, end, text (positions in ``raw``)."""
        return pd.DataFrame(
            [(r.kind, r.start, r.end, r.text) for r in self.removed],
            columns=["kind", "start", "end", "text"],
        )

    def changes_frame(self) -> pd.DataFrame:
        """Every change in ``raw`` order: kind, start, end, text (``raw[start:end]``) and new
        (what it became: empty for a deletion, the inserted text where ``start == end``)."""
        rows = [(r.kind, r.start, r.end, r.text, "") for r in self.removed]
        rows += [(s.kind, s.position, s.end, s.old, s.new) for s in self.substitutions]
        rows.sort(key=lambda row: (row[1], row[2]))
        return pd.DataFrame(rows, columns=CHANGE_COLUMNS)

    def counts(self) -> dict[str, int]:
        """Number of deletions per kind, every kind present (zero when none), whatever the
        page's line ends: a CR that went before a LF (``\\r\\n`` made ``\\n``) is no
        deletion of its own, and deletions of one kind parted only by such CRs are one
        (:func:`_deletion_kinds`). A page with CRLF line ends has more records in
        :attr:`removed` than the same page with LF (the CRs, and a line reported apart from
        its LF when the CR between went first), and the same counts."""
        out = dict.fromkeys(KINDS, 0)
        for kind in _deletion_kinds(self.removed):
            out[kind] += 1
        return out

    def substitution_counts(self) -> dict[str, int]:
        """Number of substitutions per kind, every kind present (zero when none)."""
        out = dict.fromkeys(SUBSTITUTION_KINDS, 0)
        for s in self.substitutions:
            out[s.kind] += 1
        return out

    def rebuild(self, raw: str) -> str:
        """Apply the reported deletions and substitutions to ``raw``; equals ``text``."""
        chars = list(raw) + [""]
        for s in self.substitutions:
            if s.old:
                chars[s.position] = s.new
                for i in range(s.position + 1, s.end):
                    chars[i] = ""
        for r in self.removed:
            for i in range(r.start, r.end):
                chars[i] = ""
        for s in self.substitutions:
            if not s.old:
                chars[s.position] = s.new + chars[s.position]
        return "".join(chars)


# What :func:`coalesced` calls a CR deleted before a LF that no other deletion touches: the
# line end of a kept line made LF, which a page with LF line ends does not have.
LINE_END = "line end"


def coalesced(records: list[tuple[str, int, int, str]]) -> list[tuple[str, int, int]]:
    """Deletions ``(kind, start, end, deleted text)`` as one counts them whatever the page's
    line ends: in ``raw`` order, each CR deleted before a LF (``\\r\\n`` made ``\\n``) joined to
    the deletion it touches (the one before it, else the one after), deletions of one kind
    parted only by such CRs taken as one, and a CR that touches none (the line end of a kept
    line) a deletion of kind :data:`LINE_END`. Deletions that touch without a CR between are
    not joined: on a page with LF line ends every record stays as it is.

    Why. The line pass deletes a line and its LF after the whitespace pass has deleted the CR
    between them, so a CRLF page reported each title, toolbar or footer line as two deletions
    and many CRs (a new user's trial: 26 title rows in ``removals`` against 13 in the counts)."""
    out: list[list] = []  # [kind, start, end, only CRs, ends with a CR]
    for kind, start, end, text in sorted(records, key=lambda r: (r[1], r[2])):
        cr = bool(text) and not text.strip("\r")
        last = out[-1] if out and out[-1][2] == start else None
        if last is not None and cr:
            last[2], last[4] = end, True
        elif last is not None and last[3]:  # CRs before this deletion: its own
            last[0], last[2], last[3], last[4] = kind, end, False, False
        elif last is not None and last[4] and last[0] == kind:  # one deletion parted by CRs
            last[2], last[4] = end, False
        else:
            out.append([kind, start, end, cr, cr])
    return [(LINE_END if only_crs else kind, start, end) for kind, start, end, only_crs, _ in out]


def _deletion_kinds(removed: list[Removal]) -> list[str]:
    """The kind of each deletion as :meth:`CleanResult.counts` counts them (:func:`coalesced`),
    the line ends of kept lines left out."""
    return [kind for kind, _, _ in coalesced([(r.kind, r.start, r.end, r.text) for r in removed])
            if kind != LINE_END]


def _code_units(text: str) -> np.ndarray:
    """The UTF-16 code units of ``text``: a character of the Basic Multilingual Plane is one,
    its code point (a lone surrogate, which a str may hold, is kept as it is)."""
    return np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)


# Below this length a text's characters are not counted: :meth:`_Doc.holds` searches it for
# the characters asked about instead, which then costs less than the count (a title, a line).
_CENSUS_MIN_CHARS = 1000


@functools.lru_cache(maxsize=256)
def _code_points(chars: str) -> np.ndarray:
    """The code points of ``chars`` (a few sets of characters the passes look for), as an
    index into :class:`_Doc`'s character counts."""
    return np.array([ord(c) for c in chars], dtype=np.int64)


class _Doc:
    """The text being cleaned plus, for each of its characters, its index in ``raw`` (or, for
    an inserted character, ``-1 - j`` where ``j`` indexes its insertion in ``subs``).

    It also counts the text's characters (UTF-16 code units), kept up to date by every change:
    a pass asks :meth:`holds` whether the characters it looks for are there at all before
    scanning the text for them. Most are not, above all once the first round has cleaned the
    page: the round that finds nothing left to change then costs a few look-ups, not a scan
    of the page a pass."""

    def __init__(self, raw: str):
        self.raw = raw
        self.s = raw
        self.idx = np.arange(len(raw), dtype=np.int64)
        self.removed: list[Removal] = []
        self.subs: list[Substitution | None] = []
        self._sub_at: dict[int, int] = {}  # raw position -> index in subs of its change in place
        # Whether the text holds the page's top (its head is read) and its bottom (its foot
        # is marked): both, but for the blocks of a text too long to be a page (_clean_blocks).
        self.head = True
        self.foot = True
        self._counts: np.ndarray | None = None  # per UTF-16 code unit; counted on first use

    def holds(self, chars: str) -> bool:
        """Whether the current text holds any of ``chars`` (characters of the Basic
        Multilingual Plane). A short text is searched: counting costs more than the search."""
        if self._counts is None and len(self.s) < _CENSUS_MIN_CHARS:
            return any(c in self.s for c in chars)
        return np.count_nonzero(self._census().take(_code_points(chars))) > 0

    def holds_word(self, words: tuple[str, ...]) -> bool:
        """Whether the current text holds one of ``words`` (of the Basic Multilingual Plane):
        only a word whose characters are all counted in it is searched for."""
        if self._counts is None and len(self.s) < _CENSUS_MIN_CHARS:
            return any(word in self.s for word in words)
        counted = (self._census().take(_code_points("".join(words))) > 0).tolist()
        start = 0
        for word in words:
            if all(counted[start:start + len(word)]) and word in self.s:
                return True
            start += len(word)
        return False

    def _census(self) -> np.ndarray:
        """The character counts, counted on first use."""
        if self._counts is None:
            self._counts = np.bincount(_code_units(self.s), minlength=0x10000)
        return self._counts

    def _recount(self, gone: str, new: str = "") -> None:
        """Keep the character counts up to date: ``gone`` left the text, ``new`` entered it."""
        if self._counts is not None:
            np.subtract.at(self._counts, _code_units(gone), 1)
            np.add.at(self._counts, _code_units(new), 1)

    def delete(self, spans: list[tuple[int, int]], kinds: str | list[str]) -> bool:
        """Delete sorted, non-overlapping ``[a, b)`` spans of the current text; ``kinds`` is
        one kind for all or one per span.

        Most spans cover one run of ``raw`` (first and last index ``len - 1`` apart, no
        inserted character in the text): each is reported as it is, from its two ends. Only
        when one straddles an earlier deletion or an insertion are the deleted positions
        listed one by one (:meth:`_report_runs`)."""
        if isinstance(kinds, str):
            kinds = [kinds] * len(spans)
        pairs = [(a, b, k) for (a, b), k in zip(spans, kinds) if b > a]
        if not pairs:
            return False
        bounds = np.array([(a, b) for a, b, _ in pairs], dtype=np.int64)
        starts, ends = bounds[:, 0], bounds[:, 1]
        firsts, lasts = self.idx[starts], self.idx[ends - 1]
        if (lasts - firsts != ends - starts - 1).any() or self.idx.min(initial=0) < 0:
            self._report_runs(pairs, bounds)
        else:
            raw, removed = self.raw, self.removed
            for (_, _, kind), first, last in zip(pairs, firsts.tolist(), lasts.tolist()):
                removed.append(Removal(kind, first, last + 1, raw[first:last + 1]))
        # What stays: the text and the indices outside the spans.
        pieces, idx_pieces, last = [], [], 0
        for a, b, _ in pairs:
            pieces.append(self.s[last:a])
            idx_pieces.append(self.idx[last:a])
            last = b
        pieces.append(self.s[last:])
        idx_pieces.append(self.idx[last:])
        if self._counts is not None:
            self._recount("".join(self.s[a:b] for a, b, _ in pairs))
        self.s = "".join(pieces)
        self.idx = np.concatenate(idx_pieces)
        return True

    def _report_runs(self, pairs: list[tuple[int, int, str]], bounds: np.ndarray) -> None:
        """Report deleted spans position by position: an inserted line break deleted again
        undoes its insertion, and a span of the current text that straddles earlier deletions
        is reported as the contiguous runs of raw it covers, so that raw[start:end] == text."""
        lengths = bounds[:, 1] - bounds[:, 0]
        # Positions deleted, in order, and which span each belongs to.
        offsets = np.repeat(bounds[:, 0] - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        positions = np.arange(int(lengths.sum()), dtype=np.int64) + offsets
        span_of = np.repeat(np.arange(len(pairs)), lengths)
        raw_idx = self.idx[positions]
        inserted = raw_idx < 0
        if inserted.any():  # an inserted line break deleted again: the insertion is undone
            for j in (-raw_idx[inserted] - 1).tolist():
                self.subs[j] = None
            raw_idx, span_of = raw_idx[~inserted], span_of[~inserted]
        if len(raw_idx):
            new_run = np.ones(len(raw_idx), dtype=bool)
            new_run[1:] = (np.diff(raw_idx) != 1) | (np.diff(span_of) != 0)
            run_starts = np.flatnonzero(new_run)
            run_ends = np.append(run_starts[1:], len(raw_idx)) - 1
            raw = self.raw
            for start, last, k in zip(raw_idx[run_starts].tolist(), raw_idx[run_ends].tolist(),
                                      span_of[run_starts].tolist()):
                self.removed.append(Removal(pairs[k][2], start, last + 1, raw[start:last + 1]))

    def substitute(self, changes: dict[int, str], kind: str) -> bool:
        """Replace single characters of the current text: ``{position: new_char}``."""
        s = self.s
        changes = {i: c for i, c in changes.items() if s[i] != c}
        if not changes:
            return False
        order = sorted(changes)
        news = [changes[i] for i in order]
        raw, subs, sub_at = self.raw, self.subs, self._sub_at
        for raw_i, new in zip(self.idx[order].tolist(), news):  # one look-up for all, not one each
            if raw_i < 0:  # a character this cleaner inserted: change the insertion
                j = -raw_i - 1
                subs[j] = Substitution(subs[j].kind, subs[j].position, "", new)
                continue
            sub = Substitution(kind, raw_i, raw[raw_i], new)
            j = sub_at.get(raw_i)
            if j is None:
                sub_at[raw_i] = len(subs)
                subs.append(sub)
            else:  # changed twice: one substitution from the raw character
                subs[j] = sub
        # Rebuilt from slices: a list of the text's characters would hold a Python object per
        # character (a 50 MB speech in one file: a gigabyte).
        pieces, last = [], 0
        for i, new in zip(order, news):
            pieces.append(s[last:i])
            pieces.append(new)
            last = i + 1
        pieces.append(s[last:])
        if self._counts is not None:
            self._recount("".join([s[i] for i in order]), "".join(news))
        self.s = "".join(pieces)
        return True

    def insert(self, positions: list[int], text: str, kind: str) -> bool:
        """Insert ``text`` (one character) before each of the current ``positions``."""
        positions = sorted(set(positions))
        if not positions:
            return False
        n = len(self.s)
        real = np.flatnonzero(self.idx >= 0)
        pieces, idx_pieces, last = [], [], 0
        for p in positions:
            # Anchor in raw: the next original character at or after p (or the end of raw).
            k = np.searchsorted(real, p)
            anchor = int(self.idx[real[k]]) if k < len(real) else len(self.raw)
            j = len(self.subs)
            self.subs.append(Substitution(kind, anchor, "", text))
            pieces.append(self.s[last:p])
            idx_pieces.append(self.idx[last:p])
            pieces.append(text)
            idx_pieces.append(np.array([-1 - j], dtype=np.int64))
            last = p
        pieces.append(self.s[last:n])
        idx_pieces.append(self.idx[last:n])
        self._recount("", text * len(positions))
        self.s = "".join(pieces)
        self.idx = np.concatenate(idx_pieces)
        return True

    def substitutions(self) -> list[Substitution]:
        """The substitutions still standing: none undone, none of a character deleted later."""
        deleted = np.zeros(len(self.raw) + 1, dtype=bool)
        for r in self.removed:
            deleted[r.start:r.end] = True
        subs = [s for s in self.subs if s is not None and not (s.old and deleted[s.position])]
        return sorted(subs, key=lambda s: (s.position, bool(s.old)))


# ---------------------------------------------------------------- character classes
_SENT_END = "。！？!?…"
_CONT_START = "。，、；：？！）》」』”’〉】,;:?!)"  # cannot start a paragraph
_OPEN_END = "《“（「『〈【‘("  # cannot end one
_MID_END = "，、,"
_SENTENCE_END_SET = frozenset(SENTENCE_ENDS)  # the characters of chars.ends_sentence, one by one
_HSPACE_CHARS = " \t\u3000\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"
_HSPACE = f"[{_HSPACE_CHARS}]"  # horizontal space: a line break is not
_SENTENCE_PUNCT = re.compile("[。！？!?；;]")
_ANY_PUNCT = re.compile("[。！？!?；;，,：:]")
_LATIN = re.compile("[A-Za-z]")
_HAN_ONLY = re.compile(f"[{HAN}]+")
_NUMERAL = "一二三四五六七八九十"
_NUM = f"[{_NUMERAL}]{{1,3}}"
_LABEL_START = re.compile(
    rf"(?:{_NUM}、|[（(]{_NUM}[）)]|第{_NUM}[，,、：:]|{_NUM}是|第{_NUM}(?:章|部分|節|节|篇)|{_NUM}$)"
)
# The labels of headings (sections), as against points, which open a sentence.
_HEADING_LABEL = re.compile(rf"(?:{_NUM}、|[（(]{_NUM}[）)]|第{_NUM}(?:章|部分|節|节|篇)|{_NUM}$)")
_LABEL_ONLY = re.compile(
    rf"(?:{_NUM}[、是要]|第{_NUM}[，,、：:]?|[（(]{_NUM}[）)]|\d{{1,2}}[.、．]|[（(]\d{{1,2}}[）)])"
)
_BARE_NUMERAL = re.compile(_NUM)
_HEADING_WORDS = frozenset(["前言", "引言", "序言", "導言", "导言", "結語", "结语", "結束語", "结束语", "尾聲", "尾声",
                            "附件", "附錄", "附录", "總論", "总论"])
_SALUTATION = re.compile(
    r"(?:(?:同志們|同志们|各位(?:代表|委員|委员|來賓|来宾|領導|领导|同志|嘉賓|嘉宾)?|朋友們|朋友们|女士們|女士们"
    r"|先生們|先生们|老師們|老师们|同學們|同学们|(?:親愛|亲爱|尊敬)的[^，,。：:！!\s]{1,16})[、，,和及與与]?\s*){1,4}"
    r"[：:！!，,]?"
)


def _is_salutation(t: str) -> bool:
    return len(t) <= 40 and _SALUTATION.fullmatch(t) is not None


def _starts_label(t: str) -> bool:
    return _LABEL_START.match(t) is not None


def _label_only(t: str) -> bool:
    return _LABEL_ONLY.fullmatch(t) is not None


def _n_han(t: str) -> int:
    return len(HAN_RE.findall(t))


_AT_LEAST_HAN = {k: re.compile(f"(?:[^{HAN}]*[{HAN}]){{{k}}}") for k in (2, 4, 10)}


def _has_han(t: str, k: int) -> bool:
    """At least ``k`` Han characters (the scan stops at the k-th: lines are long)."""
    return _AT_LEAST_HAN[k].match(t) is not None


@functools.lru_cache(maxsize=65536)
def _is_prose(t: str) -> bool:
    """A line of the speech: it ends a sentence, or it is long and punctuated."""
    if ends_sentence(t) and _has_han(t, 4):
        return True
    return len(t) >= 25 and re.search("[，。；,]", t) is not None and _has_han(t, 10)


def _short_unpunctuated(t: str) -> bool:
    """Thirty characters or fewer with no punctuation at all: a title, a label, a heading."""
    return len(t) <= 30 and not _ANY_PUNCT.search(t)


def _tiny(t: str) -> bool:
    """One or two Han characters alone on a line: a word broken off the line before."""
    return (len(t) <= 2 and _HAN_ONLY.fullmatch(t) is not None and not _BARE_NUMERAL.fullmatch(t)
            and t not in _HEADING_WORDS)


# ---------------------------------------------------------------- furniture by its words
_DATE_KEYS = r"時間|时间|發布時間|发布时间|發佈時間|發表時間|发表时间|更新時間|更新时间|日期|發布日期|发布日期"
_DATE_KEY_IN_LINE = re.compile(rf"(?:{_DATE_KEYS})\s*[:：]")
_LEDE_KEYS = r"導語|导语|摘要|內容提要|内容提要|提要|編者按語|编者按语|編者按|编者按|編者的話|编者的话"
_META_KEYS = (
    r"來源|来源|作者|編輯|编辑|責任編輯|责任编辑|責編|责编|瀏覽|浏览|瀏覽次數|浏览次数|閱讀|阅读|閱讀量|阅读量"
    r"|閱讀次數|阅读次数|點擊|点击|點擊數|点击数|點擊量|点击量|字數|字数|分類|分类|欄目|栏目|投稿|推薦度|推荐度"
    r"|發布者|发布者|發布人|发布人|發布單位|发布单位|文章來源|文章来源|供稿|審核|审核|校對|校对|整理|攝影|摄影"
)
_HEADER_LINE = re.compile(
    rf"^[\s\u3000【\[（(]*(?:(?P<date>{_DATE_KEYS})|(?P<lede>{_LEDE_KEYS})|(?P<meta>{_META_KEYS}))"
    r"\s*(?:[:：]|[】\]）)]\s*[:：]?)"
)
# A breadcrumb trail ("您現在的位置：首頁 > 範文 > 講話稿"): never speech text.
_BREADCRUMB = re.compile(
    r"^(?:(?:您現在的位置|您现在的位置|當前位置|当前位置|您的位置|你的位置|所在位置)\s*[:：].*"
    r"|(?:首頁|首页|主頁|主页|網站首頁|网站首页)\s*[>»›＞/].{0,80})$"
)
_NAV_LINE = re.compile(
    r"^[\s\u3000\-–—·•*>|]*(?P<which>上一篇|下一篇|上一篇文章|下一篇文章|上篇|下篇|上一條|上一条|下一條|下一条"
    r"|上一則|上一则|下一則|下一则|上則|上则|下則|下则)"  # 則: Taiwan's and Hong Kong's sites
    r"\s*[:：]?\s*(?P<title>.*?)\s*$"
)
# Every alternative of _LEGAL and _TOOL_WORDS starts with a character, not a class ([公網网]安 is
# written 公安|網安|网安): the regex engine then skips to the characters that can start a match
# instead of trying every alternative at every position: seven to nine times faster on a line.
_LEGAL = re.compile(
    r"版[权權]所有(?![人者])|版[权權][归歸]|Copyright|All Rights Reserved|©|\(c\)\s*\d{4}"
    r"|ICP\s*[备備證证]|公安[备備]|網安[备備]|网安[备備]|免[责責][声聲]明|法律[声聲]明"
    r"|如有侵[权權].{0,10}(?:[联聯][系繫]|告知|[删刪]除|[处處]理)|侵[删刪]"
    r"|转[载載](?:[请請]|需|必[须須]|[时時][请請])|轉[载載](?:[请請]|需|必[须須]|[时時][请請])"
    r"|请勿[转轉][载載]|請勿[转轉][载載]|勿[转轉][载載]"
    r"|未[经經](?:本[站网網]|授[权權]|[许許]可|同意).{0,12}(?:[转轉][载載]|[复複]制|使用)"
    r"|不代表本[站网網]|代表本[站网網][观觀]点|本[站网網](?:[观觀]点|立[场場]|[声聲]明|[资資]源|部分)"
    r"|来源于[网網](?:[络絡]|友)|來源于[网網](?:[络絡]|友)|网友上[传傳]|網友上[传傳]|网友投稿|網友投稿"
    r"|本作品(?:是|[来來]自|在)|公有[领領]域|Public\s*domain|维基文[库庫]|維基文[库庫]|Wikisource|本模板"
)
_TOOL_WORDS = re.compile(
    r"字[體体號号級级](?:\s*[:：])?|大(?:\s+[大中小]){1,2}|中(?:\s+[大中小]){1,2}|小(?:\s+[大中小]){1,2}"
    r"|默[认認]字[號号]|打印(?:本[頁页]|此[頁页]|本文|此文|文章|[頁页]面)?|列印(?:本[頁页]|此[頁页])?|友善列印|轉寄|转寄|回上[頁页]|[關关][閉闭](?:窗口|本[頁页]|[頁页]面)?"
    r"|收藏(?:本[頁页]|本文|此[頁页]|本站)?|加入收藏"
    r"|一鍵分享(?:到|至)?|一键分享(?:到|至)?|一分享(?:到|至)?|鍵分享(?:到|至)?|键分享(?:到|至)?|分享(?:到|至)?"
    r"|返回(?:頂部|顶部|首[頁页]|列表|目[錄录]|上[頁页]|上一[頁页])|回到[頂顶]部|TOP|top"
    r"|我要(?:評論|评论|糾錯|纠错|打印|收藏|分享|投稿)|發表[評评]論|发表[評评]論|發表评论|发表评论"
    r"|評[論论]|评[論论]|點[贊赞]|点[贊赞]"
    r"|掃一[掃扫]|扫一[掃扫]|掃描二[維维]碼|扫描二[維维]碼|掃描二维码|扫描二维码|掃碼|扫碼|扫码"
    r"|在手[機机]打[開开]|當前[頁页]|当前[頁页]"
    r"|微信|微博|QQ空[間间]|QQ|朋友圈|豆瓣|繁[體体]|简[體体]|簡[體体]|视力保[护護]色|視力保[护護]色"
    r"|閱[讀读]模式|阅[讀读]模式"
)
_TOOL_REST = re.compile(r"[\s【】\[\]()（）:：|｜/\\·•>»<«\-—_,，、。.!！>]+")
_SEO_KEYS = re.compile(r"^(?:keywords?|description|[關关][鍵键](?:詞|词|字)|[標标][籤签]|tags?)\s*[:：]", re.I)
_SEO_SEPARATORS = re.compile(r"\s*(?:_|\||｜|\s[-–—]\s)\s*")
_SITE_WORDS = re.compile(r"[網网站]|com|cn|net|org|www|範文|范文|文庫|文库|大全|頻道|频道|首頁|首页", re.I)
_RELATED_HEAD = re.compile(
    r"^[\s【\[]*(?:(?:相[關关]|熱門|热门|推薦|推荐|延伸|最新|更多|精彩|熱點|热点|相似)"
    r"(?:文章|閱讀|阅读|推薦|推荐|範文|范文|內容|内容|專題|专题|資訊|资讯|新聞|新闻|[鏈链]接|[講讲]話|[話话]題|话题)"
    r"|猜你喜[歡欢]|猜您喜[歡欢]|大家都在看|看了本文的人[還还]看了?)[】\]]*\s*[:：>»]*\s*(?:更多\s*[>»]*)?$"
)
_PAGE_NUMBER = re.compile(
    r"[-—–－~～]\s*\d{1,4}\s*[-—–－~～]"
    r"|(?:共\s*\d{1,4}\s*[頁页]\s*[,，、/]?\s*)?第\s*\d{1,4}\s*[頁页](?:\s*[,，、/]?\s*共\s*\d{1,4}\s*[頁页])?"
    r"|\d{1,4}\s*/\s*\d{1,4}|(?:[Pp]age|P\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
)
_BARE_INT = re.compile(r"\d{1,4}")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_KEY_VALUE = re.compile(rf"(?:^|\s)[{HAN}]{{2,6}}\s*[:：]\s*\S")
_CODE_SIGNS = re.compile(
    r"[{}]|</?[A-Za-z][\w-]*(?:\s[^>]*)?/?>|<!--|-->|\bfunction\s*\(|\b(?:var|let|const)\s+[\w$]+\s*=|=>|/\*|\*/"
    r"|[\w-]+\s*:\s*[^;:]+;|[\w$.\]]+\s*=\s*[^;=]+;|\)\s*;|^\s*[.#@][\w-]+(?:[\s,>.:#\w-]*)\{?\s*$"
)
_DATE_IN_LINE = re.compile(
    r"(?P<y>\d{4}|[〇零○一二三四五六七八九]{4})\s*年\s*(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"
    r"(?:\s*(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日)?"
    r"|(?P<iy>\d{4})\s*[-/.]\s*(?P<im>\d{1,2})\s*[-/.]\s*(?P<id>\d{1,2})"
)
_DATE_VALUE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]*(\d{1,2})\s*[:：時时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?"
)
_MAX_TITLE_CHARS = 80


def _numeral_or_digits(s: str) -> int:
    """A year, month or day in Arabic digits or in Chinese numerals (二〇一二, 十二)."""
    return int(s) if s.isdigit() else numeral_value(s)


def _parse_published(line: str) -> pd.Timestamp:
    m = _DATE_VALUE.search(line)
    if m:
        parts = [int(g) if g else 0 for g in m.groups()]
        try:
            return pd.Timestamp(*parts)
        except ValueError:
            return pd.NaT
    m = _DATE_IN_LINE.search(line)
    if not m or not m["d"]:
        return pd.NaT
    try:
        return pd.Timestamp(_numeral_or_digits(m["y"]), _numeral_or_digits(m["m"]), _numeral_or_digits(m["d"]))
    except (ValueError, KeyError):
        return pd.NaT


@functools.lru_cache(maxsize=65536)
def _code_like(t: str) -> bool:
    """Leaked CSS, JavaScript or HTML: nearly all ASCII, written in the signs of code (braces,
    tags, ``property: value;``, ``x = y;``, ``f();``)."""
    sample = t[:300]
    if len(sample.encode("ascii", "ignore")) < 0.6 * len(sample):
        return False  # mostly Chinese: no code (checked before the slower count below)
    sample = re.sub(r"\s+", "", sample)
    if not sample:
        return False
    ascii_share = len(sample.encode("ascii", "ignore")) / len(sample)
    return ascii_share >= 0.8 and _n_han(sample) <= 0.2 * len(sample) and _CODE_SIGNS.search(t) is not None


@functools.lru_cache(maxsize=65536)
def _legal_like(t: str) -> bool:
    return _LEGAL.search(t) is not None


@functools.lru_cache(maxsize=65536)
def _toolbar_like(t: str) -> bool:
    """A line of page tools: font size, print, close, bookmark, share, QR codes, and little else."""
    if len(t) > 100 or not _TOOL_WORDS.search(t):
        return False
    rest = _TOOL_REST.sub("", _TOOL_WORDS.sub("", t))
    return len(rest) <= 3


def _seo_like(t: str) -> bool:
    """An SEO title or keyword line: segments joined by _ or | naming the site."""
    if _SEO_KEYS.match(t):
        return True
    if len(t) > 150 or _SENTENCE_PUNCT.search(t):
        return False
    parts = [p for p in _SEO_SEPARATORS.split(t) if p]
    return len(parts) >= 3 or (len(parts) == 2 and any(_SITE_WORDS.search(p) for p in parts[1:]))


def _nav_like(t: str) -> bool:
    """A menu: three or more short items separated by spaces or bars, no sentence."""
    if _ANY_PUNCT.search(t):
        return False
    parts = [p for p in re.split(r"[\s|｜·•/>»›＞]+", t) if p]
    return len(parts) >= 3 and all(len(p) <= 8 for p in parts)


def _date_line(t: str) -> bool:
    return len(t) <= 80 and not _SENTENCE_PUNCT.search(t) and _DATE_IN_LINE.search(t) is not None


def _byline(t: str) -> bool:
    """A speaker's name or office under a title (国务院总理 / 李　强)."""
    return len(t) <= 16 and _n_han(t) >= 2 and re.fullmatch(rf"[{HAN}\s·•]+", t) is not None


_BOOK_TITLE = re.compile(r"《([^《》]+)》|<<([^<>]+)>>|＜＜([^＜＞]+)＞＞|〈〈([^〈〉]+)〉〉")


def _book_title(t: str) -> str:
    """A title without the title marks (《》, <<>>) around it, when they enclose it whole."""
    m = _BOOK_TITLE.fullmatch(t)
    return next(g for g in m.groups() if g) if m else t


def _head_byline(header: list, k: int, texts: list[str], kinds: list, title: int | None) -> bool:
    """Whether the name line ``header[k]`` above the speech is the speaker of a published
    head: it follows the head's dateline (or another line of the byline: 国务院总理 ⏎ 李强),
    or stands between the title and the dateline."""
    if not name_like(texts[header[k][1]]):
        return False
    if k > 0 and header[k - 1][0] == "g":
        prev = header[k - 1][1]
        if is_date_line(texts[prev]) or kinds[prev] == "byline":
            return True
    return (k > 0 and k + 1 < len(header) and header[k - 1] == ("g", title) and header[k + 1][0] == "g"
            and is_date_line(texts[header[k + 1][1]]) and byline_between(texts[title], texts[header[k][1]]))


def _title_like(t: str) -> bool:
    return (0 < len(t) <= _MAX_TITLE_CHARS and _n_han(t) > 0 and not _SENTENCE_PUNCT.search(t)
            and t.count("，") + t.count(",") <= 2 and not _starts_label(t) and not _is_salutation(t)
            and not _nav_like(t))


# What a wiki's edit toolbar leaves when a button is pressed on nothing (bold, italic, link,
# heading, unformatted text), in either script.
_WIKI_PLACEHOLDER = re.compile(
    r"'*(?:粗[体體]文字|斜[体體]文字|[链鏈]接[标標][题題]|[内內]部[链鏈]接|[标標][题題]文字|在此插入非格式文本|[这這][里裡]插入非格式文本)'*"
)


@functools.lru_cache(maxsize=65536)
def _line_kind(t: str) -> str | None:
    """The kind of a furniture line that cannot be part of a paragraph: code (or markup), a
    toolbar, a page number."""
    if _code_like(t) or _WIKI_PLACEHOLDER.fullmatch(t):
        return "code"
    if _toolbar_like(t):
        return "toolbar"
    if _PAGE_NUMBER.fullmatch(t):
        return "page"
    return None


@functools.lru_cache(maxsize=65536)
def _pattern_kind(t: str) -> str | None:
    """The kind of a furniture paragraph recognised by its words or its shape, wherever it
    stands (``lede`` counts only above the speech; the caller decides)."""
    if _NAV_LINE.match(t):
        return "footer"
    if _BREADCRUMB.match(t):
        return "meta"
    m = _HEADER_LINE.match(t)
    if m and (len(t) <= 100 or m.lastgroup == "lede"):
        return m.lastgroup
    kind = _line_kind(t)
    if kind:
        return kind
    if _nav_like(t) and re.search("[|｜]", t):
        return "furniture"  # a site menu: 網站地圖 | 聯繫我們 | 使用幫助
    if _seo_like(t):
        return "seo"
    if _RELATED_HEAD.match(t):
        return "related"
    if _URL.fullmatch(t):
        return "meta"
    if len(t) <= 100 and not re.search("[。，；,]", t) and len(_KEY_VALUE.findall(t)) >= 2:
        return "meta"
    return None


# ---------------------------------------------------------------- lines and paragraphs
# Wide characters (two columns): CJK, Hangul, full-width forms, curly quotes, the ellipsis.
_WIDE_RANGES = ((0x1100, 0x115F), (0x2018, 0x201F), (0x2026, 0x2026), (0x2E80, 0x303E), (0x3041, 0x33FF),
                (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xA000, 0xA4CF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF),
                (0xFE30, 0xFE4F), (0xFF00, 0xFF60), (0xFFE0, 0xFFE6), (0x20000, 0x3FFFD))
# Their bounds in order (each range's first code point and the one after its last): a code
# point is wide when an odd number of bounds are at or below it.
_WIDE_BOUNDS = np.array([x for low, high in _WIDE_RANGES for x in (low, high + 1)], dtype=np.uint32)


class _Line:
    """One line of the current text: ``s[a:b]`` without its newline, ``s[a:nl]`` with it."""

    __slots__ = ("a", "b", "nl", "text", "t", "lead", "end", "blank", "indented")

    def __init__(self, a: int, b: int, nl: int, text: str):
        # Plain assignments, not tuple unpacking, and no search for the first character when
        # strip took nothing: a page has thousands of lines, made anew at every pass.
        self.a = a
        self.b = b
        self.nl = nl
        self.text = text
        t = self.t = text.strip()
        self.blank = not t
        if t is text:  # nothing stripped (str.strip returns the string itself)
            self.lead, self.end, self.indented = a, b, False
        elif t:
            lead = text.find(t[0])  # everything before the first non-space character is space
            self.lead, self.end = a + lead, a + lead + len(t)
            self.indented = lead > 0
        else:
            self.lead, self.end, self.indented = b, a, False


def _split_lines(s: str) -> list[_Line]:
    """The lines of ``s``; the last has no newline (``nl == b``)."""
    out, pos = [], 0
    for text in s.split("\n"):
        b = pos + len(text)
        out.append(_Line(pos, b, b + 1, text))
        pos = b + 1
    out[-1].nl = out[-1].b
    return out


def _display_widths(texts: list[str]) -> list[int]:
    """Each text's width in columns, two for a wide character: counted with numpy over the
    texts joined, since a regex over one line at a time costs more than the line."""
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    wide = np.searchsorted(_WIDE_BOUNDS, codes, side="right") % 2 == 1
    wide_before = np.concatenate(([0], np.cumsum(wide)))
    bounds = np.concatenate(([0], np.cumsum(lengths)))
    return (lengths + wide_before[bounds[1:]] - wide_before[bounds[:-1]]).tolist()


def _wrap_width(lines: list[_Line]) -> tuple[str, int] | None:
    """How a PDF's text layer wrapped its lines, as ``(measure, width)``: ``"columns"`` (two
    for a wide character: a page laid out by width) or ``"chars"`` (a fixed number of
    characters a line, as an official document's grid sets it, 28 a line for 公文, so that a
    line with digits or a % is narrower in columns but as long in characters), whichever
    finds more full lines.
    None when the text is not hard-wrapped: most of its lines (eight at least) end within a
    character of the commonest width, of 24 or more, hardly any is much wider, and most end
    mid-sentence."""
    measured = [ln for ln in lines if len(ln.t) >= 4]
    if len(measured) < 6:
        return None
    # The lengths without their trailing spaces (ln.end - ln.a, what rstrip leaves): most pages
    # have long lines and go no further, without a copy of every line.
    lengths = sorted([ln.end - ln.a for ln in measured])
    if lengths[len(measured) // 2] > 120 or lengths[int(0.9 * (len(measured) - 1))] > 200:
        return None
    texts = [ln.text.rstrip() for ln in measured]
    # Both measures, and the one that finds more full lines: lines of Han only are as full in
    # either, a line with digits only in the measure the page was wrapped by.
    best = None  # ((full lines, lines at the width), measure, width); columns first on a tie
    for measure in ("columns", "chars"):
        wrapped = _wrapped_at(texts, _line_widths(texts, measure))
        if wrapped is not None and (best is None or wrapped[1:] > best[0]):
            best = (wrapped[1:], measure, wrapped[0])
    return None if best is None else (best[1], best[2])


def _line_widths(texts: list[str], measure: str) -> list[int]:
    return _display_widths(texts) if measure == "columns" else [len(t) for t in texts]


def _wrapped_at(texts: list[str], widths: list[int]) -> tuple[int, int, int] | None:
    """:func:`_wrap_width` in one measure: the width a full line reaches, how many lines
    reach it and how many are at the commonest width, or None."""
    # The most common width: a full line (lines with quotes or Latin letters may measure a
    # column or two more or less than the PDF drew them).
    counts: dict[int, int] = {}
    for w in widths:
        counts[w] = counts.get(w, 0) + 1
    width = max(counts, key=lambda w: (counts[w], w))
    if not 24 <= width <= 200:
        return None
    full = [t for t, w in zip(texts, widths) if width - 2 <= w <= width + 4]
    # Short lines that end a sentence (a paragraph's last line, a heading) are what a wrapped
    # page has besides its full lines; those that stop mid-sentence (a table's rows, a title)
    # are few beside the full ones. Counting only these, a page of short paragraphs with a
    # table in it is still seen wrapped.
    open_short = sum(w < width - 2 and not ends_sentence(t.strip()) for t, w in zip(texts, widths))
    if len(full) < 8 or len(full) < 0.4 * len(texts) or len(full) < 0.6 * (len(full) + open_short):
        return None
    if sum(w > width + 4 for w in widths) > 0.1 * len(texts):
        return None  # a wrapped page has no line much wider than its wrap
    if sum(not ends_sentence(t.strip()) for t in full) < 0.6 * len(full):
        return None
    # Full lines, then lines at the commonest width: a page wrapped at a number of characters
    # has its lines of Han at that width in either measure, and in characters its lines with
    # digits too.
    return width - 2, sum(w >= width - 2 for w in widths), counts[width]


def _soft_break(a: str, b: str, c: str | None, *, nblank: int, b_indented: bool, a_para_indented: bool,
                indent_doc: bool, a_full: bool, a_joined: bool = False, blank_doc: bool = False,
                a_head: str | None = None, b_full: bool = False, worded: bool = False,
                page_break: bool = False) -> bool:
    """Whether the line break between lines ``a`` and ``b`` (stripped; ``c`` follows ``b``;
    ``a_head`` is the first line of the paragraph ``a`` ends) falls inside a paragraph and is
    to be joined. ``worded``: one of the two lines is furniture by its words (a 來源: or 時間:
    line, a breadcrumb); it is joined only to link text split off it.

    Blank lines between ``a`` and ``b`` (``nblank``) do not count for the rules read from the
    text itself: cleaning deletes blank lines, and the text it returns must read the same
    when cleaned again. Only the rules read from the page's layout (blank lines between
    paragraphs, indents, a PDF's hard wraps), which see that layout once, take a blank line
    as a paragraph break."""
    fa, lb = a[-1], b[0]
    if lb in _CONT_START:
        return True  # link text or a quotation split off: "…所作的\n政府工作报告\n。"
    if fa in _OPEN_END:
        return True  # "根据《\n中华人民共和国著作权法\n》"
    if worded or (fa in "。！？!?" and not a_full):
        return False  # (a sentence ends: only a PDF's full line runs on past it)
    if _label_only(a):
        return True  # "一、\n我国人民…" / "第一，\n…"
    b_heading = _starts_label(b) or _is_salutation(b)
    if fa in _MID_END and not _is_salutation(a) and not b_heading:
        return True  # a line that stops at a comma goes on
    ends = ends_sentence(a)
    if (not ends and c is not None and c[0] in _CONT_START and len(b) <= 60
            and not _SENTENCE_PUNCT.search(b) and not _starts_label(b)):
        return True  # "今年是我国与\n印度\n、缅甸"
    if (_tiny(b) and (HAN_RE.match(fa) or fa.isalnum()) and not _label_only(a) and not _is_salutation(a)
            and not _BARE_NUMERAL.fullmatch(a)):
        return True  # "政府工作报\n告"
    # A numbered heading ends at its line break, unless a PDF wrapped it (a full line).
    heading = _HEADING_LABEL.match(a_head or a) is not None and not a_full
    if (a_joined and len(a) <= 12 and not _ANY_PUNCT.search(a) and not b_heading and not heading
            and re.search("[，、；,;]", a_head or "")):
        return True  # link text joined to a sentence in progress runs on: "…，\n不总是\n具有…"
    if b_indented or _is_salutation(b):
        return False
    if blank_doc and not nblank and not ends and not b_heading:
        return True  # paragraphs marked by blank lines: a single line break is inside one
    if nblank and not page_break:
        return False
    if indent_doc and a_para_indented and not ends and (a_full or not (heading or b_heading)):
        return True  # paragraphs marked by indents: an unindented line continues the one before
    if not a_full:
        return False
    # A PDF's hard wrap: a full line runs on into the next, unless a sentence ends there and a
    # heading follows (or, in a page without indents, a numbered line follows).
    if ends:
        return not (b_heading or (_short_unpunctuated(b) and not b_full))
    return indent_doc or not b_heading


def _lines_doc_stats(lines: list[_Line], furniture: set[int]) -> tuple[bool, bool, tuple[str, int] | None]:
    """How the page marks its paragraphs: by indents (most long lines start indented, or
    after a line of spaces), by blank lines (paragraph ends are followed by one), and the
    width of a PDF's hard wraps (None when not hard-wrapped)."""
    body = [i for i, ln in enumerate(lines) if not ln.blank and i not in furniture]
    long = [i for i in body if len(lines[i].t) >= 10]
    indented = sum(1 for i in long if lines[i].indented or (i > 0 and lines[i - 1].blank and lines[i - 1].text))
    indent_doc = len(long) >= 3 and indented >= 0.5 * len(long)
    # ends_sentence inline (the lines are stripped already; [-1:] of nothing is nothing, in no set).
    ends = [(i, j) for i, j in zip(body, body[1:]) if lines[i].t.rstrip(CLOSERS)[-1:] in _SENTENCE_END_SET]
    blank_after = sum(1 for i, j in ends if j > i + 1 and any(lines[g].blank for g in range(i + 1, j)))
    blank_doc = len(ends) >= 3 and blank_after >= 0.8 * len(ends)
    return indent_doc, blank_doc, _wrap_width([lines[i] for i in body])


def _page_lines(lines: list[_Line], nonblank: list[int], furniture: dict[int, str]) -> None:
    """Mark running headers (short lines repeated on many pages) and bare page numbers."""

    def link_context(k: int) -> bool:
        i = nonblank[k]
        t = lines[i].t
        prev_t = lines[nonblank[k - 1]].t if k > 0 else ""
        next_t = lines[nonblank[k + 1]].t if k + 1 < len(nonblank) else ""
        return ((prev_t and (prev_t[-1] in _OPEN_END or prev_t[-1] in _MID_END))
                or (next_t and next_t[0] in _CONT_START) or t[0] in _CONT_START or t[-1] in _OPEN_END)

    # Both are short lines: those are picked out once (most lines of a speech are long).
    short = [(k, i) for k, i in enumerate(nonblank) if len(lines[i].t) <= 40]
    bare = [k for k, i in short if len(lines[i].t) <= 4 and i not in furniture
            and _BARE_INT.fullmatch(lines[i].t) and not link_context(k)]
    values = [int(lines[nonblank[k]].t) for k in bare]
    has_pages = any(kind == "page" for kind in furniture.values())
    if len(bare) >= 2 and all(x < y for x, y in zip(values, values[1:])):
        for k in bare:
            furniture[nonblank[k]] = "page"
        has_pages = True
    # A short line seen again and again, mostly not as link text inside a sentence (the
    # title of a law linked four times stays; a running header that once falls before a
    # comma goes).
    seen: dict[str, list[tuple[int, bool]]] = {}
    for k, i in short:
        t = lines[i].t
        if (len(t) < 2 or i in furniture or _ANY_PUNCT.search(t) or _starts_label(t) or _label_only(t)
                or _is_salutation(t) or t in _HEADING_WORDS):  # an enumerator alone (二要) is the speech's
            continue
        seen.setdefault(re.sub(r"\d+", "#", re.sub(r"\s+", "", t)), []).append((i, bool(link_context(k))))
    for found in seen.values():
        alone = sum(not linked for _, linked in found)
        if alone > len(found) / 2 and (alone >= 3 or (alone == 2 and has_pages)):
            for i, _ in found:
                furniture[i] = "page"


def _pass_lines(doc: _Doc, found: dict) -> bool:
    """Site furniture, the title above the speech, and line breaks inside paragraphs: the
    lines are classed (furniture by their words and by their place), the rest joined into
    paragraphs, the paragraphs classed, the head above the speech and the foot below it
    marked, the fields they hold read, and everything marked deleted.

    Of the speech (the paragraphs that are prose, salutations or headings) only its first and
    last paragraphs are looked for (:func:`_body_ends`): nothing else of it is asked."""
    lines = _split_lines(doc.s)
    nonblank = [i for i, ln in enumerate(lines) if not ln.blank]
    if not nonblank:
        return False
    furniture = _furniture_lines(lines, nonblank)
    kept = [i for i in nonblank if i not in furniture]
    groups = _paragraphs(lines, kept, furniture, head=doc.head)
    texts = [lines[g[0]].t if len(g) == 1 else "".join([lines[i].t for i in g]) for g in groups]
    kinds = _paragraph_kinds(texts, head=doc.head, foot=doc.foot)
    body = _body_ends(texts, kinds)
    # Everything else: groups and the furniture lines between them, in reading order.
    items = sorted([(groups[n][0], "g", n) for n in range(len(groups))] + [(i, "f", i) for i in furniture])
    _mark_related(items, furniture, groups, texts, kinds)
    if body and doc.head:
        header = [(what, n) for pos, what, n in items if pos < groups[body[0]][0]]
        _mark_head(header, texts, kinds, found)
    elif doc.head and (furniture or any(kinds)) and not any(k is None and ends_sentence(t)
                                                            for t, k in zip(texts, kinds)):
        # A page of furniture (lines or paragraphs classed as such) with no speech (no
        # prose, salutation or numbered heading, and not one sentence): all of it is its
        # head, so that its title is read and the site's name is not taken for a speech.
        # The speech is then empty, and the loader says so.
        _mark_head([(what, n) for _, what, n in items], texts, kinds, found)
    if body and doc.foot:
        _mark_foot(items, groups[body[-1]][-1], texts, kinds)
    # A lede (導語:, 摘要:) counts only above the speech.
    start = groups[body[0]][0] if body and doc.head else -1
    kinds = [None if k == "lede" and groups[n][0] > start else k for n, k in enumerate(kinds)]
    _read_fields(texts, kinds, groups, body, found, head=doc.head)
    return _delete_lines(doc, lines, furniture, groups, kinds)


def _furniture_lines(lines: list, nonblank: list[int]) -> dict[int, str]:
    """Line → kind for the lines that are furniture by their words, or by their place on
    the page (:func:`_page_lines`)."""
    furniture = {i: kind for i in nonblank if (kind := _line_kind(lines[i].t))}
    _page_lines(lines, nonblank, furniture)
    return furniture


def _worded_lines(lines: list, kept: list[int], head: bool = True) -> set[int]:
    """Lines that are furniture by their words are joined to nothing but link text; so are a
    head's dateline and the byline under it, which a page marking paragraphs by blank lines
    would otherwise run together (and on into the speech). ``head``: the lines hold the
    page's top (where a head is)."""
    worded = {i for i in kept if _pattern_kind(lines[i].t)}
    for k, i in enumerate(kept[:HEAD_LINES] if head else []):
        if is_date_line(lines[i].t):
            worded.add(i)
            if k >= 2 and byline_between(lines[kept[k - 2]].t, lines[kept[k - 1]].t):
                worded.add(kept[k - 1])  # title, byline, then the dateline
            for j in kept[k + 1:k + 3]:  # the byline: a name, or an office and a name
                if not name_like(lines[j].t):
                    break
                worded.add(j)
    return worded


def _paragraphs(lines: list, kept: list[int], furniture: dict[int, str], head: bool = True) -> list[list[int]]:
    """Paragraphs: runs of the remaining lines joined by soft breaks (furniture in between is
    skipped: it goes, and the lines on either side may belong together).

    Most line breaks follow a sentence's end and come before a line that does not continue
    it: :func:`_soft_break`'s first tests settle those, and are made here without the call
    and the rest of its arguments. Whether a line fills a PDF's wrap is measured once a line."""
    indent_doc, blank_doc, wrap = _lines_doc_stats(lines, set(furniture))
    worded = _worded_lines(lines, kept, head)
    full: dict[int, bool] = {}
    if wrap is not None:
        measure, width = wrap
        widths = _line_widths([lines[i].text.rstrip() for i in kept], measure)
        full = {i: w >= width for i, w in zip(kept, widths)}
    groups: list[list[int]] = []
    for k, i in enumerate(kept):
        if groups:
            j = groups[-1][-1]
            a_full = full.get(j, False)
            if lines[j].t[-1] in "。！？!?" and not a_full and lines[i].t[0] not in _CONT_START:
                groups.append([i])  # a sentence ends, and the next line does not continue it
                continue
            if i == j + 1:  # the next line (most are): nothing between them
                nblank, page_break, b_indented = 0, False, lines[i].indented
            else:
                gap = range(j + 1, i)
                nblank = sum(1 for g in gap if lines[g].blank)
                # In a PDF, blank lines around a page break's header and number belong to the page.
                page_break = any(g in furniture for g in gap)
                b_indented = lines[i].indented or (lines[i - 1].blank and lines[i - 1].text != "")
            nxt = kept[k + 1] if k + 1 < len(kept) else None
            c = lines[nxt].t if nxt is not None else None
            first = groups[-1][0]
            a_para_indented = lines[first].indented or (first > 0 and lines[first - 1].blank
                                                        and lines[first - 1].text != "")
            b_full = full.get(i, False)
            if _soft_break(lines[j].t, lines[i].t, c, nblank=nblank, b_indented=b_indented,
                           a_para_indented=a_para_indented, indent_doc=indent_doc,
                           a_full=a_full, a_joined=len(groups[-1]) > 1, blank_doc=blank_doc,
                           a_head=lines[first].t, b_full=b_full, worded=i in worded or j in worded,
                           page_break=page_break):
                groups[-1].append(i)
                continue
        groups.append([i])
    return groups


def _paragraph_kinds(texts: list[str], head: bool = True, foot: bool = True) -> list[str | None]:
    """Each paragraph's kind by its words (None for the speech's own), with disclaimers,
    copyright and licences: short lines anywhere, longer ones near either end (of a text
    holding the page's top, ``head``, or its bottom, ``foot``)."""
    kinds: list[str | None] = [_pattern_kind(text) for text in texts]
    last_40 = len(texts) - 40
    for n, text in enumerate(texts):
        if len(text) > 200 or kinds[n] not in (None, "meta"):
            continue  # (most paragraphs of a speech: the length is the quickest test)
        near_end = (head and n < 10) or (foot and n >= last_40)
        if (len(text) <= 60 or near_end) and _legal_like(text):
            kinds[n] = "legal"
    return kinds


def _body_ends(texts: list[str], kinds: list) -> list[int]:
    """The speech's first and last paragraphs (:func:`_is_body`), ``[]`` when it has none: all
    that is asked of the body, found from either end without judging every paragraph."""
    first = next((n for n in range(len(texts)) if _is_body(texts[n], kinds[n])), None)
    if first is None:
        return []
    return [first, next(n for n in range(len(texts) - 1, first - 1, -1) if _is_body(texts[n], kinds[n]))]


def _is_body(text: str, kind: str | None) -> bool:
    """The speech runs from its first to its last paragraph that is prose, a salutation or a
    numbered heading; above it is the page header, below it the footer."""
    return kind is None and (_is_prose(text) or _is_salutation(text) or _starts_label(text))


def _mark_related(items: list, furniture: dict[int, str], groups: list, texts: list[str], kinds: list) -> None:
    """A related-articles heading takes the short lines under it."""
    if "related" not in kinds and "related" not in furniture.values():
        return  # (most pages: no heading, nothing to walk)
    for pos, what, n in items:
        kind = furniture.get(n) if what == "f" else kinds[n]
        if kind != "related":
            continue
        for _, what2, n2 in items:
            if what2 != "g" or groups[n2][0] <= pos:
                continue
            t = texts[n2]
            if kinds[n2] is not None or len(t) > 60 or _is_prose(t) or _starts_label(t) or _is_salutation(t):
                break
            kinds[n2] = "related"


def _heads_a_date(header: list, k: int, texts: list[str]) -> bool:
    """The line header[k] stands over a head's dateline (or over a byline and then one)."""
    following = [n for what, n in header[k + 1:k + 3] if what == "g"]
    if not following or len(following) < len(header[k + 1:k + 3]):
        return False
    if is_date_line(texts[following[0]]):
        return True
    return (len(following) > 1 and is_date_line(texts[following[1]])
            and byline_between(texts[header[k][1]], texts[following[0]]))  # title, byline, dateline


def _introduces(header: list, k: int, texts: list[str], kinds: list) -> bool:
    """The line header[k] is followed by the speech, a date line or a 時間:/來源: line."""
    following = header[k + 1:]
    if not following:
        return True  # the speech comes next
    what, n = following[0]
    if what == "f":
        return False
    t = texts[n]
    if _heads_a_date(header, k, texts):
        return True
    # A keyed page-information line (來源:, 作者:) follows a title; a breadcrumb follows a
    # site's name (網站名 ⏎ 首頁 > 新聞 ⏎ title ⏎ 來源:…): that name introduces nothing.
    return (kinds[n] in ("date", "lede") or (kinds[n] == "meta" and _HEADER_LINE.match(t) is not None)
            or _date_line(t) or t.startswith(("——", "—", "--")))


def _head_title(header: list, texts: list[str], kinds: list) -> int | None:
    """Above the speech, the title is the title-like line that the speech, a date line or a
    時間:/來源: line follows (a site's name above it, over its menu, is not), else the first
    title-like line; a published head's title (over its dateline) comes before a page's
    label over its posting time."""
    after_date = {n for (what, n), (prev_what, prev) in zip(header[1:], header)
                  if what == "g" and prev_what == "g" and is_date_line(texts[prev]) and name_like(texts[n])}
    # A name under a dateline is the speaker, not the title.
    candidates = [n for what, n in header if what == "g" and not kinds[n] and _title_like(texts[n])
                  and not _date_line(texts[n]) and n not in after_date]
    positions = {n: k for k, (what, n) in enumerate(header) if what == "g"}
    title = next((n for n in candidates if _heads_a_date(header, positions[n], texts)), None)
    if title is None:
        # Else the first that is not a site's name over its breadcrumb trail.
        named = [n for n in candidates if not _over_a_menu(header, positions[n], texts)] or candidates
        title = next((n for n in candidates if _introduces(header, positions[n], texts, kinds)),
                     named[0] if named else None)
    return title


def _over_a_menu(header: list, k: int, texts: list[str]) -> bool:
    """The line header[k] stands right above a breadcrumb trail (a site's name does)."""
    following = header[k + 1:]
    return bool(following) and following[0][0] == "g" and _BREADCRUMB.match(texts[following[0][1]]) is not None


def _mark_head(header: list, texts: list[str], kinds: list, found: dict) -> None:
    """Every paragraph above the speech: its title, date line, byline, SEO line or furniture."""
    title = _head_title(header, texts, kinds)
    for k, (what, n) in enumerate(header):
        if what == "f":
            continue
        t = texts[n]
        if kinds[n]:
            continue
        if n == title:
            kinds[n] = "title"
            found.setdefault("title", _book_title(_clean_inline(t)))
        elif _date_line(t):
            kinds[n] = "date"
        elif t.startswith(("——", "—", "--", "－－")):
            kinds[n] = "title"
        elif _byline(t):
            kinds[n] = "byline" if _head_byline(header, k, texts, kinds, title) else "meta"
        elif _seo_like(t):
            kinds[n] = "seo"
        else:
            kinds[n] = "furniture"


def _mark_foot(items: list, last_line: int, texts: list[str], kinds: list) -> None:
    """Below the last sentence: from the first furniture line on, everything goes."""
    sweeping = False
    for pos, what, n in items:
        if pos <= last_line:
            continue
        if what == "f":
            sweeping = True
            continue
        t = texts[n]
        if kinds[n] or _date_line(t) or _nav_like(t) or not HAN_RE.search(t) or _URL.search(t):
            kinds[n] = kinds[n] or ("date" if _date_line(t) else "furniture")
            sweeping = True
        elif sweeping:
            kinds[n] = "furniture"


def _read_fields(texts: list[str], kinds: list, groups: list, body: list[int], found: dict,
                 head: bool = True) -> None:
    """Fields found in the furniture: the neighbouring articles' titles, the posting time, an
    SEO title (above the speech: only in a text holding the page's top, ``head``)."""
    for n, kind in enumerate(kinds):
        if not kind:
            continue
        t = texts[n]
        if kind == "footer":
            nav = _NAV_LINE.match(t)
            key = "prev_title" if nav["which"].startswith("上") else "next_title"
            found.setdefault(key, _clean_inline(nav["title"]) or None)
        elif kind == "date" and pd.isna(found.get("published", pd.NaT)) and not is_date_line(t):
            # A posting time (時間:…, a date with a clock time); a head's dateline dates the
            # speech, not the page, and is read by analysis.dates from the removed lines.
            m = _HEADER_LINE.match(t)
            found["published"] = _parse_published(t[m.end():] if m else t)
        elif kind == "meta" and pd.isna(found.get("published", pd.NaT)):
            # A page-information line that also gives the posting time, after its source
            # (来源：… 发布时间：2015-03-02 09:30) or at its start (2016-03-05 09:12:33 来源：…).
            m = _DATE_KEY_IN_LINE.search(t)
            if m:
                found["published"] = _parse_published(t[m.end():])
            elif _DATE_VALUE.match(t.strip()):
                found["published"] = _parse_published(t)
        elif kind == "seo" and head and not _SEO_KEYS.match(t) and (not body or groups[n][0] < groups[body[0]][0]):
            # An SEO title above the speech names it (its first segment), when no title line does.
            parts = [p for p in _SEO_SEPARATORS.split(t) if p]
            if parts:
                found.setdefault("seo_title", _clean_inline(parts[0]))


def _delete_lines(doc: _Doc, lines: list, furniture: dict[int, str], groups: list, kinds: list) -> bool:
    """Deletions: furniture lines and paragraphs whole, with their line ends; inside the
    paragraphs kept, the breaks between their lines (a space between two Latin words)."""
    spans = [(lines[i].a, lines[i].nl, kind) for i, kind in furniture.items()]
    spans += [(lines[g[0]].a, lines[g[-1]].nl, kind) for g, kind in zip(groups, kinds) if kind]
    spans.sort()
    merged: list[list] = []
    for a, b, kind in spans:
        if merged and merged[-1][2] == kind and not doc.s[merged[-1][1]:a].strip():
            merged[-1][1] = max(b, merged[-1][1])
        else:
            merged.append([a, b, kind])
    cut = _union([(a, b) for a, b, _ in merged])
    cut_starts = [a for a, _ in cut]
    joins: list[tuple[int, int]] = []
    spaces: dict[int, str] = {}
    for g in [g for g, kind in zip(groups, kinds) if not kind and len(g) > 1]:  # the paragraphs joined
        for j, i in zip(g, g[1:]):
            a, b = lines[j].end, lines[i].lead
            pieces = _minus(a, b, cut, cut_starts)
            if not pieces:
                continue
            if _LATIN.match(doc.s[a - 1]) and _LATIN.match(doc.s[b]):
                spaces[pieces[0][0]] = " "  # two words of Latin script: the break becomes a space
            joins.extend(pieces)
    changed = doc.substitute(spaces, "join")
    all_spans = [(a, b, kind) for a, b, kind in merged] + [(a, b, "join") for a, b in joins]
    all_spans = _trim_overlaps(sorted(all_spans), spaces)
    return doc.delete([(a, b) for a, b, _ in all_spans], [k for _, _, k in all_spans]) or changed


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans merged where they overlap or touch: sorted and disjoint."""
    out: list[list[int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _minus(a: int, b: int, cuts: list[tuple[int, int]], starts: list[int] | None = None) -> list[tuple[int, int]]:
    """``[a, b)`` less the ``cuts`` (sorted and disjoint, :func:`_union`; ``starts`` their
    starts, to begin at the first cut that can reach ``a``: one search, not a pass over all
    the cuts of a page for every line break)."""
    import bisect

    first = max(0, bisect.bisect_right(starts, a) - 1) if starts is not None else 0
    out, pos = [], a
    for x, y in cuts[first:]:
        if x >= b:
            break
        if y <= pos:
            continue
        if x > pos:
            out.append((pos, x))
        pos = max(pos, y)
    if pos < b:
        out.append((pos, b))
    return out


def _trim_overlaps(spans: list[tuple[int, int, str]], keep: dict[int, str]) -> list[tuple[int, int, str]]:
    """Sorted spans made non-overlapping; a character kept as a substituted space stays."""
    out: list[tuple[int, int, str]] = []
    for a, b, kind in spans:
        if kind == "join" and a in keep:
            a += 1
        if out and a < out[-1][1]:
            a = out[-1][1]
        if b > a:
            out.append((a, b, kind))
    return out


# ---------------------------------------------------------------- a published head
def _pass_head(doc: _Doc) -> bool:
    """A published head whose parts share a line (with each other or with the body) gets a
    line break before each part and before the body, so that the line pass sees the title,
    the date and the byline as lines of their own. Only the first lines are read, down to
    the first line of prose (a flattened page's head runs on into it), and only one head."""
    s = doc.s
    pos, seen = 0, 0
    while pos <= len(s) and seen < HEAD_LINES:
        end = s.find("\n", pos)
        end = len(s) if end < 0 else end
        line = s[pos:end]
        if line.strip():
            seen += 1
            head = find_head(line)
            if head is not None:
                cuts = [pos + start for _, start, _ in head.spans[1:]]
                if head.body < len(line):
                    cuts.append(pos + head.body)
                return doc.insert(cuts, "\n", "split")
            if _is_prose(line.strip()):
                return False
        pos = end + 1
    return False


# ---------------------------------------------------------------- paragraphs marked inside a line
# A run of two or more horizontal spaces after text (an indent inside a line when text
# follows; the caller looks at what follows). The lookbehind stands after the first space, not
# before it, so that the pattern starts with a character class: the regex engine then skips
# to the spaces instead of trying a match at every position (two and a half times faster
# than the pattern with a repeat first, [...]{2,}(?=\S), on the government work reports).
_SPACE_RUN = re.compile(f"{_HSPACE}(?<=\\S{_HSPACE}){_HSPACE}+")


# A numbered part run on after a sentence's end (。二、…): a flattened page. Written from its
# 、 back (one lookbehind for each length of the numeral), so that the regex engine skips from
# one 、 to the next instead of trying a match at every 。; only whether it matches is asked.
_FLAT_HINT = re.compile("、(?:" + "|".join(f"(?<=[。！？!?”」』][{_NUMERAL}]{{{k}}}、)" for k in (1, 2, 3)) + ")")


def _pass_split(doc: _Doc) -> bool:
    """An indent inside a line marks a paragraph: it becomes a line break. A page flattened
    into one line is broken before its numbered sections and points.

    Indents are looked for only in a text holding a horizontal space, numbered parts only in
    one holding a 、 (:meth:`_Doc.holds`): a cleaned page mostly holds no space."""
    s = doc.s
    subs: dict[int, str] = {}
    spans: list[tuple[int, int]] = []
    n = len(s)
    for m in _SPACE_RUN.finditer(s) if doc.holds(_HSPACE_CHARS) else ():
        a, b = m.span()
        if b == n or s[b].isspace():
            continue  # no text after the run (it ends a line or the text)
        run = m.group()
        before = s[a - 1]
        wide = sum(c in "\u3000\u00a0" for c in run) >= 2
        if not wide and before not in SENTENCE_ENDS + CLOSERS:
            continue
        line_start = s.rfind("\n", 0, a) + 1
        line_end = s.find("\n", b)
        left = s[line_start:a].strip()
        right = s[b:line_end if line_end >= 0 else len(s)].strip()
        if not left or not right:
            continue
        if _soft_break(left, right, None, nblank=0, b_indented=True, a_para_indented=False,
                       indent_doc=False, a_full=False):
            continue
        subs[a] = "\n"
        spans.append((a + 1, b))
    changed = doc.substitute(subs, "split")
    changed = doc.delete(spans, "split") or changed
    # Flattened pages: numbered parts run on after a sentence's end.
    s = doc.s
    if not doc.holds("、") or not _FLAT_HINT.search(s):
        return changed
    cuts: list[int] = []
    pos = 0
    for line in s.split("\n"):
        if line.count("、") >= 2:
            cuts.extend(pos + c for c in inline_breaks(line))
        pos += len(line) + 1
    return doc.insert(cuts, "\n", "split") or changed


# ---------------------------------------------------------------- line endings and characters
_ODD_NEWLINES = "\r\u2028\u2029\x85\x0b\x0c"


def _pass_newlines(doc: _Doc) -> bool:
    """Line ends other than a line feed: a CR before a LF goes, and every other becomes a LF."""
    if not doc.holds(_ODD_NEWLINES):
        return False
    spans = [(m.start(), m.start() + 1) for m in re.finditer("\r\n", doc.s)]
    changed = doc.delete(spans, "whitespace")
    lone = {m.start(): "\n" for m in re.finditer("[\r\u2028\u2029\x85\x0b\x0c]", doc.s)}
    return doc.substitute(lone, "newline") or changed


_INVISIBLE_CHARS = "".join(chr(c) for low, high in ((0x200B, 0x200F), (0x2060, 0x2064), (0xFEFF, 0xFEFF),
                                                    (0x00AD, 0x00AD), (0x202A, 0x202E), (0x2066, 0x2069),
                                                    (0x180E, 0x180E)) for c in range(low, high + 1))
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")


def _pass_invisible(doc: _Doc) -> bool:
    """Zero-width and other invisible characters go (the text is scanned only when it holds one)."""
    if not doc.holds(_INVISIBLE_CHARS):
        return False
    return doc.delete([(m.start(), m.end()) for m in _INVISIBLE.finditer(doc.s)], "invisible")


_FULL_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
# A full-width point between digits; written to start with the point (a lookbehind first
# would have the regex engine try every position instead of skipping from one point to the next).
_FULL_POINT = re.compile(r"．(?<=\d．)(?=\d)")
# What NFKC makes of each (ASCII), looked up rather than normalised one character at a time.
_FULL_TO_ASCII = {chr(c): unicodedata.normalize("NFKC", chr(c))
                  for low, high in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)) for c in range(low, high + 1)}
_FULL_ALNUM_CHARS = "".join(_FULL_TO_ASCII)


def _pass_width(doc: _Doc) -> bool:
    """NFKC for full-width digits and Latin letters (１９９７ → 1997), and a full-width point
    between digits (８．８ → 8.8). Full-width Chinese punctuation stays.

    The text is scanned only when it holds such a character (:meth:`_Doc.holds`), and each
    is looked up in a table of what NFKC makes of it, not normalised one by one."""
    if doc.holds(_FULL_ALNUM_CHARS):
        changes = {m.start(): _FULL_TO_ASCII[m.group()] for m in _FULL_ALNUM.finditer(doc.s)}
        changed = doc.substitute(changes, "width")
    else:
        changed = False
    if not doc.holds("．"):
        return changed
    points = {m.start(): "." for m in _FULL_POINT.finditer(doc.s)}
    return doc.substitute(points, "width") or changed


# ---------------------------------------------------------------- paywall markers
_ELL = r"(?:…|⋯|\.{3,}|。{3,}|·{3,})"
# Candidates: a bracketed or ellipsis-bounded snippet; kept as a marker only when its content
# says what such site inserts say (hidden or omitted N characters, members-only reading).
_MARKER_CANDIDATES = re.compile(
    rf"{_ELL}*[（(](?P<bracketed>[^\n（()）]{{1,80}})[）)]{_ELL}*"
    rf"|{_ELL}+(?P<bounded>[^\n…⋯（()）]{{1,60}}?){_ELL}+"
)
_HIDDEN = re.compile(r"(?:隐藏|隱藏|省略|刪減|删减|折疊|折叠)了?\s*\d+\s*[个個]?字")
_MEMBERS = re.compile(
    r"(?:正式[會会][員员]|VIP|[會会][員员]|登[錄录]|付[費费]|購買|购买)"
    r".{0,40}?(?:閱讀|阅读|查看|下載|下载|全文)"
)
_TAIL_MARKERS = re.compile(
    # 試讀結束 tails: the marker and the rest of its line.
    r"(?:試讀|试读)(?:已)?(?:結束|结束)[^\n]*"
    # (未完待續，請點擊下一頁) continuation teasers.
    r"|[（(]?(?:未完待續|未完待续)[^\n（()）]{0,30}[）)]?"
)


# The words without which _HIDDEN (a hiding word) or _MEMBERS (a reading word and a member
# word) cannot match, and those of _TAIL_MARKERS.
_HIDDEN_WORDS = ("隐藏", "隱藏", "省略", "刪減", "删减", "折疊", "折叠")
_READING_WORDS = ("閱讀", "阅读", "查看", "下載", "下载", "全文")
_MEMBER_WORDS = ("會員", "會员", "会員", "会员", "VIP", "登錄", "登录", "付費", "付费", "購買", "购买")
_TAIL_WORDS = ("試讀", "试读", "未完待")


def _pass_markers(doc: _Doc) -> bool:
    """Paywall and teaser markers: a bracketed or ellipsis-bounded snippet saying that text was
    hidden or is for members, and 試讀結束 or 未完待續 tails.

    The candidate scan is slow and most pages hold no marker: the words a marker needs are
    looked for first (:meth:`_Doc.holds_word`: a word whose characters are not all in the
    text is not searched for), then the patterns, which try every position of the text."""
    spans = []
    hidden = doc.holds_word(_HIDDEN_WORDS) and _HIDDEN.search(doc.s)
    if hidden or (doc.holds_word(_READING_WORDS) and doc.holds_word(_MEMBER_WORDS) and _MEMBERS.search(doc.s)):
        for m in _MARKER_CANDIDATES.finditer(doc.s):
            content = m["bracketed"] or m["bounded"] or ""
            if _HIDDEN.search(content) or _MEMBERS.search(content):
                spans.append((m.start(), m.end()))
    if doc.holds_word(_TAIL_WORDS):
        spans += [(m.start(), m.end()) for m in _TAIL_MARKERS.finditer(doc.s)]
    return doc.delete(_merge(spans), "marker")


# ---------------------------------------------------------------- inline pinyin
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_SYLLABLE = rf"[a-zA-Z{_TONED}{_TONED.upper()}:]+[1-5]?"
_PINYIN = re.compile(rf"[（(]\s*({_SYLLABLE}(?:[\s']+{_SYLLABLE})*)\s*[）)]")
_SYLLABLE_CHARS = string.ascii_letters + _TONED + _TONED.upper() + ":"  # one of them is in every syllable


@functools.lru_cache(maxsize=4096)
def _norm_syllable(syllable: str) -> str:
    s = syllable.lower().rstrip("12345")
    s = s.replace("u:", "v")
    s = re.sub("[üǖǘǚǜ]", "v", s)
    s = "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")
    return s.replace("v", "u")


@functools.cache
def _pinyin_table() -> dict[str, str]:
    """pypinyin's character table (code point -> readings), read from its JSON file:
    importing the package would also load its phrase dictionary (0.2 s a process)."""
    import importlib.util
    import json

    folder = Path(importlib.util.find_spec("pypinyin").origin).parent
    return json.loads((folder / "pinyin_dict.json").read_text(encoding="utf-8"))


@functools.cache
def _readings(char: str) -> frozenset[str]:
    """Toneless readings of a Han character, of its Simplified form and its Traditional form,
    from pypinyin's character table (what ``pypinyin.pinyin(c, heteronym=True)`` reads for
    one character, without loading its phrase segmenter)."""
    from .script import to_simplified_char, to_traditional_char

    table = _pinyin_table()
    out: set[str] = set()
    for c in {char, to_simplified_char(char), to_traditional_char(char)}:
        found = table.get(str(ord(c)))
        if found:
            out.update(_norm_syllable(r) for r in found.split(","))
    return frozenset(out)


@functools.lru_cache(maxsize=65536)
def is_reading(syllables: str, chars: str) -> bool:
    """True when each pinyin syllable is a reading of the character at the same place.

    >>> is_reading("xié", "協")
    True
    """
    parts = [p for p in re.split(r"[\s']+", syllables.strip()) if p]
    if len(parts) != len(chars) or not parts:
        return False
    return all(_norm_syllable(p) in _readings(c) for p, c in zip(parts, chars))


def _pass_pinyin(doc: _Doc) -> bool:
    """Inline pinyin in brackets after the characters it reads (協(xié)會) goes. Only a text
    holding a bracket and a letter is scanned."""
    if not doc.holds("(（") or not doc.holds(_SYLLABLE_CHARS):
        return False
    s = doc.s
    spans = []
    for m in _PINYIN.finditer(s):
        n = len(re.split(r"[\s']+", m.group(1).strip()))
        before = s[max(0, m.start() - n) : m.start()]
        if len(before) == n and all(HAN_RE.match(c) for c in before) and is_reading(m.group(1), before):
            spans.append((m.start(), m.end()))
    return doc.delete(spans, "pinyin")


# ---------------------------------------------------------------- punctuation width
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}
_HALF = re.compile(r"[,;:!?()]")


def _pass_punctuation(doc: _Doc) -> bool:
    """Half-width punctuation next to Chinese text becomes full width (brackets by pairs).
    Only a text holding half-width punctuation is scanned."""
    if not doc.holds(",;:!?()"):
        return False
    s = doc.s
    n = len(s)
    changes: dict[int, str] = {}

    def cjk(i: int) -> bool:
        return 0 <= i < n and bool(_CJK_CONTEXT.match(s[i]))

    # Brackets go by pairs: a pair holding Han, or standing next to Chinese text, becomes
    # full width on both sides; a pair that does neither, like (a) in Latin text, stays.
    paired: set[int] = set()
    for m in re.finditer(r"\(([^()\n]*)\)", s):
        a, b = m.start(), m.end() - 1
        paired.update((a, b))
        if HAN_RE.search(m.group(1)) or cjk(a - 1) or cjk(b + 1):
            changes[a] = "（"
            changes[b] = "）"
    for m in _HALF.finditer(s):
        i = m.start()
        c = s[i]
        if i in paired:
            continue
        if c in ",:" and i > 0 and i + 1 < n and s[i - 1].isdigit() and s[i + 1].isdigit():
            continue  # 1,000 and 10:38 stay
        if c == "(" or c == ")":
            chinese = cjk(i - 1) or cjk(i + 1)
        else:
            chinese = cjk(i - 1) or (cjk(i + 1) and not (i > 0 and s[i - 1].isascii() and s[i - 1].isalnum()))
        if chinese:
            changes[i] = _HALF_TO_FULL[c]
    return doc.substitute(changes, "punctuation")


# ---------------------------------------------------------------- whitespace
# Single digits, points and percent signs, each after one space ("1 9 9 3", "8 . 5 %"): not a
# number beside another ("表1 2012年", a table's "4 3.1"), which has a digit on one side.
_SPACED_DIGITS = re.compile(r"\d(?<![\d.]\d)(?:[ \u00a0][\d.%])+(?![\d.%])")  # starts with \d: skipped to
# Whether it can match at all: a space between a digit and a digit, point or percent sign.
# Written to start with the space (a character class the regex engine skips to), where the
# pattern above starts with \d and is tried at every position.
_SPACED_HINT = re.compile(r"[ \u00a0](?<=\d[ \u00a0])[\d.%]")
_BLANK_LINES = re.compile(f"\n(?:{_HSPACE}*\n)+")
# A run of horizontal space, written to start with a character class (not a repeat, ``+``): the
# regex engine then skips to the spaces instead of trying a match at every position.
_HSPACE_RUN = re.compile(f"{_HSPACE}{_HSPACE}*")


def _pass_whitespace(doc: _Doc) -> bool:
    """Spaces and blank lines: at a line's ends, blank lines, and the text's ends they go
    (``whitespace``); inside a line, next to Chinese text or between digits a PDF spaced out,
    they go too (``spacing``); between Latin words or numbers one plain space stays.

    Spaces are looked for only in a text that holds one (:meth:`_Doc.holds`), spaced-out digits
    only in one that holds a space or a no-break space: most cleaned pages hold none."""
    s = doc.s
    n = len(s)
    edge: list[tuple[int, int]] = []
    inner: list[tuple[int, int]] = []
    subs: dict[int, str] = {}
    # Digits spaced out by a PDF text layer ("1 9 9 3 年"), where they stand by Chinese text.
    spaced: set[int] = set()
    rows: dict[int, bool] = {}  # a line's start -> whether it is a table's row
    for m in _SPACED_DIGITS.finditer(s) if doc.holds(" \u00a0") and _SPACED_HINT.search(s) else ():
        a, b = m.start(), m.end()
        left = s[a - 2] if a >= 2 and s[a - 1] == " " else (s[a - 1] if a else "\n")
        right = s[b + 1] if b + 1 < n and s[b] == " " else (s[b] if b < n else "\n")
        by_chinese = (_CJK_CONTEXT.match(left) or left == "\n") or (_CJK_CONTEXT.match(right) or right == "\n")
        if by_chinese and not (left.isascii() and left.isalnum()) and not (right.isascii() and right.isalpha()):
            spaced.update(i for i in range(a, b) if s[i] in " \u00a0")
    for m in _HSPACE_RUN.finditer(s) if doc.holds(_HSPACE_CHARS) else ():
        a, b = m.span()
        if a == 0 or s[a - 1] == "\n" or b == n or s[b] == "\n":  # at a line's start or end
            edge.append((a, b))
            continue
        next_to_cjk = _CJK_CONTEXT.match(s[a - 1]) or (b < n and _CJK_CONTEXT.match(s[b]))
        if a in spaced or (next_to_cjk and not _table_row(s, a, rows, spaced)):
            inner.append((a, b))
        else:  # between Latin words, numbers or a table's cells: keep one plain space
            if b - a > 1:
                inner.append((a + 1, b))
            if s[a] != " ":
                subs[a] = " "
    # Blank lines (spaces only count as blank): newlines at the very start or end, and any
    # newline after another.
    for m in _BLANK_LINES.finditer(s):
        edge.append((m.start() + 1, m.end()))
    head = len(s) - len(s.lstrip())
    if head:
        edge.append((0, head))
    tail = len(s.rstrip())
    if tail < n:
        edge.append((tail, n))
    edge = _merge(edge)
    spans = sorted([(a, b, "whitespace") for a, b in edge] + [(a, b, "spacing") for a, b in inner])
    changed = doc.substitute(subs, "space")
    return doc.delete([(a, b) for a, b, _ in spans], [k for _, _, k in spans]) or changed


def _table_row(s: str, at: int, rows: dict[int, bool], spaced: set[int]) -> bool:
    """Whether the line holding position ``at`` is a table's row flattened by a PDF's text
    layer (``地区生产总值 亿元 12762 13562``, ``生产总值增速 % 8.5 8.7``): three cells or more
    between spaces (digits spaced out, ``spaced``, are one cell), two of them numbers, no
    punctuation, and at most a quarter of its cells one Han character (a line spaced out by a
    PDF, ``国务 院 关 于``, has more). The spaces between its cells are kept, one each, as
    between numbers: deleted, they would run the cells into one another (``亿元12762``). A
    row without numbers (a table's head, ``指标 单位 计划 完成``) is not told from words spaced
    out, and is run together."""
    start = s.rfind("\n", 0, at) + 1
    known = rows.get(start)
    if known is None:
        end = s.find("\n", at)
        end = len(s) if end < 0 else end
        line = "".join(c for i, c in enumerate(s[start:end], start) if i not in spaced) if spaced else s[start:end]
        cells = line.split()
        known = (len(cells) >= 3 and not _ANY_PUNCT.search(line)
                 and sum(_NUMBER_CELL.fullmatch(c) is not None for c in cells) >= 2
                 and 4 * sum(len(c) == 1 and HAN_RE.match(c) is not None for c in cells) <= len(cells))
        rows[start] = known
    return known


_NUMBER_CELL = re.compile(r"[-+]?\d[\d.,]*[%‰]?")


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


# ---------------------------------------------------------------- driver
_MAX_ROUNDS = 12


def _run(doc: _Doc, found: dict, page: bool) -> None:
    # Every pass depends only on the text in front of it, so running them to a fixed point
    # is what makes cleaning idempotent. The rounds are capped as a guard; real pages settle
    # in two or three.
    for _ in range(_MAX_ROUNDS):
        changed = _pass_newlines(doc)
        changed = _pass_invisible(doc) or changed
        if page:
            changed = (doc.head and _pass_head(doc)) or changed
            changed = _pass_lines(doc, found) or changed
            changed = _pass_split(doc) or changed
        changed = _pass_markers(doc) or changed
        changed = _pass_pinyin(doc) or changed
        changed = _pass_punctuation(doc) or changed
        changed = _pass_whitespace(doc) or changed
        changed = _pass_width(doc) or changed
        if not changed:
            return


def _clean_inline(s: str) -> str:
    """Clean a title or one line (no structure); returns the text only."""
    doc = _Doc(s)
    _run(doc, {}, page=False)
    return doc.s.replace("\n", " ").strip()


# A text longer than this is no speech page (the longest report of the shared corpus is
# 60,000 characters) but a newspaper year or a book in one file: it is cleaned in blocks.
BLOCK_CHARS = 1_000_000


def clean_text(raw: str, *, workers: int = 1) -> CleanResult:
    """Clean one scraped speech page.

    Returns a :class:`CleanResult`: the body ``text``, the header fields, ``removed`` (every
    deletion with its kind, position in ``raw`` and text) and ``substitutions`` (every other
    change).

    A text longer than :data:`BLOCK_CHARS` is cleaned in blocks (:func:`_clean_blocks`), on
    ``workers`` forked processes when more than one is given.

    >>> r = clean_text("標題\\n時間:2022-05-17 10:38:00\\n同志們:\\n各縣(區)計生協(xié)會")
    >>> r.text, r.title, [x.kind for x in r.removed]
    ('同志們：\\n各縣（區）計生協會', '標題', ['title', 'date', 'pinyin'])
    >>> clean_text("【字體:大 中 小】【打印】\\n同志們：\\n　　１９９７年，我們……　　二、加強領導").text
    '同志們：\\n1997年，我們……\\n二、加強領導'
    """
    if not isinstance(raw, str):
        raise TypeError(f"clean_text expects str, got {type(raw).__name__}")
    if len(raw) > BLOCK_CHARS:
        return _clean_blocks(raw, workers)
    result, _ = _clean_page(raw)
    return result


def _clean_page(raw: str, head: bool = True, foot: bool = True) -> tuple[CleanResult, dict]:
    """:func:`clean_text` of a page or of one block of a long text (``head``: it holds the
    page's top; ``foot``: its bottom); also returns the fields found, as read."""
    doc = _Doc(raw)
    doc.head, doc.foot = head, foot
    found: dict = {}
    _run(doc, found, page=True)
    return _result(doc.s, found, doc.removed, doc.substitutions()), found


def _result(text: str, found: dict, removed: list[Removal], substitutions: list[Substitution]) -> CleanResult:
    """A :class:`CleanResult` of a cleaned text, the fields found and its changes (sorted
    here by position)."""
    return CleanResult(
        text=text,
        title=found.get("title") or found.get("seo_title"),
        published=found.get("published", pd.NaT),
        prev_title=found.get("prev_title"),
        next_title=found.get("next_title"),
        removed=sorted(removed, key=lambda r: (r.start, r.end)),
        substitutions=substitutions,
    )


# Where a long text is cut into blocks: a line break after a sentence's end, before a line
# that starts with text or a blank line (never inside a paragraph a page marks by indents,
# never before a line that continues the one above).
_BLOCK_CUT = re.compile(r"(?<=[。！？!?])\n(?=[^\s" + re.escape(_CONT_START) + r"]|\n)")


def _blocks(raw: str) -> list[tuple[int, int]]:
    """Spans of ``raw`` of about :data:`BLOCK_CHARS` each, cut at :data:`_BLOCK_CUT` line
    breaks; the line break between two blocks belongs to neither. A text without such a
    break past a block's length stays one block from there on."""
    spans, a = [], 0
    while len(raw) - a > BLOCK_CHARS:
        cut = None
        for m in _BLOCK_CUT.finditer(raw, a + BLOCK_CHARS // 2, a + BLOCK_CHARS):
            cut = m.start()  # the last one in the window
        if cut is None:
            m = _BLOCK_CUT.search(raw, a + BLOCK_CHARS)
            if m is None:
                break
            cut = m.start()
        spans.append((a, cut))
        a = cut + 1
    spans.append((a, len(raw)))
    return spans


def _shifted(result: CleanResult, found: dict, offset: int) -> tuple[CleanResult, dict]:
    """A block's result with its positions made positions in the whole text (done where the
    block was cleaned, so that the merge only joins lists)."""
    if offset:
        result.removed = [Removal(r.kind, r.start + offset, r.end + offset, r.text) for r in result.removed]
        result.substitutions = [Substitution(x.kind, x.position + offset, x.old, x.new) for x in result.substitutions]
    return result, found


def _clean_blocks(raw: str, workers: int = 1) -> CleanResult:
    """A text too long to be one page (a newspaper year, a book in one file) cleaned in
    blocks of about :data:`BLOCK_CHARS` cut at a line break after a sentence's end
    (:func:`_blocks`), on ``workers`` forked processes: the same passes, with the page's
    head read in the first block only and its foot marked in the last only. What the
    cleaner judges of a page's layout (paragraphs marked by indents or blank lines, a PDF's
    hard wrap, running headers, page numbers, a flattened page's numbered parts) is judged
    block by block: a long file's parts may come from different sources. Positions are in
    ``raw`` as always; each line break between blocks is kept, or reported deleted when a
    block on either side was deleted whole.

    Cleaning is run to a fixed point over a page's whole text (:func:`_run`), so one page is
    one task; blocks are what let a 50 MB file use more than one core and hold one block's
    bookkeeping at a time."""
    from ..common.forked import forked_map

    spans = _blocks(raw)
    last = len(spans) - 1
    results = forked_map(lambda k: _shifted(*_clean_page(raw[spans[k][0]:spans[k][1]], head=k == 0, foot=k == last),
                                            spans[k][0]), len(spans), workers)
    pieces: list[str] = []
    removed: list[Removal] = []
    subs: list[Substitution] = []
    found: dict = {}
    for k, ((a, _), (result, fields)) in enumerate(zip(spans, results)):
        if k:  # the line break before this block, raw[a - 1]
            if result.text and pieces:
                pieces.append("\n")
            else:
                removed.append(Removal("whitespace", a - 1, a, raw[a - 1]))
        if result.text:
            pieces.append(result.text)
        removed.extend(result.removed)
        subs.extend(result.substitutions)
        for key, value in fields.items():  # the first found in reading order, as on one page
            if key not in found or (key == "published" and pd.isna(found[key])):
                found[key] = value
    return _result("".join(pieces), found, removed, sorted(subs, key=lambda x: (x.position, bool(x.old))))
