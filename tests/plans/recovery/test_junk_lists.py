"""The two junk lists stay apart: the importer may learn from the training list, the benchmark judges it with the
evaluation list only, so the evaluation list must share nothing with the training list, the importer's code and data,
or the importer's own tests."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.plans.recovery.generator import JUNK_EVAL, eval_junk, templated_junk
from tests.plans.recovery.score import key

ROOT = Path(__file__).resolve().parents[3]
PARSING = ROOT / 'crm' / 'plans' / 'parsing'
TRAIN = PARSING / 'data' / 'junk_train.txt'


def _entries(path: Path) -> list[str]:
    return [s.strip() for s in path.read_text(encoding='utf-8').splitlines() if s.strip() and not s.startswith('#')]


def test_the_evaluation_list_is_large_and_varied():
    junk = eval_junk()
    assert len(junk) >= 150
    assert len({key(s) for s in junk}) == len(junk), 'no string twice'
    assert len({s[:2] for s in junk}) > 100, 'varied wording, not one template'


@pytest.mark.skipif(not TRAIN.exists(), reason='no training list in this tree')
def test_the_training_and_evaluation_lists_are_disjoint():
    train = {key(s) for s in _entries(TRAIN)}
    evaluation = {key(s) for s in _entries(JUNK_EVAL)}
    assert train and evaluation
    assert not train & evaluation
    rng = random.Random(5)
    assert not {key(templated_junk(rng)) for _ in range(2000)} & train


def test_no_evaluation_string_is_known_to_the_importer():
    """Neither the importer's code and data nor its tests mention an evaluation string: no rule was tuned to one."""
    files = [p for p in PARSING.rglob('*') if p.suffix in ('.py', '.txt', '.toml', '.json')]
    files += [p for p in (ROOT / 'tests' / 'plans' / 'parsing').rglob('*') if p.suffix in ('.py', '.txt')]
    assert files
    known = '\n'.join(key(p.read_text(encoding='utf-8', errors='replace')) for p in files)
    leaked = [s for s in eval_junk() if key(s) in known]
    assert not leaked
