"""The HTML report (analysis.output.report): built from executed notebooks, refused from bad runs, and
opened in a real headless Chromium, where every page must render with its figures and no error."""
from __future__ import annotations

import base64
import functools
import http.server
import io
import threading
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from PIL import Image

from analysis.output.report import CJK_CHARS, ERROR_SELECTOR, ReportError, build_report, main, title_and_summary
from analysis.output.runner import INJECTED_TAG, notebook_paths

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def png_bytes(width: int = 30, height: int = 20) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def figure_output(data: bytes | None = None) -> dict:
    encoded = base64.b64encode(data if data is not None else png_bytes()).decode("ascii")
    return new_output("execute_result", data={"image/png": encoded, "text/plain": "<figure>"},
                      execution_count=2)


def write_pair(root: Path, name: str, title: str, *, figure: bytes | None = None,
               error: bool = False, stderr: str = "") -> tuple[Path, Path]:
    """A notebook in root/nbs and a hand-made executed copy of it in root/executed: a heading
    and question, a parameters cell, and a cell that saves a figure (its output a PNG)."""
    cells = [
        new_markdown_cell(f"# {title}\n\n**Question.** What does {name} show?\n\nMore text."),
        new_code_cell("FIGURES_DIR = None", metadata={"tags": ["parameters"]}),
        new_code_cell("fig = draw()\nanalysis.save_figure(fig, '00-x', FIGURES_DIR)"),
    ]
    for i, cell in enumerate(cells):
        cell["id"] = f"c{i}"
    source = new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC})
    (root / "nbs").mkdir(parents=True, exist_ok=True)
    (root / "executed").mkdir(parents=True, exist_ok=True)
    nbformat.write(source, root / "nbs" / name)
    executed = nbformat.reads(nbformat.writes(source), as_version=4)
    executed.metadata["papermill"] = {"parameters": {}, "exception": None}
    executed.cells[1].execution_count = 1
    executed.cells[2].execution_count = 2
    outputs = [figure_output(figure)]
    if stderr:
        outputs.insert(0, new_output("stream", name="stderr", text=stderr))
    if error:
        traceback = ["Traceback (most recent call last)", "ZeroDivisionError: division by zero"]
        outputs.append(new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                                  traceback=traceback))
    executed.cells[2].outputs = outputs
    nbformat.write(executed, root / "executed" / name)
    return root / "nbs" / name, root / "executed" / name


def build(root: Path, **kwargs) -> list[Path]:
    return build_report(root / "executed", root / "report", root / "nbs", **kwargs)


# --- building ---------------------------------------------------------------------------------

def test_title_and_summary_without_a_heading():
    assert title_and_summary(new_notebook(cells=[new_markdown_cell("plain text")])) == ("", "")
    markdown = new_markdown_cell("intro\n## 02 · Names 名稱\nWhich names?\n\nrest")
    nb = new_notebook(cells=[new_code_cell("x = 1"), markdown])
    assert title_and_summary(nb) == ("02 · Names 名稱", "Which names?")


def test_the_report_has_an_index_and_a_page_per_notebook(tmp_path):
    write_pair(tmp_path, "00-first.ipynb", "00 · First 第一")
    write_pair(tmp_path, "01-second.ipynb", "01 · Second 第二")
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "07-removed.html").write_text("a page of a notebook that is gone")
    written = build(tmp_path)
    report = tmp_path / "report"
    assert [p.name for p in written] == ["index.html", "00-first.html", "01-second.html"]
    assert sorted(p.name for p in report.glob("*.html")) == ["00-first.html", "01-second.html", "index.html"]
    assert (report / "fonts" / "NotoSansCJKtc-Regular.otf").is_file()

    index = (report / "index.html").read_text(encoding="utf-8")
    first_link = index.index('href="00-first.html">00 · First 第一</a>')
    assert first_link < index.index('href="01-second.html">01 · Second 第二</a>')
    assert "<strong>Question.</strong> What does 00-first.ipynb show?" in index
    assert "More text." not in index and "1 figure<" in index

    first = (report / "00-first.html").read_text(encoding="utf-8")
    assert "<title>00 · First 第一</title>" in first
    assert '<a href="index.html" rel="index">' in first and 'href="01-second.html" rel="next"' in first
    assert 'rel="prev"' not in first
    assert 'src="data:image/png;base64,' in first
    assert "<script src=" not in first  # no require.js, MathJax or mermaid from a CDN
    assert 'url("fonts/NotoSansCJKtc-Regular.otf")' in first


