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

from .figures import cjk_font_name, setup_matplotlib
from .outline import cn_numeral  # noqa: F401  (re-exported for plots users)

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
    "label": "主題 theme",
}


def _axis_name(column: str) -> str:
    return _AXIS_NAMES.get(column, str(column))


def truncate(text: str, width: int = 14) -> str:
    """``text`` cut to ``width`` characters, with … when something was cut."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _facets(frame: pd.DataFrame, facet_col: str | None) -> list[tuple[object, pd.DataFrame]]:
    """``[(key, rows)]`` per value of ``facet_col`` in order of first appearance, or one
    ``(None, frame)`` when the column is absent or None."""
    if facet_col is None or facet_col not in frame.columns:
        return [(None, frame)]
    return [(key, frame[frame[facet_col] == key]) for key in pd.unique(frame[facet_col])]


def _require(frame: pd.DataFrame, *columns: str, where: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{where}: the frame has no column {missing} (it has {list(frame.columns)})")
    if frame.empty:
        raise ValueError(f"{where}: the frame is empty, nothing to draw")


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
    from .outline import corpus_outline

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
    return fig


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
    if speech_col in counts.columns:
        table = counts.pivot_table(index=kind_col, columns=speech_col, values=value_col,
                                   aggfunc="sum", fill_value=0, sort=False)
        table = table[list(pd.unique(counts[speech_col]))]
    else:
        table = counts.groupby(kind_col, sort=False)[value_col].sum().to_frame("")
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
    return fig


def plot_ranked_bars(
    frame: pd.DataFrame,
    label_col: str = "term",
    value_col: str = "count",
    title: str | None = None,
    *,
    facet_col: str | None = SPEECH,
    top: int | None = 20,
    xlabel: str | None = None,
) -> Figure:
    """Horizontal bars of ``value_col`` per ``label_col``, the largest on top: top words,
    keyness (``log_ratio`` or ``g2``; negative values are drawn in a second colour, left of
    zero). At most ``top`` bars per panel; one panel per speech when ``facet_col`` is a column.
    """
    _require(frame, label_col, value_col, where="plot_ranked_bars")
    panels = []
    for key, rows in _facets(frame, facet_col):
        rows = rows.sort_values(value_col, ascending=False, kind="mergesort")
        if top is not None:
            rows = rows.head(top)
        panels.append((key, rows))
    n = max(len(rows) for _, rows in panels)
    fig = _figure(min(4.2 * len(panels), 16), 1.2 + 0.27 * n)
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
    return fig


def plot_dispersion(
    hits: pd.DataFrame,
    bounds: pd.DataFrame | None = None,
    *,
    term_col: str = "term",
    pos_col: str = "rel_pos",
    speech_col: str = SPEECH,
    section_col: str = "section",
    start_col: str = "rel_start",
    terms: Iterable[str] | None = None,
    title: str | None = None,
) -> Figure:
    """A lexical dispersion ("x-ray") plot: one row per term, a tick at each occurrence's
    relative position (0 = start of the speech, 1 = end), one panel per speech.

    ``bounds`` (``speech_id``, ``section``, ``rel_start``) draws a vertical line where each
    section starts, labelled with its numeral (一 二 三 …). ``terms`` fixes the rows and their
    order (default: order of first appearance); every panel has the same rows.
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
        ax.vlines(rows[pos_col].to_numpy(dtype=float), y - 0.35, y + 0.35, color=_COLORS[0],
                  linewidth=1)
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
    axes[-1].set_xlabel("在講話中的位置 position in the speech (0 = start, 1 = end)")
    fig.suptitle(title or "詞語分布 Where the terms occur")
    return fig


