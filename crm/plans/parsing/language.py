"""Injected strings told apart by how they read: a character model of government prose against one of web junk.

Two character-pair (bigram) models share one background, the word frequencies of general Chinese (the dictionary
of the jieba segmenter, counted once into the shipped model file):

- the *document* model learns from the clean paragraphs of the shipped plan documents and from reference prose
  written in the style of plans, work reports, policy texts and news releases (data/gov_reference.txt);
- the *junk* model learns from a training list of advertising and web-fiction strings (data/junk_train.txt).

A span is junk when the text reads better as "government prose with this span inserted" than as one piece: the
junk model explains the span better than the document model does, and the text around it joins where it was cut
(the document model scores the seam left by the cut higher than the two seams of the span). The gain of that
reading, in nats, is the evidence. Where a span may lie: within one sentence (it may take the mark after it along),
never starting or ending on a punctuation mark, and never leaving a "sentence" of four characters or fewer.
A span is cut (see `certain`) only with enough evidence, at least six characters (five with clearly more evidence and
clearer edges), and edges whose reading beats every reading with edges up to three characters away by CUT_MARGIN nats
(OPENING_MARGIN for a span that opens a sentence, whose left edge the sentence before gives): the cost of cutting real
text is high, so an uncertain edge means "list it for an administrator" instead. Paragraphs are searched and weighed
by their words as well (DETECT), but a span's edges are placed by the characters alone, then widened over a stray
piece of the same string before it that only its words mark (_absorb). The paragraphs of one document are read
together (`reading`): characters beside a cut that form a pair the document says elsewhere (a name it repeats) are
the document's own and stay (`own_edges`), and such a piece is never stray. A heading's title is read
tail by tail as well, its end being given. Words that neither model knows weigh the same under
both (the shared background), so a new proper noun is not junk for being new.

The model file is built by `python -m crm.plans.parsing.language build` (needs the `jieba` package for its
dictionary) and loaded once per process.
"""
from __future__ import annotations

import base64
import gzip
import importlib.util
import json
import math
import re
import sys
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter
from pathlib import Path

from .corpus import CorpusStats

DATA = Path(__file__).resolve().parent / 'data'
MODEL_FILE = DATA / 'language_model.json.gz'
JUNK_TRAIN = DATA / 'junk_train.txt'
GOV_REFERENCE = DATA / 'gov_reference.txt'
BOS, EOS = '^', '$'
DISCOUNT = 0.75
BACKGROUND_SHARE = 0.3  # both models leave this much to the background: what neither has seen reads alike
JUNK_BACKGROUND_SHARE = 0.3
CONTEXT_TRUST = 4.0  # a model's own pair statistics get half their weight once it has seen a character this often
JUNK_TRUST = 10.0  # the same for the junk model, whose list is short
UNIGRAM_BACKGROUND = 0.1  # share of the background's character frequencies in each model's own (the same for
# both models, so that a character neither has seen is no likelier in one than in the other)
WEB_MIN_COUNT = 30  # background pairs rarer than this in the dictionary are not kept in the model file
# Words: the register of a span as a whole. Text is cut into the dictionary's words (the likeliest cut), and each
# word weighs how much likelier it is in general Chinese than in government prose (a word government prose never
# uses, 夜班, 脱发, 包邮, weighs log((1 + WORD_SMOOTH) / WORD_SMOOTH); 发展, 产业园 weigh well below zero).
WORD_MIN_COUNT = 20  # dictionary words rarer than this are not kept in the model file
WORD_MAX = 6  # longest word looked for
WORD_SMOOTH = 1.0  # weight, in the government word model, of what a word's characters say of it
WORD_VOCABULARY = 6000  # characters, for smoothing the government character frequencies
WORD_CAP = 3.0  # most a word weighs
WORD_WEIGHT = 1.0  # weight of the words' register in a span's evidence (nats per nat)
JUNK_WORD_SHARE = 3.0  # weight of a word's frequency in the junk list beside its frequency in general Chinese
JUNK_WORD_CAP = 4.0  # most a word of the junk list weighs (WORD_CAP for the others)
SINGLE_WEIGHT = 0.5  # a character that is no word of the dictionary counts this much of its register

# Spans: how long an inserted string may be, and the evidence (nats) needed to list or to cut one.
MIN_SPAN, MAX_SPAN = 3, 40
CONSIDER_GAIN = 4.0  # spans weaker than this are not considered at all
LIST_GAIN = 8.0
CUT_GAIN = 6.0
CUT_MIN_CHARS = 6  # shorter strings (a title of four characters, a name) are only listed, never cut …
SHORT_CUT_GAIN, SHORT_CUT_MARGIN = 7.5, 4.0  # … but for one of five with this evidence and edges this clear
PRIOR_COST = 3.0  # cost of declaring a span inserted at all: rare by construction
LENGTH_COST = 0.75  # per character of a span: a span takes in no more words than the evidence asks for
HOT = 0.5  # a character whose pair reads better as junk by this much (nats) can belong to a span
WINDOW_PEAK = 8.0  # a stretch is searched only if some run of its characters reads this much better as junk
CHUNK = 120  # longer stretches are searched in overlapping pieces of this length
BUDGET = 150_000  # spans scored per text at most: a page of nothing but junk cannot stall an import


def symbol(ch: str) -> str:
    """The model's symbol for one character: width-folded; digits become 0, Latin letters a."""
    return ch.translate(_SYMBOLS)


def _symbol_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in list(range(0x21, 0x7f)) + list(range(0xff01, 0xff5f)):
        ch = chr(code)
        folded = unicodedata.normalize('NFKC', ch) if code > 0x7f else ch
        if folded.isdigit():
            table[code] = '0'
        elif folded.isascii() and folded.isalpha():
            table[code] = 'a'
        elif folded != ch:
            table[code] = folded
    table[0x3000] = ' '
    for ch in '#$^＃＄＾':  # the model's own symbols (long number, text start and end) stand for nothing else
        table[ord(ch)] = '¤'
    return table


_SYMBOLS = _symbol_table()
_LONG_NUMBER = re.compile(r'0{5,}')


def symbols(text: str) -> str:
    """The text as model symbols, one per character (positions match): a run of five or more digits, which a
    phone or QQ number is and an amount or a year is not, becomes #."""
    return _LONG_NUMBER.sub(lambda m: '#' * len(m.group(0)), text.translate(_SYMBOLS))


def _count(texts: Iterable[str]) -> tuple[Counter[str], Counter[str]]:
    unigrams: Counter[str] = Counter()
    bigrams: Counter[str] = Counter()
    for text in texts:
        seq = BOS + symbols(text) + EOS
        unigrams.update(seq[1:])
        bigrams.update(seq[i:i + 2] for i in range(len(seq) - 1))
    return unigrams, bigrams


def _pack(table: dict[str, float], width: int, code: str) -> list[str]:
    """A table of symbols (or pairs) as [keys concatenated, values as base64 of a machine array]: loads far faster
    than a JSON object."""
    keys = sorted(table)
    assert all(len(k) == width for k in keys)
    values = array(code, [table[k] for k in keys])
    if sys.byteorder == 'big':  # the file is little-endian
        values.byteswap()
    return [''.join(keys), base64.b64encode(values.tobytes()).decode('ascii')]


def _columns(packed: list[str], width: int, code: str):
    """The keys (an iterator) and the values (an array) of a packed table."""
    keys, raw = packed
    values = array(code)
    values.frombytes(base64.b64decode(raw))
    if sys.byteorder == 'big':
        values.byteswap()
    return (iter(keys) if width == 1 else map(str.__add__, keys[0::2], keys[1::2])), values


def _unpack(packed: list[str], width: int, code: str) -> dict:
    return dict(zip(*_columns(packed, width, code)))


def read_lines(path: Path) -> list[str]:
    """Non-empty, non-comment lines of a data file."""
    return [ln.strip() for ln in path.read_text(encoding='utf-8').splitlines() if ln.strip() and not ln.startswith('#')]


def web_counts(dict_path: Path) -> tuple[Counter[str], Counter[str], Counter[str], Counter[str]]:
    """Character and pair frequencies of general Chinese from a jieba-format dictionary (word, count, tag): every
    word contributes its characters and inner pairs, weighted by its count, and how often each character ends and
    starts a word (text is words one after another: what may follow a word's last character is a word's first)."""
    unigrams: Counter[str] = Counter()
    bigrams: Counter[str] = Counter()
    ends: Counter[str] = Counter()
    starts: Counter[str] = Counter()
    for line in dict_path.read_text(encoding='utf-8').splitlines():
        parts = line.split(' ')
        if len(parts) < 2 or not parts[1].isdigit():
            continue
        word, freq = symbols(parts[0]), int(parts[1])
        for i, ch in enumerate(word):
            unigrams[ch] += freq
            if i:
                bigrams[word[i - 1:i + 1]] += freq
        if word:
            ends[word[-1]] += freq
            starts[word[0]] += freq
    return unigrams, Counter({k: v for k, v in bigrams.items() if v >= WEB_MIN_COUNT}), ends, starts


def build(gov_texts: Iterable[str], junk_texts: Iterable[str], dict_path: Path) -> dict:
    """The model file's content: counts of the three sources."""
    gov_uni, gov_bi = _count(gov_texts)
    junk_uni, junk_bi = _count(junk_texts)
    web_uni, web_bi, web_ends, web_starts = web_counts(dict_path)
    data = {'version': 3}
    for name, (uni, bi) in (('gov', (gov_uni, gov_bi)), ('junk', (junk_uni, junk_bi)), ('web', (web_uni, web_bi))):
        model = _Bigrams(uni, bi, lambda ch: 0.0)
        data[name] = [_pack(uni, 1, 'q'), _pack(bi, 2, 'q'), _pack(model.context, 1, 'q'), _pack(model.types, 1, 'q')]
    data['web'] += [_pack(web_ends, 1, 'q'), _pack(web_starts, 1, 'q')]
    lm = LanguageModel(data)  # the pairs of the training texts, scored once here rather than at every start
    pairs = sorted(set(gov_bi) | set(junk_bi))
    data['pairs'] = [_pack({k: lm.gov_log(k[0], k[1]) for k in pairs}, 2, 'f'),
                     _pack({k: lm.junk_log(k[0], k[1]) for k in pairs}, 2, 'f')]
    vocabulary = web_words(dict_path)
    data['words'] = _pack_words(vocabulary)
    data['gov_words'] = _pack_words(Words(vocabulary, {}).count(gov_texts))
    data['junk_words'] = _pack_words(Words(vocabulary, {}).count(junk_texts))
    return data


def web_words(dict_path: Path) -> dict[str, int]:
    """Words of up to WORD_MAX characters of a jieba-format dictionary, with their counts (the rarest left out)."""
    out: dict[str, int] = {}
    for line in dict_path.read_text(encoding='utf-8').splitlines():
        parts = line.split(' ')
        if len(parts) >= 2 and parts[1].isdigit() and len(parts[0]) <= WORD_MAX and int(parts[1]) >= WORD_MIN_COUNT:
            out[parts[0]] = out.get(parts[0], 0) + int(parts[1])
    return out


def _pack_words(counts: dict[str, int]) -> list[str]:
    keys = sorted(counts)
    values = array('q', [counts[k] for k in keys])
    if sys.byteorder == 'big':
        values.byteswap()
    return ['\n'.join(keys), base64.b64encode(values.tobytes()).decode('ascii')]


def _unpack_words(packed: list[str]) -> dict[str, int]:
    keys, raw = packed
    values = array('q')
    values.frombytes(base64.b64decode(raw))
    if sys.byteorder == 'big':
        values.byteswap()
    return dict(zip(keys.split('\n'), values)) if keys else {}


_HAN = re.compile(r'[\u4e00-\u9fff]')


