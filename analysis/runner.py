"""Run every notebook headless, in one Python process: ``python -m analysis.runner``.

Each ``notebooks/NN-*.ipynb`` runs in sorted order in a fresh ``python3`` kernel (the
project's own interpreter), with the notebook's folder as working directory. Executed copies
go to ``build/notebooks/``; the notebooks themselves are never written.

Parameters, papermill-style: the first code cell tagged ``parameters`` holds UPPER_CASE
settings; ``--param NAME=VALUE`` (``VALUE`` a Python literal, else a string) adds a cell
tagged ``injected-parameters`` right after it that assigns the new values::

    python -m analysis.runner --param FIGURES_DIR=/tmp/figs 01 02

A run fails (exit status 1) on the first cell that raises, naming the notebook, the cell and
the error, and also when a cell's output shows matplotlib drawing boxes: a "Glyph … missing
from font(s)" warning or a "findfont: Font family … not found" message.
"""
from __future__ import annotations

import argparse
import ast
import os
import re
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbformat import NotebookNode

from . import config

KERNEL_NAME = "python3"
NOTEBOOK_NAME = re.compile(r"\d\d-[a-z0-9]+(?:-[a-z0-9]+)*\.ipynb")
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
DEFAULT_TIMEOUT = 600  # seconds per cell
# Text matplotlib writes when it is about to draw boxes (see analysis.figures).
_FONT_TROUBLE = re.compile(
    r"Glyph \d+ \(.*?\) missing from font\(s\)|findfont: (?:Font|Generic) family .*? not found"
)


# The kernel's own log (not the cells' output) at ERROR: ipykernel 7 warns on every start that
# its localhost TCP sockets are unencrypted. Asking for CurveZMQ keys instead
# (KernelManager.transport_encryption) silences it too, but then one kernel in four took
# 2.5 s more to shut down.
_KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]


class NotebookError(RuntimeError):
    """A notebook failed: ``notebook`` (file name), ``cell_index`` (position in the notebook
    file, 0-based; None for the injected cell or a failure outside any cell), ``first_line``
    (of the cell's source) and ``ename``/``evalue`` (the error)."""

    def __init__(self, notebook: str, cell_index: int | None, first_line: str, ename: str,
                 evalue: str, detail: str = "") -> None:
        self.notebook, self.cell_index, self.first_line = notebook, cell_index, first_line
        self.ename, self.evalue, self.detail = ename, evalue, detail
        where = "injected parameters cell" if cell_index is None else f"cell {cell_index}"
        message = f"{notebook}, {where} ({first_line!r}): {ename}: {evalue}"
        super().__init__(message + (f"\n{detail}" if detail else ""))


@dataclass
class NotebookRun:
    """One executed notebook: its source ``path``, the executed copy ``output``, the
    executed ``notebook`` and the wall time in ``seconds`` (kernel start included)."""

    path: Path
    output: Path
    notebook: NotebookNode
    seconds: float


def notebook_paths(folder: str | Path | None = None) -> list[Path]:
    """The notebooks a run executes: ``NN-*.ipynb`` in ``folder`` (default notebooks/), sorted."""
    folder = Path(folder) if folder is not None else config.NOTEBOOKS_DIR
    return sorted(p for p in folder.glob("[0-9][0-9]-*.ipynb") if p.is_file())


def stripped(nb_path: str | Path) -> bool:
    """True when the notebook at ``nb_path`` has no outputs and no execution counts (what we
    commit: reviewable diffs, no stale results)."""
    nb = nbformat.read(str(nb_path), as_version=4)
    return all(
        not cell.get("outputs") and cell.get("execution_count") is None
        for cell in nb.cells if cell.cell_type == "code"
    )