def plot_heatmap(
    frame: pd.DataFrame,
    index: str = "theme",
    columns: str = "section",
    values: str = "count",
    *,
    facet_col: str | None = SPEECH,
    aggfunc: str = "sum",
    column_labels: Mapping | Callable | None = None,
    fmt: str = "{:g}",
    cmap: str = "Blues",
    title: str | None = None,
) -> Figure:
    """A heatmap of ``values`` by ``index`` (rows, e.g. theme) and ``columns`` (e.g. section),
    each cell annotated with its value; one panel per speech. Rows keep their order of first
    appearance, columns are sorted; integer sections are labelled 一 二 三 unless
    ``column_labels`` (a mapping or a function of the value) says otherwise.
    """
    _require(frame, index, columns, values, where="plot_heatmap")
    if column_labels is None:
        column_labels = _section_label if columns == "section" else str
    label = column_labels.get if isinstance(column_labels, Mapping) else column_labels
    rows_order = list(pd.unique(frame[index]))
    panels = []
    for key, rows in _facets(frame, facet_col):
        table = rows.pivot_table(index=index, columns=columns, values=values, aggfunc=aggfunc,
                                 fill_value=0).reindex(index=rows_order, fill_value=0)
        panels.append((key, table.sort_index(axis=1)))
    n_cols = max(t.shape[1] for _, t in panels)
    fig = _figure(min(2.2 + (0.7 * n_cols + 1.0) * len(panels), 18), 1.4 + 0.4 * len(rows_order))
    axes = fig.subplots(1, len(panels), squeeze=False, sharey=True)[0]
    vmax = max(float(t.to_numpy().max()) for _, t in panels) or 1.0
    image = None
    for ax, (key, table) in zip(axes, panels):
        data = table.to_numpy(dtype=float)
        image = ax.imshow(data, cmap=cmap, vmin=0, vmax=vmax, aspect="auto")
        ax.set_xticks(np.arange(table.shape[1]), [str(label(c)) for c in table.columns])
        ax.set_yticks(np.arange(table.shape[0]), [str(i) for i in table.index])
        ax.set_xlabel(_axis_name(columns))
        for (r, c), v in np.ndenumerate(data):
            ax.text(c, r, fmt.format(v), ha="center", va="center", fontsize=8,
                    color="white" if v > vmax / 2 else "black")
        if key is not None:
            ax.set_title(str(key), loc="left")
    fig.colorbar(image, ax=list(axes), shrink=0.8, label=_axis_name(values))
    if title:
        fig.suptitle(title)
    return fig


def plot_network(
    edges: pd.DataFrame,
    node_sizes: Mapping | pd.Series | None = None,
    *,
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
    return fig


def plot_category_bars(
    frame: pd.DataFrame,
    category: str = "category",
    section: str = "section",
    *,
    value_col: str | None = None,
    facet_col: str | None = SPEECH,
    title: str | None = None,
    ylabel: str = "次數 occurrences",
) -> Figure:
    """Stacked bars: one bar per ``section`` (一 二 三 … for integer sections), stacked by
    ``category`` (e.g. the type of campaign name). Counts rows, or sums ``value_col``.
    Categories keep their order of first appearance; one panel per speech.
    """
    _require(frame, category, section, where="plot_category_bars")
    cats = list(pd.unique(frame[category]))
    panels = []
    for key, rows in _facets(frame, facet_col):
        if value_col is None:
            table = pd.crosstab(rows[section], rows[category])
        else:
            table = rows.pivot_table(index=section, columns=category, values=value_col,
                                     aggfunc="sum", fill_value=0)
        panels.append((key, table.reindex(columns=cats, fill_value=0).sort_index()))
    n_sections = max(len(t) for _, t in panels)
    fig = _figure(min(1.5 + (0.6 * n_sections + 1.2) * len(panels), 18), 4.2)
    axes = fig.subplots(1, len(panels), squeeze=False, sharey=True)[0]
    for ax, (key, table) in zip(axes, panels):
        x = np.arange(len(table))
        bottom = np.zeros(len(table))
        for i, cat in enumerate(cats):
            heights = table[cat].to_numpy(dtype=float)
            ax.bar(x, heights, bottom=bottom, color=_COLORS[i % len(_COLORS)], label=str(cat),
                   width=0.7)
            bottom += heights
        ax.set_xticks(x, [_section_label(s) for s in table.index])
        ax.set_xlabel(_axis_name(section))
        if value_col is None:
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if key is not None:
            ax.set_title(str(key), loc="left")
    axes[0].set_ylabel(ylabel)
    axes[-1].legend(title=_axis_name(category), fontsize=8, title_fontsize=8, frameon=False,
                    loc="upper left", bbox_to_anchor=(1, 1))
    if title:
        fig.suptitle(title)
    return fig
