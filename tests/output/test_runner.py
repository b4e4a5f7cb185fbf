"""The headless notebook runner (papermill underneath), the committed notebooks, and one run
of every notebook."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from PIL import Image

from analysis import config
from analysis.output.figures import FIGURE_NAME
from analysis.output.runner import (
    INJECTED_TAG,
    NOTEBOOK_NAME,
    NotebookError,
    NotebookRun,
    check_parameters,
    default_workers,
    longest_first,
    main,
    notebook_paths,
    parse_param,
    parse_value,
    run_all,
    run_notebook,
    select,
    stripped,
    timing_table,
)

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))


def write_notebook(folder, name, *sources, parameters=None):
    """A notebook of code cells (a markdown cell first, so cell positions differ from code
    cell counts), with a ``parameters`` cell when ``parameters`` is given."""
    cells = [new_markdown_cell("# test")]
    if parameters is not None:
        cells.append(new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    cells += [new_code_cell(src) for src in sources]
    path = folder / name
    folder.mkdir(parents=True, exist_ok=True)
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": kernelspec}), path)
    return path


def stdout(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs if o.output_type == "stream" and o.name == "stdout")


# --- the committed notebooks -----------------------------------------------------------------

def test_there_are_notebooks():
    assert notebook_paths(), "notebooks/ holds no NN-name.ipynb"
    skipped = [p.name for p in NOTEBOOKS if p not in notebook_paths()]
    assert skipped == [], "notebooks the runner would never execute (name them NN-name.ipynb)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_is_stripped_and_parametrised(path):
    assert NOTEBOOK_NAME.fullmatch(path.name), "name it NN-kebab-name.ipynb"
    assert stripped(path), f"{path.name} has outputs or execution counts: strip it before committing"
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and "parameters" in code[0].metadata.get("tags", []), \
        "the first code cell must be tagged 'parameters'"
    assert re.search(r"^FIGURES_DIR\s*=\s*None\b", code[0].source, re.MULTILINE), \
        "the parameters cell must set FIGURES_DIR = None (save_figure(fig, name, FIGURES_DIR))"
    assert not any(INJECTED_TAG in c.metadata.get("tags", []) for c in nb.cells)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


def test_stripped_detects_outputs_and_counts(tmp_path):
    path = write_notebook(tmp_path, "00-a.ipynb", "print(1)")
    assert stripped(path)
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].execution_count = 3
    nbformat.write(nb, path)
    assert not stripped(path)
    nb.cells[1].execution_count = None
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    nbformat.write(nb, path)
    assert not stripped(path)


# --- parameters -------------------------------------------------------------------------------

def test_parse_values_and_params():
    assert parse_value("3") == 3 and parse_value("None") is None and parse_value("[1, 'a']") == [1, "a"]
    assert parse_value("/tmp/figs") == "/tmp/figs" and parse_value("'quoted'") == "quoted"
    assert parse_value("") == ""
    assert parse_param("FIGURES_DIR=/tmp/x=y") == ("FIGURES_DIR", "/tmp/x=y")
    for bad in ["FIGURES_DIR", "=3", "1X=2"]:
        with pytest.raises(ValueError, match="NAME=VALUE"):
            parse_param(bad)


def test_parameters_are_checked_against_the_parameters_cell(tmp_path):
    path = write_notebook(tmp_path, "00-a.ipynb", "print(X)", parameters="X = 1\nNAME = 'a'")
    assert check_parameters(path, {"X": 5, "NAME": tmp_path}) == {"X": 5, "NAME": str(tmp_path)}
    assert check_parameters(path, {}) == {}
    with pytest.raises(ValueError, match=r"00-a.ipynb: its parameters cell does not define \['Y'\]"):
        check_parameters(path, {"Y": 2, "X": 3})
    with pytest.raises(TypeError, match="only Python literals"):
        check_parameters(path, {"X": object()})
    bare = write_notebook(tmp_path, "01-b.ipynb", "X = 1")
    with pytest.raises(ValueError, match=r"01-b.ipynb: no code cell tagged 'parameters' to inject \['X'\]"):
        check_parameters(bare, {"X": 2})


def test_default_workers_is_bounded_by_the_notebooks(monkeypatch):
    from analysis.corpus import parallel

    monkeypatch.setattr(parallel, "default_workers", lambda: 2)  # a 2-core machine
    assert [default_workers(n) for n in (0, 1, 2, 3, 40)] == [1, 1, 2, 3, 3]


def test_select_by_name_stem_or_prefix(tmp_path):
    paths = [tmp_path / n for n in ("00-a.ipynb", "01-b.ipynb", "02-c.ipynb")]
    assert select(paths, None) == paths
    assert select(paths, ["02", "00-a", "01-b.ipynb"]) == paths
    with pytest.raises(ValueError, match="no notebook matches '03'"):
        select(paths, ["03"])


# --- running notebooks (a kernel each: ~1-2 s) ----------------------------------------------

def test_run_injects_parameters_in_the_projects_kernel(tmp_path):
    path = write_notebook(
        tmp_path / "nbs", "00-params.ipynb",
        "import os, sys\nprint(X, NAME, FLAG)\nprint(sys.executable)\nprint(os.getcwd())",
        parameters="X = 1\nNAME = 'default'\nFLAG = None",
    )
    before = path.read_bytes()
    run = run_notebook(path, {"X": 42, "NAME": "注入", "FLAG": [1, 2]}, output_dir=tmp_path / "out")
    lines = stdout(run.notebook).splitlines()
    assert lines[0] == "42 注入 [1, 2]"
    assert lines[1] == sys.executable  # the project's interpreter, not some other python3
    assert lines[2] == str(path.parent)  # cwd: the notebook's folder
    assert run.output == (tmp_path / "out" / "00-params.ipynb").resolve() and run.output.is_file()
    assert path.read_bytes() == before  # the source notebook is never written
    # papermill's cell, right after the parameters cell, under a fixed id: executed copies
    # (and report pages) of the same run are the same bytes.
    executed = nbformat.read(run.output, as_version=4)
    assert [c.metadata.get("tags") for c in executed.cells[1:3]] == [["parameters"], [INJECTED_TAG]]
    assert executed.cells[2].id == INJECTED_TAG
    assert "X = 42\n" in executed.cells[2].source and "FLAG = [1, 2]\n" in executed.cells[2].source
    assert executed.metadata.papermill["parameters"] == {"X": 42, "NAME": "注入", "FLAG": [1, 2]}


def test_the_kernel_has_the_package_loaded_but_no_name_bound(tmp_path):
    """The runner's kernels import every module of the package as they start (while the
    runner loads papermill); the notebook's namespace stays as fresh as JupyterLab's."""
    path = write_notebook(
        tmp_path, "00-preload.ipynb",
        "import sys\nprint(sorted(m for m in ('analysis.output.plots', 'analysis.measures.compare', 'pandas')\n"
        "                   if m in sys.modules))",
        "print('analysis' in dir())",
        "import analysis\nprint(analysis.outline.__module__, analysis.findings.__name__)",
    )
    run = run_notebook(path, output_dir=tmp_path / "out")
    assert stdout(run.notebook).splitlines() == [
        "['analysis.measures.compare', 'analysis.output.plots', 'pandas']", "False",
        "analysis.text.outline analysis.output.findings"]


def test_a_raising_cell_names_notebook_cell_and_error(tmp_path):
    path = write_notebook(tmp_path, "00-broken.ipynb", "x = 1", "y = x + 1\nz = 1 / 0", "print('never')")
    with pytest.raises(NotebookError) as info:
        run_notebook(path, output_dir=tmp_path / "out")
    err = info.value
    assert (err.notebook, err.cell_index, err.first_line) == ("00-broken.ipynb", 2, "y = x + 1")
    assert err.ename == "ZeroDivisionError" and "division by zero" in err.evalue
    assert str(err).startswith("00-broken.ipynb, cell 2 ('y = x + 1'): ZeroDivisionError: division by zero")
    executed = nbformat.read(tmp_path / "out" / "00-broken.ipynb", as_version=4)  # kept for a post-mortem
    (failed,) = [c for c in executed.cells if c.source == "y = x + 1\nz = 1 / 0"]
    assert [o.output_type for o in failed.outputs] == ["error"]
    assert "An Exception was encountered" in executed.cells[0].source  # papermill's banner


def test_cell_index_counts_cells_of_the_file_not_the_injected_one(tmp_path):
    path = write_notebook(tmp_path, "00-broken.ipynb", "raise KeyError('boom')", parameters="X = 1")
    with pytest.raises(NotebookError) as info:
        run_notebook(path, {"X": 2}, output_dir=tmp_path / "out")
    err = info.value
    assert (err.cell_index, err.first_line, err.ename) == (2, "raise KeyError('boom')", "KeyError")


def test_a_cell_over_the_timeout_names_the_cell(tmp_path):
    path = write_notebook(tmp_path, "00-slow.ipynb", "import time", "time.sleep(30)")
    with pytest.raises(NotebookError) as info:
        run_notebook(path, output_dir=tmp_path / "out", timeout=1)
    err = info.value
    assert (err.cell_index, err.first_line, err.ename) == (2, "time.sleep(30)", "CellTimeoutError")
    assert "within 1 s" in err.evalue
    executed = nbformat.read(tmp_path / "out" / "00-slow.ipynb", as_version=4)  # kept, as far as it got
    assert executed.cells[1].execution_count == 1 and executed.cells[2].outputs == []


def test_a_dying_kernel_names_the_cell(tmp_path):
    path = write_notebook(tmp_path, "00-dead.ipynb", "x = 1", "import os\nos._exit(3)", "print('never')")
    with pytest.raises(NotebookError) as info:
        run_notebook(path, output_dir=tmp_path / "out")
    err = info.value
    assert (err.notebook, err.cell_index, err.first_line, err.ename) == \
        ("00-dead.ipynb", 2, "import os", "DeadKernelError")
    assert (tmp_path / "out" / "00-dead.ipynb").is_file()


GLYPH = "\\N{GRINNING FACE}"
DRAW = (
    "import io\nfrom matplotlib.figure import Figure\n"
    "fig = Figure(); fig.subplots().set_title(TITLE)\nfig.savefig(io.BytesIO(), format='png')"
)


def test_a_missing_glyph_fails_the_notebook(tmp_path):
    setup = "from analysis.output.figures import setup_matplotlib\nsetup_matplotlib()"
    path = write_notebook(tmp_path, "00-glyph.ipynb", setup, f"TITLE = '人口 {GLYPH}'\n" + DRAW)
    with pytest.raises(NotebookError) as info:
        run_notebook(path, output_dir=tmp_path / "out")
    assert info.value.cell_index == 2 and info.value.first_line.startswith("TITLE")
    assert info.value.ename == "UserWarning" and "missing from font" in info.value.evalue


def test_boxes_without_setup_are_caught_in_the_output(tmp_path):
    # The second line of defence: a notebook that forgot setup_matplotlib draws Chinese with
    # DejaVu Sans; matplotlib only warns on stderr, and the runner turns that into a failure.
    path = write_notebook(tmp_path, "00-boxes.ipynb", "x = 1", "TITLE = '人口'\n" + DRAW, "print('after')")
    with pytest.raises(NotebookError) as info:
        run_notebook(path, output_dir=tmp_path / "out")
    err = info.value
    assert (err.cell_index, err.first_line, err.ename) == (2, "TITLE = '人口'", "MissingGlyph")
    assert re.search(r"Glyph \d+ .* missing from font", err.evalue)


def test_a_font_family_not_found_in_the_output_fails(tmp_path):
    path = write_notebook(
        tmp_path, "00-family.ipynb",
        "import logging, sys\nlogging.basicConfig(stream=sys.stderr)\n"
        "logging.getLogger('matplotlib.font_manager')"
        ".warning(\"findfont: Font family 'X' not found.\")",
    )
    with pytest.raises(NotebookError, match="findfont: Font family 'X' not found"):
        run_notebook(path, output_dir=tmp_path / "out")


def test_run_all_and_the_command_line(tmp_path, capsys):
    nbs = tmp_path / "nbs"
    write_notebook(nbs, "00-first.ipynb", "print('first', X)", parameters="X = 0")
    write_notebook(nbs, "01-second.ipynb", "print('second', X)", parameters="X = 0")
    write_notebook(nbs, "notes.ipynb", "raise SystemExit('not a numbered notebook: never run')")
    runs = run_all({"X": 7}, notebooks_dir=nbs, output_dir=tmp_path / "out")
    assert [r.path.name for r in runs] == ["00-first.ipynb", "01-second.ipynb"]
    assert [stdout(r.notebook) for r in runs] == ["first 7\n", "second 7\n"]
    printed = capsys.readouterr().out
    assert "running 2 notebooks" in printed
    assert re.search(r"^00-first\.ipynb +\d+\.\d$", printed, re.MULTILINE)
    assert re.search(r"^wall +\d+\.\d$", printed, re.MULTILINE)

    write_notebook(nbs, "02-third.ipynb", "import math", "math.sqrt(-1)", parameters="X = 0")
    status = main(["--notebooks-dir", str(nbs), "--output-dir", str(tmp_path / "out"),
                   "-p", "X=1", "01", "02"])
    captured = capsys.readouterr()
    assert status == 1
    assert "01-second.ipynb done" in captured.out and "00-first" not in captured.out
    assert "FAILED: 02-third.ipynb, cell 3 ('math.sqrt(-1)'): ValueError: math domain error" in captured.err
    with pytest.raises(SystemExit) as usage:
        main(["--notebooks-dir", str(nbs), "-p", "NOPE=1", "00"])
    assert usage.value.code == 2 and "does not define ['NOPE']" in capsys.readouterr().err
    write_notebook(nbs, "03-fourth.ipynb", "print(Y)", parameters="Y = 0")
    with pytest.raises(ValueError, match=r"00-first.ipynb: its parameters cell does not define \['Y'\]"):
        run_all({"Y": 1}, notebooks_dir=nbs, output_dir=tmp_path / "out2")
    assert not (tmp_path / "out2").exists()  # refused before any notebook ran


def test_notebooks_run_side_by_side(tmp_path):
    # Each notebook waits for a file the other one writes: with two workers both finish; one
    # after the other, the first would wait out its deadline and fail.
    nbs, flags = tmp_path / "nbs", tmp_path / "flags"
    flags.mkdir()
    wait_for = ("import pathlib, time\n"
                "flags = pathlib.Path({flags!r})\n"
                "(flags / {mine!r}).touch()\n"
                "deadline = time.monotonic() + 60\n"
                "while not (flags / {other!r}).exists():\n"
                "    assert time.monotonic() < deadline, 'the other notebook never started'\n"
                "    time.sleep(0.05)\n"
                "print('met')")
    write_notebook(nbs, "00-a.ipynb", wait_for.format(flags=str(flags), mine="a", other="b"))
    write_notebook(nbs, "01-b.ipynb", wait_for.format(flags=str(flags), mine="b", other="a"))
    runs = run_all(notebooks_dir=nbs, output_dir=tmp_path / "out", workers=2, report=False)
    assert [stdout(r.notebook) for r in runs] == ["met\n", "met\n"]


@pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets: Windows kernels keep TCP")
def test_a_kernel_talks_over_sockets_of_its_own_that_nothing_else_can_take(tmp_path):
    """Over TCP a port chosen here can be bound by another program before the kernel binds it
    (a kernel that dies on start when two test suites run at once); the runner's kernels use
    Unix sockets in a folder of their own, named by an absolute path (the kernel runs in the
    notebook's folder), and the folder goes when the kernel stops."""
    import os

    from jupyter_core.utils import run_sync

    from analysis.output import runner

    km = runner._start_kernel(tmp_path)
    folder = Path(km.ip).parent
    try:
        assert km.transport == "ipc" and Path(km.ip).is_absolute() and folder.is_dir()
        assert folder != tmp_path and not folder.is_relative_to(tmp_path)
        kc = km.client()
        kc.start_channels()
        run_sync(kc.wait_for_ready)(timeout=120)
        seen: list[dict] = []
        reply = run_sync(kc.execute_interactive)("import os; print(os.getcwd())", timeout=60,
                                                 output_hook=lambda msg: seen.append(msg))
        assert reply["content"]["status"] == "ok"
        printed = [m["content"]["text"] for m in seen if m["msg_type"] == "stream"]
        assert printed == [f"{os.path.realpath(tmp_path)}\n"]
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            f"kernel-{km.get_connection_info()[f'{c}_port']}" for c in ("shell", "iopub", "stdin", "control", "hb"))
    finally:
        runner._stop_kernel(km)
    assert not folder.exists()


