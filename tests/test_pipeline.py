"""The real Snakefile, end to end on the embedded default, in a scratch directory."""

import json
import re
import shutil

import pandas as pd
import pytest
import torch
import yaml
from conftest import REPO, snakemake

from actstudy.core.config import Architecture
from actstudy.figures.catalog import names
from actstudy.study.numbers import load_study, study_rows
from actstudy.training.models import reference_mlp

pytestmark = [pytest.mark.pipeline, pytest.mark.slow]
TARGETS = names("static", "training", "node", "classifier", "comparison")


def planned_jobs(output):
    """Job counts of a dry run's stats table ('rule  count')."""
    table = output.split("Job stats:")[-1] if "Job stats:" in output else ""
    return {m[1]: int(m[2]) for m in re.finditer(r"^([\w.]+)\s+(\d+)$", table, re.M) if m[1] != "total"}


def per_net(kind: str, *nets: str, dataset: str = "digits") -> dict[str, int]:
    """The planned-jobs entries of a per-network analysis rule (analysis.smk), one per net."""
    return {f"{kind}_{dataset}_{net}": 1 for net in nets}


def job_kinds(jobs: dict[str, int]) -> dict[str, int]:
    """Planned jobs with the per-network analysis rules counted by kind (``extract_net``...)."""
    kinds: dict[str, int] = {}
    for name, count in jobs.items():
        kind = next(
            (f"{k}_net" for k in ("extract", "node_metrics", "classifiers") if name.startswith(f"{k}_digits_")), name
        )
        kinds[kind] = kinds.get(kind, 0) + count
    return kinds


@pytest.fixture(scope="module")
def workdir(pipeline_workdir):
    return pipeline_workdir


def test_every_target_is_built_as_png_and_pdf(workdir):
    for target in TARGETS:
        for ext in ("png", "pdf"):
            path = workdir / "results/figures" / f"{target}.{ext}"
            assert path.stat().st_size > 5000, path
    assert (workdir / "results/figures/fig3_4.png").read_bytes()[:4] == b"\x89PNG"


def test_comparisons_draw_every_activation_and_regulariser_with_their_numbers(workdir):
    accuracy = pd.read_csv(workdir / "results/figures/cmp_accuracy.csv")
    assert set(accuracy["activation"]) == {"relu", "sigmoid", "tanh", "gelu"}
    assert len(accuracy) == 8 and (accuracy["metric"] == "test_accuracy").all()
    assert accuracy["mean"].between(50, 100).all() and (accuracy["n"] >= 2).all()
    sparsity = pd.read_csv(workdir / "results/figures/cmp_sparsity.csv")
    assert len(sparsity) == 8 * 2 and sparsity["mean"].between(0, 100).all()  # 8 nets x 2 layers
    dead = pd.read_csv(workdir / "results/figures/cmp_dead.csv")
    assert set(dead["layer"]) == {1, 2} and dead["mean"].between(0, 100).all()
    classifiers = pd.read_csv(workdir / "results/figures/cmp_classifiers.csv")
    combined = classifiers[classifiers["metric"] == "classifier_combined"]
    assert set(combined["activation"]) == {"relu"}  # the one activation with an exact zero
    assert set(classifiers["metric"]) == {
        "network_accuracy",
        "classifier_discrete",
        "classifier_continuous",
        "classifier_combined",
    }
    regularisation = pd.read_csv(workdir / "results/figures/cmp_regularisation.csv")
    assert set(regularisation["network"]) == {"d2_w32_bn0_relu", "d2_w32_bn0_relu_do0.2"}
    assert set(regularisation["metric"]) == {"test_accuracy", "mean_sparsity", "dead"}
    # the same numbers as the networks' own files
    summary = pd.read_csv(workdir / "results/train/digits/d2_w32_bn0_gelu/summary.csv")
    runs = json.loads((workdir / "results/train/digits/d2_w32_bn0_gelu/selected.json").read_text())["runs"]
    gelu = accuracy[accuracy["network"] == "d2_w32_bn0_gelu"].iloc[0]
    assert gelu["mean"] == pytest.approx(100 * summary.loc[summary["run"].isin(runs), "test_acc"].mean())


