"""Charts for the notebooks: each takes a DataFrame and returns a matplotlib ``Figure``.

Nothing here writes a file; a notebook passes the figure to
:func:`analysis.figures.save_figure`. Column names are arguments with the defaults the rest of
the package uses. With a ``speech_id`` column holding several speeches, each chart draws one
panel per speech (or one group of bars per speech), in the order the speeches first appear.

The figures are plain ``matplotlib.figure.Figure`` objects, not pyplot figures: nothing is
left open between cells, and a notebook shows one by making it the cell's last expression.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ..common.deprecation import renamed_arguments
from ..common.wording import counted
from ..measures.groups import SMALL_MULTIPLES
from ..text.outline import cn_numeral  # noqa: F401  (re-exported for plots users)
from .figures import cjk_font_name, setup_matplotlib

SPEECH = "speech_id"
_COLORS = matplotlib.colormaps["tab10"].colors
_PART_NAMES = {  # outline parts, in reading order
    "salutation": "稱呼 salutation",
    "preamble": "前言 preamble",
    "section": "節 section",
    "point": "點 point",
    "closing": "結語 closing",
}
_REMOVAL_NAMES = {  # analysis.cleaning.KINDS
    "title": "標題 title",
    "date": "日期 date",
    "lede": "導語 lede",
    "meta": "頁面信息 page info",
    "seo": "SEO 關鍵詞 SEO",
    "toolbar": "工具欄 toolbar",
    "code": "代碼 code",
    "legal": "版權聲明 legal",
    "related": "相關文章 related",
    "page": "頁眉頁碼 page",
    "footer": "頁腳 footer",
    "furniture": "其他頁面元素 furniture",
    "marker": "標記 marker",
    "pinyin": "拼音 pinyin",
    "invisible": "不可見字符 invisible",
    "join": "斷行合併 join",
    "split": "分段 split",
    "spacing": "字間空格 spacing",
    "whitespace": "空白 whitespace",
}
_CN_DIGITS = "零一二三四五六七八九"
_AXIS_NAMES = {  # column names the package uses, as axis labels
    "section": "節 section",
    "count": "次數 count",
    "freq": "頻率 frequency",
    "log_ratio": "對數比 log ratio",
    "g2": "對數似然 G2 (log-likelihood)",
    "theme": "主題 theme",
    "category": "類別 category",
    "type": "類別 type",
    "place": "講話部分 part of the speech",
    "per_1000": "每千字 per 1,000 Han characters",
    "per_10k": "每萬詞 per 10,000 words",
    "hits": "命中 hits",
    "decade": "年代 decade",
    "year": "年份 year",
    "label": "主題 theme",
}


def _axis_name(column: str) -> str:
    return _AXIS_NAMES.get(column, str(column))


_GROUP_NAMES = {  # the metadata columns speeches are grouped by (docs/data-model.md)
    "place": "地方 place",
    "level": "級別 level",
    "speaker": "講話人 speaker",
    "meeting": "會議 meeting",
    "genre": "文體 genre",
}


def group_label(by: str) -> str:
    """The axis label of a grouping of speeches: a metadata column (``place`` is the speech's
    place, 地方, where a speech's own ``place`` column, its part, is 講話部分), ``year`` or
    ``decade``, or the column's name.

    >>> group_label("place"), group_label("decade"), group_label("province")
    ('地方 place', '年代 decade', 'province')
    """
    return _GROUP_NAMES.get(by) or _axis_name(by)


def truncate(text: str, width: int = 14) -> str:
    """``text`` cut to ``width`` characters, with … when something was cut."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


UPRIGHT_ABOVE = 12
"""Beyond this many categories on a trend chart's axis, their labels stand upright, in one
column of panels as wide as they need."""
MAX_CATEGORIES = 120
"""The most categories a chart labels on one axis (0.2 inch each: 25.5 inches, within
:data:`analysis.output.figures.MAX_SIDE_PX` at 150 dpi)."""
MAX_PANELS = 8
"""A chart draws at most this many panels: beyond it, panels shrink below reading size."""
def _facets(frame: pd.DataFrame, facet_col: str | None) -> list[tuple[object, pd.DataFrame]]:
    """``[(key, rows)]`` per value of ``facet_col`` in order of first appearance, or one
    ``(None, frame)`` when the column is absent or None. More than :data:`MAX_PANELS` is an
    error that says what to do (group the speeches, or draw one panel)."""
    if facet_col is None or facet_col not in frame.columns:
        return [(None, frame)]
    keys = pd.unique(frame[facet_col])
    if len(keys) > MAX_PANELS:
        raise ValueError(f"{len(keys)} panels (one per {facet_col}); at most {MAX_PANELS} are readable: "
                         f"group the rows first (by year, period or another column) or pass facet_col=None")
    return [(key, frame[frame[facet_col] == key]) for key in keys]


def _require(frame: pd.DataFrame, *columns: str, where: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{where}: the frame has no column {missing} (it has {list(frame.columns)})")
    if frame.empty:
        raise ValueError(f"{where}: the frame is empty, nothing to draw")


def _with_data(fig: Figure, frame: pd.DataFrame) -> Figure:
    """Keep the frame a chart drew on the figure (``fig.plotted_data``): :func:`save_figure`
    writes it beside the image as CSV, the numbers behind every figure."""
    fig.plotted_data = frame.reset_index(drop=True)
    return fig


def _long(panels: list, value_name: str, facet_col: str | None) -> pd.DataFrame:
    """The tables of a paneled chart as one long frame (the panel's key as ``facet_col``)."""
    frames = []
    for key, table in panels:
        long = table.stack().rename(value_name).reset_index()
        if key is not None:
            long.insert(0, facet_col, key)
        frames.append(long)
    return pd.concat(frames, ignore_index=True)


def _figure(width: float, height: float) -> Figure:
    setup_matplotlib()  # the font must be set before any Text is created
    return Figure(figsize=(width, height), layout="constrained")


def _text(value) -> str:
    """A cell as label text: "" for a missing value (None, NaN, NA)."""
    return "" if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)) else str(value)


def _section_label(value) -> str:
    try:
        if float(value).is_integer():
            return cn_numeral(int(value))
    except (TypeError, ValueError):
        pass
    return str(value)


def _outlines(corpus: pd.DataFrame) -> pd.DataFrame:
    from ..corpus.pipeline import corpus_outline

    return corpus_outline(corpus)