def parameters_cell(nb: NotebookNode) -> int | None:
    """Index of the first code cell tagged ``parameters``, or None."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and PARAMETERS_TAG in cell.metadata.get("tags", []):
            return i
    return None


def parse_value(text: str):
    """A ``--param`` value: a Python literal if it is one (``3``, ``None``, ``'a'``,
    ``[1, 2]``), else the text itself (so ``/tmp/figs`` needs no quotes).

    >>> parse_value("3"), parse_value("None"), parse_value("/tmp/figs")
    (3, None, '/tmp/figs')
    """
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def parse_param(item: str) -> tuple[str, object]:
    """``"NAME=VALUE"`` → ``(NAME, parse_value(VALUE))``."""
    name, sep, value = item.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise ValueError(f"--param {item!r}: expected NAME=VALUE")
    return name, parse_value(value)


def _literal(name: str, value) -> str:
    if isinstance(value, Path):
        value = str(value)
    text = repr(value)
    try:
        same = ast.literal_eval(text) == value
    except (ValueError, SyntaxError):
        same = False
    if not same:
        raise TypeError(f"parameter {name}={value!r}: only Python literals can be injected")
    return text


def _assigned_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(re.findall(r"^([A-Za-z_]\w*)\s*(?::[^=]*)?=", source, flags=re.MULTILINE))
    names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        for target in targets:
            for sub in ast.walk(target) if target is not None else []:
                if isinstance(sub, ast.Name):
                    names.add(sub.id)
    return names


def inject_parameters(
    nb: NotebookNode, parameters: Mapping[str, object], name: str = "notebook"
) -> NotebookNode:
    """Insert a cell tagged ``injected-parameters`` assigning ``parameters`` right after the
    ``parameters`` cell of ``nb`` (in place; an earlier injected cell is replaced) and return
    ``nb``. Raises ``ValueError`` when the notebook has no ``parameters`` cell or does not
    define a given name there (a typo would otherwise be silently ignored)."""
    nb.cells = [c for c in nb.cells if INJECTED_TAG not in c.metadata.get("tags", [])]
    if not parameters:
        return nb
    index = parameters_cell(nb)
    if index is None:
        raise ValueError(
            f"{name}: no code cell tagged {PARAMETERS_TAG!r} to inject {sorted(parameters)} after"
        )
    unknown = sorted(set(parameters) - _assigned_names(nb.cells[index].source))
    if unknown:
        raise ValueError(f"{name}: its parameters cell does not define {unknown}")
    lines = ["# Parameters injected by analysis.runner"]
    lines += [f"{key} = {_literal(key, value)}" for key, value in parameters.items()]
    cell = nbformat.v4.new_code_cell("\n".join(lines), metadata={"tags": [INJECTED_TAG]})
    cell["id"] = INJECTED_TAG  # a fixed id rather than a random one: executed copies diff cleanly
    nb.cells.insert(index + 1, cell)
    return nb


def font_trouble(nb: NotebookNode) -> tuple[int, str] | None:
    """The first ``(cell position, line)`` whose output reports a glyph missing from the font
    or a font family not found, or None."""
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            texts = []
            if output.get("output_type") == "stream":
                texts.append(output.get("text", ""))
            elif output.get("output_type") == "error":
                texts.append(f"{output.get('ename')}: {output.get('evalue')}")
            else:
                texts.append(output.get("data", {}).get("text/plain", ""))
            for text in texts:
                match = _FONT_TROUBLE.search("".join(text) if isinstance(text, list) else text)
                if match:
                    line = next(ln for ln in match.string.splitlines() if match.group(0) in ln)
                    return i, line.strip()
    return None


class _Client(NotebookClient):
    """NotebookClient that remembers the cell it is running and stops at font trouble."""

    def __init__(self, nb: NotebookNode, **kwargs) -> None:
        super().__init__(nb, **kwargs)
        self.current: int | None = None
        self.on_cell_start = self._started
        self.on_cell_executed = self._executed

    def _started(self, cell, cell_index) -> None:
        self.current = cell_index

    def _executed(self, cell, cell_index, execute_reply) -> None:
        if execute_reply and execute_reply.get("content", {}).get("status") == "error":
            return  # nbclient raises CellExecutionError next, with the real error name
        trouble = font_trouble(nbformat.v4.new_notebook(cells=[cell]))
        if trouble is not None:
            raise _FontTrouble(cell_index, trouble[1])


class _FontTrouble(Exception):
    def __init__(self, cell_index: int, line: str) -> None:
        super().__init__(line)
        self.cell_index, self.line = cell_index, line


def _where(nb: NotebookNode, executed_index: int | None) -> tuple[int | None, str]:
    """Position in the notebook *file* (the injected cell not counted) and first source line."""
    if executed_index is None or executed_index >= len(nb.cells):
        return None, ""
    cell = nb.cells[executed_index]
    first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
    if INJECTED_TAG in cell.metadata.get("tags", []):
        return None, first
    before = sum(INJECTED_TAG in c.metadata.get("tags", []) for c in nb.cells[:executed_index])
    return executed_index - before, first


def run_notebook(
    path: str | Path,
    parameters: Mapping[str, object] | None = None,
    output_dir: str | Path | None = None,
    timeout: int = DEFAULT_TIMEOUT,
) -> NotebookRun:
    """Execute the notebook at ``path`` in a fresh kernel (working directory: its folder),
    with ``parameters`` injected after its ``parameters`` cell, and write the executed copy
    to ``output_dir`` (default ``build/notebooks/``), also when it fails.

    Returns a :class:`NotebookRun`. Raises :class:`NotebookError` naming the notebook, the
    cell and the error when a cell raises, when a cell's output shows a missing glyph or
    font, or when the kernel dies. ``timeout`` is per cell, in seconds.
    """
    path = Path(path).resolve()
    out_dir = Path(output_dir) if output_dir is not None else config.BUILD_DIR / "notebooks"
    nb = nbformat.read(str(path), as_version=4)
    inject_parameters(nb, dict(parameters or {}), path.name)
    client = _Client(nb, timeout=timeout, kernel_name=KERNEL_NAME, extra_arguments=_KERNEL_ARGS,
                     resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    failure: NotebookError | None = None
    try:
        client.execute()
    except CellExecutionError as exc:
        index, first = _where(nb, client.current)
        failure = NotebookError(path.name, index, first, exc.ename, exc.evalue,
                                _plain(exc.traceback))
    except _FontTrouble as exc:
        index, first = _where(nb, exc.cell_index)
        failure = NotebookError(path.name, index, first, "MissingGlyph", exc.line,
                                "matplotlib drew boxes: call analysis.figures.setup_matplotlib() "
                                "before plotting and use no font family but the CJK font")
    except CellTimeoutError as exc:
        index, first = _where(nb, client.current)
        failure = NotebookError(path.name, index, first, "CellTimeoutError",
                                f"no reply within {timeout} s ({str(exc).splitlines()[0]})")
    except DeadKernelError as exc:
        index, first = _where(nb, client.current)
        failure = NotebookError(path.name, index, first, "DeadKernelError", str(exc))
    seconds = time.perf_counter() - started
    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / path.name
    nbformat.write(nb, str(output))
    if failure is not None:
        raise failure
    return NotebookRun(path, output, nb, seconds)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _plain(traceback: str) -> str:
    return _ANSI.sub("", traceback or "")


def select(paths: Iterable[Path], only: Iterable[str] | None) -> list[Path]:
    """The notebooks of ``paths`` named by ``only`` (a file name, a stem or a prefix such as
    ``"02"``), all of them when ``only`` is None. Raises ``ValueError`` for a name that
    matches no notebook."""
    paths = list(paths)
    if only is None:
        return paths
    only = [only] if isinstance(only, str) else list(only)
    chosen = []
    for item in only:
        hits = [p for p in paths if p.name == item or p.stem.startswith(item)]
        if not hits:
            have = ", ".join(p.name for p in paths)
            raise ValueError(f"no notebook matches {item!r} (have: {have})")
        chosen += [p for p in hits if p not in chosen]
    return sorted(chosen)


def run_all(
    parameters: Mapping[str, object] | None = None,
    only: Iterable[str] | None = None,
    *,
    notebooks_dir: str | Path | None = None,
    output_dir: str | Path | None = None,
    timeout: int = DEFAULT_TIMEOUT,
    report=None,
) -> list[NotebookRun]:
    """Run the notebooks of ``notebooks_dir`` (default notebooks/) in sorted order, each with
    the same ``parameters`` (checked against every notebook's parameters cell before the first
    runs); stop at the first failure (:class:`NotebookError`). Prints one
    line per notebook as it finishes and a table of wall times through ``report`` (a function
    taking one string; default: print to stdout; ``False``: silent)."""
    paths = select(notebook_paths(notebooks_dir), only)
    if not paths:
        raise ValueError(f"no notebook (NN-name.ipynb) in {notebooks_dir or config.NOTEBOOKS_DIR}")
    for path in paths:  # a misspelt --param fails now, not after an hour of notebooks
        inject_parameters(nbformat.read(str(path), as_version=4), dict(parameters or {}), path.name)
    say = _print if report is None else (report or (lambda _text: None))
    # Kernels inherit this process's environment: nobody watches their progress bars.
    os.environ.setdefault("SPEECHES_HEADLESS", "1")
    runs = []
    for path in paths:
        say(f"running {path.name}")
        try:
            runs.append(run_notebook(path, parameters, output_dir, timeout))
        except NotebookError:
            if runs:
                say(timing_table(runs))
            raise
        say(f"  done in {runs[-1].seconds:.1f} s")
    say(timing_table(runs))
    return runs


def _print(text: str) -> None:
    print(text, flush=True)


def timing_table(runs: list[NotebookRun]) -> str:
    """Wall time per notebook and in total, as a small text table."""
    width = max([len(r.path.name) for r in runs] + [len("total")])
    lines = [f"{'notebook':<{width}}  {'seconds':>8}"]
    lines += [f"{r.path.name:<{width}}  {r.seconds:>8.1f}" for r in runs]
    lines.append(f"{'total':<{width}}  {sum(r.seconds for r in runs):>8.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis.runner",
        description="Execute every notebooks/NN-*.ipynb headless (fresh kernel each, one process); "
                    "executed copies go to build/notebooks/.",
    )
    parser.add_argument("only", nargs="*", metavar="NOTEBOOK",
                        help="run only these notebooks (file name, stem or prefix such as 02)")
    parser.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
                        help="set a parameter (repeatable); VALUE is a Python literal or a string")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds per cell")
    parser.add_argument("--output-dir", type=Path, default=None,
                        help="where executed copies go (default build/notebooks/)")
    parser.add_argument("--notebooks-dir", type=Path, default=None,
                        help="folder of the notebooks (default notebooks/)")
    args = parser.parse_args(argv)
    try:
        parameters = dict(parse_param(item) for item in args.param)
        run_all(parameters, args.only or None, notebooks_dir=args.notebooks_dir,
                output_dir=args.output_dir, timeout=args.timeout)
    except ValueError as exc:
        parser.error(str(exc))
    except NotebookError as exc:
        print(f"\nFAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
