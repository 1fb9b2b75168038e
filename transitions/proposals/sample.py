"""A synthetic, full-size `ProposalData` (no database): for the benchmark and for previews.

Four scenarios over five years with percentile bands, a frontier sweep, a holdings list of
`holdings` names and a first year of trades; numbers are plausible, seeded, and made up.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from pma_engine.tax import money_round
from transitions.proposals.disclosures import DISCLOSURES
from transitions.proposals.types import (
    Assumptions,
    Band,
    Branding,
    Customization,
    FrontierPoint,
    Holding,
    ProposalData,
    ScenarioSummary,
    Trade,
    YearFigures,
)


def _scenario(name: str, label: str, taxes: list[float], te: list[float], *, rec: bool):
    years = tuple(
        YearFigures(
            year=i + 1,
            realized_st=round(tax * 0.3 / 0.408, 2),
            realized_lt=round(tax * 0.7 / 0.238, 2),
            harvested_losses=round(tax * 0.15, 2),
            tax=tax,
            loss_carryforward=0.0,
            tracking_error=te[i],
            in_target=min(1.0, 0.35 + 0.15 * (i + 1) + (0.5 if name == "immediate" else 0)),
            unrealized_gain=round(250_000 - sum(taxes[: i + 1]) * 3, 2),
            turnover=0.6 if i == 0 and name == "immediate" else 0.12,
            trades=120 if i == 0 else 40,
            tax_band=Band(round(tax * 0.8, 2), tax, round(tax * 1.25, 2)),
            tracking_error_band=Band(te[i] * 0.85, te[i], te[i] * 1.2),
        )
        for i, tax in enumerate(taxes)
    )
    reached = next((y.year for y in years if y.tracking_error <= 0.005), None)
    return ScenarioSummary(
        name=name,
        label=label,
        is_recommended=rec,
        years=years,
        total_tax=round(sum(taxes), 2),
        years_to_target=reached,
        years_to_target_band=Band(reached, reached, (reached or 5) + 1) if reached else None,
        reached_share=0.9 if reached else 0.0,
        after_tax_value=round(1_400_000 - sum(taxes) * 1.1, 2),
        after_tax_band=Band(1_150_000.0, 1_390_000.0, 1_650_000.0),
        liquidation_value=round(1_330_000 - sum(taxes) * 0.2, 2),
    )


def proposal_data_sample(*, holdings: int = 500, seed: int = 7) -> ProposalData:
    rng = random.Random(seed)
    scenarios = (
        _scenario(
            "immediate",
            "Immediate",
            [61_250.4, 0.0, 0.0, 0.0, 0.0],
            [0.0042, 0.0044, 0.0045, 0.0046, 0.0047],
            rec=False,
        ),
        _scenario(
            "timeline:3",
            "Timeline, 3 years",
            [21_300.1, 19_850.75, 18_990.0, 1_200.0, 900.0],
            [0.021, 0.012, 0.0048, 0.0047, 0.0046],
            rec=True,
        ),
        _scenario(
            "timeline:5",
            "Timeline, 5 years",
            [12_800.0, 12_100.5, 11_900.0, 11_400.2, 10_950.0],
            [0.026, 0.019, 0.013, 0.008, 0.0049],
            rec=False,
        ),
        _scenario(
            "gain_budget:0",
            "Zero net gain",
            [0.0, 0.0, 0.0, 0.0, 0.0],
            [0.031, 0.029, 0.027, 0.026, 0.025],
            rec=False,
        ),
    )
    rows = []
    for i in range(holdings):
        shares = Decimal(rng.randint(5, 900))
        price = money_round(Decimal(str(rng.uniform(8, 600))))
        value = money_round(shares * price)
        basis = money_round(value * Decimal(str(rng.uniform(0.4, 1.4))))
        gain = value - basis
        long_share = Decimal(str(rng.choice([0, 0.5, 1, 1])))
        rows.append(
            Holding(
                ticker=f"T{i:03d}",
                name=f"Sample Company {i} Incorporated",
                shares=shares,
                price=price,
                market_value=value,
                cost_basis=basis,
                unrealized_short=money_round(gain * (1 - long_share)),
                unrealized_long=money_round(gain * long_share),
                is_in_target=i % 9 != 0,
            )
        )
    rows.sort(key=lambda h: (-h.market_value, h.ticker))
    trades = [
        Trade(
            action="Sell",
            ticker=h.ticker,
            name=h.name,
            shares=float(h.shares),
            price=h.price,
            amount=h.market_value,
            acquired_on=date(2019, 3, 4) + timedelta(days=17 * i),
            is_long_term=True,
            gain=h.unrealized_long + h.unrealized_short,
        )
        for i, h in enumerate(r for r in rows if not r.is_in_target)
    ][:40]
    trades += [
        Trade(
            action="Buy",
            ticker=h.ticker,
            name=h.name,
            shares=12.5,
            price=h.price,
            amount=money_round(h.price * Decimal("12.5")),
        )
        for h in rows[:30]
    ]
    frontier = tuple(
        FrontierPoint(
            label=f"Gain budget ${budget:,} a year" if budget else "Zero net gain",
            scenario=f"gain_budget:{budget}",
            total_tax=budget * 0.9 * 0.3,
            mean_tracking_error=0.03 / (1 + budget / 40_000),
            years_to_target=None if budget < 50_000 else 3,
            is_named=False,
        )
        for budget in (0, 10_000, 25_000, 50_000, 100_000, 250_000)
    ) + tuple(
        FrontierPoint(
            label=s.label,
            scenario=s.name,
            total_tax=s.total_tax,
            mean_tracking_error=sum(y.tracking_error for y in s.years) / len(s.years),
            years_to_target=s.years_to_target,
            is_named=True,
            is_recommended=s.is_recommended,
        )
        for s in scenarios
    )
    return ProposalData(
        title="Transition proposal",
        client_name="The Sample Household",
        account_name="Joint brokerage",
        account_description="Taxable · Schwab ••••1234",
        advisor_name="Alex Advisor",
        advisor_note="We discussed spreading the gains over three years to stay in the 15 % "
        "bracket. Call me with any questions.",
        prepared_on=date(2026, 12, 1),
        version=2,
        branding=Branding(name="Harbor Point Advisors", color="#1f4e8c"),
        strategy_name="DI Large Cap",
        strategy_kind="Direct indexing",
        strategy_description="Several hundred large US companies that track the S&P 500.",
        target_tracking_error=0.0061,
        customizations=(
            Customization(
                "Fossil fuels",
                "category",
                "No holdings in Fossil fuels: 23 companies of the strategy (3.9% of its weight) "
                "left out; the rest re-weighted to stay close to it.",
                23,
                0.039,
                0.0041,
            ),
            Customization(
                "Do not hold: Tobacco",
                "restriction",
                "Do not hold: Tobacco. 3 companies of the strategy left out.",
                3,
                0.006,
                0.0012,
            ),
        ),
        initial_value=1_312_455.12,
        initial_tracking_error=0.0312,
        scenarios=scenarios,
        holdings=tuple(rows),
        first_year_trades=tuple(trades),
        frontier=frontier,
        frontier_kind="gain_budget",
        assumptions=Assumptions(
            as_of=date(2026, 12, 1),
            years=5,
            te_goal=0.005,
            drift=0.06,
            paths=100,
            seed=7,
            short_term_rate=0.408,
            long_term_rate=0.238,
            filing_status="Married filing jointly",
            risk_model="statistical factor model (20 factors)",
            risk_model_as_of=date(2026, 11, 30),
            risk_model_is_synthetic=True,
            prices_on=date(2026, 11, 30),
            prices_are_synthetic=True,
            target_source="customized",
            analysis_id="00000000-0000-0000-0000-000000000000",
        ),
        sell_now=scenarios[0],
        disclosures=DISCLOSURES,
    )
