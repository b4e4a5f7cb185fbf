"""The plotting helpers: each returns a Figure that draws its input, renders without a glyph
warning, and writes the same bytes twice."""
from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from analysis.output.figures import save_figure
from analysis.output.plots import (
    plot_category_bars,
    plot_corpus_overview,
    plot_dispersion,
    plot_heatmap,
    plot_lifecycle,
    plot_network,
    plot_positions,
    plot_ranked_bars,
    plot_removals,
    plot_structure,
    plot_trends,
    truncate,
)


def render_checked(make, tmp_path) -> Figure:
    """``make()`` twice: save_figure writes PNG and SVG for both without any warning (a missing
    glyph raises), and the bytes are identical. Returns the first figure (still drawable)."""
    fig = make()
    assert isinstance(fig, Figure)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = save_figure(fig, "99-check", figures_dir=tmp_path / "first")
    assert [str(w.message) for w in caught] == []
    second = save_figure(make(), "99-check", figures_dir=tmp_path / "second")
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), f"{a.name} differs between two renderings"
    return fig


def bars(ax) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def ticks(labels) -> list[str]:
    return [t.get_text() for t in labels]


# --- small helpers -------------------------------------------------------------------------------

def test_truncate():
    assert truncate("提高認識", 10) == "提高認識"
    assert truncate("一、提高認識，進一步增強做好新時期計生協工作", 8) == "一、提高認識，…"
    assert len(truncate("一二三四五六七八九十", 5)) == 5


# --- plot_structure ------------------------------------------------------------------------------

OUTLINE = pd.DataFrame({
    "part": ["salutation", "preamble", "section", "point", "point", "section", "closing"],
    "section": [None, None, 1, 1, 1, 2, None],
    "point": [None, None, None, 1, 2, None, None],
    "label": ["", "", "一、", "第一，", "第二，", "二、", ""],
    "title": ["同志們：", "", "提高認識，進一步增強做好新時期計生協工作的責任感",
              "加強計生協工作", "推進基層", "發揮優勢", "同志們，做好計生協工作"],
    "n_chars": [3, 240, 515, 114, 183, 1077, 106],
})


def test_plot_structure_one_speech(tmp_path):
    fig = render_checked(lambda: plot_structure(OUTLINE), tmp_path)
    (ax,) = fig.axes
    shown = OUTLINE[OUTLINE["part"] != "salutation"]
    assert len(bars(ax)) == len(shown)
    assert [b.get_width() for b in bars(ax)] == shown["n_chars"].tolist()
    labels = ticks(ax.get_yticklabels())
    assert labels[0] == "（前言）"
    assert labels[1] == "一、提高認識，進一步增強做…"  # cut to 14 characters, … included
    assert labels[2] == "　第一，加強計生協工作"  # points indented
    assert labels[4] == "二、發揮優勢"
    assert labels[5].startswith("（結語）同志們")
    assert "漢字" in ax.get_xlabel() and "Han characters" in ax.get_xlabel()


def test_plot_structure_missing_titles_are_blank(tmp_path):
    frame = OUTLINE.assign(title=[None, np.nan, "提高認識", pd.NA, "推進基層", "發揮優勢", None])
    labels = ticks(plot_structure(frame).axes[0].get_yticklabels())
    assert labels[:3] == ["（前言）", "一、提高認識", "　第一，"]
    assert not any("nan" in label.lower() or "None" in label for label in labels)


def test_plot_structure_one_panel_per_speech(tmp_path):
    two = pd.concat([OUTLINE.assign(speech_id="a"), OUTLINE.head(4).assign(speech_id="b")])
    fig = render_checked(lambda: plot_structure(two, kinds=("section", "point")), tmp_path)
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["a", "b"]
    assert [len(bars(ax)) for ax in fig.axes] == [4, 2]


def test_plot_structure_outlines_a_corpus_frame(tmp_path):
    text = ("同志們：\n今天開會。\n一、提高認識\n第一，要重視。\n第二，要落實。\n"
            "二、加強領導\n同志們，努力工作。")
    corpus = pd.DataFrame({"speech_id": ["s1"], "text": [text]})
    fig = render_checked(lambda: plot_structure(corpus), tmp_path)
    assert ticks(fig.axes[0].get_yticklabels()) == [
        "（前言）", "一、提高認識", "　第一，要重視", "　第二，要落實", "二、加強領導",
        "（結語）同志們，努力工作"]