def test_a_temporary_folder_too_deep_for_a_socket_name_gives_the_kernel_tcp(tmp_path, monkeypatch):
    from analysis.output import runner

    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    assert runner._transport() == {} and list(deep.iterdir()) == []   # its folder removed again
    if os.name != "posix":
        return
    short = Path(tempfile.mkdtemp(prefix="s", dir="/tmp"))   # pytest's own tmp_path may be too deep
    try:
        monkeypatch.setattr(tempfile, "tempdir", str(short))
        options = runner._transport()
        assert options["transport"] == "ipc" and Path(options["ip"]).parent.parent == short
    finally:
        shutil.rmtree(short)


def test_one_worker_runs_them_in_order_and_a_failure_stops_the_queue(tmp_path):
    nbs = tmp_path / "nbs"
    log = tmp_path / "order.txt"
    append = "with open({log!r}, 'a') as f:\n    f.write({name!r})"
    write_notebook(nbs, "00-a.ipynb", append.format(log=str(log), name="a"))
    write_notebook(nbs, "01-b.ipynb", append.format(log=str(log), name="b"), "1 / 0")
    write_notebook(nbs, "02-c.ipynb", append.format(log=str(log), name="c"))
    with pytest.raises(NotebookError) as info:
        run_all(notebooks_dir=nbs, output_dir=tmp_path / "out", workers=1, report=False)
    assert (info.value.notebook, info.value.cell_index, info.value.ename) == \
        ("01-b.ipynb", 2, "ZeroDivisionError")
    assert log.read_text() == "ab"  # 02 never started
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["00-a.ipynb", "01-b.ipynb"]


