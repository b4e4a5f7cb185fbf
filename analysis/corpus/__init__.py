"""Corpus: many speeches as tables: loading, metadata, the store and caches, the pipeline, passages, Dask.
May import: analysis.text, analysis.common."""


def __getattr__(name: str):
    # analysis.corpus was the module corpus.py (now corpus.load): its names resolve here, with
    # a DeprecationWarning, for one release.
    import importlib
    import warnings

    load = importlib.import_module(".load", __name__)
    if name.startswith("__") or not hasattr(load, name):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(f"analysis.corpus.{name} is now analysis.corpus.load.{name}; the old path goes in the next "
                  "release", DeprecationWarning, stacklevel=2)
    return getattr(load, name)
