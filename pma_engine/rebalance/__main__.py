"""python -m pma_engine.rebalance PROBLEM.json [--whole-shares]: solve a taxbench-problem/1 file.

Prints the answer as JSON on stdout. Exit codes: 0 solved, 3 infeasible or no solver answer (the
JSON still says why), 2 a bad file (the field is named on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace

from .problem_file import ProblemFileError, problem_load, result_document
from .solve import rebalance_solve
from .types import RebalanceInputError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pma_engine.rebalance", description="Solve a taxbench-problem/1 file."
    )
    parser.add_argument("problem", help="path of the problem file (JSON)")
    parser.add_argument(
        "--whole-shares", action="store_true", help="round trades to whole shares (repaired)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        with open(args.problem, encoding="utf-8") as handle:
            data = json.load(handle)
        problem, _meta = problem_load(data)
        if args.whole_shares:
            problem = replace(problem, whole_shares=True)
        result = rebalance_solve(problem)
    except OSError as exc:
        print(f"{args.problem}: cannot read ({exc.strerror})", file=sys.stderr)
        return 2
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        print(f"{args.problem}: not a JSON file ({exc})", file=sys.stderr)
        return 2
    except (ProblemFileError, RebalanceInputError) as exc:
        print(f"{args.problem}: {exc}", file=sys.stderr)
        return 2
    document = result_document(problem, result, seconds=time.perf_counter() - started)
    json.dump(document, sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")
    return 0 if result.ok else 3


if __name__ == "__main__":
    sys.exit(main())
