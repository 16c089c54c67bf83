"""Typed entities of the network model and the :class:`Network` that holds them.

Names are imported on first use, so ``karavan.model.enums`` alone stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from karavan import _lazy

if TYPE_CHECKING:
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

_LAZY = {
    **dict.fromkeys(("Distribution", "Empirical", "Fixed", "LogNormal", "Triangular", "Uniform"),
                    "karavan.model.distributions"),
    **dict.fromkeys(
        ("Continuation", "DatasetInfo", "Headway", "HubOperation", "Link", "Node", "OpeningHours", "Service",
         "Source", "Tariff", "UnitType", "Weekly", "WhenFull"),
        "karavan.model.entities",
    ),
    **dict.fromkeys(("HubOpKind", "Mode", "NodeKind", "ServiceKind", "Unit", "Weekday"), "karavan.model.enums"),
    "Network": "karavan.model.network",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    """Import public names on first use."""
    return _lazy.attribute(__name__, _LAZY, name)


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
