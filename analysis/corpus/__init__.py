"""Corpus: many speeches as tables: loading, metadata, the store and caches, the pipeline, passages, Dask.
May import: analysis.text, analysis.common."""


def __getattr__(name: str):
    # analysis.corpus was the module corpus.py (now load, read and registry): its public names
    # resolve here, with a DeprecationWarning, for one release.
    import importlib
    import warnings

    for module in ("load", "read", "registry"):
        found = importlib.import_module(f".{module}", __name__)
        if not name.startswith("_") and name in vars(found):
            warnings.warn(f"analysis.corpus.{name} is now analysis.corpus.{module}.{name}; the old path goes in "
                          "the next release", DeprecationWarning, stacklevel=2)
            return vars(found)[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