def plot_structure(
    parts: pd.DataFrame,
    *,
    speech_col: str = SPEECH,
    part_col: str = "part",
    label_col: str = "label",
    title_col: str = "title",
    length_col: str = "n_chars",
    kinds: Iterable[str] = ("preamble", "section", "point", "closing"),
    width: int = 14,
    title: str | None = None,
) -> Figure:
    """The parts of each speech as horizontal bars of their length in Han characters, in
    reading order from the top: sections labelled ``一、提高認識…``, their points indented.

    ``parts`` is :func:`analysis.outline.outline` of one speech, outlines of several with a
    ``speech_id`` column, or the corpus itself (a frame with ``speech_id`` and ``text``,
    outlined here). One panel per speech. ``kinds`` are the parts shown; ``width`` is where
    labels are cut.
    """
    if part_col not in parts.columns and "text" in parts.columns:
        parts = _outlines(parts)
    _require(parts, part_col, label_col, title_col, length_col, where="plot_structure")
    kinds = list(kinds)
    panels = [(key, rows[rows[part_col].isin(kinds)]) for key, rows in _facets(parts, speech_col)]
    panels = [(key, rows) for key, rows in panels if len(rows)]
    if not panels:
        raise ValueError(f"plot_structure: no part of kind {kinds}")
    sizes = [len(rows) for _, rows in panels]
    fig = _figure(8, 0.8 + 0.28 * sum(sizes) + 0.5 * len(panels))
    axes = fig.subplots(len(panels), 1, squeeze=False, height_ratios=sizes)[:, 0]
    colors = {kind: _COLORS[i] for i, kind in enumerate(_PART_NAMES)}
    for ax, (key, rows) in zip(axes, panels):
        labels = []
        for row in rows.itertuples(index=False):
            kind = getattr(row, part_col)
            text = f"{_text(getattr(row, label_col))}{_text(getattr(row, title_col))}"
            if kind == "point":
                labels.append("　" + truncate(text, width - 1))
            elif kind in ("section",):
                labels.append(truncate(text, width))
            else:
                name = _PART_NAMES.get(kind, kind).split()[0]
                labels.append(truncate(f"（{name}）{text}", width))
        y = np.arange(len(rows))
        lengths = rows[length_col].to_numpy(dtype=float)
        ax.barh(y, lengths, color=[colors.get(k, "grey") for k in rows[part_col]], height=0.7)
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlabel("漢字數 Han characters")
        ax.margins(x=0.08)
        for yi, n in zip(y, lengths):
            ax.annotate(f"{n:g}", (n, yi), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=7, color="dimgray")
        if key is not None:
            ax.set_title(str(key), loc="left")
    shown = [k for k in _PART_NAMES if k in set(parts[part_col]) and k in kinds]
    axes[0].legend(handles=[Patch(color=colors[k], label=_PART_NAMES[k]) for k in shown],
                   loc="lower right", fontsize=8, frameon=False)
    fig.suptitle(title or "講話結構 Structure of the speech")
    return _with_data(fig, pd.concat([rows for _, rows in panels], ignore_index=True))


def plot_removals(
    counts: pd.DataFrame,
    *,
    speech_col: str = SPEECH,
    kind_col: str = "kind",
    value_col: str = "count",
    prefix: str = "removed_",
    xlabel: str = "刪除次數 removals",
    title: str | None = None,
) -> Figure:
    """What cleaning removed, by kind: one horizontal bar per kind, grouped bars (one per
    speech) when there are several speeches.

    ``counts`` is long (``speech_id``, ``kind``, ``count``) or wide: the corpus frame itself,
    whose ``removed_<kind>`` columns hold the counts.
    """
    if kind_col not in counts.columns:
        wide = [c for c in counts.columns if str(c).startswith(prefix)
                and pd.api.types.is_numeric_dtype(counts[c])]
        if not wide:
            raise KeyError(f"plot_removals: no {kind_col!r} column and no {prefix}<kind> columns")
        # Kinds that never occurred in these speeches stay out of the chart.
        wide = [c for c in wide if counts[c].sum() > 0] or wide
        ids = [speech_col] if speech_col in counts.columns else []
        counts = counts[ids + wide].melt(id_vars=ids, var_name=kind_col, value_name=value_col)
        counts[kind_col] = counts[kind_col].str.removeprefix(prefix)
    _require(counts, kind_col, value_col, where="plot_removals")
    n_all = counts[speech_col].nunique() if speech_col in counts.columns else 1
    if n_all > SMALL_MULTIPLES:  # too many speeches for a bar each: their sums
        counts = counts.drop(columns=speech_col)
        xlabel = f"{xlabel} (all {n_all:,} speeches)"
    if speech_col in counts.columns:
        table = counts.pivot_table(index=kind_col, columns=speech_col, values=value_col,
                                   aggfunc="sum", fill_value=0, sort=False, observed=False)
        table = table[list(pd.unique(counts[speech_col]))]
    else:
        table = counts.groupby(kind_col, sort=False, observed=True)[value_col].sum().to_frame("")
    order = ([k for k in _REMOVAL_NAMES if k in table.index]
             + [k for k in table.index if k not in _REMOVAL_NAMES])
    table = table.loc[order]
    n_kinds, n_speeches = table.shape
    fig = _figure(8, 1.2 + 0.3 * n_kinds * max(1, min(n_speeches, 4) * 0.6))
    ax = fig.subplots()
    y = np.arange(n_kinds)
    height = 0.8 / n_speeches
    for i, speech in enumerate(table.columns):
        offset = (i - (n_speeches - 1) / 2) * height
        ax.barh(y + offset, table[speech].to_numpy(dtype=float), height=height * 0.95,
                color=_COLORS[i % len(_COLORS)], label=str(speech) if n_speeches > 1 else None)
    ax.set_yticks(y, [_REMOVAL_NAMES.get(k, str(k)) for k in table.index])
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if n_speeches > 1:
        ax.legend(fontsize=8, frameon=False)
    fig.suptitle(title or "清理刪除了什麼 What cleaning removed")
    drawn = table.reset_index().melt(id_vars=kind_col, var_name=speech_col, value_name=value_col)
    return _with_data(fig, drawn if n_speeches > 1 else drawn.drop(columns=speech_col))


@renamed_arguments({"top": "n"}, moved=("label_col", "value_col", "title"))
def plot_ranked_bars(
    frame: pd.DataFrame,
    *,
    label_col: str = "token",
    value_col: str = "count",
    title: str | None = None,
    facet_col: str | None = SPEECH,
    n: int | None = 20,
    xlabel: str | None = None,
) -> Figure:
    """Horizontal bars of ``value_col`` per ``label_col``, the largest on top: top words,
    keyness (``log_ratio`` or ``g2``; negative values are drawn in a second colour, left of
    zero). At most ``n`` bars per panel; one panel per speech when ``facet_col`` is a column.
    """
    _require(frame, label_col, value_col, where="plot_ranked_bars")
    panels = []
    for key, rows in _facets(frame, facet_col):
        rows = rows.sort_values(value_col, ascending=False, kind="mergesort")
        if n is not None:
            rows = rows.head(n)
        panels.append((key, rows))
    n = max(len(rows) for _, rows in panels)
    fig = _figure(min(max(6.5, 4.2 * len(panels)), 16), 1.2 + 0.27 * n)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (key, rows) in zip(axes, panels):
        values = rows[value_col].to_numpy(dtype=float)
        y = np.arange(len(rows))
        ax.barh(y, values, color=[_COLORS[0] if v >= 0 else _COLORS[3] for v in values], height=0.7)
        ax.set_yticks(y, [str(v) for v in rows[label_col]])
        ax.set_ylim(n - 0.5, -0.5)
        if (values < 0).any():
            ax.axvline(0, color="black", linewidth=0.6)
        ax.set_xlabel(xlabel or _axis_name(value_col))
        if key is not None:
            ax.set_title(str(key), loc="left")
    if title:
        fig.suptitle(title)
    return _with_data(fig, pd.concat([rows for _, rows in panels], ignore_index=True))


