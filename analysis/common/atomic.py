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
    part = temporary_name(path)
    os.close(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
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


def current_umask() -> int:
    """This process's umask, read without changing it (``/proc/self/status`` on Linux; else
    set and put back at once, as Python before 3.13 offers no other way)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def plain_permissions(path: str | Path, *, folder: bool = False) -> None:
    """Give a file made by ``tempfile.mkstemp`` (0600) or a folder made by ``mkdtemp`` (0700)
    the mode a plain ``open`` or ``mkdir`` would have given it (0666 or 0777 less the
    umask): a store shared by the workers of a cluster, or by a research group, must be
    readable by them as the umask allows."""
    os.chmod(path, (0o777 if folder else 0o666) & ~current_umask())


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`replacing`); returns the path."""
    path = Path(path)
    with replacing(path) as part:
        part.write_bytes(data)
    return path


__all__ = ["TEMP_SUFFIX", "current_umask", "plain_permissions", "replacing", "temporary_name", "write_bytes"]
