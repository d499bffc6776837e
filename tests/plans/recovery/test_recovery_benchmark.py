"""The recovery benchmark measures what it says: a seeded sample of damaged documents whose ground truth holds, and
metrics that reward a perfect import and catch duplicates, cuts and leftover junk."""
from __future__ import annotations

import random

import pytest

from crm.plans.parsing import ParsedDocument, ParsedHeading, ParsedParagraph, parse_document
from tests.bench.bench_recovery import measure
from tests.plans.recovery.generator import DAMAGES, DamagePlan, generate, render
from tests.plans.recovery.score import key, score
from tests.plans.recovery.sources import GENRES, load_sources

SAMPLE = 10


@pytest.fixture(scope='module')
def sample():
    return generate(seed=7, count=SAMPLE)


def _perfect(gen, extra: list[str] = (), drop: int | None = None, cut: int = 0) -> ParsedDocument:
    """The import a perfect importer would give (optionally with extra paragraphs, one paragraph missing, or the
    last paragraph cut short)."""
    doc = ParsedDocument('utf-8', '0' * 64, None)
    texts = [p for n, p in enumerate(gen.paragraphs()) if n != drop] + list(extra)
    if cut:
        texts[len(gen.paragraphs()) - 2] = texts[len(gen.paragraphs()) - 2][:-cut]
    for n, text in enumerate(texts, start=1):
        doc.paragraphs.append(ParsedParagraph(n, 'text', text, [], f'p{n}', f'第{n}段'))
    for n, h in enumerate(gen.headings()):
        doc.headings.append(ParsedHeading(1, '', h.removesuffix('。'), f'h{n}'))
    return doc


def test_sources_cover_every_genre_twice():
    sources = load_sources()
    for prefix in GENRES:
        assert sum(1 for s in sources if s.name.startswith(prefix)) >= 2
    for s in sources:
        assert s.tables() and len(s.paragraphs()) >= 10
        assert {e.marker_kind for e in s.elements if e.kind == 'heading'} - {''}


def test_the_sample_is_reproducible_and_shows_every_damage(sample):
    again = generate(seed=7, count=SAMPLE)
    assert [g.data for g in again] == [g.data for g in sample]
    assert [g.data for g in generate(seed=8, count=2)] != [g.data for g in sample[:2]]
    forced = list(DAMAGES)[:SAMPLE]
    assert all(name in g.damages for name, g in zip(forced, sample))
    assert len(generate(seed=7, count=len(DAMAGES))) == len(DAMAGES)


def test_the_ground_truth_holds(sample):
    """Every injected string is in the damaged text, and taking them out leaves every clean paragraph whole."""
    for gen in sample:
        raw = key(gen.text())
        assert gen.data == gen.text().encode(gen.encoding)
        for inj in gen.injected:
            assert key(inj.text) in raw, (gen.name, inj)
        for inj in sorted(gen.injected, key=lambda i: -len(i.text)):
            if inj.kind in ('spam', 'symbol'):  # none of them is in the clean text (asserted when they are chosen)
                raw = raw.replace(key(inj.text), '')
        for paragraph in gen.paragraphs():
            assert key(paragraph) in raw, (gen.name, paragraph)


def test_gb18030_documents_are_gb18030():
    source = load_sources()[0]
    gen = render(source, DamagePlan(frozenset({'gb18030'})))
    with pytest.raises(UnicodeDecodeError):
        gen.data.decode('utf-8')
    assert parse_document(gen.data).encoding == 'gb18030'


def test_a_perfect_import_scores_full_marks(sample):
    for gen in sample:
        result = score(gen, _perfect(gen))
        assert result.exact == result.paragraphs > 0
        assert (result.kept, result.duplicates, result.false_cut_chars) == (0, 0, 0), gen.name
        assert result.injected == len([i for i in gen.injected if i.kind != 'symbol'])