def test_of_two_failures_the_first_notebook_is_named(tmp_path):
    nbs = tmp_path / "nbs"
    write_notebook(nbs, "00-a.ipynb", "raise KeyError('first')")
    write_notebook(nbs, "01-b.ipynb", "raise KeyError('second')")
    with pytest.raises(NotebookError) as info:
        run_all(notebooks_dir=nbs, output_dir=tmp_path / "out", workers=2, report=False)
    assert (info.value.notebook, info.value.evalue) == ("00-a.ipynb", "'first'")


def test_longest_first_uses_the_last_runs_durations(tmp_path):
    nbs, out = tmp_path / "nbs", tmp_path / "out"
    paths = [write_notebook(nbs, f"0{i}-n.ipynb", "x = 1") for i in range(5)]
    out.mkdir()
    for path, seconds in zip(paths, [3.0, 9.5, None, 1.0]):  # 04 never ran
        nb = nbformat.read(path, as_version=4)
        nb.metadata["papermill"] = {"duration": seconds}
        nbformat.write(nb, out / path.name)
    (out / "00-n.ipynb").write_text("{ not json")  # a damaged copy counts as never run
    order = [p.name[:2] for p in longest_first(paths, out)]
    assert order == ["00", "02", "04", "01", "03"]


def test_timing_table():
    runs = [NotebookRun(Path("00-a.ipynb"), Path("out/00-a.ipynb"), None, 2.25),
            NotebookRun(Path("01-long-name.ipynb"), Path("out/01-long-name.ipynb"), None, 10.0)]
    assert timing_table(runs, wall=10.4).splitlines() == [
        "notebook             seconds",
        "00-a.ipynb               2.2",
        "01-long-name.ipynb      10.0",
        "sum of notebooks        12.2",
        "wall                    10.4",
    ]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_figures_passes_corpus_and_figures_dir_as_absolute_parameters():
    def runner_command(*variables):
        printed = subprocess.run(["make", "-n", "-o", ".venv/.installed", "figures", *variables],
                                 cwd=config.ROOT, capture_output=True, text=True, check=True).stdout
        (line,) = [ln for ln in printed.splitlines() if "analysis.output.runner" in ln]
        return line.split()[1:]

    assert runner_command() == ["-m", "analysis.output.runner"]  # the notebooks' defaults: seeds/, figures/
    assert runner_command("CORPUS_DIR=speeches/new", "FIGURES_DIR=/tmp/figs") == [
        "-m", "analysis.output.runner",
        "--param", f"CORPUS_DIR={config.ROOT / 'speeches' / 'new'}",  # relative to the project,
        "--param", "FIGURES_DIR=/tmp/figs",                         # not to notebooks/
    ]
    assert runner_command("BAD_FILES=warn") == ["-m", "analysis.output.runner", "--param", "BAD_FILES=warn"]