def test_plot_structure_names_a_missing_column():
    with pytest.raises(KeyError, match="n_chars"):
        plot_structure(OUTLINE.drop(columns="n_chars"))


# --- plot_removals -------------------------------------------------------------------------------

def test_plot_removals_long_form_grouped_by_speech(tmp_path):
    counts = pd.DataFrame({"speech_id": ["a", "a", "a", "b", "b", "b"],
                           "kind": ["pinyin", "title", "footer"] * 2, "count": [132, 1, 2, 50, 1, 0]})
    fig = render_checked(lambda: plot_removals(counts), tmp_path)
    (ax,) = fig.axes
    assert ticks(ax.get_yticklabels()) == ["標題 title", "頁腳 footer", "拼音 pinyin"]  # cleaning's order
    widths = sorted(b.get_width() for b in bars(ax))
    assert widths == sorted(counts["count"].astype(float))
    assert ticks(ax.get_legend().get_texts()) == ["a", "b"]


def test_plot_removals_from_the_corpus_columns(tmp_path):
    corpus = pd.DataFrame({"speech_id": ["s1"], "text": ["…"], "removed_title": [1],
                           "removed_date": [1], "removed_pinyin": [132], "n_chars": [3000]})
    fig = render_checked(lambda: plot_removals(corpus), tmp_path)
    (ax,) = fig.axes
    assert ticks(ax.get_yticklabels()) == ["標題 title", "日期 date", "拼音 pinyin"]
    assert [b.get_width() for b in bars(ax)] == [1, 1, 132]
    assert ax.get_legend() is None


# --- plot_ranked_bars ----------------------------------------------------------------------------

KEYNESS = pd.DataFrame({"term": ["人口", "計劃生育", "服務", "流動人口", "基層"],
                        "log_ratio": [-0.3, 2.5, -1.5, 1.2, 0.4]})


def test_plot_ranked_bars_largest_on_top(tmp_path):
    fig = render_checked(lambda: plot_ranked_bars(KEYNESS, label_col="term", value_col="log_ratio",
                                                  title="關鍵詞 keyness"), tmp_path)
    (ax,) = fig.axes
    ranked = KEYNESS.sort_values("log_ratio", ascending=False)
    assert ticks(ax.get_yticklabels()) == ranked["term"].tolist()
    assert [b.get_width() for b in bars(ax)] == ranked["log_ratio"].tolist()
    colors = {b.get_width() >= 0: b.get_facecolor() for b in bars(ax)}
    assert colors[True] != colors[False]  # under-represented terms stand out
    assert fig.get_suptitle() == "關鍵詞 keyness"
    assert "log ratio" in ax.get_xlabel()


def test_plot_ranked_bars_top_and_facets(tmp_path):
    frame = pd.concat([KEYNESS.assign(speech_id="a"), KEYNESS.head(2).assign(speech_id="b")])
    fig = render_checked(lambda: plot_ranked_bars(frame, label_col="term", value_col="log_ratio", n=3), tmp_path)
    assert [len(bars(ax)) for ax in fig.axes] == [3, 2]
    assert ticks(fig.axes[0].get_yticklabels()) == ["計劃生育", "流動人口", "基層"]
    assert ticks(fig.axes[1].get_yticklabels()) == ["計劃生育", "人口"]


# --- plot_dispersion -----------------------------------------------------------------------------

# Column names as analysis.dispersion returns them: the plot's defaults.
HITS = pd.DataFrame({"speech_id": ["a"] * 4 + ["b"] * 3,
                     "term": ["人口", "計生", "人口", "服務", "人口", "計生", "計生"],
                     "position": [0.1, 0.2, 0.5, 0.9, 0.3, 0.6, 0.95]})
BOUNDS = pd.DataFrame({"speech_id": ["a", "a", "a", "b", "b"], "section": [1, 2, 3, 1, 2],
                       "rel_start": [0.05, 0.4, 0.7, 0.1, 0.5]})


