"""Benchmarks run by `make bench`: each module exposes a `bench_*() -> dict` function."""
