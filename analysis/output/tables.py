"""Every table the project writes for people to open (figure CSVs, exports) is written here:
``write_csv`` and ``write_xlsx``, atomically, with cells that a spreadsheet would run as a
formula made inert.

Why: a speech file may be named ``=HYPERLINK("http://…").txt`` or ``-@SUM(1).txt``; its
``speech_id`` lands in a table, and Excel, LibreOffice or Google Sheets opening that table
would run the cell as a formula (CSV or formula injection). As OWASP's "CSV Injection" page
and ASVS 5.0 (requirement 1.2.10) advise, a text cell that begins with ``=``, ``+``, ``-``,
``@``, a tab, a carriage return or a NUL gets a leading apostrophe, which spreadsheets read
as "this is text" (:func:`escape_formulas`). Leading spaces do not hide the sign (some
programs trim them first), so `` =1+1`` is escaped too. Numbers are never touched: ``-3`` in
a numeric column stays a number; the text ``"-3"`` becomes ``'-3``.

In an XLSX file no apostrophe is added: every text cell is stored as a string (never as a
formula: openpyxl would otherwise store ``=…`` as one), and a formula-shaped one also gets
Excel's own "quote prefix" flag, which is what Excel records when a user types ``'=…``. So
the cell shows and reads back exactly as written, and Excel still treats it as text when
it is edited.

The API, for any code that writes a table (figures, ``make export``, a notebook)::

    from analysis.tables import write_csv, write_xlsx
    write_csv(frame, "out/table.csv")                          # UTF-8, LF, no index
    write_xlsx({"keyness": frame, "kwic": hits}, "out/tables.xlsx")  # one sheet per frame

Both return the path written, write to a temporary file beside it and rename it when
complete (:mod:`analysis.atomic`), and write identical bytes for identical frames.
:func:`escape_formulas` gives the escaped frame for writers of other formats and
:func:`unescape_formulas` undoes it on a CSV read back.

>>> escape_formulas(pd.DataFrame({"speech_id": ["=1+1", "a-b", "-x", "'=y"], "n": [-1, 2, 3, 4]}))
  speech_id  n
0     '=1+1 -1
1       a-b  2
2       '-x  3
3      ''=y  4
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..common.atomic import replacing

FORMULA_START = re.compile(r"'*(?:[\t\r\0]|\s*[=+\-@])")
"""A text cell a spreadsheet could run as a formula: one starting (after any spaces) with
``= + - @``, or with a tab, carriage return or NUL. Leading apostrophes are part of the
pattern so that escaping can be undone exactly: ``'=x`` (already starting with an
apostrophe) is escaped to ``''=x``."""

XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_COLUMNS = 16_384
XLSX_MAX_CELL = 32_767
"""Excel's limits (rows and columns of a sheet, characters in a cell); openpyxl would cut a
longer cell without a word, so :func:`write_xlsx` refuses it instead."""
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
# Characters XML 1.0 cannot hold (openpyxl refuses them); written as their Unicode "control
# picture" (U+2400 + code: \x0b becomes ␋), so they stay visible rather than vanish.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# The date every XLSX file says it was created and modified, and its zip entries' time, so
# that a rerun writes the same bytes (zip's earliest date).
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_FIXED_W3CDTF = "1980-01-01T00:00:00Z"


def is_formula_like(value) -> bool:
    """Whether ``value`` is text a spreadsheet could run as a formula (see :data:`FORMULA_START`).

    >>> [is_formula_like(v) for v in ["=SUM(A1)", " @x", "計生-1", "-", -1, None]]
    [True, True, False, True, False, False]
    """
    return isinstance(value, str) and FORMULA_START.match(value) is not None


def escape_cell(value):
    """``value`` with a leading apostrophe if it is formula-like text; anything else as it is."""
    return "'" + value if is_formula_like(value) else value


def unescape_cell(value):
    """Undo :func:`escape_cell`: the one apostrophe it added, and nothing else."""
    if isinstance(value, str) and value.startswith("'") and is_formula_like(value[1:]):
        return value[1:]
    return value


def _text_columns(frame: pd.DataFrame) -> list[int]:
    """Positions of the columns that may hold text (object, string and categorical)."""
    return [i for i, dtype in enumerate(frame.dtypes)
            if pd.api.types.is_object_dtype(dtype) or isinstance(dtype, (pd.StringDtype, pd.CategoricalDtype))]


def _map_text(frame: pd.DataFrame, cell) -> pd.DataFrame:
    """A copy of ``frame`` with ``cell`` applied to every text value and column name.
    Categorical columns become plain object columns (an escaped value is a new category)."""
    out = frame.copy()
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = pd.MultiIndex.from_tuples([tuple(cell(x) for x in c) for c in out.columns],
                                                names=out.columns.names)
    else:
        out.columns = pd.Index([cell(c) for c in out.columns], name=out.columns.name)
    for i in _text_columns(out):
        column = out.iloc[:, i]
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(object)
        out.isetitem(i, column.map(cell, na_action="ignore"))
    return out


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` in which every formula-like text cell and column name has a
    leading apostrophe (OWASP's advice for CSV files); numbers, dates and other text are
    unchanged. The index is left alone (the writers here do not write it)."""
    return _map_text(frame, escape_cell)


