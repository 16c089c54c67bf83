"""Parameters file: packaged content, dataset overrides, precise problems, category checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from karavan.accounting import check_categories, load_parameters, parse_parameters
from karavan.errors import ValidationError
from karavan.io import load_network
from karavan.model.enums import Mode, Unit

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
CHAIN = Path(__file__).resolve().parent / "fixtures" / "chain"

REQUIRED_TOC = {
    "rail_container_diesel",
    "rail_container_electric",
    "rail_wagon_diesel",
    "rail_wagon_electric",
    "sea_rail_ferry",
    "sea_roro",
    "sea_ropax",
    "sea_container_feeder",
    "sea_container_asia_europe",
    "sea_container_asia_med",
    "road_truck_articulated",
}
REQUIRED_HOC = {
    "hub_container_terminal_maritime",
    "hub_transshipment",
    "hub_rail_gauge_change",
    "hub_roro_terminal",
    "hub_border",
    "hub_rail_marshalling",
}


def test_packaged_parameters_have_required_categories() -> None:
    p = load_parameters()
    assert set(p.toc) >= REQUIRED_TOC
    assert set(p.hoc) >= REQUIRED_HOC
    assert p.version
    assert "*" in p.grid
    assert 0 <= p.inventory_rate <= 1


def test_every_country_with_electric_lines_has_its_own_grid_factor() -> None:
    p = load_parameters()
    net = load_network()
    electric = {net.nodes[n].country for lk in net.links.values() if lk.electrified for n in (lk.from_id, lk.to_id)}
    assert electric, "the packaged dataset has electrified lines"
    assert electric <= set(p.grid) - {"*"}
    fallback = p.grid_for("TM")  # no electrified line and no factor: the world average stands in
    assert fallback is not None
    assert fallback.g_per_kwh == p.grid["*"].g_per_kwh


def test_every_record_cites_a_defined_source_or_is_an_estimate() -> None:
    p = load_parameters()
    for rec in [*p.toc.values(), *p.hoc.values(), *p.grid.values(), *p.tariffs.values()]:
        assert rec.source or rec.estimate
        for sid in rec.source:
            assert sid in p.sources


def test_glec_gaps_are_flagged_estimates() -> None:
    p = load_parameters()
    for cid in ("sea_rail_ferry", "rail_container_diesel", "rail_container_electric", "road_truck_articulated"):
        assert p.toc[cid].estimate, cid
    assert p.hoc["hub_rail_gauge_change"].estimate
    # published GLEC defaults are not estimates
    assert not p.toc["sea_container_asia_europe"].estimate
    assert not p.hoc["hub_transshipment"].estimate


def test_glec_values_transcribed() -> None:
    p = load_parameters()
    assert p.toc["rail_container_diesel"].wtw_g == 27.6
    assert p.toc["sea_container_asia_europe"].wtw_g == 49.9
    assert p.toc["sea_container_asia_europe"].daf == 1.0  # +15 % already in the end-user factor
    assert p.toc["sea_rail_ferry"].daf == 1.15
    assert p.toc["road_truck_articulated"].wtw_g == pytest.approx(95 * 1.22)
    assert p.hoc["hub_container_terminal_maritime"].wtw_kg == 10.7
    assert p.hoc["hub_container_terminal_maritime"].basis == "container"
    assert p.hoc["hub_transshipment"].wtw_kg == 0.6


def test_cached() -> None:
    assert load_parameters() is load_parameters()


def _dataset_with(tmp_path: Path, text: str) -> Path:
    d = tmp_path / "ds"
    shutil.copytree(CHAIN, d)
    (d / "parameters.yaml").write_text(text, encoding="utf-8")
    return d


def test_dataset_override_merges_by_id(tmp_path: Path) -> None:
    d = _dataset_with(
        tmp_path,
        """
version: "ds-7"
sources:
  - {id: "ds:1", publisher: Me, title: Mine}
toc:
  - {id: rail_container_diesel, name: KZ diesel, mode: rail, basis: tkm, energy: fuel,
     wtw_g: 20, ttw_g: 15, source: "ds:1"}
grid:
  - {country: KZ, g_per_kwh: 700, source: "ds:1"}
inventory: {annual_rate: 0.2, estimate: mine}
""",
    )
    p = load_parameters(d)
    assert p.version.endswith("+ds-7")
    assert p.toc["rail_container_diesel"].wtw_g == 20
    assert p.toc["rail_container_electric"].kwh == pytest.approx(0.019876)  # untouched
    assert p.grid["KZ"].g_per_kwh == 700
    assert p.grid["CN"].g_per_kwh == 582
    assert p.inventory_rate == 0.2
    assert load_parameters(tmp_path / "nonexistent-dir").version == load_parameters().version


def _problems(tmp_path: Path, text: str) -> list[tuple[str, str, object]]:
    d = _dataset_with(tmp_path, text)
    with pytest.raises(ValidationError) as info:
        load_parameters(d)
    for p in info.value.problems:
        assert p.file.endswith("parameters.yaml")
    return [(p.record, p.field, p.value) for p in info.value.problems]


def test_bad_values_are_reported_precisely(tmp_path: Path) -> None:
    probs = _problems(
        tmp_path,
        """
version: "bad"
toc:
  - {id: t_neg, name: x, mode: rail, basis: tkm, energy: fuel, wtw_g: -1, ttw_g: 1, estimate: e}
  - {id: t_mode, name: x, mode: air, basis: tkm, energy: fuel, wtw_g: 1, ttw_g: 1, estimate: e}
  - {id: t_basis, name: x, mode: rail, basis: tonne_mile, energy: fuel, wtw_g: 1, ttw_g: 1, estimate: e}
  - {id: t_daf, name: x, mode: sea, basis: tkm, energy: fuel, wtw_g: 1, ttw_g: 1, daf: 0.5, estimate: e}
