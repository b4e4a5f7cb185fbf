"""The executed notebooks as a browsable static HTML report: ``python -m analysis.report``.

``make report`` runs the notebooks (``make figures``) and then this: one page per executed
notebook in ``build/notebooks/``, rendered by nbconvert's ``lab`` template (the page looks
like the notebook in JupyterLab, figures embedded as PNG), and ``build/report/index.html``
linking them with each notebook's title and question. The folder is self-contained: no
script, style or font is fetched from the network, so it opens offline, from a zip or a
static file server. The figures' CJK font (Noto Sans CJK TC) goes into ``fonts/`` beside the
pages, so Chinese text reads the same on a machine without a CJK font of its own.

Why nbconvert rather than Jupyter Book or Quarto: the executed notebooks already exist after
``make figures``, and nbconvert renders them as they are, in a second per notebook, with a
library JupyterLab already installs. Jupyter Book (Sphinx in version 1, the Node.js mystmd
in version 2) and Quarto (a separate, non-Python toolchain) build whole websites with
cross-references and search: more machinery than four to a dozen notebooks need, and more
that can break on a machine with only pip.

What the report changes in the ``lab`` template: it leaves out require.js, MathJax and
mermaid, which the template loads from a CDN and no cell here needs (markdown math or a
mermaid diagram would show as typed); it draws Chinese with the CJK font beside the pages
(:data:`CJK_FAMILY`, listed first with a ``unicode-range`` of the CJK blocks, so Latin text
keeps the system's fonts and no generic family such as ``sans-serif`` can answer for a Han
character first: Chromium on Debian without a CJK font then draws empty boxes); it adds
links to the index and the neighbouring pages; and it marks an error output
``data-output-type="error"``: nbconvert, like JupyterLab, renders an error exactly as stderr
text, and a browser must tell an error from a warning.

A report is only made from a clean run: an executed copy that is missing, older than its
notebook (its cells differ) or shows an error stops the build, naming the notebook.
"""
from __future__ import annotations

import argparse
import html
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .. import config
from ..common.wording import counted
from .runner import INJECTED_TAG, notebook_paths, skip_rfc3987_grammar

ERROR_SELECTOR = '[data-output-type="error"]'
"""CSS selector of the error outputs on a report page."""
CJK_FAMILY = "Report CJK"
"""The font family name the pages give the shipped CJK font."""
CJK_RANGES = ("U+2E80-2FDF, U+3000-30FF, U+3100-312F, U+3190-31FF, U+3400-4DBF, U+4E00-9FFF, U+F900-FAFF, "
              "U+FE30-FE4F, U+FF00-FFEF, U+20000-2FA1F")
"""The characters the shipped font draws: CJK radicals, symbols and punctuation, kana and
bopomofo, the unified and compatibility ideographs, vertical and full-width forms."""
_BOUNDS = [[int(x, 16) for x in r.strip().removeprefix("U+").split("-")] for r in CJK_RANGES.split(",")]
CJK_CHARS = re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in _BOUNDS) + "]")
"""A character the shipped font is meant to draw (one in :data:`CJK_RANGES`)."""
UI_FONTS = f'"{CJK_FAMILY}", system-ui, -apple-system, "Segoe UI", helvetica, arial, sans-serif'
CODE_FONTS = f'"{CJK_FAMILY}", menlo, consolas, "DejaVu Sans Mono", monospace'


def font_face(url: str) -> str:
    """The ``@font-face`` rule of the shipped CJK font at ``url`` (relative to the page)."""
    return (f'@font-face {{ font-family: "{CJK_FAMILY}"; src: url("{html.escape(url)}"); '
            f"unicode-range: {CJK_RANGES}; }}")
_PAPERMILL_BANNER_TAG = "papermill-error-cell-tag"
_TEMPLATE_NAME = "speeches-report.html.j2"
_TEMPLATE = """\
{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style type="text/css">
nav.report-nav { font-family: var(--jp-ui-font-family); font-size: var(--jp-ui-font-size1);
  padding: 8px 0 12px; border-bottom: 1px solid var(--jp-border-color2); margin-bottom: 12px; }
nav.report-nav a { margin-right: 1.5em; }
</style>
{%- endblock extra_css -%}
{%- block html_head_css -%}
<style type="text/css">
{{ resources.report.font_face }}
:root {
  --jp-ui-font-family: {{ resources.report.ui_fonts }};
  --jp-content-font-family: {{ resources.report.ui_fonts }};
  --jp-code-font-family: {{ resources.report.code_fonts }};
}
</style>
{%- endblock html_head_css -%}
{%- block body_header -%}
{{ super() }}
<nav class="report-nav">
<a href="{{ resources.report.index }}" rel="index">Index</a>
{%- if resources.report.previous %}
<a href="{{ resources.report.previous.href }}" rel="prev">&larr; {{ resources.report.previous.title | e }}</a>
{%- endif %}
{%- if resources.report.next %}
<a href="{{ resources.report.next.href }}" rel="next">{{ resources.report.next.title | e }} &rarr;</a>
{%- endif %}
</nav>
{%- endblock body_header -%}
{% block error -%}
<div class="jp-RenderedText jp-OutputArea-output" data-output-type="error"
     data-mime-type="application/vnd.jupyter.stderr">
<pre>
{%- for line in output.traceback %}
{{ line | ansi2html }}
{%- endfor -%}
</pre>
</div>
{%- endblock error %}
"""