def test_tables_have_the_study_layout_and_sane_values(workdir):
    dead = pd.read_csv(workdir / "results/tables/table5_1.csv", index_col=0)
    assert list(dead.columns) == ["ReLU, no BN", "ReLU, BN", "sigmoid, no BN", "sigmoid, BN"]
    sparsity = pd.read_csv(workdir / "results/tables/table5_2.csv", index_col=[0, 1])
    assert sparsity.index.tolist() == [(2, 1), (2, 2), (4, 1), (4, 2), (4, 3), (4, 4)]
    means = sparsity.map(lambda cell: float(cell.split(" ± ")[0]))
    assert ((means > 0) & (means < 100)).all().all()
    for ext in ("md", "tex"):
        assert "sigmoid, BN" in (workdir / f"results/tables/table5_2.{ext}").read_text()
    # the untrained 4x32 ReLU net's layers are about half sparse, as the study reports
    layers = pd.read_csv(workdir / "results/metrics/digits/d4_w32_bn0_relu/seed0/init_layers.csv")
    assert layers["sparsity"].between(20, 80).all()


def test_layer_classifiers_are_scored_beside_the_network(workdir):
    folder = workdir / "results/metrics/digits"
    for arch, systems in (
        ("d4_w32_bn0_relu", {"discrete", "continuous", "combined"}),
        ("d4_w32_bn0_sigmoid", {"discrete", "continuous"}),
    ):
        for state in ("epoch5", "epoch15", "best"):  # fig6_6/6_7 show these states
            table = pd.read_csv(folder / arch / "seed0" / f"{state}_classifiers.csv")
            layers = table[table["system"] != "network"]
            assert set(layers["system"]) == systems
            assert sorted(layers["layer"].unique()) == [1, 2, 3, 4]
            assert len(layers) == 4 * len(systems) * 2
            assert layers["accuracy"].between(0, 100).all()
            network = table[table["system"] == "network"].set_index("split")["accuracy"]
            assert set(network.index) == {"train", "test"}
        # trained: the last hidden layer's continuous system classifies digits far above chance
        best = layers[(layers["layer"] == 4) & (layers["split"] == "test")].set_index("system")["accuracy"]
        assert best["continuous"] > 80, best
        assert network["test"] > 80


def test_relu_and_sigmoid_both_learn_digits(workdir):
    config = yaml.safe_load((workdir / "config.yaml").read_text())
    for activation in ("relu", "sigmoid"):
        arch = Architecture("digits", 2, 32, True, activation)
        run_dir = workdir / "results/train/digits" / arch.name
        summary = pd.read_csv(run_dir / "summary.csv")
        selection = json.loads((run_dir / "selected.json").read_text())
        chosen = summary[summary["run"].isin(selection["runs"])]
        assert len(chosen) == len(config["training"]["seeds"])
        assert (chosen["test_acc"] > 0.85).all(), chosen  # chance is 0.10
        history = pd.read_csv(run_dir / "history.csv")
        assert history["epoch"].max() == config["training"]["epochs"]
        # kept parameters load safely into the reference network and reproduce test accuracy
        for state in ["init", "best"] + [f"epoch{e}" for e in config["training"]["snapshot_epochs"]]:
            states = torch.load(run_dir / f"{state}.pt", weights_only=True)
            assert set(states) == set(summary["run"])
        model = reference_mlp(arch, 64, 10)
        model.load_state_dict(torch.load(run_dir / "best.pt", weights_only=True)[selection["runs"][0]])


def test_second_run_does_nothing(workdir):
    output = snakemake(workdir, "-n", "--cores", "2")
    assert "Nothing to be done" in output


