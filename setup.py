"""The build's one step pyproject.toml cannot declare: it compiles the translation catalogues
(.po → .mo, which git ignores) into the wheel. An editable install (`pip install -e .`, what
`make` does) compiles them beside their .po instead, where the checkout's code reads them.
Everything else about the package is in pyproject.toml."""

import runpy
from pathlib import Path

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# Loaded by its path: importing the `tracker` package here would need its dependencies.
compile_catalogues = runpy.run_path(str(HERE / "tracker" / "catalogues.py"))["compile_catalogues"]


class BuildPyWithCatalogues(build_py):
    def run(self) -> None:
        super().run()
        translations = HERE / "tracker" / "translations"
        if self.editable_mode:
            compile_catalogues(translations)
        else:
            compile_catalogues(translations, into=Path(self.build_lib) / "tracker" / "translations")


def mapped(package: str, directory: str) -> list[str]:
    """A directory that pyproject.toml's package-dir maps into the package, with its
    subdirectories: templates/ and migrations/ stay at the top of the checkout and are
    installed as tracker/templates and tracker/migrations."""
    below = find_namespace_packages(where=str(HERE / directory))
    return [package, *(f"{package}.{name}" for name in below)]


setup(
    packages=[
        *find_namespace_packages(where=str(HERE), include=["tracker", "tracker.*"]),
        *mapped("tracker.templates", "templates"),
        *mapped("tracker.migrations", "migrations"),
    ],
    cmdclass={"build_py": BuildPyWithCatalogues},
)
