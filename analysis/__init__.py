"""Helpers for studying Chinese official speeches: load, clean, convert, segment, outline,
and the analyses the notebooks tell (vocabulary, keyness, collocations, concordance,
dispersion, campaign names, numbered formulas, themes).

Notebooks import what they need from here; everything else is private to its module.
"""
from . import findings
from .aliases import alias_table, canonical, variants
from .campaigns import (
    FORM_LABELS,
    FUNCTION_LABELS,
    agreement,
    agreement_summary,
    campaign_mentions,
    campaign_rules,
    campaigns,
    corpus_campaign_mentions,
    corpus_campaigns,
    name_summary,
    validation_labels,
)
from .cleaning import CleanResult, Removal, clean_text
from .compare import keyness, keyness_by_speech, keyword_network, period_contrast, select
from .concordance import dispersion, dispersion_measures, dispersion_units, kwic, section_bounds
from .config import CACHE_DIR, FIGURES_DIR, ROOT, SEEDS_DIR
from .corpus import load_corpus, read_speech, removals
from .errors import CorpusError
from .figures import MissingFontError, cjk_font_path, save_figure, setup_matplotlib, word_cloud
from .formulas import corpus_formulas, formulas, gazetteer, not_formulas
from .outline import assign_parts, outline, places
from .pipeline import corpus_outline, corpus_tokens, speech_tokens
from .plots import (
    SMALL_MULTIPLES,
    many,
    plot_category_bars,
    plot_corpus_overview,
    plot_dispersion,
    plot_heatmap,
    plot_lifecycle,
    plot_network,
    plot_positions,
    plot_ranked_bars,
    plot_removals,
    plot_structure,
    plot_trends,
)
from .reference import Reference, reference, reference_data
from .script import to_simplified
from .segment import tokenize
from .themes import theme_density, theme_hits, theme_lexicon, theme_shares, top_terms
from .trends import enough_for_trends, lifecycle, reference_trends, speech_rates, term_trends
from .vocabulary import CONTENT_POS, collocations, content_words, frequencies, ngrams

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
    "select", "Reference", "reference", "alias_table", "canonical", "variants",
    "SMALL_MULTIPLES", "many", "plot_corpus_overview", "plot_lifecycle", "plot_positions", "plot_trends",
    "theme_density", "lifecycle", "reference_trends", "speech_rates", "term_trends", "findings",
    "dispersion_units", "enough_for_trends", "period_contrast", "reference_data",
    "agreement_summary", "name_summary",
]
