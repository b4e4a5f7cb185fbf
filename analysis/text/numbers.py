"""Numbers and dates as Chinese texts write them, read in one place: a run of Chinese numerals
(二〇一二, 三千九百二十, 一万二千, 廿三, 七点五; Traditional or Simplified), a number written
back as a section heading writes it (:func:`cn_numeral`), and a full written date
(2024年3月5日, 二〇二四年三月五日, 2024-03-05: :data:`DATE_RE`, :func:`written_date`).

Cleaning (a page's posting date), dates (datelines, sessions, a year written in numerals),
the outline (section numbers), formulas (三个代表, 双降) and targets (增长百分之七点五) all
read their numerals here.
"""
from __future__ import annotations

import re

import pandas as pd

DIGITS = {"零": 0, "〇": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "双": 2, "雙": 2,
          "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
"""A digit's value. 〇, ○ and the letter O (as typed or scanned in years: 一九八○) are zero;
两/兩 and 双/雙 are two (两个, 双降)."""
TENS = {"廿": 20, "卅": 30}
"""Twenty and thirty written as one character (廿三日: the 23rd)."""
UNITS = {"十": 10, "百": 100, "千": 1000}
MYRIADS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
POINT = "点點"
YEAR_DIGITS = "〇○零Ｏ一二三四五六七八九"
"""The characters of a year written digit by digit (一九八二年, 二〇一二年), for patterns."""

# A year outside this range is a typo or an identifier, not the year of a speech.
MIN_YEAR, MAX_YEAR = 1900, 2100


def numeral_value(run: str) -> int | float | None:
    """The value of a number written in Chinese numerals; None when ``run`` is not one.

    Digits alone are read one by one, as years and codes are written (二〇一二 → 2012,
    一九八○ → 1980); with units they count (十二 → 12, 三千九百二十 → 3920, 一万二千 → 12000,
    百万 → 1000000); 廿 and 卅 are twenty and thirty (廿三 → 23); 点 starts the decimals
    (七点五 → 7.5).

    >>> [numeral_value(r) for r in ("五", "十二", "二十", "两", "三十五", "百万", "一万二千", "三千九百二十")]
    [5, 12, 20, 2, 35, 1000000, 12000, 3920]
    >>> [numeral_value(r) for r in ("二〇一二", "一九八○", "廿三", "七点五", "一百零五", "兩萬", "百分", "")]
    [2012, 1980, 23, 7.5, 105, 20000, None, None]
    """
    at = next((i for i, ch in enumerate(run) if ch in POINT), None)
    whole, decimals = (run, None) if at is None else (run[:at], run[at + 1:])
    if not whole:
        return None
    if len(whole) > 1 and all(ch in DIGITS for ch in whole):
        value = int("".join(str(DIGITS[ch]) for ch in whole))
    else:
        value = _counted(whole)
        if value is None:
            return None
    if decimals is None:
        return value
    if not decimals or any(ch not in DIGITS for ch in decimals):
        return None
    return value + float("0." + "".join(str(DIGITS[ch]) for ch in decimals))


def _counted(whole: str) -> int | None:
    """A numeral with units (十, 百, 千, 万, 亿) read as counted, or one digit alone."""
    total = section = 0
    digit = None
    for ch in whole:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in TENS:
            section += TENS[ch]
            digit = None
        elif ch in UNITS:
            section += (1 if digit is None else digit) * UNITS[ch]
            digit = None
        elif ch in MYRIADS:
            here = section + (digit or 0)
            if MYRIADS[ch] == 10_000:
                total += (here or 1) * 10_000
            else:  # 亿 multiplies everything before it (三千亿, 一万亿)
                total = (total + here or 1) * 100_000_000
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


_NUMERALS = "〇一二三四五六七八九"


def cn_numeral(n: int) -> str:
    """The Chinese numeral for 0 ≤ n ≤ 99, as section headings write it.

    >>> cn_numeral(3), cn_numeral(10), cn_numeral(12), cn_numeral(20)
    ('三', '十', '十二', '二十')
    """
    n = int(n)
    if not 0 <= n <= 99:
        raise ValueError(f"cn_numeral: {n} is outside 0..99")
    if n < 10:
        return _NUMERALS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _NUMERALS[tens]) + "十" + (_NUMERALS[ones] if ones else "")


# ---------------------------------------------------------------- a full written date

_ARABIC_DATE = r"(?P<y>(?:19|20)\d\d)\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
_ISO_DATE = r"(?P<y2>(?:19|20)\d\d)[-./](?P<m2>\d{1,2})[-./](?P<d2>\d{1,2})(?!\d)"
_CN_DATE = (rf"(?P<y3>[{YEAR_DIGITS}]{{4}})\s*年\s*(?P<m3>[一二三四五六七八九十]{{1,3}})\s*月"
            r"\s*(?P<d3>[一二三四五六七八九十廿]{1,3})\s*日")
DATE_RE = re.compile(f"{_ARABIC_DATE}|{_ISO_DATE}|{_CN_DATE}")
"""A full date as a dateline writes it: 2024年3月5日, 2024-03-05 (or / and .), or in
numerals 二〇二四年三月五日 (廿 for twenty). Search NFKC-normalised text (full-width digits)."""


def written_date(m: re.Match) -> pd.Timestamp | None:
    """The Timestamp of a :data:`DATE_RE` match, or None when it is no real date (2月30日)
    or its year is outside :data:`MIN_YEAR`..:data:`MAX_YEAR`.

    >>> written_date(DATE_RE.search("（二〇二〇年二月廿三日）")), written_date(DATE_RE.search("2019年2月30日"))
    (Timestamp('2020-02-23 00:00:00'), None)
    """
    try:
        if m["y"]:
            year, month, day = int(m["y"]), int(m["m"]), int(m["d"])
        elif m["y2"]:
            year, month, day = int(m["y2"]), int(m["m2"]), int(m["d2"])
        else:
            year, month, day = numeral_value(m["y3"]), numeral_value(m["m3"]), numeral_value(m["d3"])
        if not MIN_YEAR <= year <= MAX_YEAR:
            return None
        return pd.Timestamp(year, month, day)
    except (ValueError, TypeError):
        return None
