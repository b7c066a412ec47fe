"""The committed MNIST 4x200 reproduction, its refined batch-norm nets, its searched nets
without batch norm, its searched batch-norm nets with γ ~ U(0, 1), and both MNIST columns
together (the searched nets in place of the first run's) score again from their committed
CSVs alone to exactly the committed scorecards (reproduction/rescore.py, the same code as
the workflow's scorecard rule); and a scorecard over several reproductions refuses a net
given twice unless a part is given to replace it."""

import subprocess
import sys
from pathlib import Path

from conftest import REPO

FOLDER = REPO / "reproduction/mnist-4x200"
CONFIGS = [str(REPO / "config/paper.yaml"), str(REPO / "config/overrides/reproduce-mnist-4x200.yaml")]
REFINED = REPO / "reproduction/mnist-4x200/lr-300/refined"
REFINED_CONFIGS = [*CONFIGS, str(REPO / "reproduction/mnist-4x200/refine-bn.yaml")]
SEARCHED = REPO / "reproduction/mnist-4x200/refine-nobn"  # issue 34, part 1
SEARCHED_CONFIGS = [*CONFIGS, str(REPO / "reproduction/mnist-4x200/refine-nobn.yaml")]
UNIFORM = REPO / "reproduction/mnist-4x200/refine-bn-uniform"  # issue 34, part 2: γ ~ U(0, 1)
UNIFORM_CONFIGS = [*CONFIGS, str(REPO / "reproduction/mnist-4x200/refine-bn-uniform.yaml")]


def rescore(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "reproduction/rescore.py"), *args], capture_output=True, text=True, timeout=3600
    )


def assert_scores_to(done: subprocess.CompletedProcess, summary: str, written: Path, committed: Path) -> None:
    """The rescore ran, printed ``summary`` and wrote the committed scorecard's bytes."""
    assert done.returncode == 0, done.stderr[-3000:]
    assert summary in done.stdout
    for name in ("scorecard.csv", "scorecard_checks.csv", "scorecard.md"):
        assert (written / "results" / name).read_text() == (committed / "results" / name).read_text(), name


def test_the_committed_4x200_results_score_to_the_committed_scorecard(tmp_path):
    done = rescore(str(tmp_path), "--part", str(FOLDER), *CONFIGS)
    assert_scores_to(done, "51 protocol differs", tmp_path, FOLDER)


def test_the_refined_batch_norm_nets_score_to_their_run_s_own_scorecard(tmp_path):
    done = rescore(str(tmp_path), "--part", str(REFINED), *REFINED_CONFIGS)
    assert_scores_to(done, "11 agree, 13 disagree, 0 partly run, 0 protocol differs", tmp_path, REFINED)


def test_the_searched_nets_without_batch_norm_score_to_their_run_s_own_scorecard(tmp_path):
    done = rescore(str(tmp_path), "--part", str(SEARCHED), *SEARCHED_CONFIGS)
    assert_scores_to(done, "13 agree, 14 disagree, 0 partly run, 0 protocol differs", tmp_path, SEARCHED)


def test_the_searched_batch_norm_nets_with_uniform_gamma_score_to_their_run_s_own_scorecard(tmp_path):
    done = rescore(str(tmp_path), "--part", str(UNIFORM), *UNIFORM_CONFIGS)
    assert_scores_to(done, "14 agree, 10 disagree, 0 partly run, 0 protocol differs", tmp_path, UNIFORM)


def test_the_committed_8x200_results_score_to_their_committed_scorecard(tmp_path):
    eight = [str(REPO / "config/paper.yaml"), str(REPO / "config/overrides/reproduce-mnist-8x200.yaml")]
    done = rescore(str(tmp_path), "--part", str(REPO / "reproduction/mnist-8x200"), *eight)
    assert_scores_to(done, "76 protocol differs", tmp_path, REPO / "reproduction/mnist-8x200")


def test_a_network_in_two_parts_is_refused(tmp_path):
    done = rescore(str(tmp_path), "--part", str(FOLDER), *CONFIGS, "--part", str(FOLDER), *CONFIGS)
    assert done.returncode != 0 and "networks in more than one part" in done.stderr
    assert "d4_w200_bn1_sigmoid" in done.stderr and not (tmp_path / "results").exists()


def test_both_committed_mnist_columns_score_to_the_committed_combined_scorecard(tmp_path):
    eight = [str(REPO / "config/paper.yaml"), str(REPO / "config/overrides/reproduce-mnist-8x200.yaml")]
    done = rescore(
        str(tmp_path),
        "--part",
        str(FOLDER),
        *CONFIGS,
        "--replace",
        str(REFINED),
        *REFINED_CONFIGS,
        "--replace",
        str(SEARCHED),
        *SEARCHED_CONFIGS,
        "--part",
        str(REPO / "reproduction/mnist-8x200"),
        *eight,
    )
    # the 51 numbers of the four searched 4x200 nets get verdicts; the 76 of 8x200 still say protocol differs
    assert_scores_to(
        done, "24 agree, 27 disagree, 0 partly run, 76 protocol differs", tmp_path, REPO / "reproduction/mnist"
    )


def test_a_replacing_part_needs_a_part_before_it(tmp_path):
    done = rescore(str(tmp_path), "--replace", str(REFINED), *REFINED_CONFIGS)
    assert done.returncode != 0 and "--replace needs a --part before it" in done.stderr
    assert not (tmp_path / "results").exists()