@renamed_arguments(moved=("bounds",))
def plot_dispersion(
    hits: pd.DataFrame,
    *,
    bounds: pd.DataFrame | None = None,
    term_col: str = "term",
    pos_col: str = "position",
    speech_col: str = SPEECH,
    section_col: str = "section",
    start_col: str = "rel_start",
    terms: Iterable[str] | None = None,
    title: str | None = None,
    min_gap: float = 0.006,
) -> Figure:
    """A lexical dispersion ("x-ray") plot: one row per term, a tick at each occurrence's
    relative position (0 = start of the speech, 1 = end), one panel per speech.

    ``bounds`` (``speech_id``, ``section``, ``rel_start``) draws a vertical line where each
    section starts, labelled with its numeral (一 二 三 …). ``terms`` fixes the rows and their
    order (default: order of first appearance); every panel has the same rows.

    Hits closer than ``min_gap`` (a share of the speech: about four pixels of the axis)
    cannot be told apart as ticks: each run of such hits is labelled with its number of hits
    above it (×3), so that three uses in one sentence never read as one. The saved data
    carries ``cluster_hits``, the hits drawn together with each one.
    """
    _require(hits, term_col, pos_col, where="plot_dispersion")
    terms = list(terms) if terms is not None else list(pd.unique(hits[term_col]))
    row_of = {t: i for i, t in enumerate(terms)}
    panels = _facets(hits, speech_col)
    if speech_col in hits.columns and bounds is not None and speech_col in bounds.columns:
        # a speech with section bounds but no hit still gets its (empty) panel
        keys = [k for k, _ in panels]
        extra = [k for k in pd.unique(bounds[speech_col]) if k not in keys]
        panels += [(k, hits.iloc[:0]) for k in extra]
    fig = _figure(9, 0.9 + len(panels) * (0.5 + 0.3 * len(terms)))
    axes = fig.subplots(len(panels), 1, squeeze=False, sharex=True)[:, 0]
    for ax, (key, rows) in zip(axes, panels):
        rows = rows[rows[term_col].isin(row_of)]
        y = rows[term_col].map(row_of).to_numpy(dtype=float)
        ax.vlines(rows[pos_col].to_numpy(dtype=float), y - 0.3, y + 0.3, color=_COLORS[0],
                  linewidth=1)
        for row, x_mid, n in _tick_clusters(rows[term_col].map(row_of).to_numpy(),
                                            rows[pos_col].to_numpy(dtype=float), min_gap):
            ax.text(x_mid, row - 0.32, f"×{n}", ha="center", va="bottom", fontsize=6, color=_COLORS[3])
        if bounds is not None:
            mine = bounds
            if key is not None and speech_col in bounds.columns:
                mine = bounds[bounds[speech_col] == key]
            for b in mine.itertuples(index=False):
                section = getattr(b, section_col)
                if pd.isna(section):
                    # Bounds of section_bounds() also hold the salutation, preamble and
                    # closing (no section number): only the closing's start is worth a line.
                    if getattr(b, "part", None) != "closing":
                        continue
                    label = "結語"
                else:
                    label = _section_label(section)
                x = float(getattr(b, start_col))
                ax.axvline(x, color="gray", linewidth=0.8, linestyle="--")
                ax.text(x, 1.0, " " + label,
                        transform=ax.get_xaxis_transform(), va="bottom", ha="left", fontsize=9,
                        color="dimgray")
        ax.set_yticks(np.arange(len(terms)), [str(t) for t in terms])
        ax.set_ylim(len(terms) - 0.5, -0.5)
        ax.set_xlim(0, 1)
        if key is not None:
            ax.set_title(str(key), loc="left", pad=14)
    axes[-1].set_xlabel("在講話中的位置 position in the speech (0 = start, 1 = end; ×n: hits too close to tell apart)")
    fig.suptitle(title or "詞語分布 Where the terms occur")
    drawn = hits[hits[term_col].isin(row_of)].copy()
    drawn["cluster_hits"] = _cluster_sizes(drawn, term_col, pos_col, speech_col, min_gap)
    return _with_data(fig, drawn)


def _clusters(positions: np.ndarray, min_gap: float) -> np.ndarray:
    """A cluster number per position (sorted or not): a run of positions each less than
    ``min_gap`` after the previous one is one cluster."""
    order = np.argsort(positions, kind="stable")
    ordered = positions[order]
    breaks = np.concatenate([[True], np.diff(ordered) >= min_gap]) if len(ordered) else np.array([], bool)
    numbers = np.empty(len(positions), dtype=np.int64)
    numbers[order] = np.cumsum(breaks) - 1
    return numbers


def _tick_clusters(rows: np.ndarray, positions: np.ndarray, min_gap: float) -> list[tuple[int, float, int]]:
    """``(row, middle, hits)`` of every cluster of two or more hits in each row."""
    out = []
    for row in pd.unique(rows):
        mine = positions[rows == row]
        numbers = _clusters(mine, min_gap)
        for number in np.unique(numbers):
            members = mine[numbers == number]
            if len(members) > 1:
                out.append((int(row), float((members.min() + members.max()) / 2), len(members)))
    return out


def _cluster_sizes(hits: pd.DataFrame, term_col: str, pos_col: str, speech_col: str,
                   min_gap: float) -> np.ndarray:
    """For each hit, the number of hits of its term and speech drawn together with it."""
    sizes = np.ones(len(hits), dtype=np.int64)
    keys = [term_col] + ([speech_col] if speech_col in hits.columns else [])
    positions = hits[pos_col].to_numpy(dtype=float)
    for _, index in hits.groupby(keys, sort=False, observed=True).indices.items():
        numbers = _clusters(positions[index], min_gap)
        sizes[index] = np.bincount(numbers)[numbers]
    return sizes


