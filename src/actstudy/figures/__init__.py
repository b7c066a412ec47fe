"""Figures: the catalog of every target (``catalog``: no plotting imports, the workflow
reads it while planning), the renderers by chapter (``training``, ``nodes``,
``classifiers``, ``comparisons``), their shared look (``style``) and ``draw`` (render a
target by name, save it)."""
