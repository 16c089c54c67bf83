"""``karavan network validate`` also checks emission categories against the accounting parameters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from karavan.cli.main import main


def test_unknown_toc_reported(mini_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    services = mini_dir / "services.yaml"
    services.write_text(
        services.read_text(encoding="utf-8").replace("toc: sea_rail_ferry", "toc: sea_hovercraft"), encoding="utf-8"
    )
    with pytest.raises(SystemExit) as info:
        main(["network", "validate", str(mini_dir), "-f", "json"])
    assert info.value.code == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert any(p["record"] == "ferry" and p["field"] == "toc" and p["value"] == "sea_hovercraft" for p in problems)
