"""What people call the records, actions and fields the audit trail names (Chinese first, English in the English
interface): 招商项目, 修改, 计划投资 — never the table or column name."""
from __future__ import annotations

from functools import partial

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

OBJECTS = {
    'lead': _l('Lead'), 'activity': _l('Follow-up'), 'firm': _l('Firm'), 'contact': _l('Contact'),
    'tenancy': _l('Tenancy'), 'platform': _l('Platform'), 'building': _l('Building'), 'unit': _l('Unit'),
    'media_file': _l('Photo or floor plan'), 'policy': _l('Policy'), 'policy_clause': _l('Policy clause'),
    'plan_document': _l('Plan document'), 'plan_correction': _l('Plan text correction'),
    'plan_commitment_curation': _l('Plan commitment review'), 'tracked_target': _l('Plan target'),
    'user': _l('Account'), 'platform_membership': _l('Platform of an account'), 'match_choice': _l('Match choice'),
    'pack': _l('Promotion pack'), 'stale_thresholds': _l('Follow-up rules'),
}

ACTIONS = {
    'create': _l('created'), 'update': _l('changed'), 'delete': _l('deleted'), 'assign': _l('assigned'),
    'merge': _l('merged'), 'import': _l('imported'), 'login': _l('signed in'), 'login_failed': _l('failed sign-in'),
    'login_throttled': _l('sign-in throttled'), 'logout': _l('signed out'),
    'logout_all': _l('signed out everywhere'), 'password_changed': _l('password changed'),
    'password_reset': _l('password reset'), 'sessions_revoked': _l('sessions ended'),
    'api_token_created': _l('API token created'), 'api_token_revoked': _l('API token revoked'),
    'pack_issued': _l('promotion pack issued'), 'summary_issued': _l('policy summary issued'),
    'share_created': _l('share link created'), 'share_revoked': _l('share link revoked'),
    'unit_double_promise': _l('unit promised twice'),
    'login_password_ok': _l('password accepted, code requested'), 'login_code_failed': _l('wrong sign-in code'),
    'totp_enabled': _l('two-step sign-in turned on'), 'totp_disabled': _l('two-step sign-in turned off'),
    'totp_reset': _l('two-step sign-in reset'), 'recovery_codes_renewed': _l('recovery codes renewed'),
    'recovery_code_used': _l('recovery code used'),
    'pool_warning': _l('warned before return to the pool'), 'pool_return': _l('returned to the pool'),
    'pool_claim': _l('claimed from the pool'), 'pool_release': _l('put back into the pool'),
    'pool_auto_assign': _l('assigned by rule'), 'export': _l('exported'),
}

