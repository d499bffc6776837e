"""What every template can use: role navigation, permission checks, the demo banner."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from flask import Flask, current_app, g, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_context

from crm.core import clock, labels
from crm.core.access import Perm, has_permission
from crm.core.settings import DEMO_LOADED, get_setting


@dataclass(frozen=True)
class NavItem:
    """One entry of the side navigation."""

    endpoint: str
    label: object
    permission: str
    section: str = ''


NAV: list[NavItem] = [
    NavItem('main.home', _l('Workbench'), Perm.HOME),
    NavItem('leads.dashboard', _l('Dashboard'), Perm.LEADS_VIEW),
    NavItem('leads.my_day', _l('My day'), Perm.LEADS_EDIT),
    NavItem('leads.index', _l('Leads'), Perm.LEADS_VIEW),
    NavItem('leads.board', _l('Kanban'), Perm.LEADS_VIEW),
    NavItem('leads.pool', _l('Shared pool'), Perm.LEADS_VIEW),
    NavItem('projects.unfinished', _l('After signing'), Perm.LEADS_VIEW),
    NavItem('projects.tasks', _l('Supervision'), Perm.LEADS_VIEW),
    NavItem('platforms.index', _l('Platforms'), Perm.PLATFORMS_VIEW),
    NavItem('platforms.vacancies', _l('Vacant units'), Perm.PLATFORMS_VIEW),
    NavItem('firms.index', _l('Firms'), Perm.FIRMS_VIEW),
    NavItem('policies.index', _l('Policies'), Perm.POLICIES_VIEW),
    NavItem('targets.index', _l('Plan targets'), Perm.TARGETS_VIEW),
    NavItem('plans.index', _l('Plan documents'), Perm.PLANS_VIEW),
    NavItem('plans.search', _l('Plan search'), Perm.PLANS_VIEW),
    NavItem('plans.commitments', _l('Plan commitments'), Perm.PLANS_VIEW),
    NavItem('admin.users', _l('Users'), Perm.USERS_MANAGE, 'admin'),
    NavItem('admin.audit', _l('Audit log'), Perm.AUDIT_VIEW, 'admin'),
    NavItem('admin.denials', _l('Access denials'), Perm.USERS_MANAGE, 'admin'),
    NavItem('admin.follow_up_rules', _l('Follow-up rules'), Perm.SETTINGS_EDIT, 'admin'),
    NavItem('admin.pool_rules', _l('Shared pool rules'), Perm.SETTINGS_EDIT, 'admin'),
]


def register_nav(item: NavItem, *, before: str | None = None) -> None:
    """Let a feature add its navigation entry (optionally before another endpoint)."""
    if any(existing.endpoint == item.endpoint for existing in NAV):
        return
    index = next((i for i, e in enumerate(NAV) if e.endpoint == before), len(NAV))
    NAV.insert(index, item)


class NavLink(NamedTuple):
    """A navigation entry as the layout shows it: its URL and its label in the viewer's language."""

    endpoint: str
    url: str
    label: str


def _nav_for_user() -> list[NavLink]:
    user = current_user._get_current_object()  # once, not through the proxy for each of the twenty entries
    if user is None or not user.is_authenticated:
        return []
    return [NavLink(item.endpoint, fixed_url(item.endpoint), str(item.label))
            for item in NAV if has_permission(user, item.permission)]


def _demo_banner() -> bool:
    if request.endpoint == 'static':
        return False
    return bool(get_setting(DEMO_LOADED, cached=True))


def fixed_url(endpoint: str, **values) -> str:
    """`url_for` for a link that is the same on every page (navigation, the layout's stylesheets and scripts), built
    once per app and script root instead of on every page (a page's layout names about thirty of them)."""

    cache = current_app.extensions.setdefault('crm_fixed_urls', {})
    key = (request.script_root, endpoint, *sorted(values.items()))
    url = cache.get(key)
    if url is None:
        url = cache[key] = url_for(endpoint, **values)
    return url


_ID_MARK = 918273645


