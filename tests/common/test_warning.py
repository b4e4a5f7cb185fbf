"""Warnings point at the researcher's own line, through any wrapper of the package."""
from __future__ import annotations

import warnings

from analysis import load_corpus
from analysis.common.warning import warn_user


def test_a_load_corpus_warning_names_the_line_that_called_it(tmp_path, seed_text):
    """load_corpus is wrapped (old spellings, analysis.common.deprecation): its warnings
    pointed at deprecation.py's ``return fn(*args, **kwargs)``, not at the notebook cell."""
    (tmp_path / "a.txt").write_text(seed_text, encoding="utf-8")
    (tmp_path / "speech.docx").write_bytes(b"PK")

    def cell():
        return load_corpus(tmp_path, cache=False)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cell()
    said = [w for w in caught if "not loaded" in str(w.message)]
    assert [(w.filename, w.lineno) for w in said] == [(__file__, cell.__code__.co_firstlineno + 1)]


def test_warn_user_names_the_first_frame_outside_the_package():
    def here():
        warn_user("from here")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        here()
    assert caught[0].filename == __file__ and caught[0].lineno == here.__code__.co_firstlineno + 1
    assert caught[0].category is UserWarning
