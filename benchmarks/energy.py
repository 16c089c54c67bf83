"""Energy benchmark and validation: one year of the embedded ``central-asia-energy`` dataset on PyPSA.

Measured in one run (PyPSA imported first, results never taken from the cache):

- ``solve_year_s``: :func:`karavan.energy.solve` of the base year at typical-day resolution (network build,
  PyPSA/linopy/HiGHS optimisation, extraction of flows, prices, duals and trade); target < 20 s;
- ``diff_s``: ``energy diff base trans-caspian-early-gas`` (both years solved, then compared); target < 45 s;
- ``pypsa_optimize_s``: the peer, PyPSA's own ``Network.optimize`` on the same prebuilt network (the floor under
  ``solve_year_s``), and ``build_s``, karavan's network build;
- ``peak_rss_mb``: peak resident memory of the process; ``buses``, ``snapshots``: the problem size.

The validation figures (published figures for checking, never fitted) are printed beside the model's:
CAGP deliveries (42 bcm in one recent year), Korpeje-Kurt Kui (never above 6.5 bcm/yr), Turkmenistan ->
Uzbekistan power (4.2-4.5 TWh/yr in 2021-22), West Kazakhstan transfers (limits of 200 MW), and Kazakhstan's 2030
deficit (up to 6.2 GW). ``--json`` prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from typing import Any

from karavan.energy import load_energy
from karavan.energy.diff import diff_results
from karavan.energy.network import build_network, require_pypsa
from karavan.energy.results import EnergyResult
from karavan.energy.scenario import apply_energy_scenario
from karavan.energy.solver import optimise, solve


def _rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def _west_transfer_mw(r: EnergyResult) -> float:
    n = r.network
    cols = [c for c in ("kz-west-atyrau", "kz-atyrau-mangystau") if c in n.lines_t.p0.columns]
    return float(n.lines_t.p0[cols].abs().max().max()) if cols else 0.0


def _kz_peak_shortfall_mw(r: EnergyResult) -> float:
    """Peak over the snapshots of Kazakhstan's net power imports plus its unserved load, MW."""
    n = r.network
    kz = {b for b in n.buses.index if n.buses.at[b, "country"] == "KZ" and n.buses.at[b, "carrier"] == "AC"}
    total = None
    for name in n.lines.index:
        b0, b1 = n.lines.at[name, "bus0"], n.lines.at[name, "bus1"]
        if (b0 in kz) != (b1 in kz):
            flow = n.lines_t.p0[name] * (1 if b1 in kz else -1)
            total = flow if total is None else total + flow
    for name in n.links.index:
        b0, b1 = n.links.at[name, "bus0"], n.links.at[name, "bus1"]
        if b1 in kz and b0 not in kz and n.buses.at[b0, "carrier"] == "AC":
            flow = -n.links_t.p1[name]
            total = flow if total is None else total + flow
    shed = [c for c in n.generators.index if c.endswith("~unserved") and n.generators.at[c, "bus"] in kz]
    if shed:
        unserved = n.generators_t.p[shed].sum(axis=1)
        total = unserved if total is None else total + unserved
    return float(total.max()) if total is not None else 0.0


def validation(base: EnergyResult, deficit: EnergyResult) -> dict[str, Any]:
    """Model figures beside the published ones."""
    cagp = sum(base.flow(f).forward for f in ("cagp-tm", "cagp-uz", "cagp-kz"))
    return {
        "cagp_delivered_bcm": {"model": round(cagp, 2), "published": 42.0, "ratio": round(cagp / 42.0, 3)},
        "korpeje_kurt_kui_bcm": {"model": round(base.flow("korpeje-kurt-kui").forward, 2), "published_max": 6.5},
        "tm_uz_power_twh": {
            "model": round(base.flow("tm-uz-export").forward, 3),
            "published": [4.21, 4.529],
            "ratio_to_mid": round(base.flow("tm-uz-export").forward / 4.37, 3),
        },
        "west_kz_transfer_max_mw": {"model": round(_west_transfer_mw(base), 1), "published_limit": 200.0},
        "kz_2030_peak_shortfall_mw": {"model": round(_kz_peak_shortfall_mw(deficit), 0), "published": 6200.0},
        "kz_2024_peak_shortfall_mw": {
            "model": round(_kz_peak_shortfall_mw(base), 0),
            "published_winter_2024_25": 1025.0,
        },
    }


def run() -> dict[str, Any]:
    """Run the benchmark; return the figures."""
    t0 = time.perf_counter()
    require_pypsa()
    import_s = time.perf_counter() - t0
    ds = load_energy()
    t0 = time.perf_counter()
    network = build_network(ds)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    optimise(network)
    pypsa_optimize_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    base = solve(ds, use_cache=False)
    solve_year_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    b = solve(ds, use_cache=False)
    s = solve(apply_energy_scenario(ds, "trans-caspian-early-gas"), use_cache=False)
    d = diff_results(b, s)
    d.to_dict()
    diff_s = time.perf_counter() - t0
    deficit = solve(apply_energy_scenario(ds, "kz-2030-deficit"), use_cache=False)
    return {
        "solve_year_s": round(solve_year_s, 3),
        "diff_s": round(diff_s, 3),
        "pypsa_optimize_s": round(pypsa_optimize_s, 3),
        "build_s": round(build_s, 3),
        "import_pypsa_s": round(import_s, 3),
        "peak_rss_mb": round(_rss_mb(), 1),
        "buses": base.buses,
        "snapshots": base.snapshots,
        "targets": {"solve_year_s": 20.0, "diff_s": 45.0},
        "validation": validation(base, deficit),
        "early_gas_tcp_bcm": round(s.flow("tcp").forward, 3),
    }


def main(argv: list[str] | None = None) -> None:
    """Print the figures (``--json`` for one JSON object)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    out = run()
    if args.json:
        print(json.dumps(out))
        return
    for key, value in out.items():
        print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
