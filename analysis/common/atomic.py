"""Files written whole or not at all: every figure, CSV and XLSX the project writes goes to a
temporary file in its own folder first and is renamed over the old one only once complete.

``os.replace`` within one folder is atomic (POSIX ``rename``; ``MoveFileEx`` on Windows), so a
reader, a rerun or ``git status`` sees either the old file or the new one, never a truncated
file that looks current, whatever interrupts the write (an exception, Ctrl-C, ``kill -9``,
a full disk). The token cache does the same (:mod:`analysis.cache`).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with replacing(folder / "table.csv") as part:
    ...     _ = part.write_text("a,b\\n1,2\\n", encoding="utf-8")
    >>> sorted(p.name for p in folder.iterdir())
    ['table.csv']
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_SUFFIX = ".tmp"
"""How a file being written ends: ``.<name>.<pid>-<random>.tmp`` beside its final name (a
dotfile, so a listing of the folder or a glob on ``*.png`` does not show it)."""


def temporary_name(path: Path) -> Path:
    """A fresh name in ``path``'s folder for writing ``path``: unique per process and call,
    hidden, ending in :data:`TEMP_SUFFIX`."""
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}{TEMP_SUFFIX}")


def _created(path: Path) -> Path:
    """A new, empty temporary file beside ``path`` (:func:`temporary_name`), with the mode a
    plain ``open(path, "w")`` would give (0666 less the umask), not ``mkstemp``'s 0600."""
    part = temporary_name(path)
    os.close(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    return part


@contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write to; when the block ends without an
    exception, the temporary file is flushed to disk and renamed to ``path`` (replacing any
    old file); when anything is raised (``KeyboardInterrupt`` included), it is deleted and
    ``path`` is left as it was.

    The temporary file is created empty with the permissions a plain ``open(path, "w")``
    would give (0666 less the umask), not ``mkstemp``'s 0600, so a figure keeps the mode
    a figure written in place had. A writer may truncate and rewrite it (matplotlib's
    ``savefig``, pandas' ``to_csv`` do).
    """
    path = Path(path)
    part = _created(path)
    try:
        yield part
        fd = os.open(part, os.O_RDONLY)
        try:
            os.fsync(fd)  # the bytes are on disk before the name points at them
        finally:
            os.close(fd)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def atomic_write(path: str | Path, write, before_rename=None):
    """Write ``path`` through ``write(handle)`` into a temporary file beside it (made as
    :func:`replacing` makes it: the mode a plain write gives), then rename it into place, so
    that no reader ever sees a partial file. Not flushed to disk first, unlike
    :func:`replacing`: for the caches (the corpus store, the memo), where a lost file is
    computed again. ``before_rename(result)`` runs on what ``write`` returned, between the
    two. Returns what ``write`` returned."""
    path = Path(path)
    part = _created(path)
    try:
        with open(part, "wb") as handle:
            result = write(handle)
        if before_rename is not None:
            before_rename(result)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return result


def temporary_folder(parent: str | Path, prefix: str) -> Path:
    """A new, empty, hidden folder in ``parent`` named from ``prefix`` (unique per process
    and call), with the mode a plain ``mkdir`` gives (0777 less the umask), not
    ``tempfile.mkdtemp``'s 0700: a store shared by a group or by a cluster's workers running
    as other users must be readable by them as the umask allows."""
    folder = Path(parent) / f".{prefix}-{os.getpid()}-{secrets.token_hex(4)}"
    folder.mkdir()
    return folder


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`replacing`); returns the path."""
    path = Path(path)
    with replacing(path) as part:
        part.write_bytes(data)
    return path


__all__ = ["TEMP_SUFFIX", "atomic_write", "replacing", "temporary_folder", "temporary_name", "write_bytes"]
