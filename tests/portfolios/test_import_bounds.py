"""Price and weight files (issue 9): a NUL byte names its line, an oversized file is refused
before it is decoded, and weights finer than the column keeps are refused, not rounded away."""

from __future__ import annotations

from datetime import date

import pytest

from portfolios.imports import ImportRejected
from portfolios.models import Price, Strategy, StrategyKind, StrategyVersion
from portfolios.services import prices_import, strategy_weights_import


def test_a_nul_byte_in_a_price_file_names_its_line(three_securities):
    content = b"date,ticker,close\n2025-06-02,AAA,101.5\n2025-06-03,AAA,1\x0002\n"
    with pytest.raises(ImportRejected) as info:
        prices_import(source=content, today=date(2025, 6, 30))
    assert any(m.startswith("row 3: a NUL byte") for m in info.value.messages)
    assert Price.objects.count() == 0


def test_an_oversized_price_file_is_refused_before_decoding(three_securities, settings):
    settings.MAX_UPLOAD_BYTES = 100
    with pytest.raises(ImportRejected, match="over 0 MB"):
        prices_import(source=b"date,ticker,close\n" + b"2025-06-02,AAA,1\n" * 20)


def test_weights_finer_than_the_column_are_refused(three_securities):
    strategy = Strategy.objects.create(slug="t", name="T", kind=StrategyKind.ACTIVE)
    text = "ticker,weight\nAAA,0.50000000001\nBBB,0.49999999999\n"
    with pytest.raises(ImportRejected) as info:
        strategy_weights_import(strategy=strategy, source=text)
    assert any("row 2, weight" in m and "10 decimal places" in m for m in info.value.messages)
    assert StrategyVersion.objects.filter(strategy=strategy).count() == 0
