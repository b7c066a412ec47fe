"""Stage 6, figures: every kind and target once (``catalog``: no plotting imports, the
workflow reads it while planning), what each target's rule reads (``plan``), the
renderers by chapter (``training``, ``nodes``, ``classifiers``, ``comparisons``,
``scorecard``), their shared look (``style``) and ``draw`` (render a target by name, save
it). May import every stage below it."""
