"""Saved network states: ``{run id: state_dict}`` per state (init, best, epoch<E>)."""

from __future__ import annotations

import torch

from actstudy.core.io import atomic_path, reading


def snapshot_name(epoch: int) -> str:
    return f"epoch{epoch}"


def save_states(states: dict[str, dict[str, torch.Tensor]], path) -> None:
    """One state (e.g. "best") of every run: {run id: state_dict}, loadable with weights_only=True."""
    with atomic_path(path) as tmp:
        torch.save(states, tmp)


def load_states(path) -> dict[str, dict[str, torch.Tensor]]:
    """Every run's state_dict in one saved-states file."""
    with reading(path, "saved network states"):
        states = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(states, dict):
            raise ValueError("not a {run id: state_dict} mapping")
        return states


def merge_state_files(paths, out) -> None:
    """The runs of several saved-states files (one per refinement round) in one file; a
    run id found twice is an error (no round trains a rate twice)."""
    merged: dict[str, dict[str, torch.Tensor]] = {}
    for path in paths:
        for run, state in load_states(path).items():
            if run in merged:
                raise ValueError(f"{path}: run {run!r} is in an earlier round's file too")
            merged[run] = state
    save_states(merged, out)
