"""The committed MNIST 4x200 reproduction, and both MNIST columns together, score again
from their committed CSVs alone to exactly the committed scorecards (reproduction/rescore.py,
the same code as the workflow's scorecard rule); and a scorecard over several
reproductions refuses a net given twice."""

import subprocess
import sys

from conftest import REPO

FOLDER = REPO / "reproduction/mnist-4x200"
CONFIGS = [str(REPO / "config/paper.yaml"), str(REPO / "config/overrides/reproduce-mnist-4x200.yaml")]


def rescore(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "reproduction/rescore.py"), *args], capture_output=True,
                          text=True, timeout=3600)  # fmt: skip


def test_the_committed_4x200_results_score_to_the_committed_scorecard(tmp_path):
    done = rescore(str(tmp_path), "--part", str(FOLDER), *CONFIGS)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "51 protocol differs" in done.stdout
    for name in ("scorecard.csv", "scorecard_checks.csv", "scorecard.md"):
        assert (tmp_path / "results" / name).read_text() == (FOLDER / "results" / name).read_text(), name


def test_a_network_in_two_parts_is_refused(tmp_path):
    done = rescore(str(tmp_path), "--part", str(FOLDER), *CONFIGS, "--part", str(FOLDER), *CONFIGS)
    assert done.returncode != 0 and "networks in more than one part" in done.stderr
    assert "d4_w200_bn1_sigmoid" in done.stderr and not (tmp_path / "results").exists()


def test_both_committed_mnist_columns_score_to_the_committed_combined_scorecard(tmp_path):
    eight = [str(REPO / "config/paper.yaml"), str(REPO / "config/overrides/reproduce-mnist-8x200.yaml")]
    done = rescore(str(tmp_path), "--part", str(FOLDER), *CONFIGS,
                   "--part", str(REPO / "reproduction/mnist-8x200"), *eight)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "127 protocol differs" in done.stdout
    for name in ("scorecard.csv", "scorecard_checks.csv", "scorecard.md"):
        expected = (REPO / "reproduction/mnist/results" / name).read_text()
        assert (tmp_path / "results" / name).read_text() == expected, name
