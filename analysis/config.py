"""Project paths, computed from this file so that every runner (JupyterLab, nbclient,
pytest, papermill) finds the same folders whatever its working directory."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = ROOT / "seeds"
NOTEBOOKS_DIR = ROOT / "notebooks"
FIGURES_DIR = ROOT / "figures"
DATA_DIR = Path(__file__).resolve().parent / "data"
# Git-ignored working folder: jieba's dictionary cache, the token cache, executed notebooks.
CACHE_DIR = Path(os.environ.get("SPEECHES_CACHE_DIR", ROOT / ".cache"))
BUILD_DIR = ROOT / "build"

# The shared development corpus (72 government work reports and NPC resolutions, 1954-2025,
# with metadata.csv), beside the project in ../shared. Public official text: read from
# there by tests, notebooks and benchmarks, never copied into the project.
GWR_DIR = Path(os.environ.get("SPEECHES_GWR_DIR",
                              ROOT.parent / "shared" / "corpora" / "government-work-reports"))

USER_DICT = DATA_DIR / "userdict.txt"
STOPWORDS = DATA_DIR / "stopwords.txt"
THEMES = DATA_DIR / "themes.tsv"


def headless() -> bool:
    """True in runs nobody watches (CI, ``make figures``, the tests): no progress bars."""
    return bool(os.environ.get("CI")) or os.environ.get("SPEECHES_HEADLESS") == "1"
