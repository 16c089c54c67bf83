"""Typed entities of the network model and the :class:`Network` that holds them."""

from karavan.model.distributions import Distribution, Empirical, Fixed, LogNormal, Triangular, Uniform
from karavan.model.entities import (
    Continuation,
    DatasetInfo,
    Headway,
    HubOperation,
    Link,
    Node,
    OpeningHours,
    Service,
    Source,
    Tariff,
    UnitType,
    Weekly,
    WhenFull,
)
from karavan.model.enums import HubOpKind, Mode, NodeKind, ServiceKind, Unit, Weekday
from karavan.model.network import Network

__all__ = [
    "Continuation",
    "DatasetInfo",
    "Distribution",
    "Empirical",
    "Fixed",
    "Headway",
    "HubOpKind",
    "HubOperation",
    "Link",
    "LogNormal",
    "Mode",
    "Network",
    "Node",
    "NodeKind",
    "OpeningHours",
    "Service",
    "ServiceKind",
    "Source",
    "Tariff",
    "Triangular",
    "Uniform",
    "Unit",
    "UnitType",
    "Weekday",
    "Weekly",
    "WhenFull",
]
