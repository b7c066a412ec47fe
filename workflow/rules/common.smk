# Helpers shared by the workflow modules (paths, and what the config asks for).
from actstudy.config import ARCH_PATTERN, Architecture, figure_architectures, run_grids

GRIDS = run_grids(config)
TRAINING_FIGURES = list(config["figures"])
STATIC_FIGURES = ["fig1_1"]
FIGURE_FORMATS = ["png", "pdf"]


def figure_files(name):
    return [f"results/figures/{name}.{ext}" for ext in FIGURE_FORMATS]


def all_figures():
    return [f for name in STATIC_FIGURES + TRAINING_FIGURES for f in figure_files(name)]


def train_dir(arch):
    return f"results/train/{arch.dataset}/{arch.name}"


def raw_manifest(wildcards):
    """The prepare step's raw input: nothing for the bundled digits."""
    if wildcards.dataset == "digits":
        return []
    return f"results/data/raw/{wildcards.dataset}/manifest.json"


def training_params(wildcards):
    """Everything that defines one training job; a change here reruns that job only."""
    arch = Architecture.parse(wildcards.dataset, wildcards.arch)
    if arch not in GRIDS:
        raise ValueError(
            f"{arch.dataset} {arch.name} is not in the config's architectures"
        )
    grid = GRIDS[arch]
    return {
        "learning_rates": list(grid.learning_rates),
        "seeds": list(grid.seeds),
        "epochs": config["training"]["epochs"],
        "batch_size": config["training"]["batch_size"],
        "lr_decay": config["training"]["lr_decay"],
        "snapshot_epochs": config["training"]["snapshot_epochs"],
    }


def snapshot_outputs():
    return [
        f"results/train/{{dataset}}/{{arch}}/epoch{epoch}.pt"
        for epoch in sorted(config["training"]["snapshot_epochs"])
    ]


def figure_inputs(wildcards):
    """History, summary and selection of every architecture the figure draws."""
    archs = figure_architectures(config, wildcards.figure)
    return {
        "history": [f"{train_dir(a)}/history.csv" for a in archs],
        "summary": [f"{train_dir(a)}/summary.csv" for a in archs],
        "selection": [f"{train_dir(a)}/selected.json" for a in archs],
    }


def figure_architecture_names(wildcards):
    return [[a.dataset, a.name] for a in figure_architectures(config, wildcards.figure)]