def test_plot_dispersion_rows_ticks_and_section_lines(tmp_path):
    fig = render_checked(lambda: plot_dispersion(HITS, bounds=BOUNDS), tmp_path)
    assert len(fig.axes) == 2
    for ax, sid in zip(fig.axes, ["a", "b"]):
        mine = HITS[HITS["speech_id"] == sid]
        assert ticks(ax.get_yticklabels()) == ["人口", "計生", "服務"]  # same rows in every panel
        (ticks_drawn,) = [c for c in ax.collections if isinstance(c, LineCollection)]
        segments = ticks_drawn.get_segments()
        assert sorted(s[0][0] for s in segments) == sorted(mine["position"])
        rows = {"人口": 0, "計生": 1, "服務": 2}
        assert sorted((s[0][0], round(s[:, 1].mean())) for s in segments) == sorted(
            zip(mine["position"], mine["term"].map(rows)))
        labels = [t.get_text().strip() for t in ax.texts]
        assert labels == ["一", "二", "三"][: (BOUNDS["speech_id"] == sid).sum()]
        assert len(ax.get_lines()) == (BOUNDS["speech_id"] == sid).sum()


def test_plot_dispersion_with_section_bounds_of_a_real_speech(tmp_path, seed_corpus):
    from analysis import dispersion, section_bounds

    hits = dispersion(seed_corpus, ["雙降"])
    fig = render_checked(lambda: plot_dispersion(hits, bounds=section_bounds(seed_corpus),
                                                 pos_col="position"), tmp_path)
    (ax,) = fig.axes
    # Salutation and preamble start at the top and get no line; the closing does.
    assert [t.get_text().strip() for t in ax.texts] == ["一", "二", "三", "結語"]


def test_plot_dispersion_one_speech_chosen_terms(tmp_path):
    one = HITS[HITS["speech_id"] == "a"].drop(columns="speech_id")
    fig = render_checked(lambda: plot_dispersion(one, terms=["服務", "人口"]), tmp_path)
    (ax,) = fig.axes
    assert ticks(ax.get_yticklabels()) == ["服務", "人口"]
    assert len(ax.collections[0].get_segments()) == 3  # 計生 is not a row
    assert len(ax.texts) == 0


def test_plot_dispersion_labels_hits_too_close_to_tell_apart(tmp_path):
    # Three hits within 0.004 of the speech (one sentence), two far apart, one pair 0.005 apart.
    hits = pd.DataFrame({"term": ["甲"] * 6, "position": [0.500, 0.502, 0.504, 0.1, 0.8, 0.805]})
    fig = render_checked(lambda: plot_dispersion(hits), tmp_path)
    (ax,) = fig.axes
    assert len(ax.collections[0].get_segments()) == 6           # every hit keeps its tick
    labels = sorted((round(t.get_position()[0], 4), t.get_text()) for t in ax.texts)
    assert labels == [(0.502, "×3"), (0.8025, "×2")]
    assert fig.plotted_data["cluster_hits"].tolist() == [3, 3, 3, 1, 2, 2]
    # A finer gap (a wider figure, say) tells the pair apart, not the three.
    fine = plot_dispersion(hits, min_gap=0.004)
    assert [t.get_text() for t in fine.axes[0].texts] == ["×3"]


# --- plot_heatmap --------------------------------------------------------------------------------

# Column names as analysis.theme_shares returns them (label, place, per_1000): the defaults.
THEMES = pd.DataFrame({"label": ["人口", "人口", "服務", "管理"],
                       "place": pd.Categorical(["一", "二", "二", "三"], categories=["前言", "一", "二", "三"],
                                               ordered=True),
                       "per_1000": [3, 1, 5, 2]})


def test_plot_heatmap_cells_and_annotations(tmp_path):
    fig = render_checked(lambda: plot_heatmap(THEMES), tmp_path)
    ax = fig.axes[0]
    assert ticks(ax.get_yticklabels()) == ["人口", "服務", "管理"]
    assert ticks(ax.get_xticklabels()) == ["一", "二", "三"]
    expected = np.array([[3, 1, 0], [0, 5, 0], [0, 0, 2]])
    assert np.array_equal(ax.get_images()[0].get_array(), expected)
    assert [t.get_text() for t in ax.texts] == [str(v) for v in expected.ravel()]
    assert "part of the speech" in ax.get_xlabel()


