"""plans_import_seconds (the five seed documents), the parse of a 2 MB document holding its body six times, and
search p95 over a corpus enlarged to 50,000 paragraphs."""
from __future__ import annotations

import random
import statistics
import time

from sqlalchemy import delete, func, insert, select

TARGET_PARAGRAPHS = 50_000
P95_TARGETS = {2: '< 30', 3: '< 10', 6: '< 10'}
QUERIES = {2: ['电竞', '房租', '总部', '人才', '楼宇', '招商', '科技', '金融'],
           3: ['产业园', '跨境电', '数字经', '亿元楼', '新天地', '创新型', '服务业', '城市之'],
           6: ['跨境电子商务', '数字经济产业', '人力资源服务', '全口径税收超', '创新创业新天', '高新技术企业',
               '现代服务业增', '总部经济集聚']}


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def run(ctx, compare) -> list[dict]:
    from crm.db import db
    from crm.plans.models import PlanDocument, PlanParagraph
    from crm.plans.search import search
    from crm.plans.services import seed_plans

    results = []
    with ctx.app.app_context():
        db.session.execute(delete(PlanDocument))
        db.session.commit()
        start, cpu = time.perf_counter(), time.process_time()
        seed_plans()
        db.session.commit()
        import_seconds = time.perf_counter() - start
        # CPU seconds of this process beside the wall time: on a shared machine the wall time also counts the
        # time other processes held the CPU
        results.append({'name': 'plans_import_seconds', 'value': round(import_seconds, 3), 'unit': 's',
                        'target': '< 5', 'detail': {'documents': 5,
                                                    'cpu_seconds': round(time.process_time() - cpu, 3)}})
        results.append(_parse_two_megabytes())
        results += junk_results()
        _enlarge(db, PlanParagraph)
        total = db.session.scalar(select(func.count(PlanParagraph.id)))
        rng = random.Random(7)
        for size, terms in QUERIES.items():
            timings, cpu = [], []
            for _ in range(60):
                term = rng.choice(terms)
                t0, c0 = time.perf_counter(), time.process_time()
                hits = search(term, limit=20)
                timings.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                assert all(term in h.paragraph.text_norm for h in hits)
            results.append({'name': f'plans_search_p95_ms_{size}char', 'value': round(_p95(timings), 2), 'unit': 'ms',
                            'target': P95_TARGETS[size], 'detail': {'paragraphs': total, 'queries': len(timings),
                                                         'median_ms': round(statistics.median(timings), 2),
                                                         'cpu_p95_ms': round(_p95(cpu), 2),
                                                         'cpu_median_ms': round(statistics.median(cpu), 2),
                                                         'database': 'sqlite'}})
    return results


def _parse_two_megabytes() -> dict:
    """A document of about 2 MB: three seed plans, then the same text five more times, re-wrapped at two widths,
    with half-width commas, spaced: the repeats are found in time linear in the length and dropped."""
    from crm.plans.parsing import parse_document
    from crm.plans.parsing.repeats import Stream, find_repeats
    from crm.plans.parsing.segment import Item, Line
    from crm.plans.services import PLANS_DIR, load_manifest

    files = [entry['file'] for entry in load_manifest()][2:]
    body = '\n'.join((PLANS_DIR / name).read_text(encoding='utf-8') for name in files)
    copies = [body, _rewrap(body, 37), body.replace('，', ','), _rewrap(body, 29), body.replace('。', '。 '), body]
    text = '\n'.join(copies)
    start = time.perf_counter()
    doc = parse_document(text)
    seconds = time.perf_counter() - start
    lines = [Line(t, n) for n, t in enumerate(text.split('\n'), 1)]
    start = time.perf_counter()
    stream = Stream.of([Item(None, lines)])
    find_repeats(stream.text, bounds=stream.bounds)
    stage = time.perf_counter() - start
    return {'name': 'plans_parse_2mb_seconds', 'value': round(seconds, 3), 'unit': 's', 'target': '',
            'detail': {'bytes': len(text.encode()), 'copies': len(copies), 'repeats_dropped': len(doc.duplicate_blocks),
                       'find_repeats_seconds': round(stage, 3), 'paragraphs': len(doc.paragraphs)}}


def _rewrap(text: str, width: int) -> str:
    return '\n'.join(line[i:i + width] for line in text.split('\n') for i in range(0, max(len(line), 1), width))


def _enlarge(db, PlanParagraph) -> None:
    """Copy the seed paragraphs (shuffled words) into one synthetic current document until 50k paragraphs."""
    from crm.plans.models import PlanDocument
    from crm.plans.services import paragraph_row

    base = db.session.execute(select(PlanParagraph.text)).scalars().all()
    doc = PlanDocument(slug='bench-corpus', title='扩充语料（基准测试）', source_filename='bench.txt',
                       sha256='bench' + '0' * 59, encoding='utf-8', raw=b'', is_current=True)
    db.session.add(doc)
    db.session.flush()
    rng = random.Random(42)
    rows, seq = [], 0
    while len(base) + seq < TARGET_PARAGRAPHS:
        text = rng.choice(base)
        cut = rng.randrange(0, max(1, len(text)))
        seq += 1
        rows.append(paragraph_row(doc.id, seq, seq, f'b.p{seq}', 'text', text[cut:] + text[:cut],
                                  citation_path=f'第{seq}段'))
        if len(rows) == 5000:
            db.session.execute(insert(PlanParagraph), rows)
            rows = []
    if rows:
        db.session.execute(insert(PlanParagraph), rows)
    db.session.commit()