# --- every real notebook ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_run(executed_notebooks):
    runs, figures, _ = executed_notebooks
    return runs, figures


@pytest.mark.slow
def test_every_notebook_runs_headless(real_run):
    runs, figures = real_run
    assert [r.path for r in runs] == notebook_paths()
    written = sorted(p.name for p in figures.iterdir())
    prefixes = {p.name[:2] for p in notebook_paths()}
    for name in written:
        stem, _, suffix = name.rpartition(".")
        assert FIGURE_NAME.fullmatch(stem) and suffix in ("png", "svg", "csv"), name
        assert stem[:2] in prefixes, f"{name}: no notebook numbered {stem[:2]}"
    # Every figure as PNG and SVG, and the numbers behind it as CSV.
    stems = {suffix: sorted(n.rsplit(".", 1)[0] for n in written if n.endswith("." + suffix))
             for suffix in ("png", "svg", "csv")}
    assert stems["png"] == stems["svg"] == stems["csv"]


def figure_files(folder) -> set[str]:
    """The names of the files in a figures folder (dotfiles aside)."""
    return {p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}


def test_figure_sets_are_compared_both_ways(tmp_path):
    # The comparison the test below makes: a file missing on either side is named.
    (tmp_path / "00-a.png").write_bytes(b"")
    (tmp_path / ".gitkeep").write_bytes(b"")
    assert figure_files(tmp_path) == {"00-a.png"}
    assert figure_set_problems({"00-a.png", "00-a.csv"}, {"00-a.png", "09-old.svg"}) == [
        "figures/ lacks 00-a.csv, which a notebook writes: run make figures and commit it",
        "figures/09-old.svg is drawn by no notebook any more: delete it"]
    assert figure_set_problems({"00-a.png"}, {"00-a.png"}) == []