def test_changing_one_architecture_reruns_only_its_jobs(workdir):
    config = yaml.safe_load((workdir / "config.yaml").read_text())
    config["architectures"].append(
        {"dataset": "digits", "depth": 4, "width": 64, "batch_norm": True, "activation": "relu", "seeds": [0, 1, 2]}
    )
    changed = workdir / "changed.yaml"
    changed.write_text(yaml.safe_dump(config))
    output = snakemake(workdir, "-n", "--cores", "2", "--configfile", str(changed))
    jobs = planned_jobs(output)
    # d4_w64_bn1_relu is drawn by fig3_3/3_4/3_6/3_7/3_9/3_10 (width 64 or all widths) and
    # fig5_5 (activity of its first seed, trained and untrained) and figA_3 (layer
    # classifiers of its first seed, trained): its extraction, node-metrics and classifier
    # jobs, one each, and nothing of any other net
    net = "d4_w64_bn1_relu"
    expected = {"train": 1, "select": 1, "fig5_5": 1, "figA_3": 1}
    expected |= per_net("extract", net) | per_net("node_metrics", net) | per_net("classifiers", net)
    expected |= {name: 1 for name in ("fig3_3", "fig3_4", "fig3_6", "fig3_7", "fig3_9", "fig3_10")}
    assert jobs == expected | {"all": 1}, output[-2000:]
    assert "results/train/digits/d4_w64_bn1_relu/history.csv" in output
    assert "results/z/digits/d4_w64_bn1_relu/seed0/init_train.parquet" in output  # fig5_5's untrained state


def test_one_figure_rebuilds_alone(workdir):
    (workdir / "results/figures/fig3_1.png").unlink()
    output = snakemake(workdir, "-n", "fig3_1")
    assert planned_jobs(output) == {"fig3_1": 1}
    snakemake(workdir, "--cores", "1", "fig3_1")  # the session's other tests read it
    assert (workdir / "results/figures/fig3_1.png").stat().st_size > 5000


def test_a_table_plans_only_what_it_needs(tmp_path):
    """From nothing, table5_2 needs its 8 architectures (depths 2 and 4, width 32) trained,
    and of each one extraction job and one node-metrics job (every state of the net that
    the config's targets read, in one job each), no layer classifiers and no figure."""
    (tmp_path / "config.yaml").write_text((REPO / "config.yaml").read_text())
    output = snakemake(tmp_path, "-n", "table5_2")
    expected = {"prepare": 1, "train": 8, "select": 8, "extract_net": 8, "node_metrics_net": 8, "table5_2": 1}
    assert job_kinds(planned_jobs(output)) == expected
    assert "results/metrics/digits/d4_w32_bn1_sigmoid/seed1/best_layers.csv" in output


def test_a_file_no_target_reads_is_planned_into_its_nets_jobs(workdir, tmp_path):
    """A state no target reads (the last epoch of a second seed), named in `also_analyse`,
    joins its net's jobs: one extraction, one node-metrics and one classifier job, which
    also rewrite the states the default run made, to the same bytes."""
    net = "digits/d2_w32_bn0_relu"
    copy = tmp_path / "work"
    copy.mkdir()
    config = yaml.safe_load((workdir / "config.yaml").read_text())
    last = config["training"]["snapshot_epochs"][-1]
    unread = [f"results/metrics/{net}/seed1/epoch{last}_{t}.csv" for t in ("layers", "classifiers")]
    (copy / "config.yaml").write_text(yaml.safe_dump({**config, "also_analyse": unread}))
    shutil.copytree(workdir / "results/data", copy / "results/data")
    shutil.copytree(workdir / f"results/train/{net}", copy / f"results/train/{net}")
    output = snakemake(copy, "--cores", "2", "--", *unread)
    arch = net.split("/")[1]
    assert planned_jobs(output) == per_net("extract", arch) | per_net("node_metrics", arch) | per_net(
        "classifiers", arch
    )
    made = [
        f"results/{d}/{net}/seed0/best_{t}"
        for d, t in [
            ("z", "train.parquet"),
            ("z", "test.parquet"),
            ("metrics", "layers.csv"),
            ("metrics", "nodes.csv"),
            ("metrics", "class_nodes.parquet"),
            ("metrics", "classifiers.csv"),
        ]
    ]
    for path in made:
        assert (copy / path).read_bytes() == (workdir / path).read_bytes(), path
    assert all((copy / path).stat().st_size > 0 for path in unread)


