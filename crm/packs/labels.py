"""Pack wording in Chinese (default) and English; plan quotes always stay in Chinese."""
LABELS = {
    'zh': {
        'title': '招商推介包', 'prepared_for': '致', 'platform': '推荐平台', 'officer': '招商专员', 'date': '日期',
        'number': '编号', 'profile': '平台概况', 'why': '推荐理由', 'facts': '规划文件中的平台信息', 'units': '推荐房源',
        'building': '楼宇', 'unit': '房号', 'area': '面积(㎡)', 'use': '用途', 'rent': '租金(元/㎡·天)',
        'monthly': '月租金(元)', 'available': '可租日期', 'now': '即可', 'cost': '落地成本测算（万元）', 'year': '年度',
        'rent_year': '年租金', 'subsidy': '房租补助', 'net': '净租金',
        'assumptions': '测算假设：挂牌租金 × 建筑面积 × 365 天；补助只计入条件已满足或尚待核实的政策，未知条件以区间表示；以正式政策兑现为准。',
        'policies': '可享政策', 'conditions': '条件', 'estimate': '预计支持', 'example': '示例政策（演示数据）',
        'basis': '规划依据', 'basis_intro': '以下内容逐字引自政府规划文件，并注明出处：', 'contact': '联系我们',
        'contact_text': '如需实地考察或进一步了解政策，请联系拱墅区投资促进部门。', 'met': '已满足', 'unmet': '不满足',
        'unknown': '待核实', 'eligible': '符合条件', 'conditional': '有待核实', 'source': '出处',
    },
    'en': {
        'title': 'Investment Promotion Pack', 'prepared_for': 'Prepared for', 'platform': 'Recommended platform',
        'officer': 'Investment officer', 'date': 'Date', 'number': 'Pack no.', 'profile': 'Platform profile',
        'why': 'Why this platform', 'facts': 'What the plan documents say', 'units': 'Recommended units',
        'building': 'Building', 'unit': 'Unit', 'area': 'Area (㎡)', 'use': 'Use', 'rent': 'Rent (CNY/㎡/day)',
        'monthly': 'Monthly (CNY)', 'available': 'Available', 'now': 'now', 'cost': 'Landed cost (10k CNY)',
        'year': 'Year', 'rent_year': 'Rent', 'subsidy': 'Rent subsidy', 'net': 'Net rent',
        'assumptions': 'Assumptions: listed rent × gross area × 365 days; only subsidies whose conditions are met or '
                       'still unknown; unknowns shown as a range; actual support follows the official policy.',
        'policies': 'Policies', 'conditions': 'Conditions', 'estimate': 'Estimated support',
        'example': 'Example policy (demo data)', 'basis': 'Plan commitments',
        'basis_intro': 'Quoted verbatim from government plan documents (in Chinese), with sources:',
        'contact': 'Contact', 'contact_text': 'For a site visit or policy questions, contact the investment promotion '
                                              'office of Gongshu District.', 'met': 'met', 'unmet': 'not met',
        'unknown': 'to be checked', 'eligible': 'eligible', 'conditional': 'to be confirmed', 'source': 'Source',
    },
}
