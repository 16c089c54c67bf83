"""JSON encoding of answers: non-string keys, numpy values, NaN."""

from __future__ import annotations

import json
import math
from datetime import date

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from karavan.api.encoding import dumps
from karavan.model.enums import Mode

TEXT = st.text(st.characters(exclude_categories=["Cs"]))  # a lone surrogate is not UTF-8
NUMBERS = st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | NUMBERS | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=20,
)


def test_non_string_keys_are_written_as_text_at_any_depth() -> None:
    data = {"a": [{1: "x", Mode.RAIL: 2.5}], date(2026, 12, 1): {"b": {3: None}}}
    assert json.loads(dumps(data)) == {"a": [{"1": "x", "rail": 2.5}], "2026-12-01": {"b": {"3": None}}}


def test_numpy_values_nan_and_infinity() -> None:
    data = {"v": np.arange(3), "f": np.float64(1.5), "n": math.nan, "i": -math.inf}
    assert dumps(data) == b'{"v":[0,1,2],"f":1.5,"n":null,"i":null}'


@given(JSON_VALUES)
def test_plain_json_is_what_the_standard_library_reads_back(value: object) -> None:
    assert json.loads(dumps(value)) == value


def test_a_lone_surrogate_is_refused() -> None:
    """No UTF-8 answer can hold it (the protection layer refuses such request bodies with 400)."""
    with pytest.raises(TypeError):
        dumps({"text": "\ud800"})
