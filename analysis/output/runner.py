"""Run every notebook headless with papermill: ``python -m analysis.output.runner``.

Each ``notebooks/NN-*.ipynb`` runs through :func:`papermill.execute_notebook` in a fresh
``python3`` kernel (the project's own interpreter), with the notebook's folder as working
directory; up to ``workers`` notebooks run at once (default: one more than the cores), the longest
first (by their last run), each from its own thread with its own kernel. Executed copies go to ``build/notebooks/``; the
notebooks themselves are never written.

Parameters are papermill's: the first code cell tagged ``parameters`` holds UPPER_CASE
settings, and ``--param NAME=VALUE`` (``VALUE`` a Python literal, else a string) makes
papermill add a cell tagged ``injected-parameters`` right after it::

    python -m analysis.output.runner --param FIGURES_DIR=/tmp/figs 01 02

What this module adds on top of papermill, and nothing more:

- a name it does not know (a typo in ``--param``) fails before any notebook runs, where
  papermill only logs a warning;
- a failure names the notebook, the cell (its position in the notebook *file*, the injected
  cell not counted) and the cell's first line: a cell that raises, a cell over the timeout,
  a kernel that dies;
- a cell whose output shows matplotlib drawing boxes (a "Glyph … missing from font(s)"
  warning or a "findfont: Font family … not found" message) fails the notebook too;
- a table of seconds per notebook.
"""
from __future__ import annotations

import argparse
import ast
import functools
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .. import config
from ..common.wording import counted

KERNEL_NAME = "python3"
NOTEBOOK_NAME = re.compile(r"\d\d-[a-z0-9]+(?:-[a-z0-9]+)*\.ipynb")
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"  # papermill's tag for the cell it adds
DEFAULT_TIMEOUT = 600  # seconds per cell
# Text matplotlib writes when it is about to draw boxes (see analysis.figures).
_FONT_TROUBLE = re.compile(
    r"Glyph \d+ \(.*?\) missing from font\(s\)|findfont: (?:Font|Generic) family .*? not found"
)
# The kernel's own log (not the cells' output) at ERROR: ipykernel 7 warns on every start that
# its localhost TCP sockets are unencrypted.
_KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]
# Each kernel imports the package while it starts (IPython's ``exec_lines`` run before the
# kernel answers its first request). The runner starts the kernel before it imports
# papermill, so that this work is done on another core while papermill loads, not after it.
# ``del`` unbinds the name again: a notebook without ``import analysis`` still fails, as it
# would in JupyterLab; its own ``import analysis`` finds the module loaded.
_PRELOAD = "--IPKernelApp.exec_lines=import analysis; analysis.preload(); del analysis"
_ENGINE = "analysis"  # the papermill engine registered below


