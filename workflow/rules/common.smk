# Helpers shared by the workflow modules (paths, and what the config asks for).
from actstudy.config import (
    Architecture,
    analysed_learning_rate,
    analysis_settings,
    extraction_settings,
    on_threshold,
    describe_readings,
    figure_architectures,
    run_grids,
    expand_networks,
    training_job,
)
from actstudy import raw, resources, rounds
from actstudy.paths import activations_path, artefact_path, metrics_path, train_dir
from actstudy.selection import planned_rates
from actstudy.datasets import DOWNLOADABLE
from actstudy.study import load_study, plan_files, scorecard_plan as study_plan
from actstudy.scorecard_pages import landing_page
from actstudy.figures.catalog import (
    COMPARISON_KINDS,
    COMPARISON_NEEDS,
    FIGURE_KINDS,
    SCORECARD,
    TABLES,
    TARGETS,
    caption_page,
    files_needed,
    names,
)

GRIDS = run_grids(config)
FIGURE_FORMATS = ["png", "pdf"]


ANALYSIS = analysis_settings(config)


def analysis_state():
    """The trained state Chapter 5 tables and the scorecard read (default best)."""
    return ANALYSIS["state"]


def extraction_params(wildcards):
    """How extraction reads this net under the config's readings."""
    return extraction_settings(
        ANALYSIS, Architecture.parse(wildcards.dataset, wildcards.arch)
    )


def node_on_threshold(wildcards):
    """The z above which a node of this net counts as on (the sigmoid_on reading)."""
    return on_threshold(
        ANALYSIS, Architecture.parse(wildcards.dataset, wildcards.arch).activation
    )


def node_metric_samples(wildcards):
    """The activations node metrics count: the training split (and the validation
    split for the train+validation reading)."""
    splits = (
        ["train", "val"] if ANALYSIS["samples"] == "train+validation" else ["train"]
    )
    return [
        f"results/activations/{wildcards.dataset}/{wildcards.arch}/seed{wildcards.seed}/{wildcards.state}_{split}.parquet"
        for split in splits
    ]


def figure_files(name):
    return [f"results/figures/{name}.{ext}" for ext in FIGURE_FORMATS]


def all_figures():
    drawn = names("static", "training", "node", "classifier", "comparison")
    numbers = [f"results/figures/{name}.csv" for name in names("comparison")]
    return [f for name in drawn for f in figure_files(name)] + numbers


def target_labels(name):
    return {"target": name, "study": TARGETS[name].study}


def caption_file(name):
    """The target's report caption: its description and its family's shared lines."""
    report_dir = Path(workflow.basedir) / "workflow/report"
    return caption_page(name, report_dir, Path(".snakemake/actstudy/captions"))


def figure_report(name):
    """A figure's PNG, marked for the report with its caption and chapter."""
    return report(
        f"results/figures/{name}.png",
        caption=caption_file(name),
        category=TARGETS[name].chapter,
        labels=target_labels(name),
    )


def table_files(name):
    return [f"results/tables/{name}.{ext}" for ext in ("csv", "md", "tex")]


def all_tables():
    return [f for name in TABLES for f in table_files(name)]


def raw_inputs(wildcards):
    """The prepare step's raw inputs: the download's manifest and, once it exists, every
    raw file it lists, so that a raw file changed since reruns prepare (nothing for the
    bundled digits). A listed file that is missing stops the plan, named."""
    if wildcards.dataset == "digits":
        return []
    manifest = Path(f"results/data/raw/{wildcards.dataset}/manifest.json")
    if not manifest.is_file():
        return [str(manifest)]
    return [str(manifest), *map(str, raw.recorded_files(manifest))]


def training_params(wildcards):
    """Everything that defines one training job; a change here reruns that job only."""
    arch = Architecture.parse(wildcards.dataset, wildcards.arch)
    if arch not in GRIDS:
        raise ValueError(
            f"{arch.dataset} {arch.name} is not in the config's architectures"
        )
    return training_job(config["training"], GRIDS[arch])


def _trained(wildcards):
    arch = Architecture.parse(wildcards.dataset, wildcards.arch)
    return arch, GRIDS[arch]


def train_threads(wildcards):
    return resources.train_cpus(_trained(wildcards)[0])


def analysis_threads(wildcards):
    return resources.analysis_cpus(
        Architecture.parse(wildcards.dataset, wildcards.arch)
    )


def train_mem_mb(wildcards):
    return resources.train_mem_mb(*_trained(wildcards))


def train_runtime(wildcards):
    return resources.train_runtime_min(
        *_trained(wildcards), config["training"]["epochs"]
    )


