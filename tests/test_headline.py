"""Pages written from committed files: the reproduction READMEs' headlines from their
scorecards (actstudy.study.headline, reproduction/headlines.py), the batch-norm rows page
and the core-hours table; the committed ones are not stale."""

import subprocess
import sys

import pandas as pd
from conftest import REPO

from actstudy.study.headline import headline, rewrite


def _scorecard(folder):
    folder.mkdir(parents=True)
    pd.DataFrame({"verdict": ["agree", "agree", "disagree", "partly run", "not run"]}).to_csv(
        folder / "scorecard.csv", index=False
    )
    pd.DataFrame(
        {"check": ["b_claim", "a_claim", "c_claim", "d_claim"], "verdict": ["holds", "holds", "partly run", "not run"]}
    ).to_csv(folder / "scorecard_checks.csv", index=False)


def test_the_headline_counts_the_numbers_and_names_the_claims_by_verdict(tmp_path):
    _scorecard(tmp_path / "results")
    readme = tmp_path / "README.md"
    readme.write_text(
        "# A run\n\nIntro.\n\n<!-- scorecard-headline: results -->\nold text\n<!-- /scorecard-headline -->\n\n"
        "<!-- scorecard-headline: results counts -->\n<!-- /scorecard-headline -->\nEnd.\n"
    )
    text, stale = rewrite(readme)
    assert stale == ["results", "results"]
    assert "4 of the study's 5 numbers computed (2 agree, 1 disagree, 1 partly run)" in text
    assert (
        "- holds: 2 (`a_claim`, `b_claim`)\n- partly run: 1 (`c_claim`)\n- not run: 1 (the claims table says why)"
        in text
    )
    assert "of its 4 claims: 2 holds, 0 fails, 1 partly run, 1 not run.\n<!-- /scorecard-headline -->\nEnd." in text
    readme.write_text(text)
    assert rewrite(readme) == (text, [])  # written: nothing stale


def test_no_claim_is_listed_under_a_verdict_it_does_not_have():
    scores = pd.DataFrame({"verdict": ["not run"]})
    claims = pd.DataFrame({"check": ["x"], "verdict": ["fails"]})
    text = headline(scores, claims, "results")
    assert "0 of the study's 1 numbers computed (none)" in text and text.endswith("- fails: 1 (`x`)\n")


def test_the_committed_readmes_headlines_are_those_their_scorecards_give():
    done = subprocess.run(
        [sys.executable, str(REPO / "reproduction/headlines.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    readmes = [REPO / "README.md", *(REPO / "reproduction").rglob("README.md")]
    assert sum(p.read_text().count("<!-- scorecard-headline:") for p in readmes) >= 4


def test_the_committed_batch_norm_rows_page_is_the_one_its_script_writes():
    done = subprocess.run(
        [sys.executable, str(REPO / "reproduction/bn_rows.py")], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == (REPO / "reproduction/mnist-4x200/bn-rows.md").read_text()
    assert "0.00 ± 0.00 (lr 0.001)" in done.stdout and "(lr 0.01)" in done.stdout  # screen cells name their rate


def test_the_committed_core_hours_page_is_the_one_its_script_writes():
    done = subprocess.run(
        [sys.executable, str(REPO / "reproduction/core_hours.py")], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == (REPO / "reproduction/core-hours.md").read_text()
    assert "| `reproduction/mnist-4x200/lr-300` | mnist d4_w200_bn1_relu | 1 | 6 | 300 (300) |" in done.stdout
