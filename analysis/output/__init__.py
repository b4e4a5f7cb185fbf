"""Output: what a reader sees: figures, plots, tables, findings, export, the notebooks' runner and report.
May import: analysis.extract, analysis.reuse, analysis.measures, analysis.corpus, analysis.text, analysis.common."""