def skip_rfc3987_grammar() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` in this process.

    nbformat imports jsonschema, which imports ``rfc3987_syntax`` when it is installed
    (jupyter-events pulls it in) to check the "iri" string format; that package compiles a
    Lark grammar at import, 2.4 s of this machine's CPU, as long as a warm notebook takes.
    The notebook schema has no such format, so nothing here ever checks one. Only the command
    line calls this: a library should not hide modules from the process that imports it.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # None: "import rfc3987_syntax" fails


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
    notebook: object  # nbformat.NotebookNode
    seconds: float


def notebook_paths(folder: str | Path | None = None) -> list[Path]:
    """The notebooks a run executes: ``NN-*.ipynb`` in ``folder`` (default notebooks/), sorted."""
    folder = Path(folder) if folder is not None else config.NOTEBOOKS_DIR
    return sorted(p for p in folder.glob("[0-9][0-9]-*.ipynb") if p.is_file())


def stripped(nb_path: str | Path) -> bool:
    """True when the notebook at ``nb_path`` has no outputs and no execution counts (what we
    commit: reviewable diffs, no stale results)."""
    import nbformat

    nb = nbformat.read(str(nb_path), as_version=4)
    return all(
        not cell.get("outputs") and cell.get("execution_count") is None
        for cell in nb.cells if cell.cell_type == "code"
    )


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
    """``"NAME=VALUE"`` → ``(NAME, parse_value(VALUE))``.

    >>> parse_param("FIGURES_DIR=/tmp/figs")
    ('FIGURES_DIR', '/tmp/figs')
    """
    name, sep, value = item.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise ValueError(f"--param {item!r}: expected NAME=VALUE")
    return name, parse_value(value)


def _literal(name: str, value):
    """``value`` as papermill should write it: paths as strings; anything that is not a Python
    literal is refused (papermill would write its ``str()``, which the kernel cannot read back)."""
    if isinstance(value, Path):
        return str(value)
    try:
        same = ast.literal_eval(repr(value)) == value
    except (ValueError, SyntaxError):
        same = False
    if not same:
        raise TypeError(f"parameter {name}={value!r}: only Python literals can be injected")
    return value


def check_parameters(path: str | Path, parameters: Mapping[str, object]) -> dict[str, object]:
    """``parameters`` ready for papermill, after checking them against the notebook at ``path``
    (papermill's own :func:`papermill.inspect_notebook` reads its ``parameters`` cell).

    Raises ``ValueError`` when the notebook has no ``parameters`` cell or does not define a
    given name there (papermill would only log a warning and the value would go unused), and
    ``TypeError`` for a value that is not a Python literal.
    """
    parameters = {name: _literal(name, value) for name, value in dict(parameters or {}).items()}
    if not parameters:
        return parameters
    import papermill

    name = Path(path).name
    defined = papermill.inspect_notebook(str(path))
    if not defined and not _has_parameters_cell(path):
        raise ValueError(
            f"{name}: no code cell tagged {PARAMETERS_TAG!r} to inject {sorted(parameters)} after"
        )
    unknown = sorted(set(parameters) - set(defined))
    if unknown:
        raise ValueError(f"{name}: its parameters cell does not define {unknown}")
    return parameters


def _has_parameters_cell(path: str | Path) -> bool:
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    return any(PARAMETERS_TAG in c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "code")


def font_trouble(nb) -> tuple[int, str] | None:
    """The first ``(cell position, line)`` whose output reports a glyph missing from the font
    or a font family not found, or None."""
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                text = output.get("text", "")
            elif output.get("output_type") == "error":
                text = f"{output.get('ename')}: {output.get('evalue')}"
            else:
                text = output.get("data", {}).get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else text
            match = _FONT_TROUBLE.search(text)
            if match:
                line = next(ln for ln in text.splitlines() if match.group(0) in ln)
                return i, line.strip()
    return None


def _where(nb, executed_index: int | None) -> tuple[int | None, str]:
    """Position in the notebook *file* (the injected cell not counted) and first source line
    of the cell at ``executed_index`` of the executed notebook ``nb``."""
    if executed_index is None or not 0 <= executed_index < len(nb.cells):
        return None, ""
    cell = nb.cells[executed_index]
    first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
    if INJECTED_TAG in cell.metadata.get("tags", []):
        return None, first
    before = sum(INJECTED_TAG in c.metadata.get("tags", []) for c in nb.cells[:executed_index])
    return executed_index - before, first


class _Stopped(Exception):
    """A run that nbclient ended without a cell error (timeout, dead kernel): papermill writes
    nothing then, so the engine hands the partial notebook up to be written here."""

    def __init__(self, nb, cell_index: int | None, cause: Exception) -> None:
        super().__init__(str(cause))
        self.nb, self.cell_index, self.cause = nb, cell_index, cause


_engine_lock = threading.Lock()


def _register_engine() -> None:
    """Register, once, papermill's nbclient engine with two changes: the injected cell gets a
    fixed id (papermill draws a random one, so executed copies and the HTML report would
    differ on every run), and a timeout or a dead kernel keeps the partial notebook."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.engines import NBClientEngine, papermill_engines

    with _engine_lock:
        if _ENGINE in papermill_engines._engines:
            return

        class Engine(NBClientEngine):
            @classmethod
            def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
                for cell in nb_man.nb.cells:
                    if INJECTED_TAG in cell.metadata.get("tags", []):
                        cell["id"] = INJECTED_TAG
                try:
                    return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
                except (CellTimeoutError, DeadKernelError) as exc:
                    started = [i for i, c in enumerate(nb_man.nb.cells)
                               if c.metadata.get("papermill", {}).get("start_time")]
                    raise _Stopped(nb_man.nb, started[-1] if started else None, exc) from exc

        papermill_engines.register(_ENGINE, Engine)


def run_notebook(
    path: str | Path,
    parameters: Mapping[str, object] | None = None,
    output_dir: str | Path | None = None,
    timeout: int = DEFAULT_TIMEOUT,
) -> NotebookRun:
    """Execute the notebook at ``path`` with papermill in a fresh kernel (working directory:
    its folder), with ``parameters`` injected after its ``parameters`` cell, and write the
    executed copy to ``output_dir`` (default ``build/notebooks/``), also when it fails.

    Returns a :class:`NotebookRun`. Raises :class:`NotebookError` naming the notebook, the
    cell and the error when a cell raises, when a cell's output shows a missing glyph or
    font, when a cell runs over ``timeout`` seconds, or when the kernel dies.
    """
    path = Path(path).resolve()
    parameters = check_parameters(path, parameters or {})
    out_dir = Path(output_dir) if output_dir is not None else config.BUILD_DIR / "notebooks"
    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir.resolve() / path.name
    started = time.perf_counter()
    # Started first (see _PRELOAD); the notebook's working directory is its folder.
    km = _start_kernel(path.parent)
    with _LIVE_LOCK:
        _LIVE.add(km)
    try:
        return _execute(path, output, parameters, timeout, km, started)
    finally:
        with _LIVE_LOCK:
            _LIVE.discard(km)
        _stop_kernel(km)  # the last cell has returned: every figure is on disk


# The kernels running a notebook now (their managers), so that an interrupted run stops them
# (:func:`_kill_live_kernels`) instead of waiting for each notebook to end.
_LIVE: set = set()
_LIVE_LOCK = threading.Lock()


def _kill_live_kernels() -> int:
    """Kill the process of every kernel running a notebook now; returns how many. Their
    threads then see a dead kernel and end at once. A kernel's process is its provisioner's
    (jupyter_client's LocalProvisioner records its ``pid``)."""
    import signal

    with _LIVE_LOCK:
        live = list(_LIVE)
    killed = 0
    for km in live:
        pid = getattr(getattr(km, "provisioner", None), "pid", None)
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except OSError:
                pass
    return killed


@functools.lru_cache(maxsize=1)
def _manager_class():
    from jupyter_client.manager import AsyncKernelManager

    class Manager(AsyncKernelManager):
        # nbclient leaves the clients of a kernel it did not start open: remember them.
        def client(self, **kwargs):
            kc = super().client(**kwargs)
            self.__dict__.setdefault("opened", []).append(kc)
            return kc

    return Manager


def _start_kernel(cwd: Path):
    """A ``python3`` kernel started in ``cwd`` that imports the package as it starts.

    Where the system has Unix sockets, the kernel talks over them (``transport="ipc"``), in
    a folder of its own under the temporary folder, named by an absolute path since the
    kernel runs in the notebook's folder. Over TCP, jupyter_client picks free ports in this
    process and the kernel binds them in its own: another program starting a kernel on the
    same machine in between can take one, and the kernel dies on start ("Address already in
    use"; seen with two copies of the test suite at once). A socket file in a folder of
    this kernel's own cannot be taken."""
    from jupyter_core.utils import run_sync

    km = _manager_class()(kernel_name=KERNEL_NAME, **_transport())
    try:
        run_sync(km.start_kernel)(extra_arguments=[*_KERNEL_ARGS, _PRELOAD], cwd=str(cwd))
    except BaseException:
        _remove_socket_folder(km)
        raise
    return km


# A Unix socket's path holds at most 108 bytes on Linux and 104 on macOS, its terminating
# NUL included; jupyter_client adds "-<port>" (up to 6) to the path it is given.
_SOCKET_PATH_MAX = 96


def _transport() -> dict:
    """The kernel manager's transport options (:func:`_start_kernel`): Unix sockets in a new
    folder where the system has them and the folder's path leaves room for the socket's
    name, else TCP (a ``TMPDIR`` too deep, or Windows)."""
    if os.name != "posix":
        return {}
    folder = tempfile.mkdtemp(prefix="speeches-kernel-")
    ip = os.path.join(folder, "kernel")
    if len(os.fsencode(ip)) + len("-65535") > _SOCKET_PATH_MAX:
        os.rmdir(folder)
        return {}
    return {"transport": "ipc", "ip": ip}


def _remove_socket_folder(km) -> None:
    """Remove the folder of an ``ipc`` kernel's sockets (:func:`_start_kernel`), once
    jupyter_client has removed the sockets themselves."""
    if km.transport == "ipc":
        shutil.rmtree(os.path.dirname(km.ip), ignore_errors=True)


def _stop_kernel(km) -> None:
    from jupyter_core.utils import run_sync

    for kc in km.__dict__.get("opened", []):
        kc.stop_channels()
    try:
        if run_sync(km.is_alive)():
            run_sync(km.shutdown_kernel)(now=True)
        else:
            run_sync(km.cleanup_resources)()
    finally:
        _remove_socket_folder(km)


def _execute(path: Path, output: Path, parameters: dict, timeout: int, km, started: float) -> NotebookRun:
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    _register_engine()
    try:
        nb = papermill.execute_notebook(
            path, output, parameters=parameters, engine_name=_ENGINE, kernel_name=KERNEL_NAME,
            request_save_on_cell_execute=False, progress_bar=False, log_output=False,
            execution_timeout=timeout, km=km,
            # papermill's own ``cwd`` changes this process's directory, which threads running
            # side by side must not do; the kernel was started in the notebook's folder.
            resources={"metadata": {"path": str(path.parent)}},
        )
    except PapermillExecutionError as exc:
        # papermill wrote the executed copy, with a banner cell at the top, before raising.
        nb = nbformat.read(str(output), as_version=4)
        executed = [c for c in nb.cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
        index, first = _where(nbformat.v4.new_notebook(cells=executed), exc.cell_index)
        raise NotebookError(path.name, index, first, exc.ename, exc.evalue,
                            _plain("\n".join(exc.traceback))) from None
    except _Stopped as stop:
        nbformat.write(stop.nb, str(output))
        index, first = _where(stop.nb, stop.cell_index)
        cause = stop.cause
        if type(cause).__name__ == "CellTimeoutError":
            evalue = f"no reply within {timeout} s ({str(cause).splitlines()[0]})"
        else:
            evalue = str(cause)
        raise NotebookError(path.name, index, first, type(cause).__name__, evalue) from None
    seconds = time.perf_counter() - started
    trouble = font_trouble(nb)
    if trouble is not None:
        index, first = _where(nb, trouble[0])
        raise NotebookError(path.name, index, first, "MissingGlyph", trouble[1],
                            "matplotlib drew boxes: call analysis.figures.setup_matplotlib() "
                            "before plotting and use no font family but the CJK font")
    return NotebookRun(path, output, nb, seconds)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _plain(traceback: str) -> str:
    return _ANSI.sub("", traceback or "")


def select(paths: Iterable[Path], only: Iterable[str] | None) -> list[Path]:
    """The notebooks of ``paths`` named by ``only`` (a file name, a stem or a prefix such as
    ``"02"``), all of them when ``only`` is None. Raises ``ValueError`` for a name that
    matches no notebook.

    >>> [p.name for p in select([Path("00-a.ipynb"), Path("01-b.ipynb")], ["01"])]
    ['01-b.ipynb']
    """
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


def default_workers(n_notebooks: int) -> int:
    """How many notebooks run at once: one more than the cores available to this process (a
    notebook waits part of its time, for its kernel's start and for messages, and the extra
    one keeps the cores busy then and in the last minutes, when the others have finished), no
    more than there are notebooks, at least one. On two cores, three at once beat two and
    four (bench/README.md).

    >>> default_workers(0), default_workers(1)
    (1, 1)
    """
    from ..corpus.parallel import default_workers as cores  # not .pipeline: no pandas for a core count

    return max(1, min(cores() + 1, n_notebooks))


def _last_seconds(path: Path, output_dir: str | Path | None) -> float | None:
    """How long the notebook at ``path`` took last time, from papermill's record in its
    executed copy (None if there is none)."""
    import json

    out_dir = Path(output_dir) if output_dir is not None else config.BUILD_DIR / "notebooks"
    try:
        with open(out_dir / path.name, encoding="utf-8") as f:
            seconds = json.load(f)["metadata"]["papermill"]["duration"]
        return float(seconds) if seconds is not None else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def longest_first(paths: list[Path], output_dir: str | Path | None = None) -> list[Path]:
    """``paths`` in the order to start them: those never run before first (they may be long),
    then by how long they took last time, longest first. Starting the longest notebooks
    first keeps the last minutes from running one notebook on one core while the others idle.
    """
    last = {path: _last_seconds(path, output_dir) for path in paths}
    return sorted(paths, key=lambda p: (last[p] is not None, -(last[p] or 0.0), p))


def run_all(
    parameters: Mapping[str, object] | None = None,
    only: Iterable[str] | None = None,
    *,
    notebooks_dir: str | Path | None = None,
    output_dir: str | Path | None = None,
    timeout: int = DEFAULT_TIMEOUT,
    workers: int | None = None,
    report=None,
) -> list[NotebookRun]:
    """Run the notebooks of ``notebooks_dir`` (default notebooks/), up to ``workers`` at once
    (default :func:`default_workers`), the longest first (:func:`longest_first`), each with
    the same ``parameters`` (checked against every notebook's parameters cell before the first
    runs), and return their runs in sorted order.

    On a failure no further notebook starts; those already running finish, and the failure
    of the first notebook (in sorted order) that failed is raised (:class:`NotebookError`);
    any other exception (a kernel that cannot start, say) also stops the queue and propagates.
    Prints one line per notebook as it finishes and a table of wall times through ``report``
    (a function taking one string; default: print to stdout; ``False``: silent).
    """
    paths = select(notebook_paths(notebooks_dir), only)
    if not paths:
        raise ValueError(f"no notebook (NN-name.ipynb) in {notebooks_dir or config.NOTEBOOKS_DIR}")
    checked = [check_parameters(path, parameters or {}) for path in paths]  # a misspelt --param
    parameters = checked[0]  # fails now, not after an hour of notebooks
    say = _print if report is None else (report or (lambda _text: None))
    workers = default_workers(len(paths)) if workers is None else max(1, int(workers))
    # Kernels inherit this process's environment: nobody watches their progress bars.
    os.environ.setdefault("SPEECHES_HEADLESS", "1")
    started = time.perf_counter()
    say(f"running {len(paths)} notebooks, {workers} at a time")
    stop = threading.Event()  # set by the first failure: no notebook starts after it

    def run(path: Path) -> NotebookRun | None:
        if stop.is_set():
            return None
        try:
            return run_notebook(path, parameters, output_dir, timeout)
        except BaseException:
            stop.set()  # before this worker takes the next notebook off the queue
            raise

    runs: dict[Path, NotebookRun] = {}
    failures: dict[Path, NotebookError] = {}
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="notebook")
    try:
        futures = {pool.submit(run, path): path for path in longest_first(paths, output_dir)}
        for future in as_completed(futures):
            path = futures[future]
            try:
                result = future.result()
            except NotebookError as exc:
                failures[path] = exc
                say(f"  {path.name} FAILED")
                continue
            if result is not None:
                runs[path] = result
                say(f"  {path.name} done in {result.seconds:.1f} s")
    except KeyboardInterrupt:
        # Ctrl-C: no notebook starts, and the running ones stop now (their kernels killed)
        # rather than run on and write their figures after the run was interrupted.
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        killed = _kill_live_kernels()  # their threads end at once; `finally` waits for them
        say(f"interrupted: {counted(killed, 'running notebook')} stopped, "
            f"{counted(len(runs), 'notebook')} finished")
        raise
    finally:
        pool.shutdown(wait=True)
    wall = time.perf_counter() - started
    ordered = [runs[p] for p in paths if p in runs]
    if ordered:
        say(timing_table(ordered, wall))
    if failures:
        raise failures[min(failures)]
    return ordered


def _print(text: str) -> None:
    print(text, flush=True)


def timing_table(runs: list[NotebookRun], wall: float | None = None) -> str:
    """Wall time per notebook, their sum and (given ``wall``) the run's own wall time, which
    is shorter when notebooks run side by side."""
    width = max([len(r.path.name) for r in runs] + [len("sum of notebooks")])
    lines = [f"{'notebook':<{width}}  {'seconds':>8}"]
    lines += [f"{r.path.name:<{width}}  {r.seconds:>8.1f}" for r in runs]
    lines.append(f"{'sum of notebooks':<{width}}  {sum(r.seconds for r in runs):>8.1f}")
    if wall is not None:
        lines.append(f"{'wall':<{width}}  {wall:>8.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis.output.runner",
        description="Execute every notebooks/NN-*.ipynb headless with papermill (a fresh kernel "
                    "each, several at once); executed copies go to build/notebooks/.",
    )
    parser.add_argument("only", nargs="*", metavar="NOTEBOOK",
                        help="run only these notebooks (file name, stem or prefix such as 02)")
    parser.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
                        help="set a parameter (repeatable); VALUE is a Python literal or a string")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds per cell")
    parser.add_argument("--workers", "-j", type=int, default=None,
                        help="notebooks run at once (default: one more than the cores, at most one per notebook)")
    parser.add_argument("--output-dir", type=Path, default=None,
                        help="where executed copies go (default build/notebooks/)")
    parser.add_argument("--notebooks-dir", type=Path, default=None,
                        help="folder of the notebooks (default notebooks/)")
    args = parser.parse_args(argv)
    skip_rfc3987_grammar()
    try:
        parameters = dict(parse_param(item) for item in args.param)
        run_all(parameters, args.only or None, notebooks_dir=args.notebooks_dir,
                output_dir=args.output_dir, timeout=args.timeout, workers=args.workers)
    except ValueError as exc:
        parser.error(str(exc))
    except NotebookError as exc:
        print(f"\nFAILED: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nINTERRUPTED: the running notebooks were stopped; their figures may be incomplete", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