hoc:
  - {id: h_basis, name: x, basis: pallet, wtw_kg: 1, estimate: e}
grid:
  - {country: kz, g_per_kwh: 100, estimate: e}
tariffs:
  - {country: KZ, mode: rail, unit: barrel, per_km_usd: 1, estimate: e}
""",
    )
    assert ("toc:t_neg", "wtw_g", -1) in probs
    assert ("toc:t_mode", "mode", "air") in probs
    assert ("toc:t_basis", "basis", "tonne_mile") in probs
    assert ("toc:t_daf", "daf", 0.5) in probs
    assert ("hoc:h_basis", "basis", "pallet") in probs
    assert ("grid:kz", "country", "kz") in probs
    assert any(r == "tariffs:KZ/rail/barrel" and f.startswith("unit") for r, f, _ in probs)


def test_inconsistent_and_unsourced_records(tmp_path: Path) -> None:
    probs = _problems(
        tmp_path,
        """
version: "bad"
toc:
  - {id: t_sum, name: x, mode: rail, basis: tkm, energy: fuel, wtw_g: 30, ttw_g: 20, wtt_g: 5, estimate: e}
  - {id: t_nosrc, name: x, mode: rail, basis: tkm, energy: fuel, wtw_g: 30, ttw_g: 20}
  - {id: t_el, name: x, mode: rail, basis: tkm, energy: electricity, wtw_g: 5, estimate: e}
""",
    )
    records = {r for r, _, _ in probs}
    assert {"toc:t_sum", "toc:t_nosrc", "toc:t_el"} <= records


def test_unknown_source_and_fallback(tmp_path: Path) -> None:
    probs = _problems(
        tmp_path,
        """
version: "bad"
toc:
  - {id: t_src, name: x, mode: rail, basis: tkm, energy: fuel, wtw_g: 30, ttw_g: 20, source: "nope:1"}
  - {id: t_fb, name: x, mode: rail, basis: tkm, energy: electricity, kwh: 0.02, diesel_fallback: sea_roro,
     estimate: e}
""",
    )
    assert ("toc:t_src", "source", "nope:1") in probs
    assert ("toc:t_fb", "diesel_fallback", "sea_roro") in probs


def test_missing_version_yaml_error_and_duplicates(tmp_path: Path) -> None:
    assert ("-", "version", None) in _problems(tmp_path / "a", "toc: []\n")
    yaml_probs = _problems(tmp_path / "b", "version: [1, 2\n")
    assert yaml_probs[0][0].startswith("line ")
    dup = _problems(
        tmp_path / "c",
        """
version: "x"
hoc:
  - {id: h, name: x, basis: tonne, wtw_kg: 1, estimate: e}
  - {id: h, name: y, basis: tonne, wtw_kg: 2, estimate: e}
""",
    )
    assert ("hoc:h", "id", "h") in dup


def test_parse_parameters_rejects_non_mapping() -> None:
    model, probs = parse_parameters([1, 2], "p.yaml")
    assert model is None
    assert probs[0].file == "p.yaml"


def test_check_categories_clean_on_fixtures() -> None:
    assert check_categories(load_network(CHAIN), load_parameters()) == []
    assert check_categories(load_network(MINI), load_parameters()) == []


def test_check_categories_reports_unknown_mode_and_traction(tmp_path: Path) -> None:
    d = tmp_path / "chain"
    shutil.copytree(CHAIN, d)
    svc = (d / "services.yaml").read_text(encoding="utf-8")
    svc = svc.replace("toc: rail_container_electric", "toc: rail_container_diesel")  # electric traction
    svc = svc.replace("toc: sea_rail_ferry", "toc: road_truck_articulated")  # wrong mode
    svc = svc.replace("toc: rail_container_diesel\n  traction: diesel", "toc: rail_x\n  traction: diesel")
    (d / "services.yaml").write_text(svc, encoding="utf-8")
    ops = (d / "hub_operations.yaml").read_text(encoding="utf-8").replace("hoc: hub_rail_gauge_change", "hoc: nope")
    (d / "hub_operations.yaml").write_text(ops, encoding="utf-8")
    probs = check_categories(load_network(d), load_parameters())
    got = {(p.file, p.record, p.field, p.value) for p in probs}
    assert got == {
        ("services.yaml", "cn-train", "toc", "rail_container_diesel"),
        ("services.yaml", "kz-train", "toc", "rail_x"),
        ("services.yaml", "ferry", "toc", "road_truck_articulated"),
        ("hub_operations.yaml", "gc-gamma", "hoc", "nope"),
    }


def test_promotional_instc_rate_stays_on_its_corridor() -> None:
    p = load_parameters()
    kz, tm, other = (p.tariff_for(c, Mode.RAIL, Unit.FEU) for c in ("KZ", "TM", "GE"))
    assert tm is not None
    assert tm.per_km_usd == pytest.approx(0.24)  # INSTC eastern route (KZ-TM-IR) unified rate
    assert kz is not None
    assert kz.key[0] == "KZ"
    assert kz.per_km_usd > 2 * tm.per_km_usd  # KZ container transit at the ERAI market rate, not the promotion
    assert other is not None
    assert other.key[0] == "*"
    assert other.per_km_usd == pytest.approx(kz.per_km_usd)