@renamed_arguments(moved=("index", "columns", "values"))
def plot_heatmap(
    frame: pd.DataFrame,
    *,
    index: str = "label",
    columns: str = "place",
    values: str = "per_1000",
    facet_col: str | None = SPEECH,
    aggfunc: str = "sum",
    column_labels: Mapping | Callable | None = None,
    fmt: str = "{:g}",
    cmap: str = "Blues",
    title: str | None = None,
    count_col: str | None = None,
    xlabel: str | None = None,
) -> Figure:
    """A heatmap of ``values`` by ``index`` (rows, e.g. theme) and ``columns`` (e.g. section),
    each cell annotated with its value; one panel per speech. Rows keep their order of first
    appearance, columns are sorted; integer sections are labelled 一 二 三 unless
    ``column_labels`` (a mapping or a function of the value) says otherwise.

    ``count_col`` (e.g. ``"hits"``) writes each cell's count under its value: a rate of 18.9
    per 1,000 characters from 2 hits in a short closing reads differently from one of 20
    hits. The counts are in the saved data (``count_col``) too. ``xlabel``: the axis label,
    where the column's name does not say it (a grouping of speeches: :func:`group_label`).
    """
    _require(frame, index, columns, values, where="plot_heatmap")
    if count_col is not None and count_col not in frame.columns:
        raise KeyError(f"plot_heatmap: the frame has no column {count_col!r} (it has {list(frame.columns)})")
    if column_labels is None:
        column_labels = _section_label if columns == "section" else str
    label = column_labels.get if isinstance(column_labels, Mapping) else column_labels
    rows_order = list(pd.unique(frame[index]))
    panels, count_panels = [], []
    for key, rows in _facets(frame, facet_col):
        table = rows.pivot_table(index=index, columns=columns, values=values, aggfunc=aggfunc,
                                 fill_value=0, observed=True).reindex(index=rows_order, fill_value=0)
        panels.append((key, table.sort_index(axis=1)))
        if count_col is not None:
            counts = rows.pivot_table(index=index, columns=columns, values=count_col, aggfunc="sum",
                                      fill_value=0, observed=True).reindex(index=rows_order, fill_value=0)
            count_panels.append(counts.sort_index(axis=1).reindex(columns=panels[-1][1].columns, fill_value=0))
    n_cols = max(t.shape[1] for _, t in panels)
    tall = 0.55 if count_col is not None else 0.4
    fig = _figure(min(2.2 + (0.7 * n_cols + 1.0) * len(panels), 18), 1.4 + tall * len(rows_order))
    axes = fig.subplots(1, len(panels), squeeze=False, sharey=True)[0]
    vmax = max(float(t.to_numpy().max()) for _, t in panels) or 1.0
    image = None
    for n, (ax, (key, table)) in enumerate(zip(axes, panels)):
        data = table.to_numpy(dtype=float)
        image = ax.imshow(data, cmap=cmap, vmin=0, vmax=vmax, aspect="auto")
        ax.set_xticks(np.arange(table.shape[1]), [str(label(c)) for c in table.columns])
        ax.set_yticks(np.arange(table.shape[0]), [str(i) for i in table.index])
        ax.set_xlabel(xlabel or _axis_name(columns))
        counts = count_panels[n].to_numpy() if count_col is not None else None
        for (r, c), v in np.ndenumerate(data):
            color = "white" if v > vmax / 2 else "black"
            if counts is None:
                ax.text(c, r, fmt.format(v), ha="center", va="center", fontsize=8, color=color)
            else:
                ax.text(c, r - 0.12, fmt.format(v), ha="center", va="center", fontsize=8, color=color)
                ax.text(c, r + 0.22, f"n={int(counts[r, c])}", ha="center", va="center", fontsize=6,
                        color=color)
        if key is not None:
            ax.set_title(str(key), loc="left")
    fig.colorbar(image, ax=list(axes), shrink=0.8, label=_axis_name(values))
    if count_col is not None:
        fig.text(0.01, 0.005, f"n = {count_col} behind each rate", fontsize=7, color="0.35", ha="left",
                 va="bottom")
    if title:
        fig.suptitle(title)
    drawn = _long(panels, values, facet_col)
    if count_col is not None:
        drawn[count_col] = _long([(k, c) for (k, _), c in zip(panels, count_panels)], count_col,
                                 facet_col)[count_col].to_numpy()
    return _with_data(fig, drawn)


@renamed_arguments(moved=("node_sizes",))
def plot_network(
    edges: pd.DataFrame,
    *,
    node_sizes: Mapping | pd.Series | None = None,
    source: str = "source",
    target: str = "target",
    weight: str = "weight",
    facet_col: str | None = SPEECH,
    seed: int = 7,
    title: str | None = None,
) -> Figure:
    """A co-occurrence network: nodes are terms, edge widths follow ``weight``, node sizes
    follow ``node_sizes`` (term → value; default each node's weighted degree). The layout is
    ``spring_layout(seed=seed)``, so the same edges draw the same picture. One panel per speech.
    """
    import networkx as nx

    _require(edges, source, target, weight, where="plot_network")
    panels = _facets(edges, facet_col)
    fig = _figure(min(6.5 * len(panels), 18), 6)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    font = cjk_font_name()
    for ax, (key, rows) in zip(axes, panels):
        graph = nx.Graph()
        for s, t, w in zip(rows[source], rows[target], rows[weight]):
            graph.add_edge(str(s), str(t), weight=float(w))
        pos = nx.spring_layout(graph, seed=seed, weight="weight")
        if node_sizes is None:
            raw = dict(graph.degree(weight="weight"))
        else:
            raw = {n: float(node_sizes.get(n, 0)) for n in graph.nodes}
        top = max(raw.values()) or 1.0
        sizes = [300 + 1700 * raw[n] / top for n in graph.nodes]
        widths = [w for _, _, w in graph.edges(data="weight")]
        wmax = max(widths) or 1.0
        nx.draw_networkx_edges(graph, pos, ax=ax, width=[0.5 + 3.5 * w / wmax for w in widths],
                               edge_color="silver")
        nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=sizes, node_color=[_COLORS[0]],
                               alpha=0.85)
        nx.draw_networkx_labels(graph, pos, ax=ax, font_family=font, font_size=10)
        ax.set_axis_off()
        ax.margins(0.12)
        if key is not None:
            ax.set_title(str(key), loc="left")
    fig.suptitle(title or "共現網絡 Co-occurrence network")
    return _with_data(fig, edges)


@renamed_arguments(moved=("category", "section"))
def plot_category_bars(
    frame: pd.DataFrame,
    *,
    category: str = "category",
    section: str = "section",
    value_col: str | None = None,
    facet_col: str | None = SPEECH,
    title: str | None = None,
    ylabel: str = "次數 occurrences",
    xlabel: str | None = None,
) -> Figure:
    """Stacked bars: one bar per ``section`` (一 二 三 … for integer sections), stacked by
    ``category`` (e.g. the type of campaign name). Counts rows, or sums ``value_col``.
    ``xlabel``: the axis label, where the column's name does not say it (a grouping of
    speeches: :func:`group_label`).
    Categories keep their order of first appearance; one panel per speech.
    """
    _require(frame, category, section, where="plot_category_bars")
    cats = list(pd.unique(frame[category]))
    palette = _COLORS if len(cats) <= len(_COLORS) else matplotlib.colormaps["tab20"].colors
    panels = []
    for key, rows in _facets(frame, facet_col):
        if value_col is None:
            table = pd.crosstab(rows[section], rows[category])
        else:
            table = rows.pivot_table(index=section, columns=category, values=value_col,
                                     aggfunc="sum", fill_value=0, observed=False)  # pandas's default, said
        panels.append((key, table.reindex(columns=cats, fill_value=0).sort_index()))
    n_sections = max(len(t) for _, t in panels)
    fig = _figure(min(1.5 + (0.6 * n_sections + 1.2) * len(panels), 18), 4.2)
    axes = fig.subplots(1, len(panels), squeeze=False, sharey=True)[0]
    for ax, (key, table) in zip(axes, panels):
        x = np.arange(len(table))
        bottom = np.zeros(len(table))
        for i, cat in enumerate(cats):
            heights = table[cat].to_numpy(dtype=float)
            ax.bar(x, heights, bottom=bottom, color=palette[i % len(palette)], label=str(cat),
                   width=0.7)
            bottom += heights
        ax.set_xticks(x, [_section_label(s) for s in table.index])
        ax.set_xlabel(xlabel or _axis_name(section))
        if value_col is None:
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if key is not None:
            ax.set_title(str(key), loc="left")
    axes[0].set_ylabel(ylabel)
    axes[-1].legend(title=_axis_name(category), fontsize=8, title_fontsize=8, frameon=False,
                    loc="upper left", bbox_to_anchor=(1, 1))
    if title:
        fig.suptitle(title)
    return _with_data(fig, _long(panels, value_col or "count", facet_col))


# ---------------------------------------------------------------- views that scale with the corpus
MAX_TERMS = 8


def _is_numeric(values) -> bool:
    return pd.api.types.is_numeric_dtype(pd.Series(list(values)).infer_objects())


