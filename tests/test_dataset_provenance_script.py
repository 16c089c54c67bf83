"""scripts/dataset_provenance.py runs on the embedded dataset and writes only its own section."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "dataset_provenance.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dataset_provenance", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert _script().main(["--json", "--top", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {t["table"] for t in data["tables"]} >= {"links.yaml", "services.yaml", "hub_operations.yaml"}
    assert len(data["driving_estimates"]) == 3
    assert all(0 <= r["time_share"] <= 1.0 for r in data["driving_estimates"])


def test_write_replaces_only_the_generated_section(tmp_path: Path) -> None:
    doc = tmp_path / "dataset.md"
    doc.write_text(
        "# title\n\nbefore\n<!-- provenance:begin -->\nold\n<!-- provenance:end -->\nafter\n", encoding="utf-8"
    )
    assert _script().main(["--write", str(doc), "--top", "2"]) == 0
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# title\n\nbefore\n<!-- provenance:begin -->")
    assert text.endswith("<!-- provenance:end -->\nafter\n")
    assert "old" not in text
    assert "| `links.yaml` |" in text
