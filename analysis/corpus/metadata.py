"""The metadata table of a corpus: one row per speech, joined on ``speech_id`` (the file stem),
every column kept as a corpus column (quanteda's docvars).

A folder of speeches may hold ``metadata.csv`` (or ``metadata.tsv``) beside the files, or the
table is given to :func:`analysis.load_corpus` as ``metadata=path`` (or as a DataFrame). It
needs a ``speech_id`` column; ``date`` (``2012-03-05``, ``2012年3月5日``, a year and month or a year
alone; see :func:`analysis.dates.parse_date_value` for the accepted forms) and
``year`` are read as the speech's date (the first rule of :mod:`analysis.dates`); every other
column is kept as it is read (pandas' own typing: numbers become numbers, blanks NA). ``title``
and ``published`` replace what the page header said; the page's own title line is still in
:func:`analysis.removals`.

Four columns are the ones researchers group speeches by (``docs/data-model.md``), and any
grouping of the package (``term_trends(by=…)``, ``theme_density(by=…)``,
:func:`analysis.trends.group_column`, the notebooks' ``BY``) takes them:

* ``speaker``: who gave the speech. The table's value wins; without one, the name a
  published head gives under its dateline (``（2020年2月3日）`` ⏎ ``王明``, see
  :mod:`analysis.heads`) fills it, and ``speaker_source`` says which (``metadata``, ``text``).
* ``level``: the level of government the speaker spoke for, one of :data:`LEVELS`
  (``central``, ``provincial``, ``city``, ``county``, ``township``), in English or Chinese
  (中央, 省, 市, 县, 乡镇 …: :data:`LEVEL_NAMES`); it becomes an ordered categorical, so
  groupings run from the centre down. Another value is an error naming the row.
* ``place``: the province, city or county, as written.
* ``meeting``: the occasion (全市计划生育协会理事会议), as written.

Problems are named, never hidden as NaN: a duplicate ``speech_id``, a ``date`` or ``year`` that
does not parse, a column that would overwrite one the loader computes, a row without a file
and a file without a row; a metadata date the text's dateline or the file name contradicts
(:func:`date_conflicts`). See :func:`read_metadata` and :func:`join_metadata`.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

import pandas as pd

from ..common.errors import CorpusError
from ..common.warning import warn_user
from ..common.wording import listed
from ..text.dates import UNKNOWN, SpeechDate, dateline, filename_date, parse_date_value, parse_year_value

METADATA_NAMES = ("metadata.csv", "metadata.tsv")
# Columns a metadata table may set although the loader also fills them.
OVERRIDABLE = ("title", "published")
LEVELS = ("central", "provincial", "city", "county", "township")
"""The levels of government a ``level`` column may name, from the centre down."""
LEVEL_NAMES = {
    "central": "central", "national": "central", "中央": "central", "全国": "central", "全國": "central",
    "国家": "central", "國家": "central",
    "provincial": "provincial", "province": "provincial", "省": "provincial", "省级": "provincial",
    "省級": "provincial", "省部级": "provincial", "省部級": "provincial",
    "city": "city", "municipal": "city", "prefecture": "city", "prefectural": "city", "市": "city",
    "市级": "city", "市級": "city", "地级": "city", "地級": "city", "地市": "city", "地区": "city", "地區": "city",
    "county": "county", "县": "county", "縣": "county", "县级": "county", "縣級": "county", "县区": "county",
    "縣區": "county",
    "township": "township", "乡": "township", "鄉": "township", "镇": "township", "鎮": "township",
    "乡镇": "township", "鄉鎮": "township", "乡级": "township", "鄉級": "township",
}
"""How a ``level`` may be written (case and spaces aside) and the level it names. A city
district (区) is county-level and a directly governed city (直辖市) provincial, but 区 and 市
alone do not say which: write the level meant."""


class MetadataWarning(UserWarning):
    """A metadata table that loads, but with rows or files that do not match."""


def find_metadata(folder: Path) -> Path | None:
    """``metadata.csv`` or ``metadata.tsv`` in ``folder``; None when neither exists.
    Raises :class:`CorpusError` when both do (which one is meant is not for us to guess)."""
    found = [folder / name for name in METADATA_NAMES if (folder / name).is_file()]
    if len(found) > 1:
        raise CorpusError(f"{folder}: both metadata.csv and metadata.tsv; keep one, or pass "
                          "load_corpus(..., metadata=path)")
    return found[0] if found else None


def read_metadata(source: str | Path | pd.DataFrame, reserved: set[str] = frozenset()) -> pd.DataFrame:
    """The metadata table, checked: one row per ``speech_id``, with a ``_line`` column (the
    row's line in the file, for messages).

    ``source`` is a ``.csv``/``.tsv`` file (UTF-8, with or without BOM) or a DataFrame.
    Raises :class:`CorpusError` naming the file, the rows and the column for: a missing
    ``speech_id`` column, an empty or duplicate ``speech_id``, or a column in ``reserved``
    (one the loader computes, e.g. ``text``).
    """
    if isinstance(source, pd.DataFrame):
        name, table = "metadata (DataFrame)", source.copy()
        table.columns = [str(c) for c in table.columns]
        line_offset = 1  # a frame has no header line: call its first row "row 1"
        table["speech_id"] = table["speech_id"].astype("string") if "speech_id" in table else None
    else:
        path = Path(source)
        name = str(path)
        if not path.is_file():
            raise CorpusError(f"{path}: metadata file not found")
        table = _read_file(path)
        line_offset = None  # the file's own lines, kept by _read_file
    if "speech_id" not in table.columns:
        raise CorpusError(f"{name}: no speech_id column (it has {list(table.columns)}); "
                          "speech_id is the speech file's name without .txt")
    table = table.reset_index(drop=True)
    if line_offset is not None:
        table["_line"] = range(line_offset, line_offset + len(table))
    table["speech_id"] = table["speech_id"].str.strip()
    table.attrs["name"] = name
    problems = []
    blank = table["speech_id"].isna() | (table["speech_id"] == "")
    if blank.any():
        problems.append(f"{name}: rows {_lines(table[blank])} have no speech_id")
    dupes = table[table["speech_id"].duplicated(keep=False) & ~blank]
    if not dupes.empty:
        named = "; ".join(f"{sid!r} on rows {_lines(rows)}"
                          for sid, rows in dupes.groupby("speech_id", sort=False, observed=True))
        problems.append(f"{name}: duplicate speech_id: {named}")
    clash = sorted(set(table.columns) & set(reserved))
    if clash:
        problems.append(f"{name}: column(s) {clash} would replace what the loader computes; rename them")
    if problems:
        # and the values that cannot be read, so that one run names every fault of the file
        values = _unreadable_dates(table)[1] + (metadata_levels(table, "warn")[1] if "level" in table else [])
        raise CorpusError("; ".join(problems + values))
    return table


def _read_file(path: Path) -> pd.DataFrame:
    """A ``.csv``/``.tsv`` metadata file as a frame with a ``_line`` column (the line each
    row starts on), every row checked against the header before pandas types the cells.

    Python's :mod:`csv` reads the rows first because pandas, given data rows one field
    longer than the header (the trailing comma a spreadsheet export may write), takes the
    first column as the index and shifts every cell one column left; with
    ``index_col=False`` it drops any extra field with only a ``ParserWarning``. Here a
    trailing run of empty fields (in the rows or the header) is dropped, a row with a value
    past the header's last column is an error naming its line and speech_id, a shorter row
    has its missing cells blank, and a row with no value at all (``,,,``) is skipped.
    """
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    kind = "TSV" if sep == "\t" else "CSV"
    text = _decoded(path, kind)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, skipinitialspace=True, strict=True)
        records, end = [], 0
        for fields in reader:
            if any(f.strip() for f in fields):
                records.append((end + 1, fields))
            end = reader.line_num
    except csv.Error as exc:
        raise CorpusError(f"{path}: cannot be read as a {kind} table (line {end + 1}: {exc})") from None
    if not records:
        raise CorpusError(f"{path}: empty {kind} table (no header line)")
    (_, header), rows = records[0], records[1:]
    header = [name.strip() for name in header]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    at_id = header.index("speech_id") if "speech_id" in header else 0
    for line, fields in rows:
        extra = [f for f in fields[width:] if f.strip()]
        if extra:
            sid = fields[at_id].strip() if at_id < len(fields) else ""
            raise CorpusError(
                f"{path}, row {line} ({sid or 'no speech_id'}): {len(fields)} fields where the header has "
                f"{width} (an extra value {extra[0]!r}); a cell holding the separator must be quoted")
    nameless = [i + 1 for i, name in enumerate(header) if not name]
    if nameless:
        raise CorpusError(f"{path}: column(s) {nameless} have no name in the header line; name or delete them")
    # The checked rows, cut to the header's width, go through pandas so that cells are typed
    # as pandas types them (numbers become numbers, blanks NA); speech_id, date and year are
    # kept as written, so a message quotes the cell itself.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(fields[:width] + [""] * (width - len(fields)) for _, fields in rows)
    buffer.seek(0)
    try:
        table = pd.read_csv(buffer, dtype={"speech_id": "string", "date": "string", "year": "string"},
                            index_col=False, skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise CorpusError(f"{path}: cannot be read as a {kind} table ({exc})") from None
    if list(table.columns) != header:  # pandas renames a repeated name x to x.1
        raise CorpusError(f"{path}: the header line names column(s) "
                          f"{sorted({n for n in header if header.count(n) > 1})} more than once")
    table["_line"] = [line for line, _ in rows]
    return table


def _decoded(path: Path, kind: str) -> str:
    """The metadata file's text: UTF-8 (with or without a BOM), else GB18030/GBK or Big5 as a
    speech file is read (:func:`analysis.corpus.read.decode_bytes`), since a spreadsheet saved
    as CSV on a Chinese Windows writes the system's code page. A file that is none of them is
    an error naming the line of the first byte UTF-8 cannot read, and what to do."""
    from .read import decode_bytes, first_decoding_error

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        where = first_decoding_error(data, "utf-8")
    try:
        return decode_bytes(data, str(path))[0]
    except CorpusError:
        raise CorpusError(f"{path}: cannot be read as a {kind} table: not UTF-8 ({where}), nor GB18030/GBK "
                          "or Big5; save it as UTF-8 (Excel: Save As, CSV UTF-8)") from None


def _lines(rows: pd.DataFrame) -> str:
    return ", ".join(str(n) for n in rows["_line"])


def metadata_dates(table: pd.DataFrame, errors: str = "raise") -> tuple[dict[str, SpeechDate], list[str]]:
    """Rule (a) of :mod:`analysis.dates` for every row: ``{speech_id: SpeechDate}`` (rows
    with neither ``date`` nor ``year`` are left out) and the problems found, one message
    each naming the row, the column and the value.

    A ``date`` that does not parse, or a ``year`` that is not a year, is an error
    (``errors="raise"``: :class:`CorpusError` listing all of them) or, with ``errors="warn"``,
    a message and no date for that row. A ``date`` whose year differs from ``year`` is a
    message: the date wins.
    """
    found, bad, notes = _unreadable_dates(table)
    if bad and errors == "raise":
        raise CorpusError(f"{len(bad)} metadata value(s) cannot be read: " + "; ".join(bad))
    return found, bad + notes


def _unreadable_dates(table: pd.DataFrame) -> tuple[dict[str, SpeechDate], list[str], list[str]]:
    """:func:`metadata_dates`'s dates, its values that cannot be read, and its other notes."""
    name = table.attrs.get("name", "metadata")
    found: dict[str, SpeechDate] = {}
    bad, notes = [], []
    has_date, has_year = "date" in table.columns, "year" in table.columns
    for fields in table.to_dict("records"):
        sid, line = fields["speech_id"], fields["_line"]
        date, year, evidence = pd.NaT, None, None
        if has_date and not _blank(fields["date"]):
            try:
                date, year = parse_date_value(fields["date"])
                evidence = f"{Path(name).name} date={fields['date']}"
            except ValueError as exc:
                bad.append(f"{name}, row {line} ({sid}), column date: {exc}")
        if has_year and not _blank(fields["year"]):
            try:
                stated = parse_year_value(fields["year"])
            except ValueError as exc:
                bad.append(f"{name}, row {line} ({sid}), column year: {exc}")
            else:
                if year is None:
                    year, evidence = stated, f"{Path(name).name} year={stated}"
                elif stated != year:
                    notes.append(f"{name}, row {line} ({sid}): date {fields['date']} and year "
                                 f"{stated} disagree; the date wins")
        if year is not None:
            found[sid] = SpeechDate(date, year, "metadata", evidence)
    return found, bad, notes


def metadata_levels(table: pd.DataFrame, errors: str = "raise") -> tuple[dict[str, str], list[str]]:
    """The ``level`` column read as one of :data:`LEVELS`: ``{speech_id: level}`` (rows with
    a blank cell left out) and the problems, one message each naming the row and the value. A value that
    :data:`LEVEL_NAMES` does not know is an error (``errors="raise"``: :class:`CorpusError`
    listing all of them) or, with ``errors="warn"``, a message and NA for that row.

    >>> table = pd.DataFrame({"speech_id": ["a", "b"], "level": ["Provincial", "县级"], "_line": [2, 3]})
    >>> found, problems = metadata_levels(table)
    >>> found, problems
    ({'a': 'provincial', 'b': 'county'}, [])
    """
    name = table.attrs.get("name", "metadata")
    found, bad = {}, []
    for sid, value, line in zip(table["speech_id"], table["level"], table["_line"]):
        if _blank(value):
            continue
        level = LEVEL_NAMES.get(str(value).strip().lower())
        if level is None:
            bad.append(f"{name}, row {line} ({sid}), column level: {value!r} is not a level; write one of "
                       f"{', '.join(LEVELS)} (or 中央, 省, 市, 县, 乡镇)")
        else:
            found[sid] = level
    if bad and errors == "raise":
        raise CorpusError(f"{len(bad)} metadata value(s) cannot be read: " + "; ".join(bad))
    return found, bad


def _blank(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value)) or str(value).strip() == ""


