"""The neutral problem file, taxbench-problem/1."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .types import ProblemMeta, RebalanceProblem


class ProblemFileError(ValueError):
    """A bad problem file; the message names the field, e.g. 'portfolio.lots.shares[3]: ...'."""


def problem_load(data: Mapping[str, Any]) -> tuple[RebalanceProblem, ProblemMeta]:
    raise NotImplementedError