class ReportError(RuntimeError):
    """The report cannot be built: an executed notebook is missing, stale or failed."""


@dataclass
class Page:
    """One notebook of the report: its ``source`` notebook, the executed copy ``executed``,
    the page file name ``href``, its ``title`` (the first markdown heading), its ``summary``
    (the first paragraph after that heading, as HTML), the number of ``figures`` (image
    outputs) and the papermill ``parameters`` it ran with."""

    source: Path
    executed: Path
    href: str
    title: str
    summary: str = ""
    figures: int = 0
    parameters: dict = field(default_factory=dict)


def title_and_summary(nb) -> tuple[str, str]:
    """The first markdown heading of ``nb`` (without its ``#``) and the markdown paragraph
    that follows it in the same cell ("" when there is none).

    >>> from nbformat.v4 import new_markdown_cell, new_notebook
    >>> title_and_summary(new_notebook(cells=[new_markdown_cell("# 01 · Words\\n\\n**Question.** Which?")]))
    ('01 · Words', '**Question.** Which?')
    """
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        for i, line in enumerate(lines):
            heading = re.match(r"#{1,6}\s+(.*\S)", line)
            if heading:
                rest = "\n".join(lines[i + 1:]).strip()
                paragraph = re.split(r"\n\s*\n", rest, maxsplit=1)[0].strip() if rest else ""
                return heading.group(1).strip(), paragraph
    return "", ""


def _executed_cells(nb) -> list:
    """The cells of an executed copy that came from the notebook file: papermill's injected
    parameters cell and its error banners left out."""
    skip = {INJECTED_TAG, _PAPERMILL_BANNER_TAG}
    return [c for c in nb.cells if not skip & set(c.metadata.get("tags", []))]


def check_executed(source: Path, executed_nb, *, allow_errors: bool = False) -> None:
    """Raise :class:`ReportError` unless ``executed_nb`` is a clean run of the notebook file
    ``source``: the same cells in the same order (else it is stale: run ``make figures``) and,
    unless ``allow_errors``, no error output."""
    import nbformat

    nb = nbformat.read(str(source), as_version=4)
    want = [(c.cell_type, c.source) for c in nb.cells]
    have = [(c.cell_type, c.source) for c in _executed_cells(executed_nb)]
    if want != have:
        raise ReportError(f"{source.name}: the executed copy is stale (the notebook changed since "
                          "it ran): run make figures")
    if allow_errors:
        return
    for i, cell in enumerate(_executed_cells(executed_nb)):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                raise ReportError(f"{source.name}, cell {i}: {output.get('ename')}: "
                                  f"{output.get('evalue')} (the run failed: fix it, then make figures)")
    if executed_nb.metadata.get("papermill", {}).get("exception"):
        raise ReportError(f"{source.name}: papermill recorded an exception in this run")


def _exporter():
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
        template_file=_TEMPLATE_NAME,
        embed_images=True,  # an image a markdown cell links to goes into the page too
    )


def render_page(nb, page: Page, previous: Page | None = None, next_: Page | None = None,
                exporter=None, font: str = "") -> str:
    """The HTML page of the executed notebook ``nb``, with links to the index and to the
    ``previous`` and ``next_`` pages; ``font`` is the URL of the CJK font file, relative to
    the page."""
    exporter = exporter or _exporter()
    def link(other: Page | None) -> dict | None:
        return {"href": other.href, "title": other.title} if other is not None else None

    resources = {
        "metadata": {"name": page.title or page.source.stem, "path": str(page.source.parent)},
        "report": {"index": "index.html", "previous": link(previous), "next": link(next_),
                   "font_face": font_face(font), "ui_fonts": UI_FONTS, "code_fonts": CODE_FONTS},
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def copy_font(out_dir: Path) -> str:
    """Copy the figures' CJK font (:func:`analysis.figures.cjk_font_path`) into
    ``out_dir/fonts/`` unless it is there already, and return its URL relative to
    ``out_dir``. Pages fall back to it for Han characters, so they read the same, in
    Traditional glyph forms, on a machine without a CJK font."""
    import shutil

    from .figures import cjk_font_path

    font = cjk_font_path()
    target = out_dir / "fonts" / font.name
    if not target.is_file() or target.stat().st_size != font.stat().st_size:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(font, target)
    return f"fonts/{font.name}"


def _index_html(pages: list[Page], heading: str, font: str) -> str:
    from nbconvert.filters import markdown2html

    items = []
    for page in pages:
        params = ""
        if page.parameters:
            shown = ", ".join(f"{k} = {v!r}" for k, v in page.parameters.items())
            params = f'<p class="params">Parameters: <code>{html.escape(shown)}</code></p>'
        figures = counted(page.figures, "figure")
        items.append(
            f'<li><h2><a href="{html.escape(page.href)}">{html.escape(page.title or page.source.stem)}</a></h2>\n'
            f'<div class="summary">{markdown2html(page.summary) if page.summary else ""}</div>\n'
            f'<p class="meta"><code>notebooks/{html.escape(page.source.name)}</code> · {figures}</p>'
            f"{params}</li>"
        )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(heading)}</title>
