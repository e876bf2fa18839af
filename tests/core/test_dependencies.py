"""Every third-party package our code imports is declared in pyproject.toml, and the site's
own packages import nothing that only development installs."""

import ast
import functools
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_PACKAGES = ["shop", "cms", "catalogue"]
DEVELOPMENT_PACKAGES = ["devtools", "bench", "scripts", "tests"]
OURS = {*PRODUCTION_PACKAGES, *DEVELOPMENT_PACKAGES, "manage"}


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    production = {_name(r) for r in project["dependencies"] + extras["production"]}
    development = {_name(r) for r in extras["dev"]}
    return production, development


def _imports(package: str) -> dict[str, Path]:
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in OURS:
                    found.setdefault(top, path)
    return found


@functools.cache
def _packages_distributions() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()  # reads every installed package


def _distributions(module: str) -> set[str]:
    names = _packages_distributions().get(module, [])
    return {name.lower().replace("_", "-") for name in names}


def test_every_imported_package_is_declared():
    production, development = _declared()
    missing = []
    for package in PRODUCTION_PACKAGES + DEVELOPMENT_PACKAGES:
        allowed = production if package in PRODUCTION_PACKAGES else production | development
        for module, path in _imports(package).items():
            if not _distributions(module) & allowed:
                missing.append(f"{module} ({path.relative_to(ROOT)})")
    assert not missing, "imported but not declared: " + ", ".join(missing)


def test_the_site_imports_no_development_tool():
    development_only = {"devtools", "bench", "aiohttp", "localstripe", "pytest", "playwright"}
    for package in PRODUCTION_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                else:
                    continue
                tops = {name.split(".")[0] for name in names}
                assert not tops & development_only, f"{path.relative_to(ROOT)} imports {tops}"