# Figures a notebook draws only from the shared corpus (notebook 05's echoes of the reports,
# its REFERENCE_DIR): where ../shared is absent they are not drawn, and the committed ones are
# not compared; everything else still is.
SHARED_ONLY = ("05-echoes",)


def committed_here(names: set[str]) -> set[str]:
    """The committed figure files a run on this machine must reproduce."""
    if (config.GWR_DIR / "metadata.csv").is_file():
        return names
    return {name for name in names if name.rsplit(".", 1)[0] not in SHARED_ONLY}


def test_without_the_shared_corpus_only_its_figures_are_left_out(tmp_path, monkeypatch):
    names = {"05-echoes.png", "05-echoes.csv", "05-frames.png", "04-national-trends.svg"}
    monkeypatch.setattr(config, "GWR_DIR", tmp_path / "absent")
    assert committed_here(names) == {"05-frames.png", "04-national-trends.svg"}
    (tmp_path / "present").mkdir()
    (tmp_path / "present" / "metadata.csv").write_text("speech_id\n", encoding="utf-8")
    monkeypatch.setattr(config, "GWR_DIR", tmp_path / "present")
    assert committed_here(names) == names


def figure_set_problems(fresh: set[str], committed: set[str]) -> list[str]:
    """What differs between the files the notebooks write and those in figures/."""
    return ([f"figures/ lacks {name}, which a notebook writes: run make figures and commit it"
             for name in sorted(fresh - committed)]
            + [f"figures/{name} is drawn by no notebook any more: delete it" for name in sorted(committed - fresh)])