def test_plot_heatmap_shows_the_hits_behind_each_rate(tmp_path):
    # A closing of 106 characters with 2 hits has a rate of 18.9: the cell says n=2.
    frame = pd.DataFrame({"label": ["協會", "協會", "宣傳", "宣傳"], "place": ["二", "結語", "二", "結語"],
                          "per_1000": [7.4, 18.9, 20.4, 0.0], "hits": [8, 2, 22, 0]})
    fig = render_checked(lambda: plot_heatmap(frame, fmt="{:.1f}", count_col="hits", facet_col=None), tmp_path)
    ax = [a for a in fig.axes if a.get_images()][0]
    assert [t.get_text() for t in ax.texts] == ["7.4", "n=8", "18.9", "n=2", "20.4", "n=22", "0.0", "n=0"]
    assert fig.plotted_data["hits"].tolist() == [8, 2, 22, 0]
    with pytest.raises(KeyError, match="no column 'count'"):
        plot_heatmap(frame, count_col="count")


def test_plot_heatmap_one_panel_per_speech(tmp_path):
    frame = pd.DataFrame({"speech_id": ["a"] * 4 + ["b"] * 2, "theme": ["人口", "人口", "服務", "管理", "人口", "人口"],
                          "section": [1, 2, 2, 3, 1, 2], "count": [3, 1, 5, 2, 3, 1]})
    fig = render_checked(lambda: plot_heatmap(frame, index="theme", columns="section", values="count",
                                              column_labels={1: "I", 2: "II", 3: "III"}), tmp_path)
    panels = [ax for ax in fig.axes if ax.get_images()]
    assert [ax.get_title(loc="left") for ax in panels] == ["a", "b"]
    assert ticks(panels[1].get_xticklabels()) == ["I", "II"]
    assert np.array_equal(panels[1].get_images()[0].get_array(), [[3, 1], [0, 0], [0, 0]])


# --- plot_network --------------------------------------------------------------------------------

EDGES = pd.DataFrame({"source": ["人口", "人口", "計生", "服務"],
                      "target": ["計生", "服務", "服務", "管理"], "weight": [3, 1, 2, 1]})


def test_plot_network_labels_edges_and_a_fixed_layout(tmp_path):
    fig = render_checked(lambda: plot_network(EDGES), tmp_path)
    (ax,) = fig.axes
    assert sorted(t.get_text() for t in ax.texts) == sorted({"人口", "計生", "服務", "管理"})
    assert {t.get_fontfamily()[0] for t in ax.texts} == {"Noto Sans CJK TC"}
    edges = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert sum(len(c.get_segments()) for c in edges) == len(EDGES)
    positions = {t.get_text(): t.get_position() for t in ax.texts}
    again = {t.get_text(): t.get_position() for t in plot_network(EDGES).axes[0].texts}
    assert positions == again
    moved = {t.get_text(): t.get_position() for t in plot_network(EDGES, seed=1).axes[0].texts}
    assert moved != positions  # the seed is what fixes the layout


def test_plot_network_node_sizes_and_facets(tmp_path):
    frame = pd.concat([EDGES.assign(speech_id="a"), EDGES.head(1).assign(speech_id="b")])
    sizes = {"人口": 10, "計生": 5, "服務": 1, "管理": 1}
    fig = render_checked(lambda: plot_network(frame, node_sizes=sizes), tmp_path)
    assert [len(ax.texts) for ax in fig.axes] == [4, 2]
    nodes = fig.axes[1].collections
    drawn = [c for c in nodes if not isinstance(c, LineCollection)][0].get_sizes()
    assert drawn[0] > drawn[1]  # 人口 (10) drawn larger than 計生 (5)


# --- plot_category_bars --------------------------------------------------------------------------

CAMPAIGNS = pd.DataFrame({"category": ["工程", "活動", "工程", "行動", "活動"],
                          "section": [1, 1, 2, 3, 3]})


