"""Shared fixtures: the seed speech, read once per session.

The tests use their own cache folder (never the project's .cache) and run headless (no
progress bars), as CI does.
"""
from __future__ import annotations

import os
import re
import tempfile

os.environ.setdefault("SPEECHES_CACHE_DIR", tempfile.mkdtemp(prefix="speeches-test-cache-"))
os.environ["SPEECHES_HEADLESS"] = "1"
# Results of whole corpora are computed in every test, never read back from an earlier one
# (tests/test_memo.py turns the memo on to test it).
os.environ["SPEECHES_MEMO"] = "0"

import pytest

from analysis.config import GWR_DIR, SEEDS_DIR

SEED = SEEDS_DIR / "000_8ebf5a98b5b66884.txt"
PINYIN_IN_PARENS = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


@pytest.fixture(scope="session")
def seed_raw() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_corpus():
    from analysis import load_corpus

    return load_corpus()


@pytest.fixture(scope="session")
def seed_text(seed_corpus) -> str:
    return seed_corpus.text.iloc[0]


@pytest.fixture(scope="session")
def seed_without_pinyin(seed_raw) -> str:
    """The seed page with its inline pinyin taken out by hand: Big5 cannot encode tone marks."""
    return PINYIN_IN_PARENS.sub("", seed_raw)


# The seed under the short names the analysis tests use.
@pytest.fixture(scope="session")
def corpus(seed_corpus):
    return seed_corpus


@pytest.fixture(scope="session")
def text(seed_text) -> str:
    return seed_text


@pytest.fixture(scope="session")
def tokens(seed_corpus):
    from analysis import corpus_tokens

    return corpus_tokens(seed_corpus)


@pytest.fixture(scope="session")
def segmentation_scores():
    """analysis.segquality.evaluate() over both parts of the gold: every segmenter's scores,
    computed once for the tests of the scores and of the README's table."""
    from analysis.text.segquality import evaluate

    return evaluate()


# The shared corpus of government work reports, where ../shared is beside the checkout.
GWR_MISSING = (f"the shared corpus {GWR_DIR} is absent (it lives in ../shared beside the "
               "project; set SPEECHES_GWR_DIR to point elsewhere)")


@pytest.fixture(scope="session")
def gwr_dir():
    """The folder of the shared government work reports; skips the test where it is absent."""
    if not (GWR_DIR / "metadata.csv").is_file():
        pytest.skip(GWR_MISSING)
    return GWR_DIR


# --- every real notebook, run once per session ------------------------------------------------

@pytest.fixture(scope="session")
def executed_notebooks(tmp_path_factory):
    """Every notebook in notebooks/, run once through analysis.runner.run_all, with figures and
    executed copies in temporary folders (the tests never touch figures/ or build/). Returns
    ``(runs, figures_dir, executed_dir)``."""
    from analysis.output.runner import run_all

    figures = tmp_path_factory.mktemp("figures")
    executed = tmp_path_factory.mktemp("executed")
    runs = run_all({"FIGURES_DIR": str(figures)}, output_dir=executed, report=False)
    return runs, figures, executed


# --- a real browser: Debian's chromium driven by Playwright ----------------------------------

CHROMIUM_ENV = "SPEECHES_CHROMIUM"
# Without these, Chromium phones home (updates, sync, QUIC probes, field trials) on start.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_executable() -> str | None:
    """``$SPEECHES_CHROMIUM``, else Debian's ``chromium`` (or ``chromium-browser``) on PATH."""
    import shutil

    override = os.environ.get(CHROMIUM_ENV)
    if override:
        return override if os.access(override, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def chromium():
    """``launch(profile_dir)``: a headless Chromium (Playwright driving the system's binary,
    never a browser of Playwright's own) with a fresh profile in ``profile_dir``, as a
    Playwright ``BrowserContext``. Skips, saying why, where Chromium or Playwright is missing."""
    executable = chromium_executable()
    if executable is None:
        where = os.environ.get(CHROMIUM_ENV) or "chromium on PATH"
        pytest.skip(f"no Chromium ({where}): install Debian's package (apt-get install chromium; "
                    f".ci/run does) or set {CHROMIUM_ENV}=/path/to/chromium")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (make install puts it in .venv)")
    with sync_api.sync_playwright() as playwright:
        def launch(profile_dir):
            return playwright.chromium.launch_persistent_context(
                str(profile_dir), executable_path=executable, headless=True, args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 900})

        yield launch


@pytest.fixture
def browser(chromium, tmp_path):
    """A headless Chromium with a fresh profile (its own --user-data-dir), closed after the test."""
    context = chromium(tmp_path / "chromium-profile")
    try:
        yield context
    finally:
        context.close()
