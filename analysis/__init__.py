"""Helpers for studying Chinese official speeches: load, clean, convert, segment, outline,
and the analyses the notebooks tell (vocabulary, keyness, collocations, concordance,
dispersion, campaign names, numbered formulas, themes).

Notebooks import what they need from here; everything else is private to its module.
"""
from .campaigns import (
    CATEGORY_LABELS,
    campaign_mentions,
    campaign_rules,
    campaigns,
    corpus_campaigns,
    corpus_formulas,
    formulas,
)
from .cleaning import CleanResult, Removal, clean_text
from .concordance import dispersion, dispersion_measures, kwic, section_bounds
from .config import CACHE_DIR, FIGURES_DIR, ROOT, SEEDS_DIR
from .corpus import load_corpus, read_speech, removals
from .errors import CorpusError
from .outline import assign_parts, outline
from .pipeline import corpus_tokens, speech_tokens
from .script import to_simplified
from .segment import tokenize
from .themes import theme_hits, theme_lexicon, theme_shares
from .vocabulary import CONTENT_POS, collocations, content_words, frequencies, keyness, ngrams

__all__ = [
    "CACHE_DIR", "CATEGORY_LABELS", "CONTENT_POS", "FIGURES_DIR", "ROOT", "SEEDS_DIR",
    "CleanResult", "CorpusError", "Removal",
    "assign_parts", "campaign_mentions", "campaign_rules", "campaigns", "clean_text",
    "collocations", "content_words", "corpus_campaigns", "corpus_formulas", "corpus_tokens",
    "dispersion", "dispersion_measures", "formulas", "frequencies", "keyness", "kwic",
    "load_corpus", "ngrams", "outline", "read_speech", "removals", "section_bounds",
    "speech_tokens", "theme_hits", "theme_lexicon", "theme_shares", "to_simplified", "tokenize",
]
