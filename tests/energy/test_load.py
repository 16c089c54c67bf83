"""Loading and validating energy datasets: the embedded one, and broken ones with precise messages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from karavan import datasets
from karavan.energy.load import load_energy, validate_energy_dataset
from karavan.energy.model import Carrier, Status
from karavan.errors import DatasetError, UnknownPlaceError, ValidationError
from karavan.io import load_network


def test_embedded_dataset_is_valid_and_registered() -> None:
    assert "central-asia-energy" in datasets.available(kind="energy")
    assert "central-asia-energy" not in datasets.available(kind="freight")
    assert validate_energy_dataset() == []
    ds = load_energy()
    assert ds.summary()["snapshots"] == len(ds.days) * 8
    assert sum(d.weight_days for d in ds.days.values()) == pytest.approx(365)


def test_every_pipeline_of_the_facts_is_there_with_capacity_length_and_status() -> None:
    ds = load_energy()
    expected = {
        "cagp-tm",
        "cagp-uz",
        "cagp-kz",
        "cagp-d",
        "cac-east",
        "cac-3",
        "east-west",
        "tcp",
        "tapi-tm-af",
        "bbs-west",
        "bbs-east",
        "korpeje-kurt-kui",
        "dauletabad-khangiran",
        "tm-kz-contract",
    }
    assert expected <= set(ds.pipelines)
    assert sum(ds.pipelines[p].capacity_bcm_per_year for p in ("cagp-tm", "cagp-uz", "cagp-kz")) == 55
    assert ds.pipelines["tcp"].status is Status.PROPOSED
    assert ds.power_links["casa-hvdc-pk"].availability == "summer-only"


def test_ids_and_places_agree_with_the_freight_dataset() -> None:
    ds = load_energy()
    freight = load_network()
    for bus_id in ("kz-beyneu", "TMKRW", "CNHRS"):
        bus, node = ds.buses[bus_id], freight.nodes[bus_id]
        assert (bus.lat, bus.lon, bus.country) == (node.lat, node.lon, node.country)
        assert bus.carrier is Carrier.GAS


def test_bus_lookup_by_russian_name_and_suggestions() -> None:
    ds = load_energy()
    assert ds.resolve_bus("Бейнеу").id == "kz-beyneu"
    assert ds.resolve_bus("galkynysh").id == "tm-galkynysh"
    with pytest.raises(UnknownPlaceError, match="Galkynysh"):
        ds.resolve_bus("Galkynish")


def _problems(path: Path) -> list[str]:
    return [str(p) for p in validate_energy_dataset(path)]


def test_unknown_bus_in_a_link(make_two_bus: Callable[..., Path]) -> None:
    def edit(t: dict[str, Any]) -> None:
        t["power_links.yaml"][0]["to"] = "Z"

    probs = _problems(make_two_bus(edit=edit))
    assert "power_links.yaml: record ab: field 'to' = 'Z': expected a bus id defined in buses.yaml" in probs


def test_pipeline_between_power_buses(make_two_bus: Callable[..., Path]) -> None:
    def edit(t: dict[str, Any]) -> None:
        t["pipelines.yaml"] = [
            {
                "id": "p",
                "name": "p",
                "from": "A",
                "to": "B",
                "capacity_bcm_per_year": 1,
                "length_km": 10,
                "status": "operating",
                "source": ["T1"],
            }
        ]

    probs = _problems(make_two_bus(edit=edit))
    assert "pipelines.yaml: record p: field 'from' = 'A': expected a gas bus (it is a electricity bus)" in probs


def test_days_must_make_a_year(make_two_bus: Callable[..., Path]) -> None:
    def edit(t: dict[str, Any]) -> None:
        t["days.yaml"][0]["weight_days"] = 300

    probs = _problems(make_two_bus(edit=edit))
    assert "days.yaml: record -: field 'weight_days' = 300.0: expected weights that sum to 365 days" in probs


def test_unsourced_value_and_unknown_source(make_two_bus: Callable[..., Path]) -> None:
    def edit(t: dict[str, Any]) -> None:
        del t["generators.yaml"][0]["source"]
        t["generators.yaml"][1]["source"] = ["NOPE"]

    probs = _problems(make_two_bus(edit=edit))
    assert (
        "generators.yaml: record cheap: field 'capacity_mw' = 100.0: expected a source id in `source` or an "
        "`estimate` entry for this field"
    ) in probs
    assert (
        "generators.yaml: record dear: field 'source' = 'NOPE': expected a source id defined in sources.yaml" in probs
    )


def test_bad_values_name_the_field(make_two_bus: Callable[..., Path]) -> None:
    def edit(t: dict[str, Any]) -> None:
        t["power_links.yaml"][0]["kind"] = "dc_cable"
        t["demands.yaml"][0]["profile"] = "nope"
        t["generators.yaml"][0]["capacity_bcm_per_year"] = 2

    probs = _problems(make_two_bus(edit=edit))
    assert any(
        p.startswith("power_links.yaml: record ab: field 'kind' = 'dc_cable': expected Input should be") for p in probs
    )
    assert (
        "demands.yaml: record load-b: field 'profile' = 'nope': expected a profile id defined in profiles.yaml" in probs
    )
    assert any("generators.yaml: record cheap: field '-'" in p and "exactly one of capacity_mw" in p for p in probs)


def test_market_demand_needs_a_price(make_two_bus: Callable[..., Path]) -> None:
    def edit(t: dict[str, Any]) -> None:
        t["demands.yaml"][0]["kind"] = "market"

    probs = _problems(make_two_bus(edit=edit))
    assert any("demands.yaml: record load-b" in p and "needs price_usd_per_mwh" in p for p in probs)


def test_power_volume_on_a_gas_bus(make_two_bus: Callable[..., Path]) -> None:
    def edit(t: dict[str, Any]) -> None:
        t["buses.yaml"][1]["carrier"] = "gas"

    probs = _problems(make_two_bus(edit=edit))
    assert "demands.yaml: record load-b: field 'yearly_twh' = 0.5256: expected yearly_bcm on the gas bus B" in probs


def test_not_an_energy_dataset(make_two_bus: Callable[..., Path]) -> None:
    def edit(t: dict[str, Any]) -> None:
        t["dataset.yaml"]["kind"] = "freight"

    with pytest.raises(ValidationError) as exc:
        load_energy(make_two_bus(edit=edit))
    assert "dataset.yaml: record -: field 'kind' = 'freight': expected energy (this is not an energy dataset)" in str(
        exc.value
    )


def test_freight_dataset_given_to_energy() -> None:
    with pytest.raises(DatasetError, match="is a freight dataset"):
        load_energy("caspian")


def test_duplicate_id_and_yaml_error(make_two_bus: Callable[..., Path]) -> None:
    def edit(t: dict[str, Any]) -> None:
        t["buses.yaml"].append(dict(t["buses.yaml"][0]))

    probs = _problems(make_two_bus(edit=edit))
    assert "buses.yaml: record A: field 'id' = 'A': expected a unique id (duplicate)" in probs
    path = make_two_bus()
    (path / "pipelines.yaml").write_text("- {id: x, from: [unclosed\n", encoding="utf-8")
    assert any(p.startswith("pipelines.yaml: record line") and "valid YAML" in p for p in _problems(path))