FIELDS = {
    # leads and follow-ups
    'title': _l('Title'), 'codename': _l('Codename'), 'confidential': _l('Confidential'), 'firm_id': _l('Firm'),
    'source': _l('Source'), 'industry_code': _l('Industry'), 'space_need_m2': _l('Space needed (㎡)'),
    'space_use': _l('Space use'), 'space_by': _l('Space needed by'), 'investment': _l('Planned investment (10k yuan)'),
    'annual_tax': _l('Expected annual tax (10k yuan)'), 'jobs': _l('Expected jobs'), 'owner_id': _l('Owner'),
    'owner': _l('Owner'), 'priority': _l('Priority'), 'stage': _l('Stage'), 'stage_since': _l('In stage since'),
    'signed_at': _l('Signed on'), 'lost_reason_id': _l('Lost reason'), 'next_follow_up': _l('Next follow-up'),
    'last_activity_at': _l('Last follow-up'), 'notes': _l('Notes'), 'note': _l('Note'), 'kind': _l('Kind'),
    'subject': _l('Subject'), 'due_on': _l('Due'), 'done_at': _l('Done at'), 'outcome': _l('Outcome'),
    'lead_id': _l('Lead'),
    # firms and contacts
    'name': _l('Name'), 'former_names': _l('Former names'), 'uscc': _l('Unified social credit code'),
    'legal_rep': _l('Legal representative'), 'address': _l('Address'), 'district': _l('District'),
    'registered_capital': _l('Registered capital (10k yuan)'), 'revenue_band': _l('Revenue band'),
    'headcount': _l('Headcount'), 'rd_ratio': _l('R&D share of revenue'), 'registered_on': _l('Registered on'),
    'tags': _l('Tags'), 'owned_since': _l('Owned since'), 'pool_warned_on': _l('Warned of return to the pool on'), 'merged_into_id': _l('Merged into'), 'deleted_at': _l('Deleted at'),
    'deleted_by_id': _l('Deleted by'), 'role': _l('Role'), 'phone': _l('Phone'), 'email': _l('E-mail'),
    'wechat': _l('WeChat'), 'start_date': _l('Start'), 'end_date': _l('End'), 'area': _l('Area (㎡)'),
    # platforms, buildings, units
    'platform_id': _l('Platform'), 'building_id': _l('Building'), 'unit_id': _l('Unit'), 'floor': _l('Floor'),
    'number': _l('Unit number'), 'area_gross': _l('Gross area (㎡)'), 'area_usable': _l('Usable area (㎡)'),
    'use': _l('Use'), 'fitout': _l('Fit-out'), 'rent': _l('Rent (yuan/㎡·day)'),
    'property_fee': _l('Property fee (yuan/㎡·month)'), 'available_from': _l('Available from'),
    'status': _l('Status'), 'floors': _l('Floors'), 'gfa': _l('Gross floor area (㎡)'), 'operator': _l('Operator'),
    'aliases': _l('Aliases'), 'focus_industries': _l('Focus industries'), 'positioning': _l('Positioning'),
    'managing_body': _l('Managing body'),
    # policies and clauses
    'issuer': _l('Issuer'), 'level': _l('Level'), 'doc_number': _l('Document number'),
    'effective_from': _l('Effective from'), 'expires_on': _l('Expires on'), 'amounts_public': _l('Amounts public'),
    'kinds': _l('Kinds'), 'industries': _l('Industries'), 'platform_names': _l('Platforms'),
    'summary': _l('Summary'), 'formula': _l('Formula'), 'amount': _l('Amount (10k yuan)'),
    'percent': _l('Percentage'), 'base': _l('Base'), 'rate': _l('Rate'), 'schedule': _l('Schedule by year'),
    'cap_year': _l('Yearly cap (10k yuan)'), 'cap_total': _l('Total cap (10k yuan)'), 'conditions': _l('Conditions'),
    # accounts
    'role_code': _l('Role'), 'is_active': _l('Active'), 'locale': _l('Language'), 'password_hash': _l('Password'),
    'session_epoch': _l('Sessions'), 'last_login_at': _l('Last sign-in'),
    # plan targets
    'metric': _l('Metric'), 'value': _l('Value'), 'unit': _l('Unit'), 'comparator': _l('Comparator'),
    'year': _l('Year'), 'measure': _l('Measure'), 'actuals': _l('Actuals'), 'version': _l('Version'),
    'created_at': _l('Created'), 'updated_at': _l('Last changed'),
    # plan quotations, policy flags and record keys
    'citation': _l('Citation'), 'quote': _l('Quotation'), 'anchor': _l('Position in the document'),
    'document_slug': _l('Plan document'), 'period_start': _l('Period from'), 'period_end': _l('Period to'),
    'facts': _l('Plan facts'), 'key': _l('Key'), 'is_example': _l('Example data'),
    'highest_only': _l('Highest only, not combined'), 'policy_id': _l('Policy'), 'pack': _l('Promotion pack'),
    'id': _l('Record number'),
}


# Stages and the default lost reasons are stored in Chinese (the office's own words); the English interface shows
# them in English. A lost reason an administrator added is shown as written.
STAGES = {
    '线索': _l('Prospect'), '初步接洽': _l('First contact'), '考察看房': _l('Site visit'), '洽谈': _l('Negotiation'),
    '签约': _l('Signed'), '注册': _l('Registered'), '入驻': _l('Moved in'), '投产': _l('In operation'),
    '流失': _l('Lost'), '暂缓': _l('On hold'),
}
LOST_REASONS = {
    '选择其他区域': _l('Chose another district'), '政策条件不满足': _l('Policy conditions not met'),
    '房源不匹配': _l('No suitable space'), '企业战略调整': _l('Change of company strategy'),
    '联系中断': _l('Contact lost'), '其他': _l('Other'),
}


# Lead sources and follow-up kinds are stored in Chinese too.
SOURCES = {
    '以商招商': _l('Referral by a firm'), '中介推荐': _l('Agent referral'), '展会/峰会': _l('Fair or summit'),
    '基金招商': _l('Through a fund'), '上门拜访': _l('Door-to-door visit'), '线上': _l('Online'),
    '产业链招商': _l('Supply-chain promotion'), '其他': _l('Other'),
}
ACTIVITY_KINDS = {
    '电话': _l('Phone call'), '拜访': _l('Visit'), '考察看房': _l('Site visit'), '会议': _l('Meeting'),
    '函件': _l('Letter'), '备注': _l('Note'),
}


