"""Vocabulary of the model as case-insensitive enums that reject unknown values clearly."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class _CIEnum(StrEnum):
    """A string enum that accepts any case and names the allowed values when it rejects one."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            low = value.strip().lower()
            for member in cls:
                if member.value.lower() == low or member.name.lower() == low:
                    return member
        return None

    @classmethod
    def choices(cls) -> list[str]:
        """All accepted values."""
        return [m.value for m in cls]

    @classmethod
    def parse(cls, value: str, *, field: str) -> Any:
        """Parse ``value`` or raise :class:`~karavan.errors.InputError` naming ``field``."""
        from karavan.errors import InputError

        try:
            return cls(value)
        except ValueError:
            raise InputError(field, value, "one of " + ", ".join(cls.choices())) from None


class NodeKind(_CIEnum):
    """What kind of place a node is."""

    CITY = "city"
    SEAPORT = "seaport"
    RAIL_TERMINAL = "rail_terminal"
    DRY_PORT = "dry_port"
    BORDER_POST = "border_post"
    JUNCTION = "junction"
    ROAD_TERMINAL = "road_terminal"


class Mode(_CIEnum):
    """Physical mode of a link or service."""

    RAIL = "rail"
    ROAD = "road"
    SEA = "sea"

    @property
    def is_waterborne(self) -> bool:
        """Whether the mode crosses water (its legs are named by their line, e.g. a ferry)."""
        return self is Mode.SEA

    @property
    def enters_at_calls(self) -> bool:
        """Whether a unit on board enters the country of every stop it passes.

        On land it does (a train or a truck crosses each border on its way). A box aboard
        a ship stays aboard at a transit call and enters a country only where it is
        discharged: a sea ride is cleared once, into the discharge country.
        """
        return self is not Mode.SEA

    @property
    def ileap_mode(self) -> str:
        """The mode's name in the iLEAP data model (``TransportMode``: Rail, Road, Sea)."""
        return self.value.capitalize()


class ServiceKind(_CIEnum):
    """Commercial product that moves units."""

    BLOCK_TRAIN = "block_train"
    RAIL_FERRY = "rail_ferry"
    RORO = "roro"
    FEEDER = "feeder"
    CONTAINER_SHIP = "container_ship"
    TRUCK = "truck"

    @property
    def rolls_on(self) -> bool:
        """Whether units board on their own wheels (a rail ferry, a Ro-Ro or Ro-Pax ship).

        A container then crosses on its carrier unit, a wagon or a trailer: the fare, the
        capacity it takes and its gross mass follow that carrier (:data:`CARRIER_OF_MODE`).
        """
        return self in (ServiceKind.RAIL_FERRY, ServiceKind.RORO)


SERVICE_MODE: dict[ServiceKind, Mode] = {
    ServiceKind.BLOCK_TRAIN: Mode.RAIL,
    ServiceKind.RAIL_FERRY: Mode.SEA,
    ServiceKind.RORO: Mode.SEA,
    ServiceKind.FEEDER: Mode.SEA,
    ServiceKind.CONTAINER_SHIP: Mode.SEA,
    ServiceKind.TRUCK: Mode.ROAD,
}
"""The physical mode each service kind runs on."""


class Unit(_CIEnum):
    """Unit types cargo travels in."""

    TEU = "TEU"
    FEU = "FEU"
    WAGON = "wagon"
    TRAILER = "trailer"
    TONNE = "tonne"

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str) and value.strip().lower() in {"tonnes", "t", "bulk"}:
            return cls.TONNE
        return super()._missing_(value)

    @property
    def is_container(self) -> bool:
        """A box (TEU or FEU) that rides on a carrier unit aboard a roll-on ship."""
        return self in (Unit.TEU, Unit.FEU)


CARRIER_OF_MODE: dict[Mode, Unit] = {Mode.RAIL: Unit.WAGON, Mode.ROAD: Unit.TRAILER}
"""The carrier unit a container arrives on by each land mode, and rolls aboard a ferry on."""

CONTAINERS_PER_CARRIER: dict[tuple[Unit, Unit], int] = {
    (Unit.WAGON, Unit.TEU): 2,
    (Unit.WAGON, Unit.FEU): 1,
    (Unit.TRAILER, Unit.TEU): 1,
    (Unit.TRAILER, Unit.FEU): 1,
}
"""Containers one carrier takes: a 1520 mm flat wagon one 40' or two 20'; a semi-trailer chassis one box."""


class HubOpKind(_CIEnum):
    """ISO 14083-style hub operation kinds."""

    TRANSSHIPMENT = "transshipment"
    GAUGE_CHANGE = "gauge_change"
    PORT_HANDLING = "port_handling"
    BORDER_CROSSING = "border_crossing"
    TERMINAL = "terminal"
    MARSHALLING = "marshalling"


TRANSFER_KINDS = frozenset(
    {HubOpKind.TRANSSHIPMENT, HubOpKind.GAUGE_CHANGE, HubOpKind.PORT_HANDLING, HubOpKind.MARSHALLING}
)
"""Hub operation kinds that allow a unit to change from one service to another."""


class Weekday(_CIEnum):
    """Days of the week, Monday first (``datetime.weekday()`` order)."""

    MON = "Mon"
    TUE = "Tue"
    WED = "Wed"
    THU = "Thu"
    FRI = "Fri"
    SAT = "Sat"
    SUN = "Sun"

    @property
    def number(self) -> int:
        """0 for Monday ... 6 for Sunday."""
        return list(Weekday).index(self)
