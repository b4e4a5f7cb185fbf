"""Text: one speech as characters: script, cleaning, heads, dates, numerals, outline, aliases, segmentation.
May import: analysis.common."""
