"""Every notebook on a corpus of many dated speeches (the 72 shared government work reports and
NPC resolutions): the charts switch to grouped views, stay readable, carry their numbers, and
notebook 04 compares periods and draws the life cycle of 提法. Skipped where ../shared is absent."""
from __future__ import annotations

import csv
import json

import pytest
from PIL import Image

from analysis.output.figures import MAX_SIDE_PX


@pytest.fixture(scope="module")
def corpus_run(gwr_dir, tmp_path_factory):
    from analysis.output.runner import run_all

    figures = tmp_path_factory.mktemp("gwr-figures")
    runs = run_all({"CORPUS_DIR": str(gwr_dir), "FIGURES_DIR": str(figures)},
                   output_dir=tmp_path_factory.mktemp("gwr-executed"), report=False)
    return runs, figures


@pytest.mark.slow
def test_every_chart_of_every_notebook_reads_at_corpus_size(corpus_run):
    runs, figures = corpus_run
    from analysis.output.runner import notebook_paths

    assert [r.path for r in runs] == notebook_paths()   # every notebook, 05 and 06 included
    assert {"05", "06"} <= {r.path.name[:2] for r in runs}
    names = sorted(p.stem for p in figures.glob("*.png"))
    # Notebook 04 has what it needs here: trends, two periods and life cycles; the national
    # comparison is skipped, since the corpus holds the reports themselves.
    assert {"04-national-trends", "04-corpus-trends", "04-periods", "04-lifecycle"} <= set(names)
    assert "04-keywords-vs-period" not in names
    # Notebook 06 sets each year's growth, price and jobs targets beside the next report's result.
    assert {"06-directive-strength", "06-growth-targets", "06-price-jobs-targets"} <= set(names)
    # Notebook 05 draws reuse over time; its echoes of the reports are skipped for the same reason.
    assert {"05-frames", "05-reuse-heatmap", "05-predecessor", "05-most-reused"} <= set(names)
    assert "05-echoes" not in names
    for name in names:
        width, height = Image.open(figures / f"{name}.png").size
        assert max(width, height) <= MAX_SIDE_PX, f"{name}: {width} × {height} px"
        assert (figures / f"{name}.csv").is_file() and (figures / f"{name}.svg").is_file()
    # Grouped views, not a panel per speech: the speeches are grouped by year (each a dot in
    # the overview), and the word charts are the corpus's.
    with open(figures / "00-structure.csv", encoding="utf-8") as handle:
        overview = list(csv.DictReader(handle))
    assert len(overview) == 72 and {"speech_id", "year", "n_chars", "with_sections"} <= set(overview[0])
    for name in ("01-top-words", "01-keyness", "02-campaign-types", "03-theme-heatmap", "06-directive-strength"):
        with open(figures / f"{name}.csv", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert "speech_id" not in rows[0], f"{name} draws speech by speech"


@pytest.mark.slow
def test_the_findings_state_this_corpus_not_the_seed(corpus_run):
    runs, _ = corpus_run
    text = {run.path.name[:2]: json.dumps(run.notebook, ensure_ascii=False) for run in runs}
    assert "**72 speeches**" in text["00"]
    assert "Dated: 52 from metadata, 20 from their text; 0 undated, 1954–2025." in text["00"]
    assert "enough to compare within the corpus: 72 dated speeches" in text["04"]
    assert "gdp_growth: in 23 years with a target and the next report's result (1992–2024)" in text["06"]
    assert "Not named at all: 雙降." in text["06"]
    assert "enough to compare speeches over time: 72 dated speeches in 54 years" in text["05"]
    assert "report: a speech repeats a median" in text["05"] and "skipped: the corpus holds the reference" in text["05"]
    for seed_only in ("000_8ebf5a98b5b66884", "2,459 Han characters"):
        assert all(seed_only not in t for t in text.values()), seed_only