def unescape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`escape_formulas`, e.g. on a CSV written by :func:`write_csv` and read back
    with pandas: ``unescape_formulas(pd.read_csv(path))``."""
    return _map_text(frame, unescape_cell)


def _with_index(frame: pd.DataFrame, index: bool) -> pd.DataFrame:
    return frame.reset_index() if index else frame


def write_csv(frame: pd.DataFrame, path: str | Path, *, index: bool = False, float_format: str | None = None,
              bom: bool = False) -> Path:
    """Write ``frame`` as a UTF-8 CSV file at ``path`` (its folder is created) with
    formula-like cells escaped (:func:`escape_formulas`); returns the path.

    LF line ends, ``,`` separators, quoting as pandas does it (RFC 4180). ``index=True``
    writes the index as the first column(s). ``float_format`` (e.g. ``"%.6g"``, as figure
    CSVs use) rounds floats; ``None`` writes them exactly. ``bom=True`` starts the file with
    a UTF-8 byte-order mark, which Excel on Windows needs to read Chinese text in a CSV it
    opens by double-click (without one it assumes the local code page). The file is
    written to a temporary file and renamed when complete, so an interrupted write leaves
    the old file whole (:func:`analysis.atomic.replacing`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    escaped = escape_formulas(_with_index(frame, index))
    with replacing(path) as part:
        escaped.to_csv(part, index=False, lineterminator="\n", float_format=float_format,
                       encoding="utf-8-sig" if bom else "utf-8")
    return path


def _sheet_names(frames: Mapping[str, pd.DataFrame]) -> list[str]:
    names, seen = [], set()
    for name in frames:
        name = str(name)
        if not name or len(name) > 31 or _SHEET_NAME_BAD.search(name) or name.startswith("'") or name.endswith("'"):
            raise ValueError(f"sheet name {name!r}: Excel allows 1 to 31 characters, none of []:*?/\\ "
                             "and no apostrophe at either end")
        if name.casefold() in seen:
            raise ValueError(f"sheet name {name!r} is given twice (Excel ignores case)")
        seen.add(name.casefold())
        names.append(name)
    return names


def _xlsx_value(value):
    """A cell value openpyxl writes as Excel reads it: NA as an empty cell, numpy scalars as
    Python ones, infinities and time-zoned times as text, other objects as their ``str``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if np.isnan(value):
            return None
        return value if np.isfinite(value) else str(value)  # Excel has no inf: 'inf', '-inf'
    if isinstance(value, (bool, int)):
        return value
    if isinstance(value, pd.Timestamp):
        return value.isoformat() if value.tzinfo is not None else value.to_pydatetime()
    if isinstance(value, pd.Timedelta):
        return value.to_pytimedelta()
    if not isinstance(value, str):
        if getattr(value, "tzinfo", None) is not None:
            return value.isoformat()
        if hasattr(value, "isoformat"):  # datetime, date, time
            return value
        value = str(value)
    if len(value) > XLSX_MAX_CELL:
        raise ValueError(f"{len(value):,} characters; an Excel cell holds at most {XLSX_MAX_CELL:,} "
                         "(write this table as CSV, or shorten the column)")
    return _XML_ILLEGAL.sub(lambda m: chr(0x2400 + ord(m.group())), value)


def _rows(frame: pd.DataFrame):
    """The header, then each row, as lists of Python values."""
    header = [" / ".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in frame.columns]
    yield header
    yield from frame.itertuples(index=False, name=None)


def _sheet_rows(name: str, frame: pd.DataFrame) -> list[list]:
    """The header and rows of one sheet as Python values openpyxl writes as Excel reads them;
    ``ValueError`` naming the sheet, row and column for what Excel cannot hold."""
    if len(frame) + 1 > XLSX_MAX_ROWS or frame.shape[1] > XLSX_MAX_COLUMNS:
        raise ValueError(f"sheet {name!r}: {len(frame):,} rows × {frame.shape[1]:,} columns; an Excel sheet "
                         f"holds {XLSX_MAX_ROWS - 1:,} rows under its header and {XLSX_MAX_COLUMNS:,} columns "
                         "(write this table as CSV)")
    rows = []
    for number, row in enumerate(_rows(frame)):
        try:
            rows.append([_xlsx_value(value) for value in row])
        except ValueError as exc:
            at = next(i for i, value in enumerate(row) if _fails(value))
            where = f"row {number}, column {frame.columns[at]!r}" if number else f"column {at + 1}'s name"
            raise ValueError(f"sheet {name!r}, {where}: {exc}") from None
    return rows


def _fails(value) -> bool:
    try:
        _xlsx_value(value)
    except ValueError:
        return True
    return False


def _text_cell(sheet, value: str):
    """``value`` as openpyxl should write it: plain, or (when openpyxl would store it as a
    formula '=…' or an error code '#N/A', or when it is formula-like) a cell forced to text,
    flagged as quoted when formula-like."""
    if not (value.startswith(("=", "#")) or is_formula_like(value)):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = is_formula_like(value)
    return cell


def write_xlsx(frames: pd.DataFrame | Mapping[str, pd.DataFrame], path: str | Path, *, index: bool = False) -> Path:
    """Write one frame, or several as ``{sheet name: frame}`` (in that order), as an Excel
    workbook at ``path`` (its folder is created); returns the path.

    Each sheet has the column names as its first row, then one row per frame row
    (``index=True`` adds the index as the first column(s)). Text is stored as text, never
    as a formula, and a formula-like text cell (:func:`is_formula_like`) is flagged as
    quoted, as Excel flags one typed with a leading apostrophe: it shows and reads back
    unchanged (``pd.read_excel`` gives the original value) and never runs. NA becomes an
    empty cell; control characters XML cannot hold become their visible control pictures
    (``\\x0b`` → ``␋``). Raises ``ValueError`` for a sheet name Excel refuses, and for a
    table or cell beyond Excel's limits (rather than cut it, as openpyxl would). The same
    frames give the same bytes (fixed creation date and zip times). Written atomically
    (:func:`analysis.atomic.replacing`).
    """
    from openpyxl import Workbook

    if isinstance(frames, pd.DataFrame):
        frames = {"Sheet1": frames}
    names = _sheet_names(frames)
    path = Path(path)
    # Every value is converted and checked before the workbook is started: a write-only
    # workbook left half-written cannot be closed cleanly.
    sheets = [(name, _sheet_rows(name, _with_index(frame, index))) for name, frame in zip(names, frames.values())]
    workbook = Workbook(write_only=True)
    for name, rows in sheets:
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append([_text_cell(sheet, value) if isinstance(value, str) else value for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as part:
        part.write_bytes(_reproducible_zip(buffer.getvalue()))
    return path


def _reproducible_zip(data: bytes) -> bytes:
    """The XLSX (a zip) ``data`` with a fixed time on every entry and a fixed creation and
    modification date in ``docProps/core.xml``: openpyxl writes the current time in both."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                                 rb"\g<1>" + _FIXED_W3CDTF.encode() + rb"\g<2>", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, content)
    return out.getvalue()


__all__ = ["FORMULA_START", "XLSX_MAX_CELL", "XLSX_MAX_COLUMNS", "XLSX_MAX_ROWS", "escape_cell", "escape_formulas",
           "is_formula_like", "unescape_cell", "unescape_formulas", "write_csv", "write_xlsx"]
