"""Security master: sectors, industries, overrides and identifiers, checked against known facts."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from pma_engine.securities import (
    DATA_CREDIT,
    ESG_INDUSTRY_SUGGESTIONS,
    GICS_SECTORS,
    INDEX_SP500,
    INDEX_SP600,
    INDUSTRIES,
    INDUSTRY_SECTOR,
    SecurityRecord,
    country_from_headquarters,
    industries_used,
    industry_pick,
    isin_is_valid,
    name_clean,
    sector_pick,
    security_master_load,
    security_overrides_load,
    security_records_build,
    ticker_normalize,
)


@pytest.fixture(scope="module")
def master() -> dict[str, SecurityRecord]:
    return {record.ticker: record for record in security_master_load()}


def test_gics_sectors_are_the_eleven_official_names() -> None:
    assert len(GICS_SECTORS) == 11
    assert set(GICS_SECTORS) == {
        "Communication Services",
        "Consumer Discretionary",
        "Consumer Staples",
        "Energy",
        "Financials",
        "Health Care",
        "Industrials",
        "Information Technology",
        "Materials",
        "Real Estate",
        "Utilities",
    }


def test_every_record_has_a_gics_sector_and_an_industry_of_that_sector(master) -> None:
    assert {record.sector for record in master.values()} == set(GICS_SECTORS)
    for record in master.values():
        assert record.sector in GICS_SECTORS
        assert INDUSTRY_SECTOR[record.industry] == record.sector, record
        assert not record.industry.startswith("Other "), f"{record.ticker} fell through the rules"


def test_counts_per_index_and_unique_tickers() -> None:
    records = security_master_load()
    tickers = [record.ticker for record in records]
    assert len(tickers) == len(set(tickers))
    index_counts = Counter(index for record in records for index in record.indices)
    assert index_counts[INDEX_SP500] >= 500
    assert index_counts[INDEX_SP600] >= 590
    assert tickers == sorted(tickers)


def test_well_known_names_land_in_their_sector_and_industry(master) -> None:
    expected = {
        "AAPL": ("Information Technology", "Technology Hardware, Storage & Peripherals"),
        "MSFT": ("Information Technology", "Software"),
        "NVDA": ("Information Technology", "Semiconductors & Semiconductor Equipment"),
        "XOM": ("Energy", "Integrated Oil & Gas"),
        "JPM": ("Financials", "Banks"),
        "MO": ("Consumer Staples", "Tobacco"),
        "PM": ("Consumer Staples", "Tobacco"),
        "LMT": ("Industrials", "Aerospace & Defense"),
        "NOC": ("Industrials", "Aerospace & Defense"),
        "GOOGL": ("Communication Services", "Interactive Media & Services"),
        "AMZN": ("Consumer Discretionary", "Broadline Retail"),
        "KO": ("Consumer Staples", "Soft Drinks & Non-alcoholic Beverages"),
        "TAP": ("Consumer Staples", "Brewers"),
        "BF.B": ("Consumer Staples", "Distillers & Vintners"),
        "LVS": ("Consumer Discretionary", "Casinos & Gaming"),
        "MGM": ("Consumer Discretionary", "Casinos & Gaming"),
        "WYNN": ("Consumer Discretionary", "Casinos & Gaming"),
        "BTU": ("Energy", "Coal & Consumable Fuels"),
        "CXW": ("Industrials", "Private Prisons"),
        "GEO": ("Industrials", "Private Prisons"),
        "PLD": ("Real Estate", "Industrial REITs"),
        "AWK": ("Utilities", "Water Utilities"),
        "UNH": ("Health Care", "Health Care Providers & Services"),
    }
    for ticker, (sector, industry) in expected.items():
        assert (master[ticker].sector, master[ticker].industry) == (sector, industry), ticker


def test_overrides_fix_the_known_source_errors(master) -> None:
    assert master["STE"].sector == "Health Care"  # source also tags it an electric utility
    assert master["GEV"].sector == "Industrials"
    assert master["HFWA"].sector == "Financials"  # a bank listed under Health Care
    assert master["AIZ"].name == "Assurant"  # source copies AJG's name
    assert master["MHK"].name == "Mohawk Industries"  # source copies Globe Life's name
    assert master["ARI"].sector == "Financials" and master["ARI"].industry == "Mortgage REITs"
    raw = {record.ticker: record for record in security_master_load(apply_overrides=False)}
    assert raw["STE"].sector == "Utilities"  # the precedence rule alone gets it wrong


def test_label_traps_do_not_create_esg_false_positives(master) -> None:
    # Hershey and General Motors carry a "Food & Tobacco" industry-group label.
    assert master["HSY"].industry == "Food Products"
    assert master["GM"].industry == "Automobiles"
    # Garmin carries "Aerospace & Defense" but is a consumer-electronics company.
    assert master["GRMN"].industry == "Household Durables"
    tobacco = {t for t, record in master.items() if record.industry == "Tobacco"}
    assert tobacco == {"MO", "PM", "UVV"}


def test_esg_suggestions_name_real_industries() -> None:
    for industries in ESG_INDUSTRY_SUGGESTIONS.values():
        assert set(industries) <= set(INDUSTRIES)


def test_share_classes_are_separate_securities_with_their_own_isin(master) -> None:
    assert master["GOOGL"].isin == "US02079K3059"  # Class A
    assert master["GOOG"].isin == "US02079K1079"  # Class C
    assert master["FOXA"].name == master["FOX"].name == "Fox Corporation"
    assert master["FOXA"].isin != master["FOX"].isin


def test_isins_are_valid_and_unique(master) -> None:
    isins = [record.isin for record in master.values() if record.isin]
    assert len(isins) > 500
    assert len(isins) == len(set(isins))
    assert all(isin_is_valid(isin) for isin in isins)


@pytest.mark.parametrize(
    ("isin", "is_valid"),
    [
        ("US0378331005", True),  # Apple, as printed on its filings
        ("US0378331006", False),  # wrong check digit
        ("IE00B4BNMY34", True),  # Accenture plc
        ("GB0002634946", True),  # BAE Systems, ISO 6166 example
        ("US037833100", False),  # too short
        ("us0378331005", False),  # lower case is not an ISIN
    ],
)
def test_isin_check_digit(isin: str, is_valid: bool) -> None:
    assert isin_is_valid(isin) is is_valid


@pytest.mark.parametrize(
    ("headquarters", "country"),
    [
        ("Saint Paul, Minnesota", "United States"),
        ("Washington, D.C.", "United States"),
        ("San Juan, Puerto Rico", "United States"),
        ("Chicago, Illinois;Pittsburgh, Pennsylvania", "United States"),
        ("none", "United States"),
        ("Dublin, Ireland", "Ireland"),
        ("Warmley,Bristol, United Kingdom", "United Kingdom"),
        ("Hamilton, Bermuda", "Bermuda"),
    ],
)
def test_country_from_headquarters(headquarters: str, country: str) -> None:
    assert country_from_headquarters(headquarters) == country


def test_ticker_normalize_writes_share_classes_with_a_dot() -> None:
    assert ticker_normalize(" brk-b ") == "BRK.B"
    assert ticker_normalize("BRK/B") == "BRK.B"
    assert ticker_normalize("aapl") == "AAPL"


def test_name_clean_drops_disambiguation_but_keeps_share_class() -> None:
    assert name_clean("Wiley (publisher)") == "Wiley"
    assert name_clean("Clearway Energy, Inc. (Class A)") == "Clearway Energy, Inc. (Class A)"


def test_sector_pick_follows_the_documented_precedence() -> None:
    assert sector_pick(["Energy", "Utilities"]) == "Utilities"
    assert sector_pick(["Financials", "Real Estate"]) == "Real Estate"
    assert sector_pick(["Consumer Discretionary", "Industrials"]) == "Consumer Discretionary"
    with pytest.raises(ValueError):
        sector_pick(["Internet"])


def test_industry_pick_stages() -> None:
    # Stage 1 (specific label) beats the name; rules outside the sector are ignored.
    assert industry_pick(labels=["Tobacco"], name="X", sector="Consumer Staples") == "Tobacco"
    assert industry_pick(labels=["Tobacco"], name="X", sector="Energy") == "Other Energy"
    # Stage 2: the name, when labels are generic.
    assert (
        industry_pick(labels=["Financial services"], name="Acme Bancorp", sector="Financials")
        == "Banks"
    )
    # Stage 3: the generic label itself.
    assert (
        industry_pick(labels=["Financial services"], name="Acme", sector="Financials")
        == "Financial Services"
    )


def test_records_build_merges_a_ticker_listed_in_both_indices() -> None:
    stock = {
        "name": "Acme Widgets (company)",
        "symbol": "ACME",
        "country": "Austin, Texas",
        "industries": ["Industrials", "Machinery"],
        "isins": ["US0378331005"],
    }
    records = security_records_build([(INDEX_SP500, [stock]), (INDEX_SP600, [dict(stock)])])
    assert len(records) == 1
    assert records[0].indices == (INDEX_SP500, INDEX_SP600)
    assert records[0].name == "Acme Widgets"
    assert records[0].industry == "Machinery"
    assert records[0].isin == "US0378331005"


def test_every_override_has_a_reason_and_changes_something() -> None:
    overrides = security_overrides_load()
    raw = {record.ticker: record for record in security_master_load(apply_overrides=False)}
    for override in overrides:
        assert override.reason
        assert override.ticker in raw, override
        assert getattr(raw[override.ticker], override.field) != override.value, override
    sector_changes = [override for override in overrides if override.field == "sector"]
    assert len(sector_changes) <= 15  # the sector table stays small


def test_industries_used_counts_every_record(master) -> None:
    counts = industries_used(master.values())
    assert sum(counts.values()) == len(master)
    assert counts["Tobacco"] == 3


def test_records_are_frozen_and_credit_names_the_sources(master) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        master["AAPL"].sector = "Energy"  # type: ignore[misc]
    for words in ("Wikipedia", "CC BY-SA", "pytickersymbols", "MIT"):
        assert words in DATA_CREDIT
