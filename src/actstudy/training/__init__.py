"""Stage 2, training: the networks (``models``), Adam over stacked models (``optim``),
where a job computes (``device``) and its steps (``steps``), the training job
(``trainer``), stopping and resuming (``checkpoint``), saved states (``states``), the
learning rate kept (``selection``) and its refinement's files (``rounds``), what a job
asks a scheduler for (``resources``), and reading a trained net back (``results``).
May import ``core`` and ``data``."""
