"""What a firm's name is at its core, for spotting the same firm under another form of its name.

`core_name` folds the width of characters and brackets, drops bracketed parts such as （杭州）, the legal form
(有限公司, 有限责任公司, 股份有限公司, 集团 …), spaces and punctuation, and the province, city or district that
many names begin with (浙江, 杭州市, 拱墅 …): 某某科技（杭州）有限公司, 杭州某某科技有限公司 and 某某科技股份有限公司
all come to 某某科技. Names that differ by a character or a trade word are compared with RapidFuzz on these cores.

Every firm's core is stored (`firm.name_core`, indexed) with its two-character runs (`firm_name_gram`), so finding
the firms that may be the same one reads a few index entries instead of comparing with every firm on record.
"""
from __future__ import annotations

import functools
import re

from rapidfuzz import fuzz
from sqlalchemy import Connection, bindparam, delete, event, insert, inspect, select, update
from sqlalchemy.orm import Session, object_session

from crm.core.validators import firm_name_key

# Provinces, the cities of Zhejiang, provincial capitals and other large cities, and the districts of Hangzhou: a
# name that starts with one of them (with or without 省/市/区/县) is read without it.
PLACES = (
    '北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 '
    '云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 '
    '杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水 义乌 '
    '石家庄 太原 沈阳 大连 长春 哈尔滨 南京 苏州 无锡 常州 合肥 福州 厦门 南昌 济南 青岛 郑州 武汉 长沙 广州 深圳 '
    '东莞 佛山 南宁 海口 成都 贵阳 昆明 拉萨 西安 兰州 西宁 银川 乌鲁木齐 呼和浩特 '
    '上城 下城 江干 拱墅 西湖 滨江 萧山 余杭 临平 钱塘 富阳 临安 桐庐 淳安 建德'
).split()
_PLACE_PREFIX = re.compile('^(?:' + '|'.join(sorted(PLACES, key=len, reverse=True)) +
                           ')(?:省|市|区|县|自治区|特别行政区)?')
# Words naming the trade rather than the firm, taken off the end to compare what remains (the brand):
# 云图网络科技 and 云图信息技术 are both 云图.
TRADE_WORDS = sorted((
    '科技 技术 信息 网络 数据 数字 智能 软件 电子 商务 电子商务 电商 人力资源 文化 传媒 文化传媒 供应链 供应链管理 管理 '
    '咨询 发展 实业 投资 控股 贸易 国际贸易 工程 建设 置业 物业 教育 医疗 健康 生物 医药 材料 新材料 能源 新能源 环保 '
    '汽车 金融 服务 数据服务 信息技术 网络科技 科技发展 企业管理 贸易发展'
).split(), key=len, reverse=True)
_TRADE_SUFFIX = re.compile('(?:' + '|'.join(TRADE_WORDS) + ')$')

SIMILAR = 75  # a score (0–100, see similarity) from which two cores are offered as possibly the same firm
BRAND_MATCH = 90  # the score of two names whose cores differ only in trade words
CANDIDATES = 200  # firms sharing the rarest runs that are scored at most
POSTINGS = 2000  # index entries read at most to find them (at least the rarest run is always read)


def core_name(name: str | None) -> str:
    """The name without width, brackets, legal form, punctuation and leading place names ('' for no name)."""
    text = firm_name_key(name or '')
    while True:
        match = _PLACE_PREFIX.match(text)
        if not match or len(text) - match.end() < 2:
            return text
        text = text[match.end():]


@functools.lru_cache(maxsize=65536)
def brand(core: str) -> str:
    """The core without the trade words it ends with (the core itself when nothing else would be left)."""
    text = core
    while (match := _TRADE_SUFFIX.search(text)) and match.start() >= 2:
        text = text[:match.start()]
    return text


def grams(core: str) -> set[str]:
    """The two-character runs of a core (a one-character core is its own run)."""
    if len(core) < 2:
        return {core} if core else set()
    return {core[i:i + 2] for i in range(len(core) - 1)}


