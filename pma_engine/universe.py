"""The one key for a security across the engine boundary: its id, lined up by one helper.

A `Universe` is an ordered list of security ids with their tickers, sectors and industries for
display. Everything the engine works on (risk model rows, target weights, lots, prices) is an
array in universe order; `universe_align` is the one place where id-keyed inputs become those
arrays. Legacy (firm-owned) securities have a place in the universe like any other; the risk
model has never seen them and gives them a flagged proxy row of their sector. No Django import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from pma_engine.risk import FactorRiskModel

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Universe:
    """Security ids in a fixed order; index i of every aligned array is `ids[i]`.

    `is_legacy[i]` marks a firm's own (legacy) security: it is never matched to a master name
    of the same ticker in the risk model.
    """

    ids: IntArray
    tickers: tuple[str, ...]
    sectors: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    is_legacy: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        ids = np.array(self.ids, dtype=np.int64).reshape(-1)
        count = len(ids)
        if len(np.unique(ids)) != count:
            seen: set[int] = set()
            duplicate = next(int(i) for i in ids if int(i) in seen or seen.add(int(i)))
            raise ValueError(f"security id {duplicate} appears twice in the universe")
        tickers = tuple(self.tickers)
        sectors = tuple(self.sectors) or ("",) * count
        industries = tuple(self.industries) or ("",) * count
        is_legacy = (
            np.array(self.is_legacy, dtype=bool) if len(self.is_legacy) else np.zeros(count, bool)
        )
        for name, values in (
            ("tickers", tickers),
            ("sectors", sectors),
            ("industries", industries),
            ("is_legacy", is_legacy),
        ):
            if len(values) != count:
                raise ValueError(f"{name} must have one entry per id ({count}), got {len(values)}")
        ids.setflags(write=False)
        is_legacy.setflags(write=False)
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "tickers", tickers)
        object.__setattr__(self, "sectors", sectors)
        object.__setattr__(self, "industries", industries)
        object.__setattr__(self, "is_legacy", is_legacy)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, security_id: object) -> bool:
        return isinstance(security_id, int | np.integer) and int(security_id) in self._position

    @cached_property
    def _position(self) -> dict[int, int]:
        return {int(security_id): index for index, security_id in enumerate(self.ids)}

    def index_of(self, security_id: int) -> int:
        """Position of one id; KeyError naming the id if it is not in the universe."""
        try:
            return self._position[int(security_id)]
        except KeyError:
            raise KeyError(f"security id {security_id} is not in the universe") from None

    def positions(self, security_ids: Iterable[int]) -> IntArray:
        """Positions of many ids at once (same order); KeyError names the first unknown id."""
        position = self._position
        ids = list(security_ids)
        try:
            return np.fromiter((position[int(i)] for i in ids), dtype=np.int64, count=len(ids))
        except KeyError as error:
            raise KeyError(f"security id {error.args[0]} is not in the universe") from None

    def align(self, values_by_id: Mapping[int, float], *, default: float = 0.0) -> FloatArray:
        """An id -> value mapping as an array in universe order (`default` where missing).

        Raises KeyError naming an id of the mapping that the universe does not hold, so that a
        weight is never dropped silently.
        """
        result = np.full(len(self), default, dtype=np.float64)
        if values_by_id:
            keys = list(values_by_id)
            result[self.positions(keys)] = np.array(
                [float(values_by_id[k]) for k in keys], dtype=np.float64
            )
        return result

    def mask(self, security_ids: Iterable[int]) -> BoolArray:
        """True at the positions of `security_ids` that the universe holds (others ignored)."""
        mask = np.zeros(len(self), dtype=bool)
        position = self._position
        rows = [position[int(i)] for i in security_ids if int(i) in position]
        mask[rows] = True
        return mask

    @property
    def risk_keys(self) -> tuple[str, ...]:
        """The name each entry has in a ticker-keyed stored risk model: the ticker for a master
        security, `TICKER#id` for a legacy one (never found, hence a proxy row)."""
        return tuple(
            f"{ticker}#{security_id}" if legacy else ticker
            for security_id, ticker, legacy in zip(
                self.ids.tolist(), self.tickers, self.is_legacy.tolist(), strict=True
            )
        )

    def extended(self, other: Universe) -> Universe:
        """This universe followed by the ids of `other` it does not hold yet (order kept)."""
        new = [i for i, security_id in enumerate(other.ids.tolist()) if security_id not in self]
        if not new:
            return self
        return Universe(
            ids=np.concatenate([self.ids, other.ids[new]]),
            tickers=self.tickers + tuple(other.tickers[i] for i in new),
            sectors=self.sectors + tuple(other.sectors[i] for i in new),
            industries=self.industries + tuple(other.industries[i] for i in new),
            is_legacy=np.concatenate([self.is_legacy, other.is_legacy[new]]),
        )

    def subset(self, positions: Sequence[int] | IntArray) -> Universe:
        """The universe restricted to (and ordered as) the given positions."""
        rows = np.asarray(positions, dtype=np.int64)
        return Universe(
            ids=self.ids[rows],
            tickers=tuple(self.tickers[i] for i in rows.tolist()),
            sectors=tuple(self.sectors[i] for i in rows.tolist()),
            industries=tuple(self.industries[i] for i in rows.tolist()),
            is_legacy=self.is_legacy[rows],
        )


def risk_model_align(model: FactorRiskModel, universe: Universe) -> FactorRiskModel:
    """The stored (ticker-keyed) risk model with one row per universe entry, in its order.

    Names the model does not know, legacy securities included, get a flagged proxy row built
    from their sector's peers. The result's `tickers` are `universe.risk_keys`.
    """
    keys = universe.risk_keys
    return model.reindex(keys, sectors=dict(zip(keys, universe.sectors, strict=True)))


@dataclass(frozen=True, eq=False)
class Aligned:
    """Inputs of one engine call, each an array in universe order."""

    universe: Universe
    risk_model: FactorRiskModel | None
    target: FloatArray  # weights, 0 where the target holds nothing
    prices: FloatArray  # NaN where no price is known
    shares: FloatArray  # held shares per security (all lots given), 0 where none


def universe_align(
    universe: Universe,
    *,
    risk_model: FactorRiskModel | None = None,
    target: Mapping[int, float] | None = None,
    prices: Mapping[int, float] | None = None,
    lot_security: npt.ArrayLike | None = None,
    lot_shares: npt.ArrayLike | None = None,
) -> Aligned:
    """Line up the risk model, the target, the prices and the lots on one universe.

    `target` and `prices` are keyed by security id; lots are given as universe positions
    (`HouseholdLots.lot_security`) with their shares. An id outside the universe is an error
    naming it, never a silent drop.
    """
    count = len(universe)
    shares = np.zeros(count, dtype=np.float64)
    if lot_security is not None:
        positions = np.asarray(lot_security, dtype=np.int64)
        amounts = np.asarray(lot_shares if lot_shares is not None else [], dtype=np.float64)
        if amounts.shape != positions.shape:
            raise ValueError("lot_security and lot_shares must have the same length")
        if positions.size and (positions.min() < 0 or positions.max() >= count):
            raise IndexError(f"a lot points outside the universe of {count} securities")
        np.add.at(shares, positions, amounts)
    for array in (shares,):
        array.setflags(write=False)
    target_array = universe.align(target or {})
    price_array = universe.align(prices or {}, default=np.nan)
    target_array.setflags(write=False)
    price_array.setflags(write=False)
    return Aligned(
        universe=universe,
        risk_model=risk_model_align(risk_model, universe) if risk_model is not None else None,
        target=target_array,
        prices=price_array,
        shares=shares,
    )
