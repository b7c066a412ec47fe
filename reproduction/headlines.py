"""Write each reproduction README's headline from its folder's scorecard
(actstudy.study.headline says how a README marks one):

    python reproduction/headlines.py           # rewrite every stale headline
    python reproduction/headlines.py --check   # only list them; exit 1 if any

Reads README.md and reproduction/**/README.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from actstudy.study.headline import BLOCK, rewrite

REPO = Path(__file__).resolve().parents[1]


def readmes() -> list[Path]:
    """Every README that holds a headline block."""
    found = [REPO / "README.md", *sorted((REPO / "reproduction").rglob("README.md"))]
    return [path for path in found if BLOCK.search(path.read_text())]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list the stale headlines, write nothing")
    args = parser.parse_args()
    stale = []
    for path in readmes():
        text, changed = rewrite(path)
        stale += [f"{path.relative_to(REPO)}: {folder}" for folder in changed]
        if changed and not args.check:
            path.write_text(text)
    for line in stale:
        print(("stale: " if args.check else "rewrote: ") + line)
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