# What a unit is for and how it is fitted out, and a policy's level: stored in Chinese as well.
UNIT_USES = {'办公': _l('Office'), '研发': _l('R&D'), '商业': _l('Retail'), '厂房': _l('Factory'), '其他': _l('Other')}
FITOUTS = {'毛坯': _l('Bare shell'), '简装': _l('Basic fit-out'), '精装': _l('Fully fitted')}
POLICY_LEVELS = {'区': _l('District level'), '市': _l('City level'), '省': _l('Province level'),
                 '国家': _l('National level')}


# A unit's status; all but 空置 keep a unit from being offered (the pack and the match page say why a unit is left
# out).
UNIT_STATUSES = {'空置': _l('Vacant'), '意向': _l('promised'), '已租': _l('let'), '装修中': _l('being fitted out'), '锁定': _l('locked')}

# The industries plans, platforms and policies name (the matcher's vocabulary first, then the other words the
# policy register uses), a firm's tags and the districts: stored in Chinese, shown in English in English texts
# (policy conditions and match reasons in packs and summaries). A word the table does not know is shown as stored.
INDUSTRIES = {
    '跨境电商': _l('Cross-border e-commerce'), '数字贸易': _l('Digital trade'),
    '电竞数娱': _l('E-sports and digital entertainment'), '人力资源服务': _l('Human resources services'),
    '人工智能': _l('Artificial intelligence'), '数字经济': _l('Digital economy'), '金融': _l('Finance'),
    '文创': _l('Cultural and creative industries'), '健康': _l('Health'), '总部经济': _l('Headquarters economy'),
    '商贸': _l('Commerce and trade'), '科技服务': _l('Science and technology services'),
    '生物医药': _l('Biomedicine'), '智能制造': _l('Smart manufacturing'), '旅游': _l('Tourism'),
    '体育': _l('Sports'), '物流': _l('Logistics'), '新能源': _l('New energy'),
    '物联网': _l('Internet of Things'), '楼宇经济': _l('Office-building economy'), '生命健康': _l('Life and health'),
    '电子商务': _l('E-commerce'), '文化创意': _l('Culture and creativity'),
    '文化创意产业': _l('Cultural and creative sector'), '高新技术产业': _l('High-tech industries'),
    '旅游会展业': _l('Tourism, conventions and exhibitions'), '商贸服务业': _l('Commercial services'),
    '中介服务业': _l('Intermediary services'), '房地产建筑业': _l('Real estate and construction'),
    '社区服务业': _l('Community services'), '软件与信息服务': _l('Software and information services'),
    '健康产业': _l('Health industry'), '互联网金融': _l('Internet finance'), '金融服务': _l('Financial services'),
    '信息软件': _l('Information software'), '集成电路设计': _l('Integrated circuit design'),
    '航天航空': _l('Aerospace'), '集成电路': _l('Integrated circuits'),
    '专精特新': _l('Specialised and innovative SMEs'), '制造业': _l('Manufacturing'),
    '数据要素': _l('Data as a factor of production'), '信息经济': _l('Information economy'),
    '文化产业': _l('Culture industry'),
}
FIRM_TAGS = {
    '高新技术企业': _l('High-tech enterprise'), '总部': _l('Headquarters firm'), '上市': _l('Listed company'),
    '世界500强': _l('Fortune Global 500'), '老字号': _l('Time-honoured brand'),
    '市级众创空间': _l('City-level maker space'), '规上': _l('Above designated size'),
    '中国500强': _l('China Top 500'), '专精特新': _l('Specialised and innovative SMEs'), '独角兽': _l('Unicorn'),
    '准独角兽': _l('Prospective unicorn'), '外资': _l('Foreign-invested'),
}
DISTRICTS = {'拱墅区': _l('Gongshu District'), '下城区': _l('Xiacheng District'), '滨江区': _l('Binjiang District'),
             '杭州市': _l('Hangzhou'), '上城区': _l('Shangcheng District'), '江干区': _l('Jianggan District'),
             '西湖区': _l('Xihu District'), '萧山区': _l('Xiaoshan District'), '余杭区': _l('Yuhang District'),
             '临平区': _l('Linping District'), '钱塘区': _l('Qiantang District'), '富阳区': _l('Fuyang District'),
             '临安区': _l('Lin’an District')}

# A firm's revenue band and a contact's role, the kinds of support a policy clause grants and the kinds of plan
# document: stored in Chinese too.
REVENUE_BANDS = {'<500万': _l('under 5 million yuan'), '500万–2000万': _l('5 to 20 million yuan'),
                 '2000万–1亿': _l('20 to 100 million yuan'), '1亿–10亿': _l('100 million to 1 billion yuan'),
                 '10亿以上': _l('over 1 billion yuan')}
CONTACT_ROLES = {'法定代表人': _l('Legal representative'), '总经理': _l('General manager'),
                 '负责人': _l('Person in charge'), '财务': _l('Finance officer'), '行政': _l('Administration'),
                 '联络人': _l('Liaison'), '其他': _l('Other')}
