"""Job start-up: a rule's script imports torch only when the job needs it. Importing
torch costs 1.5-3.5 s per job on the machines we have seen (more than most figure
jobs' work), so every other script must start without it."""

import ast
import json
import subprocess
import sys

import pytest
from conftest import REPO

SCRIPTS = sorted((REPO / "workflow/scripts").glob("*.py"))
# Jobs that compute with torch: training and extraction (per state, or per network) run a
# network; merge_rounds reads and writes saved states (torch files). Everything else (the
# layer classifiers, node metrics, selection, figures, tables, the scorecard) is NumPy,
# pandas and matplotlib.
TORCH = {"train", "extract_net", "merge_rounds"}


def imported_modules(path) -> list[str]:
    tree = ast.parse(path.read_text())
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_a_script_imports_torch_only_when_its_job_needs_it(script):
    code = (
        f"import importlib, json, sys\nfor m in {imported_modules(script)!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted(m for m in ('torch', 'matplotlib') if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, done.stderr[-2000:]
    heavy = json.loads(done.stdout.strip().splitlines()[-1])
    assert ("torch" in heavy) == (script.stem in TORCH), (script.stem, heavy)


def test_no_figure_imports_torch_even_inside_a_function():
    """Figure, table and scorecard jobs run no network: every module the figures package
    imports, at its top or inside a function (renderers import at draw time), is imported
    in a fresh interpreter, and torch is not among what it loads."""
    modules = sorted(
        {
            m
            for path in (REPO / "src/actstudy/figures").glob("*.py")
            for m in imported_modules(path)
            if m.startswith(("actstudy", "torch", "matplotlib", "pandas", "numpy", "scipy", "sklearn"))
        }
    )
    code = f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\nprint('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "False", modules
