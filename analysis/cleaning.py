"""Cleaning scraped speech pages: site header and footer, paywall markers, inline pinyin,
punctuation width and whitespace, with an audit trail of every character taken out.

``clean_text(raw)`` never edits ``raw``. It returns a :class:`CleanResult` whose ``removed``
lists every deletion (kind, position in ``raw``, the removed text) and whose
``substitutions`` lists every one-for-one character change (half-width to full-width
punctuation, a lone CR or an odd space normalised). Deleting the ``removed`` spans from
``raw`` and applying the ``substitutions`` gives ``text`` exactly (see :meth:`CleanResult.rebuild`).

The passes run until nothing changes, so ``clean_text(clean_text(x).text).text == clean_text(x).text``.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .chars import HAN, HAN_RE  # the one definition of a Han character

# Bump when a change to this module can change the cleaned text (the token cache keys on it).
CLEANER_VERSION = "2"

# Full-width punctuation and brackets that make a neighbour "Chinese text".
CJK_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201f\u2026\u2014\u00b7"
_CJK_CONTEXT = re.compile(f"[{HAN}{CJK_PUNCT}]")

KINDS = ("title", "date", "lede", "meta", "footer", "marker", "pinyin", "whitespace")
"""Every kind of deletion, in the order the loader reports their counts."""


@dataclass(frozen=True, slots=True)
class Removal:
    """One deletion: ``raw[start:end] == text``."""

    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Substitution:
    """One character changed in place: ``raw[position] == old`` became ``new``."""

    kind: str
    position: int
    old: str
    new: str


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

    def counts(self) -> dict[str, int]:
        """Number of deletions per kind, every kind present (zero when none)."""
        out = dict.fromkeys(KINDS, 0)
        for r in self.removed:
            out[r.kind] += 1
        return out

    def rebuild(self, raw: str) -> str:
        """Apply the reported deletions and substitutions to ``raw``; equals ``text``."""
        chars = list(raw)
        for s in self.substitutions:
            chars[s.position] = s.new
        for r in self.removed:
            for i in range(r.start, r.end):
                chars[i] = ""
        return "".join(chars)


class _Doc:
    """The text being cleaned plus, for each of its characters, its index in ``raw``."""

    def __init__(self, raw: str):
        self.raw = raw
        self.s = raw
        self.idx = np.arange(len(raw), dtype=np.int64)
        self.removed: list[Removal] = []
        self.subs: list[Substitution] = []

    def delete(self, spans: list[tuple[int, int]], kind: str) -> bool:
        """Delete sorted, non-overlapping ``[a, b)`` spans of the current text."""
        spans = [(a, b) for a, b in spans if b > a]
        if not spans:
            return False
        bounds = np.array(spans, dtype=np.int64)
        lengths = bounds[:, 1] - bounds[:, 0]
        # Positions deleted, in order, and which span each belongs to.
        offsets = np.repeat(bounds[:, 0] - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        positions = np.arange(int(lengths.sum()), dtype=np.int64) + offsets
        span_of = np.repeat(np.arange(len(spans)), lengths)
        raw_idx = self.idx[positions]
        # A span of the current text may straddle earlier deletions: report it as the
        # contiguous runs of raw it covers, so that raw[start:end] == text always.
        new_run = np.ones(len(raw_idx), dtype=bool)
        new_run[1:] = (np.diff(raw_idx) != 1) | (np.diff(span_of) != 0)
        run_starts = np.flatnonzero(new_run)
        run_ends = np.append(run_starts[1:], len(raw_idx)) - 1
        raw = self.raw
        for start, last in zip(raw_idx[run_starts].tolist(), raw_idx[run_ends].tolist()):
            self.removed.append(Removal(kind, start, last + 1, raw[start:last + 1]))
        keep = np.ones(len(self.s), dtype=bool)
        keep[positions] = False
        pieces, last = [], 0
        for a, b in spans:
            pieces.append(self.s[last:a])
            last = b
        pieces.append(self.s[last:])
        self.s = "".join(pieces)
        self.idx = self.idx[keep]
        return True

    def substitute(self, changes: dict[int, str], kind: str) -> bool:
        """Replace single characters of the current text: ``{position: new_char}``."""
        changes = {i: c for i, c in changes.items() if self.s[i] != c}
        if not changes:
            return False
        chars = list(self.s)
        for i in sorted(changes):
            raw_i = int(self.idx[i])
            self.subs.append(Substitution(kind, raw_i, self.raw[raw_i], changes[i]))
            chars[i] = changes[i]
        self.s = "".join(chars)
        return True


def _lines(s: str):
    """Yield (start, end_without_newline, end_with_newline, line) for each line of ``s``.

    ``line`` leaves out a CR before the LF, so that header and footer lines of a CRLF file
    are found, and removed with their line end, before line ends are normalised."""
    pos = 0
    n = len(s)
    while pos < n:
        nl = s.find("\n", pos)
        if nl == -1:
            yield pos, n, n, s[pos:].rstrip("\r")
            return
        yield pos, nl, nl + 1, s[pos:nl].rstrip("\r")
        pos = nl + 1


# ---------------------------------------------------------------- line endings
def _pass_newlines(doc: _Doc) -> bool:
    spans = [(m.start(), m.start() + 1) for m in re.finditer("\r\n", doc.s)]
    changed = doc.delete(spans, "whitespace")
    lone = {m.start(): "\n" for m in re.finditer("[\r\u2028\u2029\x85\x0b\x0c]", doc.s)}
    return doc.substitute(lone, "newline") or changed


# ---------------------------------------------------------------- site header
_DATE_KEYS = r"時間|时间|發布時間|发布时间|發佈時間|發表時間|发表时间|更新時間|更新时间|日期|發布日期|发布日期"
_LEDE_KEYS = r"導語|导语|摘要|內容提要|内容提要|提要"
_META_KEYS = (
    r"來源|来源|作者|編輯|编辑|責任編輯|责任编辑|瀏覽|浏览|瀏覽次數|浏览次数|閱讀|阅读|閱讀量|阅读量"
    r"|點擊|点击|點擊數|点击数|字數|字数|分類|分类|欄目|栏目|標籤|标签|關鍵詞|关键词|投稿"
    r"|字號|字号|推薦度|推荐度|發布者|发布者|發布人|发布人|分享到"
)
# A breadcrumb trail at the top of a page ("您現在的位置：首頁 > 範文 > 講話稿"): never speech
# text, so it goes whether or not a title and metadata follow.
_BREADCRUMB = re.compile(
    r"^[\s\u3000]*(?:(?:您現在的位置|您现在的位置|當前位置|当前位置|您的位置|你的位置|所在位置)\s*[:：].*"
    r"|(?:首頁|首页|主頁|主页|網站首頁|网站首页)\s*[>»›＞/].{0,80})$"
)
_HEADER_LINE = re.compile(
    rf"^[\s\u3000]*(?:(?P<date>{_DATE_KEYS})|(?P<lede>{_LEDE_KEYS})|(?P<meta>{_META_KEYS}))\s*[:：]"
)
_DATE_VALUE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]*(\d{1,2})\s*[:：時时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?"
)
_MAX_TITLE_CHARS = 80


def _parse_published(line: str) -> pd.Timestamp:
    m = _DATE_VALUE.search(line)
    if not m:
        return pd.NaT
    parts = [int(g) if g else 0 for g in m.groups()]
    try:
        return pd.Timestamp(*parts)
    except ValueError:
        return pd.NaT


def _pass_header(doc: _Doc, found: dict) -> bool:
    """Remove a title line followed by metadata lines (時間:, 導語:, 來源:, …) at the top.

    A first line is taken as the title only when such a metadata line follows it, so a
    cleaned text (which starts with the speech itself) is never cut again.
    """
    lines = list(_lines(doc.s))
    # Skip leading blank lines.
    first = 0
    while first < len(lines) and not lines[first][3].strip():
        first += 1
    if first == len(lines):
        return False
    crumbs: list[tuple[int, int, str]] = []
    i = first
    while i < len(lines) and (_BREADCRUMB.match(lines[i][3]) or not lines[i][3].strip()):
        if lines[i][3].strip():
            crumbs.append((lines[i][0], lines[i][2], "meta"))
        i += 1
    if i == len(lines):
        return _delete_back_to_front(doc, crumbs)
    spans: list[tuple[int, int, str]] = []
    title_line = None
    if not _HEADER_LINE.match(lines[i][3]):
        title_line = i
        i += 1
    meta_seen = False
    while i < len(lines):
        line = lines[i][3]
        if not line.strip():
            i += 1
            continue
        m = _HEADER_LINE.match(line)
        if not m:
            break
        kind = m.lastgroup
        meta_seen = meta_seen or kind in ("date", "lede")
        spans.append((lines[i][0], lines[i][2], kind))
        if kind == "date" and pd.isna(found.get("published", pd.NaT)):
            found["published"] = _parse_published(line[m.end():])
        i += 1
    if not spans or not meta_seen:
        return _delete_back_to_front(doc, crumbs)
    if title_line is not None:
        title = lines[title_line][3].strip()
        if not title or len(title) > _MAX_TITLE_CHARS or "。" in title:
            return _delete_back_to_front(doc, crumbs)
        spans.insert(0, (lines[title_line][0], lines[title_line][2], "title"))
        found.setdefault("title", _clean_inline(title))
    return _delete_back_to_front(doc, crumbs + spans)


def _delete_back_to_front(doc: _Doc, spans: list[tuple[int, int, str]]) -> bool:
    """Delete (start, end, kind) spans, last first, so that earlier ones keep their positions."""
    changed = False
    for a, b, kind in sorted(spans, reverse=True):
        changed = doc.delete([(a, b)], kind) or changed
    return changed


# ---------------------------------------------------------------- site footer
_NAV_LINE = re.compile(
    r"^[\s\u3000\-–—·•*>|]*(?P<which>上一篇|下一篇|上一篇文章|下一篇文章|上篇|下篇)\s*[:：]\s*(?P<title>.*?)\s*$"
)
_FURNITURE_LINE = re.compile(
    r"^[\s\u3000\-–—·•*>|]*(?:"
    r"本文(?:來源|来源|網址|网址|鏈接|链接|地址|出處|出处)\s*[:：]"
    r"|(?:轉載|转载)(?:請|请)(?:註明|注明|保留)"
    r"|(?:版權|版权)(?:所有|聲明|声明)"
    r"|(?:責任編輯|责任编辑)\s*[:：]"
    r"|(?:返回(?:首頁|首页|列表|頂部|顶部|目錄|目录))\s*$"
    r"|(?:相關|相关|熱門|热门|推薦|推荐|延伸|最新)(?:文章|閱讀|阅读|推薦|推荐|範文|范文)\s*[:：]?\s*$"
    r"|(?:猜你喜歡|猜你喜欢)\s*[:：]?\s*$"
    r"|(?:分享到|打印本文|打印此文|關閉窗口|关闭窗口|收藏本文|【打印】|【關閉】|【关闭】|【收藏】)"
    r")"
)


def _pass_footer(doc: _Doc, found: dict) -> bool:
    """Remove 上一篇/下一篇 navigation lines and site furniture lines.

    A furniture heading such as ``相關文章:`` ends the speech: it and every line after it go.
    """
    spans = []
    lines = list(_lines(doc.s))
    for a, _, b, line in lines:
        nav = _NAV_LINE.match(line)
        if nav:
            key = "prev_title" if nav["which"].startswith("上") else "next_title"
            found.setdefault(key, _clean_inline(nav["title"]) or None)
            spans.append((a, b))
            continue
        if _FURNITURE_LINE.match(line):
            is_heading = re.search(r"(?:文章|閱讀|阅读|推薦|推荐|範文|范文|喜歡|喜欢)\s*[:：]?\s*$", line)
            if is_heading:
                spans.append((a, len(doc.s)))
                break
            spans.append((a, b))
    if spans and spans[-1][1] == len(doc.s):
        # The newline that ended the last kept line now ends the text: it goes too.
        a, b = spans[-1]
        if a > 0 and doc.s[a - 1] == "\n" and (len(spans) < 2 or spans[-2][1] != a):
            spans[-1] = (a - 1, b)
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and merged[-1][1] >= a:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return doc.delete(merged, "footer")


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


def _pass_markers(doc: _Doc) -> bool:
    spans = []
    # The candidate scan is slow and most pages hold no marker: look for its words first.
    if _HIDDEN.search(doc.s) or _MEMBERS.search(doc.s):
        for m in _MARKER_CANDIDATES.finditer(doc.s):
            content = m["bracketed"] or m["bounded"] or ""
            if _HIDDEN.search(content) or _MEMBERS.search(content):
                spans.append((m.start(), m.end()))
    spans += [(m.start(), m.end()) for m in _TAIL_MARKERS.finditer(doc.s)]
    return doc.delete(_merge(spans), "marker")


# ---------------------------------------------------------------- inline pinyin
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_SYLLABLE = rf"[a-zA-Z{_TONED}{_TONED.upper()}:]+[1-5]?"
_PINYIN = re.compile(rf"[（(]\s*({_SYLLABLE}(?:[\s']+{_SYLLABLE})*)\s*[）)]")


@functools.lru_cache(maxsize=4096)
def _norm_syllable(syllable: str) -> str:
    s = syllable.lower().rstrip("12345")
    s = s.replace("u:", "v")
    s = re.sub("[üǖǘǚǜ]", "v", s)
    s = "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")
    return s.replace("v", "u")


@functools.cache
def _readings(char: str) -> frozenset[str]:
    """Toneless readings of a Han character, of its Simplified form and its Traditional form."""
    from pypinyin import Style, pinyin

    from .script import to_simplified_char, to_traditional_char

    out: set[str] = set()
    for c in {char, to_simplified_char(char), to_traditional_char(char)}:
        for group in pinyin(c, style=Style.NORMAL, heteronym=True, errors="ignore"):
            out.update(_norm_syllable(r) for r in group)
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
    s = doc.s
    if "(" not in s and "（" not in s:
        return False
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
_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
_HSPACE = "[ \t\u3000\u00a0\u2002-\u200a\u202f\u205f]"


def _pass_whitespace(doc: _Doc) -> bool:
    s = doc.s
    spans: list[tuple[int, int]] = [(m.start(), m.end()) for m in _ZERO_WIDTH.finditer(s)]
    subs: dict[int, str] = {}
    n = len(s)
    for m in re.finditer(f"{_HSPACE}+", s):
        a, b = m.start(), m.end()
        at_line_start = a == 0 or s[a - 1] == "\n"
        at_line_end = b == n or s[b] == "\n"
        next_to_cjk = (a > 0 and _CJK_CONTEXT.match(s[a - 1])) or (b < n and _CJK_CONTEXT.match(s[b]))
        if at_line_start or at_line_end or next_to_cjk:
            spans.append((a, b))
        else:  # between Latin words or numbers: keep one plain space
            if b - a > 1:
                spans.append((a + 1, b))
            if s[a] != " ":
                subs[a] = " "
    # Blank lines: newlines at the very start or end, and any newline right after another.
    for m in re.finditer(r"\n+", s):
        a, b = m.start(), m.end()
        if a == 0 or b == n:
            spans.append((a, b))
        elif b - a > 1:
            spans.append((a + 1, b))
    spans = _merge(spans)
    changed = doc.substitute(subs, "space")
    return doc.delete(spans, "whitespace") or changed


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


# ---------------------------------------------------------------- driver
def _run(doc: _Doc, found: dict, page: bool) -> None:
    # Every pass only deletes characters or turns half-width into full-width ones, so the
    # loop ends; running it to a fixed point is what makes cleaning idempotent.
    while True:
        changed = False
        if page:
            changed = _pass_header(doc, found) or changed
            changed = _pass_footer(doc, found) or changed
        changed = _pass_newlines(doc) or changed
        changed = _pass_markers(doc) or changed
        changed = _pass_pinyin(doc) or changed
        changed = _pass_punctuation(doc) or changed
        changed = _pass_whitespace(doc) or changed
        if not changed:
            return


def _clean_inline(s: str) -> str:
    """Clean a title or one line (no header/footer detection); returns the text only."""
    doc = _Doc(s)
    _run(doc, {}, page=False)
    return doc.s.replace("\n", " ").strip()


def clean_text(raw: str) -> CleanResult:
    """Clean one scraped speech page.

    Returns a :class:`CleanResult`: the body ``text``, the header fields, and ``removed``,
    every deletion with its kind, position in ``raw`` and text.

    >>> r = clean_text("標題\\n時間:2022-05-17 10:38:00\\n同志們:\\n各縣(區)計生協(xié)會")
    >>> r.text, r.title, [x.kind for x in r.removed]
    ('同志們：\\n各縣（區）計生協會', '標題', ['title', 'date', 'pinyin'])
    """
    if not isinstance(raw, str):
        raise TypeError(f"clean_text expects str, got {type(raw).__name__}")
    doc = _Doc(raw)
    found: dict = {}
    _run(doc, found, page=True)
    removed = sorted(doc.removed, key=lambda r: (r.start, r.end))
    subs = sorted(doc.subs, key=lambda s: s.position)
    return CleanResult(
        text=doc.s,
        title=found.get("title"),
        published=found.get("published", pd.NaT),
        prev_title=found.get("prev_title"),
        next_title=found.get("next_title"),
        removed=removed,
        substitutions=subs,
    )
