"""The one way figures are drawn and written: a CJK font for every label, a run that fails on
a missing glyph instead of drawing boxes, and files that are byte-identical on every rerun.

Notebooks call :func:`setup_matplotlib` once, build a figure with :mod:`analysis.plots`,
then write it with :func:`save_figure`::

    FIGURES_DIR = None                      # parameters cell; None means figures/
    ...
    setup_matplotlib()
    fig = plot_structure(parts)
    save_figure(fig, "00-structure", FIGURES_DIR)
    fig                                     # shows it in the notebook

The font is Noto Sans CJK TC from the ``cvttf-notosanscjk-regular`` wheel (pip, no system
package); the environment variable ``SPEECHES_CJK_FONT`` may point to another font file.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import re
import sys
import warnings
from contextlib import ExitStack
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure

from .. import config
from ..common.atomic import replacing
from ..common.deprecation import renamed_arguments
from .tables import write_csv

FONT_ENV = "SPEECHES_CJK_FONT"
_FONT_PACKAGE = "cvttf_NotoSansCJK_Regular"
_FONT_SUFFIXES = (".otf", ".ttf", ".ttc")
FIGURE_NAME = re.compile(r"\d\d-[a-z0-9]+(?:-[a-z0-9]+)*")
"""What a figure's name looks like: the notebook's number, then a kebab-case slug."""

# Everything that makes a rerun write different bytes is fixed here.
_RC = {
    "axes.unicode_minus": False,  # U+2212 is absent from some CJK fonts; ASCII '-' never is
    "svg.fonttype": "path",       # text as outlines: the SVG shows the same glyphs everywhere
    "svg.hashsalt": "chinese-speeches",  # stable ids inside the SVG
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "figure.max_open_warning": 20,
    "figure.autolayout": False,
}
_SAVE_METADATA = {
    "png": {"Software": None},                # no "Matplotlib version x" line
    "svg": {"Date": None, "Creator": None},   # no timestamp, no version
}
MAX_SIDE_PX = 4000
"""No figure side may exceed this (at ``savefig.dpi``): a bigger chart is one nobody can read."""
# matplotlib's words (matplotlib/_text_helpers.py and font_manager.py).
GLYPH_WARNING = r"Glyph \d+ \(.*\) missing from font\(s\)"
FONT_NOT_FOUND = re.compile(r"findfont: (?:Font|Generic) family .* not found")


class MissingFontError(RuntimeError):
    """A label asked for a font family matplotlib cannot find (it would fall back to a font
    without Chinese glyphs), or the CJK font file itself is missing."""


def cjk_font_path() -> Path:
    """The CJK font file every figure uses: ``$SPEECHES_CJK_FONT`` if set, else the Noto Sans
    CJK TC file installed by pip. Raises :class:`MissingFontError` if the file is missing.

    >>> cjk_font_path().name
    'NotoSansCJKtc-Regular.otf'
    """
    override = os.environ.get(FONT_ENV)
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise MissingFontError(f"{FONT_ENV}={override!r}: no such font file")
        return path.resolve()
    spec = importlib.util.find_spec(_FONT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise MissingFontError(
            f"the package {_FONT_PACKAGE!r} (pip: cvttf-notosanscjk-regular) is not installed; "
            f"install the project (make install) or set {FONT_ENV} to a CJK font file"
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    fonts = sorted(p for p in folder.iterdir() if p.suffix.lower() in _FONT_SUFFIXES)
    if not fonts:
        raise MissingFontError(
            f"{folder}: no font file in the {_FONT_PACKAGE} package; reinstall it "
            f"or set {FONT_ENV} to a CJK font file"
        )
    return fonts[0]


def cjk_font_name() -> str:
    """The family name matplotlib knows the CJK font by (e.g. ``'Noto Sans CJK TC'``)."""
    return font_manager.get_font(str(cjk_font_path())).family_name


class _FontNotFoundHandler(logging.Handler):
    """Turns matplotlib's "findfont: Font family … not found" log line into an exception:
    matplotlib would otherwise fall back to DejaVu Sans and draw every Chinese label as boxes.
    Each message is also kept in :attr:`records` for inspection."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if FONT_NOT_FOUND.search(message):
            self.records.append(message)
            raise MissingFontError(
                f"{message} (figures use {cjk_font_name()!r}; see analysis.figures)"
            )


def _font_handler() -> _FontNotFoundHandler:
    logger = logging.getLogger("matplotlib.font_manager")
    for handler in logger.handlers:
        if isinstance(handler, _FontNotFoundHandler):
            return handler
    handler = _FontNotFoundHandler()
    logger.addHandler(handler)
    return handler


