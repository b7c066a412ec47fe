"""The catalog of figure kinds and targets: every kind complete, unknown names named, and
docs/development.md's "Add a figure" followed step by step in a copy of the repository."""

import filecmp
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from actstudy.figures.catalog import FIGURE_KINDS, TARGETS, Kind, _catalog, kind_of, renderer
from actstudy.figures.plan import PLANNERS, SCRIPTS

ARTEFACTS = {"z_train", "class_nodes", "nodes", "classifiers"}


def test_every_kind_has_a_renderer_its_files_its_schema_and_a_script():
    schema = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
    for name, kind in FIGURE_KINDS.items():
        assert callable(renderer(name)), name
        assert kind.family in PLANNERS and (REPO / "workflow/scripts" / SCRIPTS[kind.family]).is_file(), name
        assert kind.schema in schema["$defs"], name
        if kind.family in ("node", "classifier"):
            assert kind.reads and {artefact for _, artefact, _ in kind.reads} <= ARTEFACTS, name
        if kind.family == "comparison":
            assert kind.needs and set(kind.needs) <= {"train", "layers", "classifiers"}, name
    assert {t.kind for t in TARGETS.values()} == set(FIGURE_KINDS)  # no kind without a target


def test_a_target_of_no_known_kind_or_an_unknown_name_is_named():
    with pytest.raises(ValueError, match=r"figX_dead \('dead_bars'\).*the kinds: activation_shapes"):
        _catalog([("figX_dead", "dead_bars", None)])
    with pytest.raises(KeyError, match="'fig9_9' is not a figure or table of the catalog"):
        kind_of("fig9_9")


def test_study_labels_are_explicit_and_beyond_the_study_is_none():
    assert TARGETS["figA_3"].study == "Figure A.3" and TARGETS["table5_2"].study == "Table 5.2"
    assert TARGETS["cmp_dead"].study is None and TARGETS["cmp_dead"].chapter.startswith("7. Beyond the study")
    assert isinstance(FIGURE_KINDS["activity"], Kind) and TARGETS["fig5_1"].family == "node"


RENDERER = '''

def dead_bars(items: list[NodeInputs]) -> Figure:
    """Dead nodes per layer (%), one group of bars per network."""
    fig, axes = new_figure(1, 1, 6, 3)
    for i, item in enumerate(items):
        dead = read_table(item.files["nodes"], "nodes").groupby("layer")["dead"].mean() * 100
        axes[0][0].bar(dead.index + 0.8 * i / len(items), dead.to_numpy(), width=0.8 / len(items), label=item.title)
    axes[0][0].set(xlabel="layer", ylabel="dead nodes (%)")
    return fig
'''


def add_a_figure(copy: Path) -> None:
    """docs/development.md's "Add a figure", step by step: a bar chart of dead nodes per layer."""
    catalog = copy / "src/actstudy/figures/catalog.py"
    text = catalog.read_text()
    kinds, targets = '    "heatmap": Kind(', '    ("cmp_accuracy", "accuracy", None,'
    assert kinds in text and targets in text
    text = text.replace(
        kinds,
        '    "dead_bars": Kind("node", "figures.nodes.dead_bars", (("nodes", "nodes", None),), '
        'schema="node_networks"),\n' + kinds,
    )
    row = '    ("figX_dead", "dead_bars", None,\n     "Dead nodes per layer of each network, as bars."),\n'
    catalog.write_text(text.replace(targets, row + targets))
    nodes = copy / "src/actstudy/figures/nodes.py"
    nodes.write_text(nodes.read_text() + RENDERER)
    for config, net in (
        ("config.yaml", "digits, depth: 2, width: 32"),
        ("config/paper.yaml", "mnist, depth: 4, width: 200"),
    ):
        path = copy / config
        path.write_text(
            path.read_text().replace(
                "\nfigures:\n", f"\nfigures:\n  figX_dead: {{dataset: {net}, batch_norm: false, activation: relu}}\n", 1
            )
        )


def changed_files(original: Path, copy: Path) -> list[str]:
    changed = []
    for path in sorted(copy.rglob("*")):
        relative = path.relative_to(copy)
        if path.is_file() and "__pycache__" not in relative.parts:
            if not (original / relative).exists() or not filecmp.cmp(original / relative, path, shallow=False):
                changed.append(relative.as_posix())
    return sorted(changed)


def test_adding_a_figure_as_the_readme_says_touches_four_files_and_plans_it(tmp_path):
    copy = tmp_path / "repo"
    copy.mkdir()
    for part in ("Snakefile", "config.yaml", "config", "workflow", "src"):
        source = REPO / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, copy / part)
    add_a_figure(copy)
    assert changed_files(REPO, copy) == [
        "config.yaml",
        "config/paper.yaml",
        "src/actstudy/figures/catalog.py",
        "src/actstudy/figures/nodes.py",
    ]
    for configs in ([], ["--configfile", str(copy / "config/paper.yaml")]):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "snakemake",
                "--snakefile",
                str(copy / "Snakefile"),
                "--directory",
                str(copy),
                "-n",
                "figX_dead",
                *configs,
            ],
            capture_output=True,
            text=True,
            timeout=3600,
        )
        output = done.stdout + done.stderr
        assert done.returncode == 0, output[-3000:]
        assert "rule figX_dead:" in output and re.search(r"rule node_metrics_\w+:", output), output[-3000:]
        assert "results/figures/figX_dead.png" in output
