"""Cargo: tonnes and TEU from unit-type defaults; invalid input names the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from karavan.accounting import Cargo
from karavan.errors import InputError
from karavan.io import load_network
from karavan.model import Unit

CHAIN = Path(__file__).resolve().parent / "fixtures" / "chain"


def test_defaults_from_unit_types() -> None:
    net = load_network(CHAIN)
    assert Cargo(Unit.TEU, 3).tonnes(net) == 30
    assert Cargo("feu", 2).tonnes(net) == 40
    assert Cargo("FEU", 2).teu(net) == 4
    assert Cargo("wagon", 1).tonnes(net) == 60
    assert Cargo("wagon", 2).tare_t(net) == 50
    assert Cargo("TEU", 2, gross_t_per_unit=14.5).tonnes(net) == 29  # user weight wins
    assert Cargo("tonne", 25).tonnes(net) == 25
    assert Cargo("tonne", 25).teu(net) == 2.5  # GLEC 10 t/TEU
    assert Cargo("FEU", 3).containers(net) == 3
    assert Cargo("wagon", 1).containers(net) == 2


def test_unit_missing_from_table() -> None:
    net = load_network(CHAIN)
    with pytest.raises(InputError) as info:
        Cargo("trailer", 1).tonnes(net)
    assert info.value.field == "unit"
    assert Cargo("trailer", 1, gross_t_per_unit=18).tonnes(net) == 18


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"unit": "parcel"}, "unit"),
        ({"unit": 3}, "unit"),
        ({"unit": "TEU", "count": 0}, "count"),
        ({"unit": "TEU", "count": -1}, "count"),
        ({"unit": "TEU", "count": 1.5}, "count"),
        ({"unit": "TEU", "count": float("nan")}, "count"),
        ({"unit": "TEU", "count": True}, "count"),
        ({"unit": "TEU", "gross_t_per_unit": 0}, "gross_t_per_unit"),
        ({"unit": "TEU", "gross_t_per_unit": float("inf")}, "gross_t_per_unit"),
        ({"unit": "TEU", "value_usd": -5}, "value_usd"),
    ],
)
def test_invalid_input_names_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as info:
        Cargo(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_bulk_tonnes_may_be_fractional() -> None:
    assert Cargo("tonne", 12.5).count == 12.5