def _shown(found: SpeechDate) -> str:
    return found.date.strftime("%Y-%m-%d") if not pd.isna(found.date) else str(found.year)


def _disagree(a: SpeechDate, b: SpeechDate) -> bool:
    """A different year, or a different day when both are full dates; a side that is missing
    or only a year (when the years match) disagrees with nothing."""
    if a.year is None or b.year is None:
        return False
    if a.year != b.year:
        return True
    return not pd.isna(a.date) and not pd.isna(b.date) and a.date.normalize() != b.date.normalize()


def date_conflicts(speech_id: str, meta: SpeechDate, head: str, name: str,
                   head_date: SpeechDate | None = None) -> list[str]:
    """A message for each date the text's dateline (in ``head``, see
    :func:`analysis.dates.dateline`) or the file ``name`` gives that disagrees with the
    metadata date ``meta`` (a typo in the table would otherwise go unnoticed); the metadata
    date wins all the same. Nothing when ``meta`` is not a metadata date. ``head_date``: the
    dateline already read from ``head`` (the store keeps it with the speech)."""
    if meta.source != "metadata":
        return []
    messages = []
    head_date = dateline(head) if head_date is None else head_date
    for found, where in ((head_date, "the text's dateline"), (filename_date(name), "the file name")):
        if _disagree(meta, found):
            messages.append(f"{speech_id}: the metadata date {_shown(meta)} ({meta.evidence}) and {where} "
                            f"{_shown(found)} ({found.evidence}) disagree; the metadata date is used")
    return messages


