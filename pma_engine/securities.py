"""Security master: S&P 500 and S&P 600 members mapped onto the 11 GICS sectors.

The raw data ships with `pytickersymbols` (MIT) and comes from Wikipedia (CC BY-SA). Its
`industries` lists mix GICS sector names with free-text labels, so this module picks one sector
and one industry per security by documented rules (see docs/security-master.md) and then applies
a small, reviewed override table (`data/security_overrides.csv`) for the records the rules get
wrong. Plain Python: no Django import.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_CREDIT = (
    "Security names, tickers, ISINs, headquarters and industry labels come from Wikipedia "
    "(CC BY-SA 4.0, https://creativecommons.org/licenses/by-sa/4.0/) as packaged by "
    "pytickersymbols (MIT licence); sectors and industries were normalized by PMA Portal."
)

INDEX_SP500 = "S&P 500"
INDEX_SP600 = "S&P 600"
SUPPORTED_INDICES: tuple[str, ...] = (INDEX_SP500, INDEX_SP600)

GICS_SECTORS: tuple[str, ...] = (
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
)

# When Wikipedia lists two sector names, the first one in this order wins. Sectors that GICS
# carved out of broader ones (Real Estate from Financials in 2016, Communication Services in
# 2018) and narrow regulated ones come first; Industrials comes last because Wikipedia adds it
# as a generic label to many manufacturers. Known exceptions live in the override table.
SECTOR_PRECEDENCE: tuple[str, ...] = (
    "Real Estate",
    "Utilities",
    "Health Care",
    "Communication Services",
    "Consumer Discretionary",
    "Consumer Staples",
    "Information Technology",
    "Financials",
    "Energy",
    "Materials",
    "Industrials",
)

# One industry scheme: GICS industries, split into sub-industries where an ESG category is
# defined by one (alcohol, gambling, oil & gas, coal, private prisons).
INDUSTRY_SECTOR: dict[str, str] = {
    # Communication Services
    "Telecommunication Services": "Communication Services",
    "Media": "Communication Services",
    "Entertainment": "Communication Services",
    "Interactive Media & Services": "Communication Services",
    # Consumer Discretionary
    "Automobiles": "Consumer Discretionary",
    "Automobile Components": "Consumer Discretionary",
    "Homebuilding": "Consumer Discretionary",
    "Household Durables": "Consumer Discretionary",
    "Leisure Products": "Consumer Discretionary",
    "Textiles, Apparel & Luxury Goods": "Consumer Discretionary",
    "Casinos & Gaming": "Consumer Discretionary",
    "Hotels, Resorts & Cruise Lines": "Consumer Discretionary",
    "Restaurants": "Consumer Discretionary",
    "Leisure Facilities": "Consumer Discretionary",
    "Diversified Consumer Services": "Consumer Discretionary",
    "Distributors": "Consumer Discretionary",
    "Broadline Retail": "Consumer Discretionary",
    "Specialty Retail": "Consumer Discretionary",
    # Consumer Staples
    "Consumer Staples Distribution & Retail": "Consumer Staples",
    "Brewers": "Consumer Staples",
    "Distillers & Vintners": "Consumer Staples",
    "Soft Drinks & Non-alcoholic Beverages": "Consumer Staples",
    "Food Products": "Consumer Staples",
    "Tobacco": "Consumer Staples",
    "Household Products": "Consumer Staples",
    "Personal Care Products": "Consumer Staples",
    # Energy
    "Oil & Gas Equipment & Services": "Energy",
    "Integrated Oil & Gas": "Energy",
    "Oil & Gas Exploration & Production": "Energy",
    "Oil & Gas Refining & Marketing": "Energy",
    "Oil & Gas Storage & Transportation": "Energy",
    "Coal & Consumable Fuels": "Energy",
    # Financials
    "Banks": "Financials",
    "Financial Services": "Financials",
    "Consumer Finance": "Financials",
    "Capital Markets": "Financials",
    "Insurance": "Financials",
    "Mortgage REITs": "Financials",
    # Health Care
    "Health Care Equipment & Supplies": "Health Care",
    "Health Care Providers & Services": "Health Care",
    "Health Care Technology": "Health Care",
    "Biotechnology": "Health Care",
    "Pharmaceuticals": "Health Care",
    "Life Sciences Tools & Services": "Health Care",
    # Industrials
    "Aerospace & Defense": "Industrials",
    "Building Products": "Industrials",
    "Construction & Engineering": "Industrials",
    "Electrical Equipment": "Industrials",
    "Industrial Conglomerates": "Industrials",
    "Machinery": "Industrials",
    "Trading Companies & Distributors": "Industrials",
    "Commercial Services & Supplies": "Industrials",
    "Private Prisons": "Industrials",
    "Professional Services": "Industrials",
    "Air Freight & Logistics": "Industrials",
    "Passenger Airlines": "Industrials",
    "Marine Transportation": "Industrials",
    "Ground Transportation": "Industrials",
    # Information Technology
    "IT Services": "Information Technology",
    "Software": "Information Technology",
    "Communications Equipment": "Information Technology",
    "Technology Hardware, Storage & Peripherals": "Information Technology",
    "Electronic Equipment, Instruments & Components": "Information Technology",
    "Semiconductors & Semiconductor Equipment": "Information Technology",
    # Materials
    "Chemicals": "Materials",
    "Construction Materials": "Materials",
    "Containers & Packaging": "Materials",
    "Metals & Mining": "Materials",
    "Metallurgical Coal": "Materials",
    "Paper & Forest Products": "Materials",
    # Real Estate
    "Diversified REITs": "Real Estate",
    "Industrial REITs": "Real Estate",
    "Hotel & Resort REITs": "Real Estate",
    "Office REITs": "Real Estate",
    "Health Care REITs": "Real Estate",
    "Residential REITs": "Real Estate",
    "Retail REITs": "Real Estate",
    "Specialized REITs": "Real Estate",
    "Real Estate Management & Development": "Real Estate",
    # Utilities
    "Electric Utilities": "Utilities",
    "Gas Utilities": "Utilities",
    "Multi-Utilities": "Utilities",
    "Water Utilities": "Utilities",
    "Independent Power & Renewable Electricity Producers": "Utilities",
}

# The industry a security gets when no rule matches: named so that nobody mistakes it for a
# real classification (the shipped data leaves none here; tests keep it that way).
SECTOR_FALLBACK_INDUSTRY: dict[str, str] = {sector: f"Other {sector}" for sector in GICS_SECTORS}
INDUSTRY_SECTOR.update({industry: sector for sector, industry in SECTOR_FALLBACK_INDUSTRY.items()})
INDUSTRIES: tuple[str, ...] = tuple(INDUSTRY_SECTOR)

# Industries that ESG categories are usually defined by; the ESG app decides, this is a hint.
ESG_INDUSTRY_SUGGESTIONS: dict[str, tuple[str, ...]] = {
    "tobacco": ("Tobacco",),
    "alcohol": ("Brewers", "Distillers & Vintners"),
    "gambling": ("Casinos & Gaming",),
    "weapons and defense": ("Aerospace & Defense",),
    "fossil fuels": (
        "Integrated Oil & Gas",
        "Oil & Gas Exploration & Production",
        "Oil & Gas Refining & Marketing",
        "Oil & Gas Storage & Transportation",
        "Oil & Gas Equipment & Services",
        "Coal & Consumable Fuels",
    ),
    "coal": ("Coal & Consumable Fuels", "Metallurgical Coal"),
    "private prisons": ("Private Prisons",),
}

_Rule = tuple[re.Pattern[str], str]


def _rules(pairs: Iterable[tuple[str, str]]) -> tuple[_Rule, ...]:
    """Compile (regex, industry) pairs; regexes match lower-cased text."""
    compiled = []
    for pattern, industry in pairs:
        if industry not in INDUSTRY_SECTOR:
            raise ValueError(f"rule names unknown industry {industry!r}")
        compiled.append((re.compile(pattern), industry))
    return tuple(compiled)


# Stage 1: specific Wikipedia labels. Ordered narrow to broad: the first rule whose industry
# belongs to the security's sector and whose pattern matches any of its labels wins, so a rule
# listed earlier is "more specific" by construction.
INDUSTRY_LABEL_RULES: tuple[_Rule, ...] = _rules(
    [
        # Communication Services
        (r"video game|interactive entertainment", "Entertainment"),
        (
            r"social media|online dating|internet content|interactive media|internet services"
            r"|local search|stock photo|digital media|^internet|travel services",
            "Interactive Media & Services",
        ),
        (r"entertainment|movies|sports", "Entertainment"),
        (r"advertis|marketing|public relations|broadcast|publishing|media|cable", "Media"),
        (r"telecom|communications|carrier|wireless", "Telecommunication Services"),
        # Consumer Discretionary
        (r"casino|gambling|\bgaming\b|igaming", "Casinos & Gaming"),
        (r"restaurant|food delivery|food ordering|foodservice|eatertainment", "Restaurants"),
        (
            r"cruise|touris|hospitality|hotel|lodging|resort|travel",
            "Hotels, Resorts & Cruise Lines",
        ),
        (r"\btoys?\b", "Leisure Products"),
        (r"amusement|leisure facilit|theme park|entertainment", "Leisure Facilities"),
        (
            r"education|training|literacy|specialized consumer services",
            "Diversified Consumer Services",
        ),
        (r"homebuild|home construction|home building|modular home|^construction$", "Homebuilding"),
        (
            r"apparel retail|auto parts retail|automotive retail|dealership|used car",
            "Specialty Retail",
        ),
        (r"e-commerce|department store|diversified retail|broadline", "Broadline Retail"),
        (
            r"apparel|clothing|fashion|footwear|textile|luxury|accessories",
            "Textiles, Apparel & Luxury Goods",
        ),
        (r"sports equipment|recreational vehicle", "Leisure Products"),
        (r"swimming pool", "Distributors"),
        (
            r"furniture|bedding|flooring|home appliance|housewares|consumer electronics"
            r"|consumer goods",
            "Household Durables",
        ),
        (r"auto & truck manufactur|automobile manufactur", "Automobiles"),
        (r"auto", "Automobile Components"),
        (r"retail|stores|beauty", "Specialty Retail"),
        # Consumer Staples (a "Food & Tobacco" industry-group label is not a tobacco company)
        (r"(?<!food & )\btobacco\b", "Tobacco"),
        (r"brewer|brewing|\bbeer\b", "Brewers"),
        (r"distill|spirits|\bwine|vintner|liquor", "Distillers & Vintners"),
        (
            r"^beverage|non-alcoholic|nonalcoholic|soft drink",
            "Soft Drinks & Non-alcoholic Beverages",
        ),
        (
            r"drug retail|grocery|discount|food retail|food & drug|food distribut|wholesale"
            r"|merchandise retail|supermarket|^retail",
            "Consumer Staples Distribution & Retail",
        ),
        (r"household product|household goods|cleaning", "Household Products"),
        (r"cosmetic|personal care|personal products|fragrance", "Personal Care Products"),
        (
            r"food|confection|snack|meat|packaged|agricultur|produce|commodit",
            "Food Products",
        ),
        # Energy
        (r"coal", "Coal & Consumable Fuels"),
        (r"refin|marketing", "Oil & Gas Refining & Marketing"),
        (r"storage & transport|pipeline|midstream|tanker", "Oil & Gas Storage & Transportation"),
        (
            r"equipment|services|oilfield|drilling|hydrocarbon exploration",
            "Oil & Gas Equipment & Services",
        ),
        (r"integrated oil", "Integrated Oil & Gas"),
        (r"exploration|production", "Oil & Gas Exploration & Production"),
        # Financials
        (r"mortgage reit", "Mortgage REITs"),
        (
            r"consumer financ|consumer lending|specialty consumer financ|debt buyer"
            r"|debt-collection",
            "Consumer Finance",
        ),
        (r"^investment bank|cryptocurrency|exchanges|commodity market", "Capital Markets"),
        (r"bank|banc", "Banks"),
        (r"(?<!finance and )insurance|reinsurance", "Insurance"),
        (
            r"payment|transaction|point of sale|digital wallet|financial technology"
            r"|financial data services|mortgage financ",
            "Financial Services",
        ),
        (
            r"asset manag|investment manag|fund operat|private equity|brokerage|investment services"
            r"|securities|financial data|asset management",
            "Capital Markets",
        ),
        # Health Care
        (
            r"contract research|laboratory equipment|life sciences|scientific instrument",
            "Life Sciences Tools & Services",
        ),
        (
            r"medical device|medical equipment|medical tech|equipment & supplies"
            r"|health ?care equipment|health care supplies|orthodont|medical appliances|^medical$"
            r"|health care products manufacturing",
            "Health Care Equipment & Supplies",
        ),
        (r"health care technology|health technology|software", "Health Care Technology"),
        (
            r"healthcare services|health care services|health care facilities|managed health"
            r"|health insurance|pharmacy|claims management|medical care|drug retail"
            r"|healthcare providers|supplies and services",
            "Health Care Providers & Services",
        ),
        (r"biotech|biopharm|biolog|gene therap|biotherapeut", "Biotechnology"),
        (r"pharma|over-the-counter|animal health", "Pharmaceuticals"),
        # Industrials
        (r"private prison|correction|detention", "Private Prisons"),
        (r"car rental", "Ground Transportation"),
        (r"leasing|rental|dealership", "Trading Companies & Distributors"),
        (
            r"aerospace|defen[cs]e|arms industry|military|shipbuilding|aviation",
            "Aerospace & Defense",
        ),
        (r"airline|passenger", "Passenger Airlines"),
        (
            r"air freight|courier|parcel|^logistics$|transportation logistics",
            "Air Freight & Logistics",
        ),
        (r"shipping|marine|navigation", "Marine Transportation"),
        (r"rail|trucking|freight|ground|mobility", "Ground Transportation"),
        (
            r"human capital|hcm|payroll|employment|staffing|human resource|professional services"
            r"|consulting|data processing|outsourc|credit risk|data analytics|freelance|legal"
            r"|risk assessment|financial technology|business services",
            "Professional Services",
        ),
        (
            r"electrical|electronics|renewable|power equipment|generator",
            "Electrical Equipment",
        ),
        (
            r"machinery|machine|heavy equipment|engines|industrial tools|equipment manufacturing"
            r"|pumps|valves|water infrastructure|fluid|industrial technology|transport systems"
            r"|industrial machinery|water technology",
            "Machinery",
        ),
        (
            r"building products|hvac|home appliance|building materials|construction materials",
            "Building Products",
        ),
        (r"construction & engineering|engineering|construction", "Construction & Engineering"),
        (
            r"trading compan|distribut|industrial supply|wholesale",
            "Trading Companies & Distributors",
        ),
        (
            r"waste|environmental|facilit|pest|uniform|office services|diversified support"
            r"|surplus asset|public safety|service$|furniture|textile|automotive",
            "Commercial Services & Supplies",
        ),
        (r"conglomerate", "Industrial Conglomerates"),
        # Information Technology
        (
            r"it services & consulting|it consulting|information technology consulting|outsourc"
            r"|it solutions|b2b it|^it$|software engineering|internet services & infrastructure",
            "IT Services",
        ),
        (
            r"semiconductor|photovoltaic|solar|renewable|test & automation",
            "Semiconductors & Semiconductor Equipment",
        ),
        (
            r"storage device|computer storage|data storage|^computer hardware|phones|handheld"
            r"|computers|peripherals",
            "Technology Hardware, Storage & Peripherals",
        ),
        (
            r"networking|communications equipment|telecommunications equipment|telecoms equipment"
            r"|wireless|broadcast|communications",
            "Communications Equipment",
        ),
        (
            r"software|saas|cloud|cyber|enterprise|application|data analytics|plm|cad /"
            r"|customer experience|identity|data connectivity|mobile technology|internet"
            r"|information security",
            "Software",
        ),
        (
            r"electronic|rfid|components|manufacturing services|iot|surveillance|glass"
            r"|specialty materials|conglomerate|geospatial|distributors",
            "Electronic Equipment, Instruments & Components",
        ),
        # Materials
        (r"coal", "Metallurgical Coal"),
        (r"packag|container|glass", "Containers & Packaging"),
        (
            r"construction materials|building materials|cement|aggregates|quarr",
            "Construction Materials",
        ),
        (r"paper|forest|pulp", "Paper & Forest Products"),
        (r"steel|aluminum|metals|mining|gold|silver|copper|mineral resources", "Metals & Mining"),
        (
            r"chemical|fertili[sz]er|industrial gas|coatings|adhesives|flavors|fragrance"
            r"|agricultur",
            "Chemicals",
        ),
        # Real Estate
        (r"health care reit|health ?care|medical", "Health Care REITs"),
        (r"hotel|resort|hospitality|lodging", "Hotel & Resort REITs"),
        (r"office reit", "Office REITs"),
        (r"industrial reit", "Industrial REITs"),
        (r"^residential reit|apartment|single-family|multi-family", "Residential REITs"),
        (r"retail reit|shopping|outlet|\bmalls?\b", "Retail REITs"),
        (
            r"self storage|specialized reit|data center|tower|telecommunications|timber"
            r"|information storage|outdoor advertising|communication services|internet",
            "Specialized REITs",
        ),
        (r"diversified reit", "Diversified REITs"),
        (
            r"real estate services|development|commercial real estate|property management"
            r"|land operations|private equity real estate|commercial property",
            "Real Estate Management & Development",
        ),
        # Utilities
        (r"water", "Water Utilities"),
        (
            r"electric utilit|electric utility|^electricity$|electric power industry",
            "Electric Utilities",
        ),
        (
            r"multiline utilit|diversified utilit|electric & gas|electricity and natural gas"
            r"|electricity natural gas|electric power natural gas",
            "Multi-Utilities",
        ),
        (
            r"renewable electricity|independent power|power generation|renewable",
            "Independent Power & Renewable Electricity Producers",
        ),
        (r"natural gas|gas utilit|gas distribution", "Gas Utilities"),
    ]
)

# Stage 2: words in the company name, for records whose labels are missing or generic.
INDUSTRY_NAME_RULES: tuple[_Rule, ...] = _rules(
    [
        (r"casino|gaming", "Casinos & Gaming"),
        (r"beauty", "Specialty Retail"),
        (r"beverage", "Soft Drinks & Non-alcoholic Beverages"),
        (r"petroleum|\boil\b|\bgas\b|energy|resources", "Oil & Gas Exploration & Production"),
        (r"banc|bank|savings", "Banks"),
        (r"insurance|assurance|life\b|casualty", "Insurance"),
        (r"capital|partners|investment|asset|securities|markets?\b|brokers", "Capital Markets"),
        (r"health services|healthcare", "Health Care Providers & Services"),
        (r"therapeutics|biosciences", "Biotechnology"),
        (r"airlines?\b|air lines", "Passenger Airlines"),
        (r"railway|railroad", "Ground Transportation"),
        (r"hotels?\b|hospitality|resorts", "Hotel & Resort REITs"),
        (r"homes\b|apartment|residential|communities", "Residential REITs"),
        (r"outlet|centers|shopping|\bmalls?\b", "Retail REITs"),
        (r"water", "Water Utilities"),
        (r"natural|\bgas\b", "Gas Utilities"),
        (r"energy|edison|electric|power|utilities", "Electric Utilities"),
    ]
)

# Stage 3: generic labels ("Financial services", "Healthcare", "Technology"), last resort.
INDUSTRY_GENERIC_LABEL_RULES: tuple[_Rule, ...] = _rules(
    [
        (r"media|telecom", "Media"),
        (r"retail", "Specialty Retail"),
        (r"consumer", "Household Products"),
        (r"oil|gas|petroleum|fossil|energy", "Oil & Gas Exploration & Production"),
        (r"financ", "Financial Services"),
        (r"health|medical", "Health Care Providers & Services"),
        (r"industrial|manufactur", "Machinery"),
        (r"transport", "Ground Transportation"),
        (r"service", "Commercial Services & Supplies"),
        (r"business services|technology|information technology|high tech", "IT Services"),
        (r"basic materials|chemical", "Chemicals"),
        (r"real estate investment trust|reit", "Diversified REITs"),
        (r"real estate", "Real Estate Management & Development"),
        (r"utilit|energy|electric", "Electric Utilities"),
    ]
)

# US states, D.C. and Puerto Rico: a headquarters there means the company is American.
_US_STATES = frozenset(
    (
        "Alabama",
        "Alaska",
        "Arizona",
        "Arkansas",
        "California",
        "Colorado",
        "Connecticut",
        "Delaware",
        "Florida",
        "Georgia",
        "Hawaii",
        "Idaho",
        "Illinois",
        "Indiana",
        "Iowa",
        "Kansas",
        "Kentucky",
        "Louisiana",
        "Maine",
        "Maryland",
        "Massachusetts",
        "Michigan",
        "Minnesota",
        "Mississippi",
        "Missouri",
        "Montana",
        "Nebraska",
        "Nevada",
        "New Hampshire",
        "New Jersey",
        "New Mexico",
        "New York",
        "North Carolina",
        "North Dakota",
        "Ohio",
        "Oklahoma",
        "Oregon",
        "Pennsylvania",
        "Rhode Island",
        "South Carolina",
        "South Dakota",
        "Tennessee",
        "Texas",
        "Utah",
        "Vermont",
        "Virginia",
        "Washington",
        "West Virginia",
        "Wisconsin",
        "Wyoming",
        "D.C.",
        "District of Columbia",
        "Puerto Rico",
    )
)
US_COUNTRY = "United States"

_OVERRIDES_PATH = Path(__file__).parent / "data" / "security_overrides.csv"
OVERRIDABLE_FIELDS: tuple[str, ...] = ("sector", "industry", "name", "isin", "country")


@dataclass(frozen=True)
class SecurityRecord:
    """One security of the master: what the Django `Security` model stores."""

    ticker: str
    name: str
    sector: str
    industry: str
    country: str
    isin: str
    indices: tuple[str, ...]


@dataclass(frozen=True)
class SecurityOverride:
    """One reviewed correction: `field` of `ticker` becomes `value`, for `reason`."""

    ticker: str
    field: str
    value: str
    reason: str


def ticker_normalize(raw: str) -> str:
    """Upper-case a ticker and write share classes with a dot (BRK-B, BRK/B, BRK B -> BRK.B)."""
    cleaned = raw.strip().upper()
    return re.sub(r"[-/ ]+", ".", cleaned)


def isin_is_valid(isin: str) -> bool:
    """Check an ISIN's shape and its Luhn check digit (ISO 6166)."""
    if not re.fullmatch(r"[A-Z]{2}[A-Z0-9]{9}[0-9]", isin):
        return False
    digits = "".join(str(int(char, 36)) for char in isin[:-1])
    total = 0
    # Luhn from the right, starting with the digit next to the check digit (doubled).
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            value = value - 9 if value > 9 else value
        total += value
    return (10 - total % 10) % 10 == int(isin[-1])


