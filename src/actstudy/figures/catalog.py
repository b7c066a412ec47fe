"""Every figure and table, once. ``KINDS``: per kind of figure or table, the family of
rules that draws it, its renderer (by name), the files it reads and the config schema its
selection follows. ``TARGETS``: per target, its kind and the study's figure or table it
corresponds to (None: beyond the study).

No plotting imports: the workflow reads this while it plans the DAG. Everything else
derives from these two (the one loop of target rules, the config schema's keys, the
report's categories, ``actstudy.figures.draw.render``). Adding a figure: its line in
``TARGETS`` (and in ``KINDS`` for a new kind), its renderer, its caption
(``workflow/report/<name>.rst``) and its networks in the configs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
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
class Kind:
    """A kind of figure or table: everything the workflow needs to plan and draw it."""

    family: str  # the rule family: static, training, node, classifier, table, comparison
    renderer: str  # its function, "module.function" below actstudy (no plotting import here)
    reads: tuple = ()  # node, classifier: (role, artefact, state: None = the figure's own)
    needs: tuple = ()  # comparison: per network "train", "layers" and/or "classifiers"
    schema: str = "networks"  # the config schema's $defs its selection follows


_OWN = None  # the state the figure's selection names
KINDS: dict[str, Kind] = {
    # Chapters 1 and 3: drawn from nothing, or from histories, summaries and selections.
    "activation_shapes": Kind("static", "figures.training.activation_shapes"),
    **{kind: Kind("training", f"figures.training.{kind}") for kind in
       ("curves_pair", "lr_comparison", "learning_curve", "curves_grid", "test_accuracy")},
    # Chapters 4 and 5: drawn from activations or node metrics of one seed per network.
    "distributions_z": Kind("node", "figures.nodes.distributions_z", (("z", "z_train", _OWN),),
                            schema="node_networks"),
    "distributions_a": Kind("node", "figures.nodes.distributions_a", (("z", "z_train", _OWN),),
                            schema="node_networks"),
    "medians": Kind("node", "figures.nodes.medians_figure", (("class_nodes", "class_nodes", _OWN),),
                    schema="node_networks"),
    "activity": Kind("node", "figures.nodes.activity_figure",
                     (("trained", "nodes", _OWN), ("untrained", "nodes", "init")), schema="node_networks"),
    "heatmap": Kind("node", "figures.nodes.activity_heatmap",
                    (("class_nodes", "class_nodes", _OWN), ("nodes", "nodes", _OWN)), schema="node_networks"),
    # Chapter 6: layers as classifiers.
    "kde": Kind("classifier", "figures.classifiers.kde_overlay", (("z", "z_train", _OWN),),
                schema="kde_networks"),
    "layer_accuracy": Kind("classifier", "figures.classifiers.layer_accuracy", (("classifiers", "classifiers", _OWN),),
                           schema="layer_networks"),
    # Chapter 5's tables, from every seed's layer metrics.
    "dead_nodes_table": Kind("table", "study.tables.dead_nodes_table"),
    "sparsity_table": Kind("table", "study.tables.sparsity_table"),
    # Beyond the study: any activations and regularisers side by side, numbers in a CSV.
    "accuracy": Kind("comparison", "figures.comparisons.accuracy", needs=("train",)),
    "sparsity": Kind("comparison", "figures.comparisons.sparsity", needs=("layers",)),
    "dead": Kind("comparison", "figures.comparisons.dead", needs=("layers",)),
    "classifiers": Kind("comparison", "figures.comparisons.classifiers", needs=("classifiers",)),
    "regularisation": Kind("comparison", "figures.comparisons.regularisation", needs=("train", "layers")),
}  # fmt: skip


@dataclass(frozen=True)
class Target:
    name: str  # the target rule, e.g. fig3_4
    kind: str  # its entry in KINDS
    study: str | None  # the study's figure or table, e.g. "Figure 3.4"; None: beyond the study

    @property
    def family(self) -> str:
        """The family of rules that draws it (its kind's)."""
        return KINDS[self.kind].family

    @property
    def chapter(self) -> str:
        """The report category: the study's chapter (A: the appendix), or beyond the study."""
        if self.study is None:
            return BEYOND
        return CHAPTERS[self.study.split()[1].split(".")[0]]


def _catalog(rows: list[tuple[str, str, str | None]]) -> dict[str, Target]:
    unknown = [f"{name} ({kind!r})" for name, kind, _ in rows if kind not in KINDS]
    if unknown:
        raise ValueError(f"catalog targets of no known kind: {', '.join(unknown)}; the kinds: {', '.join(KINDS)}")
    return {name: Target(name, kind, study) for name, kind, study in rows}


# (target, kind, the study's figure or table; None: beyond the study), in report order.
TARGETS: dict[str, Target] = _catalog([
    ("fig1_1", "activation_shapes", "Figure 1.1"), ("fig1_2", "curves_pair", "Figure 1.2"),
    ("fig1_3", "lr_comparison", "Figure 1.3"), ("fig3_1", "learning_curve", "Figure 3.1"),
    ("fig3_2", "curves_grid", "Figure 3.2"), ("fig3_3", "curves_grid", "Figure 3.3"),
    ("fig3_4", "test_accuracy", "Figure 3.4"), ("fig3_5", "curves_grid", "Figure 3.5"),
    ("fig3_6", "curves_grid", "Figure 3.6"), ("fig3_7", "test_accuracy", "Figure 3.7"),
    ("fig3_8", "curves_grid", "Figure 3.8"), ("fig3_9", "curves_grid", "Figure 3.9"),
    ("fig3_10", "test_accuracy", "Figure 3.10"), ("fig4_1", "distributions_z", "Figure 4.1"),
    ("fig4_2", "distributions_a", "Figure 4.2"), ("fig4_3", "medians", "Figure 4.3"),
    ("fig4_4", "medians", "Figure 4.4"), ("fig4_5", "medians", "Figure 4.5"),
    ("fig4_6", "distributions_z", "Figure 4.6"), ("fig4_7", "distributions_a", "Figure 4.7"),
    ("fig4_8", "medians", "Figure 4.8"), ("fig4_9", "medians", "Figure 4.9"),
    ("fig4_10", "medians", "Figure 4.10"), ("fig4_11", "medians", "Figure 4.11"),
    ("fig5_1", "activity", "Figure 5.1"), ("fig5_2", "activity", "Figure 5.2"),
    ("fig5_3", "activity", "Figure 5.3"), ("fig5_4", "activity", "Figure 5.4"),
    ("fig5_5", "activity", "Figure 5.5"), ("fig5_6", "heatmap", "Figure 5.6"),
    ("fig5_7", "heatmap", "Figure 5.7"), ("fig5_8", "heatmap", "Figure 5.8"),
    ("fig5_9", "heatmap", "Figure 5.9"), ("figA_1", "medians", "Figure A.1"),
    ("figA_2", "medians", "Figure A.2"), ("fig6_1", "kde", "Figure 6.1"),
    ("fig6_2", "layer_accuracy", "Figure 6.2"), ("fig6_3", "layer_accuracy", "Figure 6.3"),
    ("fig6_4", "layer_accuracy", "Figure 6.4"), ("fig6_5", "layer_accuracy", "Figure 6.5"),
    ("fig6_6", "layer_accuracy", "Figure 6.6"), ("fig6_7", "layer_accuracy", "Figure 6.7"),
    ("figA_3", "layer_accuracy", "Figure A.3"), ("figA_4", "layer_accuracy", "Figure A.4"),
    ("figA_5", "layer_accuracy", "Figure A.5"), ("figA_6", "layer_accuracy", "Figure A.6"),
    ("table5_1", "dead_nodes_table", "Table 5.1"), ("table5_2", "sparsity_table", "Table 5.2"),
    ("cmp_accuracy", "accuracy", None), ("cmp_sparsity", "sparsity", None), ("cmp_dead", "dead", None),
    ("cmp_classifiers", "classifiers", None), ("cmp_regularisation", "regularisation", None),
])  # fmt: skip


def names(*families: str) -> list[str]:
    """Target names drawn by the given families of rules, in catalog order."""
    return [t.name for t in TARGETS.values() if t.family in families]


TABLES = tuple(names("table"))


def kind_of(name: str) -> Kind:
    """Target ``name``'s kind; a name the catalog does not list is named with the list."""
    if name not in TARGETS:
        raise KeyError(f"{name!r} is not a figure or table of the catalog ({', '.join(TARGETS)})")
    return KINDS[TARGETS[name].kind]


def renderer(kind: str) -> Callable:
    """The function that draws ``kind`` (imported only now: plotting stays out of planning)."""
    module, function = KINDS[kind].renderer.rsplit(".", 1)
    return getattr(import_module(f"actstudy.{module}"), function)


def files_needed(kind: str, state: str) -> dict[str, tuple[str, str]]:
    """For a node or classifier figure kind drawn at ``state``: role -> (artefact, state),
    artefact one of ``z_train``, ``class_nodes``, ``nodes``, ``classifiers``."""
    return {role: (artefact, state if fixed is _OWN else fixed) for role, artefact, fixed in KINDS[kind].reads}


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
    study = BEYOND_THE_STUDY if target.study is None else target.study
    return f"{description.rstrip()}\n\n{CAPTION_SOURCES[target.family]}\n\nStudy: {study}.\n"


def caption_page(name: str, report_dir: Path, out_dir: Path) -> str:
    """Write target ``name``'s full caption (from ``report_dir/<name>.rst``) into
    ``out_dir``, where Snakemake's report reads it; returns its absolute path."""
    page = out_dir / f"{name}.rst"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(caption(name, (report_dir / f"{name}.rst").read_text()))
    return str(page.resolve())
