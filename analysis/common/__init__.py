"""Common: what every layer uses and none owns: atomic writes, data files, errors, forked workers, wording of counts.
May import: nothing of the package but analysis.config, which every layer may import."""
