"""Helpers for studying Chinese official speeches: load, clean, convert, segment, outline.

Notebooks import what they need from here; everything else is private to its module.
"""
from .cleaning import CleanResult, Removal, clean_text
from .config import CACHE_DIR, FIGURES_DIR, ROOT, SEEDS_DIR
from .corpus import load_corpus, read_speech, removals
from .errors import CorpusError
from .outline import assign_parts, outline
from .script import to_simplified
from .pipeline import corpus_tokens, speech_tokens
from .segment import tokenize

__all__ = [
    "CACHE_DIR", "FIGURES_DIR", "ROOT", "SEEDS_DIR",
    "CleanResult", "CorpusError", "Removal",
    "assign_parts", "clean_text", "corpus_tokens", "load_corpus", "outline", "read_speech", "removals",
    "speech_tokens", "to_simplified", "tokenize",
]
