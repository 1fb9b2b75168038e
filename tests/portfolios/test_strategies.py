"""The six strategies (full security master, no prices needed) and the weight CSV import."""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from datetime import date
from decimal import Decimal
from statistics import NormalDist

import pytest
from django.core.management import CommandError, call_command

from portfolios.demo import strategies_seed
from portfolios.imports import ImportRejected
from portfolios.models import ModelWeight, Security, Strategy, StrategyKind, StrategyVersion
from portfolios.selectors import strategy_version_current, strategy_weights
from portfolios.services import security_master_sync, strategy_weights_import

ACTIVE = ("active-quality-core", "active-dividend-value", "active-all-cap-opportunities")


@pytest.fixture
def six(db):
    security_master_sync()
    strategies_seed(effective_date=date(2025, 1, 2))
    return {s.slug: s for s in Strategy.objects.all()}


def weights_of(strategy) -> dict[str, float]:
    version = strategy_version_current(strategy=strategy)
    rows = ModelWeight.objects.filter(version=version).values_list("security__ticker", "weight")
    return {ticker: float(weight) for ticker, weight in rows}


def by_sector(weights: dict[str, float]) -> dict[str, float]:
    sectors = dict(Security.objects.values_list("ticker", "sector"))
    totals: dict[str, float] = defaultdict(float)
    for ticker, weight in weights.items():
        totals[sectors[ticker]] += weight
    return totals


def test_six_strategies_with_kinds_benchmarks_and_synthetic_versions(six):
    kinds = {slug: s.kind for slug, s in six.items()}
    assert sorted(kinds.values()).count(StrategyKind.ACTIVE) == 3
    assert [k for k in kinds.values()].count(StrategyKind.DIRECT_INDEX) == 2
    assert kinds["core-equity"] == StrategyKind.CORE
    assert six["active-quality-core"].benchmark.slug == "di-large-cap"
    assert six["active-dividend-value"].benchmark.slug == "di-large-cap"
    assert six["active-all-cap-opportunities"].benchmark.slug == "di-all-cap"
    for strategy in six.values():
        version = strategy_version_current(strategy=strategy)
        assert version.is_synthetic and version.version == 1
        total = sum(strategy_weights(version=version).values())
        assert abs(total - 1) <= Decimal("1e-9")
    # Each note says how that kind of demo weights was built.
    notes = {slug: strategy_version_current(strategy=s).note for slug, s in six.items()}
    assert "cap-weight proxy" in notes["di-large-cap"] and "cap-weight" in notes["di-all-cap"]
    for slug in ACTIVE:
        assert "sector-balanced rule" in notes[slug] and "cap-weight" not in notes[slug]
    assert "blend" in notes["core-equity"]
    assert all(note.startswith("SYNTHETIC") for note in notes.values())
    strategies_seed()  # idempotent: no second version
    assert StrategyVersion.objects.count() == 6


def test_index_strategies_hold_their_index(six):
    large = weights_of(six["di-large-cap"])
    all_cap = weights_of(six["di-all-cap"])
    sp500 = set(
        Security.objects.filter(indices__contains="S&P 500").values_list("ticker", flat=True)
    )
    assert set(large) == sp500
    assert set(all_cap) == set(Security.objects.values_list("ticker", flat=True))


def _cap(ticker: str, median: float, sigma: float, seed: int = 2026) -> float:
    """An independent re-derivation of the documented synthetic cap."""
    digest = hashlib.sha256(f"{seed}:{ticker}".encode()).digest()
    u = (int.from_bytes(digest[:8], "big") + 0.5) / 2**64
    return median * math.exp(sigma * NormalDist().inv_cdf(u))


def test_cap_weight_proxy_follows_the_documented_formula(six):
    all_cap = weights_of(six["di-all-cap"])
    # MSFT takes its rounded cap from the documented table (3,800 bn); a small-cap name the
    # log-normal draw. Their weight ratio is the ratio of the two caps.
    small = Security.objects.filter(indices="S&P 600").order_by("ticker").first().ticker
    ratio = all_cap["MSFT"] / all_cap[small]
    expected = 3800e9 / _cap(small, 2e9, 0.6)
    assert ratio == pytest.approx(expected, rel=1e-6)
    # A large-cap name outside the table: the draw, kept below 0.9 x the table's smallest cap.
    table_min = 120e9
    other = next(t for t in sorted(all_cap) if t in ("A", "ABNB", "ACN", "ADM") and t in all_cap)
    assert all_cap[other] / all_cap[small] == pytest.approx(
        min(_cap(other, 35e9, 1.25), 0.9 * table_min) / _cap(small, 2e9, 0.6), rel=1e-6
    )


@pytest.mark.parametrize("slug", ACTIVE)
def test_active_models_are_about_80_names_balanced_by_sector(six, slug):
    """The checkable rule: all 11 sectors held with at least 3 names, each sector's weight
    between half and twice its benchmark's, no name above 5 %, 75-85 names."""
    weights = weights_of(six[slug])
    assert 75 <= len(weights) <= 85
    assert max(weights.values()) <= 0.05
    bench = by_sector(weights_of(six[slug].benchmark))
    model = by_sector(weights)
    assert set(model) == set(bench) and len(model) == 11
    sectors = dict(Security.objects.values_list("ticker", "sector"))
    names_per_sector = defaultdict(int)
    for ticker in weights:
        names_per_sector[sectors[ticker]] += 1
    assert min(names_per_sector.values()) >= 3
    for sector, weight in model.items():
        assert 0.5 * bench[sector] - 1e-9 <= weight <= 2.0 * bench[sector] + 1e-9, sector
    # Drawn from the benchmark's universe only.
    assert set(weights) <= set(weights_of(six[slug].benchmark))


