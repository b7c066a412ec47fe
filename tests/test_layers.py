"""The package follows the DAG: each stage imports only the stages below it."""

import ast

from conftest import REPO

SRC = REPO / "src/actstudy"
STAGES = ["core", "data", "training", "extraction", "metrics", "analysis", "study", "figures"]
TOP = len(STAGES)  # the workflow-wide modules directly in actstudy/


def stage_of(module: str) -> int:
    """``actstudy.training.models`` -> the index of ``training``; a module directly in
    ``actstudy`` is above every stage."""
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else TOP


def imports(path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("actstudy")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("actstudy"):
            package = node.module
            found |= {f"{package}.{alias.name}" if package == "actstudy" else package for alias in node.names}
    return found


def test_no_stage_imports_a_higher_one():
    problems = []
    for path in SRC.rglob("*.py"):
        module = "actstudy." + ".".join(path.relative_to(SRC).with_suffix("").parts)
        for imported in imports(path):
            if stage_of(imported) > stage_of(module):
                problems.append(f"{module} imports {imported}")
    assert not problems, problems


def test_every_module_lives_in_a_stage_or_serves_the_whole_workflow():
    loose = sorted(p.stem for p in SRC.glob("*.py") if p.stem != "__init__")
    assert loose == ["bundle", "restore", "validation"]
    assert {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(STAGES)
    for stage in STAGES:
        assert ast.get_docstring(ast.parse((SRC / stage / "__init__.py").read_text())), stage


def test_the_check_catches_an_upward_import():
    assert stage_of("actstudy.figures.draw") > stage_of("actstudy.core.config")
    assert stage_of("actstudy.bundle") == TOP and stage_of("actstudy.metrics.kde") == STAGES.index("metrics")
