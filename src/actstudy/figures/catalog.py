"""Which kind of figure each Chapter 4/5/6 target is (no plotting imports: the workflow
reads this while it plans the DAG)."""

NODE_FIGURES = {
    "fig4_1": "distributions_z",
    "fig4_2": "distributions_a",
    "fig4_3": "medians",
    "fig4_4": "medians",
    "fig4_5": "medians",
    "fig4_6": "distributions_z",
    "fig4_7": "distributions_a",
    "fig4_8": "medians",
    "fig4_9": "medians",
    "fig4_10": "medians",
    "fig4_11": "medians",
    "fig5_1": "activity",
    "fig5_2": "activity",
    "fig5_3": "activity",
    "fig5_4": "activity",
    "fig5_5": "activity",
    "fig5_6": "heatmap",
    "fig5_7": "heatmap",
    "fig5_8": "heatmap",
    "fig5_9": "heatmap",
    "figA_1": "medians",
    "figA_2": "medians",
}
# Chapter 6 and Appendix A.2: nodes and layers as classifiers.
CLASSIFIER_FIGURES = {
    "fig6_1": "kde",
    **{name: "layer_accuracy" for name in ("fig6_2", "fig6_3", "fig6_4", "fig6_5", "fig6_6", "fig6_7")},
    **{name: "layer_accuracy" for name in ("figA_3", "figA_4", "figA_5", "figA_6")},
}
# Every figure drawn from node metrics, classifier accuracies or activations: its kind.
FIGURE_KINDS = {**NODE_FIGURES, **CLASSIFIER_FIGURES}
TABLES = ("table5_1", "table5_2")


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