def _rate_top(frames: list[pd.DataFrame], value_col: str, high_col: str, min_words: int) -> float | None:
    """The top of a trend panel's y-axis: 10% above the largest rate, or above the largest
    interval of a group with at least ``min_words`` words (all groups without ``n_words``);
    None when everything is zero (leave it to matplotlib)."""
    highest = 0.0
    for frame in frames:
        values = frame[value_col].to_numpy(dtype=float)
        highest = max(highest, float(np.nanmax(values)) if len(values) else 0.0)
        if high_col in frame.columns:
            enough = frame if "n_words" not in frame.columns else frame[frame["n_words"] >= min_words]
            highs = enough[high_col].to_numpy(dtype=float)
            if len(highs) and not np.isnan(highs).all():
                highest = max(highest, float(np.nanmax(highs)))
    return highest * 1.1 if highest > 0 else None


@renamed_arguments({"group_col": "by"}, moved=("by",))
def plot_trends(
    trends: pd.DataFrame,
    *,
    by: str = "year",
    term_col: str = "term",
    value_col: str = "per_10k",
    low_col: str = "ci_low",
    high_col: str = "ci_high",
    marks: pd.DataFrame | None = None,
    mark_label: str = "this corpus",
    line_label: str = "reference",
    title: str | None = None,
    min_words: int = 1000,
    marks_axis: str = "auto",
    breaks: pd.DataFrame | None = None,
    gap_label: str = "無數據 no data",
    caption: str | None = None,
) -> Figure:
    """Rates over time as small multiples, one panel per term (at most :data:`MAX_TERMS`):
    a line of ``value_col`` by ``by`` with its interval (``low_col``–``high_col``)
    shaded, and ``marks`` (same columns: e.g. a speech's own rate in its year) drawn as red
    points with their interval and value. Numeric groups (years) are placed on a numeric axis,
    others in their order.

    * Gaps: on a numeric axis, groups missing between those present (years without a report,
      computed from the data by :func:`analysis.trends.missing_spans`) break the line and the
      band, and are shaded grey (``gap_label``): nothing is interpolated across them.
    * Scale: the line's y-axis fits the line: its top is 10% above the largest rate or the
      largest interval of a group with at least ``min_words`` words (an ``n_words`` column;
      without one every group counts). Longer intervals (groups of a few hundred words) are
      clipped there and marked with a grey ``^``; the panel says how many
      (``fig.clipped_intervals``: term → count). ``marks_axis="own"`` draws the marks on a
      right-hand axis of their own (red), so that a sectoral speech at 300 per 10,000 does not
      squash a national series at 3 into the bottom of the panel; ``"shared"`` keeps one
      axis; ``"auto"`` (default) gives the marks their own axis when their top is more than
      twice the line's in some panel (``fig.marks_axis`` says which was used).
    * ``breaks`` (``start``, ``end``, ``label``: :func:`analysis.trends.policy_breaks`) marks
      a year with a dashed line and a span with a band, labelled at the top of the first row.
    * ``caption`` is written under the panels (what is compared with what).
    """
    _require(trends, term_col, by, value_col, where="plot_trends")
    if marks_axis not in ("auto", "own", "shared"):
        raise ValueError(f"marks_axis must be 'auto', 'own' or 'shared', not {marks_axis!r}")
    terms = list(pd.unique(trends[term_col]))
    if len(terms) > MAX_TERMS:
        raise ValueError(f"plot_trends: {len(terms)} terms; at most {MAX_TERMS} panels (pass fewer terms)")
    groups = list(pd.unique(trends[by]))
    numeric = _is_numeric(groups)
    position = (lambda v: float(v)) if numeric else {g: i for i, g in enumerate(groups)}.get
    from ..measures.trends import missing_spans

    gaps = missing_spans(groups) if numeric else []
    has_marks = marks is not None and len(marks) > 0
    columns = (term_col, by, value_col, low_col, high_col)
    mark_frames, mark_tops, separate = _marks_scale(trends, marks if has_marks else None, terms, columns,
                                                    min_words, marks_axis)
    # Categories (places, levels) each need room for their label, upright: beyond a dozen,
    # one column of panels, as wide as the labels need (at most MAX_CATEGORIES).
    many = not numeric and len(groups) > UPRIGHT_ABOVE
    if many and len(groups) > MAX_CATEGORIES:
        raise ValueError(f"plot_trends: {len(groups)} groups of {by}; at most {MAX_CATEGORIES} can be labelled "
                         "on one axis: group the speeches by a coarser column, or chart a selection")
    cols = 1 if many else min(len(terms), 2)
    rows = -(-len(terms) // cols)
    width = max(6.4, 1.5 + 0.2 * len(groups)) if many else 6.4 * cols
    fig = _figure(width, (1.2 if caption else 0.8) + 2.7 * rows + (0.8 if many else 0))
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True)
    for ax in axes.flat[len(terms):]:
        ax.set_visible(False)
    fig.clipped_intervals = {}
    fig.marks_axis = "own" if separate else "shared"
    for n, (ax, term) in enumerate(zip(axes.flat, terms)):
        mine = trends[trends[term_col] == term]
        own = mark_frames.get(term)
        _draw_trend_line(ax, mine, position, gaps, columns, line_label, gap_label)
        if breaks is not None and len(breaks):
            _draw_breaks(ax, breaks, label=n == 0)
        if own is not None and len(own):
            _draw_trend_marks(ax, own, position, columns, mark_label, separate, mark_tops.get(term))
        ax.set_title(str(term), loc="left")
        ax.set_ylabel("每萬詞 per 10,000 words", color=_COLORS[0] if separate else "black")
        shown = [mine] + ([own] if own is not None and len(own) and not separate else [])
        clipped = _fit_rate_axis(ax, shown, position, columns, min_words)
        if clipped is not None:
            fig.clipped_intervals[term] = clipped
        if not numeric:
            ax.set_xticks(range(len(groups)), [str(g) for g in groups])
        else:
            ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
    _finish_trends(fig, axes, by, numeric, title, caption)
    drawn = [trends.assign(series=line_label)]
    if has_marks:
        drawn.append(marks.assign(series=mark_label))
    return _with_data(fig, pd.concat(drawn, ignore_index=True))


def _marks_scale(trends, marks, terms, columns, min_words: int, marks_axis: str):
    """``(marks per term, top of the marks' axis per term, whether the marks get an axis of
    their own)``: ``"auto"`` gives them one when their top is more than twice the line's."""
    term_col, group_col, value_col, _, high_col = columns
    mark_frames, line_tops, mark_tops = {}, {}, {}
    for term in terms:
        mine = trends[trends[term_col] == term]
        line_tops[term] = _rate_top([mine], value_col, high_col, min_words)
        if marks is not None:
            own = marks[marks[term_col] == term]
            mark_frames[term] = own[own[group_col].notna()]
            mark_tops[term] = (_rate_top([mark_frames[term]], value_col, high_col, min_words)
                               if len(mark_frames[term]) else None)
    if marks is None:
        separate = False
    elif marks_axis == "auto":
        separate = any(mark_tops.get(t) is not None and mark_tops[t] > 2 * (line_tops[t] or 0) for t in terms)
    else:
        separate = marks_axis == "own"
    return mark_frames, mark_tops, separate


