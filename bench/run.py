"""Run every benchmark, print a table and write bench/results.json.

Each bench module exposes one `bench_*()` function returning
{"name": {"value": n, "unit": "s", "baseline": n|None, "ratio": n|None, "detail": "..."}};
baselines are measured in the same run.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def bench_functions():
    for module_info in sorted(pkgutil.iter_modules([str(HERE)]), key=lambda m: m.name):
        if not module_info.name.startswith("bench_"):
            continue
        module = importlib.import_module(f"bench.{module_info.name}")
        for name in sorted(dir(module)):
            if name.startswith("bench_") and callable(getattr(module, name)):
                yield f"{module_info.name}.{name}", getattr(module, name)


def main(argv: list[str]) -> int:
    only = argv[1:] if len(argv) > 1 else None
    results: dict[str, dict] = {}
    failures = []
    for label, func in bench_functions():
        if only and not any(word in label for word in only):
            continue
        started = time.perf_counter()
        print(f"running {label} ...", flush=True)
        try:
            results.update(func())
        except Exception as exc:  # one broken bench must not hide the others
            failures.append((label, exc))
            print(f"  FAILED: {exc.__class__.__name__}: {exc}", flush=True)
        print(f"  ({time.perf_counter() - started:.1f} s)", flush=True)
    width = max((len(name) for name in results), default=10)
    print()
    columns = f"{'benchmark':<{width}}  {'value':>10}  {'unit':<4}  {'baseline':>10}  {'ratio':>7}"
    print(columns + "  detail")
    for name, row in results.items():
        baseline = "" if row.get("baseline") is None else f"{row['baseline']:.4g}"
        ratio = "" if row.get("ratio") is None else f"{row['ratio']:.3g}"
        print(
            f"{name:<{width}}  {row['value']:>10.4g}  {row['unit']:<4}  {baseline:>10}  "
            f"{ratio:>7}  {row.get('detail', '')}"
        )
    path = HERE / "results.json"
    if only and path.exists():  # a partial run updates its own entries and keeps the rest
        results = {**json.loads(path.read_text()), **results}
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"\nwrote {HERE / 'results.json'}")
    return 1 if failures else 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pma_portal.settings")
    sys.exit(main(sys.argv))