<style>
{font_face(font)}
body {{ font-family: {UI_FONTS}; max-width: 56em;
  margin: 2em auto; padding: 0 1em; line-height: 1.5; color: #222; }}
ol.notebooks {{ list-style: none; padding: 0; }}
ol.notebooks li {{ border-top: 1px solid #ddd; padding: 0.5em 0 1em; }}
ol.notebooks h2 {{ font-size: 1.2em; margin: 0.4em 0; }}
p.meta, p.params {{ color: #666; font-size: 0.9em; margin: 0.2em 0; }}
</style>
</head>
<body>
<main>
<h1>{html.escape(heading)}</h1>
<p>The project's notebooks as they last ran (<code>make report</code>): code, tables and figures.</p>
<ol class="notebooks">
{chr(10).join(items)}
</ol>
</main>
</body>
</html>
"""


def build_report(
    executed_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    notebooks_dir: str | Path | None = None,
    *,
    allow_errors: bool = False,
    heading: str = "Chinese official speeches: the notebooks",
) -> list[Path]:
    """Render every notebook of ``notebooks_dir`` (default notebooks/) from its executed copy
    in ``executed_dir`` (default build/notebooks/) into ``out_dir`` (default build/report/):
    ``index.html`` first, then one ``NN-name.html`` per notebook (and the CJK font, in
    ``fonts/``). Returns the pages.

    Pages of notebooks that no longer exist are removed from ``out_dir``. Raises
    :class:`ReportError` when an executed copy is missing, stale or shows an error (unless
    ``allow_errors``).
    """
    import nbformat

    executed_dir = Path(executed_dir) if executed_dir is not None else config.BUILD_DIR / "notebooks"
    out_dir = Path(out_dir) if out_dir is not None else config.BUILD_DIR / "report"
    sources = notebook_paths(notebooks_dir)
    if not sources:
        raise ReportError(f"no notebook (NN-name.ipynb) in {notebooks_dir or config.NOTEBOOKS_DIR}")
    pages, notebooks = [], []
    for source in sources:
        executed = executed_dir / source.name
        if not executed.is_file():
            raise ReportError(f"{source.name}: no executed copy in {executed_dir}: run make figures")
        nb = nbformat.read(str(executed), as_version=4)
        check_executed(source, nb, allow_errors=allow_errors)
        title, summary = title_and_summary(nb)
        figures = sum(1 for c in nb.cells for o in c.get("outputs", [])
                      if any(k.startswith("image/") for k in o.get("data", {})))
        parameters = dict(nb.metadata.get("papermill", {}).get("parameters") or {})
        pages.append(Page(source, executed, source.stem + ".html", title, summary, figures, parameters))
        notebooks.append(nb)

    out_dir.mkdir(parents=True, exist_ok=True)
    keep = {"index.html"} | {p.href for p in pages}
    for old in sorted(out_dir.glob("*.html")):
        if old.name not in keep:
            old.unlink()
    exporter = _exporter()
    font = copy_font(out_dir)
    written = [out_dir / "index.html"]
    written[0].write_text(_index_html(pages, heading, font), encoding="utf-8")
    for i, (page, nb) in enumerate(zip(pages, notebooks)):
        previous = pages[i - 1] if i > 0 else None
        next_ = pages[i + 1] if i + 1 < len(pages) else None
        path = out_dir / page.href
        path.write_text(render_page(nb, page, previous, next_, exporter, font), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis.report",
        description="Render the executed notebooks (build/notebooks/, written by make figures) "
                    "as a static HTML report with an index (build/report/index.html).",
    )
    parser.add_argument("--executed-dir", type=Path, default=None,
                        help="executed notebooks (default build/notebooks/)")
    parser.add_argument("--out-dir", type=Path, default=None, help="where the report goes (default build/report/)")
    parser.add_argument("--notebooks-dir", type=Path, default=None, help="the notebooks (default notebooks/)")
    args = parser.parse_args(argv)
    skip_rfc3987_grammar()
    try:
        written = build_report(args.executed_dir, args.out_dir, args.notebooks_dir)
    except ReportError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(written) - 1} pages and {written[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
