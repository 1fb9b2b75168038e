"""The disclosures every proposal ends with (the firm's compliance text would go here)."""

DISCLOSURES = (
    "This proposal is an illustration prepared by your advisor from the holdings, prices and "
    "tax rates recorded on the date shown. It is not tax, legal or accounting advice; consult "
    "your tax professional before acting on it.",
    "Future values are estimates. The expected path assumes every price grows at the stated "
    "rate; the simulated paths draw returns from a statistical risk model. Actual markets, "
    "taxes and results will differ, and you may lose money.",
    "Tax figures apply the stated combined rates to the gains each scenario realizes under US "
    "rules (holding periods, netting of gains and losses, the 3,000 USD yearly loss deduction "
    "and loss carryforwards, wash-sale rules across the household's accounts). State rules, "
    "the alternative minimum tax and other income are not modelled.",
    "Tracking error is the expected annual difference in return between the account and its "
    "target, estimated from the risk model; it is a measure of risk, not a forecast.",
    "Past performance does not guarantee future results. Personalized managed accounts hold "
    "individual securities and are subject to market risk.",
)
