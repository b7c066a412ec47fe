"""Which kind of figure each Chapter 4/5 target is (no plotting imports: the workflow
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
TABLES = ("table5_1", "table5_2")


def files_needed(kind: str, state: str) -> dict[str, tuple[str, str]]:
    """For a figure kind: role -> (artefact, state), artefact one of ``activations_train``,
    ``class_nodes``, ``nodes``."""
    if kind.startswith("distributions"):
        return {"activations": ("activations_train", state)}
    if kind == "medians":
        return {"class_nodes": ("class_nodes", state)}
    if kind == "activity":
        return {"trained": ("nodes", state), "untrained": ("nodes", "init")}
    if kind == "heatmap":
        return {"class_nodes": ("class_nodes", state), "nodes": ("nodes", state)}
    raise ValueError(f"unknown figure kind {kind!r}")