CLAUSE_KINDS = {'落户奖励': _l('Settlement award'), '房租补助': _l('Rent subsidy'), '购房补助': _l('Purchase subsidy'),
                '研发资助': _l('R&D funding'), '人才奖励': _l('Talent award'), '税收贡献奖励': _l('Tax contribution award'),
                '上市奖励': _l('Listing award'), '认定奖励': _l('Recognition award'), '技改': _l('Technical upgrading'),
                '知识产权': _l('Intellectual property'), '融资/基金': _l('Financing and funds'), '其他': _l('Other')}
PRIORITIES = {'高': _l('High'), '中': _l('Medium'), '低': _l('Low')}
PLAN_KINDS = {'规划纲要': _l('Development plan'), '年度计划报告': _l('Annual plan report'),
              '政府工作报告': _l('Government work report'), '政策文件': _l('Policy paper'),
              '网页汇编': _l('Web compilation'), '其他': _l('Other')}

# What a plan says about a platform (the platform page and the pack), and the units its figures come in.
FACT_LABELS = {
    'positioning': _l('Positioning'), 'focus_industry': _l('Focus industry'), 'area_km2': _l('Area (km²)'),
    'planned_area': _l('Planned area'), 'designation': _l('Designation'), 'designation_year': _l('Designated in'),
    'managing_body': _l('Managing body'), 'tax': _l('Tax'), 'revenue': _l('Revenue'),
    'enterprises': _l('Number of firms'),
    'tenants': _l('Tenants'), 'jobs': _l('Jobs'), 'investment': _l('Investment'), 'opened': _l('Opened in'),
    'founded': _l('Founded'), 'location': _l('Location'), 'target': _l('Target'), 'other': _l('Other'),
}
FACT_UNITS = {'亿元': _l('100 million yuan'), '万元': _l('10k yuan'), '平方公里': _l('km²'), '亩': _l('mu'),
              '家': _l('companies'), '万平方米': _l('10k ㎡'), '平方米': _l('㎡'), '个': _l('count'), '人': _l('people')}


def label(table: dict, name: str | None) -> str:
    """The table's label for a stored name, in the viewer's language; a name the table does not know is shown as
    stored (a lost reason an administrator added, an object type without a label yet)."""
    return str(table[name]) if name in table else (name or '')


class LabelMap(dict):
    """A table's labels in the viewer's language, translated once: a list looks each row's label up here instead of
    translating it again for every row. A name the table does not know is shown as stored, as by `label`."""

    def __missing__(self, name: str | None) -> str:
        return name or ''


def label_map(table: dict) -> LabelMap:
    """`table`'s labels in the viewer's language, by stored name."""
    return LabelMap((name, str(text)) for name, text in table.items())


object_label = partial(label, OBJECTS)
action_label = partial(label, ACTIONS)
field_label = partial(label, FIELDS)
stage_label = partial(label, STAGES)
lost_reason_label = partial(label, LOST_REASONS)
source_label = partial(label, SOURCES)
activity_kind_label = partial(label, ACTIVITY_KINDS)
unit_use_label = partial(label, UNIT_USES)
fitout_label = partial(label, FITOUTS)
policy_level_label = partial(label, POLICY_LEVELS)
unit_status_label = partial(label, UNIT_STATUSES)
industry_label = partial(label, INDUSTRIES)
district_label = partial(label, DISTRICTS)
firm_tag_label = partial(label, FIRM_TAGS)
revenue_band_label = partial(label, REVENUE_BANDS)
contact_role_label = partial(label, CONTACT_ROLES)
clause_kind_label = partial(label, CLAUSE_KINDS)
plan_kind_label = partial(label, PLAN_KINDS)
priority_label = partial(label, PRIORITIES)
fact_label = partial(label, FACT_LABELS)
fact_unit_label = partial(label, FACT_UNITS)


def choices(table: dict, values) -> list[tuple[str, object]]:
    """A select's options: each stored value with its label (computed when the form is shown, in the viewer's
    language)."""
    return [(value, table.get(value, value)) for value in values]


def value_label(value) -> str:
    """A stored value a policy condition names (an industry, a firm tag, a district), in the viewer's language;
    numbers and names the tables do not know (a platform's name) as stored."""
    for table in (INDUSTRIES, FIRM_TAGS, DISTRICTS):
        if isinstance(value, str) and value in table:
            return str(table[value])
    return str(value)


def list_text(values) -> str:
    """Several values as one text: 甲、乙 in Chinese, "A, B" in English."""
    return gettext(', ').join(value_label(v) for v in values)
