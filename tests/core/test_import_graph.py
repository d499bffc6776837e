"""The import graph of crm/, read with ast: features in a declared order, no cycles, few imports inside functions.

LAYERS is the one place the order is written (the README's architecture section explains it). A module belongs to
its feature package; a feature's web, JSON and command-line adapters (views.py, *_views.py, api.py, cli.py) sit
above every feature's domain modules, so a page may show what several features know, and above the API's
declaration kit (crm.api.spec) that each api.py declares its operations with; the API shell (crm.api: token
authentication, the OpenAPI document, registering the features' api.py), the home pages, the admin pages and the
application shell (factory and its list of features, job queue, seed and demo data, backups, the `crm` command)
come last. Each feature registers itself from its feature.py (an adapter: it may import the feature's views, api
and cli modules), so importing a feature's models never imports its pages. A
module may import its own layer and any layer below it, never one above.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / 'crm'

LAYERS = ['core', 'auth', 'plans', 'platforms', 'firms', 'leads', 'policies', 'matching', 'packs', 'targets',
          'notifications', 'api_kit', 'adapters', 'api', 'main', 'admin', 'shell']
SHELL = {'crm', 'crm.jobs', 'crm.cli', 'crm.seed', 'crm.demo', 'crm.backup'}
CORE_MODULES = {'crm.db', 'crm.extensions'}
API_KIT = {'crm.api.spec'}  # how an operation is declared: used by every feature's api.py
ADAPTERS = ('views', 'api', 'cli', 'feature')  # feature.py: a feature's registration (init_app)
TOP_PACKAGES = {'main', 'admin', 'api'}

# Imports from a higher layer still written inside a function (importing module -> imported module). Each one is
# a dependency to invert (a hook, a signal or a move); the list may only shrink.
KNOWN_UPWARD: set[tuple[str, str]] = set()
MAX_IN_FUNCTION = 13


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix('').parts)
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob('*.py'))}


def layer(module: str) -> str:
    if module in SHELL:
        return 'shell'
    if module in CORE_MODULES:
        return 'core'
    if module in API_KIT:
        return 'api_kit'
    parts = module.split('.')
    if parts[1] in TOP_PACKAGES:
        return parts[1]
    if parts[-1] in ADAPTERS or parts[-1].endswith('_views'):
        return 'adapters'
    return parts[1]


def _existing(name: str) -> str:
    """The module an imported name lives in (`crm.leads.models.Lead` -> `crm.leads.models`)."""
    while name not in MODULES:
        name = name.rpartition('.')[0]
    return name


def _targets(module: str, node: ast.Import | ast.ImportFrom, is_package: bool) -> set[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ''
        if node.level:
            parts = module.split('.') if is_package else module.split('.')[:-1]
            parts = parts[:len(parts) - node.level + 1]
            base = '.'.join(parts + ([node.module] if node.module else []))
        names = [f'{base}.{alias.name}' for alias in node.names]
    return {_existing(name) for name in names if name == 'crm' or name.startswith('crm.')}


def _imports():
    """(module, line, source line, imported modules, inside a function) for every import statement in crm/."""
    found = []
    for module, path in MODULES.items():
        source = path.read_text(encoding='utf-8')
        lines = source.splitlines()
        tree = ast.parse(source)
        inner = {id(node) for func in ast.walk(tree) if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef))
                 for node in ast.walk(func) if isinstance(node, (ast.Import, ast.ImportFrom))}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found.append((module, node.lineno, lines[node.lineno - 1].strip(),
                              _targets(module, node, path.name == '__init__.py'), id(node) in inner))
    return found


IMPORTS = _imports()


def test_every_module_has_a_declared_layer():
    assert {layer(m) for m in MODULES} <= set(LAYERS)


def test_module_level_imports_never_reach_a_higher_layer():
    rank = {name: n for n, name in enumerate(LAYERS)}
    upward = [f'{m}:{line} imports {t} ({layer(m)} < {layer(t)})' for m, line, _src, targets, inner in IMPORTS
              if not inner for t in targets if rank[layer(t)] > rank[layer(m)]]
    assert upward == []


def test_features_import_each_other_without_cycles():
    graph = defaultdict(set)
    for module, _line, _src, targets, inner in IMPORTS:
        if not inner:
            graph[layer(module)] |= {layer(t) for t in targets} - {layer(module)}
    state: dict[str, str] = {}

    def cycle_from(node: str, path: list[str]) -> list[str] | None:
        state[node] = 'open'
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 'open':
                return path + [node, nxt]
            if nxt not in state and (found := cycle_from(nxt, path + [node])):
                return found
        state[node] = 'done'
        return None

    cycles = [c for node in LAYERS if node not in state and (c := cycle_from(node, []))]
    assert cycles == []


def test_imports_inside_functions_are_few_and_give_their_reason():
    inside = [(m, line, src) for m, line, src, _targets, inner in IMPORTS if inner]
    assert len(inside) <= MAX_IN_FUNCTION, '\n'.join(f'{m}:{line} {src}' for m, line, src in inside)
    unexplained = [f'{m}:{line} {src}' for m, line, src in inside
                   if '#' not in src or not src.split('#', 1)[1].replace('noqa:', '').strip(' F0123456789,')]
    assert unexplained == []


def test_no_new_import_from_a_higher_layer_inside_a_function():
    rank = {name: n for n, name in enumerate(LAYERS)}
    upward = {(m, t) for m, _line, _src, targets, inner in IMPORTS if inner for t in targets
              if rank[layer(t)] > rank[layer(m)]}
    assert upward - KNOWN_UPWARD == set()
    assert KNOWN_UPWARD - upward == set(), 'an inverted dependency: remove it from KNOWN_UPWARD'


def _is_api(module: str) -> bool:
    """The JSON API: the crm.api package, and each feature's api.py."""
    return module == 'crm.api' or module.startswith('crm.api.') or module.rsplit('.', 1)[-1] == 'api'


