"""reproduction/moved.py: what moved in a committed scorecard between a commit and the work
tree, on a hand-made scorecard in a scratch git repository."""

import subprocess
import sys

import pandas as pd
from conftest import REPO

COLUMNS = ["source", "network", "metric", "layer", "split", "state", "study", "ours", "ours_se", "verdict"]


def _card(rows):
    return pd.DataFrame(rows, columns=COLUMNS)


BEFORE = _card(
    [
        ["Table 5.1", "net_a", "dead_pct", None, "train", "best", 2.0, 5.0, 0.5, "protocol differs"],
        ["Table 5.2", "net_a", "sparsity", 1, "train", "best", 60.0, 61.0, 0.2, "protocol differs"],
        ["Table 5.2", "net_b", "sparsity", 1, "train", "best", 40.0, 41.0, 0.2, "agree"],
    ]
)
AFTER = _card(
    [
        ["Table 5.1", "net_a", "dead_pct", None, "train", "best", 2.0, 2.5, 0.3, "agree"],
        # the same value up to float noise, and a new verdict
        ["Table 5.2", "net_a", "sparsity", 1, "train", "best", 60.0, 61.0 + 1e-9, 0.2, "disagree"],
        ["Table 5.2", "net_b", "sparsity", 1, "train", "best", 40.0, 41.0 + 1e-9, 0.2, "agree"],
    ]
)
CHECKS_BEFORE = pd.DataFrame({"check": ["claim_x", "claim_y"], "verdict": ["partly run", "holds"]})
CHECKS_AFTER = pd.DataFrame({"check": ["claim_x", "claim_y"], "verdict": ["fails", "holds"]})


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _moved(tmp_path, *options):
    results = tmp_path / "results"
    results.mkdir()
    _git(tmp_path, "init", "-q")
    BEFORE.to_csv(results / "scorecard.csv", index=False)
    CHECKS_BEFORE.to_csv(results / "scorecard_checks.csv", index=False)
    _git(tmp_path, "add", ".")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "before")
    AFTER.to_csv(results / "scorecard.csv", index=False)
    CHECKS_AFTER.to_csv(results / "scorecard_checks.csv", index=False)
    command = [sys.executable, REPO / "reproduction/moved.py", results, "--since", "HEAD", *options]
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_moved_lists_the_numbers_and_claims_that_changed_and_nothing_else(tmp_path):
    out = _moved(tmp_path)
    assert "Numbers that moved (2):" in out
    assert "| net_a | Table 5.1 | dead_pct |  | best | 2.00 | 5.00 | 2.50 | protocol differs | agree |" in out
    assert "| net_a | Table 5.2 | sparsity | 1 | best | 60.00 | 61.00 | 61.00 | protocol differs | disagree |" in out
    assert "net_b" not in out  # float noise alone moves nothing
    assert "Claims that moved (1):" in out and "| claim_x | partly run | fails |" in out
    assert "| protocol differs | 2 | 0 |" in out and "| agree | 1 | 2 |" in out


def test_moved_keeps_only_the_networks_asked_for(tmp_path):
    out = _moved(tmp_path, "--network", "net_b")
    assert "Numbers that moved (0):" in out and "(none)" in out
    assert "| agree | 1 | 1 |" in out


def test_moved_compares_two_folders_scorecards_with_against(tmp_path):
    before, after = tmp_path / "gamma_one", tmp_path / "gamma_uniform"
    for folder, card, checks in [(before, BEFORE, CHECKS_BEFORE), (after, AFTER, CHECKS_AFTER)]:
        folder.mkdir()
        card.to_csv(folder / "scorecard.csv", index=False)
        checks.to_csv(folder / "scorecard_checks.csv", index=False)
    command = [sys.executable, REPO / "reproduction/moved.py", after, "--against", before, "--network", "net_a"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, done.stderr
    assert "Numbers that moved (2):" in done.stdout
    assert "| net_a | Table 5.1 | dead_pct |  | best | 2.00 | 5.00 | 2.50 | protocol differs | agree |" in done.stdout
    assert "| claim_x | partly run | fails |" in done.stdout


def test_moved_wants_exactly_one_of_since_and_against(tmp_path):
    command = [sys.executable, REPO / "reproduction/moved.py", tmp_path]
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    assert done.returncode != 0 and "--since" in done.stderr and "--against" in done.stderr


def test_moved_names_a_missing_against_scorecard(tmp_path):
    command = [sys.executable, REPO / "reproduction/moved.py", tmp_path, "--against", tmp_path / "nowhere"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    assert done.returncode != 0 and "no scorecard to compare with" in done.stderr
    assert str(tmp_path / "nowhere" / "scorecard.csv") in done.stderr and "Traceback" not in done.stderr
