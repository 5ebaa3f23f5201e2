"""A plain (non-editable) wheel ships the five built-in checklists and the plugin meta-schema.

Builds the wheel from a copy of the working tree (so the checkout gets no build/ folder), installs
it with --no-deps into a fresh venv whose only other packages are the test venv's (a .pth line; its
editable install of the checkout is not processed from there), and lists the checklists from a
directory outside the repository, so only the copies inside the wheel (enforcement/data/…) can be
found. The build back-end is the test venv's own (`--no-build-isolation`): nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILTINS = ["aluminum", "confined_space", "dust", "duty7", "steel"]
NOT_SOURCES = shutil.ignore_patterns(
    ".git",
    ".venv",
    "node_modules",
    "instance",
    "build",
    "dist",
    "test-artifacts",
    "__pycache__",
    "*.egg-info",
    ".ruff_cache",
    ".pytest_cache",
)
LIST_BUILTINS = """
import json, enforcement, enforcement.plugins as p
platform = p.get_plugin_manager([], load_entry_points=False)
print(json.dumps({
    "package": enforcement.__file__,
    "plugins_dir": str(p.builtin_plugins_dir()),
    "ids": sorted({e.id for e in platform.registry.all() if e.source == "builtin"}),
    "versions": sorted(f"{e.id}@{e.version}" for e in platform.registry.all()),
    "errors": [str(e) for e in platform.registry.errors],
    "compiled": len(platform.registry.get("dust").compiled.sha256),
}))
"""


def run(*args: str | Path, cwd: Path, timeout: int = 120) -> str:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")},
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.slow
def test_wheel_ships_builtin_plugins_and_schemas(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    wheels = tmp_path / "wheels"
    run(
        *(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"),
        *("-w", wheels, "."),
        cwd=source,
    )
    (wheel,) = wheels.glob("enforcement_platform-*.whl")

    names = set(zipfile.ZipFile(wheel).namelist())
    for plugin_id in BUILTINS:
        assert f"enforcement/data/plugins/{plugin_id}/plugin.json" in names
    assert "enforcement/data/schemas/checklist-plugin.schema.json" in names

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(
        run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path
        ).strip()
    )
    (site / "test-venv-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "-q",
        wheel,
        cwd=tmp_path,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    report = json.loads(run(python, "-c", LIST_BUILTINS, cwd=elsewhere))

    assert report["package"].startswith(str(venv)), report  # the wheel, not the checkout
    assert report["plugins_dir"].endswith("enforcement/data/plugins"), report
    assert report["ids"] == BUILTINS, report
    # earlier published versions ship too: inspections recorded on them keep their text and rules
    assert "aluminum@1.0.0" in report["versions"] and "aluminum@1.1.0" in report["versions"]
    assert report["errors"] == []
    assert report["compiled"] == 64