def setup_matplotlib() -> str:
    """Register the CJK font with matplotlib and fix the settings that make figures
    reproducible; returns the font's family name. Safe to call any number of times.

    After it, a missing glyph raises (``UserWarning`` turned into an error) and so does a
    font family matplotlib cannot find (:class:`MissingFontError`), instead of boxes.
    """
    path = cjk_font_path()
    if not any(Path(f.fname) == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(path))  # once per process
    name = cjk_font_name()
    matplotlib.rcParams.update(_RC)
    matplotlib.rcParams["font.family"] = [name]
    # Code that asks for the generic family (networkx's default) gets the CJK font too.
    rest = [f for f in matplotlib.rcParams["font.sans-serif"] if f != name]
    matplotlib.rcParams["font.sans-serif"] = [name, *rest]
    # Re-applied on every call: pytest and warnings.catch_warnings() restore the filter list.
    warnings.filterwarnings("error", message=GLYPH_WARNING, category=UserWarning)
    _font_handler()
    _enable_notebook_display()
    return name


def _enable_notebook_display() -> None:
    """In IPython, show a bare ``Figure`` (what :mod:`analysis.plots` returns) as a PNG when it
    is a cell's last expression; without pyplot nobody has registered that formatter yet."""
    ipython = sys.modules.get("IPython")  # not imported: not in IPython, nothing to do
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    formatters = shell.display_formatter.formatters
    for mime in ("image/png", "image/svg+xml", "image/jpeg", "application/pdf"):
        try:
            formatters[mime].lookup_by_type(Figure)
            return  # the inline backend (or the user's %config) already shows figures
        except (KeyError, TypeError):
            continue
    from IPython.core.pylabtools import select_figure_formats

    select_figure_formats(shell, {"png"}, bbox_inches="tight")


class SavedFigure(tuple):
    """The ``(png_path, svg_path)`` pair :func:`save_figure` returns. In a notebook,
    :func:`save_figure` has already shown the PNG it wrote (wherever in the cell it was called,
    inside an ``if`` too), so as a cell's last expression the pair shows nothing more; outside
    IPython it is a plain pair of paths."""

    def _repr_png_(self) -> bytes:
        return self[0].read_bytes()

    def _ipython_display_(self) -> None:
        """Shown already by :func:`save_figure`: nothing to add."""


def _show(png: Path) -> None:
    """Show the PNG just written as the cell's output, when running in IPython."""
    ipython = sys.modules.get("IPython")
    if ipython is None or ipython.get_ipython() is None:
        return
    from IPython.display import Image, display

    display(Image(data=png.read_bytes(), format="png"))


@renamed_arguments(moved=("figures_dir",))
def save_figure(fig: Figure, name: str, *, figures_dir: str | Path | None = None,
                data: pd.DataFrame | None = None) -> SavedFigure:
    """Write ``fig`` as ``<figures_dir>/<name>.png`` and ``.svg``, and the numbers behind it as
    ``<name>.csv``, then close it; returns the PNG and SVG paths. The CSV holds ``data``, or
    the frame the chart was drawn from (``fig.plotted_data``, which every chart of
    :mod:`analysis.plots` and :func:`word_cloud` keeps); a figure with neither is an error,
    since data portals and journals expect the numbers behind a chart.

    ``figures_dir`` None means :data:`analysis.config.FIGURES_DIR` (notebooks pass their
    ``FIGURES_DIR`` parameter, so a headless run can write elsewhere). ``name`` is the
    notebook's number and a slug, e.g. ``"01-keyness"``. A rerun writes identical bytes.
    In a notebook the PNG just written is shown as the cell's output (the figure is not drawn
    a second time), wherever in the cell ``save_figure`` is called.

    Raises ``ValueError`` for a badly formed name, and (after :func:`setup_matplotlib`) a
    ``UserWarning`` error or :class:`MissingFontError` if a label cannot be drawn.
    """
    if not FIGURE_NAME.fullmatch(name):
        raise ValueError(
            f"figure name {name!r}: expected the notebook's number and a kebab-case slug, "
            f"like '01-keyness' (pattern {FIGURE_NAME.pattern})"
        )
    setup_matplotlib()
    data = data if data is not None else getattr(fig, "plotted_data", None)
    if data is None:
        _close(fig)
        raise ValueError(f"figure {name!r}: no data behind it; pass save_figure(..., data=frame)")
    dpi = _RC["savefig.dpi"]
    width, height = (float(v) * dpi for v in fig.get_size_inches())
    if max(width, height) > MAX_SIDE_PX:
        _close(fig)
        raise ValueError(f"figure {name!r} would be {width:.0f} × {height:.0f} px; at most {MAX_SIDE_PX} px a "
                         "side stays readable: draw a grouped view or fewer panels")
    folder = Path(figures_dir) if figures_dir is not None else config.FIGURES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    try:
        if fig.get_layout_engine() is not None:
            # Laid out once, at the PNG's resolution, and kept for both files: savefig would
            # otherwise run the layout engine (which measures every label) for each.
            shown_dpi, fig.dpi = fig.dpi, dpi
            fig.draw_without_rendering()
            fig.dpi = shown_dpi
            fig.set_layout_engine(None)
        # Each file is drawn into a temporary file beside it and renamed over the old one only
        # when all three are complete (the CSV first, the PNG last): an interrupted or
        # refused save leaves the previous PNG, SVG and CSV whole, never a truncated file
        # that looks current (analysis.atomic).
        with ExitStack() as written:
            for fmt, metadata in _SAVE_METADATA.items():
                path = folder / f"{name}.{fmt}"
                fig.savefig(written.enter_context(replacing(path)), format=fmt, metadata=metadata, dpi=dpi)
                paths.append(path)
                if fmt == "png":
                    # Checked on the layout the PNG was drawn with (drawing it again costs as
                    # much as the save).
                    clashes = overprinted_labels(fig, drawn=True)
                    if clashes:
                        shown = "; ".join(f"{a!r} and {b!r}" for a, b in clashes[:5])
                        raise ValueError(f"figure {name!r}: {len(clashes)} tick labels overprint each other "
                                         f"({shown}): draw fewer categories, group them, or make the figure "
                                         "larger")
            _write_csv(data, folder / f"{name}.csv")
    finally:
        _close(fig)
    _show(paths[0])
    return SavedFigure(paths)


