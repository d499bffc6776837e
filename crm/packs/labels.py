"""Pack wording in Chinese (default) and English; plan quotes always stay in Chinese."""
LABELS = {
    'zh': {
        'title': '招商推介包', 'prepared_for': '致', 'platform': '推荐平台', 'officer': '招商专员', 'date': '日期',
        'number': '编号', 'profile': '平台概况', 'why': '推荐理由', 'facts': '规划文件中的平台信息', 'units': '推荐房源',
        'building': '楼宇', 'unit': '房号', 'area': '面积(㎡)', 'use': '用途', 'rent': '租金(元/㎡·天)',
        'monthly': '月租金(元)', 'available': '可租日期', 'now': '现可入驻', 'cost': '落地成本测算（万元）', 'year': '年度',
        'rent_year': '年租金', 'subsidy': '房租补助', 'net': '净成本（租金＋物业费－补助）', 'item': '项目',
        'cost_title': '落地成本测算：{unit}，{years} 年（万元）',
        'year_n': '第{}年', 'total': '合计', 'fee': '物业费', 'fee_none': '未登记', 'less': '减：',
        'assumptions': '测算假设：按 {years} 年租期测算；年租金 = 挂牌租金 × 建筑面积 × 365 天，物业费 = 物业费单价（元/㎡·月）× '
                       '建筑面积 × 12 个月；只计入本推介包所列政策的房租补助，每项补助及补助合计均不超过当年租金，注明“就高不重复”的政策'
                       '不与其他政策叠加；条件尚待核实时以区间表示（低值按不满足、高值按满足计）；以正式政策兑现为准。',
        'fee_missing': '该房源未登记物业费，净成本未含物业费。',
        'policies': '可享政策', 'conditions': '条件', 'estimate': '预计支持', 'example': '示例政策，演示数据',
        'basis': '规划依据', 'basis_intro': '以下内容逐字引自政府规划文件，并注明出处：', 'contact': '联系我们',
        'contact_text': '如需实地考察或进一步了解政策，请联系拱墅区投资促进部门。', 'met': '已满足', 'unmet': '不满足',
        'unknown': '待核实', 'eligible': '符合条件', 'conditional': '有待核实', 'source': '出处',
        # punctuation around the labels, the page footer (a CSS content value) and the 政策摘要
        'colon': '：', 'open': '（', 'close': '）', 'semicolon': '；', 'comma': '、',
        'footer': '"第 " counter(page) " 页 / 共 " counter(pages) " 页"',
        'expires': '有效期至', 'summary_title': '政策摘要', 'summary_number': '编号', 'summary_to': '致',
        'summary_policies': '可享受或可能享受的政策',
        'summary_example': '示例政策，演示数据', 'deadline': '截止日期', 'missing': '尚需补充或核实',
        'summary_none': '暂未找到适用的政策。',
        'summary_contact': '如需申报或了解政策细节，请联系拱墅区投资促进部门{author}。', 'author': '（{}）',
        'summary_note': '说明：金额为按已知信息的估算，未知条件以区间或“有待核实”表示；'
                        '“金额未公开”的政策以正式文件为准。',
        'guide': '申兑指南',
    },
    'en': {
        'title': 'Investment Promotion Pack', 'prepared_for': 'Prepared for', 'platform': 'Recommended platform',
        'officer': 'Investment officer', 'date': 'Date', 'number': 'Pack no.', 'profile': 'Platform profile',
        'why': 'Why this platform', 'facts': 'What the plan documents say', 'units': 'Recommended units',
        'building': 'Building', 'unit': 'Unit', 'area': 'Area (㎡)', 'use': 'Use', 'rent': 'Rent (CNY/㎡/day)',
        'monthly': 'Monthly (CNY)', 'available': 'Available', 'now': 'now', 'cost': 'Landed cost (10k CNY)',
        'year': 'Year', 'rent_year': 'Rent', 'subsidy': 'Rent subsidy', 'net': 'Net cost (rent + fee − subsidy)',
        'item': 'Item', 'cost_title': 'Landed cost: {unit}, {years} years (10k CNY)', 'year_n': 'Year {}',
        'total': 'Total', 'fee': 'Property fee', 'fee_none': 'not listed',
        'less': 'Less: ',
        'assumptions': 'Assumptions: a {years}-year term; rent = listed rent × gross area × 365 days; property fee = '
                       'fee (CNY/㎡/month) × gross area × 12; only the rent subsidies of the policies in this pack, '
                       'each and all together at most the year\'s rent; a policy marked 就高不重复 is not combined '
                       'with others; unknown conditions give a range (low end: not met, high end: met); actual support '
                       'follows the official policy.',
        'fee_missing': 'No property fee is listed for this unit; the net cost leaves it out.',
        'policies': 'Policies', 'conditions': 'Conditions', 'estimate': 'Estimated support',
        'example': 'Example policy (demo data)', 'basis': 'Plan commitments',
        'basis_intro': 'Quoted verbatim from government plan documents (in Chinese), with sources:',
        'contact': 'Contact', 'contact_text': 'For a site visit or policy questions, contact the investment promotion '
                                              'office of Gongshu District.', 'met': 'met', 'unmet': 'not met',
        'unknown': 'to be checked', 'eligible': 'eligible', 'conditional': 'to be confirmed', 'source': 'Source',
        'colon': ': ', 'open': ' (', 'close': ')', 'semicolon': '; ', 'comma': ', ',
        'footer': '"Page " counter(page) " of " counter(pages)',
        'expires': 'valid until', 'summary_title': 'Policy Summary', 'summary_number': 'No.',
        'summary_to': 'Prepared for',
        'summary_policies': 'Policies you qualify for or may qualify for',
        'summary_example': 'example policy, demo data',
        'deadline': 'Deadline', 'missing': 'Still to provide or check',
        'summary_none': 'No applicable policy found yet.',
        'summary_contact': 'To apply or for policy details, contact the investment promotion office of Gongshu '
                           'District{author}.', 'author': ' ({})',
        'summary_note': 'Note: amounts are estimates from what is known; unknown conditions give a range or "to be '
                        'confirmed"; where the amount is not public, the official document applies.',
        'guide': 'How to apply (in the policy\'s words)',
    },
}

# What a unit is for (stored in Chinese); the English pack shows it in English, the Chinese pack as stored.
UNIT_USES = {'en': {'办公': 'Office', '研发': 'R&D', '商业': 'Retail', '厂房': 'Factory', '其他': 'Other'}}


def unit_use(value: str | None, lang: str) -> str:
    return UNIT_USES.get(lang, {}).get(value or '', value or '—')