class Words:
    """Words of general Chinese (the dictionary), and of the junk list, against the words of government prose: the
    register of a text."""

    def __init__(self, web: dict[str, int], gov: dict[str, int], junk: dict[str, int] | None = None) -> None:
        self.web, self.gov, self.junk = web, gov, junk or {}
        self.web_total = sum(web.values()) or 1
        self.gov_total = sum(gov.values()) or 1
        self.junk_total = sum(self.junk.values()) or 1
        self._weight: dict[str, float] = {}
        self._logs: dict[str, float] = {}  # log P(word) in general Chinese, as looked up
        self._stems: set[str] | None = None
        self.gov_chars, self.web_chars = self._chars(gov), self._chars(web)
        self.gov_char_total = sum(self.gov_chars.values()) + 0.5 * WORD_VOCABULARY
        self.web_char_total = sum(self.web_chars.values()) + 0.5 * WORD_VOCABULARY

    @staticmethod
    def _chars(words: dict[str, int]) -> Counter[str]:
        chars: Counter[str] = Counter()
        for word, n in words.items():
            for ch in word:
                chars[ch] += n
        return chars

    @property
    def stems(self) -> set[str]:
        """Every start of two or more characters of a dictionary word (the words themselves included): where a
        longer word may still begin."""
        if self._stems is None:
            self._stems = {w[:k] for w in self.web if len(w) >= 2 for k in range(2, len(w) + 1)}
        return self._stems

    def _char_register(self, word: str) -> float:
        """log of how much likelier government prose uses the characters of `word` than general Chinese does."""
        return sum(math.log((self.gov_chars.get(ch, 0) + 0.5) / self.gov_char_total)
                   - math.log((self.web_chars.get(ch, 0) + 0.5) / self.web_char_total) for ch in word)

    def cut(self, text: str) -> list[tuple[int, int]]:
        """The likeliest cut of `text` into dictionary words (a character no word covers stands alone)."""
        n = len(text)
        best = [0.0] * (n + 1)
        step = [1] * (n + 1)
        logs, stems = self._logs, self.stems
        for i in range(n - 1, -1, -1):
            ch = text[i]
            single = logs.get(ch)
            if single is None:
                single = logs[ch] = math.log((self.web.get(ch, 0) + 0.5) / self.web_total)
            best[i] = single + best[i + 1]
            if not '\u4e00' <= ch <= '\u9fff' or text[i:i + 2] not in stems:
                continue
            for k in range(2, min(WORD_MAX, n - i) + 1):
                piece = text[i:i + k]
                if piece not in stems:
                    break
                value = logs.get(piece)
                if value is None:
                    count = self.web.get(piece)
                    value = logs[piece] = math.log(count / self.web_total) if count else -math.inf
                value += best[i + k]
                if value > best[i]:
                    best[i], step[i] = value, k
        out, i = [], 0
        while i < n:
            out.append((i, i + step[i]))
            i += step[i]
        return out

    def count(self, texts: Iterable[str]) -> dict[str, int]:
        """How often each word occurs in `texts` (words of Chinese characters only)."""
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(text[a:b] for a, b in self.cut(text) if _HAN.match(text[a]))
        return dict(counts)

    def weight(self, word: str) -> float:
        """log P(word) outside government prose − log P(word) in it (0 for what is not Chinese). Outside is general
        Chinese, and the junk list's words besides (JUNK_WORD_SHARE): a word that advertising uses (话费, 充值, 红包)
        weighs up to JUNK_WORD_CAP, more than a word that is merely rare in plans. The junk list speaks the less for a
        word the more often government prose uses it too (电话, 免费: a contact line, a free clinic)."""
        value = self._weight.get(word)
        if value is None:
            if not _HAN.match(word):
                value = 0.0
            else:
                web = (self.web.get(word, 0) + 0.5) / self.web_total
                # a word the reference prose never uses reads as its characters do: 每人 as government prose, 夜班 not
                spelled = web * math.exp(max(-WORD_CAP, min(WORD_CAP, self._char_register(word))))
                gov = (self.gov.get(word, 0) + WORD_SMOOTH * self.gov_total * spelled) / (
                    (1 + WORD_SMOOTH) * self.gov_total)
                junk = self.junk.get(word, 0)
                other = web + JUNK_WORD_SHARE * junk / self.junk_total / (1 + self.gov.get(word, 0))
                value = min(JUNK_WORD_CAP if junk else WORD_CAP, math.log(other / gov)) \
                    * (SINGLE_WEIGHT if len(word) == 1 else 1.0)
            self._weight[word] = value
        return value

    def register(self, text: str) -> list[float]:
        """Per character: its word's weight, spread over the word's characters."""
        out: list[float] = []
        weights, weight = self._weight, self.weight
        for a, b in self.cut(text):
            piece = text[a:b]
            w = weights.get(piece)
            out += [(weight(piece) if w is None else w) / (b - a)] * (b - a)
        return out


class _Bigrams:
    """Interpolated absolute-discount pair model over a unigram model."""

    def __init__(self, unigrams: dict[str, int], bigrams: dict[str, int], base,
                 context: dict[str, int] | None = None, types: dict[str, int] | None = None,
                 ends: dict[str, int] | None = None, starts: dict[str, int] | None = None) -> None:
        self.bigrams = bigrams
        self.ends = ends or {}  # how often a symbol ends a word (background only)
        self.starts = starts or {}
        self.starts_total = sum(self.starts.values())
        self.uni = unigrams
        self.total = sum(unigrams.values())
        self.base = base  # probability of a symbol before this model's own counts
        self._uni: dict[str, float] = {}
        if context is None or types is None:
            context, types = Counter(), Counter()
            for pair, n in bigrams.items():
                context[pair[0]] += n
                types[pair[0]] += 1
        self.context, self.types = context, types  # per first symbol: pairs counted, distinct pairs

    def unigram(self, ch: str) -> float:
        value = self._uni.get(ch)
        if value is None:
            own = self.uni.get(ch, 0) / self.total if self.total else 0.0
            value = self._uni[ch] = (1 - UNIGRAM_BACKGROUND) * own + UNIGRAM_BACKGROUND * self.base(ch)
        return value

    def prob(self, a: str, b: str) -> float:
        ctx = self.context.get(a, 0)
        end = self.ends.get(a, 0)
        if not ctx + end:
            return self.unigram(b)
        inner = 0.0
        if ctx:
            inner = max(self.bigrams.get(a + b, 0) - DISCOUNT, 0) + DISCOUNT * self.types[a] * self.unigram(b)
        return (inner + end * self.start(b)) / (ctx + end)

    def start(self, b: str) -> float:
        """Probability that a word starts with `b` (the unigram when the model has no word edges)."""
        if not self.starts_total:
            return self.unigram(b)
        own = self.starts.get(b, 0) / self.starts_total
        return (1 - UNIGRAM_BACKGROUND) * own + UNIGRAM_BACKGROUND * self.unigram(b)


class LanguageModel:
    """log P(next | previous) under the document model and under the junk model, cached per pair."""

    def __init__(self, data: dict) -> None:
        web_uni = _unpack(data['web'][0], 1, 'q')
        web_total = sum(web_uni.values())
        vocab = 20_000

        def flat(ch: str) -> float:
            return (web_uni.get(ch, 0) + 0.5) / (web_total + 0.5 * vocab)

        self.web = _Bigrams(**self._counts(data['web']), base=flat)
        # With the pairs of the training texts scored in advance, their own pair counts are never looked up (a
        # pair not among them has a count of 0 in both): skip unpacking them.
        scored = 'pairs' in data
        self.gov = _Bigrams(**self._counts(data['gov'], scored), base=self.web.unigram)
        self.junk = _Bigrams(**self._counts(data['junk'], scored), base=self.web.unigram)
        self.words = Words(_unpack_words(data['words']), _unpack_words(data['gov_words']),
                           _unpack_words(data['junk_words']) if 'junk_words' in data else None) if 'words' in data else None
        self._p: dict[str, tuple[float, float]] = {}
        if 'pairs' in data:  # both tables have the same keys
            keys, gov = _columns(data['pairs'][0], 2, 'f')
            junk = _columns(data['pairs'][1], 2, 'f')[1]
            self._p = dict(zip(keys, zip(gov, junk)))

    @staticmethod
    def _counts(packed: list, scored: bool = False) -> dict[str, dict]:
        names = ('unigrams', 'bigrams', 'context', 'types', 'ends', 'starts')
        return {name: {} if scored and name == 'bigrams' else _unpack(part, 2 if name == 'bigrams' else 1, 'q')
                for name, part in zip(names, packed)}

    def pair(self, a: str, b: str) -> tuple[float, float]:
        """(log P(b | a) in government prose, in junk)."""
        key = a + b
        value = self._p.get(key)
        if value is None:
            value = self._p[key] = (math.log(self._mix(self.gov, a, b)), math.log(self._mix(self.junk, a, b)))
        return value

    def pairs(self, seq: str) -> list[tuple[float, float]]:
        """pair() of every two neighbours in seq (the known ones looked up at C speed)."""
        keys = list(map(str.__add__, seq[:-1], seq[1:]))
        logs = list(map(self._p.get, keys))
        if None in logs:
            logs = [v if v is not None else self.pair(k[0], k[1]) for k, v in zip(keys, logs)]
        return logs

    def gov_log(self, a: str, b: str) -> float:
        """log P(b | a) in government prose."""
        return self.pair(a, b)[0]

    def junk_log(self, a: str, b: str) -> float:
        """log P(b | a) in injected junk."""
        return self.pair(a, b)[1]

    def _mix(self, own: _Bigrams, a: str, b: str) -> float:
        """A model's pair probability, trusted as far as it has seen the context `a`; the shared background
        speaks for the rest. A context one model barely knows thus reads alike under both models."""
        seen = own.context.get(a, 0)
        trust = (1 - (JUNK_BACKGROUND_SHARE if own is self.junk else BACKGROUND_SHARE)) * seen / (seen + (JUNK_TRUST if own is self.junk else CONTEXT_TRUST))
        return trust * own.prob(a, b) + (1 - trust) * self._web(a, b)

    def _web(self, a: str, b: str) -> float:
        if b == EOS:  # the dictionary has no sentence edges
            return 0.05
        if a == BOS:
            return self.web.unigram(b)
        return self.web.prob(a, b)


def load(path: Path = MODEL_FILE) -> dict:
    """The content of a model file."""
    with gzip.open(path, 'rt', encoding='utf-8') as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def model() -> LanguageModel:
    """The shipped model, loaded once per process."""
    return LanguageModel(load())


def model_without(texts: Iterable[str]) -> LanguageModel:
    """The shipped model with the counts of `texts` taken out of its government prose: to judge a shipped plan
    document as if it were new (its paragraphs as `language=False` parsing gives them, as in the build)."""
    data = load()
    texts = list(texts)
    uni, bi = _unpack(data['gov'][0], 1, 'q'), _unpack(data['gov'][1], 2, 'q')
    less_uni, less_bi = _count(texts)
    uni = {k: v - less_uni.get(k, 0) for k, v in uni.items() if v - less_uni.get(k, 0) > 0}
    bi = {k: v - less_bi.get(k, 0) for k, v in bi.items() if v - less_bi.get(k, 0) > 0}
    data['gov'] = [_pack(uni, 1, 'q'), _pack(bi, 2, 'q')]
    del data['pairs']
    if 'words' in data:
        words = Words(_unpack_words(data['words']), {})
        gov, less = _unpack_words(data['gov_words']), words.count(texts)
        data['gov_words'] = _pack_words({k: v - less.get(k, 0) for k, v in gov.items() if v - less.get(k, 0) > 0})
    return LanguageModel(data)


@dataclass(frozen=True)
class Span:
    """A stretch of text that reads as inserted: [start, end) in the text, the evidence in nats, a confidence."""
    start: int
    end: int
    gain: float
    seam: float
    margin: float = 0.0  # how much better these edges read than the nearest other edges
    trimmed: bool = False  # edges narrowed to what every near reading cuts (see _with_margin)
    opens: bool = False  # starts a sentence: its left edge is given, one edge to place
    quoted: bool = False  # stands within quotation or title marks (“夏季送清凉”, 《…》): a name, a slogan, words said

    @property
    def confidence(self) -> float:
        """How sure the reading is, 0-1: the evidence (a logistic of the gain) times the certainty of the edges."""
        evidence = 1 / (1 + math.exp(-(self.gain - CONSIDER_GAIN) / 3))
        return round(evidence * (1 - math.exp(-max(self.margin, 0.0) / 1.5)), 3)


_SKIP = re.compile(r'\s')
# A span neither starts nor ends on a mark: the text's own punctuation around an insertion stays, and a mark the
# inserted string brought along is taken by _tidy.
_EDGE_PUNCT = '。；，、：！？;,:!?'
_SENTENCE_END = '。！？；!?;'


class Scorer:
    """Scores spans of one text under a LanguageModel."""

    def __init__(self, lm: LanguageModel, text: str, words: bool = False) -> None:
        self.lm, self.text = lm, text
        self.seq = BOS + symbols(text) + EOS  # seq[i + 1] is text[i]
        self.logs = lm.pairs(self.seq)  # (gov, junk) log P(seq[i + 1] | seq[i])
        self._sums: tuple[list[float], list[float], list[int]] | None = None
        self.scored = 0  # spans scored so far (the work is bounded per text)
        self._edges: tuple[list[float], list[float]] | None = None
        self._local: list[float] | None = None
        self.register = ([WORD_WEIGHT * r for r in lm.words.register(text)] if words and lm.words
                         else [0.0] * len(text))
        self.reg = list(accumulate(self.register, initial=0.0))  # reg[i]: register of text[:i]

    def local(self) -> list[float]:
        """Per character of the text: how much better its pair reads as junk than as the document, and its word as
        general Chinese than as government prose."""
        if self._local is None:
            self._local = [j - g + r for (g, j), r in zip(self.logs[:-1], self.register)]
        return self._local

    @property
    def edges(self) -> tuple[list[float], list[float]]:
        """Per position of seq: log P(symbol | start of junk) and log P(end of junk | symbol)."""
        if self._edges is None:
            junk = self.lm.junk_log
            self._edges = ([junk(BOS, c) for c in self.seq], [junk(c, EOS) for c in self.seq])
        return self._edges

    @property
    def sums(self) -> tuple[list[float], list[float], list[int]]:
        """Prefix sums over seq of the government and junk log-probabilities, and of the symbols that weigh in a
        span's length (a run of digits or letters counts once); made when a span is first scored."""
        if self._sums is None:
            seq = self.seq
            self._sums = (list(accumulate(map(itemgetter(0), self.logs), initial=0.0)),
                          list(accumulate(map(itemgetter(1), self.logs), initial=0.0)),
                          list(accumulate((b not in '#a0' or a != b for a, b in zip(seq[:-1], seq[1:])), initial=0)))
        return self._sums

    def gain(self, start: int, end: int) -> tuple[float, float]:
        """Evidence (nats) that text[start:end] was inserted, and the part of it that comes from the seam."""
        lm, seq = self.lm, self.seq
        g, j, w = self.sums
        s, e = start + 1, end + 1  # positions in seq
        left, right = seq[s - 1], seq[e]
        as_junk = lm.junk_log(BOS, seq[s]) + (j[e - 1] - j[s]) + lm.junk_log(seq[e - 1], EOS)
        joined = lm.gov_log(left, right)
        as_text = g[e] - g[s - 1]  # the span's pairs and the pair leaving it
        seam = joined - lm.gov_log(left, seq[s]) - lm.gov_log(seq[e - 1], right)
        words = self.reg[end] - self.reg[start]
        return as_junk + joined - as_text + words - PRIOR_COST - LENGTH_COST * (w[e - 1] - w[s - 1]), seam