JUNK_SEEDS = range(9000, 9010)  # held out: the tests and the tuning of the thresholds used other seeds


REFERENCE_FOLDS = 5


def junk_results() -> list[dict]:
    """Injected advertising judged by how it reads (crm/plans/parsing/language.py), on text the model never saw:
    the held-out clean paragraphs damaged by the seeded generator with strings that are not in the training list,
    and each seed document judged by a model that did not learn from it."""
    from crm.plans.parsing import ParsedParagraph, language
    from crm.plans.parsing.spam import cut_foreign_spans
    from tests.plans.parsing import junkgen
    items = [item for seed in JUNK_SEEDS for item in junkgen.damaged_set(seed, junkgen.clean_paragraphs())]
    paragraphs = [ParsedParagraph(n, 'text', item.damaged, [], f'p{n}', '', line=n) for n, item in enumerate(items)]
    removed: list = []
    kept, listed = [], []
    t0 = time.perf_counter()
    for p in paragraphs:  # each from a document of its own (and each clean paragraph in every seed's set once)
        k, x = cut_foreign_spans([p], removed)
        kept += k
        listed += x
    seconds = time.perf_counter() - t0
    texts = {p.anchor: p.text for p in kept}
    cleaned = [texts.get(f'p{n}', '') for n in range(len(items))]
    false_cut = sum(junkgen.compare(item.clean, text)[0] for item, text in zip(items, cleaned))
    left = sum(junkgen.compare(item.clean, text)[1] for item, text in zip(items, cleaned))
    injected = sum(len(j) for item in items for j in item.junk)
    exact = sum(item.clean == text for item, text in zip(items, cleaned))
    places = {w: {'paragraphs': sum(1 for item in items if item.places == [w]),
                  'exact': sum(1 for item, text in zip(items, cleaned) if item.places == [w] and item.clean == text)}
              for w in ('between', 'clause', 'inside')}
    flagged = 0  # injected strings cut, at least in part, or overlapped by a string listed for review
    for n, item in enumerate(items):
        shown = [r.text for r in removed if r.line == n] + [x.text for x in listed if x.anchor == f'p{n}']
        flagged += sum(1 for junk in item.junk if any(_overlap(junk, s) for s in shown))
    detail = {'paragraphs': len(items), 'injected_strings': sum(len(i.junk) for i in items), 'flagged': flagged,
              'injected_chars': injected, 'junk_chars_left': left, 'cuts': len(removed), 'listed': len(listed),
              'places': places, 'seconds': round(seconds, 3)}
    clean = junkgen.clean_paragraphs()
    seed_cut = seed_listed = 0
    for raw in sorted(language.SEEDS.glob('*.txt')):
        prose = language.prose_paragraphs(raw.read_bytes())
        lm = language.model_without(prose)
        for text in prose + (clean if raw.name.startswith('000') else []):
            for span in language.find_spans(text, lm, words=language.PROSE_WORDS):
                piece = text[span.start:span.end]
                cut = language.cut_here(text, span)
                seed_cut += len(piece) if cut else 0
                seed_listed += language.listed(span, piece) and not cut
    reference = language.read_lines(language.GOV_REFERENCE)
    reference_cuts = []
    for fold in range(REFERENCE_FOLDS):  # a fifth of the reference prose judged by a model without that fifth
        part = reference[fold::REFERENCE_FOLDS]
        lm = language.model_without(part)
        reference_cuts += [text[span.start:span.end] for text in part
                           for span in language.find_spans(text, lm, words=language.PROSE_WORDS)
                           if language.cut_here(text, span)]
    return [
        {'name': 'plans_junk_recall', 'value': round(1 - left / injected, 3), 'unit': 'share of injected chars',
         'target': 'as high as false cuts allow', 'detail': detail},
        {'name': 'plans_junk_exact', 'value': round(exact / len(items), 3), 'unit': 'share of paragraphs',
         'target': '-', 'detail': {'paragraphs': len(items)}},
        {'name': 'plans_junk_false_cut_chars', 'value': false_cut, 'unit': 'chars', 'target': '0',
         'detail': {'text': 'held-out paragraphs with generated junk'}},
        {'name': 'plans_junk_false_cut_seed_chars', 'value': seed_cut, 'unit': 'chars', 'target': '0',
         'detail': {'text': 'each seed document judged by a model without it, and the held-out clean paragraphs',
                    'listed_for_review': seed_listed}},
        {'name': 'plans_junk_false_cut_reference_chars', 'value': sum(map(len, reference_cuts)), 'unit': 'chars',
         'target': '0', 'detail': {'text': 'the shipped reference prose, each fifth judged by a model without it',
                                   'cuts': reference_cuts}},
    ]


def _overlap(junk: str, shown: str) -> bool:
    """Whether a reported string shares four characters in a row with an injected one."""
    return any(junk[i:i + 4] in shown for i in range(max(1, len(junk) - 3)))