def test_plot_category_bars_stacked_by_type(tmp_path):
    fig = render_checked(lambda: plot_category_bars(CAMPAIGNS), tmp_path)
    (ax,) = fig.axes
    assert ticks(ax.get_xticklabels()) == ["一", "二", "三"]
    assert len(bars(ax)) == 3 * 3  # sections × categories, zero-height ones included
    assert ticks(ax.get_legend().get_texts()) == ["工程", "活動", "行動"]
    tops = {}
    for b in bars(ax):
        x = round(b.get_x() + b.get_width() / 2)
        tops[x] = max(tops.get(x, 0), b.get_y() + b.get_height())
    assert [tops[x] for x in range(3)] == CAMPAIGNS.groupby("section").size().tolist()


def test_plot_category_bars_values_and_facets(tmp_path):
    frame = CAMPAIGNS.assign(n=[2, 1, 4, 1, 1], speech_id=["a", "a", "b", "b", "b"])
    fig = render_checked(lambda: plot_category_bars(frame, value_col="n"), tmp_path)
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["a", "b"]
    assert ticks(fig.axes[0].get_xticklabels()) == ["一"]
    assert ticks(fig.axes[1].get_xticklabels()) == ["二", "三"]
    assert sum(b.get_height() for b in bars(fig.axes[1])) == 6


def test_plot_category_bars_of_categorical_columns_gives_no_pandas_warning(tmp_path):
    """Notebook 06 sums a value over categorical columns: pandas's FutureWarning on the
    default of ``observed`` is not shown to the reader (the choice is said, and kept)."""
    import warnings

    frame = CAMPAIGNS.assign(n=[2, 1, 4, 1, 1], speech_id=["a", "a", "b", "b", "b"])
    frame = frame.astype({"category": "category", "speech_id": "category"})
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        fig = render_checked(lambda: plot_category_bars(frame, value_col="n"), tmp_path)
    assert sum(b.get_height() for b in bars(fig.axes[1])) == 6


# --- every helper ---------------------------------------------------------------------------------

@pytest.mark.parametrize("plot, frame", [
    (plot_structure, OUTLINE), (plot_removals, pd.DataFrame({"kind": ["title"], "count": [1]})),
    (lambda f: plot_ranked_bars(f, label_col="term", value_col="log_ratio"), KEYNESS), (plot_dispersion, HITS),
    (plot_heatmap, THEMES), (plot_network, EDGES), (plot_category_bars, CAMPAIGNS),
])
def test_an_empty_frame_is_a_clear_error(plot, frame):
    with pytest.raises(ValueError, match="empty|no part"):
        plot(frame.iloc[:0])


def test_helpers_leave_no_pyplot_figure_open():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    plot_heatmap(THEMES)
    plot_network(EDGES)
    assert plt.get_fignums() == before
    assert matplotlib.rcParams["font.family"] == ["Noto Sans CJK TC"]


# --- views that scale with the corpus ------------------------------------------------------------

def test_more_panels_than_can_be_read_is_an_error_that_says_what_to_do():
    many_speeches = pd.DataFrame({"speech_id": [f"s{i}" for i in range(9)], "term": ["甲"] * 9,
                                  "count": range(9)})
    with pytest.raises(ValueError, match="9 panels .* group the rows first"):
        plot_ranked_bars(many_speeches, label_col="term", value_col="count")
    fig = plot_ranked_bars(many_speeches, label_col="term", value_col="count", facet_col=None)
    assert len(fig.axes) == 1


def test_removals_of_many_speeches_are_summed():
    counts = pd.DataFrame({"speech_id": [f"s{i}" for i in range(10)], "removed_title": [1] * 10,
                           "removed_pinyin": range(10)})
    fig = plot_removals(counts)
    heights = sorted(b.get_width() for b in bars(fig.axes[0]))
    assert heights == [10, 45] and fig.axes[0].get_legend() is None
    assert "all 10 speeches" in fig.axes[0].get_xlabel()
    assert fig.plotted_data.set_index("kind")["count"].to_dict() == {"title": 10, "pinyin": 45}


TRENDS = pd.DataFrame({"term": ["計劃生育"] * 3 + ["雙降"] * 3, "year": [2000, 2001, 2003] * 2,
                       "count": [4, 2, 0, 0, 0, 1], "per_10k": [4.0, 2.0, 0.0, 0.0, 0.0, 1.0],
                       "ci_low": [1.0, 0.5, 0.0, 0.0, 0.0, 0.1], "ci_high": [9.0, 6.0, 3.0, 3.0, 3.0, 5.0]})


