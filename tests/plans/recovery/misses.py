"""Why each clean paragraph was missed: `python -m tests.plans.recovery.misses [SEED] [KINDS]` imports the
benchmark sample of SEED (19 unless given), and for every missed paragraph finds the import text(s) that best
match it and names the difference: junk-left (an injected string still inside), heading-not-split (a heading's
title, or part of it, ran into the paragraph), heading-took-text (the title took the paragraph's first words),
split, joined (with a neighbour), char-changed, truncated, extra-text, false-cut, dropped-as-duplicate,
dropped-as-junk, lost. KINDS (comma-separated) prints those misses one by one; the counts are always printed."""
from __future__ import annotations

import sys
from collections import Counter
from difflib import SequenceMatcher

from .score import _without, key


def _flow(doc) -> list[tuple[str, str]]:
    items = [(p.position, 'P', p.text) for p in doc.paragraphs]
    items += [(h.position, 'H', f'{h.marker}{h.title}') for h in doc.headings]
    return [(kind, text) for _, kind, text in sorted(items, key=lambda x: x[0])]


def _heading_prefix(gen, extra: str) -> bool:
    heads = [key(h).rstrip('。') for h in gen.headings()]
    extra = extra.rstrip('。')
    return bool(extra) and any(h == extra or h.endswith(extra) or extra.endswith(h[2:]) for h in heads if len(h) > 4)


def classify(gen, doc, raw: str, injected: list[str]) -> tuple[str, str]:
    """The kind of difference between the clean paragraph `raw` and what the import made of it, and a detail."""
    k = key(raw)
    flow = _flow(doc)
    kinds = [kind for kind, _ in flow]
    texts = [_without(key(t), injected) for _, t in flow]
    for kind, x in zip(kinds, texts):
        if kind == 'P' and x == k:
            return 'junk-left', ''
    for kind, x in zip(kinds, texts):
        if kind == 'P' and k in x and len(x) > len(k):
            before, after = x[:x.find(k)], x[x.find(k) + len(k):]
            what = 'heading-not-split' if _heading_prefix(gen, before) else 'joined'
            return what, f'before={before[-30:]!r} after={after[:30]!r}'
    for i, x in enumerate(texts):
        if not x or not k.startswith(x):
            continue
        acc = ''
        for j in range(i, min(i + 6, len(texts))):
            acc += texts[j]
            if j > i and acc.rstrip('。') == k.rstrip('。'):
                what = 'heading-took-text' if 'H' in kinds[i:j + 1] else 'split'
                return what, ' | '.join(t[:25] for t in texts[i:j + 1])
            if not k.startswith(acc.rstrip('。')):
                break
    for i in range(len(texts) - 1):
        nxt = texts[i + 1]
        if kinds[i] == 'H' and kinds[i + 1] == 'P' and nxt and k.endswith(nxt) and len(nxt) < len(k):
            took = k[:len(k) - len(nxt)]
            if texts[i].endswith(took.rstrip('。')):
                return 'heading-took-text', f'heading={texts[i][-30:]!r} took={took[:30]!r}'
    return _closest(doc, k, kinds, texts)


def _closest(doc, k: str, kinds: list[str], texts: list[str]) -> tuple[str, str]:
    best, at = 0.0, None
    for i, x in enumerate(texts):
        if kinds[i] == 'P' and x:
            matcher = SequenceMatcher(None, k, x, autojunk=False)
            if matcher.real_quick_ratio() > best and matcher.ratio() > best:
                best, at = matcher.ratio(), i
    if at is not None and best > 0.5:
        ops = [(op, k[a:b], texts[at][c:d]) for op, a, b, c, d in
               SequenceMatcher(None, k, texts[at], autojunk=False).get_opcodes() if op != 'equal']
        if all(op == 'delete' for op, _, _ in ops):
            gone = [a for _, a, _ in ops]
            if any(a in texts[j] for j in range(len(texts)) if j != at for a in gone if len(a) >= 3):
                return 'split', str(gone)[:120]
            if any(a in key(r.text) for r in doc.removed for a in gone if len(a) >= 2):
                return 'false-cut', str(gone)[:120]
            return 'truncated', str(gone)[:120]
        if all(op == 'insert' for op, _, _ in ops):
            return 'extra-text', str([b for _, _, b in ops])[:120]
        return 'char-changed', str([(a, b) for _, a, b in ops])[:160]
    for r in doc.duplicate_blocks:
        if k[:20] in key(r.text):
            return 'dropped-as-duplicate', r.reason[:80]
    for r in doc.removed:
        if k[:12] in key(r.text):
            return 'dropped-as-junk', f'{r.kind}: {r.reason[:60]}'
    return 'lost', f'closest {best:.2f}'


def main(seed: int = 19, show: tuple[str, ...] = ()) -> Counter[str]:
    from crm.plans.parsing import parse_document
    from tests.bench.bench_recovery import DOCUMENTS, seed_background

    from .generator import generate
    from .score import score

    background = seed_background()
    counts: Counter[str] = Counter()
    for gen in generate(seed, DOCUMENTS):
        doc = parse_document(gen.data, background=background)
        injected = sorted({key(i.text) for i in gen.injected if key(i.text)}, key=len, reverse=True)
        for raw in score(gen, doc).missed:
            what, detail = classify(gen, doc, raw, injected)
            counts[what] += 1
            if what in show:
                print(f'{what:20s} {gen.name} {gen.damages}\n    clean: {raw[:70]}\n    {detail}')
    print(f'seed {seed}', dict(counts.most_common()), 'missed', sum(counts.values()))
    return counts


if __name__ == '__main__':
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 19, tuple(sys.argv[2].split(',')) if len(sys.argv) > 2 else ())