def test_the_report_is_the_same_bytes_when_built_again(tmp_path):
    write_pair(tmp_path, "00-first.ipynb", "00 · First")
    build(tmp_path)
    before = {p.name: p.read_bytes() for p in (tmp_path / "report").glob("*.html")}
    build(tmp_path)
    assert {p.name: p.read_bytes() for p in (tmp_path / "report").glob("*.html")} == before


def test_a_missing_or_stale_executed_copy_is_refused(tmp_path):
    source, executed = write_pair(tmp_path, "00-first.ipynb", "00 · First")
    nb = nbformat.read(source, as_version=4)
    nb.cells[2].source += "\nprint('edited after the run')"
    nbformat.write(nb, source)
    with pytest.raises(ReportError, match=r"00-first.ipynb: the executed copy is stale .*run make figures"):
        build(tmp_path)
    executed.unlink()
    with pytest.raises(ReportError, match=r"00-first.ipynb: no executed copy in .*: run make figures"):
        build(tmp_path)
    assert not (tmp_path / "report" / "index.html").exists()


def test_papermills_injected_cell_is_not_a_difference(tmp_path):
    _, executed = write_pair(tmp_path, "00-first.ipynb", "00 · First")
    nb = nbformat.read(executed, as_version=4)
    injected = new_code_cell("# Parameters\nFIGURES_DIR = '/tmp/x'\n", metadata={"tags": [INJECTED_TAG]})
    nb.cells.insert(2, injected)
    nb.metadata.papermill["parameters"] = {"FIGURES_DIR": "/tmp/x"}
    nbformat.write(nb, executed)
    build(tmp_path)
    index = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert "Parameters: <code>FIGURES_DIR = &#x27;/tmp/x&#x27;</code>" in index


def test_a_failed_run_is_refused_unless_errors_are_allowed(tmp_path, capsys):
    write_pair(tmp_path, "00-first.ipynb", "00 · First", error=True, stderr="a warning on stderr\n")
    with pytest.raises(ReportError, match=r"00-first.ipynb, cell 2: ZeroDivisionError: division by zero"):
        build(tmp_path)
    assert main(["--executed-dir", str(tmp_path / "executed"), "--out-dir", str(tmp_path / "report"),
                 "--notebooks-dir", str(tmp_path / "nbs")]) == 1
    assert "FAILED: 00-first.ipynb, cell 2: ZeroDivisionError" in capsys.readouterr().err
    build(tmp_path, allow_errors=True)
    page = (tmp_path / "report" / "00-first.html").read_text(encoding="utf-8")
    # Both look like stderr, as in JupyterLab; only the error is marked as one.
    assert page.count('data-mime-type="application/vnd.jupyter.stderr"') == 2
    assert page.count('data-output-type="error"') == 1


