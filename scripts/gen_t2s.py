"""Generate search/data/t2s.tsv: a one-to-one traditional→simplified character map.

Source: OpenCC's TSCharacters.txt (Apache-2.0), as shipped by the PyPI package
opencc-python-reimplemented.  Only single-character mappings are kept and only the first
candidate of each entry, so that normalisation never changes the length of a text and
offsets stay one-to-one.

Usage: python scripts/gen_t2s.py PATH/TO/TSCharacters.txt > search/data/t2s.tsv
"""

from __future__ import annotations

import sys


def main(path: str) -> None:
    print("# traditional\tsimplified — from OpenCC TSCharacters.txt (Apache-2.0), first candidate")
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2:
                continue
            source, target = parts[0], parts[1].split(" ")[0]
            if len(source) == 1 and len(target) == 1 and source != target:
                print(f"{source}\t{target}")


if __name__ == "__main__":
    main(sys.argv[1])
