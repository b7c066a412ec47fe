"""Stage 5, one network's whole analysis in one job: which (seed, state) pairs of each net
the requested figures, tables and scorecard read, and what each needs (``plan``: plain
Python, for the workflow while it plans), and the job that extracts those states' z and
computes their node metrics and layer classifiers in one process (``run``: torch loads
once per net instead of once per state). May import every stage up to ``metrics``."""