def _draw_trend_line(ax, mine: pd.DataFrame, position, gaps, columns, line_label: str, gap_label: str) -> None:
    """A term's line, broken at the gaps, with its interval as a band (as a bar for a group
    alone between gaps), and the gaps shaded."""
    _, group_col, value_col, low_col, high_col = columns
    x = np.array([position(g) for g in mine[group_col]], dtype=float)
    y = mine[value_col].to_numpy(dtype=float)
    has_band = low_col in mine.columns and high_col in mine.columns
    for k, seg in enumerate(_segments(x, gaps)):
        ax.plot(x[seg], y[seg], color=_COLORS[0], linewidth=1.2, marker="o", markersize=2.5,
                label=line_label if k == 0 else None)
        if has_band and len(seg) > 1:
            ax.fill_between(x[seg], mine[low_col].to_numpy(dtype=float)[seg],
                            mine[high_col].to_numpy(dtype=float)[seg], color=_COLORS[0], alpha=0.18,
                            linewidth=0)
        elif has_band:   # a year alone between gaps: its interval as a bar, not a band
            ax.vlines(x[seg], mine[low_col].to_numpy(dtype=float)[seg], mine[high_col].to_numpy(dtype=float)[seg],
                      color=_COLORS[0], alpha=0.35, linewidth=3)
    for k, (first, last) in enumerate(gaps):
        ax.axvspan(first - 0.5, last + 0.5, color="0.88", linewidth=0, zorder=0,
                   label=gap_label if k == 0 else None)


def _draw_trend_marks(ax, own: pd.DataFrame, position, columns, mark_label: str, separate: bool, top) -> None:
    """The corpus's own rates as red points with their intervals (and values, for up to
    three), on the line's axis or on a right-hand axis of their own."""
    _, group_col, value_col, low_col, high_col = columns
    target = ax
    if separate:
        target = ax.twinx()
        target.set_ylabel("本語料 this corpus, per 10,000", color=_COLORS[3], fontsize=8)
        target.tick_params(axis="y", colors=_COLORS[3], labelsize=8)
        target.spines["right"].set_color(_COLORS[3])
    mx = np.array([position(g) for g in own[group_col]], dtype=float)
    my = own[value_col].to_numpy(dtype=float)
    if low_col in own.columns and high_col in own.columns:
        target.vlines(mx, own[low_col].to_numpy(dtype=float), own[high_col].to_numpy(dtype=float),
                      color=_COLORS[3], linewidth=1)
    target.scatter(mx, my, color=_COLORS[3], zorder=3, s=22, label=mark_label)
    if len(own) <= 3:
        for xi, yi in zip(mx, my):
            target.annotate(f"{yi:.1f}", (xi, yi), xytext=(4, 4), textcoords="offset points",
                            fontsize=8, color=_COLORS[3])
    if separate:
        target.set_ylim(0, top if top else 1)


def _fit_rate_axis(ax, shown: list[pd.DataFrame], position, columns, min_words: int) -> int | None:
    """The panel's y-axis fitted to what it shows (:func:`_rate_top`); intervals above it are
    clipped and marked with a grey ^. Returns how many were clipped (None: nothing to fit)."""
    _, group_col, value_col, _, high_col = columns
    top = _rate_top(shown, value_col, high_col, min_words)
    if top is None:
        ax.set_ylim(bottom=0)
        return None
    ax.set_ylim(0, top)
    over = [(position(g), h) for frame in shown if high_col in frame.columns
            for g, h in zip(frame[group_col], frame[high_col].to_numpy(dtype=float)) if h > top]
    if over:
        ax.scatter([x for x, _ in over], [top] * len(over), marker="^", s=16, color="0.45",
                   clip_on=False, zorder=4)
        ax.set_title(f"^ {counted(len(over), 'interval')} clipped (groups under {min_words:,} words)",
                     loc="right", fontsize=7, color="0.35")
    return len(over)


def _finish_trends(fig, axes, group_col: str, numeric: bool, title: str | None, caption: str | None) -> None:
    """The x labels of the bottom row, one legend for all panels, the title and the caption."""
    for ax in axes[-1]:
        ax.set_xlabel(group_label(group_col))
        if not numeric:
            upright = len(ax.get_xticklabels()) > UPRIGHT_ABOVE
            for label in ax.get_xticklabels():
                label.set_rotation(90 if upright else 45)
                label.set_ha("center" if upright else "right")
    handles, labels = [], []
    for ax in fig.axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    if handles:
        fig.legend(handles, labels, loc="outside upper right", fontsize=7.5, frameon=False,
                   ncols=min(len(handles), 3))
    fig.suptitle(title or "用詞趨勢 Term rates over time", x=0.01, ha="left")
    if caption:
        import textwrap

        lines = textwrap.wrap(caption, 190)
        fig.text(0.01, 0.0, "\n".join(lines), fontsize=7, color="0.25", ha="left", va="bottom")
        # Room for the caption's lines (7 pt, about 0.12 inch each) under the x labels: a fixed
        # share of a one-row figure let a four-line caption overprint its 年份 year.
        bottom = max(0.09, (0.12 * len(lines) + 0.1) / fig.get_figheight())
        fig.get_layout_engine().set(rect=(0, bottom, 1, 0.91))


def _segments(x: np.ndarray, gaps: list[tuple[int, int]]) -> list[np.ndarray]:
    """Index arrays of the runs of ``x`` between the gaps (so no line crosses one)."""
    if not len(x):
        return []
    cut = np.zeros(len(x), dtype=np.int64)
    for first, _ in gaps:
        cut += x > first
    return [np.flatnonzero(cut == k) for k in np.unique(cut)]


def _draw_breaks(ax, breaks: pd.DataFrame, label: bool) -> None:
    """Policy breaks: a dashed line at a year, a hatched band over a span; their labels go
    to the legend (``label`` on one panel only)."""
    styles = ["--", ":", "-."]
    for k, row in enumerate(breaks.itertuples(index=False)):
        name = str(row.label) if label else None
        if row.start == row.end:
            ax.axvline(row.start, color="0.3", linewidth=0.9, linestyle=styles[k % len(styles)], zorder=1,
                       label=name)
        else:
            ax.axvspan(row.start - 0.5, row.end + 0.5, facecolor="none", edgecolor="0.45", hatch="///",
                       linewidth=0, zorder=1, label=name)


MAX_GENRE_LINES = 4
"""More genres than this and :func:`plot_corpus_overview` draws the median of the most common only."""


