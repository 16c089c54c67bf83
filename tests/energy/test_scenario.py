"""Energy scenarios on the shared overlay machinery."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from karavan.energy.load import load_energy
from karavan.energy.model import Status
from karavan.energy.scenario import apply_energy_scenario, dataset_for, list_energy_scenarios
from karavan.errors import InputError, ValidationError

SHIPPED = {
    "trans-caspian-early-gas",
    "trans-caspian-full",
    "cagp-line-d",
    "tapi-phase-1",
    "tm-kz-gas-contract",
    "turkmenbashi-plant-1574mw",
    "west-kz-grid-reinforcement",
    "casa-1000",
    "kz-2030-deficit",
}


def test_every_shipped_scenario_applies_and_validates() -> None:
    ds = load_energy()
    names = {s.name for s in list_energy_scenarios()}
    assert names == SHIPPED
    for name in sorted(names):
        new = apply_energy_scenario(ds, name)
        assert new.scenario == name
        assert new.content_hash != ds.content_hash


def test_early_gas_switches_the_pipeline_on_at_8_bcm() -> None:
    ds = load_energy()
    new = apply_energy_scenario(ds, "trans-caspian-early-gas")
    assert new.pipelines["tcp"].status is Status.OPERATING
    assert new.pipelines["tcp"].capacity_bcm_per_year == 8
    assert "energy:E9" in new.pipelines["tcp"].source
    assert ds.pipelines["tcp"].status is Status.PROPOSED  # the base is untouched


def test_deficit_scales_kazakh_demand_from_cited_figures() -> None:
    ds = load_energy()
    new = apply_energy_scenario(ds, "kz-2030-deficit")
    assert new.demands["kz-north-load"].yearly_twh == pytest.approx(ds.demands["kz-north-load"].yearly_twh * 1.198)
    assert new.demands["uz-load"].yearly_twh == ds.demands["uz-load"].yearly_twh
    assert new.supplies["kz-north-coal"].capacity_mw == pytest.approx(13000 * 0.85)
    assert "kz-north-coal" in new.supplies
    assert new.supplies["kz-north-coal"].estimate


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "sc.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_unknown_id_and_bad_value_are_named(tmp_path: Path) -> None:
    sc = _write(
        tmp_path,
        "name: bad\nmodify:\n  pipelines:\n    - {id: tcpp, set: {status: operating}, source: 'energy:E9'}\n"
        "    - {id: tcp, set: {capacity_bcm_per_year: -3}, source: 'energy:E9'}\n",
    )
    with pytest.raises(ValidationError) as exc:
        apply_energy_scenario(load_energy(), sc)
    text = str(exc.value)
    assert (
        "sc.yaml: record modify.pipelines[0]: field 'id' = 'tcpp': "
        "expected the id of a record in pipelines; did you mean: tcp" in text
    )
    assert "sc.yaml: record modify.pipelines[1] (tcp): field 'set.capacity_bcm_per_year' = -3" in text


def test_unsourced_change_and_unknown_table(tmp_path: Path) -> None:
    sc = _write(tmp_path, "name: bad\nmodify:\n  pipelines:\n    - {id: tcp, set: {status: operating}}\n  nodes: []\n")
    with pytest.raises(ValidationError) as exc:
        apply_energy_scenario(load_energy(), sc)
    text = str(exc.value)
    assert "record modify.pipelines[0]: field 'set.status' = 'operating': expected a `source` for this entry" in text
    assert "record modify: field 'nodes' = []: expected one of" in text


def test_added_link_to_unknown_bus_is_reported_after_applying(tmp_path: Path) -> None:
    sc = _write(
        tmp_path,
        "name: add\nadd:\n  power_links:\n    - {id: new, name: n, from: kz-west, to: nowhere, kind: hvdc,"
        " capacity_mw: 1, voltage_kv: 500, length_km: 10, status: operating, source: 'energy:E24'}\n",
    )
    with pytest.raises(ValidationError) as exc:
        apply_energy_scenario(load_energy(), sc)
    assert (
        "sc.yaml: record add.power_links[0] (new): field 'to' = 'nowhere': expected a bus id defined in buses.yaml"
        in str(exc.value)
    )


def test_removing_a_bus_removes_what_uses_it(make_two_bus: Callable[..., Path], tmp_path: Path) -> None:
    ds = load_energy(make_two_bus())
    sc = _write(tmp_path, "name: cut\nremove:\n  buses: [A]\n")
    new = apply_energy_scenario(ds, sc)
    assert "A" not in new.buses
    assert "ab" not in new.power_links
    assert "cheap" not in new.supplies
    assert "power_links ab removed by remove.buses[0]" in new.notes


def test_base_and_unknown_scenario() -> None:
    ds = load_energy()
    assert dataset_for("base", ds) is ds
    assert dataset_for(None, ds) is ds
    with pytest.raises(InputError, match="casa-1000"):
        dataset_for("casa-2000", ds)


def test_freight_sections_are_rejected(tmp_path: Path) -> None:
    sc = _write(tmp_path, "name: f\nclose:\n  countries: [RU]\n")
    with pytest.raises(ValidationError, match="energy scenarios have no close"):
        apply_energy_scenario(load_energy(), sc)


def test_public_names_are_functions() -> None:
    import karavan.energy.solver  # noqa: F401  (a loaded submodule must not shadow the function)
    from karavan.energy import solve

    assert callable(solve)
    assert solve.__name__ == "solve"
