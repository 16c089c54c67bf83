"""The shipped scenarios and the built-in 2024 demand against the embedded ``caspian`` dataset."""

from __future__ import annotations

import pytest

from karavan.capacity import assign, builtin_demand, list_scenarios
from karavan.capacity.scenario import apply_scenario
from karavan.model import Network


def test_every_shipped_scenario_applies_cleanly(caspian: Network) -> None:
    scenarios = list_scenarios()
    assert len(scenarios) >= 8
    for sc in scenarios:
        new = apply_scenario(caspian, sc)
        assert new.content_hash != caspian.content_hash, sc.name
        sc.apply_demand(builtin_demand(new), new)


def test_builtin_demand_resolves(caspian: Network) -> None:
    demand = builtin_demand(caspian)
    titr = [f for f in demand if f.commodity != "" and f.note and "Bolashak" not in f.note and "Iran" not in f.note]
    # the TITR total of 4.484 Mt less its oil residual (2.0655 Mt by tanker, outside the dry-cargo network)
    assert sum(f.volume_t for f in titr) == pytest.approx(4_484_000 - 2_065_500, rel=1e-9)
    assert all(f.source or f.estimate for f in demand)


def test_assign_2024_reports_every_od(caspian: Network) -> None:
    res = assign(caspian)
    assert len(res.od) == len(builtin_demand(caspian))
    for od in res.od:
        assert od.served_t + od.unserved_t == pytest.approx(od.flow.volume_t, rel=1e-9)
    assert res.solver["status"] == "optimal"


def test_the_lp_assignment_imports_no_scipy() -> None:
    """SciPy costs a quarter of a second to import; the LP assignment of the embedded demand does without it."""
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from karavan.capacity import assign\n"
        "from karavan.io import load_network\n"
        "assign(load_network())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'scipy'))\n"
    )
    env = {**os.environ, "KARAVAN_CACHE_DIR": "off"}  # built afresh, nothing read from or written to a cache
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip() == "[]"


def test_2024_shadow_prices_are_flagged_as_not_unique(caspian: Network) -> None:
    """Xi'an–Dostyk and Dostyk–Aktau are both full in series: the optimum is degenerate, the split of their price
    between them one choice among several, and the result says so."""
    from karavan.capacity.assignment import NOT_UNIQUE_NOTE

    res = assign(caspian)
    assert res.element("cn-xian-dostyk").utilisation == pytest.approx(1.0)
    assert res.element("kz-dostyk-aktau").utilisation == pytest.approx(1.0)
    assert res.shadow_prices_unique is False
    assert res.to_dict()["shadow_prices_unique"] is False
    assert NOT_UNIQUE_NOTE in res.notes