@renamed_arguments(moved=("parts",))
def plot_corpus_overview(
    corpus: pd.DataFrame,
    *,
    parts: pd.DataFrame | None = None,
    by: str = "year",
    title: str | None = None,
) -> Figure:
    """A corpus of many speeches at a glance, by ``by`` (default year): how many speeches,
    how long they are (Han characters: each speech a dot, the median a line; with a ``genre``
    column of several values, one median line per genre, or only the most common genre's
    when there are more than :data:`MAX_GENRE_LINES`, as the legend says) and the share
    whose outline found numbered sections (``parts``, :func:`analysis.corpus_outline`).
    Readable from a dozen speeches to tens of thousands: the axes are groups, not speeches.
    """
    _require(corpus, "speech_id", "n_chars", where="plot_corpus_overview")
    corpus = corpus.reset_index(drop=True)
    frame = corpus[["speech_id", "n_chars"]].copy()
    frame["_group"] = corpus[by] if by in corpus.columns else pd.NA
    frame = frame[frame["_group"].notna()]
    if frame.empty:
        frame = corpus[["speech_id", "n_chars"]].assign(_group="全部 all")
    groups = sorted(pd.unique(frame["_group"]), key=lambda g: (str(type(g)), g))
    numeric = _is_numeric(groups)
    x_of = (lambda g: float(g)) if numeric else {g: i for i, g in enumerate(groups)}.get
    frame["_x"] = [x_of(g) for g in frame["_group"]]
    n_panels = 3 if parts is not None else 2
    fig = _figure(10, 1.2 + 2.2 * n_panels)
    axes = fig.subplots(n_panels, 1, sharex=True)
    counts = frame.groupby("_x", observed=True).size()
    axes[0].bar(counts.index, counts.to_numpy(), color=_COLORS[0], width=0.8)
    axes[0].set_ylabel("講話數 speeches")
    axes[0].yaxis.set_major_locator(MaxNLocator(integer=True))
    axes[1].scatter(frame["_x"], frame["n_chars"], s=8, alpha=0.35 if len(frame) > 200 else 0.7,
                    color=_COLORS[0], linewidths=0)
    # A median over genres of very different lengths (a report and a short resolution of the
    # same year) says nothing about either: one median per genre, or the most common genre's.
    genres = corpus.loc[frame.index, "genre"] if "genre" in corpus.columns else None
    kinds = genres.dropna().value_counts() if genres is not None else pd.Series(dtype=int)
    if len(kinds) > 1:
        frame["_genre"] = genres
        order = sorted(kinds.index, key=lambda g: (-int(kinds[g]), str(g)))
        if len(order) > MAX_GENRE_LINES:
            order = order[:1]
        for i, genre in enumerate(order):
            median = frame[frame["_genre"] == genre].groupby("_x", observed=True)["n_chars"].median()
            label = f"中位數 median: {genre}" + (" only" if len(order) < len(kinds) else "")
            axes[1].plot(median.index, median.to_numpy(), color=_COLORS[(3 + i) % len(_COLORS)], linewidth=1.2,
                         marker="." if len(median) < 3 else None, label=label)
    else:
        median = frame.groupby("_x", observed=True)["n_chars"].median()
        axes[1].plot(median.index, median.to_numpy(), color=_COLORS[3], linewidth=1.2, label="中位數 median")
    axes[1].set_ylabel("漢字數 Han characters")
    axes[1].legend(fontsize=8, frameon=False, loc="upper left")
    if parts is not None:
        sectioned = set(parts.loc[parts["part"] == "section", "speech_id"])
        share = frame.assign(_s=frame["speech_id"].isin(sectioned)).groupby("_x", observed=True)["_s"].mean()
        axes[2].bar(share.index, share.to_numpy() * 100, color=_COLORS[2], width=0.8)
        axes[2].set_ylabel("有編號章節 % with\nnumbered sections")
        axes[2].set_ylim(0, 100)
    if numeric:
        axes[-1].xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True))
    else:
        axes[-1].set_xticks(range(len(groups)), [truncate(str(g), 10) for g in groups], rotation=45, ha="right")
    axes[-1].set_xlabel(group_label(by))
    fig.suptitle(title or f"語料概覽 The corpus: {len(corpus):,} speeches")
    drawn = frame.drop(columns="_x").rename(columns={"_group": by, "_genre": "genre"})
    if parts is not None:
        drawn["with_sections"] = drawn["speech_id"].isin(set(parts.loc[parts["part"] == "section", "speech_id"]))
    return _with_data(fig, drawn)


