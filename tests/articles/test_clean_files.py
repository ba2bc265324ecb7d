from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import REPO, process_env

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"


def test_clean_files_writes_bodies_without_a_database(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = process_env(DATABASE_URL="postgres://nobody@127.0.0.1:9/nothing")
    result = subprocess.run(
        [sys.executable, "manage.py", "clean_files", str(SEEDS), str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "000_31b0e0b7b64f7964.txt",
        "003_da5bc25322853d1b.txt",
    ]
    body = (out / "003_da5bc25322853d1b.txt").read_text()
    assert body.splitlines() == (SEEDS / "003_da5bc25322853d1b.gold.txt").read_text().splitlines()


def test_evaluate_cleaning_prints_the_reference_figures(capsys) -> None:
    call_command("evaluate_cleaning", str(SEEDS))
    lines = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
    assert lines["docs"] == "2"
    assert float(lines["f1_mean"]) >= 0.98


def test_evaluate_cleaning_matches_the_reference_scorer(
    shared_dir: Path, tmp_path: Path, capsys
) -> None:
    dev = shared_dir / "bench" / "dev"
    call_command("evaluate_cleaning", str(dev))
    ours = capsys.readouterr().out.splitlines()
    call_command("clean_files", str(dev), str(tmp_path))
    reference = subprocess.run(
        [sys.executable, str(shared_dir / "bench" / "score.py"), str(tmp_path), str(dev)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert ours == reference
    figures = dict(line.split(None, 1) for line in ours)
    assert float(figures["f1_mean"]) >= 0.95
    assert float(figures["f1_ge_0_9"]) >= 0.90


def test_a_missing_folder_is_a_usage_error() -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="no such folder"):
        call_command("evaluate_cleaning", "/no/such/folder")
