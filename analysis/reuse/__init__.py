"""Reuse: passages shared between speeches: shingles and their index, alignment, repeated frames, summaries.
May import: analysis.measures, analysis.corpus, analysis.text, analysis.common."""


def __getattr__(name: str):
    # analysis.reuse was one module (now links, frames, summary, align, shingles): its public
    # names resolve here, with a DeprecationWarning, for one release.
    import importlib
    import warnings

    for module in ("links", "frames", "summary", "align", "shingles"):
        found = importlib.import_module(f".{module}", __name__)
        if not name.startswith("_") and name in vars(found):
            warnings.warn(f"analysis.reuse.{name} is now analysis.reuse.{module}.{name}; the old path goes in the "
                          "next release", DeprecationWarning, stacklevel=2)
            return vars(found)[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
