"""Node-behaviour metrics (Chapters 4 and 5): pure functions over arrays."""
