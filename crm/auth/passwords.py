"""The password rule, applied wherever a password is set (account creation in the web and on the command line,
one's own change, an administrator's reset).

A password must be at least 10 characters and hard to guess:
- not one of the most common (breached) passwords: zxcvbn's frequency lists (30,000 most common passwords from
  leaked sets, plus English words, names and film/TV words) and a short list of passwords common in China;
- not built from the account's own e-mail address or name, nor from words everybody associates with this system
  (拱墅, gongshu, 杭州, hangzhou, 招商, zhaoshang, the product's name, the platforms' names): once those are taken
  out, what is left must still be hard to guess;
- zxcvbn's estimate (with the same words as the account's own) must reach score 3, about 10^8 guesses.
No composition rules (ASVS 6.2.5): a phrase of ordinary words passes. The reason for a refusal is told in the
interface language.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable

from flask import has_app_context
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

from crm.core import hooks

MIN_LENGTH = 10
MAX_LENGTH = 256
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable", about 10^8 guesses or more
ESTIMATE_CHARS = 100  # zxcvbn's time grows with length; the first 100 characters decide

# Words of this district and this product: the first guesses against any account here.
CONTEXT_WORDS = (
    '拱墅', '拱墅区', 'gongshu', 'gongshuqu', '杭州', 'hangzhou', '浙江', 'zhejiang', '招商', 'zhaoshang',
    '招商局', 'zhaoshangju', '园区', 'yuanqu', '产业园', 'chanyeyuan', '下城', 'xiacheng', '运河', 'yunhe',
    '大运河', 'dayunhe', 'crm', 'gscrm', 'gongshucrm', 'investment', 'promotion', '拱墅招商', 'gongshuzhaoshang',
    '园区招商', '跨贸小镇', 'kuamao',
)
# Passwords common in China that the English-centred lists rank low (pinyin phrases, lucky numbers).
COMMON_IN_CHINA = (
    'woaini', 'woaini1314', 'woaini520', 'woaini1314520', '5201314', '1314520', '13145201314', 'aini1314',
    'iloveyou1314', 'qq123456', 'qq123456789', 'a123456', 'a123456789', 'aa123456', 'abc123456', 'zxc123456',
    'admin123', 'admin12345', 'admin888', 'woaiwojia', 'zhongguo', 'zhongguo123', 'china123', 'beijing',
    'shanghai', 'wangwei', 'zhangwei', 'liming', 'huawei', 'xiaomi', 'taobao', 'baidu', 'tencent', 'alibaba',
    '88888888', '66666666', '168168', '518518', '888888888', '147258369', '123456abc', '1qaz2wsx3edc',
)

_lock = threading.Lock()  # zxcvbn keeps the user's own words in a module-level dictionary while it runs
_extra_loaded = False

MESSAGES = {
    'length': _l('At least %(n)s characters.', n=MIN_LENGTH),
    'common': _l('This password is on the lists of the most common (leaked) passwords, which attackers try first.'),
    'personal': _l('The password is built from your own e-mail address or name, which others can read off your '
                   'account; choose something unrelated.'),
    'context': _l('The password is built from words tied to this district or this system (such as 拱墅, gongshu, '
                  'hangzhou, 招商 or a platform\'s name), which attackers try first; choose something unrelated.'),
    'common_parts': _l('The password is a common password or word with a few letters, digits or symbols added; '
                       'a phrase of several unrelated words is stronger and easier to remember.'),
    'spatial': _l('Keyboard patterns such as qwerty or 1q2w3e are easy to guess.'),
    'repeat': _l('Repeated characters or words such as aaa or abcabc are easy to guess.'),
    'sequence': _l('Sequences such as abcdef or 123456 are easy to guess.'),
    'date': _l('Dates and years are easy to guess.'),
    'weak': _l('This password is too easy to guess.'),
}


def _fold(text: str) -> str:
    return unicodedata.normalize('NFKC', text or '').strip().lower()


def _word_like(word: str) -> bool:
    """Long enough to count as a word: three letters, or two Chinese characters."""
    return len(word) >= 3 or (len(word) == 2 and not word.isascii())


def _load_extra_lists() -> None:
    global _extra_loaded
    if not _extra_loaded:
        from zxcvbn import matching  # imported on first use: worker and command-line start-up stay quick

        matching.add_frequency_lists({'common_in_china': list(COMMON_IN_CHINA)})
        _extra_loaded = True


def _estimate(password: str, words: list[str]) -> dict:
    with _lock:
        _load_extra_lists()
        return zxcvbn(password[:ESTIMATE_CHARS], user_inputs=words, max_length=ESTIMATE_CHARS)


def personal_words(email: str | None, name: str | None) -> list[str]:
    """The parts of an account that others can see: the e-mail address, its parts, the name."""
    words: set[str] = set()
    email = _fold(email or '')
    if email:
        local, _, domain = email.partition('@')
        words |= {email, local, domain, domain.split('.')[0]}
        words |= set(re.split(r'[._+\-]', local))
        words |= {part for part in re.split(r'[.\-]', domain) if part not in ('com', 'net', 'org', 'gov', 'edu')}
    name = _fold(name or '')
    if name:
        words |= {name, name.replace(' ', ''), *name.split()}
    return sorted(w for w in words if _word_like(w))


def context_words() -> list[str]:
    """The district's and the product's words, and the names and keys of the platforms in the database (platforms
    answers them)."""
    words = {_fold(w) for w in CONTEXT_WORDS}
    if has_app_context():
        for name, key in hooks.ask('platform_names'):
            words |= {_fold(name), *(_fold(part) for part in re.split(r'[-_\s]', key or ''))}
    return sorted(w for w in words if _word_like(w))


def _strip_words(text: str, words: Iterable[str]) -> tuple[str, bool]:
    """`text` with every occurrence of the words removed (longest first), and whether any occurred."""
    found = False
    for word in sorted(set(words), key=len, reverse=True):
        if word and word in text:
            text, found = text.replace(word, ''), True
    return text, found


def _weak_reason(result: dict) -> str:
    """Why zxcvbn finds a password weak, read off its cheapest decomposition."""
    patterns = [(m['pattern'], m.get('dictionary_name')) for m in result['sequence']]
    if any(name in ('passwords', 'common_in_china') for _p, name in patterns):
        return 'common_parts'
    for pattern in ('spatial', 'repeat', 'sequence'):
        if any(p == pattern for p, _n in patterns):
            return pattern
    if any(p in ('date', 'regex') for p, _n in patterns):
        return 'date'
    if any(p == 'dictionary' for p, _n in patterns):
        return 'common_parts'
    return 'weak'


def problem(password: str, *, email: str | None = None, name: str | None = None) -> str | None:
    """The reason code why `password` is refused for this account (a key of MESSAGES), or None when it is fine."""
    if len(password or '') < MIN_LENGTH:
        return 'length'
    folded = _fold(password)
    mine, ours = personal_words(email, name), context_words()
    if folded in COMMON_IN_CHINA:
        return 'common'
    result = _estimate(password, mine + ours)
    whole = result['sequence'][0] if len(result['sequence']) == 1 else None
    if whole is not None and whole.get('dictionary_name') == 'passwords':
        return 'common'
    # Take out the district's words, then the account's own: what remains must stand on its own.
    rest, contextual = _strip_words(folded, ours)
    rest, personal = _strip_words(rest, mine)
    if personal or contextual:
        remainder = re.sub(r'[\W_]+', '', rest)
        if len(remainder) < MIN_LENGTH - 2 or _estimate(remainder, mine + ours)['score'] < MIN_SCORE:
            return 'personal' if personal else 'context'
    if result['score'] < MIN_SCORE:
        matched = [m for m in result['sequence'] if m.get('dictionary_name') == 'user_inputs']
        if matched:
            return 'personal' if any(_fold(m['matched_word']) in mine for m in matched) else 'context'
        return _weak_reason(result)
    return None


def message(code: str):
    """The (lazily translated) explanation of a reason code."""
    return MESSAGES[code]


def check(password: str, *, email: str | None = None, name: str | None = None):
    """The explanation why `password` is refused, or None."""
    code = problem(password, email=email, name=name)
    return None if code is None else message(code)