@pytest.mark.slow
def test_committed_figures_are_what_the_notebooks_draw(real_run):
    # "Regenerate, then require a clean tree": figures/ holds exactly the files the notebooks
    # write (PNG, SVG and CSV; none missing, none that no notebook draws any more), and each
    # is what the notebook draws now. SVG and CSV bytes compare exactly; PNG pixels (zlib
    # builds differ).
    _, figures = real_run
    fresh_names = figure_files(figures)
    assert {name.rsplit(".", 1)[1] for name in fresh_names} == {"png", "svg", "csv"}
    problems = figure_set_problems(fresh_names, committed_here(figure_files(config.FIGURES_DIR)))
    assert not problems, "\n".join(problems)
    for fresh in sorted(figures.glob("*.svg")):
        committed = config.FIGURES_DIR / fresh.name
        assert committed.read_bytes() == fresh.read_bytes(), f"figures/{fresh.name} is stale: run make figures"
        png = fresh.with_suffix(".png")
        old = np.asarray(Image.open(committed.with_suffix(".png")))
        assert np.array_equal(old, np.asarray(Image.open(png))), f"figures/{png.name} is stale"
        csv = fresh.with_suffix(".csv")
        assert committed.with_suffix(".csv").read_bytes() == csv.read_bytes(), f"figures/{csv.name} is stale"


