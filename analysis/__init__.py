"""Helpers for studying Chinese official speeches: load, clean, convert, segment, outline,
and the analyses the notebooks tell (vocabulary, keyness, collocations, concordance,
dispersion, campaign names, numbered formulas, themes, targets and directives, text reuse).

Notebooks import what they need from here (``analysis.load_corpus``, ``analysis.keyness``…);
where a name is defined is the package's own business. The subpackages follow the pipeline,
each layer importing only the layers below it (``tests/test_layers.py`` checks it):

- ``text/``: one speech as characters (script, cleaning, heads and dates, numerals, outline,
  aliases, segmentation and its quality);
- ``corpus/``: many speeches as tables (loading, metadata, the store and caches, the
  pipeline, passages, Dask);
- ``measures/``: counting the tokens (vocabulary, counts, keyness and its references,
  trends, themes, concordance);
- ``extract/`` and ``reuse/``: rules that find things in the text (campaigns, formulas,
  targets, directives) and passages shared between speeches, side by side;
- ``output/``: what a reader sees (figures, plots, tables, findings, export, runner, report);
- ``common/`` below them all, and ``config`` (the paths), which every layer may import.

The names are loaded on first use (PEP 562): ``import analysis`` costs nothing until
``analysis.load_corpus`` or another name is touched, so that a command such as ``python -m
analysis.output.runner`` does not import the pandas and matplotlib it never uses.
:func:`preload` imports everything at once (the runner's kernels do so while they start).
The modules' former flat paths (``analysis.cleaning``, ``python -m analysis.runner``) still
import, with a DeprecationWarning, for one release.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types
import warnings

# Arrow's allocator: the C library's malloc unless the user named one (the reasons and the
# measurements: analysis.common.frames.use_system_arrow_pool). libarrow reads the variable
# once, when pyarrow is first imported (pandas imports it), so it is set here, before any
# of the package's modules import pandas; a process that imported pyarrow first gets the
# switch at the pipeline's start instead, for what pyarrow allocates from Python.
if "pyarrow" not in sys.modules:
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

# Module → the names the package exports from it, layer by layer.
_EXPORTS: dict[str, list[str]] = {
    "config": ["CACHE_DIR", "FIGURES_DIR", "ROOT", "SEEDS_DIR"],
    "common.errors": ["CorpusError"],
    "text.aliases": ["alias_table", "canonical", "variants"],
    "text.cleaning": ["CleanResult", "Removal", "clean_text"],
    "text.heads": ["read_head"],
    "text.outline": ["assign_parts", "outline", "places"],
    "text.script": ["to_simplified"],
    "text.segment": ["tokenize"],
    "corpus.load": ["load_corpus", "removals"],
    "corpus.read": ["read_speech"],
    "corpus.pipeline": ["corpus_outline", "corpus_tokens", "speech_tokens"],
    "corpus.store": ["prune_store"],
    "measures.compare": ["keyness", "keyness_by_reference", "keyness_by_speech", "keyword_network",
                         "period_contrast", "select"],
    "measures.concordance": ["dispersion", "dispersion_measures", "dispersion_units", "kwic", "section_bounds"],
    "measures.counts": ["term_counts"],
    "measures.reference": ["Reference", "period_reference", "reference", "reference_data", "same_genre_reference"],
    "measures.themes": ["theme_density", "theme_hits", "theme_lexicon", "theme_shares", "top_terms"],
    "measures.groups": ["SMALL_MULTIPLES", "group_column", "many", "speech_groups", "time_unit"],
    "measures.trends": ["corpus_terms", "enough_for_trends", "national_caption", "policy_breaks", "reference_trends",
                        "speech_rates", "term_trends"],
    "measures.vocabulary": ["CONTENT_POS", "collocations", "content_words", "frequencies", "ngrams"],
    "extract.campaigns": ["FORM_LABELS", "FUNCTION_LABELS", "agreement", "agreement_summary", "campaign_mentions",
                          "campaign_rules", "campaigns", "corpus_campaign_mentions", "corpus_campaigns",
                          "name_summary", "validation_labels"],
    "extract.directives": ["STRENGTH_LABELS", "addressee_table", "directive_agreement",
                           "directive_agreement_summary", "directive_groups", "directive_rules", "directives",
                           "text_directives", "validation_directives"],
    "extract.formulas": ["corpus_formulas", "formulas", "gazetteer", "not_formulas"],
    "extract.lifecycle": ["lifecycle"],
    "extract.targets": ["enough_for_targets", "indicator_labels", "indicator_table", "target_agreement",
                        "target_agreement_summary", "target_rules", "target_table", "targets", "targets_and_results",
                        "term_figures", "text_targets", "validation_targets", "year_figures"],
    "reuse.links": ["reuse"],
    "reuse.frames": ["repeated_frames"],
    "reuse.summary": ["enough_for_reuse", "most_reused", "predecessor_reuse", "reuse_summary", "series_columns",
                      "side_by_side"],
    "output.figures": ["MissingFontError", "cjk_font_path", "save_figure", "setup_matplotlib", "word_cloud"],
    "output.plots": ["group_label", "plot_category_bars", "plot_corpus_overview", "plot_dispersion",
                     "plot_heatmap", "plot_lifecycle", "plot_network", "plot_positions", "plot_ranked_bars",
                     "plot_predecessor_reuse", "plot_removals", "plot_reuse_matrix", "plot_structure",
                     "plot_target_results", "plot_trends"],
}
# Modules the notebooks use by their name (analysis.findings.overview(…), analysis.plots.truncate).
_SUBMODULES = {"findings": "output.findings", "plots": "output.plots"}
# Where each module of the flat layout went: ``import analysis.cleaning`` still works, with a
# DeprecationWarning, for one release.
_MOVED = {
    "aliases": "text.aliases", "atomic": "common.atomic", "cache": "corpus.cache", "campaigns": "extract.campaigns",
    "chars": "text.chars", "cleaning": "text.cleaning", "cluster": "corpus.cluster", "compare": "measures.compare",
    "concordance": "measures.concordance", "counts": "measures.counts", "datafiles": "common.datafiles",
    "dates": "text.dates", "directives": "extract.directives", "errors": "common.errors",
    "export": "output.export", "figures": "output.figures", "findings": "output.findings",
    "formulas": "extract.formulas", "heads": "text.heads", "memo": "corpus.memo", "metadata": "corpus.metadata",
    "outline": "text.outline", "parallel": "corpus.parallel", "passages": "corpus.passages",
    "pipeline": "corpus.pipeline", "plots": "output.plots", "reference": "measures.reference",
    "report": "output.report", "runner": "output.runner", "script": "text.script", "segment": "text.segment",
    "segquality": "text.segquality", "store": "corpus.store", "tables": "output.tables",
    "targets": "extract.targets", "themes": "measures.themes", "trends": "measures.trends",
    "vocabulary": "measures.vocabulary", "wording": "common.wording",
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
# Names that are both a function the package exports and a module path (analysis.outline was
# the module outline.py; analysis.reuse is the subpackage): the attribute is the function, as
# it always was, whichever module is imported.
_SHADOWED = frozenset(name for name in _WHERE if name in _MOVED or name == "reuse")

__all__ = sorted([*_WHERE, *_SUBMODULES])


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f".{_SUBMODULES[name]}", __name__)
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
            value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
        super().__setattr__(name, value)


class _MovedLoader(importlib.abc.Loader):
    """Loads a module of the flat layout as the module it became (the same object)."""

    def __init__(self, target: str):
        self.target = target

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        warnings.warn(f"{module.__name__} is now {self.target}: import it from there (or the name from "
                      f"analysis); the old path goes in the next release", DeprecationWarning, stacklevel=2)
        sys.modules[module.__name__] = importlib.import_module(self.target)

    def get_code(self, fullname: str):  # python -m analysis.runner
        return importlib.util.find_spec(self.target).loader.get_code(self.target)


class _MovedSpec(importlib.machinery.ModuleSpec):
    # python -m analysis.runner runs the code with __package__ = spec.parent: the new module's
    # package, so that its relative imports resolve.
    @property
    def parent(self) -> str:
        return self.loader.target.rpartition(".")[0]


class _MovedFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path=None, target=None):
        package, _, old = fullname.rpartition(".")
        if package != __name__ or old not in _MOVED:
            return None
        new = f"{__name__}.{_MOVED[old]}"
        found = importlib.util.find_spec(new)
        return _MovedSpec(fullname, _MovedLoader(new), origin=found and found.origin)


if not any(isinstance(finder, _MovedFinder) for finder in sys.meta_path):
    sys.meta_path.append(_MovedFinder())
sys.modules[__name__].__class__ = _Package