def _is_views(module: str) -> bool:
    return module.rsplit('.', 1)[-1] == 'views' or module.endswith('_views')


def api_imports_of_views(imports) -> list[str]:
    """Imports (module level or inside a function) by which an API module reaches a web views module."""
    return [f'{m}:{line} {src}' for m, line, src, targets, _inner in imports if _is_api(m)
            for t in sorted(targets) if _is_views(t)]


def test_the_api_never_imports_the_web_views():
    """The JSON API and the web pages are two adapters side by side over the same queries, forms and services
    (each feature's queries.py, forms.py, services.py); neither borrows the other's helpers."""
    assert api_imports_of_views(IMPORTS) == []


def test_the_api_check_sees_an_import_of_views():
    node = ast.parse('from crm.firms.views import merge_rows').body[0]
    found = [('crm.api.firms', 3, 'from crm.firms.views import merge_rows', _targets('crm.api.firms', node, False),
              False),
             ('crm.leads.api', 9, 'from .views import bp', _targets('crm.leads.api', ast.parse(
                 'from .views import bp').body[0], False), True)]
    assert api_imports_of_views(found) == ['crm.api.firms:3 from crm.firms.views import merge_rows',
                                           'crm.leads.api:9 from .views import bp']


def test_the_checks_see_a_violation():
    """The graph reader resolves relative imports and names imported from modules to the modules themselves."""
    node = ast.parse('from ..leads.models import Lead').body[0]
    assert _targets('crm.policies.views', node, False) == {'crm.leads.models'}
    assert layer('crm.leads.views') == 'adapters' and layer('crm.leads.services') == 'leads'
    assert layer('crm.leads.api') == 'adapters' and layer('crm.api.spec') == 'api_kit' and layer('crm.api') == 'api'
    assert layer('crm.leads.feature') == 'adapters' and layer('crm.core.feature') == 'adapters'
    assert layer('crm.api.feature') == 'api' and layer('crm.admin.feature') == 'admin'
    assert LAYERS.index(layer('crm.leads.services')) < LAYERS.index(layer('crm.packs.models'))


def test_names_the_factory_imports_leave_its_submodules_reachable():
    """`crm.db` stays the module (migrations read `crm.db.UTCDateTime`) though the factory imports names from it."""
    import importlib
    import sys

    import crm

    children = sorted({m.split('.')[1] for m in MODULES if m.count('.') >= 1})
    for child in children:
        importlib.import_module(f'crm.{child}')
    assert [c for c in children if getattr(crm, c) is not sys.modules[f'crm.{c}']] == []


def test_the_application_builds_its_features_in_the_declared_order():
    """The factory's one list of features follows LAYERS and names every package with a registration module
    (feature.py); no module imports a registration module, so importing a feature's models never loads its pages."""
    from crm import FEATURES

    assert list(FEATURES) == [name for name in LAYERS if name in FEATURES]
    assert set(FEATURES) == {m.split('.')[1] for m in MODULES if m.endswith('.feature')}
    assert [f'{m}:{line} {src}' for m, line, src, targets, _inner in IMPORTS
            if any(t.endswith('.feature') for t in targets)] == []
