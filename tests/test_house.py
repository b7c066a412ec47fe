"""The house rules a reader relies on: no module too long to read in one sitting, and the
formatter left to format (a hand-laid table may keep a `fmt: skip`, at most 10 in all)."""

from conftest import REPO

MAX_LINES = 300
MAX_FMT_SKIPS = 10


def _code_files():
    roots = ["src", "workflow", "reproduction", "benchmarks", "tests"]
    return [p for root in roots for p in (REPO / root).rglob("*") if p.suffix in (".py", ".smk")] + [REPO / "Snakefile"]


def test_no_module_of_the_workflow_or_its_scripts_is_over_300_lines():
    roots = ("src", "workflow", "reproduction", "benchmarks")
    long = {
        str(p.relative_to(REPO)): n
        for p in _code_files()
        if p.relative_to(REPO).parts[0] in roots or p.name == "Snakefile"
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"over {MAX_LINES} lines (split by concern): {long}"


def test_at_most_ten_fmt_skip_markers():
    marked = []
    for path in _code_files():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if line.rstrip().endswith("# fmt: " + "skip"):
                marked.append(f"{path.relative_to(REPO)}:{number}")
    assert len(marked) <= MAX_FMT_SKIPS, f"{len(marked)} markers: {marked}"
