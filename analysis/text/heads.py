"""The head of a published speech: its title, the date it was given and who gave it.

Papers, the party's journals and official sites print a speech under a head of up to three
parts, in this order:

====================================  =====================================================
``《在全市春耕生产工作会议上的讲话》``      the title, in 《》 (or ``<<…>>``) or bare
``（2020年2月3日）``                     the date, in brackets (full or half width, 〔〕, 【】), at
                                      times with the occasion (``（2020年2月3日在…上）``), or
                                      as a dash line (``——2024年3月5日在…会议上``); digits or
                                      Chinese numerals (``二〇二〇年二月三日``, 〇 or ○)
``王明``                              the speaker: a name, at times after an office
                                      (``国务院总理 李强``), on one line or two
====================================  =====================================================

Each part may stand on a line of its own, or several on one line; on a page that was
flattened the head runs on into the body: ``《…》（2020年2月3日）王明 同志们：今天…``.

:func:`find_head` reads a head that starts a line (the cleaner uses it to set the parts on
lines of their own before it removes them as ``title``, ``date`` and ``byline``);
:func:`read_head` the first head among a text's first lines, with the speaker on the line or
two after its date; :func:`speaker_name` the name in a byline.

Where the body follows the head on the same line, a head is only read with something between
them that says where the head ends: a space, a salutation (``同志们：``, ``各位代表：``), or,
after a bare title, a title that ends as a speech title does (``…讲话``, ``…报告``). A name run
straight into the body (``（2020年2月3日）王明今天我们…``) cannot be told from the body's first
words and stays in the text.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from .chars import HAN
from .numbers import DATE_RE, YEAR_DIGITS, written_date

# How much of a text's start is its head: as in analysis.dates.
HEAD_LINES, HEAD_CHARS = 8, 400
_SP = " \t\u3000\u00a0"
_SPACE = f"[{_SP}]"

# A full date written with 年月日 (digits, full-width digits, or Chinese numerals with 〇/○).
_YMD = (r"(?:(?:19|20|１９|２０)[\d０-９]{2}\s*年\s*[\d０-９]{1,2}\s*月\s*[\d０-９]{1,2}\s*日"
        rf"|[{YEAR_DIGITS}]{{4}}\s*年\s*[一二三四五六七八九十]{{1,3}}\s*月\s*[一二三四五六七八九十廿]{{1,3}}\s*日)")
_OPEN, _CLOSE = "（(〔［\\[【", "）)〕］\\]】"
_BRACKETED = rf"[{_OPEN}]{_SPACE}*{_YMD}[^{_CLOSE}\n]{{0,60}}[{_CLOSE}]"
_DASHES = "(?:——|—|－－|--|―|──|－|-)"
_DASHED = rf"{_DASHES}{_SPACE}*{_YMD}[^\s。，；！？!?,;]{{0,60}}"
_QUOTED_TITLE = r"《[^《》\n]{1,100}》|<<[^<>\n]{1,100}>>|＜＜[^＜＞\n]{1,100}＞＞|〈〈[^〈〉\n]{1,100}〉〉"
# A bare title: no sentence punctuation, bracket or dash (a 《》 title inside it is fine).
_BARE_CHAR = r"[^\s《》<>＜＞（）()〔〕［］\[\]【】。，、；：！？,;:!?“”\"—–－―─-]"
_BARE_TITLE = rf"(?:{_BARE_CHAR}|《[^《》\n]{{1,40}}》){{2,80}}?"
_HEAD = re.compile(
    rf"{_SPACE}*(?:(?P<title>{_QUOTED_TITLE}|{_BARE_TITLE}){_SPACE}*)?(?P<date>{_BRACKETED}|{_DASHED})")
# How the titles of speeches end: a bare title run into the body must end so.
_GENRE_END = re.compile(
    r"(?:讲话|講話|报告|報告|致辞|致辭|发言|發言|说明|說明|演讲|演講|讲稿|講稿|谈话|談話|答问|答問|贺词|賀詞"
    r"|献[词辞]|獻[詞辭]|[开開闭閉]幕[词辞詞辭]|主持[词辞詞辭]|的[话話]|总结|總結|讲评|講評|动员|動員)$")
# The salutation that opens a body: 同志们：, 各位代表、各位委员：, 尊敬的…：
SALUTATION = re.compile(
    r"(?:同志[们們]|各位|女士[们們]|先生[们們]|朋友[们們]|老[师師][们們]|同[学學][们們]|(?:[亲親][爱愛]|尊敬)的)"
    r"[^\n。！？!?]{0,30}?[：:！!，,]")
_NAME_TOKEN = re.compile(rf"[{HAN}·•]{{1,12}}")
_TOKEN = re.compile(rf"[^{_SP}\n]+")
_SPACES = re.compile(f"{_SPACE}*")
# A line that starts with a full date and holds no sentence: a dateline of its own
# (1957年6月26日在…会议上, （2020年2月3日）, ——2024年3月5日…), not a posting time (10:38).
_DATE_LINE = re.compile(rf"(?:{_SPACE}|{_DASHES}|[{_OPEN}])*{_YMD}")
_CLOCK = re.compile(r"\d{1,2}\s*[:：]\s*\d\d")
_SENTENCE = re.compile("[。！？!?]")
# An office before the name, when they are written together (国务院总理李强).
_OFFICE = re.compile(
    r".*(?:总理|總理|主席|书记|書記|省长|省長|市长|市長|县长|縣長|区长|區長|镇长|鎮長|乡长|鄉長|局长|局長|部长|部長"
    r"|厅长|廳長|处长|處長|院长|院長|主任|会长|會長|理事长|理事長|秘书长|秘書長|委员|委員|司令员|司令員|总统|總統)")
_HEADING_WORDS = frozenset(["前言", "引言", "序言", "導言", "导言", "結語", "结语", "結束語", "结束语", "附件", "附錄",
                            "附录", "總論", "总论", "谢谢", "謝謝", "谢谢大家", "謝謝大家"])


@dataclass(frozen=True)
class Head:
    """A head read from a line or a text. ``title`` is the title without 《》 (None when the
    head has none), ``date`` a Timestamp, ``date_text`` the date part as written, ``byline``
    the speaker's line(s) as written (None when none is given), ``speaker`` the name in it
    (:func:`speaker_name`) and ``evidence`` the head as written (its lines joined by a
    space). ``spans`` gives, for each part found on the line
    (``title``, ``date``, ``byline``), its ``(start, end)`` in the line :func:`find_head`
    read; ``body`` is where the body starts on that line (its length when the line holds
    the head only)."""

    title: str | None
    date: pd.Timestamp
    date_text: str
    byline: str | None = None
    speaker: str | None = None
    spans: tuple = ()
    body: int = 0
    evidence: str = ""


def _date_of(text: str) -> pd.Timestamp | None:
    m = DATE_RE.search(unicodedata.normalize("NFKC", text))
    return written_date(m) if m else None


def name_like(text: str) -> bool:
    """Whether ``text`` reads as a byline: in Han characters (spaces and a middle dot
    allowed), a name of two to four characters (``王明``, ``李　强``; longer with a middle dot,
    ``司马义·艾买提``), an office and a name (``国务院总理 李强``, ``国务院总理李强``), or an
    office alone (``国务院总理``, the first line of a byline of two). A phrase such as a
    subtitle (``坚持稳中求进``), a salutation or a heading is not one.

    >>> [name_like(t) for t in ("王明", "国务院总理　李　强", "国务院总理", "坚持稳中求进", "同志们", "一、总体要求")]
    [True, True, True, False, False, False]
    """
    t = text.strip(_SP + "\n")
    if not 2 <= len(t) <= 16 or len(re.findall(f"[{HAN}]", t)) < 2:
        return False
    tokens = re.split(f"[{_SP}\n]+", t)
    if not all(_NAME_TOKEN.fullmatch(tok) for tok in tokens):
        return False
    joined = "".join(tokens)
    if (SALUTATION.match(joined + "：") or joined in _HEADING_WORDS or joined.startswith("第")
            or _GENRE_END.search(joined)):
        return False  # a salutation, a heading, a title (局长讲话)
    if len(tokens) == 1 and _OFFICE.fullmatch(joined):
        return True  # an office alone
    name = speaker_name(t) or ""
    letters = len(name.replace("·", "").replace("•", ""))
    return 2 <= letters <= 4 or (("·" in name or "•" in name) and letters <= 12)


def speaker_name(byline: str) -> str | None:
    """The name in a byline: its last word when an office stands before it (``国务院总理 李强``,
    on one line or two), a name spaced out letter by letter joined (``李　强``), an office
    written together with the name taken off (``国务院总理李强``); a byline that is an office
    alone stays as it is. None for an empty byline.

    >>> speaker_name("国务院总理\\n\\u3000李克强"), speaker_name("县长\\n张　某"), speaker_name("国务院总理李强")
    ('李克强', '张某', '李强')
    >>> speaker_name("习近平"), speaker_name("局長")
    ('习近平', '局長')
    """
    tokens = [t for t in re.split(f"[{_SP}\n]+", byline.strip(_SP + "\n")) if t]
    if not tokens:
        return None
    run = 0
    while run < len(tokens) and len(tokens[-1 - run]) == 1:
        run += 1
    if run >= 2:
        return "".join(tokens[-run:])  # 李　强: one name spaced out
    name = tokens[-1]
    if len(tokens) == 1:
        office = _OFFICE.match(name)
        if office and 2 <= len(name) - office.end() <= 4:
            return name[office.end():]
    return name


def _byline_after(line: str, pos: int) -> tuple[tuple[int, int] | None, int]:
    """A byline starting at ``pos`` (after spaces) and where the body starts after it:
    ``((start, end) or None, body)``."""
    p = _SPACES.match(line, pos).end()
    if p >= len(line) or SALUTATION.match(line, p):
        return None, p
    salutation = SALUTATION.search(line, p, min(len(line), p + 50))
    if salutation:
        name = line[p:salutation.start()].rstrip(_SP)
        if name and name_like(name):
            return (p, p + len(name)), salutation.start()
    end, q, n = p, p, 0
    while n < 3 and q < len(line):
        token = _TOKEN.match(line, q)
        if token is None or not _NAME_TOKEN.fullmatch(token.group()) or token.end() - p > 16:
            break
        end, n = token.end(), n + 1
        q = _SPACES.match(line, end).end()
    if n and name_like(line[p:end]):
        return (p, end), _SPACES.match(line, end).end()
    return None, p


def find_head(line: str) -> Head | None:
    """The head at the start of ``line``: a title (or none), a date in brackets or after a
    dash, and a byline (or none), with the body after them if the page ran it on (see the
    module's docstring for when that is read). None when the line does not start with one.

    >>> line = "《在全市春耕生产工作会议上的讲话》（二〇二〇年二月三日）王明 同志们：今天我们开会。"
    >>> h = find_head(line)
    >>> h.title, h.date.date().isoformat(), h.speaker, line[h.body:]
    ('在全市春耕生产工作会议上的讲话', '2020-02-03', '王明', '同志们：今天我们开会。')
    >>> find_head("今天（2020年2月3日）我们开会。") is None
    True
    """
    m = _HEAD.match(line)
    if m is None:
        return None
    stamp = _date_of(m["date"])
    if stamp is None:
        return None
    title = m["title"]
    quoted = bool(title) and title[0] in "《<＜〈"
    byline, body = _byline_after(line, m.end())
    if body < len(line):  # the body runs on after the head
        delimited = (byline is not None or SALUTATION.match(line, body)
                     or _SPACES.match(line, m.end()).end() > m.end())
        if not delimited or (title and not quoted and not _GENRE_END.search(title)):
            return None
        if not title and byline is None and not SALUTATION.match(line, body):
            return None  # a bracketed date, a space and a sentence: no head
    spans = [("date", m.start("date"), m.end("date"))]
    if title:
        spans.insert(0, ("title", m.start("title"), m.end("title")))
    written = line[byline[0]:byline[1]] if byline else None
    if byline:
        spans.append(("byline", *byline))
    bare = title.strip("《》<>＜＞〈〉") if title and quoted else title
    evidence = line[spans[0][1]:spans[-1][2]]
    return Head(bare, stamp, m["date"], written, speaker_name(written) if written else None, tuple(spans), body,
                evidence)


def is_date_line(line: str) -> bool:
    """Whether ``line`` is a dateline of a head: it starts (after brackets or a dash) with a
    full date written with 年月日, holds no sentence and no clock time (a line such as
    ``2023年3月15日 10:20`` is a page's posting time).

    >>> is_date_line("（2020年2月3日）"), is_date_line("1957年6月26日在第一届全国人民代表大会第四次会议上")
    (True, True)
    >>> is_date_line("2023年03月15日 10:20"), is_date_line("2011年3月，我们召开了会议。")
    (False, False)
    """
    t = line.strip()
    return (len(t) <= 100 and _DATE_LINE.match(t) is not None and not _SENTENCE.search(t)
            and not _CLOCK.search(t))


def _top_lines(text: str) -> list[str]:
    lines, used = [], 0
    for line in text.split("\n"):
        if not line.strip():
            continue
        lines.append(line)
        used += len(line)
        if len(lines) >= HEAD_LINES or used >= HEAD_CHARS:
            break
    return lines


def _title_like(line: str) -> bool:
    t = line.strip()
    return 0 < len(t) <= 100 and not re.search("[。！？!?；;：:]", t) and not SALUTATION.match(t)


def byline_between(title: str, line: str) -> bool:
    """Whether ``line``, between a title line and a dateline, is a byline (a name, with an
    office before it at times), not a second title line: it is :func:`name_like`, its name is
    two to four characters and it does not end as a speech title does.

    >>> byline_between("在全市春耕生产工作会议上的讲话", "王明"), byline_between("某某网", "政府工作报告")
    (True, False)
    """
    if not (_title_like(title) and name_like(line)) or _GENRE_END.search(line.strip()):
        return False
    name = speaker_name(line)
    return name is not None and 2 <= len(name) <= 4


def read_head(text: str) -> Head | None:
    """The first head among the first lines of ``text`` (eight, or 400 characters): a line
    that starts with a head (:func:`find_head`), with the title on the line before when the
    head's line has none, and the byline, when its line ends after the date, on the line or
    two after it (``国务院总理`` ⏎ ``李强``) or between the title and the date
    (:func:`byline_between`).

    >>> h = read_head("在全市春耕生产工作会议上的讲话\\n（2020年2月3日）\\n王明\\n同志们：\\n今天开会。")
    >>> h.title, h.date.date().isoformat(), h.speaker, h.evidence
    ('在全市春耕生产工作会议上的讲话', '2020-02-03', '王明', '在全市春耕生产工作会议上的讲话 （2020年2月3日） 王明')
    """
    lines = [line.strip(_SP) for line in _top_lines(text)]
    for k, line in enumerate(lines):
        head = find_head(line)
        if head is None and is_date_line(line):  # a dateline alone: 1957年6月26日在…会议上
            stamp = _date_of(line)
            head = Head(None, stamp, line, body=len(line), evidence=line) if stamp is not None else None
        if head is None:
            continue
        title, byline = head.title, head.byline
        parts = [line[:head.body].rstrip(_SP)]
        before = lines[max(0, k - 2):k]
        if head.body >= len(line) and byline is None:
            after = []
            for nxt in lines[k + 1:k + 3]:
                if not name_like(nxt) or len("".join(after + [nxt])) > 16:
                    break
                after.append(nxt)
            if after:
                byline = "\n".join(after)
                parts += after
            elif title is None and len(before) == 2 and byline_between(*before):
                byline, before = before[1], before[:1]  # title, byline, then the date
                parts.insert(0, byline)
        if title is None and before and _title_like(before[-1]):
            title = before[-1].strip("《》")
            parts.insert(0, before[-1])
        return Head(title, head.date, head.date_text, byline, speaker_name(byline) if byline else None,
                    head.spans, head.body, " ".join(parts))
    return None


# A posting time says when the page went up: `時間: 2022-05-17`, `发布日期：…`. A line like
# that is never a speech's dateline, wherever it stands.
_POSTING_TIME = re.compile(r"^[\s\u3000]*[^\s:：]{1,8}[:：]")


HEAD_KINDS = ("title", "date", "byline")
"""The deletions that make up a speech's head: its title, dateline and byline."""


def header_lines(raw: str, removed_spans: str, kinds: tuple[str, ...] = HEAD_KINDS) -> str:
    """The lines cleaning removed above the speech as its head (title, dateline and byline:
    ``kinds``), in raw order, posting-time lines (``時間:…``) left out: where a page's
    dateline (``——2024年3月5日在…會議上``, ``（2020年5月28日…通過）``) and speaker end up once
    the text is clean. ``removed_spans`` is the corpus's JSON column ``[[kind, start, end], …]``.

    >>> header_lines("政府工作报告\\n——2024年3月5日在会议上\\n時間:2022-05-17\\n各位代表：",
    ...              '[["title", 0, 7], ["date", 7, 23], ["date", 23, 39]]')
    '政府工作报告\\n——2024年3月5日在会议上'
    """
    import json

    lines = []
    for kind, start, end in json.loads(removed_spans or "[]"):
        if kind in kinds:
            line = raw[start:end].strip()
            if line and not _POSTING_TIME.match(line):
                lines.append(line)
    return "\n".join(lines)


def byline_speaker(raw: str, removed_spans: str) -> str | None:
    """The speaker named by the byline cleaning removed above a speech (kind ``byline``: the
    name under a published head's dateline, :func:`analysis.dates.header_lines`), or None.
    ``removed_spans`` is the corpus's JSON column ``[[kind, start, end], …]``.

    >>> byline_speaker("政府工作报告\\n——2024年3月5日\\n国务院总理\\n李强\\n各位代表：",
    ...                '[["title", 0, 7], ["date", 7, 19], ["byline", 19, 28]]')
    '李强'
    """
    byline = header_lines(raw, removed_spans, kinds=("byline",))
    return speaker_name(byline) if byline else None


__all__ = ["HEAD_KINDS", "Head", "SALUTATION", "byline_between", "byline_speaker", "find_head", "header_lines",
           "is_date_line", "name_like", "read_head", "speaker_name"]
