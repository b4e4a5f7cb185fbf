"""Corpus: many speeches as tables: loading, metadata, the store and caches, the pipeline, passages, Dask.
May import: analysis.text, analysis.common."""

from ..common.deprecation import moved_names

# analysis.corpus was the module corpus.py (now load, read and registry): its public names
# resolve here, with a DeprecationWarning, for one release.
__getattr__ = moved_names(__name__, ("load", "read", "registry"))