@lru_cache(maxsize=8)
def prose_scorer(lm: LanguageModel, text: str) -> Scorer:
    """The Scorer of `text` by its words and characters, kept for the last few texts: a paragraph is read for its
    spans and again for where strings sit in it."""
    return Scorer(lm, text, True)


def _windows(local: Sequence[float], margin: int) -> list[tuple[int, int]]:
    """Stretches around characters that read better as junk, merged when they touch: where a span may lie."""
    out: list[tuple[int, int]] = []
    for i, v in enumerate(local):
        if v > HOT:
            lo, hi = max(0, i - margin), min(len(local), i + margin + 1)
            if out and lo <= out[-1][1]:
                out[-1] = (out[-1][0], hi)
            else:
                out.append((lo, hi))
    return out


def _peak(local: Sequence[float], lo: int, hi: int) -> float:
    """The largest sum of consecutive values in local[lo:hi]."""
    best = run = 0.0
    for v in local[lo:hi]:
        run = max(0.0, run + v)
        best = max(best, run)
    return best


def _best(scorer: Scorer, text: str, lo: int, hi: int) -> Span | None:
    """The span of text[lo:hi] with the highest gain (Scorer.gain, inlined: this is the inner loop)."""
    best, best_gain = None, -math.inf
    seq, pair = scorer.seq, scorer.lm.pair
    g, j, w = scorer.sums
    enter, leave = scorer.edges
    reg = scorer.reg
    bad_edge = _EDGE_PUNCT + ' \t\n'
    for s in range(lo, hi - MIN_SPAN + 1):
        if text[s] in bad_edge or text[s] in OPENERS and s and _HAN.match(text[s - 1]) and _opens_phrase(text[s:]):
            continue  # (nor on a preposition of its own inside a sentence: 总量 + 在都市圈中 is the sentence's phrase)
        p = s + 1  # position in seq
        before = enter[p] - j[p] + g[p - 1] - PRIOR_COST + LENGTH_COST * w[p - 1] - reg[s]
        left = seq[p - 1]
        for e in range(s + MIN_SPAN, min(hi, s + MAX_SPAN) + 1):
            if text[e - 2] in _SENTENCE_END:  # a span lies within one sentence (_tidy may add its end mark)
                break
            if text[e - 1] in bad_edge or text[e - 1] in OPENERS and _phrase_after(text, e - 1):
                continue  # (nor ending on a preposition that opens the sentence's phrase after it: + 对建成十年…)
            q = e + 1
            gain = (before + j[q - 1] + leave[q - 1] + pair(left, seq[q])[0] - g[q] - LENGTH_COST * w[q - 1]
                    + reg[e])
            scorer.scored += 1
            if gain > best_gain and not leaves_fragment(text, s, e):
                best, best_gain = (s, e), gain
    if best is None:
        return None
    return Span(best[0], best[1], *scorer.gain(*best))


FRAGMENT = 4


def leaves_fragment(text: str, start: int, end: int) -> bool:
    """Whether cutting text[start:end] would leave a sentence of four characters or fewer (`。都市。`): the rest of an
    inserted string, not a sentence of government prose."""
    left = start
    while left > 0 and text[left - 1] not in _SENTENCE_END:
        left -= 1
        if start - left > FRAGMENT:
            return False
    right = end
    while right < len(text) and text[right] not in _SENTENCE_END:
        right += 1
        if right - end > FRAGMENT:
            return False
    return 0 < (start - left) + (right - end) <= FRAGMENT


class Budget:
    """How many more spans may be scored: bounds the work on one text, or on a whole document."""

    def __init__(self, spans: int) -> None:
        self.left = spans

    @property
    def spent(self) -> bool:
        return self.left <= 0


def find_spans(text: str, lm: LanguageModel | None = None, margin: int = 6, budget: Budget | None = None,
               words: bool | str = False, title_end: int | None = None) -> list[Span]:
    """Spans of `text` that read as inserted junk with at least the listing evidence, in text order. The search
    stops when `budget` (or the per-text BUDGET) is spent. `words` reads the text by its words as well; DETECT reads
    by words where a span lies and how strong its evidence is, but places its edges by the characters alone. With `title_end`, text[:title_end] is a title: edges
    that run it out alike (see _runs_out) are one reading."""
    budgets = [Budget(BUDGET)] + ([budget] if budget is not None else [])
    if len(text) < MIN_SPAN:
        return []
    lm = lm or model()
    scorer = prose_scorer(lm, text) if words else Scorer(lm, text)
    edges: Scorer | None = None  # made when a stretch is first worth searching (most texts have none)
    chosen: list[Span] = []
    local = scorer.local()
    todo = [chunk for lo, hi in _windows(local, margin) if _peak(local, lo, hi) >= WINDOW_PEAK
            for chunk in _chunks(lo, hi)]
    todo.reverse()
    while todo and not any(b.spent for b in budgets):
        lo, hi = todo.pop()
        if hi - lo < MIN_SPAN:
            continue
        before = scorer.scored
        best = _best(scorer, text, lo, hi)
        for b in budgets:
            b.left -= scorer.scored - before
        if best is None or best.gain < CONSIDER_GAIN:
            continue
        if words == DETECT:  # words found the stretch; characters alone place its edges
            edges = edges or Scorer(lm, text, False)
            found = best
            best = _best(edges, text, max(lo, best.start - SHIFT), min(hi, best.end + SHIFT)) or best
            span = _with_margin(edges, text, _tidy(text, _absorb(edges, text, best)), title_end)
            span = replace(span, gain=scorer.gain(span.start, span.end)[0])
            if span.start == 0 or text[span.start - 1] in _SENTENCE_END:
                span = _agreed(scorer, text, span, found, title_end)
            else:
                span = _read_on(scorer, text, span, found, title_end) or span
            span = _word_completed(scorer, text, span, title_end) or span
            span = _rejoining(scorer, text, span)
        else:
            span = _with_margin(scorer, text, _tidy(text, best), title_end)
        if span.start == 0 or text[span.start - 1] in _SENTENCE_END:
            span = replace(span, opens=True)
        if quoted(text, span.start) and not _breaks_quote(text, span):
            span = replace(span, quoted=True)
        if all(span.end <= c.start or span.start >= c.end for c in chosen):
            chosen.append(span)
        todo += [(best.end, hi), (lo, best.start)]
    return sorted(chosen, key=lambda sp: sp.start)


def quoted(text: str, start: int) -> bool:
    """Whether text[start] stands within quotation marks or title marks that open before it (“…, 「…, 《…, or an
    odd number of \")."""
    before = text[:start]
    return any(before.count(a) > before.count(b) for a, b in ('“”', '「」', '《》')) or before.count('"') % 2 == 1


REJOIN_SHIFT = 1  # characters by which a reading that rejoins a word may move an edge of the span


def _rejoining(scorer: Scorer, text: str, span: Span) -> Span:
    """The reading whose edges lie at most REJOIN_SHIFT characters from the span's and whose cut rejoins a word of the
    text (代 + [ad] + 办: inside_word), where the span's own cut rejoins none and that reading has about its evidence
    (within ABSORB_WITHIN): the word places both edges of a string inserted inside it, however its neighbours read
    (代 reads as an offer's first character). The span itself otherwise."""
    if inside_word(text, span):
        return span
    best = None
    for s in range(max(0, span.start - REJOIN_SHIFT), span.start + REJOIN_SHIFT + 1):
        for e in range(max(s + MIN_SPAN, span.end - REJOIN_SHIFT), min(len(text), span.end + REJOIN_SHIFT) + 1):
            if (s, e) == (span.start, span.end) or any(c in _SENTENCE_END + _EDGE_PUNCT for c in text[s:e]):
                continue
            gain, seam = scorer.gain(s, e)
            if gain >= span.gain - ABSORB_WITHIN and (best is None or gain > best.gain) \
                    and inside_word(text, Span(s, e, gain, seam)):
                best = Span(s, e, gain, seam)
    return replace(best, margin=max(0.0, _with_margin(scorer, text, best).margin), opens=span.opens) if best else span


QUOTED_NAME = 12  # characters at most of the quoted words beside a span for them to be a name or a slogan


def _breaks_quote(text: str, span: Span) -> bool:
    """Whether a span within quotation marks breaks a quoted name or slogan (一核两 + … + 带多点): Chinese characters
    of it on both sides, and no punctuation in the words between the marks, QUOTED_NAME characters at most besides
    the span. Words someone said hold a sentence (“…在手机上就能全部搞定。”); a list's items (“…、免费…、…”) and
    words quoted whole stand between marks or punctuation."""
    if not (_HAN.match(text[span.start - 1:span.start]) and _HAN.match(text[span.end:span.end + 1])):
        return False
    opened = max(text.rfind(mark, 0, span.start) for mark in '“「《"')
    closes = [i for i in (text.find(mark, span.end) for mark in '”」》"') if i >= 0]
    if opened < 0 or not closes:
        return False
    words = text[opened + 1:span.start] + text[span.end:min(closes)]
    return len(words) <= QUOTED_NAME and not any(ch in _PUNCT or ch in _SENTENCE_END for ch in words)


def _agreed(scorer: Scorer, text: str, span: Span, found: Span, title_end: int | None) -> Span:
    """A span that opens a sentence (its left edge given), placed by the characters where the words place it too:
    its lead read by its words as well, if that is CUT_MARGIN or more and more than by the characters. An advertisement made of everyday words
    (追更限免整一个月, an invented example) reads as junk by its words and barely by its characters, whose edges are then all alike."""
    read = _with_margin(scorer, text, _tidy(text, found), title_end)
    if (on := _read_on(scorer, text, span, found, title_end, read)) is not None:
        return on
    if (back := _given_back(scorer, text, span, title_end)) is not None:
        return replace(back, opens=span.opens)
    if _weight(text[span.start:span.end]) < CUT_MIN_CHARS:
        return span  # a title of five characters may be a name: its edges are the characters' to place
    if (read.start, read.end) != (span.start, span.end) or read.margin < max(CUT_MARGIN, span.margin):
        return span
    return replace(span, margin=read.margin, trimmed=span.trimmed or read.trimmed)


def _given_back(scorer: Scorer, text: str, span: Span, title_end: int | None) -> Span | None:
    """A span that opens a sentence, unsure of its edges (a lead under CUT_MARGIN), without the last word the
    characters took in, where that word reads as government prose at least as well as general Chinese and the words'
    reading without it has the lead an opening string needs (OPENING_MARGIN) and the length to cut (…兼职 +
    具体实施细则: the characters read 具体 as the string's, the words as the sentence's first)."""
    words = model().words
    if words is None:
        return None
    cut = words.cut(text[span.start:span.end])
    if len(cut) < 2 or cut[-1][1] - cut[-1][0] < 2:
        return None
    last = text[span.start + cut[-1][0]:span.end]
    if span.margin >= CUT_MARGIN or words.weight(last) > 0:
        return None
    end = span.start + cut[-1][0]
    gain, seam = scorer.gain(span.start, end)
    read = _with_margin(scorer, text, Span(span.start, end, gain, seam), title_end)
    if (read.start, read.end) != (span.start, end) or read.margin < OPENING_MARGIN or read.gain < CUT_GAIN \
            or _weight(text[read.start:read.end]) < CUT_MIN_CHARS:
        return None
    return read


def _read_on(scorer: Scorer, text: str, span: Span, found: Span, title_end: int | None,
             read: Span | None = None) -> Span | None:
    """The words' reading of a span where it takes in all the characters' span and more at one edge, with the lead
    to cut (CUT_MARGIN over edges nearby) and CUT_MARGIN nats more evidence than the characters' span read by its
    words, or with surer edges where the characters are unsure of theirs (_surer): an advertisement whose last words
    are everyday Chinese (…最后一天, …试用装) reads as junk by its words past where its characters stop."""
    if inside_word(text, span):
        return None  # the word the cut rejoins pins both edges (代 + [ad] + 办): none is read on past
    if read is None:
        found = _tidy(text, found)
        if not (found.start <= span.start and found.end >= span.end) or (found.start, found.end) == (span.start,
                                                                                                  span.end):
            return None  # the words' edges, placed with their lead, lie within these (_with_margin only narrows)
        read = _with_margin(scorer, text, found, title_end)
    if read.start <= span.start and read.end >= span.end and (read.start, read.end) != (span.start, span.end) \
            and (read.start == span.start or read.end == span.end) and read.margin >= CUT_MARGIN \
            and read.gain >= span.gain and (read.gain - span.gain >= CUT_MARGIN or _surer(text, span, read)) \
            and not any(c in _EDGE_PUNCT for c in text[read.start:span.start] + text[span.end:read.end]):
        return replace(read, opens=span.opens)  # (words run on by a list's marks are the sentence's: 不敢腐、不能腐)
    return None


def _word_completed(scorer: Scorer, text: str, span: Span, title_end: int | None) -> Span | None:
    """A span whose edges are unsure (a lead under CUT_MARGIN) and whose end splits a word of general Chinese that
    the characters after it complete (…美女约|见 + 5个: 约见), taken to the word's end where that reading has about
    the evidence of the span (within ABSORB_WITHIN), the characters it takes in are a stray piece of the string
    (_stray_piece) followed by no Chinese character, and it places its edges with CUT_MARGIN: an edge inside a word
    of the string is no edge."""
    if span.margin >= CUT_MARGIN or (word := word_across(text[span.start:span.end], text[span.end:])) is None:
        return None
    tail = next((k for k in range(1, RESIDUE + 1) if text[span.end - len(word) + k:span.end + k] == word), None)
    if tail is None or _HAN.match(text[span.end + tail:span.end + tail + 1]) \
            or not _stray_piece(text, span.end, span.end + tail, False):
        return None  # (a Chinese character after the word may start the sentence's next words: 过万|分行业)
    gain, seam = scorer.gain(span.start, span.end + tail)
    if gain < span.gain - ABSORB_WITHIN:
        return None
    read = _with_margin(scorer, text, _tidy(text, Span(span.start, span.end + tail, gain, seam)), title_end)
    return replace(read, opens=span.opens) if read.margin >= CUT_MARGIN else None