def test_train_plus_validation_reading_extracts_the_validation_split_too(tmp_path):
    """The train+validation reading extracts the validation split of every measured run
    too (in each net's extraction job), and node metrics read it; the default reading
    extracts no validation split at all."""
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    config["analysis"] = {"samples": "train+validation"}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    output = snakemake(tmp_path, "-n", "table5_2")
    jobs = job_kinds(planned_jobs(output))
    assert jobs["extract_net"] == 8 and jobs["node_metrics_net"] == 8
    assert "results/z/digits/d2_w32_bn0_relu/seed0/best_val.parquet" in output
    (tmp_path / "config.yaml").write_text((REPO / "config.yaml").read_text())
    assert "_val.parquet" not in snakemake(tmp_path, "-n", "table5_2")


def test_scorecard_runs_on_the_default_with_every_number_listed(workdir):
    """Digits trains none of the study's networks: every number is 'not run', every claim
    too, and the page says so on top."""
    scores = pd.read_csv(workdir / "results/scorecard.csv")
    study = load_study(REPO / "workflow/study/numbers.yaml", REPO / "workflow/schemas/study.schema.yaml")
    n_rows, n_claims = len(study_rows(study)), len(study["checks"])
    assert len(scores) == n_rows and set(scores["verdict"]) == {"not run"}
    assert scores["note"].str.contains("not trained by this config").all() and scores["z"].isna().all()
    checks = pd.read_csv(workdir / "results/scorecard_checks.csv")
    assert len(checks) == n_claims and set(checks["verdict"]) == {"not run"}
    assert checks["details"].eq("no network it compares is trained by this config").all()
    page = (workdir / "results/scorecard.md").read_text().splitlines()
    assert (
        page[2]
        == f"**{n_rows} numbers of the study: 0 agree, 0 disagree, 0 partly run, 0 protocol differs, {n_rows} not run. "
        f"{n_claims} claims: 0 holds, 0 fails, 0 partly run, {n_claims} not run.**"
    )
    assert page[4] == "![The scorecard at a glance](scorecard.png)"
    assert "Definitions used: state best; on when z>0" in page[6]
    assert (workdir / "results/scorecard.html").read_text().startswith("<!doctype html>")
    assert (workdir / "results/scorecard.png").read_bytes()[:4] == b"\x89PNG"
    provenance = json.loads((workdir / "results/provenance.json").read_text())
    assert provenance["packages"]["snakemake"].startswith("9.") and provenance["config_sha256"]


def test_learning_rate_reading_analyses_the_runs_of_that_rate(tmp_path):
    """analysis.learning_rate: the extraction reads each seed's run at that rate, not the
    selected one; switching back reruns extraction, never training."""
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    target = "results/metrics/digits/d2_w32_bn0_relu/seed0/best_layers.csv"
    log = tmp_path / "results/logs/extract/digits/d2_w32_bn0_relu.log"
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    snakemake(tmp_path, "--cores", "2", target)
    selected = json.loads((tmp_path / "results/train/digits/d2_w32_bn0_relu/selected.json").read_text())
    assert f"run {selected['runs'][0]}" in log.read_text()
    other = next(lr for lr in config["training"]["learning_rates"] if lr != selected["learning_rate"])
    config["analysis"] = {"learning_rate": other}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    jobs = planned_jobs(snakemake(tmp_path, "-n", target))
    assert jobs.get("extract_digits_d2_w32_bn0_relu") == 1 and "train" not in jobs
    snakemake(tmp_path, "--cores", "2", target)
    assert f"run lr{other:g}_s0" in log.read_text()