def join_metadata(speech_ids: list[str], table: pd.DataFrame,
                  unread: list[str] | tuple = ()) -> tuple[pd.DataFrame, list[str]]:
    """The metadata columns in the order of ``speech_ids`` (NA for a speech without a row)
    and the mismatches, one message each: files without a row, rows without a file.
    ``unread``: the speeches whose files are there but could not be read (the load names
    each with its reason); their rows are said to be theirs, not to name no file."""
    name = table.attrs.get("name", "metadata")
    messages = []
    have, unread = set(speech_ids), set(unread)
    theirs = table[table["speech_id"].isin(unread - have)]
    if not theirs.empty:
        rows = listed((f"row {line} ({sid})" for sid, line in zip(theirs["speech_id"], theirs["_line"])), LISTED)
        messages.append(f"{name}: {len(theirs)} row(s) are for speech files that could not be read (named "
                        f"with their reasons in the load's message): {rows}")
    orphans = table[~table["speech_id"].isin(have | unread)]
    if not orphans.empty:
        near = _near_ids(speech_ids)
        rows = listed((f"row {line} ({sid}{_did_you_mean(sid, near)})"
                       for sid, line in zip(orphans["speech_id"], orphans["_line"])), LISTED)
        messages.append(f"{name}: {len(orphans)} row(s) name no speech file: {rows}")
        if len(orphans) == len(table) and speech_ids:
            messages.append(f"{name}: no row joins any speech, so no metadata is used; speech_id must be "
                            f"the file name without .txt (such as {speech_ids[0]!r})")
    rows = set(table["speech_id"])
    missing = [sid for sid in speech_ids if sid not in rows]
    if missing:
        messages.append(f"{name}: {len(missing)} speech file(s) have no row: {listed(missing, LISTED)}")
    joined = table.drop(columns="_line").set_index("speech_id").reindex(pd.Index(speech_ids, name="speech_id"))
    return joined.reset_index(drop=True), messages


