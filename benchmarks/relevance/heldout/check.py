#!/usr/bin/env python3
"""Consistency check for the held-out relevance set (stdlib only).

Usage: python3 check.py          (from anywhere; paths are relative to this file)
Exit code 0 if everything passes, 1 otherwise.
"""
import hashlib, json, os, re, sys
from collections import Counter

ROOT = os.path.dirname(os.path.abspath(__file__))
CONV_TYPES = {"single-hop", "multi-hop", "temporal", "preference", "paraphrase-hard"}
FACT_TYPES = {"keyword", "paraphrase", "hypernym", "morphology", "question", "topic"}
problems = []


def bad(msg):
    problems.append(msg)


def load(path):
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    obj = json.loads(raw)
    if raw != json.dumps(obj, indent=2, ensure_ascii=False) + "\n":
        bad(f"{os.path.basename(path)}: not pretty-printed with 2 spaces / UTF-8")
    return obj


def check_conv(path):
    d = load(path)
    cid = d.get("id")
    name = os.path.basename(path)
    if name != f"{cid}.json":
        bad(f"{name}: id {cid!r} does not match file name")
    if set(d) != {"id", "speakers", "sessions", "questions"}:
        bad(f"{name}: unexpected top-level keys {sorted(d)}")
    speakers = d["speakers"]
    if len(speakers) != 2 or len(set(speakers)) != 2:
        bad(f"{name}: need two distinct speakers")
    sessions = d["sessions"]
    if not 6 <= len(sessions) <= 9:
        bad(f"{name}: {len(sessions)} sessions (want 6-9)")
    ids, dates, nturns = set(), [], 0
    for si, s in enumerate(sessions, 1):
        if s["session"] != si:
            bad(f"{name}: session number {s['session']} at position {si}")
        if not re.fullmatch(r"202[345]-\d\d-\d\d", s["date"]):
            bad(f"{name}: session {si} date {s['date']} not ISO in 2023-2025")
        dates.append(s["date"])
        spk = Counter()
        for ti, t in enumerate(s["turns"], 1):
            nturns += 1
            want = f"{cid}-s{si}-t{ti}"
            if t["id"] != want:
                bad(f"{name}: turn id {t['id']} (expected {want})")
            if t["id"] in ids:
                bad(f"{name}: duplicate id {t['id']}")
            ids.add(t["id"])
            if t["speaker"] not in speakers:
                bad(f"{name}: unknown speaker {t['speaker']} in {t['id']}")
            if not t["text"].strip():
                bad(f"{name}: empty text in {t['id']}")
            spk[t["speaker"]] += 1
        if len(spk) != 2:
            bad(f"{name}: session {si} does not have both speakers")
    if len(set(dates)) != len(dates) or dates != sorted(dates):
        bad(f"{name}: session dates not distinct and increasing")
    if not 140 <= nturns <= 200:
        bad(f"{name}: {nturns} turns (want 140-200)")
    qs = d["questions"]
    if not 40 <= len(qs) <= 45:
        bad(f"{name}: {len(qs)} questions (want 40-45)")
    types = Counter()
    qids = set()
    for qi, q in enumerate(qs, 1):
        if set(q) != {"id", "question", "evidence", "answer", "type"}:
            bad(f"{name}: question {qi} keys {sorted(q)}")
        if q["id"] != f"{cid}-q{qi:02d}" or q["id"] in qids or q["id"] in ids:
            bad(f"{name}: bad or duplicate question id {q['id']}")
        qids.add(q["id"])
        if q["type"] not in CONV_TYPES:
            bad(f"{name}: {q['id']} unknown type {q['type']}")
        types[q["type"]] += 1
        if not q["evidence"]:
            bad(f"{name}: {q['id']} has no evidence")
        if len(set(q["evidence"])) != len(q["evidence"]):
            bad(f"{name}: {q['id']} repeats an evidence id")
        for e in q["evidence"]:
            if e not in ids:
                bad(f"{name}: {q['id']} evidence {e} does not exist")
        if q["type"] == "multi-hop" and len(q["evidence"]) < 2:
            bad(f"{name}: {q['id']} multi-hop with a single evidence turn")
        if not q["question"].strip() or not q["answer"].strip():
            bad(f"{name}: {q['id']} empty question or answer")
    missing = CONV_TYPES - set(types)
    if missing:
        bad(f"{name}: types missing {sorted(missing)}")
    if types["paraphrase-hard"] * 3 < len(qs):
        bad(f"{name}: paraphrase-hard {types['paraphrase-hard']} < a third of {len(qs)}")
    return cid, len(sessions), nturns, len(qs), types


