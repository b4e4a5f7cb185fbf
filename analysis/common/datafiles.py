"""Reading the researcher-editable files of ``analysis/data/``: one way for all of them."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


def data_lines(path: str | Path) -> Iterator[tuple[int, list[str]]]:
    """``(line number, fields)`` for each data line of a UTF-8 text file: blank lines and lines
    starting with ``#`` are skipped, fields are split on TAB and stripped. Line numbers count
    every line, so that a message can point at the line a researcher must fix.

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as f:
    ...     _ = f.write("# a comment\\n\\n计生协会\\t计生协 \\n")
    >>> list(data_lines(f.name)); os.unlink(f.name)
    [(3, ['计生协会', '计生协'])]
    """
    with open(path, encoding="utf-8", newline="") as handle:
        for lineno, line in enumerate(handle, 1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            yield lineno, [field.strip() for field in line.split("\t")]