def test_plot_trends_one_panel_per_term_with_marks(tmp_path):
    marks = pd.DataFrame({"term": ["雙降"], "year": [2002], "per_10k": [20.0], "ci_low": [10.0], "ci_high": [40.0]})
    fig = render_checked(lambda: plot_trends(TRENDS, marks=marks), tmp_path)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_title(loc="left")]
    assert [ax.get_title(loc="left") for ax in panels] == ["計劃生育", "雙降"]
    # 2002 has no row: the line stops at 2001 and starts again at 2003, never drawn across.
    segments = [(line.get_xdata().tolist(), line.get_ydata().tolist()) for line in panels[0].get_lines()]
    assert segments == [([2000, 2001], [4.0, 2.0]), ([2003], [0.0])]
    # The mark (top 40 × 1.1) is more than twice the line's top (5 × 1.1): its own axis, on the right.
    assert fig.marks_axis == "own"
    twin = [ax for ax in fig.axes if ax is not panels[1] and ax.bbox.bounds == panels[1].bbox.bounds]
    assert len(twin) == 1 and twin[0].collections[-1].get_offsets().tolist() == [[2002.0, 20.0]]
    assert twin[0].get_ylim() == pytest.approx((0, 44.0)) and panels[1].get_ylim() == pytest.approx((0, 5.5))
    assert fig.plotted_data["series"].tolist().count("this corpus") == 1
    # One axis when asked, and then the mark sets the shared top.
    shared = plot_trends(TRENDS, marks=marks, marks_axis="shared")
    assert shared.marks_axis == "shared" and len(shared.axes) == 2
    assert shared.axes[1].get_ylim() == pytest.approx((0, 44.0))
    with pytest.raises(ValueError, match="at most 8 panels"):
        plot_trends(pd.concat([TRENDS.assign(term=f"t{i}") for i in range(9)]))


@pytest.mark.parametrize("terms", [2, 4])
@pytest.mark.parametrize("sentences", [1, 4, 8])
def test_the_trends_caption_stands_below_the_axis_labels(terms, sentences):
    # A four-line caption under one row of panels once overprinted the x label (年份 year).
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    caption = "Blue: the reports, each term's rate per 10,000 words with its interval; red: this corpus. " * sentences
    fig = plot_trends(pd.concat([TRENDS.assign(term=f"詞{i}") for i in range(terms)]), caption=caption)
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    [text] = [t for t in fig.texts if t.get_text().startswith("Blue")]
    labels = [ax.xaxis.label.get_window_extent(renderer) for ax in fig.axes if ax.get_visible() and ax.get_xlabel()]
    assert labels and text.get_window_extent(renderer).y1 < min(box.y0 for box in labels)


def test_plot_trends_shades_the_gaps_marks_the_breaks_and_writes_the_caption(tmp_path):
    from matplotlib.patches import Polygon, Rectangle

    from analysis.measures.trends import missing_spans

    years = [1960, 1964, 1965, 1975, 1976, 2012, 2013, 2014, 2015, 2016, 2019]
    trends = pd.DataFrame({"term": "甲", "year": years, "per_10k": 1.0, "ci_low": 0.5, "ci_high": 2.0})
    breaks = pd.DataFrame({"start": [2013, 2015], "end": [2013, 2016], "label": ["merger", "two-child"]})
    assert missing_spans(years) == [(1961, 1963), (1966, 1974), (1977, 2011), (2017, 2018)]
    fig = render_checked(lambda: plot_trends(trends, breaks=breaks, caption="what is compared"), tmp_path)
    ax = fig.axes[0]
    # Five runs of years between the four gaps, each its own line (a year alone is a dot).
    runs = [line.get_xdata().tolist() for line in ax.get_lines() if line.get_linestyle() == "-"]
    assert runs == [[1960], [1964, 1965], [1975, 1976], [2012, 2013, 2014, 2015, 2016], [2019]]
    grey = [p for p in ax.patches if isinstance(p, Rectangle | Polygon) and p.get_facecolor()[:3] == (0.88,) * 3]
    assert len(grey) == 4   # 1961–63, 1966–74, 1977–2011, 2017–18
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert [line.get_xdata()[0] for line in dashed] == [2013]
    assert any(t.get_text() == "what is compared" for t in fig.texts)
    labels = fig.legends[0].get_texts()
    assert {t.get_text() for t in labels} >= {"merger", "two-child", "無數據 no data"}


