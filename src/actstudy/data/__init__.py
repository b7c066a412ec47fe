"""Stage 1, the data: facts about the datasets (``datasets``), the official raw files,
downloaded or mirrored and checked (``raw``, their formats in ``raw_formats``), and the
prepared fixed splits (``splits``). May import ``core`` only."""