def id_url(endpoint: str, key: str) -> str:
    """The start of `endpoint`'s URL for a record id, up to the id: a list links its rows to their records as
    `{{ prefix }}{{ row.id }}`, the URL `url_for(endpoint, key=row.id)` builds, instead of a `url_for` call per row.
    Built once per app and script root; only for endpoints whose URL ends with the id."""
    cache = current_app.extensions.setdefault('crm_id_urls', {})
    cache_key = (request.script_root, endpoint, key)
    prefix = cache.get(cache_key)
    if prefix is None:
        prefix, mark, rest = url_for(endpoint, **{key: _ID_MARK}).rpartition(str(_ID_MARK))
        if not mark or rest:
            raise ValueError(f'{endpoint}: the URL does not end with its {key}')
        cache[cache_key] = prefix
    return prefix


_LABEL_FILTERS = ('stage_label', 'lost_reason_label', 'source_label', 'activity_kind_label', 'unit_use_label',
                  'fitout_label', 'policy_level_label', 'unit_status_label', 'district_label', 'revenue_band_label',
                  'contact_role_label', 'clause_kind_label', 'plan_kind_label', 'priority_label', 'firm_tag_label',
                  'industry_label')


def label_map(name: str) -> labels.LabelMap:
    """The labels of one of the label filters (`'stage_label'`) in the viewer's language, translated once for a
    list's rows: `{% set stage_names = label_map('stage_label') %}…{{ stage_names[lead.stage] }}` shows what
    `lead.stage|stage_label` shows."""
    if name not in _LABEL_FILTERS:
        raise KeyError(name)
    return labels.label_map(getattr(labels, name).args[0])


def page_url(page: int, **overrides) -> str:
    """The current list's URL with another page number (filters kept). A list shown again by the POST of a form on
    it (a refusal) names its own address in `g.list_address`: (endpoint, query arguments)."""
    if 'list_address' in g:
        endpoint, args = g.list_address
        return url_for(endpoint, **{**args, **overrides, 'page': page})
    args = request.args.to_dict()
    args.update(overrides, page=page)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _per_request(label: Callable[[str | None], str]) -> Callable[..., str]:
    """A label filter in the viewer's language. Marked as needing the context so that Jinja never computes it
    once when compiling a template (`'流失'|stage_label` would otherwise keep the first viewer's language)."""
    @pass_context
    def label_filter(_context, value: str | None) -> str:
        return label(value)

    return label_filter


def plain_number(value) -> str:
    """100.00 → 100, 1.50 → 1.5 (numbers as a policy text writes them)."""
    if value is None:
        return ''
    number = Decimal(str(value)).normalize()
    return f'{number:f}' if number != number.to_integral_value() else f'{number.quantize(Decimal(1)):f}'


def money(value) -> str:
    """An amount with thousands separators and no trailing zeros: 12345.50 → 12,345.5."""
    if value is None:
        return ''
    number = Decimal(str(value)).normalize()
    if number == number.to_integral_value():
        return f'{number.quantize(Decimal(1)):,f}'
    return f'{number:,f}'


def init_app(app: Flask) -> None:
    """Expose helpers to Jinja."""
    app.add_template_filter(plain_number, 'plain_number')
    app.add_template_filter(money, 'money')

    # Globals (not context) so that imported macros can use them too.
    app.jinja_env.globals.update(page_url=page_url, sort_url=sort_url, fixed_url=fixed_url, id_url=id_url,
                                 label_map=label_map, get_locale=get_locale, today_date=clock.today,
                                 object_label=labels.object_label, action_label=labels.action_label,
                                 field_label=labels.field_label)
    for name in _LABEL_FILTERS:
        app.add_template_filter(_per_request(getattr(labels, name)), name)

    @app.context_processor
    def _helpers():
        return {
            'nav_items': _nav_for_user,
            'has_perm': lambda perm: has_permission(current_user._get_current_object(), perm),
            'demo_banner': _demo_banner,
            'Perm': Perm,

        }


def sort_url(key: str, sort) -> str:
    """The current list's URL sorted by `key` (filters kept, back to page 1): ascending first, the other way round
    when it is already sorted by `key`."""
    args = request.args.to_dict()
    args.pop('page', None)
    args.update(sort=key, dir='desc' if sort.key == key and not sort.descending else 'asc')
    return url_for(request.endpoint, **(request.view_args or {}), **args)
