"""Ship the built-in checklists and the plugin meta-schema inside the wheel (everything else: pyproject).

`plugins/*/plugin.json` and `schemas/*.json` live at the repository root (a bureau admin reads them
there); a built wheel carries copies as `enforcement/data/plugins/…` and `enforcement/data/schemas/…`,
where `builtin_plugins_dir()` and the loader's `_schemas_dir()` look when there is no checkout.
Proved by tests/plugins/test_wheel.py.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("plugins/*/plugin.json", "plugins/*/versions/*.json", "schemas/*.json")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads plugins/ and schemas/ from the checkout
        data = Path(self.build_lib) / "enforcement" / "data"
        for stale in (
            data / "plugins",
            data / "schemas",
        ):  # a reused build/ must not keep old files
            shutil.rmtree(stale, ignore_errors=True)
        for pattern in SHIPPED:
            for source in sorted(ROOT.glob(pattern)):
                target = data / source.relative_to(ROOT)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)


setup(cmdclass={"build_py": BuildWithData})