def country_from_headquarters(headquarters: str) -> str:
    """Turn Wikipedia's "City, State" or "City, Country" headquarters into a country name.

    US states, D.C. and Puerto Rico give "United States", as does a missing value ("none"):
    every member of these indices is US-listed.
    """
    first_place = headquarters.split(";")[0].strip()
    if not first_place or first_place.lower() == "none":
        return US_COUNTRY
    region = first_place.split(",")[-1].strip()
    if region in _US_STATES:
        return US_COUNTRY
    return region


def name_clean(raw: str) -> str:
    """Drop Wikipedia's disambiguation suffixes ("Wiley (publisher)") but keep share classes."""
    return re.sub(r"\s*\((?![^)]*\bclass\b)[^)]*\)\s*$", "", raw.strip(), flags=re.IGNORECASE)


def sector_pick(listed_sectors: Sequence[str]) -> str:
    """Pick one GICS sector from those Wikipedia lists, by `SECTOR_PRECEDENCE`."""
    for sector in SECTOR_PRECEDENCE:
        if sector in listed_sectors:
            return sector
    raise ValueError(f"no GICS sector among {list(listed_sectors)!r}")


def industry_pick(*, labels: Sequence[str], name: str, sector: str) -> str:
    """Pick the industry: specific labels, then name words, then generic labels, then fallback.

    Within each stage only industries of `sector` are considered, so a label copied from a
    different company (General Motors carries "Food & Tobacco") cannot move a security into an
    industry of another sector.
    """
    lowered_labels = [label.lower() for label in labels]
    stages: tuple[tuple[tuple[_Rule, ...], list[str]], ...] = (
        (INDUSTRY_LABEL_RULES, lowered_labels),
        (INDUSTRY_NAME_RULES, [name.lower()]),
        (INDUSTRY_GENERIC_LABEL_RULES, lowered_labels),
    )
    for rules, texts in stages:
        for pattern, industry in rules:
            if INDUSTRY_SECTOR[industry] != sector:
                continue
            if any(pattern.search(text) for text in texts):
                return industry
    return SECTOR_FALLBACK_INDUSTRY[sector]