def test_plot_trends_fits_the_rates_and_clips_the_intervals_of_tiny_groups(tmp_path):
    # 1962 and 2020 are ~100-word resolutions: intervals up to 200 per 10,000; real rates ≤ 8.
    trends = pd.DataFrame({"term": ["低保"] * 4, "year": [1960, 1962, 2019, 2020],
                           "per_10k": [4.0, 0.0, 8.0, 0.0], "ci_low": [2.0, 0.0, 5.0, 0.0],
                           "ci_high": [7.0, 200.0, 10.0, 150.0], "n_words": [20_000, 100, 15_000, 120]})
    fig = render_checked(lambda: plot_trends(trends), tmp_path)
    ax = fig.axes[0]
    # The top: 10% above the largest interval of a group with enough words (10 in 2019).
    assert ax.get_ylim() == pytest.approx((0, 11.0))
    assert fig.clipped_intervals == {"低保": 2}
    assert ax.get_title(loc="right") == "^ 2 intervals clipped (groups under 1,000 words)"
    # Without n_words every group counts: nothing clipped, the top follows the largest interval.
    fig = plot_trends(trends.drop(columns="n_words"))
    assert fig.axes[0].get_ylim() == pytest.approx((0, 220.0)) and fig.clipped_intervals == {"低保": 0}
    # A rate above every trusted interval sets the top itself.
    fig = plot_trends(trends.assign(per_10k=[4.0, 30.0, 8.0, 0.0]))
    assert fig.axes[0].get_ylim() == pytest.approx((0, 33.0)) and fig.clipped_intervals == {"低保": 2}


def test_plot_corpus_overview_groups_speeches_by_year(tmp_path):
    corpus = pd.DataFrame({"speech_id": [f"s{i}" for i in range(12)], "year": [2000] * 5 + [2001] * 7,
                           "n_chars": list(range(100, 112))})
    parts = pd.DataFrame({"speech_id": ["s0", "s1", "s5"], "part": ["section"] * 3})
    fig = render_checked(lambda: plot_corpus_overview(corpus, parts=parts), tmp_path)
    assert sorted(b.get_height() for b in bars(fig.axes[0])) == [5, 7]
    shares = sorted(round(b.get_height(), 3) for b in bars(fig.axes[2]))
    assert shares == [round(100 / 7, 3), 40.0]   # 2 of 5 in 2000, 1 of 7 in 2001
    assert fig.plotted_data["with_sections"].sum() == 3


def test_plot_corpus_overview_draws_one_median_per_genre(tmp_path):
    # Each year a ~17k-character report and a ~500-character resolution: one median of both
    # would halve the reports; one line per genre keeps each at its own length.
    corpus = pd.DataFrame({"speech_id": [f"s{i}" for i in range(6)], "year": [2000, 2000, 2001, 2001, 2002, 2002],
                           "genre": ["report", "resolution"] * 3,
                           "n_chars": [17_000, 500, 18_000, 520, 16_000, 480]})
    fig = render_checked(lambda: plot_corpus_overview(corpus), tmp_path)
    lines = {line.get_label(): line.get_ydata().tolist() for line in fig.axes[1].get_lines()}
    assert lines == {"中位數 median: report": [17_000, 18_000, 16_000],
                     "中位數 median: resolution": [500, 520, 480]}
    assert fig.plotted_data["genre"].tolist() == ["report", "resolution"] * 3
    # More genres than MAX_GENRE_LINES: the most common genre's median, said in the legend.
    many = pd.concat([corpus.assign(genre=["report", "a", "report", "b", "report", "c"]),
                      corpus.assign(speech_id=corpus.speech_id + "x",
                                    genre=["report", "d", "report", "e", "report", "f"])])
    labels = [line.get_label() for line in plot_corpus_overview(many).axes[1].get_lines()]
    assert labels == ["中位數 median: report only"]
    # One genre (or none): one median, as before.
    labels = [line.get_label() for line in plot_corpus_overview(corpus.assign(genre="report")).axes[1].get_lines()]
    assert labels == ["中位數 median"]


