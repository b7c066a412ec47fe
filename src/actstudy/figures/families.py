"""The families of figure and table kinds, one record each (``FAMILIES``): the script its
rules run (below ``workflow/scripts/``), its planner (what a target's rule reads and
passes: ``actstudy.figures.plan``), the caption line every target of the family shares,
and the files each target writes. A kind names its family in the catalog
(``actstudy.figures.catalog.FIGURE_KINDS``); a new family is one record here. Plain
Python: the workflow calls it while it plans the DAG.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from actstudy.figures import plan as planners
from actstudy.figures.catalog import TARGETS


@dataclass(frozen=True)
class Family:
    script: str
    planner: Callable  # (config, grids, state, name) -> (inputs, params)
    caption_source: str  # Jinja over the rule's params, rendered by Snakemake: where the numbers come from
    folder: str  # below results/
    outputs: tuple[str, ...]  # file extensions; the first one goes into the report


_NETWORK_STATES = "Drawn from {% for n in snakemake.params.networks %}{{ n.dataset }} ``{{ n.arch }}`` seed {{ n.seed }}, state {{ n.state }}{{ '; ' if not loop.last }}{% endfor %} (``figures.{{ snakemake.params.figure }}`` in the config)."  # fmt: skip
_FIGURE = ("png", "pdf")
FAMILIES = {
    "static": Family("plot_static_figure.py", planners.static, 'Needs no data.', "figures", _FIGURE),
    "training": Family("plot_training_figure.py", planners.training, "Drawn from {% for d, a in snakemake.params.architectures %}{{ d }} ``{{ a }}``{{ ', ' if not loop.last }}{% endfor %} (``figures.{{ snakemake.params.figure }}`` in the config), {{ snakemake.config.training.epochs }} epochs; each network at the learning rate with the best mean validation accuracy over its seeds.", "figures", _FIGURE),
    "node": Family("plot_node_figure.py", planners.node, _NETWORK_STATES, "figures", _FIGURE),
    "classifier": Family("plot_node_figure.py", planners.node, _NETWORK_STATES, "figures", _FIGURE),
    "table": Family("make_table.py", planners.table, 'Summarises {{ snakemake.params.networks | length }} trained networks (every seed, ``tables.{{ snakemake.params.table }}`` in the config); mean ± standard error over seeds.', "tables", ("csv", "md", "tex")),
    "comparison": Family("plot_comparison.py", planners.comparison, 'Drawn from {% for n in snakemake.params.networks %}{{ n.dataset }} ``{{ n.arch }}``{{ ", " if not loop.last }}{% endfor %} (``figures.{{ snakemake.params.figure }}`` in the config), {{ snakemake.config.training.epochs }} epochs; each network at the learning rate with the best mean validation accuracy over its seeds, state ``{{ snakemake.config.get("analysis", {}).get("state", "best") }}``. The numbers drawn are in ``results/figures/{{ snakemake.params.figure }}.csv``.', "figures", (*_FIGURE, "csv")),
}  # fmt: skip
BEYOND_THE_STUDY = "none; the question the study leaves open (its conclusion), asked of the same pipeline"


def family_of(name: str) -> Family:
    return FAMILIES[TARGETS[name].family]


def plan(config: dict, grids: dict, state: str, name: str) -> tuple[dict, dict]:
    """(inputs, params) of target ``name``'s rule."""
    return family_of(name).planner(config, grids, state, name)


def output_files(name: str) -> dict[str, str]:
    """Every file target ``name`` writes, by extension; the first is the one in the report."""
    family = family_of(name)
    return {ext: f"results/{family.folder}/{name}.{ext}" for ext in family.outputs}


def caption(name: str) -> str:
    """The full report caption of target ``name``: its description, then its family's lines."""
    target = TARGETS[name]
    study = BEYOND_THE_STUDY if target.study is None else target.study
    return f"{target.description}\n\n{family_of(name).caption_source}\n\nStudy: {study}.\n"


def caption_page(name: str, out_dir: Path) -> str:
    """Write target ``name``'s full caption into ``out_dir``, where Snakemake's report reads
    it (reStructuredText with Jinja); returns its absolute path."""
    page = out_dir / f"{name}.rst"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(caption(name))
    return str(page.resolve())
