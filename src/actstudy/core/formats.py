"""The columns of every CSV table the workflow writes and reads back, and the keys of its
JSON files: one place, so that every reader checks a file on read (a file with other
columns is named, with the command that rebuilds it, instead of failing on a bare
``KeyError`` deep in a job). Plain data: no imports, cheap for every job.

A reader asks for the columns it needs (``read_csv(path, what, COLUMNS[kind])``); writers
may add columns (a newer node-metrics table has ``class_polarised_pct``) without breaking
older readers.
"""

COLUMNS = {
    # training (actstudy.training.trainer): one row per run at its best epoch / per run and epoch
    "summary": ["run", "learning_rate", "seed", "diverged", "train_acc", "val_acc", "test_acc"],
    "history": ["run", "learning_rate", "seed", "epoch", "train_loss", "train_acc", "val_acc"],
    # node metrics (actstudy.metrics.nodes): per layer, per node
    "layers": ["layer", "n_nodes", "dead_pct", "sparsity"],
    "nodes": ["layer", "node", "activity_train", "activity_test", "dead"],
    # layer classifiers (actstudy.metrics.classifiers)
    "classifiers": ["layer", "system", "split", "accuracy"],
}
DESCRIPTIONS = {
    "summary": "a training summary",
    "history": "a training history",
    "layers": "layer metrics",
    "nodes": "node metrics",
    "classifiers": "classifier accuracies",
}
# the learning-rate selection (actstudy.training.selection.select_learning_rate): what readers need
SELECTION_KEYS = ["learning_rate", "runs"]
