# Helpers shared by the workflow modules (paths, and what the config asks for).
from functools import cache

from actstudy.core.config import (
    Architecture,
    analysed_learning_rate,
    analysis_settings,
    extraction_settings,
    on_threshold,
    describe_readings,
    run_grids,
    training_job,
)
from actstudy.analysis.plan import (
    classifier_outputs,
    extraction_inputs,
    measured_z,
    node_outputs,
    plan_analyses,
    z_outputs,
)
from actstudy.data import raw
from actstudy.training import resources, rounds
from actstudy.training.selection import planned_learning_rates
from actstudy.data.datasets import DOWNLOADABLE
from actstudy.study.numbers import load_study
from actstudy.study.plan import plan_files, scorecard_plan as study_plan
from actstudy.study.pages import landing_page
from actstudy.figures.catalog import SCORECARD, TARGETS
from actstudy.figures.families import (
    caption_page,
    family_of,
    output_files,
    plan as plan_target,
)

GRIDS = run_grids(config)


ANALYSIS = analysis_settings(config)


def analysis_state():
    """The trained state Chapter 5 tables and the scorecard read (default best)."""
    return ANALYSIS["state"]


def all_target_files():
    """Every file of every figure and table (the `all` target)."""
    return [f for name in TARGETS for f in output_files(name).values()]


def target_labels(name):
    return {"target": name, "study": TARGETS[name].study or "none (beyond the study)"}


def caption_file(name):
    """The target's report caption: its description and its family's shared lines."""
    return caption_page(name, Path(".snakemake/actstudy/captions"))


def raw_inputs(wildcards):
    """The prepare step's raw inputs: the download's manifest and every raw file it lists,
    so that a raw file changed since reruns prepare (nothing for the bundled digits). The
    download is a checkpoint, so the list is read once the manifest exists, and prepare's
    inputs are the same set on the first run as on every later one (a manifest-only first
    set made the second run prepare again, and retrain everything after it). A listed file
    that is missing stops the plan, named."""
    if wildcards.dataset not in DOWNLOADABLE:  # bundled: nothing downloaded
        return []
    manifest = checkpoints.download.get(dataset=wildcards.dataset).output[0]
    return [manifest, *map(str, raw.recorded_files(manifest))]


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
    return rounds.merge_inputs(base, plan_of, planned_learning_rates, SNAPSHOTS)


@cache
def target_plan(name):
    """(inputs, params) of a figure's or table's rule, by its kind's family."""
    return plan_target(config, GRIDS, analysis_state(), name)


def target_inputs(name):
    return target_plan(name)[0]


def target_params(name):
    return target_plan(name)[1]


def target_script(name):
    """Its family's script in workflow/scripts/."""
    return family_of(name).script


def target_folder(name):
    """Where its log and benchmark go: tables or figures."""
    return family_of(name).folder


def target_outputs(name):
    """Its family's files (a figure's PNG and PDF, a comparison's CSV of numbers too; a
    table's CSV, Markdown and LaTeX), the first one in the report with its caption."""
    files = output_files(name)
    first = next(iter(files))
    files[first] = report(
        files[first],
        caption=caption_page(name, Path(".snakemake/actstudy/captions")),
        category=TARGETS[name].chapter,
        labels=target_labels(name),
    )
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
        bn_init=ANALYSIS["batch_norm_init"],
    )


def scorecard_inputs(wildcards):
    return [STUDY_FILE, *plan_files(scorecard_plan())]


def landing_text():
    """The report's landing text, with the scorecard's headline once there is one."""
    template = Path(workflow.basedir) / "workflow/report/workflow.rst"
    return landing_page(template, Path("results"), Path(".snakemake/actstudy"))


# -- the per-network analysis jobs (analysis.smk) ------------------------------------
NODE_SETTINGS = (
    {  # how node metrics count: the node_on, dead_in_sparsity, samples readings
        "on_at_zero": ANALYSIS["node_on"] == "z>=0",
        "include_dead": ANALYSIS["dead_in_sparsity"],
        "with_validation": ANALYSIS["samples"] == "train+validation",
    }
)


def analysis_cpus(arch):
    return resources.analysis_cpus(arch)


def analysis_requests():
    """Every file the figures, tables and the scorecard read, and the config's
    `also_analyse` (a state no target reads, planned into its net's job like the rest).
    """
    files = [
        f for name in TARGETS for group in target_inputs(name).values() for f in group
    ]
    return files + plan_files(scorecard_plan()) + config.get("also_analyse", [])


ANALYSES = plan_analyses(
    analysis_requests(), with_validation=NODE_SETTINGS["with_validation"]
)
