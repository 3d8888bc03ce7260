"""Count the imports between the project's top-level packages: how many arrows there are,
how many run up the layer order of the import-linter contract (pyproject.toml), and which
packages import each other in a cycle. Tests are left out, as the contract leaves them out.

    .venv/bin/python tools/layers.py [--list]

The contract itself is checked by `lint-imports` (run by `make test`); this prints the
figures behind it, for a before/after of a restructuring.
"""

from __future__ import annotations

import sys
import tomllib
from itertools import combinations
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def layer_order() -> list[list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = config["contracts"][0]["layers"]
    return [[p.strip() for p in layer.split("|")] for layer in reversed(layers)]  # low first


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    order = layer_order()
    rank = {package: i for i, layer in enumerate(order) for package in layer}
    packages = list(rank)
    graph = grimp.build_graph(*packages, exclude_type_checking_imports=True)
    arrows: dict[tuple[str, str], int] = {}
    for importer in graph.modules:
        if ".tests" in importer or importer.endswith(".conftest"):
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            if ".tests" in imported:
                continue
            a, b = importer.split(".")[0], imported.split(".")[0]
            if a != b:
                arrows[(a, b)] = arrows.get((a, b), 0) + 1
    up = sorted((a, b) for a, b in arrows if rank[b] > rank[a])
    sideways = sorted((a, b) for a, b in arrows if rank[b] == rank[a])
    cycles = sorted(
        (a, b) for a, b in combinations(packages, 2) if (a, b) in arrows and (b, a) in arrows
    )
    print(f"package arrows: {len(arrows)} ({sum(arrows.values())} module imports)")
    print(f"arrows up the layers: {len(up)}")
    print(f"arrows within a layer: {len(sideways)}")
    print(f"cycles between packages: {len(cycles)}")
    if "--list" in argv or up or cycles:
        for a, b in up:
            print(f"  up: {a} -> {b} ({arrows[(a, b)]})")
        for a, b in sideways:
            print(f"  sideways: {a} -> {b} ({arrows[(a, b)]})")
        for a, b in cycles:
            print(f"  cycle: {a} <-> {b}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
