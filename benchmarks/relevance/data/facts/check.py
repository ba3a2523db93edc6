#!/usr/bin/env python3
"""Structural check of the hand-written facts relevance data (stdlib only).

Usage: python3 check.py [--fix-format]

Checks, per file facts-NN.json:
  * top-level keys and "id" match the file name
  * memory / question / negative ids are unique (within the file and across all files),
    carry the set prefix and are numbered m01.., q01.., n01.. without gaps
  * 30..45 memories, 12..16 questions, exactly 3 negatives
  * every question has 1..4 relevant ids, all existing memories of the same set, no repeats
  * every question type is one of the allowed six
  * no duplicate memory texts or duplicate query strings inside a set
  * the file is UTF-8 JSON pretty-printed with 2-space indentation
    (canonical form: json.dumps(indent=2, ensure_ascii=False) + newline)
Across all files:
  * 12 files, at least 150 questions, every type appears
  * at least a third of the questions are "paraphrase" or "hypernym"
Prints a summary; exits 1 on any error.
With --fix-format, rewrites files into the canonical pretty-printed form first
(content unchanged).
"""
import collections
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TYPES = ["keyword", "paraphrase", "hypernym", "morphology", "question", "topic"]

errors = []


def err(msg):
    errors.append(msg)


def canonical(data):
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def check_seq(ids, prefix, letter, where):
    for i, x in enumerate(ids, 1):
        want = "%s-%s%02d" % (prefix, letter, i)
        if x != want:
            err("%s: id #%d is %r, expected %r" % (where, i, x, want))
            return


def main():
    fix = "--fix-format" in sys.argv[1:]
    files = sorted(glob.glob(os.path.join(HERE, "facts-*.json")))
    if len(files) != 12:
        err("expected 12 facts-NN.json files, found %d" % len(files))

    all_ids = collections.Counter()
    type_counts = collections.Counter()
    rel_sizes = collections.Counter()
    n_mem = n_q = n_neg = 0
    rows = []

    for path in files:
        name = os.path.basename(path)
        raw = open(path, "rb").read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            err("%s: not UTF-8: %s" % (name, e))
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            err("%s: invalid JSON: %s" % (name, e))
            continue
        if fix and text != canonical(data):
            with open(path, "w", encoding="utf-8") as f:
                f.write(canonical(data))
            text = canonical(data)
        if text != canonical(data):
            err("%s: not in canonical 2-space pretty-printed form (run with --fix-format)" % name)

        sid = name[:-5]
        if set(data) != {"id", "user", "memories", "questions", "negatives"}:
            err("%s: unexpected top-level keys %s" % (name, sorted(data)))
        if data.get("id") != sid:
            err("%s: id %r does not match file name" % (name, data.get("id")))
        if not isinstance(data.get("user"), str) or not data.get("user").strip():
            err("%s: empty user description" % name)

        mems = data.get("memories", [])
        qs = data.get("questions", [])
        negs = data.get("negatives", [])

        if not 30 <= len(mems) <= 45:
            err("%s: %d memories (want 30..45)" % (name, len(mems)))
        if not 12 <= len(qs) <= 16:
            err("%s: %d questions (want 12..16)" % (name, len(qs)))
        if len(negs) != 3:
            err("%s: %d negatives (want 3)" % (name, len(negs)))

        for m in mems:
            if set(m) != {"id", "text"}:
                err("%s: memory has keys %s" % (name, sorted(m)))
            if not str(m.get("text", "")).strip():
                err("%s: %s has empty text" % (name, m.get("id")))
        for q in qs:
            if set(q) != {"id", "query", "relevant", "type"}:
                err("%s: question %s has keys %s" % (name, q.get("id"), sorted(q)))
        for n in negs:
            if set(n) != {"id", "query"}:
                err("%s: negative %s has keys %s" % (name, n.get("id"), sorted(n)))

        mem_ids = [m.get("id") for m in mems]
        q_ids = [q.get("id") for q in qs]
        n_ids = [n.get("id") for n in negs]
        check_seq(mem_ids, sid, "m", name + " memories")
        check_seq(q_ids, sid, "q", name + " questions")
        check_seq(n_ids, sid, "n", name + " negatives")
        all_ids.update(mem_ids + q_ids + n_ids)

        texts = collections.Counter(m.get("text", "").strip().lower() for m in mems)
        for t, c in texts.items():
            if c > 1:
                err("%s: duplicate memory text %r" % (name, t))
        queries = collections.Counter(
            x.get("query", "").strip().lower() for x in qs + negs)
        for t, c in queries.items():
            if c > 1:
                err("%s: duplicate query %r" % (name, t))
            if not t:
                err("%s: empty query" % name)

        mem_set = set(mem_ids)
        used = set()
        local_types = collections.Counter()
        for q in qs:
            rel = q.get("relevant", [])
            if not isinstance(rel, list) or not 1 <= len(rel) <= 4:
                err("%s: %s has %r relevant (want 1..4)" % (name, q.get("id"), rel))
                rel = rel if isinstance(rel, list) else []
            if len(set(rel)) != len(rel):
                err("%s: %s repeats a relevant id" % (name, q.get("id")))
            for r in rel:
                if r not in mem_set:
                    err("%s: %s relevant id %r does not exist in this set" % (name, q.get("id"), r))
            used.update(rel)
            rel_sizes[len(rel)] += 1
            t = q.get("type")
            if t not in TYPES:
                err("%s: %s has bad type %r" % (name, q.get("id"), t))
            local_types[t] += 1
            type_counts[t] += 1

        n_mem += len(mems)
        n_q += len(qs)
        n_neg += len(negs)
        rows.append((sid, len(mems), len(qs), len(negs), len(used), local_types))

    for x, c in all_ids.items():
        if c > 1:
            err("id %r used %d times" % (x, c))
    for t in TYPES:
        if type_counts[t] == 0:
            err("type %r never appears" % t)
    if n_q < 150:
        err("only %d questions in total (want >= 150)" % n_q)
    hard = type_counts["paraphrase"] + type_counts["hypernym"]
    if n_q and hard * 3 < n_q:
        err("paraphrase+hypernym = %d of %d (< 1/3)" % (hard, n_q))

    # summary
    short = {"keyword": "kw", "paraphrase": "para", "hypernym": "hyp",
             "morphology": "morph", "question": "ques", "topic": "top"}
    head = "%-9s %4s %4s %4s %6s  " % ("set", "mem", "q", "neg", "judged")
    head += " ".join("%5s" % short[t] for t in TYPES)
    print(head)
    for sid, nm, nq, nn, nu, lt in rows:
        line = "%-9s %4d %4d %4d %6d  " % (sid, nm, nq, nn, nu)
        line += " ".join("%5d" % lt[t] for t in TYPES)
        print(line)
    line = "%-9s %4d %4d %4d %6s  " % ("total", n_mem, n_q, n_neg, "")
    line += " ".join("%5d" % type_counts[t] for t in TYPES)
    print(line)
    print()
    print("files: %d  memories: %d  questions: %d  negatives: %d" % (len(files), n_mem, n_q, n_neg))
    print("questions per type: " + ", ".join("%s=%d" % (t, type_counts[t]) for t in TYPES))
    if n_q:
        print("paraphrase+hypernym: %d (%.1f%%)" % (hard, 100.0 * hard / n_q))
    print("relevant-list sizes: " + ", ".join("%d:%d" % (k, rel_sizes[k]) for k in sorted(rel_sizes)))
    print()
    if errors:
        print("ERRORS (%d):" % len(errors))
        for e in errors:
            print("  - " + e)
        return 1
    print("OK: no errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
