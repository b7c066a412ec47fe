"""docs/development.md's "Add a figure", followed literally in a copy of the repository for
one new kind of each family of figures (static, training, node, comparison): each new
figure builds on the default's results and shows something (a PNG that is not blank, a
comparison's CSV with rows), and every shipped config still validates with the new
targets in the catalog."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from test_shipped_configs import SHIPPED, layers

pytestmark = [pytest.mark.slow, pytest.mark.pipeline]

# Step 1 of each: the kind's line in FIGURE_KINDS and the target's line in TARGETS.
KINDS = {
    "static": '    "sine_shape": Kind("static", "figures.training.sine_shape"),\n',
    "training": '    "final_accuracy": Kind("training", "figures.training.final_accuracy"),\n',
    "node": (
        '    "dead_bars": Kind("node", "figures.nodes.dead_bars", (("nodes", "nodes", None),), '
        'schema="node_networks"),\n'
    ),
    "comparison": (
        '    "mean_sparsity": Kind("comparison", "figures.comparisons.mean_sparsity", needs=("layers",), '
        'numbers="figures.comparison_numbers.mean_sparsity_rows"),\n'
    ),
}
TARGET_ROWS = {
    "static": '    ("figX_sine", "sine_shape", None, "A sine wave: a static figure."),\n',
    "training": '    ("figX_final", "final_accuracy", None, "Last-epoch validation accuracy per network."),\n',
    "node": '    ("figX_dead", "dead_bars", None, "Dead nodes per layer of each network, as bars."),\n',
    "comparison": '    ("cmp_meansparsity", "mean_sparsity", None, "Mean layer sparsity per network."),\n',
}
NEW = {"static": "figX_sine", "training": "figX_final", "node": "figX_dead", "comparison": "cmp_meansparsity"}
# Step 2: each renderer in the module its kind names (and a comparison's numbers).
CODE = {
    "src/actstudy/figures/training.py": """

def sine_shape() -> Figure:
    fig, axes = new_figure(1, 1, width=4, height=3)
    z = np.linspace(-6, 6, 200)
    axes[0][0].plot(z, np.sin(z))
    return fig


def final_accuracy(results: list[ArchResults]) -> Figure:
    fig, axes = new_figure(1, 1, width=5, height=3)
    last = [r.selected_history().groupby("epoch")["val_acc"].mean().iloc[-1] * 100 for r in results]
    axes[0][0].bar(range(len(results)), last, tick_label=[r.arch.name for r in results])
    return fig
""",
    "src/actstudy/figures/nodes.py": """

def dead_bars(items: list[NodeInputs]) -> Figure:
    fig, axes = new_figure(1, 1, 6, 3)
    for i, item in enumerate(items):
        dead = read_table(item.files["nodes"], "nodes").groupby("layer")["dead"].mean() * 100
        axes[0][0].bar(dead.index + 0.8 * i / len(items), dead.to_numpy(), width=0.8 / len(items), label=item.title)
    return fig
""",
    "src/actstudy/figures/comparison_numbers.py": """

def mean_sparsity_rows(arch: Architecture, item: dict) -> list[dict]:
    layers = _per_seed(item["layers"], "layers")
    return [_row(arch, "mean_sparsity", pd.NA, layers.groupby("seed")["sparsity"].mean())]
""",
    "src/actstudy/figures/comparisons.py": """

def mean_sparsity(table: pd.DataFrame) -> Figure:
    fig, axes = new_figure(1, 1, width=5, height=3)
    axes[0][0].bar(range(len(table)), table["mean"], yerr=table["se"], tick_label=table["network"])
    return fig
""",
}


def add_the_figures(copy: Path) -> None:
    catalog = copy / "src/actstudy/figures/catalog.py"
    text = catalog.read_text()
    kinds_at, targets_at = '    "heatmap": Kind(', '    ("cmp_accuracy", "accuracy", None,'
    assert kinds_at in text and targets_at in text
    text = text.replace(kinds_at, "".join(KINDS.values()) + kinds_at)
    catalog.write_text(text.replace(targets_at, "".join(TARGET_ROWS.values()) + targets_at))
    for module, code in CODE.items():
        (copy / module).write_text((copy / module).read_text() + code)
    # Steps 3 and 4: the networks of each figure with data, in every shipped config that
    # lists figures: the default, the study, and each override that trains other networks.
    for path in [copy / "config.yaml", *(copy / p.relative_to(REPO) for p in SHIPPED)]:
        own = yaml.safe_load(path.read_text()) or {}
        if "figures" not in own:
            continue
        entry = trained_net(copy, path)
        lines = "".join(f"  {NEW[f]}: {json.dumps(entry)}\n" for f in ("training", "node", "comparison"))
        path.write_text(path.read_text().replace("\nfigures:\n", "\nfigures:\n" + lines, 1))


def trained_net(copy: Path, path: Path) -> dict:
    """One network the config ``path`` (with the layers it is used with) trains, as a figure's entry."""
    from snakemake.utils import update_config

    config = yaml.safe_load((copy / "config.yaml").read_text())
    relative = path.relative_to(copy).as_posix()
    for name in layers(REPO / relative) if relative != "config.yaml" else []:
        update_config(config, yaml.safe_load((copy / name).read_text()))
    block = config["architectures"][0]
    first = {k: (v[0] if isinstance(v, list) else v) for k, v in block.items() if k not in ("learning_rates", "seeds")}
    return {"batch_norm": False, **first}


@pytest.fixture(scope="module")
def copy(tmp_path_factory, pipeline_workdir):
    copy = tmp_path_factory.mktemp("add_a_figure")
    for part in ("Snakefile", "config.yaml", "config", "workflow", "src", "envs"):
        source = REPO / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, copy / part)
    for path in REPO.glob("reproduction/**/*.yaml"):  # the shipped configs, not the results
        (copy / path.relative_to(REPO)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, copy / path.relative_to(REPO))
    add_the_figures(copy)
    shutil.copytree(pipeline_workdir / "results", copy / "results")  # the default's results, mtimes kept
    return copy


def test_a_new_figure_of_each_family_builds_and_shows_something(copy):
    import matplotlib.image as mpimg
    import pandas as pd

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--snakefile",
            str(copy / "Snakefile"),
            "--directory",
            str(copy),
            "--cores",
            "2",
            *NEW.values(),
        ],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    for name in NEW.values():
        pixels = mpimg.imread(copy / f"results/figures/{name}.png")
        assert pixels[..., :3].std() > 0.01, f"{name}.png is blank"
        assert (copy / f"results/figures/{name}.pdf").stat().st_size > 1000
    numbers = pd.read_csv(copy / "results/figures/cmp_meansparsity.csv")
    assert len(numbers) > 0 and numbers["mean"].notna().all()


def test_every_shipped_config_still_validates_with_the_new_targets(copy):
    script = (
        "import sys, yaml\n"
        "from snakemake.utils import update_config\n"
        "from actstudy.validation import load_schema, validate\n"
        "schema = load_schema('workflow/schemas/config.schema.yaml')\n"
        "for line in sys.stdin.read().splitlines():\n"
        "    config = yaml.safe_load(open('config.yaml'))\n"
        "    for name in line.split():\n"
        "        update_config(config, yaml.safe_load(open(name)))\n"
        "    validate(config, schema)\n"
    )
    stacks = "\n".join(" ".join(layers(p)) for p in SHIPPED)
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=stacks,
        cwd=copy,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(copy / "src"), "PATH": "/usr/bin:/bin"},
        timeout=3600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