def plot_positions(
    hits: pd.DataFrame,
    *,
    term_col: str = "term",
    pos_col: str = "position",
    bins: int = 10,
    terms: Iterable[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Where in their speeches terms occur, pooled over many speeches: one row per term, the
    share of its hits in each tenth (``bins``) of the speech, as a heatmap annotated with the
    shares and each row's number of hits. The many-speech form of :func:`plot_dispersion`.
    """
    _require(hits, term_col, pos_col, where="plot_positions")
    terms = list(terms) if terms is not None else list(pd.unique(hits[term_col]))
    edges = np.linspace(0, 1, bins + 1)
    shares, totals = [], []
    for term in terms:
        pos = hits.loc[hits[term_col] == term, pos_col].to_numpy(dtype=float)
        counts, _ = np.histogram(np.clip(pos, 0, 1 - 1e-12), bins=edges)
        totals.append(int(counts.sum()))
        shares.append(counts / counts.sum() if counts.sum() else counts.astype(float))
    data = np.array(shares, dtype=float)
    fig = _figure(9, 1.3 + 0.42 * len(terms))
    ax = fig.subplots()
    image = ax.imshow(data, cmap="Blues", vmin=0, vmax=max(float(data.max()), 1e-9), aspect="auto")
    ax.set_xticks(np.arange(bins), [f"{int(a * 100)}–{int(b * 100)}%" for a, b in zip(edges, edges[1:])],
                  fontsize=7, rotation=45, ha="right")
    ax.set_yticks(np.arange(len(terms)), [f"{t} (n={n:,})" for t, n in zip(terms, totals)])
    for (r, c), v in np.ndenumerate(data):
        if v > 0:
            ax.text(c, r, f"{v:.0%}", ha="center", va="center", fontsize=7,
                    color="white" if v > data.max() / 2 else "black")
    ax.set_xlabel("在講話中的位置 position in the speech")
    fig.colorbar(image, ax=ax, shrink=0.8, label="命中比例 share of hits")
    fig.suptitle(title or "詞語位置 Where in the speeches the terms occur")
    drawn = [{"term": t, "from": float(a), "to": float(b), "share": float(v), "hits": n}
             for t, n, row in zip(terms, totals, data) for a, b, v in zip(edges, edges[1:], row)]
    return _with_data(fig, pd.DataFrame(drawn))


@renamed_arguments({"top": "n"})
def plot_lifecycle(
    table: pd.DataFrame,
    *,
    n: int = 25,
    name_col: str = "name",
    title: str | None = None,
) -> Figure:
    """The life cycles of the ``n`` most mentioned formulas and campaign names
    (:func:`analysis.lifecycle`): a line from first to last attestation, a dot at the peak,
    labelled with the number of speeches."""
    _require(table, name_col, "first", "last", "peak", "mentions", where="plot_lifecycle")
    rows = table.sort_values(["mentions", "first"], ascending=[False, True], kind="stable").head(n)
    rows = rows.sort_values(["first", "last"], kind="stable")
    fig = _figure(10, 1.2 + 0.3 * len(rows))
    ax = fig.subplots()
    y = np.arange(len(rows))
    kinds = list(pd.unique(rows["kind"])) if "kind" in rows.columns else [None]
    color = {k: _COLORS[i % len(_COLORS)] for i, k in enumerate(kinds)}
    for yi, row in zip(y, rows.itertuples(index=False)):
        c = color.get(getattr(row, "kind", None), _COLORS[0])
        ax.plot([row.first, row.last], [yi, yi], color=c, linewidth=2.5, solid_capstyle="round")
        if _is_numeric([row.peak]):
            ax.scatter([float(row.peak)], [yi], color="black", s=14, zorder=3)
        ax.annotate(f"{row.n_speeches}", (row.last, yi), xytext=(5, 0), textcoords="offset points",
                    va="center", fontsize=7, color="dimgray")
    ax.set_yticks(y, [truncate(str(n), 14) for n in rows[name_col]])
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True))
    ax.set_xlabel("年份 year (dot: peak; number: speeches)")
    if kinds != [None]:
        ax.legend(handles=[Patch(color=color[k], label=str(k)) for k in kinds], fontsize=8, frameon=False,
                  loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.suptitle(title or "提法的生命週期 First and last attestation")
    return _with_data(fig, rows)


def plot_target_results(
    table: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Each year's target beside the result the following report announces
    (:func:`analysis.targets.targets_and_results`), one panel per indicator (at most 4):
    the target as a band from its low to its high end (a range such as 6–6.5%), or a short
    line for a single figure; the result as a point. ``labels`` names the panels
    (:func:`analysis.targets.indicator_labels`)."""
    _require(table, "indicator", "year", "target_low", "target_high", "result", "unit", where="plot_target_results")
    indicators = list(pd.unique(table["indicator"]))
    if len(indicators) > 4:
        raise ValueError(f"plot_target_results: {len(indicators)} indicators; draw at most 4 per figure")
    years = pd.to_numeric(table["year"])
    span = int(years.max() - years.min()) + 1
    fig = _figure(min(max(7.0, 1.5 + 0.22 * span), 14), 0.8 + 2.4 * len(indicators))
    axes = fig.subplots(len(indicators), 1, squeeze=False, sharex=True)[:, 0]
    for ax, indicator in zip(axes, indicators):
        rows = table[table["indicator"] == indicator]
        x = pd.to_numeric(rows["year"]).to_numpy(dtype=float)
        low = rows["target_low"].to_numpy(dtype=float)
        high = rows["target_high"].to_numpy(dtype=float)
        band = high > low
        ax.bar(x[band], (high - low)[band], bottom=low[band], width=0.7, color=_COLORS[0], alpha=0.35,
               edgecolor=_COLORS[0], linewidth=1)
        ax.hlines(low[~band], x[~band] - 0.35, x[~band] + 0.35, color=_COLORS[0], linewidth=2.5)
        result = pd.to_numeric(rows["result"], errors="coerce").to_numpy(dtype=float)
        ax.scatter(x, result, color=_COLORS[3], s=22, zorder=3)
        unit = "、".join(str(u) for u in pd.unique(rows["unit"]))
        ax.set_ylabel(unit)
        ax.set_title((labels or {}).get(indicator, str(indicator)), loc="left", fontsize=10)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=12, integer=True))
        ax.grid(axis="y", linewidth=0.4, alpha=0.5)
    axes[-1].set_xlabel("年份 year")
    handles = [Patch(color=_COLORS[0], alpha=0.6, label="目標 target (band: a range)"),
               matplotlib.lines.Line2D([], [], color=_COLORS[3], marker="o", linestyle="", label="結果 result, "
                                       "from the next report")]
    axes[0].legend(handles=handles, fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.suptitle(title or "目標與結果 Targets and results")
    return _with_data(fig, table)

# ---------------------------------------------------------------- 05: text reuse

def _sparse_ticks(n: int, most: int = 30) -> np.ndarray:
    """Every tick up to ``most`` categories, else every k-th, so that labels never overprint."""
    step = 1 if n <= most else int(np.ceil(n / most))
    return np.arange(0, n, step)


@renamed_arguments(moved=("by", "values"))
def plot_reuse_matrix(matrix: pd.DataFrame, *, by: str = "year", values: str = "share",
                      title: str | None = None) -> Figure:
    """A heatmap of how much of each group's text (rows, e.g. the year of a speech) it shares
    with the speeches of each other group (columns): the long frame of
    :func:`analysis.reuse_summary` with ``by``, shares drawn in per cent. Cells are
    annotated up to 12 groups; beyond, the colour scale alone carries the values (the CSV
    holds them)."""
    other = f"other_{by}"
    _require(matrix, by, other, values, where="plot_reuse_matrix")
    table = matrix.pivot_table(index=by, columns=other, values=values, aggfunc="sum", fill_value=0, observed=True)
    table = table.sort_index().sort_index(axis=1) * 100
    n = max(table.shape)
    side = min(4.5 + 0.28 * n, 11.0)
    fig = _figure(side + 1.6, side)
    ax = fig.subplots()
    data = table.to_numpy(dtype=float)
    # The scale tops at the 99th percentile of the non-zero cells: one short document sharing
    # most of itself would otherwise leave every other cell pale (the CSV has every value).
    positive = data[data > 0]
    top = float(np.percentile(positive, 99)) if len(positive) else 1.0
    image = ax.imshow(data, cmap="Blues", vmin=0, vmax=max(top, 1e-9), aspect="auto")
    rows, cols = _sparse_ticks(table.shape[0]), _sparse_ticks(table.shape[1])
    ax.set_yticks(rows, [str(table.index[i]) for i in rows])
    ax.set_xticks(cols, [str(table.columns[i]) for i in cols], rotation=90)
    ax.set_ylabel(f"{group_label(by)}: the speech sharing")
    ax.set_xlabel(f"{group_label(by)}: the speech shared with")
    if n <= 12:
        for (r, c), v in np.ndenumerate(data):
            ax.text(c, r, f"{v:.0f}", ha="center", va="center", fontsize=8,
                    color="white" if v > top / 2 else "black")
    fig.colorbar(image, ax=ax, shrink=0.8, extend="max" if top < data.max() else "neither",
                 label="共享比例 share of the row's characters (%)")
    fig.suptitle(title or "文本重用 Text shared between groups")
    return _with_data(fig, matrix)


@renamed_arguments({"group": "by"})
def plot_predecessor_reuse(pred: pd.DataFrame, *, by: str | list[str] | None = None,
                           title: str | None = None) -> Figure:
    """How much of each speech repeats its predecessor (:func:`analysis.predecessor_reuse`),
    by year, shares in per cent: one line of points per series (the groups of the column or
    columns ``by``, e.g. genre) when there are a few; with more series than colours (every
    city's reports, say), every speech as a grey point and the median of each year as the
    line, its legend saying how many series it summarises."""
    _require(pred, "year", "share", where="plot_predecessor_reuse")
    fig = _figure(9.5, 4.2)
    ax = fig.subplots()
    from ..reuse.summary import series_groups, series_label

    keys, groups = series_groups(pred, by)
    if len(groups) <= len(_COLORS):
        for n, (key, rows) in enumerate(groups):
            rows = rows.sort_values("year", kind="stable")
            ax.plot(rows["year"].astype(float), rows["share"].astype(float) * 100, marker="o", markersize=3.5,
                    linewidth=1, color=_COLORS[n], label=series_label(key))
        if groups[0][0] is not None:
            ax.legend(frameon=False, loc="upper left")
    else:
        ax.scatter(pred["year"].astype(float), pred["share"].astype(float) * 100, s=8, color="0.7",
                   linewidths=0, label=f"每篇 each speech ({len(pred):,})")
        median = pred.groupby("year", sort=True)["share"].median()
        ax.plot(median.index.astype(float), median.to_numpy(dtype=float) * 100, marker="o", markersize=3.5,
                linewidth=1.2, color=_COLORS[0],
                label=f"中位數 median of {len(groups):,} series ({' × '.join(keys)})")
        ax.legend(frameon=False, loc="upper left")
    ax.set_xlabel(_axis_name("year"))
    ax.set_ylabel("與前一篇共享 % shared with the predecessor")
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle(title or "承襲前一篇 How much of each speech repeats its predecessor")
    return _with_data(fig, pred)