def overprinted_labels(fig: Figure, drawn: bool = False) -> list[tuple[str, str]]:
    """Pairs of tick labels of one axis that overlap once the figure is drawn (a chart with
    more categories than its axis can hold): ``[(label, next_label), …]``, empty when every
    label has room. ``drawn``: the figure has just been drawn (saved), so its layout is
    final and need not be computed again."""
    renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else None
    if renderer is None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        renderer = FigureCanvasAgg(fig).get_renderer()
    if not drawn:
        fig.draw_without_rendering()
    clashes = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for labels, lo, hi in ((ax.get_xticklabels(), "x0", "x1"), (ax.get_yticklabels(), "y0", "y1")):
            boxes = sorted(((getattr(b, lo), getattr(b, hi), t.get_text()) for t in labels
                            if t.get_visible() and t.get_text().strip()
                            for b in [t.get_window_extent(renderer)]), key=lambda x: x[0])
            for (_, a1, a), (b0, _, b) in zip(boxes, boxes[1:]):
                if b0 < a1 - 0.5:   # half a pixel of antialiasing is not an overlap
                    clashes.append((a, b))
    return clashes


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """The figure's data as UTF-8 CSV through :func:`analysis.tables.write_csv`: identical
    bytes on every rerun (LF line ends, floats to 6 significant digits, no index),
    formula-like cells escaped, written atomically."""
    write_csv(frame, path, float_format="%.6g")


def _close(fig: Figure) -> None:
    # A figure made with pyplot stays registered until closed; one made by Figure() does not.
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close(fig)


def word_cloud(
    frequencies: dict[str, float],
    *,
    width: int = 800,
    height: int = 500,
    max_words: int = 150,
    max_font_size: int | None = None,
    random_state: int = 42,
    background_color: str = "white",
    colormap: str = "viridis",
    title: str | None = None,
) -> Figure:
    """A word cloud of ``frequencies`` (word → count or weight) as a matplotlib Figure.

    The words are placed as given: wordcloud never splits text itself (its regex tokenizer
    knows nothing about Chinese). ``random_state`` fixes the layout, so the same input draws
    the same picture. Raises ``ValueError`` for an empty input and :class:`MissingFontError`
    if a word has a character the CJK font lacks (wordcloud would draw it as a box).
    ``max_font_size`` defaults to a quarter of the height: wordcloud's own default (the whole
    height) makes it search down from sizes no word can take, reloading the large CJK font at
    each step, which doubles the time for the same picture of the first words.
    """
    from wordcloud import WordCloud

    frequencies = {str(w): float(f) for w, f in frequencies.items() if f > 0 and str(w).strip()}
    if not frequencies:
        raise ValueError("word_cloud: no word with a positive frequency")
    font = cjk_font_path()
    chars = {ch for word in frequencies for ch in word if not ch.isspace()}
    missing = sorted(ch for ch in chars if not _has_glyph(ch))
    if missing:
        raise MissingFontError(
            f"word_cloud: {font.name} has no glyph for {' '.join(missing)!r} "
            f"(in {sorted(w for w in frequencies if set(w) & set(missing))[:5]})"
        )
    cloud = WordCloud(
        font_path=str(font), width=width, height=height, max_words=max_words,
        random_state=random_state, background_color=background_color, colormap=colormap,
        max_font_size=max_font_size if max_font_size is not None else height // 4,
        prefer_horizontal=0.9,
    ).generate_from_frequencies(frequencies)
    setup_matplotlib()
    fig = Figure(figsize=(width / 100, height / 100), layout="constrained")
    ax = fig.subplots()
    ax.imshow(cloud.to_array(), interpolation="bilinear")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    fig.plotted_data = pd.DataFrame({"word": list(frequencies), "weight": list(frequencies.values())})
    return fig


def _has_glyph(char: str) -> bool:
    return font_manager.get_font(str(cjk_font_path())).get_char_index(ord(char)) != 0
