"""One speech file read: its bytes decoded in any of the encodings Chinese sites use (with the
file and the reason when they cannot be), the files of a folder that are speeches, the
cleaned columns of its corpus row, and the facts its text gives of its date and speaker.
These are the per-file steps the pipeline runs in its workers (:mod:`analysis.corpus.pipeline`)."""
from __future__ import annotations

import codecs
import errno
import functools
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from charset_normalizer import from_bytes

from ..common.errors import CorpusError
from ..config import SEEDS_DIR
from ..text.chars import HAN, HAN_RE, count_han
from ..text.cleaning import KINDS, clean_text
from ..text.dates import UNKNOWN, dateline, speech_date, with_header
from ..text.heads import byline_speaker, header_lines
from ..text.script import to_simplified

SPEECH_SUFFIX = ".txt"
# Files a speech folder may hold besides speeches (README.txt included), left alone without a word.
_IGNORED_NAMES = re.compile(r"^(?:README|LICENSE|NOTES)(?:\.\w+)?$|^metadata\.(?:csv|tsv)$|^\.", re.IGNORECASE)
# (byte-order mark, the encoding reported, the codec that decodes what follows the mark)
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
]
# What charset-normalizer may choose from: the encodings Chinese pages come in. Leaving out
# the single-byte code pages stops it from "decoding" GBK as Latin-1 mojibake.
_CANDIDATES = ["utf_8", "gb18030", "big5", "cp950", "big5hkscs", "utf_16", "utf_32"]
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Decode a speech file's bytes; returns ``(text, encoding)``.

    UTF-8/16/32 with a BOM, UTF-16/32 without one (told by where its NUL bytes fall and by
    what it decodes to), UTF-8 without a BOM, GB18030/GBK and Big5 are recognised.
    Raises :class:`CorpusError` naming ``name`` for an empty, binary or undecodable file; a
    decoding error gives the byte offset and the line where decoding stopped.
    """
    if not data.strip():
        raise CorpusError(f"{name}: empty file")
    for bom, encoding, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _check(data[len(bom):].decode(codec).lstrip("\ufeff"), name), encoding
            except UnicodeDecodeError as exc:
                raise CorpusError(f"{name}: starts with a {codec.upper()} byte-order mark but is not "
                                  f"{codec.upper()}: {_where(data, exc, codec, len(bom))}") from None
    if b"\x00" in data:
        return _without_bom(data, name)
    try:
        return _check(data.decode("utf-8"), name), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=_CANDIDATES).best() or _leniently(data)
    found = _plausible(data, None if best is None else (best.encoding, str(best)))
    if found is None:
        failures = "; ".join(f"as {label}, {first_decoding_error(data, codec)}" for label, codec in _LEGACY)
        raise CorpusError(f"{name}: cannot be decoded as UTF-8, GB18030/GBK or Big5 ({failures})")
    encoding, text = found
    if encoding == "big5":
        # cp950 is Big5 as Windows and the web write it; it decodes a superset.
        try:
            return _check(data.decode("cp950"), name), "cp950"
        except UnicodeDecodeError:
            pass
    return _check(text, name), encoding


# The encodings an undecodable file's message reports on, and the codec each is tried with.
_LEGACY = [("UTF-8", "utf-8"), ("GB18030", "gb18030"), ("Big5", "cp950")]
# charset-normalizer's "mess" threshold for a second look (its default is 0.2).
_LENIENT_CHAOS = 0.3


def _leniently(data: bytes):
    """charset-normalizer's best match under a higher mess threshold, taken only when it
    also finds the text coherent in a language (Chinese), or None.

    Why. At its default threshold it finds no match at all for some plain GB18030 pages, and
    the file was reported undecodable: 6 of the 9 test pages of ``tests/fixtures/pages`` once
    a zero-width space (U+200B, common in scraped pages) follows each full stop, and 2 of the
    72 shared reports saved in GB18030 (one of them also in Big5). Their bytes decode
    strictly, and the mess it then measures for the whole text is under the default (0.12
    for one report): a part of them went over it. The coherence check keeps out what only
    looks like text: random pairs of bytes in GB2312's Han range decode as random
    characters, mess about 0.17, coherence 0."""
    found = from_bytes(data, cp_isolation=_CANDIDATES, threshold=_LENIENT_CHAOS).best()
    if found is not None and found.coherence > 0:
        return found
    return _without_indents(data)


# The legacy codecs a short text is judged in (:func:`_plausible`), with the encoding reported.
_STRICT = [("gb18030", "gb18030"), ("cp950", "cp950")]
# Characters of Chinese text besides the common Han ones: CJK punctuation, the circle written
# for a zero (一九八○), and full-width digits, letters and signs (U+FF01-U+FF5E).
_CHINESE_MARKS = frozenset("，。、；：？！“”‘’（）《》〈〉【】〔〕「」『』—…·　○〇"
                           + "".join(chr(c) for c in range(0xFF01, 0xFF5F)))
# A decoding is plausible Chinese when this share of its characters (beyond ASCII) are
# common: over 98% for 40 characters of the shared reports in GB18030 or Big5, under 0.75
# for bytes in either read as the other, and 0.5-0.7 for random pairs of GB2312 bytes.
_PLAUSIBLE = 0.9
# ...and when the next decoding's share is lower by at least this much.
_PLAUSIBLE_MARGIN = 0.25
# How much of a text is judged (a longer one is for charset-normalizer to tell).
_PLAUSIBLE_SAMPLE = 4_000


def _common_share(text: str) -> float | None:
    """The share of ``text``'s characters beyond ASCII that Chinese text is made of: Han
    characters among the 3,755 of GB2312's first level (the common ones, in their Simplified
    form: Traditional text is converted first), CJK punctuation and full-width forms. None
    when it has no such character.

    Why not charset-normalizer alone: it judges a text by the coherence of its characters'
    frequencies, which a few characters do not give it. GBK's 双降 came back as 邧蔥 in Big5,
    and a GBK line of quoted slogans was reported undecodable. Bytes in one of these
    encodings read as the other give rare characters, kana, box-drawing marks and private-use
    code points, which fall outside the common set."""
    sample = to_simplified(text[:_PLAUSIBLE_SAMPLE])
    seen = common = 0
    for ch in sample:
        if ch.isascii() or ch.isspace():
            continue
        seen += 1
        common += ch in _CHINESE_MARKS or ch in _common_han()
    return common / seen if seen else None


@functools.cache
def _common_han() -> frozenset[str]:
    """The 3,755 Han characters of GB2312's first level (rows 16-55: bytes B0A1-D7F9), the
    common characters of Chinese by frequency of use."""
    pairs = bytes(b for hi in range(0xB0, 0xD8) for lo in range(0xA1, 0xFF) for b in (hi, lo))
    return frozenset(pairs.decode("gb2312", errors="ignore")) - {"\ufffd"}


def _plausible(data: bytes, best: tuple[str, str] | None) -> tuple[str, str] | None:
    """charset-normalizer's match ``best`` (its encoding and text, or None), unless its text is
    implausible as Chinese and one strict decoding of ``data`` is plausible by a clear margin
    over the others (:func:`_common_share`): then that one. A match whose text is plausible is
    kept, so a long text is read as charset-normalizer reads it."""
    if best is not None and (_common_share(best[1]) or 0.0) >= _PLAUSIBLE:
        return best
    scored = []
    for encoding, codec in _STRICT:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        share = _common_share(text)
        if share is not None:
            scored.append((share, encoding, text))
    scored.sort(reverse=True)
    if scored and scored[0][0] >= _PLAUSIBLE and (len(scored) == 1 or
                                                  scored[0][0] - scored[1][0] >= _PLAUSIBLE_MARGIN):
        return scored[0][1], scored[0][2]
    return best


# A full-width space (U+3000) in GB2312/GBK/GB18030, and in Big5/cp950.
_WIDE_SPACES = (b"\xa1\xa1", b"\xa1\x40")


@dataclass(frozen=True)
class _Decoded:
    """A decoding found by :func:`_without_indents` (what ``decode_bytes`` reads of a match)."""

    encoding: str
    text: str

    def __str__(self) -> str:
        return self.text


def _without_indents(data: bytes) -> _Decoded | None:
    """The text of ``data`` when charset-normalizer, shown the same bytes with each legacy
    full-width space made a plain one, finds a coherent Chinese match, and the original
    bytes decode strictly in that encoding; else None.

    Why. A short page indented with full-width spaces (　　, two to a paragraph) and dense
    with quoted slogans (“讲学习，讲政治，讲正气”，“为人民、靠人民、爱人民”) reads to
    charset-normalizer as mess at any threshold under 0.5, and a 359-byte GBK speech was
    reported undecodable (a new user's trial). The probe only picks the encoding: the text is
    the original bytes decoded strictly."""
    for wide in _WIDE_SPACES:
        if wide not in data:
            continue
        found = from_bytes(data.replace(wide, b"  "), cp_isolation=_CANDIDATES).best()
        if found is None or found.coherence <= 0:
            continue
        codec = "cp950" if found.encoding == "big5" else found.encoding
        try:
            return _Decoded(found.encoding, data.decode(codec))
        except UnicodeDecodeError:
            continue
    return None


def _line_of(text: str, position: int) -> int:
    """The line (1-based; LF, CRLF or CR ends one) holding character ``position`` of ``text``."""
    before = text[:position]
    return before.count("\n") + before.count("\r") - before.count("\r\n") + 1


def _line_at(data: bytes, offset: int, encoding: str) -> int:
    """The line holding byte ``offset`` of ``data`` in ``encoding``."""
    before = data[:offset].decode(encoding, errors="replace")
    return _line_of(before, len(before))


def _where(data: bytes, exc: UnicodeDecodeError, encoding: str, skipped: int = 0) -> str:
    """Where and why decoding ``data[skipped:]`` as ``encoding`` stopped: the reason, the
    bytes, their offset in the file and their line."""
    start, end = exc.start + skipped, exc.end + skipped
    line = _line_at(data[skipped:], exc.start, encoding)
    return f"{exc.reason} (bytes {data[start:end].hex(' ')}) at byte offset {start}, line {line}"


def first_decoding_error(data: bytes, encoding: str) -> str:
    """Where and why decoding ``data`` as ``encoding`` first fails (the reason, the bytes,
    their offset and line), or "no error"."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return _where(data, exc, encoding)
    return "no error"  # decodes, but charset-normalizer judged the result not to be text


# UTF-16 and UTF-32 without a byte-order mark: a Chinese text in them has NUL bytes (from its
# ASCII characters, line ends included), so it would otherwise be taken for a binary file.
# Each byte order is decoded and the one whose characters are text is taken; the other
# order turns 我 (U+6211) into U+1162 and a line end into U+0A00, neither of which is.
_BOMLESS = ["utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"]
_NOT_TEXT = re.compile(
    "[^\t\n\r\x20-\x7e\u00a0-\u024f\u0370-\u04ff\u2000-\u2bff\u3000-\u33ff"
    f"{HAN}\ufe30-\ufe4f\uff00-\uffef]"
)
# The share of a sample's characters that must be text for a byte order to be taken.
_TEXT_SHARE = 0.95


def _without_bom(data: bytes, name: str) -> tuple[str, str]:
    """``data`` (with NUL bytes, without a BOM) decoded as UTF-16 or UTF-32 when one byte
    order gives text; otherwise a :class:`CorpusError` calling it binary, which says
    "possibly UTF-16 without a BOM" when the NUL bytes fall where such a file has them.
    Each byte order is judged on the start of the file; only the one taken decodes it all."""
    scores = []
    for encoding in _BOMLESS:
        if len(data) % (4 if "32" in encoding else 2):
            continue
        try:  # incremental: a character cut at the sample's end is no error
            sample = codecs.getincrementaldecoder(encoding)().decode(data[:4 * _CONTROL_SAMPLE])
        except UnicodeDecodeError:
            continue
        if sample:
            scores.append((1 - len(_NOT_TEXT.findall(sample)) / len(sample), encoding))
    share, encoding = max(scores, default=(0.0, ""))
    if share >= _TEXT_SHARE:
        try:
            return _check(data.decode(encoding), name), encoding
        except UnicodeDecodeError as exc:
            raise CorpusError(f"{name}: reads as {encoding.upper()} without a byte-order mark, but "
                              f"{_where(data, exc, encoding)}") from None
        except CorpusError as exc:
            raise CorpusError(f"{exc} (read as {encoding.upper()} without a byte-order mark)") from None
    odd, even = data[1::2].count(0), data[0::2].count(0)
    if odd + even >= _UTF16_MIN_NULS and max(odd, even) >= 9 * min(odd, even):
        order = "LE" if odd > even else "BE"
        length = " and an odd number of bytes" if len(data) % 2 else ""
        raise CorpusError(f"{name}: binary file, or possibly UTF-16-{order} without a byte-order mark "
                          f"(its NUL bytes fall where that has them{length}, but it does not decode "
                          "to text); if it is UTF-16, save it with a BOM or as UTF-8")
    raise CorpusError(f"{name}: binary file (NUL bytes, no byte-order mark, and not UTF-16 or UTF-32 text)")


# Fewer NUL bytes than this say nothing about where they fall (a stray NUL in a UTF-8 file).
_UTF16_MIN_NULS = 8


# Binary content shows in its first characters; scanning a whole 10 MB file for it would not
# find more (and a NUL anywhere in the bytes is caught before decoding).
_CONTROL_SAMPLE = 100_000


def _check(text: str, name: str) -> str:
    sample = text[:_CONTROL_SAMPLE]
    found = _CONTROL.findall(sample)
    if len(found) > max(2, len(sample) // 100):
        line = _line_of(sample, _CONTROL.search(sample).start())
        raise CorpusError(f"{name}: binary file ({len(found)} control characters in the first "
                          f"{len(sample)} decoded characters, the first, {found[0]!r}, on line {line})")
    if not HAN_RE.search(text):
        raise CorpusError(f"{name}: no Chinese text after decoding")
    return text


def read_speech(path: str | Path) -> tuple[str, str]:
    """Read and decode one speech file; returns ``(raw_text, encoding)``. Raises
    :class:`CorpusError` naming the file for one that cannot be read: a broken symbolic link,
    a link loop, a folder, a FIFO or device (never opened: reading one could wait forever),
    a permission denied, or bytes that do not decode (:func:`decode_bytes`)."""
    path = Path(path)
    try:
        mode = path.stat().st_mode  # follows links
    except OSError as exc:
        raise CorpusError(f"{path}: {_unreachable(path, exc)}") from None
    if stat.S_ISDIR(mode):
        raise CorpusError(f"{path}: a folder, not a speech file")
    if not stat.S_ISREG(mode):
        raise CorpusError(f"{path}: not a regular file ({_KINDS.get(stat.S_IFMT(mode), 'special file')})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return decode_bytes(data, str(path))


_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device"}


def _unreachable(path: Path, exc: OSError) -> str:
    """Why ``path`` cannot even be looked at (``exc`` from ``stat``), in words."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop (following its links never reaches a file)"
    if exc.errno == errno.ENOENT and path.is_symlink():
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return f"broken symbolic link (its target {target!r} does not exist)"
    return f"cannot be read ({exc.strerror or exc})"


# A file given as the corpus that is a table (a metadata.csv passed instead of its folder):
# refused, since it decodes as text and would load as a speech of its cells.
_TABLE_SUFFIXES = frozenset({".csv", ".tsv", ".xlsx", ".xls", ".ods", ".parquet", ".json"})


def speech_files(path: str | Path | None = None) -> tuple[list[Path], list[Path]]:
    """The speech files of a folder (``*.txt``, sorted by name) and what else in it is not
    loaded: the files that are not speeches (wrong extension), then the subfolders that hold
    ``*.txt`` files, each sorted. A file path is its own list.

    Every entry named ``*.txt`` is listed, whatever it is: a broken link, a link loop or a
    folder named ``x.txt`` then fails in :func:`read_speech` with its reason, so the load
    names it instead of passing over it. Subfolders are not looked into (a corpus is one
    folder); those holding ``*.txt`` files are returned so that the load names them.
    Raises :class:`CorpusError` when two files would become one speech (``x.txt`` and
    ``x.TXT``: the same ``speech_id``), naming both.
    """
    path = Path(path) if path is not None else SEEDS_DIR
    if path.is_file():
        if path.suffix.lower() in _TABLE_SUFFIXES:
            raise CorpusError(f"{path}: a table, not a speech file; load_corpus takes a folder of .txt speeches "
                              f"(with its metadata.csv beside them: {path.parent}) or one .txt file")
        return [path], []
    if not path.is_dir():
        try:
            path.stat()
        except OSError as exc:
            reason = "no such file or folder" if exc.errno == errno.ENOENT and not path.is_symlink() \
                else _unreachable(path, exc)
            raise CorpusError(f"{path}: {reason}") from None
        raise CorpusError(f"{path}: not a file or folder")
    # One directory scan, names sorted as strings: thousands of files, no Path comparisons.
    with os.scandir(path) as entries:
        listed = sorted((e.name, _is_folder(e)) for e in entries if not _IGNORED_NAMES.match(e.name))
    files = [path / name for name, _ in listed if name.lower().endswith(SPEECH_SUFFIX)]
    others = [path / name for name, folder in listed
              if not folder and not name.lower().endswith(SPEECH_SUFFIX)]
    folders = [path / name for name, folder in listed
               if folder and not name.lower().endswith(SPEECH_SUFFIX) and _holds_speeches(path / name)]
    _refuse_twins(files)
    return files, others + folders


def _holds_speeches(folder: Path) -> bool:
    """Whether a subfolder holds a ``*.txt`` file of its own (one scan, stopped at the first)."""
    try:
        with os.scandir(folder) as entries:
            return any(e.name.lower().endswith(SPEECH_SUFFIX) for e in entries)
    except OSError:
        return False


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a link loop: not a folder, and read_speech names it
        return False


def _refuse_twins(files: list[Path]) -> None:
    """Two files with one stem (``x.txt`` and ``x.TXT``) would be one speech, their tokens
    merged: an error naming both, since which one is meant is not for us to guess."""
    by_stem: dict[str, list[Path]] = {}
    for file in files:
        by_stem.setdefault(file.stem, []).append(file)
    twins = [group for group in by_stem.values() if len(group) > 1]
    if twins:
        listed = "; ".join(" and ".join(str(f) for f in group) + f" would both be speech {group[0].stem!r}"
                           for group in twins)
        raise CorpusError(f"{len(twins)} speech id(s) given by more than one file: {listed}; "
                          "rename or remove one of each")


def speech_record(raw: str, workers: int = 1) -> dict:
    """Clean one decoded speech; returns the cleaned columns of its corpus row as a dict.
    ``workers`` > 1 cleans a text too long to be one page on that many processes."""
    cleaned = clean_text(raw, workers=workers)
    counts = cleaned.counts()
    record = {
        "title": cleaned.title,
        "published": cleaned.published,
        "prev_title": cleaned.prev_title,
        "next_title": cleaned.next_title,
        "text": cleaned.text,
        "text_simplified": to_simplified(cleaned.text),
        "n_chars": count_han(cleaned.text),
    }
    record.update({f"removed_{kind}": counts[kind] for kind in KINDS})
    # The changes as compact JSON: deletions [kind, start, end] (their text is raw[start:end])
    # and substitutions [kind, start, end, new]; removals(corpus) expands them into a table.
    record["removed_spans"] = json.dumps([[r.kind, r.start, r.end] for r in cleaned.removed])
    record["substituted_spans"] = json.dumps(
        [[s.kind, s.position, s.end, s.new] for s in cleaned.substitutions], ensure_ascii=False)
    return record


# What each speech's text says of its date and speaker, read once as it is processed and
# kept in the store with it: the date the text gives (dateline, session, file name, its own
# year: analysis.dates), the dateline alone (to check a metadata date against), and the byline.
FACT_COLUMNS = ["text_date", "text_year", "text_date_source", "text_date_evidence",
                "dateline_date", "dateline_year", "dateline_evidence", "byline_speaker"]


def text_facts(speech_id: str, text: str, simplified: str, raw: str, spans: str):
    """``(date the text gives, its dateline, its byline speaker)`` of one speech."""
    header = header_lines(raw, spans)
    head = dateline(with_header(text, header))  # read once: the first rule of speech_date too
    return (speech_date(text, speech_id, UNKNOWN, simplified, header, head_date=head), head,
            byline_speaker(raw, spans))


def fact_record(facts) -> dict:
    """:func:`text_facts` as the store's columns (:data:`FACT_COLUMNS`)."""
    found, head, speaker = facts

    def stamp(value):
        return None if pd.isna(value) else pd.Timestamp(value).to_pydatetime()

    return {"text_date": stamp(found.date), "text_year": found.year, "text_date_source": found.source,
            "text_date_evidence": found.evidence, "dateline_date": stamp(head.date), "dateline_year": head.year,
            "dateline_evidence": head.evidence, "byline_speaker": speaker}
