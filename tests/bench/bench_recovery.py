"""The plan-recovery benchmark: the importer on documents it was not tuned on (`python -m tests.bench.bench_recovery`
prints the numbers per genre and per damage, and every miss).

Fifty documents are generated (seeded) from the clean sources of tests/plans/recovery, damaged the ways downloaded
plan texts are, with junk strings from the evaluation list only; each is imported and compared with its clean text.
Reported: plans_recovery_exact, plans_recovery_junk_kept, plans_recovery_duplicates, plans_recovery_false_cuts.
"""
from __future__ import annotations

import time

GROUP = 'plans'  # run with `make bench BENCH_ARGS=plans`
SEED, DOCUMENTS = 19, 50


def measure(seed: int = SEED, count: int = DOCUMENTS, background=None):
    """Generate, import and score `count` documents; return the summary and the per-document scores."""
    from crm.plans.parsing import parse_document
    from tests.plans.recovery.generator import generate
    from tests.plans.recovery.score import score, summarize

    scores = [score(g, parse_document(g.data, background=background)) for g in generate(seed, count)]
    return summarize(scores), scores


def isolated(per_damage: int = 3, background=None) -> dict[str, dict[str, float]]:
    """Each damage alone, on `per_damage` sources in turn: what it costs by itself (the sample mixes them)."""
    import random

    from crm.plans.parsing import parse_document
    from tests.plans.recovery.generator import DAMAGES, DamagePlan, render
    from tests.plans.recovery.score import score, summarize
    from tests.plans.recovery.sources import load_sources

    sources = load_sources()
    out = {}
    for n, name in enumerate(DAMAGES):
        scores = []
        for k in range(per_damage):
            source = sources[(n * per_damage + k) % len(sources)]
            gen = render(source, DamagePlan(frozenset({name})), random.Random(f'{SEED}:{name}:{k}'))
            scores.append(score(gen, parse_document(gen.data, background=background)))
        s = summarize(scores)
        out[name] = {'exact': round(s.exact, 3), 'junk_kept': round(s.junk_kept, 3), 'duplicates': s.duplicates,
                     'false_cuts': s.false_cuts}
    return out


def seed_background():
    """Character statistics of the five seed documents: what a new document is read against once they are loaded."""
    from crm.plans.parsing import CorpusStats, parse_document
    from crm.plans.services import PLANS_DIR

    return CorpusStats.of(p.text for path in sorted(PLANS_DIR.glob('*.txt'))
                          for p in parse_document(path.read_bytes()).paragraphs)


def by_genre(scores) -> dict[str, dict[str, float]]:
    """The four numbers per genre of the source (gy 规划纲要, zb 政府工作报告, jh 计划执行情况报告, zc 政策文件, xw 新闻稿)."""
    from tests.plans.recovery.score import summarize

    genres: dict[str, list] = {}
    for s in scores:
        genres.setdefault(s.name.split('-')[2][:2], []).append(s)
    out = {}
    for genre, group in sorted(genres.items()):
        g = summarize(group)
        out[genre] = {'documents': g.documents, 'exact': round(g.exact, 3), 'junk_kept': round(g.junk_kept, 3),
                      'duplicates': g.duplicates, 'false_cuts': g.false_cuts}
    return out


def breakdown(seed: int = SEED, count: int = DOCUMENTS) -> None:
    """`python -m tests.bench.bench_recovery`: the numbers per genre and per damage, and every paragraph missed,
    string left and character cut, document by document (what to fix first)."""
    summary, scores = measure(seed, count, background=seed_background())
    print(f'exact {summary.exact:.4f}  junk kept {summary.junk_kept:.4f}  duplicates {summary.duplicates}  '
          f'false cuts {summary.false_cuts}  kept by kind {summary.kept_by_kind}')
    for genre, values in by_genre(scores).items():
        print(genre, values)
    for name, values in summary.by_damage.items():
        print(name, values)
    for s in scores:
        if s.missed or s.leftovers or s.duplicates or s.false_cut_chars:
            print(f'== {s.name} {s.damages} missed {len(s.missed)} duplicates {s.duplicates} cut {s.false_cut_chars}')
            for text in s.missed:
                print('  missed', text[:80])
            for text in s.leftovers:
                print('  left  ', text)
            for text in s.cuts:
                print('  cut   ', text[:100])


def run(ctx, compare) -> list[dict]:
    background = seed_background()
    start = time.perf_counter()
    summary, scores = measure(background=background)
    seconds = round(time.perf_counter() - start, 2)
    alone = isolated(background=background)
    by = {metric: {name: values[metric] for name, values in alone.items()}
          for metric in ('exact', 'junk_kept', 'duplicates', 'false_cuts')}
    common = {'documents': summary.documents, 'seed': SEED, 'junk_list': 'tests/plans/recovery/junk_eval.txt',
              'seconds': seconds}
    return [
        {'name': 'plans_recovery_exact', 'value': round(summary.exact, 4), 'unit': 'share', 'target': '>= 0.98',
         'detail': {**common, 'paragraphs': summary.paragraphs, 'by_genre': by_genre(scores),
                    'each_damage_alone': by['exact']}},
        {'name': 'plans_recovery_junk_kept', 'value': round(summary.junk_kept, 4), 'unit': 'share', 'target': '<= 0.01',
         'detail': {**common, 'injected': summary.injected, 'kept_by_kind': summary.kept_by_kind,
                    'stray_symbols_kept': summary.symbols_kept,
                    'each_damage_alone': by['junk_kept']}},
        {'name': 'plans_recovery_duplicates', 'value': summary.duplicates, 'unit': 'paragraphs', 'target': '0',
         'detail': {**common, 'each_damage_alone': by['duplicates']}},
        {'name': 'plans_recovery_false_cuts', 'value': summary.false_cuts, 'unit': 'characters', 'target': '0',
         'detail': {**common, 'real_characters': summary.real_chars,
                    'each_damage_alone': by['false_cuts']}},
    ]


if __name__ == '__main__':
    breakdown()
