"""Every figure and table of the study, once: its target name, which rule draws it, its
renderer (kind), the study's figure/table it corresponds to and its report chapter.

No plotting imports: the workflow reads this while it plans the DAG. Everything else
derives from ``TARGETS`` (the target rules, the report's categories, the renderers'
lookup). Adding a figure = one entry here + its renderer + ``workflow/report/<name>.rst``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Report categories, in the order a reader meets them.
SCORECARD = "0. Did it reproduce?"
CHAPTERS = {
    "1": "1. Chapter 1: activation functions",
    "3": "2. Chapter 3: training and generalisation",
    "4": "3. Chapter 4: nodes as continuous functions",
    "5": "4. Chapter 5: nodes as switches",
    "6": "5. Chapter 6: layers as classifiers",
    "A": "6. Appendix A",
}
BEYOND = "7. Beyond the study: activations and regularisation"


@dataclass(frozen=True)
class Target:
    name: str  # the target rule, e.g. fig3_4
    family: str  # the family of rules that draws it: static, training, node, classifier, table, comparison
    kind: str  # the renderer: a training-figure function, a node-figure kind, or a table

    @property
    def study(self) -> str:
        """The study's figure or table, e.g. 'Figure 3.4', 'Table 5.1' (none: beyond the study)."""
        if self.family == "comparison":
            return "none (beyond the study)"
        if self.family == "table":
            return f"Table {self.name.removeprefix('table').replace('_', '.')}"
        return f"Figure {self.name.removeprefix('fig').replace('_', '.')}"

    @property
    def chapter(self) -> str:
        """The report category: the study's chapter (A: the appendix)."""
        if self.family == "comparison":
            return BEYOND
        return CHAPTERS[self.study.split()[1].split(".")[0]]


def _targets(family: str, kinds: dict[str, str]) -> list[Target]:
    return [Target(name, family, kind) for name, kind in kinds.items()]


TARGETS: dict[str, Target] = {t.name: t for t in [
    *_targets("static", {"fig1_1": "activation_shapes"}),
    *_targets("training", {
        "fig1_2": "curves_pair", "fig1_3": "lr_comparison", "fig3_1": "learning_curve",
        "fig3_2": "curves_grid", "fig3_3": "curves_grid", "fig3_4": "test_accuracy",
        "fig3_5": "curves_grid", "fig3_6": "curves_grid", "fig3_7": "test_accuracy",
        "fig3_8": "curves_grid", "fig3_9": "curves_grid", "fig3_10": "test_accuracy",
    }),
    *_targets("node", {
        "fig4_1": "distributions_z", "fig4_2": "distributions_a", "fig4_3": "medians", "fig4_4": "medians",
        "fig4_5": "medians", "fig4_6": "distributions_z", "fig4_7": "distributions_a", "fig4_8": "medians",
        "fig4_9": "medians", "fig4_10": "medians", "fig4_11": "medians",
        "fig5_1": "activity", "fig5_2": "activity", "fig5_3": "activity", "fig5_4": "activity",
        "fig5_5": "activity", "fig5_6": "heatmap", "fig5_7": "heatmap", "fig5_8": "heatmap",
        "fig5_9": "heatmap", "figA_1": "medians", "figA_2": "medians",
    }),
    *_targets("classifier", {
        "fig6_1": "kde", **{f"fig6_{i}": "layer_accuracy" for i in range(2, 8)},
        **{f"figA_{i}": "layer_accuracy" for i in range(3, 7)},
    }),
    *_targets("table", {"table5_1": "dead_nodes", "table5_2": "sparsity"}),
    # Beyond the study: any activations and regularisers side by side, numbers in a CSV.
    *_targets("comparison", {
        "cmp_accuracy": "accuracy", "cmp_sparsity": "sparsity", "cmp_dead": "dead",
        "cmp_classifiers": "classifiers", "cmp_regularisation": "regularisation",
    }),
]}  # fmt: skip


def names(*families: str) -> list[str]:
    """Target names drawn by the given families of rules, in catalog order."""
    return [t.name for t in TARGETS.values() if t.family in families]


