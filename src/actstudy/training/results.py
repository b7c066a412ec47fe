"""Reading one trained architecture back: history, summary and the selected runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from actstudy.core.config import Architecture
from actstudy.core.io import read_selection, read_table


@dataclass
class ArchResults:
    arch: Architecture
    history: pd.DataFrame  # every run, every epoch
    summary: pd.DataFrame  # every run at its best epoch
    selection: dict  # output of selection.select_learning_rate

    @property
    def selected_runs(self) -> list[str]:
        return list(self.selection["runs"])

    def selected_history(self) -> pd.DataFrame:
        return self.history[self.history["run"].isin(self.selected_runs)]

    def selected_summary(self) -> pd.DataFrame:
        return self.summary[self.summary["run"].isin(self.selected_runs)]


def load_arch_results(
    arch: Architecture, history: str | Path, summary: str | Path, selection: str | Path
) -> ArchResults:
    return ArchResults(
        arch,
        read_table(history, "history"),
        read_table(summary, "summary"),
        read_selection(selection),
    )