def security_overrides_load(path: Path | None = None) -> tuple[SecurityOverride, ...]:
    """Read the reviewed override table (CSV: ticker, field, value, reason)."""
    source = path or _OVERRIDES_PATH
    overrides = []
    with source.open(newline="", encoding="utf-8") as handle:
        rows = (row for row in handle if row.strip() and not row.startswith("#"))
        for row in csv.DictReader(rows):
            override = SecurityOverride(
                ticker=ticker_normalize(row["ticker"]),
                field=row["field"].strip(),
                value=row["value"].strip(),
                reason=row["reason"].strip(),
            )
            if override.field not in OVERRIDABLE_FIELDS:
                raise ValueError(f"override for {override.ticker}: unknown field {override.field}")
            if not override.reason:
                raise ValueError(f"override for {override.ticker} {override.field} has no reason")
            overrides.append(override)
    return tuple(overrides)


def _isins_by_symbol(raw_stocks: Sequence[dict[str, object]]) -> dict[str, str]:
    """Keep an ISIN only if it is valid, belongs to one record, and is that record's only one."""
    claimants: dict[str, set[str]] = {}
    for stock in raw_stocks:
        for isin in _as_str_list(stock.get("isins")):
            claimants.setdefault(isin, set()).add(str(stock["symbol"]))
    chosen: dict[str, str] = {}
    for stock in raw_stocks:
        symbol = str(stock["symbol"])
        candidates = [
            isin
            for isin in dict.fromkeys(_as_str_list(stock.get("isins")))
            if isin_is_valid(isin) and claimants[isin] == {symbol}
        ]
        chosen[symbol] = candidates[0] if len(candidates) == 1 else ""
    return chosen


