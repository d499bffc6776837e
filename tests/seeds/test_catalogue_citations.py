"""Every fact in the platform and building catalogue must be traceable to the plan documents.

A quote is accepted when, after deleting all whitespace from both the quote and the raw
document text, the quote is a substring of the document. No other normalisation is applied:
quotes keep the source's own punctuation (ASCII commas in 000–003, full-width in 004).
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
PLANS = SEEDS / "plans"

WS = re.compile(r"\s+")  # str patterns: includes NBSP (U+00A0), tabs, newlines, U+3000

PLATFORM_KINDS = {"特色小镇", "产业园", "商圈", "新城", "基地", "楼宇集群", "功能区", "集聚区"}
BUILDING_KINDS = {"楼宇", "地块", "项目", "综合体"}
DISTRICTS = {"拱墅区", "滨江区", "杭州市"}
FACT_FIELDS = {
    "positioning", "focus_industry", "area_km2", "planned_area", "designation",
    "designation_year", "managing_body", "tax", "revenue", "enterprises", "tenants",
    "jobs", "investment", "opened", "founded", "location", "target", "other",
    # building-specific figures
    "亿元楼", "gfa", "floors",
}
FACT_KEYS = {"field", "value", "unit", "year", "doc", "quote", "note"}
PLATFORM_KEYS = {
    "key", "name", "kind", "district", "former_district", "parent", "aliases",
    "focus_industries", "positioning", "managing_body", "facts",
}
BUILDING_KEYS = {"key", "name", "platform", "aliases", "address", "kind", "facts"}

# A kind is backed by a `designation` fact whose value is the kind and whose quote
# contains one of these words.
KIND_CUES = {
    "特色小镇": ("小镇",),
    "产业园": ("产业园", "园区", "园"),
    "商圈": ("商圈", "商务区", "商务核心区"),
    "新城": ("新城",),
    "基地": ("基地",),
    "楼宇集群": ("楼宇", "大厦"),
    "功能区": ("功能区", "功能圈", "区块", "片区", "街区", "未来城", "商务带", "单元", "试验区"),
    "集聚区": ("集聚区", "集聚带", "产业带", "集聚平台", "产业集群", "金融城", "谷"),
}

# Platforms the product must ship with: each name must be a platform's name or alias.
REQUIRED_PLATFORMS = [
    "跨贸小镇",
    "中国(杭州)跨境贸易电子商务产业园",
    "创新创业新天地",
    "杭州新天地",
    "浙商总部回归基地",
    "中国(杭州)人力资源服务产业园",
    "创新中国产业园",
    "数字经济产业园",
    "电竞小镇",
    "电竞数娱产业园",
    "人工智能产业园区",
    "城市之星",
    "武林商圈",
    "武林新城",
    "大运河数智未来城",
    "智慧网谷",
    "大众创业万众创新基地",
    "健康产业集聚平台",
    "新金融发展基地",
    "汇金国际金融产业大厦",
    "庆春路财富管理机构集聚带",
    "电子商务产业园",
    "跨境O2O国际体验街区",
]


def strip_ws(text: str) -> str:
    return WS.sub("", text)


@lru_cache(maxsize=None)
def manifest() -> dict[str, dict]:
    data = tomllib.loads((PLANS / "manifest.toml").read_text(encoding="utf-8"))
    return {d["slug"]: d for d in data["document"]}


@lru_cache(maxsize=None)
def doc_text(slug: str) -> str:
    return strip_ws((PLANS / manifest()[slug]["file"]).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def corpus() -> tuple[str, ...]:
    return tuple(doc_text(s) for s in manifest())


@lru_cache(maxsize=None)
def platforms() -> list[dict]:
    return tomllib.loads((SEEDS / "platforms.toml").read_text(encoding="utf-8"))["platform"]


@lru_cache(maxsize=None)
def buildings() -> list[dict]:
    return tomllib.loads((SEEDS / "buildings.toml").read_text(encoding="utf-8"))["building"]


def all_facts():
    for kind, records in (("platform", platforms()), ("building", buildings())):
        for rec in records:
            for i, fact in enumerate(rec.get("facts", [])):
                yield pytest.param(fact, id=f"{kind}:{rec['key']}:{i}:{fact.get('field')}")


def names_of(rec: dict) -> list[str]:
    return [rec["name"], *rec.get("aliases", [])]


def quotes_of(rec: dict, field: str | None = None) -> list[str]:
    return [
        strip_ws(f["quote"])
        for f in rec.get("facts", [])
        if field is None or f["field"] == field
    ]


def in_any(needle: str, haystacks) -> bool:
    needle = strip_ws(needle)
    return any(needle in h for h in haystacks)


# --- structure -------------------------------------------------------------------------


def test_files_load_and_are_not_empty():
    assert len(platforms()) >= 20
    assert len(buildings()) >= 10


@pytest.mark.parametrize("records,allowed", [("platforms", PLATFORM_KEYS), ("buildings", BUILDING_KEYS)])
def test_only_schema_keys(records, allowed):
    for rec in globals()[records]():
        extra = set(rec) - allowed
        assert not extra, f"{rec['key']}: unexpected keys {extra}"
        for fact in rec.get("facts", []):
            assert set(fact) <= FACT_KEYS, f"{rec['key']}: unexpected fact keys {set(fact) - FACT_KEYS}"
            assert {"field", "value", "doc", "quote"} <= set(fact), f"{rec['key']}: incomplete fact {fact}"
            assert fact["field"] in FACT_FIELDS, f"{rec['key']}: unknown fact field {fact['field']}"
            assert isinstance(fact["value"], str) and fact["value"], f"{rec['key']}: value must be a non-empty string"
            if "year" in fact:
                assert isinstance(fact["year"], int) and 1990 <= fact["year"] <= 2035


def test_keys_unique_and_kebab_case():
    keys = [p["key"] for p in platforms()] + [b["key"] for b in buildings()]
    dupes = {k for k in keys if keys.count(k) > 1}
    assert not dupes, f"duplicate keys: {sorted(dupes)}"
    for k in keys:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", k), f"key not ASCII kebab-case: {k}"


def test_platform_names_unique():
    seen: dict[str, str] = {}
    for p in platforms():
        for n in names_of(p):
            n = strip_ws(n)
            assert n not in seen or seen[n] == p["key"], f"name {n} used by {seen.get(n)} and {p['key']}"
            seen[n] = p["key"]
        assert len(set(p.get("aliases", []))) == len(p.get("aliases", [])), f"{p['key']}: repeated alias"
        assert p["name"] not in p.get("aliases", []), f"{p['key']}: name repeated as alias"


def test_platform_enums():
    for p in platforms():
        assert p["kind"] in PLATFORM_KINDS, f"{p['key']}: bad kind {p['kind']}"
        assert p["district"] in DISTRICTS, f"{p['key']}: bad district {p['district']}"
        if "former_district" in p:
            assert p["former_district"] in {"下城区", "拱墅区"}, p["key"]
            assert p["district"] == "拱墅区", f"{p['key']}: former_district only applies to 拱墅区"


def test_building_enums_and_platform_refs():
    keys = {p["key"] for p in platforms()}
    for b in buildings():
        assert b["kind"] in BUILDING_KINDS, f"{b['key']}: bad kind {b['kind']}"
        if "platform" in b:
            assert b["platform"] in keys, f"{b['key']}: unknown platform {b['platform']}"


def test_parents_exist_and_form_no_cycles():
    by_key = {p["key"]: p for p in platforms()}
    for p in platforms():
        if "parent" in p:
            assert p["parent"] in by_key, f"{p['key']}: unknown parent {p['parent']}"
            assert p["parent"] != p["key"], f"{p['key']}: its own parent"
    for p in platforms():
        seen = {p["key"]}
        node = p
        while "parent" in node:
            node = by_key[node["parent"]]
            assert node["key"] not in seen, f"parent cycle through {p['key']}"
            seen.add(node["key"])


def test_required_platforms_present():
    names = {strip_ws(n) for p in platforms() for n in names_of(p)}
    missing = [n for n in REQUIRED_PLATFORMS if strip_ws(n) not in names]
    assert not missing, f"required platforms missing: {missing}"


# --- citations -------------------------------------------------------------------------


@pytest.mark.parametrize("fact", list(all_facts()))
def test_fact_doc_is_known(fact):
    assert fact["doc"] in manifest(), f"unknown document slug {fact['doc']}"


@pytest.mark.parametrize("fact", list(all_facts()))
def test_fact_quote_is_verbatim(fact):
    quote = strip_ws(fact["quote"])
    assert 6 <= len(quote) <= 300, f"quote length {len(quote)} outside 6..300: {quote[:40]}"
    assert quote in doc_text(fact["doc"]), f"quote not found in {fact['doc']}: {quote}"


def test_every_platform_and_building_has_facts():
    for rec in [*platforms(), *buildings()]:
        assert rec.get("facts"), f"{rec['key']}: no facts"


def test_names_and_aliases_occur_in_documents():
    for rec in [*platforms(), *buildings()]:
        for n in names_of(rec):
            assert in_any(n, corpus()), f"{rec['key']}: name/alias {n!r} occurs in no document"


def test_names_and_aliases_are_cited_by_own_facts():
    """Each spelling is backed by a quote of the record itself, not just somewhere in the corpus."""
    for rec in [*platforms(), *buildings()]:
        quotes = quotes_of(rec)
        for n in names_of(rec):
            assert in_any(n, quotes), f"{rec['key']}: no fact quote contains {n!r}"


def test_platform_attributes_are_cited():
    by_key = {p["key"]: p for p in platforms()}
    for p in platforms():
        key = p["key"]
        own = [strip_ws(n) for n in names_of(p)]

        # kind: a `designation` fact whose value is the kind and whose quote names it
        kind_facts = [f for f in p["facts"] if f["field"] == "designation" and f["value"] == p["kind"]]
        assert kind_facts, f"{key}: kind {p['kind']} has no designation fact"
        assert any(
            any(c in strip_ws(f["quote"]) for c in KIND_CUES[p["kind"]]) for f in kind_facts
        ), f"{key}: kind {p['kind']} quote lacks a cue word {KIND_CUES[p['kind']]}"

        # parent: a `location` fact naming the parent, whose quote names both
        if "parent" in p:
            parent = by_key[p["parent"]]
            pnames = [strip_ws(n) for n in names_of(parent)]
            ok = [
                f for f in p["facts"]
                if f["field"] == "location" and strip_ws(f["value"]) in pnames
                and strip_ws(f["value"]) in strip_ws(f["quote"])
                and any(n in strip_ws(f["quote"]) for n in own)
            ]
            assert ok, f"{key}: parent {parent['key']} not backed by a location fact"

        # focus industries: one focus_industry fact per label, label quoted verbatim
        for label in p.get("focus_industries", []):
            ok = [
                f for f in p["facts"]
                if f["field"] == "focus_industry" and f["value"] == label and strip_ws(label) in strip_ws(f["quote"])
            ]
            assert ok, f"{key}: focus industry {label!r} not backed"
        for f in p["facts"]:
            if f["field"] == "focus_industry":
                assert f["value"] in p.get("focus_industries", []), f"{key}: cited industry {f['value']} not listed"

        # positioning: verbatim inside a positioning fact's quote
        if "positioning" in p:
            assert in_any(p["positioning"], quotes_of(p, "positioning")), f"{key}: positioning not quoted"

        # managing body: a managing_body fact with the same value, quoted
        if "managing_body" in p:
            ok = [
                f for f in p["facts"]
                if f["field"] == "managing_body" and f["value"] == p["managing_body"]
                and strip_ws(f["value"]) in strip_ws(f["quote"])
            ]
            assert ok, f"{key}: managing body not backed"


def test_platform_district_is_supported():
    """At least one fact comes from a document of the platform's (former) district or names it."""
    for p in platforms():
        districts = {p["district"], p.get("former_district")}
        ok = any(
            manifest()[f["doc"]]["district"] in districts
            or any(d and d[:2] in strip_ws(f["quote"]) for d in districts)
            for f in p["facts"]
        )
        assert ok, f"{p['key']}: no fact ties it to {districts}"


def test_building_platform_link_is_cited():
    by_key = {p["key"]: p for p in platforms()}
    for b in buildings():
        if "platform" not in b:
            continue
        pnames = [strip_ws(n) for n in names_of(by_key[b["platform"]])]
        bnames = [strip_ws(n) for n in names_of(b)]
        ok = [
            f for f in b["facts"]
            if f["field"] == "location"
            and any(n in strip_ws(f["quote"]) for n in pnames)
            and any(n in strip_ws(f["quote"]) for n in bnames)
        ]
        assert ok, f"{b['key']}: link to {b['platform']} not backed by a location fact"


def test_building_address_is_quoted():
    for b in buildings():
        if "address" in b:
            assert in_any(b["address"], quotes_of(b)), f"{b['key']}: address not quoted"
