"""The continuous classifier's kernel bandwidth (docs/metrics.md; the study's Chapter 6):
an absolute 0.2 in units of z, the same for every node and class. Torch-free, so that a
figure can draw the estimate without importing torch (``actstudy.metrics.kde`` fits it)."""

BANDWIDTH = 0.2