def _surer(text: str, span: Span, read: Span) -> bool:
    """Whether the words' reading places the edges the characters are unsure of (a lead under CUT_MARGIN) with a
    lead CUT_MARGIN greater, taking in no more than stray pieces of the string (see _stray_piece)."""
    return span.margin < CUT_MARGIN <= read.margin - span.margin and _stray_piece(text, read.start, span.start, True) \
        and _stray_piece(text, span.end, read.end, False)


def _chunks(lo: int, hi: int) -> list[tuple[int, int]]:
    """A long stretch in overlapping pieces (a span fits in the overlap): the search stays linear in the length of
    a text, even one that is junk from end to end."""
    if hi - lo <= CHUNK:
        return [(lo, hi)]
    starts = range(lo, hi - MAX_SPAN, CHUNK - MAX_SPAN)
    return [(s, min(hi, s + CHUNK)) for s in starts]


_PUNCT = '。；，、：！？;,:!?'
SHIFT = 3


def _near_readings(text: str, span: Span) -> Iterator[tuple[int, int]]:
    """The other readings of a span's string: edges up to SHIFT characters from its own, on no mark, within one
    sentence, leaving no fragment of a sentence, and not ending on a preposition that opens the phrase after it."""
    for s in range(max(0, span.start - SHIFT), min(len(text), span.start + SHIFT + 1)):
        for e in range(max(s + MIN_SPAN, span.end - SHIFT), min(len(text), span.end + SHIFT) + 1):
            if (s, e) == (span.start, span.end) or text[s] in _EDGE_PUNCT or text[e - 1] in _EDGE_PUNCT \
                    or leaves_fragment(text, s, e) or any(c in _SENTENCE_END for c in text[s:e - 1]) \
                    or text[e - 1] in OPENERS and _phrase_after(text, e - 1):
                continue
            yield s, e


def _with_margin(scorer: Scorer, text: str, span: Span, title_end: int | None = None) -> Span:
    """The span with the lead of its gain over spans whose edges lie up to SHIFT characters away (those that
    leave a different text): an edge that could as well be elsewhere is not certain enough to cut at. Readings that
    cut all this one cuts and more, or less but for stray pieces of the junk (see _strands_junk), doubt none of the
    text it cuts: when the others trail it by CUT_MARGIN, its lead over those others is its margin."""
    kept = text[:span.start] + text[span.end:]
    if not _WORDLIKE.search(kept):  # the whole text: both edges are given, none is to place
        return Span(span.start, span.end, span.gain, span.seam, span.gain)
    rival = doubt = None  # the best other reading; the best one that keeps some of what this one cuts as text
    core = (span.start, span.end)  # what every reading within CUT_MARGIN of this one cuts
    opens = span.start == 0 or text[span.start - 1] in _SENTENCE_END
    official = None  # words of government prose around the cut
    for s, e in _near_readings(text, span):
        gain, seam = scorer.gain(s, e)
        other = _tidy(text, Span(s, e, gain, seam))
        if text[:other.start] + text[other.end:] == kept or _takes_function_word(text, span, other):
            continue
        if title_end is not None and s == span.start and _runs_out(text[:title_end], e) \
                and _runs_out(text[:title_end], span.end):
            continue  # both cut the title from here to its end
        rival = gain if rival is None else max(rival, gain)
        if official is None:
            official = _seam_words(scorer.lm, text, span.start, span.end, across=False)
        if gain >= CUT_GAIN and (s == span.start or e == span.end) \
                and (gain > span.gain - WORD_RIVAL or span.start <= s and e <= span.end) \
                and _seam_words(scorer.lm, text, other.start, other.end, across=True) - official \
                and not (opens and span.start < s and _stray_opening(scorer.lm, text, span.start, s)) \
                and not _wider(scorer, span, other):
            # the other edge placed elsewhere joins a word of the document that this cut breaks: not sure
            rival = doubt = max(rival, span.gain)
        elif not (_wider(scorer, span, other) or _strands_junk(scorer, text, span, other)
                  or _stray_residue(scorer, text, span, other) or _nested_junk(scorer, text, span, other)):
            # a reading that breaks the document's own words doubts less: a lead of CUT_MARGIN over it will do
            doubted = min(gain, span.gain - CUT_MARGIN) if _breaks_own(text, span, other) else gain
            doubt = doubted if doubt is None else max(doubt, doubted)
        if gain > span.gain - CUT_MARGIN:
            core = (max(core[0], other.start), min(core[1], other.end))
    margin = span.gain - rival if rival is not None else span.gain
    lead = span.gain - doubt if doubt is not None else span.gain
    # a span that opens a sentence has one edge to place (one of five characters is cut on clear edges only)
    need = OPENING_MARGIN if opens and _weight(text[span.start:span.end]) >= CUT_MIN_CHARS else CUT_MARGIN
    if margin < CUT_MARGIN and lead >= need:
        return Span(span.start, span.end, span.gain, span.seam, lead)
    if margin >= CUT_MARGIN or core == (span.start, span.end):
        return Span(span.start, span.end, span.gain, span.seam, margin)
    return _core(scorer, text, span, core, margin)


_WORDLIKE = re.compile(r'[\u4e00-\u9fff0-9A-Za-z０-９]')


def _stray_piece(text: str, start: int, end: int, before: bool) -> bool:
    """Whether text[start:end], one side of a span (`before` it or after it), is a stray piece of the same
    insertion: Chinese characters and Latin letters only (加V), no joining word (和, 的 …), no word of government
    prose, after the span not a word that opens the next clause (OPENERS), a figure that counts what follows
    (十方面) nor a verb whose object follows (考虑到 + …: _takes_object), before it no phrase a preposition of its
    own opens (在 + 都市圈中: _opens_phrase) nor the end of a verb whose complement takes the span as its object (考虑|到, 达|到, 位|于:
    COMPLEMENTS), joining no word with the text on its other side, said nowhere else in the document
    (_said_elsewhere), and read as junk by words and characters (STRAY_LEAD nats a character)."""
    if start == end:
        return True
    piece = text[start:end]
    if not all(_HAN.match(ch) or ch.isascii() and ch.isalpha() for ch in piece) \
            or any(ch in FUNCTION_CHARS for ch in piece) \
            or not before and (piece[0] in OPENERS or _CN_FIGURE.fullmatch(piece) and _COUNTED.match(text, end)
                               or _takes_object(text, start, end)) \
            or before and piece[-1] in COMPLEMENTS and end >= 2 and _HAN.match(text[end - 2]) \
            or before and _opens_phrase(piece):
        return False
    if word_across(text[:start], text[start:]) if before else word_across(text[:end], text[end:]):
        return False
    words = model().words
    if words is not None and any(words.weight(piece[a:b]) <= EDGE_WORD for a, b in words.cut(piece) if b - a >= 2):
        return False
    if _said_elsewhere(text, start, end, before):
        return False
    return sum(_word_local(model(), text)[start:end]) >= STRAY_LEAD * (end - start)


def _phrase_after(text: str, at: int) -> bool:
    """Whether the preposition text[at] opens the phrase of Chinese words after it (… + 对 + 建成十年以上的楼宇): the
    sentence's, so no span ends on it."""
    return at > 0 and bool(_HAN.match(text[at + 1:at + 2])) and _opens_phrase(text[at:])


def _opens_phrase(piece: str) -> bool:
    """Whether `piece` opens with a preposition that is a word of its own (在 + 都市圈中, not 在线 or 在家): the
    sentence's phrase, which no inserted string opens with."""
    words = model().words
    return piece[:1] in OPENERS and (words is None or words.cut(piece[:WORD_MAX])[0] == (0, 1))