def _as_str_list(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return []


def _raw_index_members(index_name: str) -> list[dict[str, object]]:
    from pytickersymbols import PyTickerSymbols  # local: only the loader needs the package

    return [dict(stock) for stock in PyTickerSymbols().get_stocks_by_index(index_name)]


def security_records_build(
    raw_by_index: Sequence[tuple[str, Sequence[dict[str, object]]]],
) -> list[SecurityRecord]:
    """Build records by the rules (no overrides); a ticker in several indices appears once."""
    all_raw = [stock for _, stocks in raw_by_index for stock in stocks]
    isin_by_symbol = _isins_by_symbol(all_raw)
    records: dict[str, SecurityRecord] = {}
    for index_name, stocks in raw_by_index:
        for stock in stocks:
            ticker = ticker_normalize(str(stock["symbol"]))
            if ticker in records:
                existing = records[ticker]
                if index_name not in existing.indices:
                    records[ticker] = replace(existing, indices=(*existing.indices, index_name))
                continue
            labels = _as_str_list(stock.get("industries"))
            sector = sector_pick([label for label in labels if label in GICS_SECTORS])
            other_labels = [label for label in labels if label not in GICS_SECTORS]
            name = name_clean(str(stock["name"]))
            records[ticker] = SecurityRecord(
                ticker=ticker,
                name=name,
                sector=sector,
                industry=industry_pick(labels=other_labels, name=name, sector=sector),
                country=country_from_headquarters(str(stock.get("country") or "")),
                isin=isin_by_symbol[str(stock["symbol"])],
                indices=(index_name,),
            )
    return list(records.values())


def security_overrides_apply(
    records: Sequence[SecurityRecord], overrides: Sequence[SecurityOverride]
) -> list[SecurityRecord]:
    """Apply overrides in table order; an override for a ticker not in `records` is skipped."""
    by_ticker = {record.ticker: record for record in records}
    for override in overrides:
        record = by_ticker.get(override.ticker)
        if record is None:
            continue
        changes: dict[str, Any] = {override.field: override.value}
        by_ticker[override.ticker] = replace(record, **changes)
    for record in by_ticker.values():
        if record.sector not in GICS_SECTORS:
            raise ValueError(f"{record.ticker}: {record.sector!r} is not a GICS sector")
        if INDUSTRY_SECTOR.get(record.industry) != record.sector:
            raise ValueError(
                f"{record.ticker}: industry {record.industry!r} is not in sector {record.sector!r}"
            )
        if record.isin and not isin_is_valid(record.isin):
            raise ValueError(f"{record.ticker}: invalid ISIN {record.isin!r}")
    return [by_ticker[record.ticker] for record in records]


@lru_cache(maxsize=4)
def _security_master_cached(
    indices: tuple[str, ...], apply_overrides: bool
) -> tuple[SecurityRecord, ...]:
    unknown = [name for name in indices if name not in SUPPORTED_INDICES]
    if unknown:
        raise ValueError(f"unsupported indices {unknown}; choose from {SUPPORTED_INDICES}")
    records = security_records_build([(name, _raw_index_members(name)) for name in indices])
    if apply_overrides:
        records = security_overrides_apply(records, security_overrides_load())
    return tuple(sorted(records, key=lambda record: record.ticker))


def security_master_load(
    *, indices: Sequence[str] = SUPPORTED_INDICES, apply_overrides: bool = True
) -> list[SecurityRecord]:
    """Load the security master, sorted by ticker.

    Each ticker appears once; share classes (GOOGL/GOOG, FOXA/FOX) are separate securities,
    and `indices` lists every index the ticker belongs to.
    """
    return list(_security_master_cached(tuple(indices), apply_overrides))


def industries_used(records: Iterable[SecurityRecord]) -> dict[str, int]:
    """Count securities per industry, in `INDUSTRIES` order (handy for docs and admin pages)."""
    counts = {industry: 0 for industry in INDUSTRIES}
    for record in records:
        counts[record.industry] += 1
    return {industry: count for industry, count in counts.items() if count}
