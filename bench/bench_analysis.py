"""What the portal adds around the planner when it fans paths out over Celery workers.

On the transition benchmark's account (500 names, 2,000 lots, 4 scenarios x 5 years,
SYNTHETIC): the payload every path task loads once per worker process (the planner's input and
year-1 opening, pickled and compressed, stored on the analysis row), and the JSON codec of one
path's outcome (stored per path index), each against the time of one path's solves.
"""

from __future__ import annotations

import os
import pickle
import time
import zlib

import django


def bench_analysis() -> dict[str, dict]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pma_portal.settings")
    django.setup()
    import functools

    from bench.bench_transition import _input
    from pma_engine.transition import PathTask, path_run
    from pma_engine.transition.markets import path_seeds
    from pma_engine.transition.planner import opening_plan
    from transitions.analysis.paths import outcome_from_json, outcome_to_json

    inp = _input()
    opening = opening_plan(inp)
    tasks = [PathTask(i, s) for i, s in enumerate(path_seeds(7, 3))]
    started = time.perf_counter()
    blob = zlib.compress(pickle.dumps((inp, opening, tasks), protocol=5), 3)
    pack_s = time.perf_counter() - started
    started = time.perf_counter()
    pickle.loads(zlib.decompress(blob))
    unpack_s = time.perf_counter() - started
    run = functools.partial(path_run, inp, opening)
    run(tasks[0])  # solvers built once per process
    started = time.perf_counter()
    outcome = run(tasks[1])
    path_s = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(20):
        outcome_from_json(outcome_to_json(outcome))
    codec_s = (time.perf_counter() - started) / 20
    return {
        "analysis_payload_kb": {
            "value": round(len(blob) / 1024, 1),
            "unit": "kB",
            "baseline": None,
            "ratio": None,
            "detail": f"stored once per analysis; pack {pack_s * 1000:.0f} ms, load "
            f"{unpack_s * 1000:.0f} ms once per worker process (tasks carry only ids)",
        },
        "analysis_path_codec_s": {
            "value": round(codec_s, 5),
            "unit": "s",
            "baseline": round(path_s, 4),
            "ratio": round(codec_s / path_s, 5) if path_s else None,
            "detail": "JSON round trip of one path's outcome (stored per path index) against "
            "one warm path's solves (baseline)",
        },
    }