def check_facts(path):
    d = load(path)
    fid = d.get("id")
    name = os.path.basename(path)
    if name != f"{fid}.json":
        bad(f"{name}: id {fid!r} does not match file name")
    if set(d) != {"id", "user", "memories", "questions", "negatives"}:
        bad(f"{name}: unexpected top-level keys {sorted(d)}")
    mems = d["memories"]
    if not 30 <= len(mems) <= 40:
        bad(f"{name}: {len(mems)} memories (want 30-40)")
    ids = set()
    for mi, m in enumerate(mems, 1):
        if m["id"] != f"{fid}-m{mi:02d}" or m["id"] in ids:
            bad(f"{name}: bad or duplicate memory id {m['id']}")
        ids.add(m["id"])
        if not m["text"].strip():
            bad(f"{name}: empty memory {m['id']}")
    texts = [m["text"] for m in mems]
    if len(set(texts)) != len(texts):
        bad(f"{name}: duplicate memory texts")
    first = sum(1 for t in texts if re.search(r"\b(I|I'm|I've|I'd|My|my|We|We're|Our|our)\b", t))
    if first == 0 or first == len(texts):
        bad(f"{name}: memories are not a mix of first- and third-person")
    qs = d["questions"]
    if not 14 <= len(qs) <= 16:
        bad(f"{name}: {len(qs)} queries (want 14-16)")
    types = Counter()
    for qi, q in enumerate(qs, 1):
        if set(q) != {"id", "query", "relevant", "type"}:
            bad(f"{name}: query {qi} keys {sorted(q)}")
        if q["id"] != f"{fid}-q{qi:02d}" or q["id"] in ids:
            bad(f"{name}: bad or duplicate query id {q['id']}")
        ids.add(q["id"])
        if q["type"] not in FACT_TYPES:
            bad(f"{name}: {q['id']} unknown type {q['type']}")
        types[q["type"]] += 1
        if not q["relevant"] or len(set(q["relevant"])) != len(q["relevant"]):
            bad(f"{name}: {q['id']} empty or repeated relevant list")
        for r in q["relevant"]:
            if not re.fullmatch(re.escape(fid) + r"-m\d\d", r) or r not in ids:
                bad(f"{name}: {q['id']} relevant {r} does not exist")
    missing = FACT_TYPES - set(types)
    if missing:
        bad(f"{name}: types missing {sorted(missing)}")
    negs = d["negatives"]
    if len(negs) != 3:
        bad(f"{name}: {len(negs)} negatives (want 3)")
    alltext = " ".join(texts).lower()
    for ni, n in enumerate(negs, 1):
        if set(n) != {"id", "query"} or n["id"] != f"{fid}-n{ni:02d}" or n["id"] in ids:
            bad(f"{name}: bad negative {n}")
        ids.add(n["id"])
        for w in re.findall(r"[a-z]{4,}", n["query"].lower()):
            if re.search(r"\b" + re.escape(w[:5]), alltext):
                bad(f"{name}: negative {n['query']!r} shares the stem {w[:5]!r} with a memory")
    return fid, len(mems), len(qs), len(negs), types


def check_sums():
    path = os.path.join(ROOT, "SHA256SUMS")
    if not os.path.exists(path):
        print("SHA256SUMS: not present yet")
        return
    listed = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            digest, fn = line.rstrip("\n").split("  ", 1)
            listed.add(fn)
            with open(os.path.join(ROOT, fn), "rb") as g:
                if hashlib.sha256(g.read()).hexdigest() != digest:
                    bad(f"SHA256SUMS: {fn} changed since it was frozen")
    want = {f"conversations/{n}" for n in os.listdir(os.path.join(ROOT, "conversations")) if n.endswith(".json")}
    want |= {f"facts/{n}" for n in os.listdir(os.path.join(ROOT, "facts")) if n.endswith(".json")}
    if listed != want:
        bad(f"SHA256SUMS: lists {sorted(listed)} but JSON files are {sorted(want)}")
    print(f"SHA256SUMS: {len(listed)} files checked")


def main():
    convs = [f"conv-h{i}.json" for i in range(1, 4)]
    facts = [f"facts-h{i}.json" for i in range(1, 7)]
    for sub, names in (("conversations", convs), ("facts", facts)):
        present = sorted(n for n in os.listdir(os.path.join(ROOT, sub)) if n.endswith(".json"))
        if present != sorted(names):
            bad(f"{sub}/: expected {names}, found {present}")
    print("== conversations ==")
    tot_t = Counter()
    nt = nq = 0
    for n in convs:
        cid, ns, turns, q, types = check_conv(os.path.join(ROOT, "conversations", n))
        nt += turns; nq += q; tot_t += types
        print(f"{cid}: {ns} sessions, {turns} turns, {q} questions  " +
              ", ".join(f"{k}={types[k]}" for k in sorted(CONV_TYPES)))
    print(f"total: {nt} turns, {nq} questions  " + ", ".join(f"{k}={tot_t[k]}" for k in sorted(CONV_TYPES)))
    print("== facts ==")
    tot_f = Counter()
    nm = nfq = nn = 0
    for n in facts:
        fid, m, q, ng, types = check_facts(os.path.join(ROOT, "facts", n))
        nm += m; nfq += q; nn += ng; tot_f += types
        print(f"{fid}: {m} memories, {q} queries, {ng} negatives  " +
              ", ".join(f"{k}={types[k]}" for k in sorted(FACT_TYPES)))
    print(f"total: {nm} memories, {nfq} queries, {nn} negatives  " +
          ", ".join(f"{k}={tot_f[k]}" for k in sorted(FACT_TYPES)))
    if nfq < 90:
        bad(f"facts: only {nfq} queries in total (want >= 90)")
    if (tot_f["paraphrase"] + tot_f["hypernym"]) * 3 < nfq:
        bad("facts: paraphrase+hypernym below a third of queries")
    check_sums()
    if problems:
        print(f"\n{len(problems)} PROBLEM(S):")
        for p in problems:
            print(" -", p)
        sys.exit(1)
    print("\nOK: all checks passed")


if __name__ == "__main__":
    main()