REFINE_ROUNDS = config["training"].get("refine_rounds", 0)
SNAPSHOTS = config["training"]["snapshot_epochs"]
ROUND0 = "_round0" if REFINE_ROUNDS else ""  # the initial rates' job, when refined
COARSE_DIR = (
    "results/train/{dataset}/{arch}/round0"
    if REFINE_ROUNDS
    else "results/train/{dataset}/{arch}"
)


def trained_files(folder):
    return rounds.trained_files(folder, SNAPSHOTS)


def plan_round_inputs(wildcards):
    base = f"results/train/{wildcards.dataset}/{wildcards.arch}"
    return rounds.plan_inputs(base, int(wildcards.round))


def refined_rounds(wildcards):
    """Every round the refinement trained (their plans decide: a checkpoint)."""

    def plan_of(k):
        return checkpoints.plan_round.get(**wildcards, round=k).output[0]

    base = f"results/train/{wildcards.dataset}/{wildcards.arch}"
    return rounds.merge_inputs(base, plan_of, planned_rates, SNAPSHOTS)


def figure_inputs(name):
    """History, summary and selection of every architecture the figure draws."""
    archs = figure_architectures(config, name)
    return {
        "history": [f"{train_dir(a)}/history.csv" for a in archs],
        "summary": [f"{train_dir(a)}/summary.csv" for a in archs],
        "selection": [f"{train_dir(a)}/selected.json" for a in archs],
    }


def figure_architecture_names(name):
    return [[a.dataset, a.name] for a in figure_architectures(config, name)]


def node_figure_items(name):
    """Per architecture (and state) of a Chapter 4/5/6 figure: its first seed, the state
    and the files each role of the figure reads."""
    spec = config["figures"][name]
    states = spec.get("states", [spec.get("state", "best")])
    items = []
    for arch in figure_architectures(config, name):
        seed = GRIDS[arch].seeds[0]
        for state in states:
            needed = files_needed(FIGURE_KINDS[name], state)
            files = {
                role: artefact_path(a, arch, seed, s) for role, (a, s) in needed.items()
            }
            items.append(
                {
                    "dataset": arch.dataset,
                    "arch": arch.name,
                    "seed": seed,
                    "state": state,
                    "files": files,
                    "layer": spec.get("layer"),
                }
            )
    return items


def node_figure_inputs(name):
    return [f for item in node_figure_items(name) for f in item["files"].values()]


def table_items(name):
    """Every (architecture, seed) a table summarises, with its layer metrics file."""
    return [
        {
            "dataset": a.dataset,
            "arch": a.name,
            "seed": seed,
            "layers": metrics_path(a, seed, analysis_state(), "layers"),
        }
        for a in expand_networks(config["tables"][name])
        for seed in GRIDS[a].seeds
    ]


def table_inputs(name):
    return [item["layers"] for item in table_items(name)]


def comparison_items(name):
    """Per network a comparison draws: the files its kind reads (every seed)."""
    needs = COMPARISON_NEEDS[COMPARISON_KINDS[name]]
    items = []
    for arch in figure_architectures(config, name):
        item = {"dataset": arch.dataset, "arch": arch.name}
        if "train" in needs:
            item["summary"] = f"{train_dir(arch)}/summary.csv"
            item["selection"] = f"{train_dir(arch)}/selected.json"
        for table in ("layers", "classifiers"):
            if table in needs:
                item[table] = {
                    seed: metrics_path(arch, seed, analysis_state(), table)
                    for seed in GRIDS[arch].seeds
                }
        items.append(item)
    return items


def comparison_inputs(name):
    files = []
    for item in comparison_items(name):
        files += [item[k] for k in ("summary", "selection") if k in item]
        for table in ("layers", "classifiers"):
            files += list(item.get(table, {}).values())
    return files


# -- the scorecard: the study's numbers beside ours ------------------------------------
STUDY_FILE = str(Path(workflow.basedir) / "workflow/study/numbers.yaml")
STUDY = load_study(
    STUDY_FILE, Path(workflow.basedir) / "workflow/schemas/study.schema.yaml"
)


def scorecard_plan(wildcards=None):
    """Per network a study number or claim concerns and the config trains: its files and
    how its training differs from the study's protocol."""
    return study_plan(
        STUDY,
        GRIDS,
        config["training"],
        analysis_state(),
        learning_rate=analysed_learning_rate(ANALYSIS),
    )


def scorecard_inputs(wildcards):
    return [STUDY_FILE, *plan_files(scorecard_plan())]


def landing_text():
    """The report's landing text, with the scorecard's headline once there is one."""
    template = Path(workflow.basedir) / "workflow/report/workflow.rst"
    return landing_page(template, Path("results"), Path(".snakemake/actstudy"))
