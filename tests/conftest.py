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


# The shared corpus of government work reports, where ../shared is beside the checkout.
GWR_MISSING = (f"the shared corpus {GWR_DIR} is absent (it lives in ../shared beside the "
               "project; set SPEECHES_GWR_DIR to point elsewhere)")


@pytest.fixture(scope="session")
def gwr_dir():
    """The folder of the shared government work reports; skips the test where it is absent."""
    if not (GWR_DIR / "metadata.csv").is_file():
        pytest.skip(GWR_MISSING)
    return GWR_DIR