def _loose(speech_id: str) -> str:
    """What an id typed by hand is compared on: no ``.txt``, no case, NFKC (full-width
    letters, composed accents) and no spaces."""
    folded = unicodedata.normalize("NFKC", speech_id).casefold().strip()
    return re.sub(r"\s+", "", folded.removesuffix(".txt"))


def _near_ids(speech_ids: list[str]) -> dict[str, str]:
    near: dict[str, str] = {}
    for sid in speech_ids:
        near.setdefault(_loose(sid), sid)
    return near


def _did_you_mean(speech_id: str, near: dict[str, str]) -> str:
    found = near.get(_loose(speech_id))
    return f"; the file {found}.txt?" if found is not None else ""


LISTED = 20
"""How many rows or files a metadata message names before "and N more": a table of 20,000
speeches whose half has no row would otherwise print 10,000 names in one line."""


def warn(messages: list[str]) -> None:
    """Each message as one :class:`MetadataWarning`; more than :data:`GROUPED` of them (a
    date disagreement for each of thousands of speeches) as one, with the first few."""
    if len(messages) > GROUPED:
        shown = "\n".join(f"- {m}" for m in messages[:GROUPED])
        warn_user(f"{len(messages)} metadata notes; the first {GROUPED}:\n{shown}\nand {len(messages) - GROUPED} more",
                  MetadataWarning)
        return
    for message in messages:
        warn_user(message, MetadataWarning)


GROUPED = 5


__all__ = ["LEVELS", "LEVEL_NAMES", "METADATA_NAMES", "MetadataWarning", "UNKNOWN", "date_conflicts",
           "find_metadata", "join_metadata", "metadata_dates", "metadata_levels", "read_metadata"]
