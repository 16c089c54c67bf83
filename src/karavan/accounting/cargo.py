"""The cargo an itinerary carries: unit type, count, gross weight, value."""

from __future__ import annotations

import math
from dataclasses import dataclass

from karavan.errors import InputError
from karavan.model.enums import Unit
from karavan.model.network import Network

GLEC_T_PER_TEU = 10.0
"""GLEC v3 default cargo mass of a loaded TEU (light 6 t, heavy 14.5 t), p. 21."""

_DEFAULT_TEU = {Unit.TEU: 1.0, Unit.FEU: 2.0, Unit.TONNE: 0.0}
_DEFAULT_GROSS_T = {Unit.TONNE: 1.0, Unit.TEU: GLEC_T_PER_TEU, Unit.FEU: 2 * GLEC_T_PER_TEU}


@dataclass(frozen=True, slots=True)
class Cargo:
    """A consignment: ``count`` units of ``unit``.

    Parameters
    ----------
    unit : Unit or str
        TEU, FEU, wagon, trailer or tonne (bulk; then ``count`` is in tonnes).
    count : float
        Number of units (a whole number except for ``tonne``); must be > 0.
    gross_t_per_unit : float or None
        Cargo mass per unit in tonnes (goods and packaging, not the container's own
        tare); ``None`` takes the default of the network's ``unit_types`` table, or
        GLEC's 10 t per loaded TEU (20 t per FEU) when the table lacks the unit.
    value_usd : float or None
        Value of the whole consignment, for inventory carrying cost.

    Raises
    ------
    karavan.errors.InputError
        Naming the field when a value is invalid.
    """

    unit: Unit
    count: float = 1
    gross_t_per_unit: float | None = None
    value_usd: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.unit, Unit):
            if not isinstance(self.unit, str):
                raise InputError("unit", self.unit, "one of " + ", ".join(Unit.choices()))
            object.__setattr__(self, "unit", Unit.parse(self.unit, field="unit"))
        c = self.count
        if isinstance(c, bool) or not isinstance(c, int | float) or not math.isfinite(c) or c <= 0:
            raise InputError("count", c, "a positive finite number")
        if self.unit is not Unit.TONNE and float(c) != int(c):
            raise InputError("count", c, f"a whole number of {self.unit.value} units")
        g = self.gross_t_per_unit
        if g is not None and (isinstance(g, bool) or not isinstance(g, int | float) or not math.isfinite(g) or g <= 0):
            raise InputError("gross_t_per_unit", g, "a positive finite mass in tonnes, or None for the default")
        v = self.value_usd
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v < 0):
            raise InputError("value_usd", v, "a non-negative finite amount in USD, or None")

    def t_per_unit(self, net: Network) -> float:
        """Cargo mass of one unit in tonnes: the given gross weight, else the network default."""
        if self.gross_t_per_unit is not None:
            return float(self.gross_t_per_unit)
        ut = net.unit_types.get(self.unit)
        if ut is not None:
            return ut.gross_t
        default = _DEFAULT_GROSS_T.get(self.unit)
        if default is None:
            raise InputError(
                "unit", self.unit.value, "a unit type defined in the network's unit_types, or a gross_t_per_unit"
            )
        return default

    def tonnes(self, net: Network) -> float:
        """Total cargo mass in tonnes."""
        return float(self.count) * self.t_per_unit(net)

    def teu(self, net: Network) -> float:
        """Total TEU; bulk tonnes convert at GLEC's 10 t per TEU."""
        if self.unit is Unit.TONNE:
            return float(self.count) * self.t_per_unit(net) / GLEC_T_PER_TEU
        ut = net.unit_types.get(self.unit)
        per = ut.teu if ut is not None else _DEFAULT_TEU.get(self.unit)
        if per is None:
            raise InputError("unit", self.unit.value, "a unit type defined in the network's unit_types")
        return float(self.count) * per

    def tare_t(self, net: Network) -> float:
        """Total tare of the units (``tare_t`` of the unit type, 0 where unknown)."""
        ut = net.unit_types.get(self.unit)
        if ut is None or ut.tare_t is None:
            return 0.0
        return float(self.count) * ut.tare_t

    def containers(self, net: Network) -> float:
        """Containers handled at a hub: the count of TEU/FEU, else the TEU equivalent."""
        if self.unit in (Unit.TEU, Unit.FEU):
            return float(self.count)
        return self.teu(net)
