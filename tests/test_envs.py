"""The conda environments the rules name list every third-party module their scripts
import, directly or through the package (``--software-deployment-method conda`` would
otherwise fail on a cluster node, where nothing else is installed)."""

import ast
import re
import sys
from pathlib import Path

import yaml
from conftest import REPO

from actstudy.figures.families import FAMILIES

SRC = REPO / "src"
# import name -> conda-forge package, where they differ (torch: either of the two builds)
PACKAGES = {
    "torch": ("pytorch", "pytorch-gpu"),
    "sklearn": ("scikit-learn",),
    "yaml": ("pyyaml",),
    "matplotlib": ("matplotlib-base", "matplotlib"),
}
# Imported only where these packages are not what a rule runs: the package's command-line
# tools and tests of its own (snakemake itself runs the rules; the browser is a test's).
NOT_IN_JOBS = {"snakemake", "selenium"}


def _modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of its code (lazy imports too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)  # and each name, which may be a submodule
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _source(module: str) -> Path | None:
    parts = module.split(".")
    for candidate in (SRC.joinpath(*parts).with_suffix(".py"), SRC.joinpath(*parts, "__init__.py")):
        if candidate.exists():
            return candidate
    return None


def third_party(script: Path) -> set[str]:
    """The top-level third-party modules a script needs, following its ``actstudy`` imports."""
    seen, todo, needed = set(), [script], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for module in _modules(path):
            top = module.split(".")[0]
            if top == "actstudy":
                todo += [p for p in (_source(module), _source(module.rsplit(".", 1)[0])) if p]
            elif top not in sys.stdlib_module_names and top != "__future__":
                needed.add(top)
    return needed - NOT_IN_JOBS


def rule_scripts() -> dict[str, set[Path]]:
    """Per conda env file the rules name, the scripts of those rules."""
    scripts = REPO / "workflow/scripts"
    out: dict[str, set[Path]] = {}
    for smk in (REPO / "workflow/rules").glob("*.smk"):
        text = smk.read_text()
        for env, script in re.findall(
            r'conda:\s*\n\s*"\.\./\.\./envs/([\w.]+)".*?script:\s*\n(?:\s*#.*\n)?\s*"\.\./scripts/([^"]+)"',
            text,
            re.DOTALL,
        ):
            paths = {scripts / family.script for family in FAMILIES.values()} if "{" in script else {scripts / script}
            out.setdefault(env, set()).update(paths)
    return out


def test_every_rule_with_a_script_names_an_env_and_every_env_exists():
    envs = rule_scripts()
    assert set(envs) == {"cpu.yaml", "cuda.yaml"}, envs
    covered = set().union(*envs.values())
    assert covered == set((REPO / "workflow/scripts").glob("*.py")), (
        set((REPO / "workflow/scripts").glob("*.py")) ^ covered
    )


def test_each_env_lists_every_third_party_module_its_rules_scripts_import():
    missing = {}
    for env, scripts in rule_scripts().items():
        spec = yaml.safe_load((REPO / "envs" / env).read_text())
        listed = {re.split(r"[ <>=]", dep)[0] for dep in spec["dependencies"] if isinstance(dep, str)}
        for module in sorted(set().union(*(third_party(s) for s in scripts))):
            if not set(PACKAGES.get(module, (module,))) & listed:
                missing.setdefault(env, []).append(module)
    assert not missing, missing


def test_the_import_walk_follows_the_package_and_lazy_imports(tmp_path):
    script = tmp_path / "job.py"
    script.write_text("import json\nfrom actstudy.metrics import activity\n\ndef f():\n    import pyarrow\n")
    needed = third_party(script)
    assert "pyarrow" in needed and "numpy" in needed and "json" not in needed  # numpy: via actstudy.metrics