def test_the_metrics_catch_duplicates_cuts_and_leftovers(sample):
    gen = next(g for g in sample if any(i.kind == 'spam' for i in g.injected))
    paragraphs = gen.paragraphs()
    twice = score(gen, _perfect(gen, extra=[paragraphs[3], paragraphs[5] + '另有补充。']))
    assert twice.duplicates == 2 and twice.exact == len(paragraphs)
    missing = score(gen, _perfect(gen, drop=4))
    assert missing.exact == len(paragraphs) - 1
    assert missing.false_cut_chars == sum(1 for c in key(paragraphs[4]) if c.isalnum())
    short = score(gen, _perfect(gen, cut=6))
    assert short.exact == len(paragraphs) - 1 and 1 <= short.false_cut_chars <= 6
    junk = next(i.text for i in gen.injected if i.kind == 'spam')
    left = score(gen, _perfect(gen, extra=[f'推进重点项目建设{junk}，确保按期完工。']))
    assert left.kept == 1 and junk in left.leftovers
    part = score(gen, _perfect(gen, extra=[f'推进重点项目建设{junk[:len(junk) // 2 + 2]}。']))
    assert part.kept == (1 if len(junk) >= 6 else 0)


def test_an_undamaged_document_is_recovered_exactly():
    source = next(s for s in load_sources() if s.name.startswith('gy01'))
    gen = render(source)
    result = score(gen, parse_document(gen.data))
    assert result.exact == result.paragraphs == len(source.paragraphs())
    assert (result.false_cut_chars, result.duplicates, result.injected) == (0, 0, 0)


def test_a_ten_document_sample_is_measured():
    summary, scores = measure(seed=7, count=SAMPLE)
    assert summary.documents == SAMPLE == len(scores)
    assert summary.paragraphs == sum(len(g.paragraphs()) for g in generate(seed=7, count=SAMPLE))
    assert 0 < summary.exact <= 1 and 0 <= summary.junk_kept <= 1
    assert summary.injected > 0 and summary.duplicates >= 0 and summary.false_cuts >= 0
    assert summary.exact == sum(s.exact for s in scores) / summary.paragraphs


# The 10-document sample's levels. The targets are exact >= 0.98, junk kept <= 0.01, no duplicate and no false
# cut: false cuts are held at the target; the other three are held at the level the importer reaches today (a
# regression floor, raised as the importer improves), not yet at the target.
SAMPLE_FLOOR = {'exact': 0.94, 'junk_kept': 0.11, 'duplicates': 1, 'false_cuts': 0}


def test_the_ten_document_sample_holds_its_levels():
    from tests.bench.bench_recovery import seed_background

    summary, scores = measure(seed=7, count=SAMPLE, background=seed_background())
    cuts = [c for s in scores for c in s.cuts]
    assert summary.false_cuts == SAMPLE_FLOOR['false_cuts'], cuts
    assert summary.exact >= SAMPLE_FLOOR['exact'], [m for s in scores for m in s.missed]
    assert summary.junk_kept <= SAMPLE_FLOOR['junk_kept'], [x for s in scores for x in s.leftovers]
    assert summary.duplicates <= SAMPLE_FLOOR['duplicates']
    assert summary.kept_by_kind.get('metadata', '0').startswith('0/'), 'page metadata is never citable text'


@pytest.mark.parametrize('name', ['rewrapped-copy', 'duplicate-block'])
def test_repeats_are_counted_when_the_import_keeps_them(name):
    """The importer as it is keeps a re-wrapped copy: the benchmark must see the extra paragraphs."""
    source = load_sources()[0]
    gen = render(source, DamagePlan(frozenset({name})), random.Random(3))
    doc = parse_document(gen.data)
    texts = [key(p.text) for p in doc.paragraphs]
    repeated = sum(1 for p in gen.paragraphs() if sum(key(p) in t for t in texts) > 1)
    assert score(gen, doc).duplicates >= repeated
