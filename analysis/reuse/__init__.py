"""Reuse: passages shared between speeches: shingles and their index, alignment, repeated frames, summaries.
May import: analysis.measures, analysis.corpus, analysis.text, analysis.common."""

from ..common.deprecation import moved_names

# analysis.reuse was one module (now links, frames, summary, align, shingles): its public
# names resolve here, with a DeprecationWarning, for one release.
__getattr__ = moved_names(__name__, ("links", "frames", "summary", "align", "shingles"))