@pytest.mark.slow
def test_every_notebook_runs_on_a_mixed_corpus(tmp_path, seed_raw, seed_text):
    """Several speeches, Traditional and Simplified, in different encodings: every notebook
    runs on them and every chart compares them."""
    import random

    from analysis import to_simplified

    corpus = tmp_path / "speeches"
    corpus.mkdir()
    (corpus / "a_traditional.txt").write_text(seed_raw, encoding="utf-8")
    (corpus / "b_simplified.txt").write_bytes(to_simplified(seed_raw).encode("utf-8-sig"))
    paragraphs = seed_text.split("\n")
    shuffled = paragraphs[:2] + random.Random(3).sample(paragraphs[2:], len(paragraphs) - 2)
    (corpus / "c_shuffled_gbk.txt").write_bytes("\r\n".join(shuffled).encode("gb18030"))
    (corpus / "d_broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 40)  # an image saved as .txt
    figures = tmp_path / "figures"
    # By default one unreadable file stops the run, naming it ...
    with pytest.raises(NotebookError, match="d_broken.txt"):
        run_all({"CORPUS_DIR": str(corpus), "FIGURES_DIR": str(tmp_path / "not-drawn")}, only=["00"],
                output_dir=tmp_path / "stopped", report=False)
    # ... and with BAD_FILES="warn" (make figures BAD_FILES=warn) every notebook names it and goes on.
    runs = run_all({"CORPUS_DIR": str(corpus), "FIGURES_DIR": str(figures), "BAD_FILES": "warn"},
                   output_dir=tmp_path / "executed", report=False)
    assert [r.path for r in runs] == notebook_paths()
    for run in runs:
        assert "d_broken.txt" in json.dumps(run.notebook), f"{run.path.name} does not name the unreadable file"
    ids = ("a_traditional", "b_simplified", "c_shuffled_gbk")
    for run in runs:
        if run.path.name[:2] in ("00", "02", "03"):   # their tables list the speeches
            text = json.dumps(run.notebook)
            for speech_id in ids:
                assert speech_id in text, f"{run.path.name} does not show {speech_id}"
    # Three speeches are a handful: the per-speech charts give each its panel or its bars.
    for name in ("00-structure", "01-top-words", "01-keyness", "03-dispersion", "03-theme-heatmap",
                 "06-directive-strength"):
        drawn = (figures / f"{name}.csv").read_text(encoding="utf-8")
        assert "d_broken" not in drawn
        for speech_id in ids:
            assert speech_id in drawn, f"{name} does not draw {speech_id}"
    committed = sorted(committed_here({p.name for p in config.FIGURES_DIR.glob("*.png")}))
    assert sorted(p.name for p in figures.glob("*.png")) == committed


def test_ctrl_c_stops_the_running_notebooks_instead_of_waiting_for_them(tmp_path):
    """Ctrl-C (SIGINT) on the runner kills the kernels that are running a notebook: a new
    user's interrupted run went on for 20 s, and its kernels wrote every figure after the
    interrupt. Here a notebook records its kernel's pid, then sleeps before writing a file:
    the runner exits with 130, the kernel is gone and the file was never written (without
    the kill, the runner waits out the sleep and the file is there when it exits)."""
    import signal
    import time

    started, done = tmp_path / "started", tmp_path / "done"
    write_notebook(tmp_path / "nb", "00-slow.ipynb",
                   f"import os, pathlib, time\npathlib.Path({str(started)!r}).write_text(str(os.getpid()))\n"
                   f"time.sleep(60)\npathlib.Path({str(done)!r}).write_text('done')")
    runner = subprocess.Popen([sys.executable, "-m", "analysis.output.runner", "--notebooks-dir", str(tmp_path / "nb"),
                               "--output-dir", str(tmp_path / "out")], cwd=config.ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              # SIGINT as a terminal gives it: a shell's background job (a CI
                              # step run with &) starts its children with SIGINT ignored.
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        for _ in range(1200):  # the kernel started and runs the cell (a hang guard, not a timing)
            if started.exists() and started.read_text():
                break
            time.sleep(0.1)
        kernel = int(started.read_text())
        runner.send_signal(signal.SIGINT)
        out, err = runner.communicate(timeout=120)
    finally:
        runner.kill()
    assert runner.returncode == 130, err
    assert "INTERRUPTED: the running notebooks were stopped" in err and "Traceback" not in err
    assert "interrupted: 1 running notebook stopped, 0 notebooks finished" in out
    assert not done.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(kernel, 0)
