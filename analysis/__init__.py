"""Helpers for studying Chinese official speeches: load, clean, convert, segment, outline,
and the analyses the notebooks tell (vocabulary, keyness, collocations, concordance,
dispersion, campaign names, numbered formulas, themes).

Notebooks import what they need from here; everything else is private to its module.
"""
from .campaigns import (
    FORM_LABELS,
    FUNCTION_LABELS,
    agreement,
    campaign_mentions,
    campaign_rules,
    campaigns,
    corpus_campaign_mentions,
    corpus_campaigns,
    validation_labels,
)
from .cleaning import CleanResult, Removal, clean_text
from .concordance import dispersion, dispersion_measures, kwic, section_bounds
from .config import CACHE_DIR, FIGURES_DIR, ROOT, SEEDS_DIR
from .corpus import load_corpus, read_speech, removals
from .errors import CorpusError
from .figures import MissingFontError, cjk_font_path, save_figure, setup_matplotlib, word_cloud
from .formulas import corpus_formulas, formulas, gazetteer, not_formulas
from .outline import assign_parts, corpus_outline, outline, places
from .pipeline import corpus_tokens, speech_tokens
from .plots import (
    plot_category_bars,
    plot_dispersion,
    plot_heatmap,
    plot_network,
    plot_ranked_bars,
    plot_removals,
    plot_structure,
)
from .script import to_simplified
from .segment import tokenize
from .themes import theme_hits, theme_lexicon, theme_shares, top_terms
from .vocabulary import (
    CONTENT_POS,
    collocations,
    content_words,
    frequencies,
    keyness,
    keyness_by_speech,
    keyword_network,
    ngrams,
)

__all__ = [
    "CACHE_DIR", "CONTENT_POS", "FIGURES_DIR", "FORM_LABELS", "FUNCTION_LABELS", "ROOT", "SEEDS_DIR",
    "CleanResult", "CorpusError", "MissingFontError", "Removal",
    "agreement", "assign_parts", "campaign_mentions", "campaign_rules", "campaigns", "cjk_font_path",
    "clean_text", "collocations", "content_words", "corpus_campaign_mentions",
    "corpus_campaigns", "corpus_formulas", "places",
    "corpus_outline", "corpus_tokens", "dispersion", "dispersion_measures", "formulas",
    "frequencies", "gazetteer", "keyness", "keyness_by_speech", "keyword_network", "kwic", "load_corpus", "ngrams",
    "not_formulas", "outline",
    "plot_category_bars", "plot_dispersion", "plot_heatmap", "plot_network", "plot_ranked_bars",
    "plot_removals", "plot_structure", "read_speech", "removals", "save_figure",
    "section_bounds", "setup_matplotlib", "speech_tokens", "theme_hits", "theme_lexicon",
    "theme_shares", "to_simplified", "tokenize", "top_terms", "validation_labels", "word_cloud",
]
