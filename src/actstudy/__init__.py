"""actstudy: why ReLU networks generalise better than sigmoid networks, reproduced."""

__version__ = "0.1.0"