def _takes_object(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] ends on a verb and its complement (考虑 + 到, 位 + 于) whose object is the text after
    it: the complement (one of COMPLEMENTS) a word of its own after a Chinese character, followed by Chinese words
    that are no figure (考虑到 + 结构性减税…, where an offer's 低至 + 八折 ends in an amount)."""
    if end - start < 2 or text[end - 1] not in COMPLEMENTS or not _HAN.match(text[end - 2]) \
            or not _HAN.match(text[end:end + 1]) or _CN_FIGURE.match(text, end):
        return False
    words = model().words
    return words is None or words.cut(text[max(start, end - WORD_MAX):end])[-1][0] == min(end - start, WORD_MAX) - 1


_DOCUMENT: ContextVar[str] = ContextVar('document', default='')


@contextmanager
def reading(document: str) -> Iterator[None]:
    """Judge texts as parts of `document`: what it says more than once is its own (see _said_elsewhere)."""
    token = _DOCUMENT.set(document)
    try:
        yield
    finally:
        _DOCUMENT.reset(token)


def _said_elsewhere(text: str, start: int, end: int, before: bool) -> bool:
    """Whether the document being read (see reading) says, somewhere else than next to the span, the piece
    text[start:end] (two characters or more) or the pair it forms with the character outside it (明 + 湖): a
    document repeats its own names and terms, and a string inserted twice brings its pieces along with it each time.
    False outside a document."""
    document = _DOCUMENT.get()
    if not document:
        return False
    piece = text[start:end]
    if before:  # the piece, the character outside it, and the span's first character inside
        outer, inner = text[start - 1:start], text[end:end + 1]
        here, pair, own = outer + piece + inner, outer + piece[0], piece + inner
    else:
        outer, inner = text[end:end + 1], text[start - 1:start]
        here, pair, own = inner + piece + outer, piece[-1] + outer, inner + piece
    there = document.count(here)  # this place (and any other copy of the same words)
    return bool(_HAN.match(outer)) and document.count(pair) > there or len(piece) >= 2 and (
        document.count(piece) > document.count(own))


OWN_PAIR = 1  # times the document says a pair elsewhere for it to be the document's own


def own_edges(text: str, span: Span) -> Span:
    """The span without the characters at an edge that form, with the text beyond the span, a pair the document
    being read (see reading) says elsewhere: one or two at its start (实施 + [明 …] + 湖: 明湖, once the rest is
    cut), one at its end ([… 青] + 川: 青川), two at its end that are no word of general Chinese and that the
    document says OWN_NAME times elsewhere ([… 青川] + 研究院: a name it coins), or a word that opens the next clause
    at its end ([… 某] + 企业). They are
    the document's own, however the span reads: a document repeats its names and terms."""
    document = _DOCUMENT.get()
    after = text[span.end:span.end + 1]
    if not _HAN.match(after):
        return span
    start, end = span.start, span.end
    here = text[max(0, start - 1):end + 1]

    def elsewhere(pair: str) -> int:
        return document.count(pair) - here.count(pair)

    for k in (2, 1):
        piece = text[start:start + k]
        if end - start - k >= MIN_SPAN and all(_HAN.match(c) for c in piece) \
                and elsewhere(piece[-1] + after) >= OWN_PAIR:
            start += k
            break
    last = text[end - 1]
    name = text[end - NAME_CHARS:end]
    if end - NAME_CHARS - start >= MIN_SPAN and all(_HAN.match(c) for c in name) and elsewhere(name) >= OWN_NAME \
            and _coined(name):
        end -= NAME_CHARS
    elif end - 1 - start >= MIN_SPAN and _HAN.match(last) and text[start - 1:start] != last and (
            last in OPENERS or elsewhere(last + after) >= OWN_PAIR and not _ends_word(text, start, end)):
        end -= 1  # (not where the character before the span is the same: the cut makes that pair already, 现代服 +
        # [… 客服] + 务业, and keeping the span's one would say it twice)
    return span if (start, end) == (span.start, span.end) else replace(span, start=start, end=end)


def _ends_word(text: str, start: int, end: int) -> bool:
    """Whether text[end - 1] ends a word of general Chinese that starts inside text[start:end] (见效 of …三天见效):
    the character is the string's own, whatever pair it forms by chance with the text after it (效 + 办)."""
    words = model().words
    return words is not None and any(b == end - start and b - a >= 2 for a, b in words.cut(text[start:end]))


NAME_CHARS, OWN_NAME = 2, 2  # a name of two characters the document says this often elsewhere is its own


def _coined(name: str) -> bool:
    """Whether `name` is no word of general Chinese (青川, 云溪: a place's name the document coins, not 服务)."""
    words = model().words
    return words is not None and words.cut(name) != [(0, len(name))]


ABSORB_WITHIN = 2.0  # nats by which a reading that takes a stray piece in may trail the span


def _absorb(scorer: Scorer, text: str, span: Span) -> Span:
    """The span with up to SHIFT characters before it that are a stray piece of the same insertion (_stray_piece)
    taken in, where that reading has about the evidence of the span (within ABSORB_WITHIN): the characters of a
    string's first words (a name, 宝妈 …) often read as junk only by their words, and the characters alone would
    leave them. The span itself otherwise. Never after it: what follows may open the sentence's next clause; nor
    where the span stands inside a word of the text (代 + [ad] + 办: inside_word)."""
    if inside_word(text, span):
        return span
    best = None
    for s in range(max(0, span.start - SHIFT), span.start):
        if not _stray_piece(text, s, span.start, True) or leaves_fragment(text, s, span.end) \
                or any(c in _SENTENCE_END for c in text[s:span.start]):
            continue
        gain, seam = scorer.gain(s, span.end)
        if gain >= span.gain - ABSORB_WITHIN and (best is None or gain > best.gain):
            best = Span(s, span.end, gain, seam)
    return best or span


def _nested_junk(scorer: Scorer, text: str, span: Span, other: Span) -> bool:
    """Whether `other` cuts less than `span`, and what it leaves on either side is a stray piece of the same
    insertion (_stray_piece): a reading that doubts none of the text `span` cuts."""
    if not (span.start <= other.start and other.end <= span.end):
        return False
    return _stray_piece(text, span.start, other.start, True) and _stray_piece(text, other.end, span.end, False)


def _stray_opening(lm: LanguageModel, text: str, start: int, end: int) -> bool:
    """Whether text[start:end], left at the start of a sentence by a reading that cuts from `end` on, reads as junk
    by its words and characters (STRAY_LEAD nats a character): a stray piece of a string that opens the sentence,
    so that the word such a reading joins across its cut (…完 + 全区…) is chance, not the document's."""
    return sum(_word_local(lm, text)[start:end]) >= STRAY_LEAD * (end - start)


def _wider(scorer: Scorer, span: Span, other: Span) -> bool:
    """Whether `other` cuts everything `span` cuts and, besides, characters that read as text rather than junk (新 of
    新业态): a reading that doubts none of the text `span` cuts, nor that `span` takes all of the junk."""
    if not (other.start <= span.start and span.end <= other.end):
        return False
    local = scorer.local()
    extra = [(other.start, span.start), (span.end, other.end)]
    return all(sum(local[a:b]) < STRAY_LEAD * (b - a) for a, b in extra if b > a)


def _breaks_own(text: str, span: Span, other: Span) -> bool:
    """Whether `other` cuts past an edge of `span` into a pair of Chinese characters the document being read (see
    reading) says elsewhere (… + 返利 + 星 | 湖 of 星湖, a name it repeats): a reading that breaks the document's own
    words, or cuts besides a pair of them the document says OWN_NAME times elsewhere (… + 返利 + 明湖 + 公园: a name it
    repeats), is a weak rival, which a lead of CUT_MARGIN beats however near its gain. False outside a document."""
    document = _DOCUMENT.get()
    if not document:
        return False
    here = text[max(0, min(span.start, other.start) - 1):max(span.end, other.end) + 1]

    def own(pair: str) -> bool:
        return len(pair) == 2 and all(_HAN.match(c) for c in pair) and document.count(pair) - here.count(pair) >= OWN_PAIR

    def named(a: int, b: int) -> bool:  # a pair within the characters the other reading cuts besides
        return any(document.count(text[k:k + 2]) - here.count(text[k:k + 2]) >= OWN_NAME
                   for k in range(a, b - 1) if _HAN.match(text[k]) and _HAN.match(text[k + 1]))

    return other.end > span.end and (own(text[other.end - 1:other.end + 1]) or named(span.end, other.end)) \
        or other.start < span.start and (other.start > 0 and own(text[other.start - 1:other.start + 1])
                                         or named(other.start, span.start))


STRAY_LEAD = 0.5  # nats per character by which a piece left over must read better as junk than as the document


def _strands_junk(scorer: Scorer, text: str, span: Span, other: Span) -> bool:
    """Whether `other` cuts the same end as `span` but starts later, and what it keeps of `span`'s start (热血 of
    热血手游五折返利) is two or more Chinese characters that join no word with the text around them and read as junk
    rather than government prose: a stray piece of the junk, not text of the document that `span` would cut. A piece
    after the junk is never taken for one: it may open the sentence's next clause (每人每年…, 考虑到…)."""
    lm = scorer.lm
    a, b = span.start, other.start
    if other.end != span.end or b - a < 2 or lm.words is None or not all(_HAN.match(ch) for ch in text[a:b]):
        return False
    rest = text[:b] + text[other.end:]
    lo = max(0, a - SEAM_REACH)
    if any(x < a - lo < y or x < b - lo < y for x, y in lm.words.cut(rest[lo:b + SEAM_REACH]) if y - x >= 2):
        return False  # the piece joins a word with its neighbours
    lead = sum(scorer.local()[a:b])
    return lead >= STRAY_LEAD * (b - a) and sum(lm.words.register(text[a:b])) > 0


_CN_FIGURE = re.compile(r'[零一二两三四五六七八九十百千万]+')
# What counts follow: a figure before one of these is the sentence's own (十方面, 三大, 五个), not an offer's amount.
_COUNTED = re.compile(r'[个项条家方大种类批所座名位件倍次届轮期篇章节年月日万亿千百元人户]')
# Words that open a clause (把科技…, 某企业…, 对…): a piece left after a span that starts with one is the
# sentence's next words, not a stray piece of the insertion.
OPENERS = frozenset('把将对在从向为以于由某该其此各每这那据按')
COMPLEMENTS = frozenset('到至于')  # a verb's complement that takes an object (考虑到, 达到, 截至, 位于)
LEADS = frozenset('到至在从于自')  # prepositions a figure follows as their object (到2027年, 在2025年)


def ends_on_opener(title: str) -> bool:
    """Whether `title` ends on a word of its own that opens a clause and takes the words after it (产业 + 以, a
    preposition; not 方向 or 数据, words that end in one of those characters)."""
    words = model().words
    title = title.rstrip()
    if not title or title[-1] not in OPENERS:
        return False
    if words is None:
        return True
    start, end = words.cut(title[-WORD_MAX:])[-1]
    return end - start == 1


def leads_into_figure(left: str, right: str) -> bool:
    """Whether `left` ends on a preposition whose object is the figure `right` starts with (到 | 2027年): no title or
    clause ends between them."""
    left, right = left.rstrip(), right.lstrip()
    return bool(left and right) and left[-1] in LEADS and right[0] in '0123456789０１２３４５６７８９'


_AMOUNT = re.compile(r'\s*[0-9０-９][0-9０-９.．,，]*(?![0-9０-９.．,，]|\s*[年月日号时])')


def opens_with_amount(text: str) -> bool:
    """Whether `text` opens with an amount (1182亿元, 12.7%), not a date (2024年, 3月27日): a paragraph opens with a
    date, never with a bare quantity, so no title ends right before one (地区生产总值|1182亿元). An item's number
    (17.加强…, 3、…) is no amount."""
    return _AMOUNT.match(text) is not None and not _NUMBERED.match(text.lstrip())


RESIDUE = 2  # characters a narrower reading may leave of the span at one edge and still be a stray piece of it


def _stray_residue(scorer: Scorer, text: str, span: Span, other: Span) -> bool:
    """Whether `other` cuts less than `span` at one edge only, and what it leaves there (抢购 of 抢购限量球鞋, or 包邮
    of 秒杀爆款包邮, invented examples) is at most RESIDUE characters that join no word with the text on either side
    of them once `other` is cut, and are a stray piece of the inserted string (_stray_piece: read as junk, no joining
    word, no word that opens the next clause, no figure that counts what follows), not the sentence's own words
    (those join a word across the cut, 新|业态, or read as the document, 博士每人…, 具体实施…)."""
    words = scorer.lm.words
    if words is None or not (span.start <= other.start and other.end <= span.end):
        return False
    if other.start == span.start and other.end < span.end:
        a, b = other.end, span.end  # an offer's amount (月入 + 三千), a title's last character (… + 纪)
        outside = text[:span.start] + text[a:b] + text[span.end:]
        at, edge = span.start, span.start + b - a  # the residue in `outside`
    elif other.end == span.end and other.start > span.start:
        a, b = span.start, other.start
        outside = text[:b] + text[span.end:]
        at, edge = a, b
    else:
        return False
    if not 0 < b - a <= RESIDUE or word_across(outside[:at], outside[at:]) \
            or word_across(outside[:edge], outside[edge:]):
        return False
    return _stray_piece(text, a, b, a == span.start)


@lru_cache(maxsize=32)
def _word_local(lm: LanguageModel, text: str) -> list[float]:
    """Scorer.local of `text` read by its words as well as its characters (a residue is judged by both)."""
    return Scorer(lm, text, True).local()


def extended(text: str, span: Span) -> Span:
    """A cut span widened over one or two characters beside it that are a stray piece of the same insertion: they
    read as junk by words and characters (STRAY_LEAD nats a character), join no word with the text on their other
    side, hold no joining word, and once they are cut too the text around the cut joins into a word (第十二 + 七天 +
    [cut] + 条: 第十二条) where the text left by the span alone joins into none (清 + [cut] + 单化: 清单, the span ends
    right). The span itself otherwise."""
    if word_across(text[:span.start], text[span.end:]) is not None:
        return span
    local = None
    for k in range(1, RESIDUE + 1):
        a = span.start - k
        if a < 0:
            break
        piece = text[a:span.start]
        if not all(_WORDLIKE.match(ch) for ch in piece) or any(ch in FUNCTION_CHARS for ch in piece):
            break
        if word_across(text[:a], text[span.end:]) is None or word_across(text[:a], text[a:]) is not None:
            continue
        local = local or _word_local(model(), text)
        if sum(local[a:span.start]) >= STRAY_LEAD * k:
            return replace(span, start=a)
    for k in range(1, RESIDUE + 1):
        b = span.end + k
        if b > len(text):
            break
        piece = text[span.end:b]
        if not all(_WORDLIKE.match(ch) for ch in piece) or any(ch in FUNCTION_CHARS for ch in piece):
            break
        if word_across(text[:span.start], text[b:]) is None or word_across(text[:b], text[b:]) is not None:
            continue
        local = local or _word_local(model(), text)
        if sum(local[span.end:b]) >= STRAY_LEAD * k:
            return replace(span, end=b)
    return span


WORD_RIVAL = 6.0  # a reading that joins a word across its cut, and cuts more, doubts this one only if about as likely
FUNCTION_CHARS = frozenset('和与及或的了并等')  # joining words of a sentence: an edge that takes one of them along reads worse


def _takes_function_word(text: str, span: Span, other: Span) -> bool:
    """Whether `other` cuts what `span` cuts and, besides, only joining words of the sentence at its edges
    (仙侠手游一折返利 | 和网络安全): the sentence keeps them, so that reading is no rival."""
    if not (other.start <= span.start and span.end <= other.end) or (other.start, other.end) == (span.start, span.end):
        return False
    extra = text[other.start:span.start] + text[span.end:other.end]
    return all(ch in FUNCTION_CHARS for ch in extra)


SEAM_REACH = 4  # characters either side of a cut read for the words across it


def _seam_words(lm: LanguageModel, text: str, start: int, end: int, across: bool) -> set[str]:
    """Words of government prose in the text left by cutting text[start:end], within SEAM_REACH characters of the
    cut: those across the cut (`across`), or all of them."""
    words = lm.words
    if words is None or start == 0 or end >= len(text):
        return set()
    left, right = text[max(0, start - SEAM_REACH):start], text[end:end + SEAM_REACH]
    joined = left + right
    return {joined[a:b] for a, b in words.cut(joined)
            if b - a >= 2 and (not across or a < len(left) < b) and words.weight(joined[a:b]) <= EDGE_WORD}


def _core(scorer: Scorer, text: str, span: Span, core: tuple[int, int], margin: float) -> Span:
    """A span whose edges are not certain, narrowed to the characters that every reading about as likely cuts
    (仙侠手游一折返利和网络 read with or without its 和: 和 stays): cut, if it is still a span with the evidence to cut,
    none of the text that a near reading keeps. The span itself (to be listed) when nothing is left."""
    start, end = core
    while start < end and text[start] in _EDGE_PUNCT + ' \t\n':
        start += 1
    while end > start and text[end - 1] in _EDGE_PUNCT + ' \t\n':
        end -= 1
    if end - start < MIN_SPAN or start - span.start > TRIM or span.end - end > TRIM or leaves_fragment(text, start, end):
        return Span(span.start, span.end, span.gain, span.seam, margin)
    gain, seam = scorer.gain(start, end)
    trimmed = _tidy(text, Span(start, end, gain, seam, margin, True))
    if trimmed.end != end and (trimmed.end > span.end or text[:start] + text[trimmed.end:] == text):
        return Span(span.start, span.end, span.gain, span.seam, margin)
    return trimmed


def core_cut(text: str, span: Span, lm: LanguageModel | None = None) -> Span | None:
    """What a span left uncut for its edges may still lose: the characters that every reading within CUT_MARGIN of
    it cuts (see _near_readings, read by characters as _with_margin reads them), where they make a
    string to cut by themselves: CUT_MIN_CHARS Chinese characters and nothing else (an address, a figure or a mark
    in it leaves the reading unsure), the evidence to cut read by words, and none of the
    sentence's own words taken (see cut_here, which judges it as a trimmed span). The edges in doubt keep what
    either reading leaves: a few characters of the string may stay, no character of the text goes."""
    lm = lm or model()
    chars = Scorer(lm, text)
    base = chars.gain(span.start, span.end)[0]
    start, end = span.start, span.end
    for s, e in _near_readings(text, span):
        if chars.gain(s, e)[0] > base - CUT_MARGIN:
            start, end = max(start, s), min(end, e)
    while start < end and text[start] in _EDGE_PUNCT + ' \t\n':
        start += 1
    while end > start and text[end - 1] in _EDGE_PUNCT + ' \t\n':
        end -= 1
    if (start, end) == (span.start, span.end) or end - start < CUT_MIN_CHARS \
            or not all(_HAN.match(c) for c in text[start:end]) or leaves_fragment(text, start, end):
        return None
    gain, seam = Scorer(lm, text, True).gain(start, end)
    return Span(start, end, gain, seam, span.margin, trimmed=True, opens=span.opens and start == span.start,
                quoted=span.quoted)


def _marker_start(text: str, end: int) -> int | None:
    """Where a numbered item's marker (一、, （三）, 2.) starts, if a cut ending at `end` would take its first characters
    and leave the rest (资料 + 一、做强…: the 一 is the item's, not the advertisement's)."""
    for start in range(max(0, end - 3), end):
        m = _NUMBERED.match(text, start)
        if m and m.end() > end and (start == 0 or not _MARKER_CHAR.match(text[start - 1])):
            return start
    return None


_MARKER_CHAR = re.compile(r'[一二三四五六七八九十百0-9０-９(（]')


def _tidy(text: str, span: Span) -> Span:
    """Take the punctuation an inserted string brought with it: a cut must not leave two marks side by side
    (the one before the span is the text's own). A cut that would take the start of a numbered item's marker ends
    before it."""
    marker = _marker_start(text, span.end)
    if marker is not None and marker - span.start >= MIN_SPAN:
        span = replace(span, end=marker)
    end = span.end
    while end < len(text) and text[end] in _PUNCT and (span.start == 0 or text[span.start - 1] in _PUNCT):
        end += 1
    return Span(span.start, end, span.gain, span.seam, span.margin, span.trimmed) if end != span.end else span


DETECT = 'detect'
PROSE_WORDS: bool | str = DETECT  # paragraphs: found and weighed by their words, edges placed by characters
TRIM = 1  # characters an uncertain edge may be narrowed by
CUT_MARGIN = 3.0  # nats by which the span's edges must beat edges up to SHIFT characters away


def _weight(piece: str) -> int:
    return len(re.sub(r'[\s\W_]', '', piece))


_MARKER = re.compile(r'第[一二三四五六七八九十百零〇0-9０-９]+[条章节篇款部]')
_NUMBERED = re.compile(r'(?:[一二三四五六七八九十百]+、|[(（][一二三四五六七八九十百]+[)）]|[0-9０-９]{1,2}[.．、](?![0-9０-９]))')


INSIDE_MIN_CHARS = 4  # a string inside a word of the text: the word pins both edges, so four characters are cut
INSIDE_MARGIN = 2 * CUT_MARGIN  # … and one of six or more with the evidence to consider it, where its edges lead
# by this much


def certain_inside(text: str, span: Span) -> bool:
    """Whether a span that `certain` leaves is cut all the same: it stands inside a word of the text (inside_word),
    which places both its edges, with the evidence to cut (or, six characters or more, the evidence to consider it
    and edges that lead by INSIDE_MARGIN), INSIDE_MIN_CHARS characters at least, no chapter or article number, and
    no joining word (和, 的 …) at an edge the sentence's characters go on from: 青川 + [… 段和] + 江东 rejoins 川江
    by chance, while the 和 joins the sentence's own words."""
    piece = text[span.start:span.end]
    evidence = span.gain >= CUT_GAIN or span.gain >= CONSIDER_GAIN and span.margin >= INSIDE_MARGIN \
        and _weight(piece) >= CUT_MIN_CHARS
    joins = piece[-1] in FUNCTION_CHARS and _HAN.match(text[span.end:span.end + 1]) \
        or piece[0] in FUNCTION_CHARS and _HAN.match(text[span.start - 1:span.start])
    return evidence and not joins and _weight(piece) >= INSIDE_MIN_CHARS and not _MARKER.search(piece) \
        and inside_word(text, span)


def cut_here(text: str, span: Span) -> bool:
    """Whether a span find_spans found in `text` is cut: certain (or certain_inside, or certain_before_text),
    taking none of the sentence's own words after it (dangling) and holding none between two insertions
    (holds_text)."""
    return (certain(span, text[span.start:span.end]) or certain_inside(text, span)
            or certain_before_text(text, span)) and not dangling(text, span) \
        and not holds_text(text, span) and not opens_clause(text, span)


def certain_before_text(text: str, span: Span) -> bool:
    """Whether a string of INSIDE_MIN_CHARS characters, which `certain` leaves as a possible name, is cut all the
    same: with the evidence and the edges a string of five needs, not quoted, and followed by more of its sentence
    (a Chinese character or a figure) where what stands before it is a sentence's end or a character of the text
    other than a joining word. Words of the document that read like web text close a clause (…的中文翻译，
    运河千年流芳。); a string inserted into a sentence leaves it running on."""
    piece = text[span.start:span.end]
    if _weight(piece) != INSIDE_MIN_CHARS or span.quoted or _MARKER.search(piece) or not _HAN.match(piece[0]) \
            or not all(_WORDLIKE.match(ch) for ch in piece):
        return False
    after = text[span.end:span.end + 1]
    before = text[span.start - 1:span.start]
    return span.gain >= SHORT_CUT_GAIN and span.margin >= SHORT_CUT_MARGIN and bool(_WORDLIKE.match(after)) \
        and (span.opens or bool(_HAN.match(before)) and before not in FUNCTION_CHARS)


def opens_clause(text: str, span: Span) -> bool:
    """Whether the span ends in the opening of the sentence's next clause: its last SEAM_REACH characters at most,
    from a word that opens a clause (OPENERS: 从, 在, 对 …) on, hold a word of government prose (… + 从签约到 + 开工:
    the cut would join the string's last words to the sentence's)."""
    words = model().words
    if words is None:
        return False
    for k in range(2, SEAM_REACH + 1):
        start = span.end - k
        if start <= span.start or text[start] not in OPENERS:
            continue
        tail = text[start + 1:span.end]
        if any(b - a >= 2 and words.weight(tail[a:b]) <= EDGE_WORD for a, b in words.cut(tail)):
            return True
    return False


def certain(span: Span, piece: str) -> bool:
    """Whether a span is cut: strong evidence, edges that could not as well be elsewhere, long enough that it
    cannot be a name or a title of a few characters, and no chapter or article number (第二条) in it."""
    if _MARKER.search(piece):
        return False
    edge = OPENING_MARGIN if span.opens else CUT_MARGIN  # a span that opens a sentence has one edge to place
    if span.quoted:  # the document quotes these words as they were said or named (a word they break pins them)
        return False
    if _weight(piece) == CUT_MIN_CHARS - 1:  # a title of five characters: only with more evidence and clear edges
        # (edges as clear as a longer string's where the evidence is twice that)
        return span.gain >= SHORT_CUT_GAIN and span.margin >= (CUT_MARGIN if span.gain >= 2 * SHORT_CUT_GAIN
                                                               else SHORT_CUT_MARGIN)
    return span.gain >= CUT_GAIN and (span.margin >= edge or span.trimmed) and _weight(piece) >= CUT_MIN_CHARS


TITLE_HEAD = 4  # characters of a heading's title that stay at least
TITLE_TAIL = 2  # figures after the span that go with it (三百 after 日赚: an amount ends an offer, not a title)
_FIGURE = re.compile(r'[0-9０-９零一二两三四五六七八九十百千万元]*')
TITLE_MARGIN = 1.5  # a string appended to a title has one edge to place, not two: a smaller lead suffices
OPENING_MARGIN = 1.0  # the same for a string that opens a sentence, whose other edge the sentence before gives


TITLE_WORD = 2  # a shorter head stays if it is one word (总则, 附则, 前言)


def _title_head(head: str) -> bool:
    """Whether `head` may be all that is left of a title: TITLE_HEAD characters, or one word of the dictionary."""
    if len(head) >= TITLE_HEAD:
        return True
    words = model().words
    return len(head) >= TITLE_WORD and words is not None and words.cut(head) == [(0, len(head))]


def _runs_out(text: str, end: int) -> bool:
    """Whether a span ending at `end` runs to the end of `text`, but for at most TITLE_TAIL characters of a figure."""
    rest = text[end:]
    return len(rest) <= TITLE_TAIL and _FIGURE.fullmatch(rest) is not None


def title_tail(title: str, lm: LanguageModel | None = None) -> Span | None:
    """A string appended to a heading's title (第一节 发展现状 + an advertisement): a span that runs to the title's
    end (but for a figure of TITLE_TAIL characters, which goes with it), read as the end of a sentence, with the evidence
    needed to cut, TITLE_HEAD characters of title left before it and no word of government prose at its edges.
    Titles hold no sentence for the text around a span to rejoin, so its one edge needs a lead of TITLE_MARGIN nats
    over edges up to three characters away."""
    title = title.rstrip()
    if len(title) < TITLE_WORD + LINE_MIN_CHARS:
        return None
    text = title + '。'
    for sp in find_spans(text, lm, words=True, title_end=len(title)):
        piece = title[sp.start:]
        if _runs_out(title, sp.end) and _title_head(title[:sp.start]) and sp.gain >= CUT_GAIN \
                and sp.margin >= TITLE_MARGIN and _weight(piece) >= CUT_MIN_CHARS and not official_edge(piece):
            return _tail_cut(title, Span(sp.start, len(title), sp.gain, sp.seam, sp.margin), lm)
    tail = _tail_reading(title, lm)
    return tail and _tail_cut(title, tail, lm)


def _tail_cut(title: str, tail: Span, lm: LanguageModel | None) -> Span | None:
    """What a tail reading cuts: the tail, unless the string it starts with ends before the title does, with the
    evidence to cut, and the title's own words go on after it (TITLE_HEAD characters or a word, no figure that goes
    with the string, and no stray piece of it: 推动 + [ad] + 注册与经营一致, whose 与 joins the title's words). Then that string, where its edges
    lead by TITLE_MARGIN, and nothing where they do not (the tail reading treats every edge that runs the title out
    alike, and would take those words along)."""
    text = title + '。'
    for sp in find_spans(text, lm, words=True):
        if sp.start == tail.start and sp.end < len(title) and sp.gain >= CUT_GAIN \
                and _title_head(title[sp.end:]) and not _FIGURE.fullmatch(title[sp.end:]) \
                and not _stray_piece(text, sp.end, len(title), False):
            return sp if sp.margin >= TITLE_MARGIN else None
    return tail


def title_inside(title: str, lm: LanguageModel | None = None) -> Span | None:
    """A string inserted inside a word of a heading's title (保障改善民 + [ad] + 生, an invented example): a span
    that certain_inside cuts (its removal joins 民生, which pins both its edges: no lead over other edges is asked),
    or one between two of its words that cut_here cuts, as it would in a sentence (兜牢民生 + [ad] + 底线)."""
    title = title.rstrip()
    for sp in find_spans(title + '。', lm, words=True):
        if sp.start == 0 or sp.end >= len(title):
            continue  # a tail is title_tail's to judge
        if certain_inside(title, sp) or cut_here(title, sp) and _title_head(title[sp.end:]) \
                and not _FIGURE.fullmatch(title[sp.end:]):
            return sp  # (or between two of its words, with the evidence and the edges a sentence's insertion needs:
            # what follows is a word of the title or more, not a stray piece of a tail, nor a figure that goes with it)
    return None


def inside_word(text: str, span: Span) -> bool:
    """Whether cutting the span joins the characters either side of it into a word (养 + [ad] + 老: 养老) that neither
    forms with the span's own characters: the string stood inside a word of the text, and the word pins both of its
    edges."""
    left, right, piece = text[:span.start], text[span.end:], text[span.start:span.end]
    return bool(left and right) and word_across(left, right) is not None and word_across(left, piece) is None \
        and word_across(left + piece, right) is None


def title_junk(title: str, lm: LanguageModel | None = None) -> Span | None:
    """A string in a heading's title that reads as advertising: inside one of its words (title_inside), or else
    appended to it (title_tail; a tail reading would take the word's last character along: 民 + [ad] + 生)."""
    return title_inside(title, lm) or title_tail(title, lm)


TAIL_MARGIN = 2 * TITLE_MARGIN  # a tail read on its own (its one edge against the others) needs twice the lead


def _tail_reading(title: str, lm: LanguageModel | None = None) -> Span | None:
    """The title's tails read directly: of those with the evidence to cut, the likeliest with TAIL_MARGIN nats over
    the tails that start up to SHIFT characters away and doubt it, CUT_MIN_CHARS characters (five with the evidence a
    five-character cut needs, four with that of a short line) and no word of government prose at its edges. A tail
    that starts earlier only to take the title's own words along (回顾 of 2024年工作回顾: they read as text, see
    _wider) doubts none of it, unless it is shorter than five characters; a stray piece of the string before a tail
    goes with it (see _absorb)."""
    text = title + '。'
    scorer = Scorer(lm or model(), text, True)
    local = scorer.local()
    readings = sorted(((scorer.gain(k, len(title)), k) for k in range(TITLE_WORD, len(title) - MIN_SPAN + 1)
                       if _title_head(title[:k])), reverse=True)

    def doubts(j: int, k: int) -> bool:  # the tail from j doubts the one from k (any other, for a short tail)
        return j > k or _weight(title[k:]) < CUT_MIN_CHARS - 1 or sum(local[j:k]) >= STRAY_LEAD * (k - j)

    for (best, seam), k in readings:
        if best < CUT_GAIN:
            break
        gain, left = best, k
        absorbing = [(g, sm, j) for (g, sm), j in readings
                     if k - SHIFT <= j < k and g >= best - ABSORB_WITHIN and _stray_piece(text, j, k, True)]
        if absorbing:
            gain, seam, left = max(absorbing)
        rival = max((g for (g, _), j in readings if abs(j - left) <= SHIFT and j not in (k, left) and doubts(j, left)),
                    default=-math.inf)
        piece = title[left:]
        chars = _weight(piece)
        strong = chars >= CUT_MIN_CHARS or (chars == CUT_MIN_CHARS - 1 and gain >= SHORT_CUT_GAIN) \
            or (chars == LINE_MIN_CHARS and gain >= SHORT_LINE_GAIN)
        if gain >= CUT_GAIN and gain - rival >= TAIL_MARGIN and strong and not official_edge(piece) \
                and not _MARKER.search(piece):
            return Span(left, len(title), gain, seam, gain - rival)
    return None


def line_lead(line: str, lm: LanguageModel | None = None) -> float:
    """How much better (nats a character, read by its words) a line of its own reads as junk than as government
    prose: a piece of a paragraph reads well below zero, an inserted string about zero or above."""
    line = line.strip()
    scorer = Scorer(lm or model(), line + '。', True)
    return scorer.gain(0, len(line))[0] / max(1, _weight(line))


LONE_LEAD = -2.0  # nats a character (see line_lead) a line, or a title's tail, standing alone reads as junk at least
ALONE_LEAD = -0.3  # … and one standing where the document's numbering gives no place to tell it by (a lead no
# title of the documents has: a title reads as government prose by a nat a character or more)
ALONE_CHARS = 12  # characters at most of such a line: a longer one is a sentence's or a title's words
TAIL_ENDS = 0.3  # probability a clause ends after the head of a title a stray tail follows …
TAIL_SEAM = 0.05  # … (at least where the title's words end before the tail that reads likeliest as junk)


OPEN_LEAD = -0.7  # nats a character (see line_lead) the words opening a sentence read as junk at least, to be cut …
OPEN_FIT = -3.0  # … where that lead and the log-probability that a sentence opens where they end sum to this …
OPEN_START = 0.005  # … and that probability is this at least (成为 opens clauses, seldom a sentence: 0.001)
OPEN_PIECE = -2.5  # … and where the model places a string within them, what they hold besides reads at this lead


def stray_piece(piece: str) -> bool:
    """Whether words beside a string read at a sentence's start may be more of it: they read (line_lead) at
    OPEN_PIECE or above, and open with no word of government prose. The sentence's own first words (全区, 推动,
    租用 …) read far below."""
    if not piece or line_lead(piece) < OPEN_PIECE:
        return False
    words = model().words
    first = next((piece[a:b] for a, b in words.cut(piece) if b - a >= 2), None) if words is not None else None
    return first is None or words.weight(first) > EDGE_WORD


_RUN = re.compile(r'[\u4e00-\u9fffA-Za-z0-9０-９]+')


def _own_word(text: str, start: int, end: int) -> bool:
    """Whether the opening words text[start:end] start or end with a word of the document's own (a name it says
    OWN_NAME times elsewhere), or end where the pair across their end is one it says elsewhere: they are the
    sentence's, or their end is no edge of a string."""
    document = _DOCUMENT.get()
    words = model().words
    if not document or words is None:
        return False
    piece = text[start:end]
    cut = words.cut(piece)
    here = text[max(0, start - 1):end + 1]
    pair = text[end - 1:end + 1]
    return any(b - a >= 2 and document.count(piece[a:b]) - here.count(piece[a:b]) >= OWN_NAME
               for a, b in (cut[0], cut[-1])) \
        or len(pair) == 2 and all(_HAN.match(c) for c in pair) and document.count(pair) - here.count(pair) >= OWN_PAIR


OPEN_JOIN = 1  # times a sentence's first word and what follows a reading are written together elsewhere …
OPEN_WORD = 0.0  # … a word no likelier in general Chinese than in government prose (weight, nats)
HEAD_CHARS, HEAD_LEAD = 5, -1.5  # words of this many characters opening a reading that read as government prose
# by this much (line_lead) are the sentence's: no web-fiction title or offer of the training list opens so


def _word_goes_on(text: str, word_end: int, end: int, seen: Callable[[str], int]) -> bool:
    """Whether the word ending at `word_end` and the text from `end` on are written together elsewhere: their pair
    across the gap, and with one more character either side (具体 + 实施: 体实, and 具体实 or 体实施), OPEN_JOIN times."""
    left, right = text[max(0, word_end - 2):word_end], text[end:end + 2]
    return seen(left[-1] + right[0]) >= OPEN_JOIN and max(
        seen(left + right[0]) if len(left) == 2 else 0, seen(left[-1] + right) if len(right) == 2 else 0) >= OPEN_JOIN


def opening_stray(text: str, start: int, opens: Callable[[str], float], seen: Callable[[str], int]) -> Span | None:
    """A string inserted at the start of a sentence (text[start:] opens one) that reads as junk however ordinary its
    words: the sentence's first words up to where a word ends, LINE_MIN_CHARS to ALONE_CHARS characters of no mark
    and no chapter or article number, opening with no clause opener (对, 在 …) nor a word of the document's own,
    ending in no joining word, clause opener, verb whose object follows (考虑到 + …) or word of government prose and
    inside no word or figure that runs on,
    that read as junk at OPEN_LEAD or above (no sentence of government prose opens that way: its first words read as
    its prose by a nat a character or more), and after which the sentence goes on as the document's sentences open
    (`opens`, the probability a sentence opens with those characters: 加快…, 对新认定…, a name the document opens
    its sentences with; `seen` tells how often the documents hold two or three characters elsewhere). Words after
    a shorter opening that reads as junk must read as junk too (stray_piece: …望族 + 必须 + 增强). Of such readings,
    the one whose lead and start fit best.

    A reading whose first word, of two or more characters and no likelier in general Chinese than in government
    prose (OPEN_WORD), goes on in the documents' writing with what follows the reading (具体 + [ad] + 实施: see
    _word_goes_on) is a string inside the sentence, not one opening it; so is a reading whose first words,
    HEAD_CHARS characters or more, read as government prose (a name: 江州理工大学 + [ad] + 青川研究院). The string
    after those words is returned instead (not opening the sentence) if it reads as junk by itself, before any
    reading that takes them."""
    words = model().words
    run = _RUN.match(text, start)
    if words is None or run is None or _MARKER.match(text, start) or _NUMBERED.match(text, start) \
            or text[start] in OPENERS:
        return None
    cut = words.cut(run.group(0)[:ALONE_CHARS + 4])
    first = _chinese_words(run.group(0)[:ALONE_CHARS + 4])[:1]
    if first and words.weight(first[0]) <= EDGE_WORD:
        return None  # a sentence that opens with a word of government prose (every reading would take it)
    best: tuple[float, int, float] | None = None  # (fit, end, lead) of the reading that fits best
    heads: list[int] = []  # ends of the shorter openings that read as junk
    inside: tuple[float, int, int] | None = None  # (lead, start, end) of the likeliest string after the own words
    prose_first = bool(first) and bool(cut) and run.group(0)[cut[0][0]:cut[0][1]] == first[0] \
        and words.weight(first[0]) <= OPEN_WORD  # (具体, not 流量 or 都市)
    for a, b in cut:
        if a and b - a == 1 and run.group(0)[a] in OPENERS:
            break  # a preposition of its own (… + 对 + 擅自改变…): the sentence's words start there, no reading goes on
        end = start + b
        piece, rest = text[start:end], text[end:]
        lead = line_lead(piece)
        after_head = any(_weight(text[h:end]) >= 2 and not stray_piece(text[h:end]) for h in heads)  # the
        # sentence's own words follow a string that reads as junk
        if lead >= OPEN_LEAD and _weight(piece) >= LINE_MIN_CHARS:
            heads.append(end)
        if after_head or not LINE_MIN_CHARS <= _weight(piece) <= ALONE_CHARS or end >= run.end() - 1 \
                or piece[-1] in OPENERS or piece[-1] in FUNCTION_CHARS or _MARKER.search(piece) \
                or _takes_object(text, start, end) \
                or piece[-1].isascii() and piece[-1].isalnum() and rest[:1].isascii() and rest[:1].isalnum() \
                or word_across(piece, rest) is not None or _own_word(text, start, end) or official_edge(piece):
            continue
        if len(cut) > 1 and b > cut[0][1] and cut[0][1] - cut[0][0] >= 2 and prose_first and _word_goes_on(
                text, start + cut[0][1], end, seen):
            # the sentence's first word goes on as the documents write it after the piece (具体 + [ad] + 实施细则):
            # the string stands inside the sentence, after that word, if it reads as junk by itself
            inner = line_lead(text[start + cut[0][1]:end])
            if inner >= OPEN_LEAD and _weight(text[start + cut[0][1]:end]) >= LINE_MIN_CHARS \
                    and (inside is None or inner > inside[0]):
                inside = (inner, start + cut[0][1], end)
            continue
        begin = opens(rest) if seen(rest[:2]) else 0.0  # (a pair nowhere in the documents opens nothing)
        if lead < OPEN_LEAD or begin < OPEN_START:
            continue
        fit = lead + math.log(begin)
        if fit < OPEN_FIT:
            continue
        # a name or phrase of government prose opens the sentence (江州理工大学 + [ad] + 青川研究院…): the string
        # after it is cut, if it reads as junk by itself
        own = [(line_lead(text[start + h:end]), start + h) for _, h in cut
               if h < b and _weight(run.group(0)[:h]) >= HEAD_CHARS and _weight(text[start + h:end]) >= LINE_MIN_CHARS
               and line_lead(run.group(0)[:h]) <= HEAD_LEAD]
        own = [(inner, h) for inner, h in own if inner >= OPEN_LEAD]
        if own:
            inner, h = own[-1]
            if inside is None or inner > inside[0]:
                inside = (inner, h, end)
        elif best is None or fit > best[0]:
            best = (fit, end, lead)
    if inside is not None:  # (the sentence's own words open it: no reading that takes them is)
        gain, seam = Scorer(model(), text, True).gain(inside[1], inside[2])
        return Span(inside[1], inside[2], gain, seam, inside[0])
    if best is None:
        return None
    gain, seam = Scorer(model(), text, True).gain(start, best[1])
    return Span(start, best[1], gain, seam, best[2], opens=True)


def _general_first(piece: str) -> bool:
    """Whether the first Chinese word of `piece` reads likelier in general Chinese than in government prose."""
    first = _chinese_words(piece)[:1]
    return bool(first) and model().words.weight(first[0]) > 0


def stray_tail(title: str, ends: Callable[[str], float]) -> Span | None:
    """A string appended to a heading's title that the words cannot tell from general Chinese (第四章 保障措施 +
    a web novel's name): a tail of LINE_MIN_CHARS characters or more, no punctuation and no single word of the
    dictionary (城市建设 + 日新月异 is a title's own idiom), that reads as junk about as well as government prose
    (line_lead at LONE_LEAD or above), after a head of TITLE_HEAD characters where the document's clauses end
    (`ends`, the probability a clause ends after it, at TAIL_ENDS; at TAIL_SEAM for a tail that reads clearly as
    junk, at ALONE_LEAD, and opens with a word of general Chinese rather than of government prose: 发展目标 + a
    fiction's name, while 促进文化艺术 + 繁荣兴旺 stays), each starting where a word of the title does. Of
    that tail and the shorter ones after a head where clauses end at all (TAIL_SEAM), the one that reads likeliest
    as junk: a longer one takes in title words of government prose (总体要求 + 和发展目标 + an offer; 全年目标任务 +
    明确 + a name: a title may end where the document's clauses seldom do)."""
    title = title.rstrip()
    words = model().words
    bounds = {b for _, b in words.cut(title)} if words is not None else set(range(len(title)))
    tails = {}  # start → lead, for the tails that may stand alone
    for k in sorted(bounds):
        tail = title[k:]
        if k < TITLE_HEAD or _weight(tail) < LINE_MIN_CHARS or not all(_WORDLIKE.match(ch) for ch in tail) \
                or _MARKER.search(tail) or words is not None and words.cut(tail) == [(0, len(tail))]:
            continue
        if (lead := line_lead(tail)) >= LONE_LEAD:
            tails[k] = lead
    first = next((k for k in tails if ends(title[:k]) >= TAIL_ENDS or ends(title[:k]) >= TAIL_SEAM
                  and tails[k] >= ALONE_LEAD and _general_first(title[k:])), None)
    if first is None:
        return None
    start = max((k for k in tails if k >= first and ends(title[:k]) >= TAIL_SEAM), key=lambda k: tails[k],
                default=first)
    gain, seam = Scorer(model(), title + '。', True).gain(start, len(title))
    return Span(start, len(title), gain, seam, 0.0)


# A string inserted into the document's own phrasing is told by where it sits as much as by how it reads: the text
# breaks at both its edges and joins where it is cut as the documents write it (园区还设 + [a title] + 立了规模,
# 数字经 + [an offer] + 济楼宇), or, opening a sentence, breaks where the sentence goes on as sentences open. The
# counts are those the paragraphs are read against (the document, the reference prose, the other documents), the
# paragraph's own occurrences left out: a string of web text shares few of its pairs with government prose.
SPLICE_CHARS = (3, 16)  # characters of such a string
SPLICE_BREAK = 3  # a pair said at most this often elsewhere breaks the text (a string's edge)
SPLICE_JOIN = 3  # the pair the cut joins is said this often at least, and with a character either side once at least
SPLICE_NOVEL = 0.4  # share of the string's own pairs said nowhere else, at least, unless it stands inside a word …
SPLICE_GAIN = 1.0  # … and the nats by which it reads as junk (Scorer, by words and characters), at least, …
SPLICE_INSIDE_GAIN = 0.0  # (a string whose cut joins a word it stood inside, 新 + [ad] + 增: the word pins both edges)
SPLICE_LEAD = 0.0  # … and by which its reading beats those with edges up to SHIFT characters away
SPLICE_OPEN_NOVEL, SPLICE_OPEN_GAIN = 0.5, 4.0  # the same for a string opening a sentence, which has one edge to
# place by the text (the sentence after it opens with a pair sentences are seen to open with, or with a preposition
# that opens a phrase (OPENERS: 对入驻率…), with OPEN_START at
# least, and no likelier up to SHIFT characters before or after its end: 考虑到 opens sentences, so a reading that
# takes it along, or ends short of it, is wrong)
_BODY = re.compile(r'[\u4e00-\u9fff0-9A-Za-z]')


def splices(text: str, stats: CorpusStats, kept: Sequence[tuple[int, int]] = ()) -> list[Span]:
    """Strings of `text` inserted into its phrasing (see SPLICE_CHARS …): the pairs at both their edges said
    (almost) nowhere else, the pair the cut joins said often and in a triple at least once, their own pairs largely
    said nowhere else (or the cut joins a word they stood inside: 新 + [ad] + 增), reading as junk, and better than
    any near reading; none within `kept`, quoted, holding an article number or leaving a fragment of a sentence.
    A string opening a sentence: its first and last pairs and the one at its end said (almost) nowhere else, the
    sentence going on as sentences open (具体 + 实施细则… is the sentence's own opening, not a string's end). Of
    overlapping strings, the one with the most evidence."""
    own = Counter(text[i:i + 2] for i in range(len(text) - 1))

    def seen(pair: str) -> int:
        return stats.pairs[pair] - own[pair]

    body = [bool(_BODY.match(ch)) for ch in text]
    han = [bool(_HAN.match(ch)) for ch in text]
    said = [0] + [seen(text[i - 1:i + 1]) if body[i - 1] and body[i] else SPLICE_BREAK + 1 for i in range(1, len(text))]
    breaks = [n <= SPLICE_BREAK for n in said]  # breaks[i]: the text breaks between text[i - 1] and text[i]
    new_pairs = list(accumulate((n <= 0 for n in said), initial=0))  # new_pairs[i]: pairs ending before text[i]
    low, high = SPLICE_CHARS
    starts = [i for i in range(len(text)) if han[i] and (i == 0 or text[i - 1] in _SENTENCE_END)
              or i and han[i - 1] and breaks[i]]
    found: list[Span] = []
    scorer = None
    for s in starts:
        opens = s == 0 or text[s - 1] in _SENTENCE_END
        for e in range(s + low, min(len(text) - 1, s + high) + 1):
            if not body[e - 1]:
                break
            if not (han[e] and breaks[e]):
                continue
            piece = text[s:e]
            novel = (new_pairs[e] - new_pairs[s + 1]) / (len(piece) - 1)  # the pairs within the piece
            if opens:
                starting = stats.sentence_opens(text[e:e + 3])
                if novel < SPLICE_OPEN_NOVEL or max(seen(piece[:2]), seen(piece[-2:])) > SPLICE_BREAK \
                        or starting < OPEN_START \
                        or not (stats.pair_opens[text[e:e + 2]] or text[e] in OPENERS) or any(
                            stats.sentence_opens(text[k:k + 3]) > starting
                            for k in range(max(s + low, e - SHIFT), e + SHIFT + 1) if k != e):
                    continue
            elif stats.pairs[text[s - 1] + text[e]] < SPLICE_JOIN \
                    or max(stats.triples[text[max(0, s - 2):s] + text[e]], stats.triples[text[s - 1] + text[e:e + 2]]) < 1:
                continue
            inside = None  # whether the cut joins a word the string stood inside (looked up when it matters)
            if not opens and novel < SPLICE_NOVEL and not (inside := inside_word(text, Span(s, e, 0.0, 0.0))):
                continue
            if any(s < b and a < e for a, b in kept) or quoted(text, s) or _MARKER.search(piece) \
                    or leaves_fragment(text, s, e):
                continue
            scorer = scorer or prose_scorer(model(), text)
            gain, seam = scorer.gain(s, e)
            if gain < (SPLICE_OPEN_GAIN if opens else SPLICE_GAIN) and (
                    opens or gain < SPLICE_INSIDE_GAIN
                    or not (inside if inside is not None else inside_word(text, Span(s, e, 0.0, 0.0)))):
                continue
            span = Span(s, e, gain, seam, opens=opens)
            rival = max((scorer.gain(a, b)[0] for a, b in _near_readings(text, span) if not opens or a == s),
                        default=-math.inf)  # (a string opening a sentence has its start given)
            if gain - rival >= SPLICE_LEAD:
                found.append(replace(span, margin=gain - rival))
    chosen: list[Span] = []
    for sp in sorted(found, key=lambda x: -x.gain):
        if all(sp.end <= c.start or sp.start >= c.end for c in chosen):
            chosen.append(sp)
    return chosen


LINE_MIN_CHARS = 4  # a line of its own this short is cut (a web-fiction title of four characters) …
SHORT_LINE_GAIN = 2 * CUT_GAIN  # … with twice the evidence


def whole_line(line: str, lm: LanguageModel | None = None) -> Span | None:
    """A line of no sentence that is nothing but a string read as advertising: a span from its start to its end (or
    to a figure of TITLE_TAIL characters before it), judged as a title's tail is; a line of five characters needs the
    evidence of a cut of five (SHORT_CUT_GAIN), one of four SHORT_LINE_GAIN. A line with a chapter or article
    number, or opening with a section number, is never one."""
    line = line.strip()
    if _weight(line) < LINE_MIN_CHARS or _MARKER.search(line) or _NUMBERED.match(line):
        return None  # a numbered heading with a string appended is a heading: its title's tail is read instead
    need = CUT_GAIN if _weight(line) >= CUT_MIN_CHARS else SHORT_CUT_GAIN if _weight(line) > LINE_MIN_CHARS \
        else SHORT_LINE_GAIN
    for sp in find_spans(line + '。', lm, words=True, title_end=len(line)):
        if sp.start == 0 and _runs_out(line, sp.end) and sp.gain >= need and sp.margin >= TITLE_MARGIN \
                and not official_edge(line):
            return Span(0, len(line), sp.gain, sp.seam, sp.margin)
    return None


EDGE_WORD = -1.0  # an edge word this much likelier (nats) in government prose than in general Chinese


def _chinese_words(piece: str) -> list[str]:
    """The dictionary's cut of `piece` (marks at its end left out), its Chinese words only."""
    words = model().words
    if words is None:
        return []
    piece = piece.rstrip(_PUNCT)
    return [piece[a:b] for a, b in words.cut(piece) if _HAN.match(piece[a])]


def official_edge(piece: str) -> bool:
    """Whether the first or the last Chinese word of `piece` reads as government prose."""
    cut = _chinese_words(piece)
    return bool(cut) and min(model().words.weight(cut[0]), model().words.weight(cut[-1])) <= EDGE_WORD


BREAK_REACH = 4  # characters either side of a line break read for a word across it


def word_across(left: str, right: str, lm: LanguageModel | None = None) -> str | None:
    """The word of general Chinese that a break between `left` and `right` falls inside, if any: the likeliest cut
    into dictionary words of the characters either side of the break (spaces left out) has a word of two or more
    Chinese characters across it (主要任|务: 任务; 数字内容产|业: 产业). A break between words (保障措施|加强) has none."""
    words = (lm or model()).words
    left, right = re.sub(r'\s+', '', left)[-BREAK_REACH:], re.sub(r'\s+', '', right)[:BREAK_REACH]
    if words is None or not left or not right or not _HAN.match(left[-1]) or not _HAN.match(right[0]):
        return None
    joined = left + right
    return next((joined[a:b] for a, b in words.cut(joined) if a < len(left) < b and b - a >= 2), None)


_NUMBER_GOES_ON = re.compile(r'[0-9０-９.．%％年月日号万亿千百个家项元人户亩条]')


def runs_across(left: str, right: str) -> bool:
    """Whether a word (see word_across) or a figure (2027|年, 118|2亿元) runs across a break between `left` and
    `right`: a title does not end inside either."""
    left, right = left.rstrip(), right.lstrip()
    if left[-1:].isdigit() and _NUMBER_GOES_ON.match(right[:1]):
        return True
    return word_across(left, right) is not None


def dangling(text: str, span: Span) -> bool:
    """Whether the text before the span stops inside a word that the span's last characters complete (光伏装 +
    [ad] + 机容量: 装机; 要素保 + [ad] + 障: 保障): the span took the sentence's own words after the inserted string, so
    its right edge is not where the insertion ends, unless the text after the span completes it as well (老 + [ad] +
    旧: the insertion stood inside a word), and only if the span's characters from that word on read as the document
    rather than as junk (机容量5万千瓦): a word made of the text's last character and a piece of the advertisement
    (在 + 职宝妈轻松赚, an invented example) is chance. A span that opens a sentence or the text has no such word."""
    left = text[:span.start]
    if span.start == 0 or word_across(left, text[span.end:]):
        return False  # the text after the span completes the word: the insertion ends where the span does
    local = None
    for p in range(span.start + 1, span.end):
        if not _HAN.match(text[p]) or word_across(left, text[p:]) is None:
            continue
        local = local or Scorer(model(), text, True).local()
        if sum(local[p:span.end]) < 0:
            return True
    return False


INNER_TEXT = -2.0  # nats by which a word inside a span must read as the document to be the document's own
HOLD_RUN = 4  # characters that read as the document (by words and characters) around such a word: a clause's words


def holds_text(text: str, span: Span) -> bool:
    """Whether the span holds a name the document says elsewhere (_holds_said_elsewhere), or, away from its edges, a
    word of government prose that reads as the document by its characters and words (INNER_TEXT), in a stretch of
    HOLD_RUN characters or more that reads as the document: two
    insertions close together and the sentence's own words between them (…返利 + 把科技自 + 网站…, an invented
    example), not one inserted string that uses such a word among its own (网贷 + 平台 + 秒批到账)."""
    if _holds_said_elsewhere(text, span):
        return True
    words = model().words
    if words is None:
        return False
    local = None
    for a, b in words.cut(text[span.start:span.end]):
        a, b = a + span.start, b + span.start
        if b - a < 2 or a == span.start or b == span.end or not _HAN.match(text[a]):
            continue
        if words.weight(text[a:b]) <= EDGE_WORD:
            local = local or _word_local(model(), text)
            if sum(local[a:b]) <= INNER_TEXT:
                lo, hi, total = a, b, sum(local[a:b])
                while True:  # the stretch around the word that reads as the document as a whole
                    left = local[lo - 1] if lo > span.start else math.inf
                    right = local[hi] if hi < span.end else math.inf
                    if total + min(left, right) > 0:
                        break
                    if left <= right:
                        lo, total = lo - 1, total + left
                    else:
                        hi, total = hi + 1, total + right
                if hi - lo >= HOLD_RUN and min(lo - span.start, span.end - hi) >= MIN_SPAN:
                    return True  # (an insertion on either side of it: a character or two left over is none)
    return False


def _holds_said_elsewhere(text: str, span: Span) -> bool:
    """Whether the span holds, MIN_SPAN characters or more from either edge, HOLD_RUN Chinese characters that the
    document being read (see reading) says elsewhere in other words around them (…祖传方 + 云溪软件园 + 一贴见效…: a
    name the document repeats, between two insertions). A string inserted twice brings its words along each time:
    with the same characters around them, they are no such name."""
    document = _DOCUMENT.get()
    if not document:
        return False
    for a in range(span.start + MIN_SPAN, span.end - MIN_SPAN - HOLD_RUN + 1):
        piece = text[a:a + HOLD_RUN]
        if all(_HAN.match(c) for c in piece) and document.count(piece) > document.count(text[a - 1:a + HOLD_RUN + 1]):
            return True
    return False


def listed(span: Span, piece: str) -> bool:
    """Whether a span that is not cut is listed for an administrator."""
    return span.gain >= LIST_GAIN and _weight(piece) >= MIN_SPAN


SEEDS = Path(__file__).resolve().parents[3] / 'seeds' / 'plans'


def prose_paragraphs(raw: bytes) -> list[str]:
    """The prose paragraphs of a plan document, parsed without this module: what the model learns from."""
    from .pipeline import parse_document  # the pipeline runs this module: the model build needs it, not the parser

    return [p.text for p in parse_document(raw, language=False).paragraphs if p.kind not in ('table', 'box')]


def _seed_paragraphs() -> list[str]:
    return [text for path in sorted(SEEDS.glob('*.txt')) for text in prose_paragraphs(path.read_bytes())]


def main(argv: Sequence[str]) -> int:
    """`build [DICT]`: count the seed documents, the reference prose, the junk list and the dictionary into the
    model file (DICT defaults to the dictionary of the installed jieba package)."""
    if not argv or argv[0] != 'build':
        print('usage: python -m crm.plans.parsing.language build [path/to/jieba/dict.txt]', file=sys.stderr)
        return 2
    if len(argv) > 1:
        dict_path = Path(argv[1])
    else:
        spec = importlib.util.find_spec('jieba')
        if spec is None or spec.origin is None:
            print('install jieba (pip install jieba==0.42.1) or give the path of its dict.txt', file=sys.stderr)
            return 2
        dict_path = Path(spec.origin).parent / 'dict.txt'
    data = build(_seed_paragraphs() + read_lines(GOV_REFERENCE), read_lines(JUNK_TRAIN), dict_path)
    raw = json.dumps(data, ensure_ascii=False, separators=(',', ':')).encode('utf-8')
    with MODEL_FILE.open('wb') as fh, gzip.GzipFile(fileobj=fh, mode='wb', mtime=0) as gz:
        gz.write(raw)
    print(f'{MODEL_FILE}: {MODEL_FILE.stat().st_size} bytes', file=sys.stderr)
    return 0


if __name__ == '__main__':
    raise SystemExit(main(sys.argv[1:]))
