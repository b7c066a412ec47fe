"""What moved in a committed scorecard between a commit and now (or between two folders' scorecards),
number by number and claim by claim, as Markdown for a reproduction's README:

    python reproduction/moved.py reproduction/mnist/results --since HEAD~1
    python reproduction/moved.py reproduction/mnist/results --since 0c98894 --network d4_w200_bn0_relu
    python reproduction/moved.py reproduction/mnist-4x200/refine-bn-uniform/results \
        --against reproduction/mnist-4x200/lr-300/refined/results --network d4_w200_bn1_relu

Reads ``scorecard.csv`` and ``scorecard_checks.csv`` in FOLDER as committed at ``--since``
(``git show``), or as they are in another folder (``--against``: two readings of the same
study numbers side by side), and as they are in the work tree: "before" is the commit or
the other folder, "after" is FOLDER. A number moved when our value, its
standard error or its verdict changed; a claim moved when its verdict changed. Values are
compared to 4 decimal places, so rescoring the same files moves nothing.
"""

from __future__ import annotations

import argparse
import io
import subprocess
from pathlib import Path

import pandas as pd

ROW = ["source", "network", "metric", "layer", "split", "state"]
DECIMALS = 4
SIDES = ("_before", "_after")


def _layer(value) -> str:
    """A layer as text, the same whether pandas read its column as numbers or not."""
    if pd.isna(value):
        return ""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _keyed(card: pd.DataFrame) -> pd.DataFrame:
    return card.assign(layer=card["layer"].map(_layer)).set_index(ROW)


def moved_numbers(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The scorecard rows whose value, SE or verdict differs, one line each with both sides
    (a row in one scorecard only is shown with the other side empty)."""
    old, new = _keyed(before), _keyed(after)
    columns = ["study", "ours", "ours_se", "verdict"]
    both = old[columns].merge(new[columns], "outer", left_index=True, right_index=True, suffixes=SIDES)

    def differs(column: str) -> pd.Series:
        a, b = both[f"{column}_before"], both[f"{column}_after"]
        if column != "verdict":
            a, b = a.round(DECIMALS), b.round(DECIMALS)
        return ~((a == b) | (a.isna() & b.isna()))

    changed = both[differs("ours") | differs("ours_se") | differs("verdict")].reset_index()
    changed["study"] = changed["study_after"].fillna(changed["study_before"])
    columns = ["network", "source", "metric", "layer", "state", "study"]
    columns += ["ours_before", "ours_after", "verdict_before", "verdict_after"]
    return changed[columns].sort_values(["network", "source", "metric", "layer", "state"], ignore_index=True)


def moved_claims(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The claims whose verdict differs: check, verdict before, verdict after."""
    old, new = before.set_index("check")[["verdict"]], after.set_index("check")[["verdict"]]
    both = old.merge(new, "outer", left_index=True, right_index=True, suffixes=SIDES)
    changed = both[both["verdict_before"].fillna("") != both["verdict_after"].fillna("")]
    return changed.reset_index().sort_values("check", ignore_index=True)


def verdict_counts(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """How many rows carry each verdict, before and after."""
    counts = pd.DataFrame({"before": before["verdict"].value_counts(), "after": after["verdict"].value_counts()})
    return counts.fillna(0).astype(int).rename_axis("verdict").reset_index()


def _markdown(frame: pd.DataFrame) -> str:
    def cell(value) -> str:
        if isinstance(value, float):
            return "" if pd.isna(value) else f"{value:.2f}"
        return "" if value is None or value is pd.NA else str(value)

    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def report(numbers: tuple[pd.DataFrame, pd.DataFrame], claims: tuple[pd.DataFrame, pd.DataFrame]) -> str:
    """The Markdown: verdict counts of numbers and claims, then what moved."""
    rows, checks = moved_numbers(*numbers), moved_claims(*claims)
    parts = ["Numbers, by verdict:", "", _markdown(verdict_counts(*numbers)), ""]
    parts += ["Claims, by verdict:", "", _markdown(verdict_counts(*claims)), ""]
    parts += [f"Numbers that moved ({len(rows)}):", "", _markdown(rows) if len(rows) else "(none)", ""]
    parts += [f"Claims that moved ({len(checks)}):", "", _markdown(checks) if len(checks) else "(none)"]
    return "\n".join(parts) + "\n"


def _committed(path: Path, rev: str) -> pd.DataFrame:
    spec = f"{rev}:{path.resolve().relative_to(_toplevel(path))}"
    shown = subprocess.run(["git", "show", spec], capture_output=True, text=True, cwd=path.parent)
    if shown.returncode:
        raise SystemExit(f"cannot read {spec} from git: {shown.stderr.strip()}")
    return pd.read_csv(io.StringIO(shown.stdout))


def _toplevel(path: Path) -> Path:
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, cwd=path.parent)
    return Path(top.stdout.strip()).resolve()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder holding scorecard.csv and scorecard_checks.csv")
    side = parser.add_mutually_exclusive_group(required=True)
    side.add_argument("--since", help="the commit to compare with (anything git show takes)")
    side.add_argument("--against", type=Path, help="another folder whose scorecard is the 'before' side")
    parser.add_argument("--network", nargs="*", default=[], help="only these networks' numbers")
    args = parser.parse_args()
    names = ("scorecard.csv", "scorecard_checks.csv")
    if args.since is not None:
        before = [_committed(args.folder / name, args.since) for name in names]
    else:
        missing = [str(args.against / name) for name in names if not (args.against / name).is_file()]
        if missing:
            raise SystemExit(f"no scorecard to compare with: {', '.join(missing)} missing")
        before = [pd.read_csv(args.against / name) for name in names]
    numbers = (before[0], pd.read_csv(args.folder / names[0]))
    if args.network:
        numbers = tuple(frame[frame["network"].isin(args.network)] for frame in numbers)
    print(report(numbers, (before[1], pd.read_csv(args.folder / names[1]))), end="")


if __name__ == "__main__":
    main()
