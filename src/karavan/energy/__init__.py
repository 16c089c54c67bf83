"""Gas and power exchange across Central Asia and the Caspian, on PyPSA.

The energy half of karavan: an embedded, sourced network (``central-asia-energy``), scenarios on the same overlay
machinery as freight, and a linear optimal gas and power flow solved by PyPSA through linopy and HiGHS.
PyPSA comes with the ``energy`` extra (``pip install 'karavan[energy]'``); loading and validating a dataset
does not need it.

>>> from karavan.energy import load_energy
>>> ds = load_energy()
>>> ds.buses["kz-beyneu"].name_ru
'Бейнеу'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from karavan.energy.diff import EnergyDiff as EnergyDiff
    from karavan.energy.diff import diff_results as diff_results
    from karavan.energy.diff import diff_scenarios as diff_scenarios
    from karavan.energy.export import energy_geojson as energy_geojson
    from karavan.energy.export import export_pypsa as export_pypsa
    from karavan.energy.load import load_energy as load_energy
    from karavan.energy.load import validate_energy_dataset as validate_energy_dataset
    from karavan.energy.model import EnergyDataset as EnergyDataset
    from karavan.energy.results import EnergyResult as EnergyResult
    from karavan.energy.scenario import apply_energy_scenario as apply_energy_scenario
    from karavan.energy.scenario import list_energy_scenarios as list_energy_scenarios
    from karavan.energy.solver import solve as solve
    from karavan.energy.trade import trade_contributions as trade_contributions

_LAZY = {
    "EnergyDiff": "karavan.energy.diff",
    "diff_results": "karavan.energy.diff",
    "diff_scenarios": "karavan.energy.diff",
    "energy_geojson": "karavan.energy.export",
    "export_pypsa": "karavan.energy.export",
    "load_energy": "karavan.energy.load",
    "validate_energy_dataset": "karavan.energy.load",
    "EnergyDataset": "karavan.energy.model",
    "EnergyResult": "karavan.energy.results",
    "apply_energy_scenario": "karavan.energy.scenario",
    "list_energy_scenarios": "karavan.energy.scenario",
    "solve": "karavan.energy.solver",
    "trade_contributions": "karavan.energy.trade",
}


def __getattr__(name: str) -> Any:
    """Import public names lazily so ``import karavan.energy`` stays cheap and PyPSA-free."""
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'karavan.energy' has no attribute {name!r}")


__all__ = sorted(_LAZY)