def test_plot_positions_pools_hits_by_tenths(tmp_path):
    hits = pd.DataFrame({"term": ["甲"] * 4 + ["乙"], "position": [0.01, 0.05, 0.95, 0.5, 0.99]})
    fig = render_checked(lambda: plot_positions(hits), tmp_path)
    data = fig.axes[0].get_images()[0].get_array()
    assert np.asarray(data)[0].tolist() == [0.5, 0, 0, 0, 0, 0.25, 0, 0, 0, 0.25]
    assert ticks(fig.axes[0].get_yticklabels()) == ["甲 (n=4)", "乙 (n=1)"]


def test_plot_lifecycle_lines_from_first_to_last(tmp_path):
    table = pd.DataFrame({"name": ["雙降", "三個代表"], "kind": ["formula", "formula"], "first": [2005, 2001],
                          "last": [2012, 2018], "peak": [2010, 2003], "mentions": [9, 30], "n_speeches": [4, 12]})
    fig = render_checked(lambda: plot_lifecycle(table), tmp_path)
    ax = fig.axes[0]
    assert ticks(ax.get_yticklabels()) == ["三個代表", "雙降"]   # by first attestation
    assert [line.get_xdata().tolist() for line in ax.get_lines()] == [[2001, 2018], [2005, 2012]]


PROVINCES = ["北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽",
             "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州",
             "云南", "西藏", "陕西", "甘肃", "青海", "宁夏回族自治区"]


def test_plot_trends_by_thirty_places_labels_each_upright(tmp_path):
    """Thirty places on one axis (notebook 04 with BY="place"): one column of panels as wide as
    the labels need, each label upright, none overprinting another, and the axis named for
    the speeches' place, not for a part of a speech (found by a new user's trial: the figure
    was refused for 58 overprinting labels). Beyond MAX_CATEGORIES, a clear error."""
    from analysis.output.plots import MAX_CATEGORIES

    trends = pd.DataFrame({"term": ["改革"] * 30 + ["发展"] * 30, "place": PROVINCES * 2,
                           "per_10k": np.arange(60, dtype=float), "ci_low": np.arange(60) - 1.0,
                           "ci_high": np.arange(60) + 1.0})
    fig = render_checked(lambda: plot_trends(trends, by="place"), tmp_path)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_title(loc="left")]
    assert [ax.get_title(loc="left") for ax in panels] == ["改革", "发展"]
    assert [t.get_text() for t in panels[-1].get_xticklabels()] == PROVINCES
    assert {t.get_rotation() for t in panels[-1].get_xticklabels()} == {90.0}
    assert panels[-1].get_xlabel() == "地方 place"
    assert fig.get_size_inches()[0] == pytest.approx(1.5 + 0.2 * 30)
    many = pd.DataFrame({"term": "改革", "place": [f"p{i}" for i in range(MAX_CATEGORIES + 1)], "per_10k": 1.0,
                         "ci_low": 0.5, "ci_high": 1.5})
    with pytest.raises(ValueError, match=rf"^plot_trends: {MAX_CATEGORIES + 1} groups of place; at most "):
        plot_trends(many, by="place")


def test_a_grouping_of_speeches_is_labelled_as_one():
    from analysis.output.plots import group_label, plot_category_bars

    frame = pd.DataFrame({"type": ["campaign", "slogan", "campaign"], "place": ["上海", "北京", "北京"]})
    grouped = plot_category_bars(frame, category="type", section="place", facet_col=None, xlabel=group_label("place"))
    parts = plot_category_bars(frame, category="type", section="place", facet_col=None)
    assert grouped.axes[0].get_xlabel() == "地方 place"
    assert parts.axes[0].get_xlabel() == "講話部分 part of the speech"
    assert (group_label("level"), group_label("year"), group_label("province")) == ("級別 level", "年份 year",
                                                                                     "province")