# Chapter 4/5/6 figures (drawn from node metrics, classifier accuracies or activations): their kind.
FIGURE_KINDS = {t.name: t.kind for t in TARGETS.values() if t.family in ("node", "classifier")}
TABLES = tuple(names("table"))
COMPARISON_KINDS = {t.name: t.kind for t in TARGETS.values() if t.family == "comparison"}
# What each comparison reads per network: "train" (summary, selection), "layers" (layer
# metrics of every seed), "classifiers" (layer classifiers of every seed).
COMPARISON_NEEDS = {
    "accuracy": ("train",), "sparsity": ("layers",), "dead": ("layers",), "classifiers": ("classifiers",),
    "regularisation": ("train", "layers"),
}  # fmt: skip


def networks_schema(target: Target) -> str:
    """The config schema's definition (``$defs``) a target's selection follows."""
    if target.kind == "kde":
        return "kde_networks"
    if target.kind == "layer_accuracy":
        return "layer_networks"
    if target.family in ("node", "classifier"):
        return "node_networks"
    return "networks"


def files_needed(kind: str, state: str) -> dict[str, tuple[str, str]]:
    """For a figure kind: role -> (artefact, state), artefact one of ``activations_train``,
    ``class_nodes``, ``nodes``, ``classifiers``."""
    if kind.startswith("distributions") or kind == "kde":
        return {"activations": ("activations_train", state)}
    if kind == "medians":
        return {"class_nodes": ("class_nodes", state)}
    if kind == "activity":
        return {"trained": ("nodes", state), "untrained": ("nodes", "init")}
    if kind == "layer_accuracy":
        return {"classifiers": ("classifiers", state)}
    if kind == "heatmap":
        return {"class_nodes": ("class_nodes", state), "nodes": ("nodes", state)}
    raise ValueError(f"unknown figure kind {kind!r}")


# The report caption of every target: its own description (workflow/report/<name>.rst)
# followed by the lines every target of its family shares, written once here: where the
# numbers come from (Jinja over the rule's params, rendered by Snakemake) and the study's
# figure or table.
_NETWORK_STATES = "Drawn from {% for n in snakemake.params.networks %}{{ n.dataset }} ``{{ n.arch }}`` seed {{ n.seed }}, state {{ n.state }}{{ '; ' if not loop.last }}{% endfor %} (``figures.{{ snakemake.params.figure }}`` in the config)."  # fmt: skip
CAPTION_SOURCES = {
    'static': 'Needs no data.',
    'training': "Drawn from {% for d, a in snakemake.params.architectures %}{{ d }} ``{{ a }}``{{ ', ' if not loop.last }}{% endfor %} (``figures.{{ snakemake.params.figure }}`` in the config), {{ snakemake.config.training.epochs }} epochs; each network at the learning rate with the best mean validation accuracy over its seeds.",
    'node': _NETWORK_STATES,
    'classifier': _NETWORK_STATES,
    'table': 'Summarises {{ snakemake.params.networks | length }} trained networks (every seed, ``tables.{{ snakemake.params.table }}`` in the config); mean ± standard error over seeds.',
    'comparison': 'Drawn from {% for n in snakemake.params.networks %}{{ n.dataset }} ``{{ n.arch }}``{{ ", " if not loop.last }}{% endfor %} (``figures.{{ snakemake.params.figure }}`` in the config), {{ snakemake.config.training.epochs }} epochs; each network at the learning rate with the best mean validation accuracy over its seeds, state ``{{ snakemake.config.get("analysis", {}).get("state", "best") }}``. The numbers drawn are in ``results/figures/{{ snakemake.params.figure }}.csv``.',
}  # fmt: skip
BEYOND_THE_STUDY = "none; the question the study leaves open (its conclusion), asked of the same pipeline"


def caption(name: str, description: str) -> str:
    """The full report caption of target ``name`` from its own description."""
    target = TARGETS[name]
    study = BEYOND_THE_STUDY if target.family == "comparison" else target.study
    return f"{description.rstrip()}\n\n{CAPTION_SOURCES[target.family]}\n\nStudy: {study}.\n"


def caption_page(name: str, report_dir: Path, out_dir: Path) -> str:
    """Write target ``name``'s full caption (from ``report_dir/<name>.rst``) into
    ``out_dir``, where Snakemake's report reads it; returns its absolute path."""
    page = out_dir / f"{name}.rst"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(caption(name, (report_dir / f"{name}.rst").read_text()))
    return str(page.resolve())
