"""Every module the product imports at run time comes from a declared runtime dependency: a plain `pip install .`
(no extras) must give a product whose pages, packs and 政策摘要 work. Test-only packages stay out of `crm/`."""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

pytestmark = pytest.mark.nodb

ROOT = Path(__file__).resolve().parents[2]
OWN = {'crm', 'config', 'wsgi'}


def _normalise(name: str) -> str:
    return re.sub(r'[-_.]+', '-', name).lower()


def _declared(section: str | None = None) -> set[str]:
    project = tomllib.loads((ROOT / 'pyproject.toml').read_text(encoding='utf-8'))['project']
    specs = project['dependencies'] if section is None else project['optional-dependencies'][section]
    return {_normalise(re.split(r'[\s<>=!~\[;]', spec, maxsplit=1)[0]) for spec in specs}


def _imported_top_level(paths) -> dict[str, str]:
    """Top-level module name → the first file importing it (absolute imports only)."""
    found: dict[str, str] = {}
    for path in paths:
        tree = ast.parse(path.read_text(encoding='utf-8'))
        for node in ast.walk(tree):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                     else [])
            for name in names:
                found.setdefault(name.split('.')[0], str(path.relative_to(ROOT)))
    return found


def _runtime_files():
    return [*sorted((ROOT / 'crm').rglob('*.py')), ROOT / 'config.py', ROOT / 'wsgi.py']


def test_every_third_party_module_the_product_imports_is_a_declared_runtime_dependency():
    distributions = packages_distributions()
    runtime = _declared()
    missing = []
    for module, where in sorted(_imported_top_level(_runtime_files()).items()):
        if module in OWN or module in sys.stdlib_module_names:
            continue
        owners = {_normalise(d) for d in distributions.get(module, [])}
        assert owners, f'{module} (imported in {where}) belongs to no installed distribution'
        if not owners & runtime:
            missing.append(f'{module} ({where}) from {sorted(owners)}')
    assert not missing, 'imported at run time but not a runtime dependency: ' + '; '.join(missing)


def test_test_only_packages_are_not_imported_by_the_product():
    only_for_tests = _declared('test') - _declared()
    distributions = packages_distributions()
    leaks = [f'{module} ({where})' for module, where in _imported_top_level(_runtime_files()).items()
             if {_normalise(d) for d in distributions.get(module, [])} & only_for_tests]
    assert not leaks, 'the product imports test-only packages: ' + ', '.join(leaks)


def test_the_wheel_carries_every_file_the_package_reads(tmp_path):
    """A plain `pip install .` gets the package's own data (the pack style sheet, the importer's models, the
    district outline, the translations): the wheel holds every non-Python file kept under crm/."""
    import shutil
    import subprocess
    import zipfile

    source = tmp_path / 'src'
    source.mkdir()
    for name in ('config.py', 'wsgi.py', 'pyproject.toml', 'README.md'):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / 'crm', source / 'crm', ignore=shutil.ignore_patterns('__pycache__'))
    built = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--quiet', '--no-deps', '-w', str(tmp_path / 'dist'),
                            str(source)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp_path / 'dist').glob('*.whl')
    shipped = set(zipfile.ZipFile(wheel).namelist())
    expected = {str(path.relative_to(ROOT)) for path in (ROOT / 'crm').rglob('*')
                if path.is_file() and path.suffix not in ('.py', '.pyc') and '__pycache__' not in path.parts}
    assert expected, 'crm/ holds data files'
    assert {'crm/packs/pdf_base.css', 'crm/platforms/data/hangzhou_districts.geojson'} <= expected
    assert not expected - shipped, sorted(expected - shipped)
    assert {'config.py', 'wsgi.py', 'crm/cli.py'} <= shipped
