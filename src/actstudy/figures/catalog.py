"""Every figure and table, once. ``FIGURE_KINDS``: per kind of figure or table, the family of
rules that draws it, its renderer (by name), the files it reads and the config schema its
config entry follows. ``TARGETS``: per target, its kind, the study's figure or table it
corresponds to (None: beyond the study) and what it shows (its report caption).

No plotting imports: the workflow reads this while it plans the DAG. Everything else
derives from these two (the one loop of target rules, the config schema's keys, the
report's categories, ``actstudy.figures.draw.render``). Adding a figure: its line in
``TARGETS`` with its caption (and a line in ``FIGURE_KINDS`` for a new kind), its renderer and its
networks in the configs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

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
    schema: str = "networks"  # the config schema's $defs its config entry follows
    numbers: str = ""  # comparison: the function of one network's rows of its CSV ("module.function")


_OWN = None  # the state the figure's config entry names
FIGURE_KINDS: dict[str, Kind] = {
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
    **{kind: Kind("comparison", f"figures.comparisons.{kind}", needs=needs, numbers=f"figures.comparison_numbers.{kind}_rows")
       for kind, needs in (("accuracy", ("train",)), ("sparsity", ("layers",)), ("dead", ("layers",)),
                           ("classifiers", ("classifiers",)), ("regularisation", ("train", "layers")))},
}  # fmt: skip
_NUMBERLESS = [name for name, kind in FIGURE_KINDS.items() if kind.family == "comparison" and not kind.numbers]
if _NUMBERLESS:  # a comparison without its numbers would be drawn empty, with nothing failing
    raise ValueError(f"comparison kinds {_NUMBERLESS} name no `numbers` function (actstudy.figures.catalog.Kind)")


@dataclass(frozen=True)
class Target:
    name: str  # the target rule, e.g. fig3_4
    kind: str  # its entry in FIGURE_KINDS
    study: str | None  # the study's figure or table, e.g. "Figure 3.4"; None: beyond the study
    description: str  # the first part of its report caption: what it shows

    @property
    def family(self) -> str:
        """The family of rules that draws it (its kind's)."""
        return FIGURE_KINDS[self.kind].family

    @property
    def chapter(self) -> str:
        """The report category: the study's chapter (A: the appendix), or beyond the study."""
        if self.study is None:
            return BEYOND
        return CHAPTERS[self.study.split()[1].split(".")[0]]


def _catalog(rows: list[tuple[str, str, str | None, str]]) -> dict[str, Target]:
    unknown = [f"{row[0]} ({row[1]!r})" for row in rows if row[1] not in FIGURE_KINDS]
    if unknown:
        raise ValueError(
            f"catalog targets of no known kind: {', '.join(unknown)}; the kinds: {', '.join(FIGURE_KINDS)}"
        )
    return {row[0]: Target(*row) for row in rows}


# (target, kind, the study's figure or table or None (beyond the study), its report caption:
# what it shows, in a sentence or two; ``caption`` adds where it is drawn from and the study's
# label), in report order.
TARGETS: dict[str, Target] = _catalog([
    ("fig1_1", "activation_shapes", "Figure 1.1",
     "The two activation functions the study compares: the rectifier ReLU(z) = max(0, z) and the logistic sigmoid 1 / (1 + e^-z), over the pre-activation z."),
    ("fig1_2", "curves_pair", "Figure 1.2",
     "Training and validation accuracy per epoch of one ReLU and one sigmoid network, mean over seeds: the generalisation gap the study sets out to explain."),
    ("fig1_3", "lr_comparison", "Figure 1.3",
     "Validation accuracy of ReLU and sigmoid networks for each learning rate of the grid, mean ± standard error over seeds."),
    ("fig3_1", "learning_curve", "Figure 3.1",
     "Learning curves (accuracy and loss, training and validation) of one network, with the epoch whose parameters are kept (best validation accuracy) marked."),
    ("fig3_2", "curves_grid", "Figure 3.2",
     "MNIST training and validation accuracy per epoch, mean ± SE over seeds, ReLU against sigmoid; columns by depth, rows batch norm off / on (the study: width 200)."),
    ("fig3_3", "curves_grid", "Figure 3.3",
     "As Figure 3.2 for the wider networks (the study: width 800), MNIST."),
    ("fig3_4", "test_accuracy", "Figure 3.4",
     "MNIST test accuracy of every configuration, mean ± SE over seeds, ReLU against sigmoid, batch norm off / on."),
    ("fig3_5", "curves_grid", "Figure 3.5",
     "As Figure 3.2 on Fashion-MNIST (the study: width 200)."),
    ("fig3_6", "curves_grid", "Figure 3.6",
     "As Figure 3.3 on Fashion-MNIST (the study: width 800)."),
    ("fig3_7", "test_accuracy", "Figure 3.7",
     "As Figure 3.4 on Fashion-MNIST: test accuracy of every configuration."),
    ("fig3_8", "curves_grid", "Figure 3.8",
     "As Figure 3.2 on CIFAR-10 (the study: width 200)."),
    ("fig3_9", "curves_grid", "Figure 3.9",
     "As Figure 3.3 on CIFAR-10 (the study: width 800)."),
    ("fig3_10", "test_accuracy", "Figure 3.10",
     "As Figure 3.4 on CIFAR-10: test accuracy of every configuration."),
    ("fig4_1", "distributions_z", "Figure 4.1",
     "Sigmoid network: per-class histograms of the pre-activation z of a shallow and a deep hidden node over the training set."),
    ("fig4_2", "distributions_a", "Figure 4.2",
     "As Figure 4.1 for the activation a = sigmoid(z): the classes overlap where the sigmoid saturates."),
    ("fig4_3", "medians", "Figure 4.3",
     "Untrained sigmoid network: per node, each class's median activation over the training set."),
    ("fig4_4", "medians", "Figure 4.4",
     "Trained sigmoid network: per node, each class's median activation."),
    ("fig4_5", "medians", "Figure 4.5",
     "Trained sigmoid network with batch norm: per node, each class's median activation."),
    ("fig4_6", "distributions_z", "Figure 4.6",
     "ReLU network: per-class histograms of z of a shallow and a deep hidden node (as Figure 4.1)."),
    ("fig4_7", "distributions_a", "Figure 4.7",
     "ReLU network: per-class histograms of a = max(0, z) (as Figure 4.2): every off sample sits at exactly 0."),
    ("fig4_8", "medians", "Figure 4.8",
     "Untrained ReLU network: per node, each class's median activation."),
    ("fig4_9", "medians", "Figure 4.9",
     "Trained ReLU network: per node, each class's median activation."),
    ("fig4_10", "medians", "Figure 4.10",
     "Trained ReLU network with batch norm: per node, each class's median activation."),
    ("fig4_11", "medians", "Figure 4.11",
     "Class medians per node of a sigmoid and a ReLU network side by side (the study: CIFAR-10 4x200)."),
    ("fig5_1", "activity", "Figure 5.1",
     "ReLU network: per node, % of samples for which it is on (z > 0), on the training set, the test set and for the untrained network; layers separated by grey lines."),
    ("fig5_2", "activity", "Figure 5.2",
     "As Figure 5.1 for the sigmoid network (on: a > 0.5)."),
    ("fig5_3", "activity", "Figure 5.3",
     "As Figure 5.1 for the deeper ReLU network (the study: 8x200)."),
    ("fig5_4", "activity", "Figure 5.4",
     "As Figure 5.2 for the deeper sigmoid network (the study: 8x200)."),
    ("fig5_5", "activity", "Figure 5.5",
     "Node activity (as Figure 5.1) of networks trained with batch norm, ReLU and sigmoid."),
    ("fig5_6", "heatmap", "Figure 5.6",
     "ReLU network: class x node activity, % of each class's training samples a node is on for; dead nodes (on for no training sample) marked in red."),
    ("fig5_7", "heatmap", "Figure 5.7",
     "As Figure 5.6 for the deeper ReLU network (the study: 8x200)."),
    ("fig5_8", "heatmap", "Figure 5.8",
     "As Figure 5.6 for the sigmoid network."),
    ("fig5_9", "heatmap", "Figure 5.9",
     "As Figure 5.6 for the deeper sigmoid network (the study: 8x200)."),
    ("figA_1", "medians", "Figure A.1",
     "Class medians per node (as Figure 4.4) of the deeper sigmoid network (the study: 8x200)."),
    ("figA_2", "medians", "Figure A.2",
     "Class medians per node (as Figure 4.9) of the deeper ReLU network (the study: 8x200)."),
    ("fig6_1", "kde", "Figure 6.1",
     "One hidden node of a ReLU and of a sigmoid network: per-class histograms of z on the training set with the Gaussian kernel density estimate (bandwidth 0.2) the continuous classifier uses."),
    ("fig6_2", "layer_accuracy", "Figure 6.2",
     "ReLU networks: accuracy of each hidden layer used as a classifier (discrete, continuous and combined systems), on training and test sets, against the network's own accuracy (red), one column per depth (the study: Fashion-MNIST, width 200)."),
    ("fig6_3", "layer_accuracy", "Figure 6.3",
     "As Figure 6.2 for sigmoid networks (discrete and continuous systems: the combined one needs an exact zero below the threshold)."),
    ("fig6_4", "layer_accuracy", "Figure 6.4",
     "As Figure 6.2 on MNIST."),
    ("fig6_5", "layer_accuracy", "Figure 6.5",
     "As Figure 6.3 on MNIST."),
    ("fig6_6", "layer_accuracy", "Figure 6.6",
     "Layer classifiers (as Figure 6.2) of one ReLU network after chosen epochs of training: how the systems develop as the network learns (the study: Fashion-MNIST 6x100)."),
    ("fig6_7", "layer_accuracy", "Figure 6.7",
     "As Figure 6.6 for a sigmoid network."),
    ("figA_3", "layer_accuracy", "Figure A.3",
     "Layer classifiers (as Figure 6.2) of ReLU networks of another width (the study: 800)."),
    ("figA_4", "layer_accuracy", "Figure A.4",
     "As Figure A.3 for sigmoid networks."),
    ("figA_5", "layer_accuracy", "Figure A.5",
     "Layer classifiers of ReLU networks of one depth over several widths (the study: depth 10, widths 20 to 200, Fashion-MNIST)."),
    ("figA_6", "layer_accuracy", "Figure A.6",
     "Layer classifiers of sigmoid networks of one width over several depths (the study: width 100, depths 1 to 8, Fashion-MNIST)."),
    ("table5_1", "dead_nodes_table", "Table 5.1",
     "Dead nodes: % of all hidden nodes of a network that are on for no training sample, per depth, ReLU and sigmoid, batch norm off and on."),
    ("table5_2", "sparsity_table", "Table 5.2",
     "Layer sparsity: % of training samples a node is off for, averaged over the layer's non-dead nodes, per depth and layer."),
    ("cmp_accuracy", "accuracy", None,
     "Test accuracy of each activation, mean ± SE over seeds: one panel per network shape; filled markers without batch norm, open markers with it; the colour is the activation."),
    ("cmp_sparsity", "sparsity", None,
     "Layer sparsity (% of training samples a non-dead node is off for, z <= 0, averaged over the layer) per hidden layer and activation, mean ± SE over seeds; one row per batch-norm (and regulariser) setting."),
    ("cmp_dead", "dead", None,
     "Dead nodes (% of a layer's nodes that are off for every training sample) per hidden layer and activation, mean ± SE over seeds; one row per batch-norm (and regulariser) setting."),
    ("cmp_classifiers", "classifiers", None,
     "Each hidden layer as a naive-Bayes classifier (Chapter 6's discrete and continuous systems; the combined one only for ReLU, the one activation with an exact zero below its threshold): test accuracy per layer and activation, mean ± SE over seeds; dashed lines are each network's own test accuracy."),
    ("cmp_regularisation", "regularisation", None,
     "Regularisation: test accuracy, layer sparsity (mean over hidden layers) and dead nodes (% of all hidden nodes) against the dropout probability; one line per activation, batch-norm setting and weight decay (line style), mean ± SE over seeds."),
])  # fmt: skip


def names(*families: str) -> list[str]:
    """Target names drawn by the given families of rules, in catalog order."""
    return [t.name for t in TARGETS.values() if t.family in families]


TABLES = tuple(names("table"))


def kind_of(name: str) -> Kind:
    """Target ``name``'s kind; a name the catalog does not list is named with the list."""
    if name not in TARGETS:
        raise KeyError(f"{name!r} is not a figure or table of the catalog ({', '.join(TARGETS)})")
    return FIGURE_KINDS[TARGETS[name].kind]


def renderer(kind: str) -> Callable:
    """The function that draws ``kind`` (imported only now: plotting stays out of planning)."""
    module, function = FIGURE_KINDS[kind].renderer.rsplit(".", 1)
    return getattr(import_module(f"actstudy.{module}"), function)


def numbers_of(kind: str) -> Callable:
    """The function of one network's rows of comparison ``kind``'s CSV; an unknown kind, or
    one that is not a comparison, is an error that names it."""
    if kind not in FIGURE_KINDS or not FIGURE_KINDS[kind].numbers:
        comparisons = ", ".join(k for k, v in FIGURE_KINDS.items() if v.family == "comparison")
        raise ValueError(f"{kind!r} is not a comparison kind of the catalog ({comparisons})")
    module, function = FIGURE_KINDS[kind].numbers.rsplit(".", 1)
    return getattr(import_module(f"actstudy.{module}"), function)


def files_needed(kind: str, state: str) -> dict[str, tuple[str, str]]:
    """For a node or classifier figure kind drawn at ``state``: role -> (artefact, state),
    artefact one of ``z_train``, ``class_nodes``, ``nodes``, ``classifiers``."""
    return {role: (artefact, state if fixed is _OWN else fixed) for role, artefact, fixed in FIGURE_KINDS[kind].reads}
