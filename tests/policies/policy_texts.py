"""Policy texts written for the tests (not real policies), in the layouts policies are published in, with the
damage copies do to them, and a check that every number of a clause is a number its quote states."""
from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

# 第N条 articles in chapters, copied from a PDF: spaces inside numbers and article numbers, full-width digits, an
# amount broken across two lines; a wrapping notice, issuer and date at the end.
ARTICLES = '''杭州市拱墅区促进楼宇经济高质量发展若干政策（测试）
拱政发〔2026〕8号

第一章 总则
第一条 为促进楼宇经济高质量发展，制定本政策。
第二条 本政策适用于工商注册、税务登记在拱墅区的企业。
第二章 扶持措施
第 三 条 对新引进的总部企业，实际投资1亿元以上的，给予一次性落户奖励1 0 0万元。
第四条 对租用办公用房的企业，按每平方米每天１.５元给予房租补助，单个企业每年最高不超过100
万元。
第五条 对新落户企业，前两年按其地方财政贡献的100%、后三年按50%给予奖励，累计不超过500万元。
第六条 对企业年度研发投入，按5000万元（含）以上至1亿元、1亿元以上两档，分别按3%、5%给予资助，上不封顶。
第七条 被认定为国家级、省级专精特新“小巨人”企业的，分别给予５０万元和20万元奖励。
第八条 对年营业收入首次突破1亿元、5亿元、10亿元的企业，分别给予30万元、80万元、150万元奖励。
第九条 对员工人数100人以上、研发投入占营业收入比例达到5%以上的国家高新技术企业，按其年度研发投入的10%给予资助，最高200万元。
第十条 对特别重大的项目，实行一事一议。
第 1 1 条 同一企业同一事项符合本区多项政策的，按就高不重复原则执行。
第十二条 本政策自2026年1月1日起施行，有效期3年。

杭州市拱墅区人民政府
2025年12月20日
'''

# 一、/（一） items, as a browser saves the page: navigation, scripts, a metadata block with the issuer, 文号 and date.
ITEMS_HTML = '''<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>拱墅区跨境电商产业扶持细则（测试）_政策文件</title>
<script>var pageId = 12; window.onload = function () { track(pageId); };</script>
<style>body { margin: 0 }</style></head>
<body><div class="nav">网站首页 | 政务公开 | 政策文件</div>
<div class="meta">索引号：002490000/2026-00012 发布机构：拱墅区商务局 成文日期：2026-02-15</div>
<h1>拱墅区跨境电商产业扶持细则（测试）</h1>
<p>文号：拱商〔2026〕5号</p>
<p>一、支持对象</p>
<p>本细则适用于在拱墅区注册并纳税的跨境电商企业。</p>
<p>二、扶持措施</p>
<p>（一）落户奖励。对新引进的跨境电商企业，年营业收入5000万元至1亿元的，给予20万元奖励；1亿元以上的，给予50万元奖励。</p>
<p>（二）房租补助。对入驻跨贸小镇的企业，第一年按年租金的100%、第二年和第三年按50%给予补助，每年最高不超过30万元。</p>
<p>（三）人才奖励。对企业每引进1名硕士给予2万元奖励，每家企业每年最高不超过20万元。</p>
<p>（四）对被评为省级跨境电商示范企业的，给予最高30万元奖励。</p>
<p>三、申报程序</p>
<p>（一）申报时间：每年4月集中申报。</p>
<p>（二）申报材料：申请表、营业执照复印件、上年度财务报表。</p>
<p>（三）由区商务局负责受理，咨询电话：0571-00000009。</p>
<p>（四）奖励资金经审核后分两次拨付，首次拨付60%。</p>
<p>四、附则</p>
<p>本细则自2026年3月1日起施行，有效期至2027年12月31日。</p>
<div class="footer">版权所有 拱墅区人民政府 | 网站地图 | 联系我们</div>
</body></html>'''

# 一、/（一） items as plain UTF-8 text, copied from a PDF: the 文号 and amounts in full-width digits, a space inside a
# threshold, a cap broken inside its number, a rate per machine, 不设上限, and a 申报与兑现 section that states no way of
# paying.
ITEMS_PLAIN = '''滨河区支持制造业技术改造若干措施（测试）
滨经信〔2026〕１２号
滨河区经济和信息化局
2026年2月10日

一、适用范围
本措施适用于在拱墅区注册、纳税的制造业企业。
二、支持措施
（一）技术改造补助。对企业实施技术改造项目，设备投资额在2 000万元以上的，按设备投资额的８％给予补助，单个项目最高不超过3
00万元。
（二）机器人应用。对企业新购置工业机器人的，按每台5000元给予补助，每家企业每年最高50万元。
（三）规上奖励。对首次认定为规模以上工业企业的，给予一次性奖励１５万元。
（四）项目投资奖励。对新引进的制造业项目，固定资产投资5000万元至2亿元的，按固定资产投资的2%给予奖励；2亿元以上的，按3%给予奖励，奖励不设上限。
（五）亩均奖励。对亩均税收达到30万元以上的企业，按每亩1万元给予奖励，累计最高不超过100万元。
（六）地方贡献奖励。对新落户企业，自落户之年起3年内，前1年按其地方财政贡献的100%、后2年按其地方财政贡献的60%给予奖励。
三、申报与兑现
（一）申报时间：每年5月集中申报。
（二）由区经济和信息化局负责受理，咨询电话：0571-00000001。
四、附则
本措施自2026年3月1日起施行，有效期2年。
'''