def similarity(a: str, b: str) -> float:
    """How alike two cores are, 0–100: RapidFuzz's ratio of the cores and of their brands, averaged (trade words
    shared by many firms count for half), or BRAND_MATCH when only trade words differ."""
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    brand_a, brand_b = brand(a), brand(b)
    if len(brand_a) >= 2 and brand_a == brand_b:
        return float(BRAND_MATCH)
    return (fuzz.ratio(a, b) + fuzz.ratio(brand_a, brand_b)) / 2


# --- keeping the stored cores and runs current ----------------------------------------------------------------

def _gram_table():
    from crm.firms.models import FirmNameGram  # firms.models imports this module to attach its name listener

    return FirmNameGram.__table__


def write_grams(connection: Connection, rows: list[tuple[int, str]], *, replace: bool = True) -> None:
    """Store the runs of the given (firm id, core) pairs, replacing those stored (unless they are new firms)."""
    if not rows:
        return
    table = _gram_table()
    if replace:
        ids = [firm_id for firm_id, _core in rows]
        for start in range(0, len(ids), 500):
            connection.execute(delete(table).where(table.c.firm_id.in_(ids[start:start + 500])))
    values = [{'firm_id': firm_id, 'gram': gram} for firm_id, core in rows for gram in sorted(grams(core))]
    if values:
        connection.execute(insert(table), values)


def reindex(connection: Connection) -> int:
    """Compute every firm's core and runs again (after a change of the rules above, or for rows written around
    the ORM); returns the number of firms."""
    from crm.firms.models import Firm  # firms.models imports this module to attach its name listener

    firm = Firm.__table__
    rows = [(firm_id, core_name(name)) for firm_id, name in connection.execute(select(firm.c.id, firm.c.name))]
    if rows:
        connection.execute(update(firm).where(firm.c.id == bindparam('fid')).values(name_core=bindparam('core')),
                           [{'fid': firm_id, 'core': core} for firm_id, core in rows])
        connection.execute(delete(_gram_table()))
        write_grams(connection, rows, replace=False)
    return len(rows)


_PENDING = 'crm.firm_name_grams'  # (firm id, core, new?) written by the flush, stored once it has finished


def listen(firm_class) -> None:
    """Keep `name_core` and the runs of a firm in step with its name whenever the ORM writes it: the cores as
    part of each row, the runs in one statement per flush."""

    @event.listens_for(firm_class, 'before_insert')
    def _core_on_insert(_mapper, _connection, target) -> None:
        target.name_core = core_name(target.name)

    @event.listens_for(firm_class, 'before_update')
    def _core_on_update(_mapper, _connection, target) -> None:
        if inspect(target).attrs.name.history.has_changes() or target.name_core is None:
            target.name_core = core_name(target.name)
            target._name_grams_stale = True

    @event.listens_for(firm_class, 'after_insert')
    def _grams_on_insert(_mapper, _connection, target) -> None:
        object_session(target).info.setdefault(_PENDING, []).append((target.id, target.name_core, True))

    @event.listens_for(firm_class, 'after_update')
    def _grams_on_update(_mapper, _connection, target) -> None:
        if target.__dict__.pop('_name_grams_stale', False):
            object_session(target).info.setdefault(_PENDING, []).append((target.id, target.name_core, False))

    @event.listens_for(Session, 'before_flush')
    def _forget_failed(session, _context, _instances) -> None:
        session.info.pop(_PENDING, None)  # left by a flush that failed and was rolled back

    @event.listens_for(Session, 'after_flush')
    def _store_grams(session, _context) -> None:
        pending = session.info.pop(_PENDING, None)
        if pending:
            connection = session.connection()
            write_grams(connection, [(i, core) for i, core, new in pending if new], replace=False)
            write_grams(connection, [(i, core) for i, core, new in pending if not new])
