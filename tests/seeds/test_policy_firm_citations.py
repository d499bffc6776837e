"""Every policy and firm in the seed catalogue must be backed by verbatim quotes
from the shipped plan documents (seeds/plans)."""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
PLANS = SEEDS / "plans"

# Spaces, tabs, newlines, NBSP (U+00A0) and every other Unicode whitespace.
_WS = re.compile(r"\s+")

LEVELS = {"区", "市", "省", "国家"}
POLICY_STATUSES = {"named", "described"}
POLICY_KINDS = {
    "落户奖励", "房租补助", "购房补助", "研发资助", "人才奖励",
    "税收贡献奖励", "上市奖励", "知识产权", "融资/基金", "其他",
}
POLICY_FACT_FIELDS = {
    "named", "content", "amount", "period", "target_group", "fund_size",
    "condition", "platform", "industry", "other",
}
FIRM_KINDS = {"企业", "机构", "高校", "协会", "项目"}
FIRM_FACT_FIELDS = {"named", "located", "landed", "investment", "tag", "industry", "other"}
KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def squash(text: str) -> str:
    return _WS.sub("", text)


def _load(name: str) -> dict:
    with open(SEEDS / name, "rb") as fh:
        return tomllib.load(fh)


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    manifest = _load("plans/manifest.toml")
    docs = {}
    for entry in manifest["document"]:
        raw = (PLANS / entry["file"]).read_text(encoding="utf-8")
        docs[entry["slug"]] = squash(raw)
    return docs


@pytest.fixture(scope="module")
def policies() -> list[dict]:
    return _load("policies.toml")["policy"]


@pytest.fixture(scope="module")
def firms() -> list[dict]:
    return _load("firms.toml")["firm"]


def _check_facts(owner: str, facts: list[dict], fields: set[str], documents: dict[str, str]) -> list[str]:
    problems = []
    if not facts:
        problems.append(f"{owner}: no facts")
    for i, fact in enumerate(facts):
        where = f"{owner} fact #{i} ({fact.get('field')})"
        if fact.get("field") not in fields:
            problems.append(f"{where}: unknown field")
        if not str(fact.get("value", "")).strip():
            problems.append(f"{where}: empty value")
        doc = fact.get("doc")
        if doc not in documents:
            problems.append(f"{where}: unknown doc {doc!r}")
            continue
        quote = fact.get("quote", "")
        if not 6 <= len(quote) <= 300:
            problems.append(f"{where}: quote length {len(quote)} outside 6–300")
        if squash(quote) not in documents[doc]:
            problems.append(f"{where}: quote not found in {doc}: {quote[:40]}…")
    return problems


def test_policy_keys_unique_and_wellformed(policies):
    keys = [p["key"] for p in policies]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    assert not dupes, f"duplicate policy keys: {dupes}"
    bad = [k for k in keys if not KEY_RE.match(k)]
    assert not bad, f"policy keys not ASCII kebab-case: {bad}"


def test_firm_keys_unique_and_wellformed(firms):
    keys = [f["key"] for f in firms]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    assert not dupes, f"duplicate firm keys: {dupes}"
    bad = [k for k in keys if not KEY_RE.match(k)]
    assert not bad, f"firm keys not ASCII kebab-case: {bad}"


def test_policy_vocabularies(policies):
    problems = []
    for p in policies:
        k = p["key"]
        for required in ("title", "level", "district", "status", "amounts_public", "kinds", "facts"):
            if required not in p:
                problems.append(f"{k}: missing {required}")
        if p.get("level") not in LEVELS:
            problems.append(f"{k}: level {p.get('level')!r}")
        if p.get("status") not in POLICY_STATUSES:
            problems.append(f"{k}: status {p.get('status')!r}")
        if not isinstance(p.get("amounts_public"), bool):
            problems.append(f"{k}: amounts_public must be a boolean")
        unknown = set(p.get("kinds", [])) - POLICY_KINDS
        if unknown or not p.get("kinds"):
            problems.append(f"{k}: kinds {p.get('kinds')!r}")
    assert not problems, "\n".join(problems)


def test_policy_quotes_verbatim(policies, documents):
    problems = []
    for p in policies:
        problems += _check_facts(f"policy {p['key']}", p.get("facts", []), POLICY_FACT_FIELDS, documents)
    assert not problems, "\n".join(problems)


def test_policy_title_is_quoted(policies):
    problems = []
    for p in policies:
        title = squash(p["title"])
        named = [f for f in p.get("facts", []) if f.get("field") == "named"]
        if not named:
            problems.append(f"{p['key']}: no 'named' fact")
            continue
        if not any(title in squash(f["quote"]) for f in named) and not p.get("note", "").strip():
            problems.append(f"{p['key']}: no 'named' quote contains the title and no note explains it")
    assert not problems, "\n".join(problems)


def test_unpublished_amounts_have_no_amount_facts(policies):
    problems = []
    for p in policies:
        amounts = [f for f in p.get("facts", []) if f.get("field") == "amount"]
        if not p["amounts_public"] and amounts:
            problems.append(f"{p['key']}: amounts_public = false but has amount facts")
        if p["amounts_public"] and not amounts:
            problems.append(f"{p['key']}: amounts_public = true but no amount fact")
    assert not problems, "\n".join(problems)


def test_firm_vocabularies(firms):
    problems = []
    for f in firms:
        if f.get("kind") not in FIRM_KINDS:
            problems.append(f"{f['key']}: kind {f.get('kind')!r}")
        if not f.get("name", "").strip():
            problems.append(f"{f['key']}: empty name")
    assert not problems, "\n".join(problems)


def test_firm_quotes_verbatim(firms, documents):
    problems = []
    for f in firms:
        problems += _check_facts(f"firm {f['key']}", f.get("facts", []), FIRM_FACT_FIELDS, documents)
        spellings = [squash(n) for n in [f["name"], *f.get("aliases", [])]]
        if not any(n in squash(x.get("quote", "")) for x in f.get("facts", []) for n in spellings):
            problems.append(f"firm {f['key']}: no quote mentions its name or an alias")
    assert not problems, "\n".join(problems)


def test_firm_names_occur_in_documents(firms, documents):
    corpus = list(documents.values())
    missing = [f["key"] for f in firms if not any(squash(f["name"]) in text for text in corpus)]
    assert not missing, f"firm names not found in any document: {missing}"
    missing_aliases = [
        (f["key"], alias)
        for f in firms
        for alias in f.get("aliases", [])
        if not any(squash(alias) in text for text in corpus)
    ]
    assert not missing_aliases, f"firm aliases not found in any document: {missing_aliases}"
