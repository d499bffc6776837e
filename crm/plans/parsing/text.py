"""Character classes and whitespace normalisation for Chinese plan texts."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter

CJK = r'\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007'
CJK_PUNCT = r'\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2014\u2026\u00b7\u2160-\u217f'
_WIDE = f'[{CJK}{CJK_PUNCT}]'
_SPACES = re.compile(r'[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t]')
_ZERO_WIDTH = re.compile(r'[\u200b-\u200d\u2060\ufeff]')
_LEFT_GLUE = r'[(\[（【《“‘]'
_RIGHT_GLUE = r'[%‰,;:)\]!?）】》”’]'
_SPACE_RUN = re.compile(
    rf'(?<={_WIDE}) +|(?<=[0-9]) +(?={_WIDE}|{_RIGHT_GLUE})| +(?={_WIDE})'
    rf'|(?<={_LEFT_GLUE}) +| +(?={_RIGHT_GLUE})(?<!, )'
)
FINAL_PUNCT = '。！？；;!?:：'
CLOSERS = '”’）)》」』】"\''
CN_NUM = '一二三四五六七八九十百零〇两'


def is_cjk(ch: str) -> bool:
    """True for a CJK ideograph."""
    return bool(re.match(f'[{CJK}]', ch))


def unify_spaces(line: str, keep_tabs: bool = False) -> str:
    """Turn NBSP and other unicode spaces into ASCII spaces and drop zero-width characters."""
    line = _ZERO_WIDTH.sub('', line)
    if keep_tabs:
        return re.sub(r'[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]', ' ', line)
    return _SPACES.sub(' ', line)


def squeeze_spaces(text: str) -> str:
    """Remove spaces touching CJK characters or CJK punctuation; keep spaces inside Latin text and numbers."""
    text = _SPACE_RUN.sub('', text)
    return re.sub(r' {2,}', ' ', text).strip()


def clean_line(line: str) -> str:
    """Full in-line whitespace repair of one raw line."""
    return squeeze_spaces(unify_spaces(line))


def normalize_for_search(text: str) -> str:
    """NFKC + casefold + drop whitespace between CJK characters (the cleaner's rule); used on both search sides."""
    text = unicodedata.normalize('NFKC', unify_spaces(text)).casefold()
    text = re.sub(r'\s+', ' ', text)
    return squeeze_spaces(text)


def compact_key(text: str) -> str:
    """A text's comparison form: NFKC, without any whitespace (a heading as a table of contents lists it)."""
    return re.sub(r'\s+', '', unicodedata.normalize('NFKC', text))


def ends_sentence(text: str) -> bool:
    """True when the text ends with sentence-final punctuation (closing quotes allowed after it)."""
    stripped = text.rstrip(CLOSERS + ' ')
    return bool(stripped) and stripped[-1] in FINAL_PUNCT


def cn_to_int(numeral: str) -> int | None:
    """Convert a Chinese or Arabic numeral (up to 百) to an int."""
    if numeral.isdigit():
        return int(numeral)
    digits = {c: i for i, c in enumerate('零一二三四五六七八九')}
    digits.update({'〇': 0, '两': 2})
    total, current = 0, 0
    for ch in numeral:
        if ch in digits:
            current = digits[ch]
        elif ch == '十':
            total += (current or 1) * 10
            current = 0
        elif ch == '百':
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def sha256_hex(raw: bytes) -> str:
    """Hex sha256 of the raw bytes."""
    return hashlib.sha256(raw).hexdigest()


def decode(raw: bytes | str) -> tuple[str, str, bytes]:
    """Decode UTF-8 (with or without BOM), else GB18030; return (text, encoding, raw bytes)."""
    if isinstance(raw, str):
        return raw.lstrip('\ufeff'), 'utf-8', raw.encode('utf-8')
    try:
        return raw.decode('utf-8-sig'), 'utf-8', raw
    except UnicodeDecodeError:
        return raw.decode('gb18030', errors='replace'), 'gb18030', raw


def bigram_char(char: str) -> bool:
    """Characters that an FTS5 unicode61 tokenizer keeps inside a token: CJK ideographs and ASCII letters/digits."""
    return ('\u4e00' <= char <= '\u9fff') or ('\u3400' <= char <= '\u4dbf') or (char.isascii() and char.isalnum())


def bigram_tokens(text_norm: str) -> str:
    """The distinct two-character runs of normalised text, space-separated (an index for two-character terms)."""
    pairs = {a + b for a, b in zip(text_norm, text_norm[1:]) if bigram_char(a) and bigram_char(b)}
    return ' '.join(sorted(pairs))


COUNTED_MAX = 6  # runs up to this length carry count tokens
COUNT_MARK = 'q'
COUNT_BITS = 16


def count_token(run: str, bit: int) -> str:
    """The token saying that `run` occurs in a paragraph a number of times with binary digit `bit` set."""
    return f'{run}{COUNT_MARK}{bit}'


_INDEX_RUN = re.compile(r'[\u4e00-\u9fff\u3400-\u4dbfA-Za-z0-9]+')


def count_tokens(text_norm: str) -> list[str]:
    """For every run of 2 to COUNTED_MAX index characters that occurs at least twice in the text (overlapping
    occurrences counted), one token per binary digit set in its count: a search reads how often a term occurs
    from the index, without reading the paragraphs. A run repeats only where its shorter prefix does, so each
    length looks only at the starts where the previous one repeated."""
    tokens: list[str] = []
    starts = range(len(text_norm) - 1)
    for size in range(2, COUNTED_MAX + 1):
        counts = Counter(text_norm[i:i + size] for i in starts if i + size <= len(text_norm))
        repeated = {run: n for run, n in counts.items() if n >= 2}
        if not repeated:
            break
        for run, n in repeated.items():
            if _INDEX_RUN.fullmatch(run):
                tokens.extend(count_token(run, bit) for bit in range(n.bit_length()) if n >> bit & 1)
        starts = [i for i in starts if text_norm[i:i + size] in repeated]
    return sorted(tokens)
