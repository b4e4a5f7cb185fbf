"""Measures: counting the tokens: vocabulary, counts, keyness and references, trends, themes, concordance.
May import: analysis.corpus, analysis.text, analysis.common."""
