"""Warnings that point at the researcher's own line.

``warnings.warn(..., stacklevel=n)`` names the frame ``n - 1`` calls up, a count that every
wrapper in between throws off: the old-spelling wrapper of ``load_corpus``
(:func:`analysis.common.deprecation.renamed_arguments`) made each of its warnings point at
``deprecation.py``, ``return fn(*args, **kwargs)``, instead of the notebook cell that called
it. :func:`warn_user` names the first frame outside this package instead, as Python 3.12's
``skip_file_prefixes`` does (the project runs on 3.11).
"""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

PACKAGE_DIR = str(Path(__file__).resolve().parents[1])


def warn_user(message, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn(message, category)`` attributed to the first caller outside the
    ``analysis`` package (a notebook cell, a script, a test), or to the direct caller when
    every frame is the package's own."""
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level if frame is not None else 2)


__all__ = ["PACKAGE_DIR", "warn_user"]