# 1. 2. 3. items in a Word document.
NUMBERED = ['拱墅区人才引进资助办法（测试）',
            '1. 对新引进的博士，每人给予10万元安家补助。',
            '2. 对企业新招用员工，按每人每年2000元给予补贴，每家企业每年最高不超过50万元。',
            '3. 对获评省级以上人才称号的，优先推荐申报市级人才计划。',
            '4. 申报材料：学历证书、劳动合同、社保缴纳证明。']

# 第N条 articles typeset into a PDF (its lines wrap wherever the page ends them).
PDF_HTML_BODY = '''<h1>拱墅区楼宇招商扶持办法（测试）</h1>
<p>第一条 为促进楼宇招商，制定本办法。</p>
<p>第二条 对新引进的总部企业，实际投资1亿元以上的，给予一次性落户奖励200万元；实际投资5亿元以上的，给予一次性落户奖励500万元。</p>
<p>第三条 对租用办公用房的企业，按每平方米每天1.2元给予房租补助，单个企业每年最高不超过80万元。</p>
<p>第四条 本办法自2026年1月1日起施行，有效期3年。</p>'''


# 第N条 articles in chapters in a Word document whose runs split numbers (3|0%, 1|000万元, ２００ in a run of its own).
ARTICLES_RUNS = [['东湖区总部经济扶持办法（测试）'], ['第一章 ', '总则'], ['第一条 为发展总部经济，制定本办法。'],
                 ['第二章 扶持内容'],
                 ['第二条 对新认定的总部企业，按其上年度地方财政贡献的', '3', '0%给予奖励，每年最高', '1', '000万元。'],
                 ['第三条 对总部企业租用自用办公用房的，前三年按实际租金的', '100%', '、后两年按50%给予补助，每年最高不超过',
                  '２００', '万元。'],
                 ['第四条 本办法由区发展改革局负责解释，自2026年5月1日起施行。']]

# 一、/（一） items typeset into a PDF.
PDF_ITEMS_BODY = '''<h1>东湖区数字经济人才新政（测试）</h1>
<p>一、人才安居</p><p>（一）对企业新引进的本科毕业生，按每人每年1.2万元给予租房补贴，补贴期限最长3年。</p>
<p>（二）对企业引进的顶尖人才，给予最高800万元购房补贴。</p>
<p>二、企业用工</p><p>（一）对年度新增就业岗位100个以上的数字经济企业，按每新增1人2000元给予奖励，每家企业每年最高不超过30万元。</p>
<p>三、附则</p><p>本新政自2026年6月1日起施行，有效期3年。</p>'''


def docx_bytes(paragraphs: list[str | list[str]]) -> bytes:
    """A minimal Word document holding the paragraphs (a list: one paragraph in several runs, as Word splits them)."""
    body = ''.join('<w:p>' + ''.join(f'<w:r><w:t xml:space="preserve">{run}</w:t></w:r>'
                                     for run in (p if isinstance(p, list) else [p])) + '</w:p>' for p in paragraphs)
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f'<w:body>{body}</w:body></w:document>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        archive.writestr('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                                                'package/2006/content-types"/>')
        archive.writestr('word/document.xml', document)
    return buffer.getvalue()


def pdf_bytes(body: str = PDF_HTML_BODY) -> bytes:
    """The body typeset by WeasyPrint on a narrow page (so that sentences wrap)."""
    from crm.packs.pdf import base_css, render_pdf
    from crm.packs.services import ASSET_ROOT

    html = (f'<html><head><meta charset="utf-8"><style>{base_css()} @page {{ size: 120mm 200mm; margin: 10mm; }}'
            f'</style></head><body>{body}</body></html>')
    return render_pdf(html, asset_root=ASSET_ROOT)


_MONEY = {'亿元': Decimal(10000), '万元': Decimal(1), '元': Decimal('0.0001')}


def stated_numbers(quote: str) -> set[Decimal]:
    """Every number the quote states, in its own unit and (for money) in 万元; 全额/减半 are 100 and 50."""
    from crm.policies.structure import cn_number

    found: set[Decimal] = set()
    for m in re.finditer(r'(\d+(?:\.\d+)?)\s*(亿元|万元|元)?', quote):
        value = Decimal(m.group(1))
        found.add(value)
        if m.group(2):
            found.add(value * _MONEY[m.group(2)])
    for m in re.finditer(r'[一二两三四五六七八九十]+', quote):
        number = cn_number(m.group(0))
        if number is not None:
            found.add(Decimal(number))
    if '全额' in quote:
        found.add(Decimal(100))
    if '减半' in quote:
        found.add(Decimal(50))
    return found


def clause_numbers(clause, *, conditions: bool = True) -> list[Decimal]:
    """Every number a clause carries: amount, percent, rate, caps, schedule, tier bounds and values, and (unless
    `conditions` is false) the values of its conditions."""
    get = (lambda k: clause.get(k)) if isinstance(clause, dict) else (lambda k: getattr(clause, k))
    out = [get(k) for k in ('amount', 'percent', 'rate', 'cap_year', 'cap_total')]
    out += list(get('schedule') or [])
    for tier in get('tiers') or []:
        out += [tier.get('min'), tier.get('max'), tier.get('percent'), tier.get('amount')]
    for condition in (get('conditions') or []) if conditions else []:
        values = condition['value'] if isinstance(condition['value'], list) else [condition['value']]
        out += [v for v in values if isinstance(v, (int, float, Decimal))]
    return [Decimal(str(v)) for v in out if v is not None]
