"""``make lab`` works: the Jupyter server it starts lists notebooks/ and runs a kernel that
imports the project; and in a real browser (Debian's chromium, driven by Playwright) a
researcher opens each notebook there, runs all its cells and sees its figures and no error.

The command is read from the Makefile's ``lab`` recipe (so this tests what ``make lab`` runs),
with test-only flags added: 127.0.0.1, a free port, a random token, no browser, and private
config and runtime folders.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import websocket

from analysis import config

HOST = "127.0.0.1"
START_TIMEOUT = 30  # seconds until /api/status must answer
REPLY_TIMEOUT = 20  # seconds for the kernel to run one cell


def lab_command() -> list[str]:
    """The ``make lab`` recipe with ``$(BIN)/python`` replaced by this interpreter."""
    makefile = (config.ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^lab:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert match, "the Makefile has no lab target"
    (line,) = [ln.strip() for ln in match.group(1).splitlines() if "$(BIN)/python" in ln]
    command = shlex.split(line.lstrip("@"))
    assert command[0] == "$(BIN)/python", line
    # $(ALLOW_ROOT) is make's --allow-root when run as root; the fixture adds it the same way.
    return [sys.executable, *[c for c in command[1:] if c != "$(ALLOW_ROOT)"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def test_lab_command_is_jupyter_lab_on_the_notebooks_folder():
    command = lab_command()
    assert command[1:4] == ["-m", "jupyter", "lab"]
    assert "--notebook-dir=notebooks" in command


@contextlib.contextmanager
def running_lab(tmp_path: Path, notebook_dir: Path | None = None):
    """Start ``make lab``'s command (on ``notebook_dir`` instead of notebooks/ if given) and
    yield ``(base_url, session, token)`` once it answers; shut it down afterwards."""
    token = secrets.token_hex(16)
    port = free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_PLATFORM_DIRS="1")
    command = lab_command()
    if notebook_dir is not None:
        command = [f"--notebook-dir={notebook_dir}" if c.startswith("--notebook-dir=") else c for c in command]
    command += [
        "--no-browser", f"--ServerApp.ip={HOST}", f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers and CI often run as root, where jupyter refuses to start without this flag.
        command.append("--allow-root")
    log_path = tmp_path / "server.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(command, cwd=config.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://{HOST}:{port}"
    session = requests.Session()
    session.headers["Authorization"] = f"token {token}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{log_path.read_text()}")
            try:
                if session.get(f"{base}/api/status", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"no answer from {base}/api/status after {START_TIMEOUT} s:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield base, session, token
    finally:
        try:
            session.post(f"{base}/api/shutdown", timeout=5)
        except requests.RequestException:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        log.close()


@pytest.fixture
def lab_server(tmp_path):
    with running_lab(tmp_path) as server:
        yield server


def execute(base: str, token: str, kernel_id: str, code: str) -> str:
    """Run ``code`` in the kernel over its websocket; returns what it printed to stdout."""
    url = base.replace("http://", "ws://") + f"/api/kernels/{kernel_id}/channels"
    ws = websocket.create_connection(url, header=[f"Authorization: token {token}"], timeout=REPLY_TIMEOUT)
    try:
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                       "session": uuid.uuid4().hex, "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        out, deadline = [], time.monotonic() + REPLY_TIMEOUT
        while time.monotonic() < deadline:
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content["name"] == "stdout":
                out.append(content["text"])
            elif kind == "error":
                pytest.fail(f"the kernel raised {content['ename']}: {content['evalue']}")
            elif kind == "status" and content["execution_state"] == "idle":
                return "".join(out)
        pytest.fail(f"no idle status from the kernel within {REPLY_TIMEOUT} s")
    finally:
        ws.close()


@pytest.mark.slow
def test_make_lab_serves_the_notebooks_and_a_project_kernel(lab_server):
    base, session, token = lab_server
    listing = session.get(f"{base}/api/contents/", timeout=10)
    assert listing.status_code == 200
    served = sorted(item["name"] for item in listing.json()["content"] if item["type"] == "notebook")
    assert served == sorted(p.name for p in config.NOTEBOOKS_DIR.glob("*.ipynb"))
    assert requests.get(f"{base}/api/contents/", timeout=10).status_code == 403  # no token, no entry

    started = session.post(f"{base}/api/kernels", json={"name": "python3"}, timeout=20)
    assert started.status_code == 201, started.text
    kernel_id = started.json()["id"]
    try:
        code = "import sys, analysis\nprint(analysis.__name__)\nprint(sys.executable)\nprint(sys.prefix)"
        printed = execute(base, token, kernel_id, code)
        name, executable, prefix = printed.splitlines()
        assert name == "analysis"
        # The project's environment is the kernel. The kernel may name its interpreter python3
        # where pytest runs as python (both links in .venv/bin): compare what they point to,
        # and the environment itself (sys.prefix is the venv; the resolved interpreter alone
        # would be the base Python every venv of this machine links to).
        assert Path(executable).resolve() == Path(sys.executable).resolve()
        assert Path(prefix).resolve() == Path(sys.prefix).resolve()
    finally:
        deleted = session.delete(f"{base}/api/kernels/{kernel_id}", timeout=20)
    assert deleted.status_code == 204
    assert session.get(f"{base}/api/kernels", timeout=10).json() == []


# --- a researcher in JupyterLab, in a real browser -------------------------------------------

LOAD_TIMEOUT = 90_000   # ms: JupyterLab's first load in a cold headless Chromium on 2 busy cores
RUN_TIMEOUT = 300_000   # ms: one notebook's cells, corpus cold
IDLE = re.compile(r"\| Idle$")  # the status bar: "Python 3 (ipykernel) | Idle"
FIGURE_CALL = "save_figure("
BROKEN = "99-broken.ipynb"
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook on show


@pytest.fixture(scope="module")
def lab_copies(tmp_path_factory):
    """Copies of every notebook, where JupyterLab may save (it autosaves) and the figures go to
    a temporary folder: papermill adds a FIGURES_DIR cell after the parameters cell, as a
    headless run would. Plus a notebook that fails, to show the checks can see a failure."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from analysis.output.runner import notebook_paths

    folder = tmp_path_factory.mktemp("lab-notebooks")
    figures = tmp_path_factory.mktemp("lab-figures")
    for path in notebook_paths():
        nb = parameterize_notebook(load_notebook_node(str(path)), {"FIGURES_DIR": str(figures)})
        nbformat.write(nb, folder / path.name)
    broken = new_notebook(
        cells=[new_markdown_cell("# A notebook that fails"), new_code_cell("x = 1"),
               new_code_cell("y = x / 0"), new_code_cell("analysis.save_figure(fig, '99-never')")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(broken, folder / BROKEN)
    return folder, figures


class Lab:
    """JupyterLab open in one Chromium page, as a researcher keeps it open: notebooks are
    opened from the file browser, one after the other. ``outside`` collects requests that
    tried to leave this machine (they are blocked)."""

    def __init__(self, base: str, session, token: str, page, folder: Path) -> None:
        self.base, self.session, self.token, self.page, self.folder = base, session, token, page, folder
        self.outside: list[str] = []
        page.route("**/*", self._only_local)
        # ?reset: a fresh workspace, or JupyterLab reopens the notebooks of the last visit.
        page.goto(f"{base}/lab?reset&token={token}")
        page.locator(".jp-DirListing-item").first.wait_for(timeout=LOAD_TIMEOUT)

    def _only_local(self, route):
        if route.request.url.startswith(("data:", "blob:")) or urlsplit(route.request.url).hostname == HOST:
            return route.continue_()
        self.outside.append(route.request.url)
        return route.abort()

    def menu(self, menu: str, item: str | re.Pattern) -> None:
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
        if isinstance(item, str):
            self.page.get_by_role("menuitem", name=item, exact=True).click()
        else:
            self.page.get_by_role("menuitem", name=item).click()

    def run_all_cells(self, name: str) -> dict:
        """Open notebook ``name`` (double-click in the file browser), wait for its kernel,
        choose Run > Run All Cells, wait until no cell is queued or running, save it (File >
        Save Notebook), close it and shut its kernel down. Returns what the page showed: per
        cell its prompt, whether each of its images loaded and its output text; and the
        requests blocked so far."""
        page = self.page
        page.locator(".jp-DirListing-itemText", has_text=re.compile(f"^{re.escape(name)}$")).dblclick()
        page.locator(".lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel",
                     has_text=re.compile(f"^{re.escape(name)}$")).wait_for(timeout=LOAD_TIMEOUT)
        page.locator(f"{PANEL} .jp-Cell").first.wait_for(timeout=LOAD_TIMEOUT)
        page.get_by_text(IDLE).wait_for(timeout=LOAD_TIMEOUT)
        self.menu("Run", "Run All Cells")
        page.wait_for_function("""panel => {
            const prompts = [...document.querySelectorAll(panel + ' .jp-CodeCell .jp-InputPrompt')]
                .map(e => e.textContent.trim());
            return !prompts.includes('[*]:') && prompts.some(t => /^\\[\\d+\\]:$/.test(t));
        }""", arg=PANEL, timeout=RUN_TIMEOUT)
        page.get_by_text(IDLE).wait_for(timeout=RUN_TIMEOUT)
        cells = page.evaluate("""panel => [...document.querySelectorAll(panel + ' .jp-Cell')].map(cell => ({
            prompt: (cell.querySelector('.jp-InputPrompt') || {textContent: ''}).textContent.trim(),
            images: [...cell.querySelectorAll('.jp-OutputArea-output img')].map(i => i.complete && i.naturalWidth > 0),
            output: [...cell.querySelectorAll('.jp-OutputArea-output')].map(o => o.textContent).join('\\n'),
        }))""", PANEL)
        self.menu("File", re.compile(r"^Save Notebook(?! As)"))
        page.locator(".lm-TabBar-tab.lm-mod-current.jp-mod-dirty").wait_for(state="detached", timeout=30_000)
        self.menu("File", re.compile(r"^Close Tab"))
        page.locator(PANEL).wait_for(state="detached", timeout=30_000)
        for running in self.session.get(f"{self.base}/api/sessions", timeout=10).json():
            self.session.delete(f"{self.base}/api/sessions/{running['id']}", timeout=20)
        return {"cells": cells, "outside": list(self.outside)}


@pytest.fixture(scope="module")
def lab(lab_copies, chromium, tmp_path_factory):
    """``make lab`` on the copies, open in one Chromium page for the module's tests."""
    folder, _ = lab_copies
    tmp = tmp_path_factory.mktemp("lab-browser")
    with running_lab(tmp, folder) as (base, session, token):
        context = chromium(tmp / "chromium-profile")
        try:
            yield Lab(base, session, token, context.new_page(), folder)
        finally:
            context.close()


def lab_problems(seen: dict, source_nb, saved_nb) -> list[str]:
    """What a researcher would find wrong after Run All Cells: a cell that did not run, a
    figure cell without a loaded figure, a traceback on the page, an error output in the saved
    notebook, a request off this machine."""
    problems = []
    cells = seen["cells"]
    if len(cells) != len(source_nb.cells):
        return [f"the page shows {len(cells)} cells, the notebook has {len(source_nb.cells)}"]
    for i, (shown, cell) in enumerate(zip(cells, source_nb.cells)):
        if cell.cell_type != "code":
            continue
        if not re.fullmatch(r"\[\d+\]:", shown["prompt"]):
            problems.append(f"cell {i} did not run (prompt {shown['prompt']!r})")
        ran = bool(re.fullmatch(r"\[\d+\]:", shown["prompt"]))
        # A cell that ran and printed nothing took a branch that draws nothing (notebook 04 on a
        # single speech: "not enough to compare"); any other figure cell must show its figure.
        silent = ran and i < len(saved_nb.cells) and not saved_nb.cells[i].get("outputs")
        if FIGURE_CALL in cell.source and not any(shown["images"]) and not silent:
            problems.append(f"cell {i} saves a figure but shows none")
        if not all(shown["images"]):
            problems.append(f"cell {i}: an image did not load")
        if "Traceback" in shown["output"]:
            problems.append(f"cell {i} shows a traceback")
    for i, cell in enumerate(saved_nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                problems.append(f"cell {i} raised {output.get('ename')}")
    problems += [f"request off this machine: {url}" for url in seen["outside"]]
    return problems


def _notebook_names() -> list[str]:
    return [p.name for p in sorted(config.NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))]


@pytest.mark.slow
@pytest.mark.parametrize("name", _notebook_names())
def test_a_researcher_runs_the_notebook_in_jupyterlab(lab, lab_copies, name):
    import nbformat

    seen = lab.run_all_cells(name)
    saved = nbformat.read(lab.folder / name, as_version=4)  # the copy, with its FIGURES_DIR cell
    assert any(c.get("outputs") for c in saved.cells), "the notebook was not saved with its outputs"
    assert lab_problems(seen, saved, saved) == []
    # Every cell that drew a figure shows it (a branch that drew nothing printed nothing).
    figures = [c for c in saved.cells if c.cell_type == "code" and FIGURE_CALL in c.source and c.get("outputs")]
    assert figures and sum(any(s["images"]) for s in seen["cells"]) >= len(figures)
    _, figures_dir = lab_copies
    stem = name[:2]
    assert sorted(p.name for p in figures_dir.glob(f"{stem}-*.png")), f"no figure {stem}-*.png written"


@pytest.mark.slow
def test_the_jupyterlab_checks_see_a_failing_notebook(lab):
    import nbformat

    source = nbformat.read(lab.folder / BROKEN, as_version=4)
    seen = lab.run_all_cells(BROKEN)
    saved = nbformat.read(lab.folder / BROKEN, as_version=4)
    assert lab_problems(seen, source, saved) == [
        "cell 2 shows a traceback",
        "cell 3 did not run (prompt '[ ]:')",
        "cell 3 saves a figure but shows none",
        "cell 2 raised ZeroDivisionError",
    ]