def test_active_models_differ_from_each_other(six):
    names = [set(weights_of(six[slug])) for slug in ACTIVE[:2]]
    assert len(names[0] & names[1]) < 60


def test_core_equity_blends_active_and_direct_indexing(six):
    core = weights_of(six["core-equity"])
    active = weights_of(six["active-quality-core"])
    index = weights_of(six["di-large-cap"])
    for ticker in set(active) | set(index):
        expected = 0.4 * active.get(ticker, 0.0) + 0.6 * index.get(ticker, 0.0)
        assert core[ticker] == pytest.approx(expected, abs=1e-9)


# --------------------------------------------------------------------------- CSV import


@pytest.fixture
def strategy(three_securities):
    return Strategy.objects.create(slug="test-model", name="Test model", kind=StrategyKind.ACTIVE)


def stored() -> list[tuple]:
    return list(
        ModelWeight.objects.order_by("version_id", "security__ticker").values_list(
            "version_id", "security__ticker", "weight"
        )
    )


def test_weight_import_creates_a_numbered_version(strategy, cast):
    text = "ticker,weight\nAAA,0.5\nbbb,0.3\nCCC,0.2\n"
    first = strategy_weights_import(strategy=strategy, source=text, effective_date=date(2025, 1, 2))
    second = strategy_weights_import(
        strategy=strategy,
        source="weight,ticker\n0.6,AAA\n0.4,BBB\n0,CCC\n",
        effective_date=date(2025, 6, 2),
        created_by=cast.a.admin,
    )
    assert (first.version, second.version) == (1, 2)
    assert not first.is_synthetic
    assert strategy_version_current(strategy=strategy, on=date(2025, 3, 1)) == first
    assert strategy_version_current(strategy=strategy, on=date(2025, 7, 1)) == second
    assert stored() == [
        (first.pk, "AAA", Decimal("0.5")),
        (first.pk, "BBB", Decimal("0.3")),
        (first.pk, "CCC", Decimal("0.2")),
        (second.pk, "AAA", Decimal("0.6")),
        (second.pk, "BBB", Decimal("0.4")),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ticker,weight\nAAA,0.5\nZZZ,0.5\n", "row 3, ticker: unknown ticker 'ZZZ'"),
        ("ticker,weight\nAAA,0.5\nOLD,0.5\n", "row 3, ticker: OLD is inactive"),
        ("ticker,weight\nAAA,0.5\naaa,0.5\n", "row 3, ticker: duplicate: AAA is already in row 2"),
        ("ticker,weight\nAAA,1.2\nBBB,-0.2\n", "row 3, weight: -0.2 is negative"),
        ("ticker,weight\nAAA,1.2\nBBB,-0.2\n", "row 2, weight: 1.2 is above 1"),
        ("ticker,weight\nAAA,half\nBBB,0.5\n", "row 2, weight: 'half' is not a number"),
        ("ticker,weight\n,0.5\nBBB,0.5\n", "row 2, ticker: empty"),
        ("ticker,weight\nAAA,0.5\nBBB,0.4\n", "file, weight: weights sum to 0.9, not 1"),
        ("ticker,weight\nAAA,0.5\nBBB,0.500002\n", "file, weight: weights sum to 1.000002"),
        ("symbol,weight\nAAA,1\n", "row 1, header: missing column(s) ticker"),
        ("ticker\nAAA\n", "row 1, header: missing column(s) weight"),
        ("ticker,weight\n", "file: no weight rows"),
    ],
)
def test_bad_weight_files_are_rejected_whole(strategy, text, expected):
    strategy_weights_import(strategy=strategy, source="ticker,weight\nAAA,1\n")
    before = (stored(), StrategyVersion.objects.count())
    with pytest.raises(ImportRejected) as info:
        strategy_weights_import(strategy=strategy, source=text)
    assert any(message.startswith(expected) for message in info.value.messages), info.value.messages
    assert (stored(), StrategyVersion.objects.count()) == before


def test_sum_within_tolerance_is_accepted(strategy):
    version = strategy_weights_import(
        strategy=strategy, source="ticker,weight\nAAA,0.5\nBBB,0.5000005\n"
    )
    assert version.weights.count() == 2


def test_weight_import_command(strategy, tmp_path, capsys):
    path = tmp_path / "w.csv"
    path.write_text("ticker,weight\nAAA,0.25\nBBB,0.75\n", encoding="utf-8")
    call_command(
        "import_strategy_weights", "test-model", str(path), "--effective-date", "2025-02-03"
    )
    assert "2 names, effective 2025-02-03" in capsys.readouterr().out
    path.write_text("ticker,weight\nAAA,0.25\nNOPE,0.75\n", encoding="utf-8")
    with pytest.raises(CommandError, match="row 3, ticker: unknown ticker 'NOPE'"):
        call_command("import_strategy_weights", "test-model", str(path))
    with pytest.raises(CommandError, match="No strategy 'nope'"):
        call_command("import_strategy_weights", "nope", str(path))
    assert StrategyVersion.objects.filter(strategy=strategy).count() == 1
