"""A seeded generator of injected advertising, and of clean paragraphs damaged with it.

The strings come from templates with random slots (novel titles made of names and genre words, prices, phone and
QQ numbers, site addresses): strings of the kinds the junk model learns from, but not the training list itself.
They are inserted between sentences, after a clause and in the middle of a clause.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / 'fixtures'

SURNAMES = '林叶萧秦苏陆楚江沈顾韩唐莫白宁夏姜洛慕凌'
GIVEN = ['尘', '凡', '天', '枫', '辰', '羽', '瑶', '雪', '寒', '玄', '逸', '墨', '月', '星河', '无忌', '青云', '紫萱', '北辰']
GENRES = ['修仙', '都市', '玄幻', '穿越', '重生', '赘婿', '战神', '神医', '仙帝', '总裁', '王妃', '兵王', '剑尊', '魔尊']
TITLE_FORMS = ['{genre}之{name}传奇', '{name}的{genre}人生', '{genre}：我的逆袭之路', '绝世{genre}{name}',
               '{genre}狂婿{name}', '我在{place}当{genre}', '{name}：{genre}归来', '重回{year}做{genre}',
               '万界{genre}系统', '{genre}从{place}开始']
PLACES = ['都市', '末世', '大唐', '异界', '乡村', '星际', '宗门', '豪门']
READ = ['全文免费阅读', '最新章节列表', '无弹窗全文阅读', 'txt全本下载', '免费在线阅读', '番外完整版', '小说全集',
        '第{n}章在线看', '全本完结', '最新章节更新']
CREDIT = ['点击领取{p}元话费', '免费领{p}元话费，限前{n}名', '话费充{p}送{q}', '手机号登记送{p}元话费', '充话费立减{q}元',
          '扫码领取{p}元话费红包']
JOBS = ['兼职日结{p}元', '在家兼职，日赚{p}元', '招聘兼职打字员，日结工资', '手机刷单兼职，佣金秒结', '宝妈兼职，一天{p}元',
        '兼职加QQ{qq}', '招兼职客服，日结{p}元，加微信{wx}']
GAMES = ['游戏代练，{n}天上王者', '手游充值{d}折起', '首充{p}元送神装', '专业代练，不封号，QQ{qq}', '游戏币充值，秒到账',
         '传奇私服，今日新开', '点券充值{d}折，客服{phone}']
REMEDIES = ['祖传秘方，根治{ill}', '{ill}一次根治，无效退款', '老中医祖传秘方治{ill}', '{n}天根治{ill}，永不复发',
            '祖传膏药专治{ill}', '治{ill}的偏方，电话{phone}']
ILLS = ['风湿', '脚气', '鼻炎', '颈椎病', '失眠', '胃病', '痛风', '白发', '痘痘', '腰腿痛']
SITES = ['更多精彩请访问{url}', '本站网址：{url}', '手机阅读：{url}', '百度搜索{site}即可找到本站']
SITE_NAMES = ['书香阁', '看书吧', '笔趣屋', '小说楼', '快读网']
KINDS = ('novel', 'read', 'credit', 'job', 'game', 'remedy', 'site')


def _phone(rng: random.Random) -> str:
    return '1' + rng.choice('3578') + ''.join(rng.choice('0123456789') for _ in range(9))


def _url(rng: random.Random) -> str:
    name = ''.join(rng.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(rng.randint(4, 8)))
    tail = rng.choice(['.com', '.cc', '.net', '.la'])
    return rng.choice(['www.', 'm.', 'wap.']) + name + str(rng.randint(1, 999)) + tail


def _title(rng: random.Random) -> str:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    return rng.choice(TITLE_FORMS).format(genre=rng.choice(GENRES), name=name, place=rng.choice(PLACES),
                                          year=rng.choice(['1980', '1998', '2008']))


def junk_string(rng: random.Random, kind: str | None = None) -> str:
    """One injected string of the given kind (any kind when None)."""
    kind = kind or rng.choice(KINDS)
    slots = {'p': rng.choice([10, 20, 30, 50, 100, 200, 300, 500]), 'q': rng.choice([5, 10, 20, 50]),
             'n': rng.randint(2, 999), 'd': rng.choice([1, 3, 5, 8]), 'qq': rng.randint(10_000_000, 3_999_999_999),
             'wx': 'wx' + str(rng.randint(1000, 99999)), 'phone': _phone(rng), 'ill': rng.choice(ILLS),
             'url': _url(rng), 'site': rng.choice(SITE_NAMES)}
    if kind == 'novel':
        return _title(rng) + (rng.choice(READ).format(**slots) if rng.random() < 0.6 else '')
    if kind == 'read':
        return rng.choice(READ).format(**slots)
    table = {'credit': CREDIT, 'job': JOBS, 'game': GAMES, 'remedy': REMEDIES, 'site': SITES}[kind]
    return rng.choice(table).format(**slots)


def clean_paragraphs(path: Path = FIXTURES / 'clean_prose.txt') -> list[str]:
    """The held-out clean paragraphs."""
    return [ln.strip() for ln in path.read_text(encoding='utf-8').splitlines() if ln.strip() and not ln.startswith('#')]


@dataclass
class Injected:
    """A clean paragraph, the same paragraph with junk inserted, and where the junk went."""
    clean: str
    damaged: str
    junk: list[str]
    places: list[str]  # 'between' sentences, 'clause' start after a comma, 'inside' a clause


def _positions(text: str) -> dict[str, list[int]]:
    between = [i + 1 for i, c in enumerate(text[:-1]) if c in '。；']
    clause = [i + 1 for i, c in enumerate(text[:-1]) if c in '，、：']
    inside = [i for i in range(2, len(text) - 2)
              if '\u4e00' <= text[i - 1] <= '\u9fff' and '\u4e00' <= text[i] <= '\u9fff']
    return {'between': between, 'clause': clause, 'inside': inside}


def inject(rng: random.Random, clean: str, count: int = 1) -> Injected:
    """Insert `count` junk strings into a clean paragraph at random places of random kinds."""
    places = _positions(clean)
    chosen: list[tuple[int, str, str]] = []
    for _ in range(count):
        where = rng.choice([w for w in places if places[w]])
        pos = rng.choice(places[where])
        if any(abs(pos - p) < 6 for p, _, _ in chosen):
            continue
        junk = junk_string(rng)
        if where == 'between' and rng.random() < 0.5:
            junk += '。'
        elif where == 'clause' and rng.random() < 0.3:
            junk += '，'
        chosen.append((pos, junk, where))
    text = clean
    for pos, junk, _ in sorted(chosen, reverse=True):
        text = text[:pos] + junk + text[pos:]
    chosen.sort()
    return Injected(clean, text, [j for _, j, _ in chosen], [w for _, _, w in chosen])


def damaged_set(seed: int, paragraphs: list[str], per_paragraph: int = 1) -> list[Injected]:
    """Every paragraph once, each with junk inserted, reproducibly."""
    rng = random.Random(seed)
    return [inject(rng, p, per_paragraph) for p in paragraphs]


def compare(clean: str, cleaned: str) -> tuple[int, int]:
    """(characters of the clean text missing from the cleaned one, characters of the cleaned text that are not
    in the clean one): real text cut, and junk left."""
    matcher = SequenceMatcher(None, clean, cleaned, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return len(clean) - matched, len(cleaned) - matched
