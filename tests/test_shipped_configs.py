"""Every config file the project ships (config/, config/overrides/, reproduction/) is
valid and plans, layered as its own header says it is used: a new target or a schema
change that breaks one of them fails here, not in a user's run."""

import re
from pathlib import Path

import pytest
import yaml
from conftest import REPO, snakemake
from snakemake.utils import update_config

from actstudy.validation import load_schema, validate

SCHEMA = load_schema(REPO / "workflow/schemas/config.schema.yaml")
SHIPPED = sorted(
    [*REPO.glob("config/*.yaml"), *REPO.glob("config/overrides/*.yaml"), *REPO.glob("reproduction/**/*.yaml")]
)
# Files whose header names no config file to layer them on: how they are used.
LAYERED_ON = {
    "reproduction/no-refine.yaml": [
        "config/paper.yaml",
        "config/overrides/reproduce-mnist-4x200.yaml",
        "reproduction/mnist-4x200/refine-bn.yaml",
    ],
}


def layers(path: Path) -> list[str]:
    """The config files, in order, a shipped file is used with (itself last): the
    ``--configfile`` list of the command in its header, else the files its header names."""
    relative = str(path.relative_to(REPO))
    header = "\n".join(line[1:] for line in path.read_text().splitlines() if line.startswith("#"))
    header = header.replace("\\\n", " ")
    command = re.search(r"--configfile((?:\s+[\w./-]+\.yaml)+)", header)
    named = command.group(1).split() if command else re.findall(r"(?:config|reproduction)/[\w./-]+\.yaml", header)
    named = LAYERED_ON.get(relative, named)
    return [*(n for n in dict.fromkeys(named) if n != relative), relative]


def merged(files: list[str]) -> dict:
    """config.yaml with ``files`` merged on top, as Snakemake merges ``--configfile``s."""
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    for name in files:
        update_config(config, yaml.safe_load((REPO / name).read_text()))
    return config


def test_every_shipped_config_is_found_with_its_layers():
    assert len(SHIPPED) >= 15
    assert layers(REPO / "reproduction/mnist-8x200/refine-bn.yaml") == [
        "config/paper.yaml",
        "config/overrides/reproduce-mnist-8x200.yaml",
        "reproduction/mnist-8x200/refine-bn.yaml",
    ]
    assert layers(REPO / "config/overrides/width-200.yaml")[0] == "config/paper.yaml"
    for path in SHIPPED:
        assert all((REPO / name).exists() for name in layers(path)), layers(path)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(REPO)))
def test_every_shipped_config_is_valid_as_it_is_used(path):
    validate(merged(layers(path)), SCHEMA)


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(REPO)))
def test_every_shipped_config_plans(path, tmp_path):
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(merged(layers(path))))
    output = snakemake(tmp_path, "-n", "--quiet", "rules")
    assert "total" in output, output[-2000:]
