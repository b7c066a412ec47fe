"""Stage 3, extraction: the hidden pre-activations z of a trained state written to
Parquet with torch (``extract``), and the file layout and its reader, without torch
(``zparquet``). May import ``core``, ``data`` and ``training``."""