# --- in a real browser ------------------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def serve(tmp_path):
    """serve(folder) -> base URL of a static file server on 127.0.0.1, stopped after the test."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


FIGURE_CALL = "save_figure("
HEADINGS = "h1, h2, h3, h4"


def heading_glyphs(page) -> list[dict]:
    """For each heading of the loaded page that holds CJK characters: its ``text``, the number
    of ``cjk`` characters in it and how many of them Chromium ``drawn`` with the shipped font
    (the platform fonts it used for the heading's text, from the DevTools protocol), and the
    ``fonts`` it drew the heading with. A character no font has is drawn as an empty box in
    some other font: it shows here as a CJK character not drawn with the shipped font. The
    check does not depend on the machine's own fonts: the report draws CJK with its own font,
    so a system font answering for it is as wrong as none."""
    texts = page.evaluate("selector => [...document.querySelectorAll(selector)].map(e => e.textContent)", HEADINGS)
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node_ids = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": HEADINGS})["nodeIds"]
        assert len(node_ids) == len(texts)
        found = []
        for node_id, text in zip(node_ids, texts):
            cjk = len(CJK_CHARS.findall(text))
            if not cjk:
                continue
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node_id})["fonts"]
            drawn = sum(f["glyphCount"] for f in fonts if f["isCustomFont"] and "CJK" in f["familyName"])
            found.append({"text": text.strip(), "cjk": cjk, "drawn": drawn,
                          "fonts": sorted(f["familyName"] for f in fonts)})
        return found
    finally:
        cdp.detach()


def open_page(page, url: str) -> dict:
    """Load ``url`` and return what a reader would meet there: the HTTP status, JavaScript
    errors, requests that left this machine (blocked), images and their load state, error
    outputs, and whether the CJK font loaded."""
    seen = {"page_errors": [], "console_errors": [], "outside": []}
    page.on("pageerror", lambda exc: seen["page_errors"].append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and seen["console_errors"].append(msg.text))

    def only_local(route):
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith("data:") or host == "127.0.0.1":
            return route.continue_()
        seen["outside"].append(route.request.url)
        return route.abort()

    page.route("**/*", only_local)
    response = page.goto(url, wait_until="load")
    page.evaluate("document.fonts.ready")
    seen["status"] = response.status if response is not None else None
    seen["title"] = page.title()
    seen.update(page.evaluate("""error_selector => ({
        images: [...document.images].map(img => ({
            loaded: img.complete && img.naturalWidth > 0,
            cell: img.closest('.jp-Cell') ? img.closest('.jp-Cell').id : null})),
        errors: [...document.querySelectorAll(error_selector)].map(e => e.innerText.slice(0, 200)),
        cells: document.querySelectorAll('.jp-Cell').length,
        cjk_font: [...document.fonts].some(f => f.family.replace(/"/g, '') === 'Report CJK'
                                                  && f.status === 'loaded'),
        links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
    })""", ERROR_SELECTOR))
    seen["glyphs"] = heading_glyphs(page)
    page.unroute("**/*")
    return seen


def page_problems(seen: dict, source_nb) -> list[str]:
    """What is wrong with a report page, given what :func:`open_page` saw and the notebook it
    shows: it must load, show every cell, a loaded image in every cell that saves a figure,
    no error output, no script error and no request off this machine."""
    problems = []
    if seen["status"] != 200:
        problems.append(f"HTTP status {seen['status']}")
    if seen["cells"] != len(source_nb.cells):
        problems.append(f"{seen['cells']} cells shown, the notebook has {len(source_nb.cells)}")
    broken = [img for img in seen["images"] if not img["loaded"]]
    if broken:
        problems.append(f"{len(broken)} image(s) did not load")
    for cell in source_nb.cells:
        # A cell that printed nothing took a branch that draws nothing (notebook 04 on a single
        # speech: "not enough to compare"); any other figure cell must show its figure.
        if cell.cell_type == "code" and FIGURE_CALL in cell.source and cell.get("outputs", [None]):
            shown = [img for img in seen["images"] if img["cell"] == f"cell-id={cell.id}" and img["loaded"]]
            if not shown:
                problems.append(f"cell {cell.id} saves a figure but shows none")
    problems += [f"error output: {text}" for text in seen["errors"]]
    problems += [f"script error: {text}" for text in seen["page_errors"] + seen["console_errors"]]
    problems += [f"request off this machine: {url}" for url in seen["outside"]]
    problems += [f"heading {g['text']!r}: {g['cjk'] - g['drawn']} of {g['cjk']} CJK characters not drawn with "
                 f"the report's CJK font (drawn with {', '.join(g['fonts'])})"
                 for g in seen["glyphs"] if g["drawn"] < g["cjk"]]
    return problems


@pytest.mark.slow
def test_the_report_of_the_real_notebooks_in_chromium(executed_notebooks, browser, serve, tmp_path):
    runs, _, executed_dir = executed_notebooks
    report = tmp_path / "report"
    build_report(executed_dir, report)
    base = serve(report)
    page = browser.new_page()

    index = open_page(page, base + "index.html")
    assert index["status"] == 200 and index["title"] == "Chinese official speeches: the notebooks"
    pages = [p.stem + ".html" for p in notebook_paths()]
    assert index["links"] == pages
    assert index["cjk_font"], "the index did not load the CJK font"
    assert index["outside"] == [] and index["page_errors"] == []
    # Every notebook's title is listed, its Chinese drawn with the shipped font (no box).
    assert len(index["glyphs"]) == len(pages)
    assert [g for g in index["glyphs"] if g["drawn"] < g["cjk"]] == []

    for href, run in zip(pages, runs):
        seen = open_page(page, base + href)
        assert page_problems(seen, run.notebook) == [], href  # the executed notebook: its
        source = nbformat.read(run.path, as_version=4)        # injected cell is shown too
        heading, _ = title_and_summary(source)
        assert seen["title"] == heading
        assert seen["cjk_font"], f"{href}: the CJK font did not load"
        # The heading's Chinese (語料概覽, 歷時變化 …) is drawn, not boxed: page_problems above
        # checks every heading; this says that there was one to check.
        assert seen["glyphs"] and seen["glyphs"][0]["text"].startswith(heading[:2]), href
        # Every cell that drew a figure in this run shows it (a branch that drew nothing printed
        # nothing: notebook 04 on a single speech).
        figures = sum(FIGURE_CALL in c.source and bool(c.get("outputs"))
                      for c in run.notebook.cells if c.cell_type == "code")
        assert len(seen["images"]) >= figures > 0
        assert "index.html" in seen["links"]


@pytest.mark.slow
def test_the_browser_check_sees_empty_boxes(browser, serve, tmp_path, monkeypatch):
    # The font order of the first reports: the generic families before the shipped font. On a
    # machine without a CJK font Chromium draws the heading's Chinese as boxes (and with one,
    # in a font other than the report's): the check must say so, for the index and the page.
    import analysis.output.report as report

    old = 'system-ui, -apple-system, "Segoe UI", helvetica, arial, sans-serif, "Report CJK"'
    monkeypatch.setattr(report, "UI_FONTS", old)
    monkeypatch.setattr(report, "CJK_RANGES", "U+0-10FFFF")
    _, executed = write_pair(tmp_path, "00-boxes.ipynb", "00 · Corpus overview 語料概覽")
    build(tmp_path)
    base = serve(tmp_path / "report")
    page = browser.new_page()
    seen = open_page(page, base + "00-boxes.html")
    assert seen["cjk_font"]   # the font loads all the same: that alone proves nothing
    problems = page_problems(seen, nbformat.read(executed, as_version=4))
    assert len(problems) == 1 and problems[0].startswith(
        "heading '00 · Corpus overview 語料概覽¶': 4 of 4 CJK characters not drawn with the report's CJK font")
    index = open_page(page, base + "index.html")
    assert [(g["cjk"], g["drawn"]) for g in index["glyphs"]] == [(4, 0)]


@pytest.mark.slow
def test_the_browser_check_sees_a_broken_figure_and_an_error(browser, serve, tmp_path):
    # The same check on a page that is wrong in two ways must name both: an image that
    # cannot be decoded, and a cell that raised.
    _, executed = write_pair(tmp_path, "00-bad.ipynb", "00 · Bad", figure=b"not a png", error=True)
    build(tmp_path, allow_errors=True)
    base = serve(tmp_path / "report")
    seen = open_page(browser.new_page(), base + "00-bad.html")
    assert page_problems(seen, nbformat.read(executed, as_version=4)) == [
        "1 image(s) did not load",
        "cell c2 saves a figure but shows none",
        "error output: Traceback (most recent call last)\nZeroDivisionError: division by zero",
    ]
