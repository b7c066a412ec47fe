"""Stage 4, the metrics: node behaviour (``activity``: on/off, activity, dead nodes,
sparsity; pure functions over arrays), the metric tables of one net state layer by layer
(``nodes``), class-conditional densities (``kde``) and the layers as classifiers
(``classifiers``). May import ``core``, ``data``, ``training`` and ``extraction``."""
