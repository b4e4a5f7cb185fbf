"""The figure helper: the CJK font, failing on missing glyphs, byte-identical files."""
from __future__ import annotations

import importlib.util
import io
import logging
import struct
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure

from analysis import config
from analysis.output import figures
from analysis.output.figures import (
    MissingFontError,
    cjk_font_name,
    cjk_font_path,
    save_figure,
    setup_matplotlib,
    word_cloud,
)

EMOJI = "\N{GRINNING FACE}"  # not in Noto Sans CJK


DRAWN = pd.DataFrame({"label": ["人口", "計生"], "value": [3, -1]})


def small_figure(title: str = "一、提高認識 -1", size=(3, 2)) -> Figure:
    setup_matplotlib()
    fig = Figure(figsize=size)
    ax = fig.subplots()
    ax.bar(DRAWN["label"], DRAWN["value"])
    ax.set_title(title)
    fig.plotted_data = DRAWN
    return fig


def png_text_keys(data: bytes) -> list[bytes]:
    """The keywords of a PNG's tEXt/iTXt/zTXt chunks (Software, Creation Time, …)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    keys, pos = [], 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind in (b"tEXt", b"iTXt", b"zTXt"):
            keys.append(data[pos + 8:pos + 8 + length].split(b"\0", 1)[0])
        if kind == b"tIME":
            keys.append(b"tIME")
        pos += 12 + length
    return keys


# --- the font ---------------------------------------------------------------------------------

def test_font_is_the_pip_installed_noto_cjk(monkeypatch):
    monkeypatch.delenv(figures.FONT_ENV, raising=False)
    path = cjk_font_path()
    spec = importlib.util.find_spec("cvttf_NotoSansCJK_Regular")
    package = Path(next(iter(spec.submodule_search_locations)))
    assert path.is_file() and path.parent == package
    assert path.name == "NotoSansCJKtc-Regular.otf"
    assert cjk_font_name() == "Noto Sans CJK TC"


def test_font_setting_points_to_another_file(monkeypatch, tmp_path):
    monkeypatch.setenv(figures.FONT_ENV, str(tmp_path / "nope.otf"))
    with pytest.raises(MissingFontError, match="SPEECHES_CJK_FONT.*no such font file"):
        cjk_font_path()
    monkeypatch.setenv(figures.FONT_ENV, str(tmp_path))  # a folder is not a font file
    with pytest.raises(MissingFontError):
        cjk_font_path()
    monkeypatch.delenv(figures.FONT_ENV)
    real = cjk_font_path()
    monkeypatch.setenv(figures.FONT_ENV, str(real))
    assert cjk_font_path() == real


def test_missing_font_package_is_a_clear_error(monkeypatch):
    monkeypatch.delenv(figures.FONT_ENV, raising=False)
    monkeypatch.setattr(figures, "_FONT_PACKAGE", "no_such_font_package_xyz")
    with pytest.raises(MissingFontError, match="not installed.*SPEECHES_CJK_FONT"):
        cjk_font_path()


def test_setup_is_idempotent_and_sets_the_reproducible_settings():
    name = setup_matplotlib()
    setup_matplotlib()
    path = cjk_font_path()
    registered = [f for f in font_manager.fontManager.ttflist if Path(f.fname) == path]
    assert {f.name for f in registered} >= {name}
    assert len([f for f in registered if f.name == name]) == 1
    handlers = [h for h in logging.getLogger("matplotlib.font_manager").handlers
                if isinstance(h, figures._FontNotFoundHandler)]
    assert len(handlers) == 1
    rc = matplotlib.rcParams
    assert rc["font.family"] == [name] and rc["font.sans-serif"][0] == name
    assert rc["axes.unicode_minus"] is False
    assert rc["svg.fonttype"] == "path" and rc["svg.hashsalt"]
    assert rc["savefig.dpi"] == 150


def test_chinese_labels_render_without_any_warning():
    fig = small_figure()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    assert [str(w.message) for w in caught] == []


def test_a_missing_glyph_fails_the_run():
    fig = small_figure(f"人口 {EMOJI}")
    with pytest.raises(UserWarning, match=r"Glyph 128512 .* missing from font\(s\) Noto Sans CJK TC"):
        fig.savefig(io.BytesIO(), format="png")


def test_the_glyph_check_survives_a_reset_of_the_warning_filters():
    # pytest and warnings.catch_warnings() restore the filter list; setup_matplotlib (which
    # every plot and save_figure call) puts the error filter back.
    with warnings.catch_warnings():
        warnings.resetwarnings()
        fig = small_figure(EMOJI)
        with pytest.raises(UserWarning, match="missing from font"):
            fig.savefig(io.BytesIO(), format="png")


def test_a_font_family_not_found_fails_the_run():
    fig = small_figure()
    fig.axes[0].set_xlabel("人口", fontfamily="No Such Family 123")
    with pytest.raises(MissingFontError, match="findfont: Font family .*No Such Family 123.* not found"):
        fig.savefig(io.BytesIO(), format="png")
    handler = figures._font_handler()
    assert any("No Such Family 123" in r for r in handler.records)


# --- save_figure -------------------------------------------------------------------------------

def test_save_figure_writes_png_and_svg_byte_identical(tmp_path):
    first = save_figure(small_figure(), "01-keyness", figures_dir=tmp_path / "a")
    second = save_figure(small_figure(), "01-keyness", figures_dir=tmp_path / "b")
    assert [p.name for p in first] == ["01-keyness.png", "01-keyness.svg"]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert (tmp_path / "a" / "01-keyness.csv").read_bytes() == (tmp_path / "b" / "01-keyness.csv").read_bytes()
    png, svg = (p.read_bytes() for p in first)
    assert png_text_keys(png) == []  # no Software, no timestamp
    assert b"<dc:date>" not in svg and b"Matplotlib v" not in svg
    assert b"<text" not in svg  # glyphs as paths: the same picture without the font


def test_save_figure_default_folder_is_config_figures_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "FIGURES_DIR", tmp_path / "figs")
    png, svg = save_figure(small_figure(), "02-campaign-types")
    assert png == tmp_path / "figs" / "02-campaign-types.png" and png.is_file() and svg.is_file()


@pytest.mark.parametrize("name", ["keyness", "1-keyness", "01_keyness", "01-Keyness", "01-", "01-a--b",
                                  "01-keyness.png", "../01-x"])
def test_save_figure_rejects_badly_formed_names(name, tmp_path):
    with pytest.raises(ValueError, match="figure name"):
        save_figure(small_figure(), name, figures_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_the_numbers_behind_a_figure_are_written_beside_it(tmp_path):
    save_figure(small_figure(), "01-bars", figures_dir=tmp_path)
    assert (tmp_path / "01-bars.csv").read_text(encoding="utf-8") == "label,value\n人口,3\n計生,-1\n"
    # Data given explicitly wins over what the chart kept.
    save_figure(small_figure(), "01-bars", figures_dir=tmp_path, data=pd.DataFrame({"x": [0.5]}))
    assert (tmp_path / "01-bars.csv").read_text(encoding="utf-8") == "x\n0.5\n"
    # A figure with no data behind it is refused, and nothing is written.
    bare = small_figure()
    del bare.plotted_data
    with pytest.raises(ValueError, match="no data behind it"):
        save_figure(bare, "01-bare", figures_dir=tmp_path)
    assert not list(tmp_path.glob("01-bare.*"))


def test_a_figure_too_big_to_read_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"at most 4000 px"):
        save_figure(small_figure(size=(8, 30)), "01-tall", figures_dir=tmp_path)   # 30 in × 150 dpi = 4500 px
    assert not list(tmp_path.glob("01-tall.*"))


def test_save_figure_closes_a_pyplot_figure(tmp_path):
    import matplotlib.pyplot as plt

    setup_matplotlib()
    fig, ax = plt.subplots()
    ax.plot([1, 2], [1, 2])
    assert plt.fignum_exists(fig.number)
    save_figure(fig, "03-line", figures_dir=tmp_path, data=pd.DataFrame({"x": [1, 2], "y": [1, 2]}))
    assert not plt.fignum_exists(fig.number)


def test_save_figure_fails_on_a_missing_glyph(tmp_path):
    with pytest.raises(UserWarning, match="missing from font"):
        save_figure(small_figure(f"計生 {EMOJI}"), "04-emoji", figures_dir=tmp_path)


# --- word_cloud --------------------------------------------------------------------------------

FREQS = {"計劃生育": 30, "流動人口": 18, "人口": 12, "服務": 9, "基層": 7, "統籌": 5, "計生協": 4}


def cloud_pixels(fig: Figure) -> np.ndarray:
    return fig.axes[0].get_images()[0].get_array()


def test_word_cloud_is_a_figure_drawn_the_same_each_time(tmp_path):
    fig = word_cloud(FREQS)
    assert isinstance(fig, Figure)
    pixels = np.asarray(cloud_pixels(fig))
    assert pixels.shape == (500, 800, 3)
    assert (pixels < 200).any()  # words were drawn on the white background
    a = save_figure(fig, "05-cloud", figures_dir=tmp_path / "a")
    b = save_figure(word_cloud(FREQS), "05-cloud", figures_dir=tmp_path / "b")
    assert (tmp_path / "a" / "05-cloud.csv").read_text(encoding="utf-8").splitlines()[:2] == ["word,weight",
                                                                                            "計劃生育,30"]
    assert a[0].read_bytes() == b[0].read_bytes() and a[1].read_bytes() == b[1].read_bytes()
    other = np.asarray(cloud_pixels(word_cloud(FREQS, random_state=7)))
    assert not np.array_equal(pixels, other)  # random_state is what fixes the layout


def test_word_cloud_refuses_words_the_font_cannot_draw():
    with pytest.raises(MissingFontError, match="no glyph"):
        word_cloud({"人口": 3, f"笑{EMOJI}": 2})


def test_word_cloud_needs_a_positive_frequency():
    with pytest.raises(ValueError, match="positive frequency"):
        word_cloud({})
    with pytest.raises(ValueError, match="positive frequency"):
        word_cloud({"人口": 0})


def test_overprinted_tick_labels_are_refused(tmp_path):
    setup_matplotlib()
    crowded = Figure(figsize=(3, 2))
    ax = crowded.subplots()
    labels = [f"第{i}個很長的類別" for i in range(40)]
    ax.bar(labels, range(40))
    crowded.plotted_data = pd.DataFrame({"label": labels})
    with pytest.raises(ValueError, match=r"tick labels overprint each other \('第0個很長的類別' and '第1個很長的類別'"):
        save_figure(crowded, "01-crowded", figures_dir=tmp_path)
    assert not list(tmp_path.glob("01-crowded.*"))   # nothing is left behind
    roomy = Figure(figsize=(8, 2))
    ax = roomy.subplots()
    ax.bar(["人口", "計生", "服務"], [1, 2, 3])
    roomy.plotted_data = pd.DataFrame({"x": [1]})
    save_figure(roomy, "01-roomy", figures_dir=tmp_path)
    assert (tmp_path / "01-roomy.png").is_file()