def test_sigmoid_threshold_reading_reruns_only_the_sigmoid_nets_analysis(tmp_path):
    """analysis.sigmoid_on: z>0.5 changes what "on" means for sigmoid nodes only: their
    node metrics and classifiers rerun, the ReLU net's and every extraction do not."""
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    nets = ("d2_w32_bn0_relu", "d2_w32_bn0_sigmoid")
    targets = [f"results/metrics/digits/{n}/seed0/best_{t}.csv" for n in nets for t in ("layers", "classifiers")]
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    snakemake(tmp_path, "--cores", "2", *targets)
    before = pd.read_csv(tmp_path / f"results/metrics/digits/{nets[1]}/seed0/best_layers.csv")
    config["analysis"] = {"sigmoid_on": "z>0.5"}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    output = snakemake(tmp_path, "-n", *targets)
    assert planned_jobs(output) == per_net("node_metrics", nets[1]) | per_net("classifiers", nets[1])
    snakemake(tmp_path, "--cores", "2", *targets)
    after = pd.read_csv(tmp_path / f"results/metrics/digits/{nets[1]}/seed0/best_layers.csv")
    assert (after["sparsity"] >= before["sparsity"]).all()  # a higher threshold: never more samples on


def test_linear_output_reading_extracts_only_the_batch_norm_nets_again(tmp_path):
    """analysis.z: linear reads z before batch norm: the batch-norm net's extraction (and
    what reads it) reruns; the net without batch norm, whose z is the same, does not."""
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    nets = ("d2_w32_bn0_relu", "d2_w32_bn1_relu")
    targets = [f"results/metrics/digits/{n}/seed0/best_layers.csv" for n in nets]
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    snakemake(tmp_path, "--cores", "2", *targets)
    config["analysis"] = {"z": "linear"}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    output = snakemake(tmp_path, "-n", *targets)
    assert planned_jobs(output) == per_net("extract", nets[1]) | per_net("node_metrics", nets[1])
    snakemake(tmp_path, "--cores", "2", *targets)
    log = (tmp_path / f"results/logs/extract/digits/{nets[1]}.log").read_text()
    assert "z at the linear output" in log


def test_learning_rate_refinement_trains_rounds_the_plans_ask_for_and_selects_over_all(tmp_path):
    """training.refine_rounds: the coarse grid trains in round0/, each round's plan (a
    checkpoint) asks for the two neighbours of the best rate so far, the merged files hold
    every rate and the selection is made over all of them; done, nothing trains again."""
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    config["training"] |= {"refine_rounds": 1, "epochs": 6, "snapshot_epochs": [5]}
    for selection in config["figures"].values():
        if "states" in selection:
            selection["states"] = ["epoch5", "best"]
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    net = tmp_path / "results/train/digits/d2_w32_bn1_sigmoid"
    snakemake(tmp_path, "--cores", "2", str(net.relative_to(tmp_path) / "selected.json"))
    plan = json.loads((net / "round1/plan.json").read_text())
    coarse = set(pd.read_csv(net / "round0/summary.csv")["learning_rate"])
    assert coarse == set(config["training"]["learning_rates"]) and len(plan["learning_rates"]) >= 1
    assert set(pd.read_csv(net / "round1/summary.csv")["learning_rate"]) == set(plan["learning_rates"])
    stop = json.loads((net / "round2/plan.json").read_text())
    assert stop["learning_rates"] == [] and "rounds" in stop["why"]
    merged = pd.read_csv(net / "summary.csv")
    assert set(merged["learning_rate"]) == coarse | set(plan["learning_rates"])
    selected = json.loads((net / "selected.json").read_text())
    assert len(selected["val_acc_by_learning_rate"]) == len(coarse) + len(plan["learning_rates"])
    best = torch.load(net / "best.pt", weights_only=True)
    assert set(best) == set(merged["run"])  # every run's state, from every round
    assert "Nothing to be done" in snakemake(tmp_path, "-n", str(net.relative_to(tmp_path) / "selected.json"))
