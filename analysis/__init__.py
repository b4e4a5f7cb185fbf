"""Helpers for studying Chinese official speeches: load, clean, convert, segment, outline,
and the analyses the notebooks tell (vocabulary, keyness, collocations, concordance,
dispersion, campaign names, numbered formulas, themes, targets and directives).

Notebooks import what they need from here; everything else is private to its module.

The names are loaded on first use (PEP 562): ``import analysis`` costs nothing until
``analysis.load_corpus`` or another name is touched, so that a command such as ``python -m
analysis.runner`` does not import the pandas and matplotlib it never uses.
:func:`preload` imports everything at once (the runner's kernels do so while they start).
"""
from __future__ import annotations

import importlib
import sys
import types

# Module → the names the package exports from it.
_EXPORTS: dict[str, list[str]] = {
    "aliases": ["alias_table", "canonical", "variants"],
    "campaigns": ["FORM_LABELS", "FUNCTION_LABELS", "agreement", "agreement_summary", "campaign_mentions",
                  "campaign_rules", "campaigns", "corpus_campaign_mentions", "corpus_campaigns", "name_summary",
                  "validation_labels"],
    "cleaning": ["CleanResult", "Removal", "clean_text"],
    "compare": ["keyness", "keyness_by_reference", "keyness_by_speech", "keyword_network", "period_contrast",
                "select"],
    "counts": ["term_counts"],
    "concordance": ["dispersion", "dispersion_measures", "dispersion_units", "kwic", "section_bounds"],
    "config": ["CACHE_DIR", "FIGURES_DIR", "ROOT", "SEEDS_DIR"],
    "corpus": ["load_corpus", "read_speech", "removals"],
    "directives": ["STRENGTH_LABELS", "addressee_table", "directive_agreement", "directive_agreement_summary",
                   "directive_groups", "directive_rules", "directives", "text_directives", "validation_directives"],
    "errors": ["CorpusError"],
    "figures": ["MissingFontError", "cjk_font_path", "save_figure", "setup_matplotlib", "word_cloud"],
    "formulas": ["corpus_formulas", "formulas", "gazetteer", "not_formulas"],
    "heads": ["read_head"],
    "outline": ["assign_parts", "outline", "places"],
    "pipeline": ["corpus_outline", "corpus_tokens", "speech_tokens"],
    "plots": ["SMALL_MULTIPLES", "many", "plot_category_bars", "plot_corpus_overview", "plot_dispersion",
              "plot_heatmap", "plot_lifecycle", "plot_network", "plot_positions", "plot_ranked_bars",
              "plot_predecessor_reuse", "plot_removals", "plot_reuse_matrix", "plot_structure", "plot_target_results",
              "plot_trends"],
    "reference": ["Reference", "period_reference", "reference", "reference_data", "same_genre_reference"],
    "reuse": ["enough_for_reuse", "most_reused", "predecessor_reuse", "repeated_frames", "reuse", "reuse_summary",
              "side_by_side"],
    "script": ["to_simplified"],
    "segment": ["tokenize"],
    "targets": ["enough_for_targets", "indicator_labels", "indicator_table", "target_agreement",
                "target_agreement_summary", "target_rules", "target_table", "targets", "targets_and_results",
                "term_figures", "text_targets", "validation_targets", "year_figures"],
    "themes": ["theme_density", "theme_hits", "theme_lexicon", "theme_shares", "top_terms"],
    "trends": ["corpus_terms", "enough_for_trends", "group_column", "lifecycle", "national_caption",
               "policy_breaks", "reference_trends", "speech_groups", "speech_rates", "term_trends", "time_unit"],
    "vocabulary": ["CONTENT_POS", "collocations", "content_words", "frequencies", "ngrams"],
}
# Submodules the notebooks use by their module name (analysis.findings.overview(…)).
_SUBMODULES = ["findings"]
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
# Five modules share their name with the function the package exports from them:
# analysis.outline is the function outline, as it always was.
_SHADOWED = frozenset(name for name, module in _WHERE.items() if name == module)

__all__ = sorted([*_WHERE, *_SUBMODULES])


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def preload() -> None:
    """Import every module the package exports from, now rather than on first use."""
    for name in __all__:
        __getattr__(name)


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value) -> None:
        # Importing a submodule binds it on its package: keep the function of that name.
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
