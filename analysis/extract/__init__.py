"""Extract: rules in data files that find things in the text: campaigns, formulas, targets, directives.
May import: analysis.measures, analysis.corpus, analysis.text, analysis.common."""
