#!/usr/bin/env python3
"""Validate the frozen conversation relevance data set (Python 3 stdlib only).

Usage: python3 check.py            (run from anywhere; looks next to this file)
Exit status is 0 when every check passes, 1 otherwise.
"""
import datetime
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
TYPES = ["single-hop", "multi-hop", "temporal", "preference", "paraphrase-hard"]
TURN_RANGE = (150, 220)
QUESTION_RANGE = (40, 50)
SESSION_RANGE = (6, 10)
EVIDENCE_RANGE = (1, 3)
MIN_TOTAL_QUESTIONS = 260

problems = []


def bad(where, msg):
    problems.append(f"{where}: {msg}")


def check_conv(path):
    where = path.name
    try:
        conv = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        bad(where, f"cannot load: {exc}")
        return None
    cid = conv.get("id")
    if cid != path.stem:
        bad(where, f"id {cid!r} does not match file name")
    if set(conv) != {"id", "speakers", "sessions", "questions"}:
        bad(where, f"unexpected top-level keys {sorted(conv)}")
    speakers = conv.get("speakers", [])
    if len(speakers) != 2 or len(set(speakers)) != 2:
        bad(where, f"need two distinct speakers, got {speakers}")

    sessions = conv.get("sessions", [])
    if not SESSION_RANGE[0] <= len(sessions) <= SESSION_RANGE[1]:
        bad(where, f"{len(sessions)} sessions, want {SESSION_RANGE}")
    turn_ids = {}
    prev_date = None
    spoke = Counter()
    for i, sess in enumerate(sessions, 1):
        if sess.get("session") != i:
            bad(where, f"session number {sess.get('session')} at position {i}")
        try:
            date = datetime.date.fromisoformat(sess.get("date", ""))
        except ValueError:
            bad(where, f"session {i} has bad date {sess.get('date')!r}")
            date = None
        if date:
            if not 2023 <= date.year <= 2024:
                bad(where, f"session {i} date {date} outside 2023-2024")
            if prev_date and date <= prev_date:
                bad(where, f"session {i} date {date} not after {prev_date}")
            prev_date = date
        turns = sess.get("turns", [])
        if not turns:
            bad(where, f"session {i} has no turns")
        for n, turn in enumerate(turns, 1):
            tid = turn.get("id")
            want = f"{cid}-s{i}-t{n}"
            if tid != want:
                bad(where, f"turn id {tid!r}, expected {want!r}")
            if tid in turn_ids:
                bad(where, f"duplicate turn id {tid}")
            turn_ids[tid] = (i, turn)
            if turn.get("speaker") not in speakers:
                bad(where, f"{tid} speaker {turn.get('speaker')!r} not in speakers")
            spoke[turn.get("speaker")] += 1
            text = turn.get("text", "")
            if not text.strip():
                bad(where, f"{tid} empty text")
            if re.search(r"\{[A-Za-z0-9_]+\}", text):
                bad(where, f"{tid} has a leftover authoring label")
    nturns = len(turn_ids)
    if not TURN_RANGE[0] <= nturns <= TURN_RANGE[1]:
        bad(where, f"{nturns} turns, want {TURN_RANGE}")
    for s in speakers:
        if spoke[s] < nturns * 0.3:
            bad(where, f"speaker {s} has only {spoke[s]} of {nturns} turns")

    questions = conv.get("questions", [])
    if not QUESTION_RANGE[0] <= len(questions) <= QUESTION_RANGE[1]:
        bad(where, f"{len(questions)} questions, want {QUESTION_RANGE}")
    qids = set()
    types = Counter()
    seen_q = set()
    for q in questions:
        qid = q.get("id")
        if not re.fullmatch(rf"{re.escape(cid)}-q\d\d", qid or ""):
            bad(where, f"bad question id {qid!r}")
        if qid in qids:
            bad(where, f"duplicate question id {qid}")
        qids.add(qid)
        if set(q) != {"id", "question", "evidence", "answer", "type"}:
            bad(where, f"{qid} unexpected keys {sorted(q)}")
        if q.get("type") not in TYPES:
            bad(where, f"{qid} unknown type {q.get('type')!r}")
        types[q.get("type")] += 1
        text = (q.get("question") or "").strip()
        if not text.endswith("?"):
            bad(where, f"{qid} question does not end with '?'")
        if text.lower() in seen_q:
            bad(where, f"{qid} duplicate question text")
        seen_q.add(text.lower())
        if not (q.get("answer") or "").strip():
            bad(where, f"{qid} empty answer")
        ev = q.get("evidence", [])
        if not EVIDENCE_RANGE[0] <= len(ev) <= EVIDENCE_RANGE[1]:
            bad(where, f"{qid} has {len(ev)} evidence ids")
        if len(set(ev)) != len(ev):
            bad(where, f"{qid} repeats an evidence id")
        for e in ev:
            if e not in turn_ids:
                bad(where, f"{qid} evidence {e} does not exist")
        if q.get("type") == "single-hop" and len(ev) != 1:
            bad(where, f"{qid} is single-hop but has {len(ev)} evidence turns")
        if q.get("type") == "multi-hop" and len(ev) < 2:
            bad(where, f"{qid} is multi-hop but has one evidence turn")
    for t in TYPES:
        if types[t] == 0:
            bad(where, f"no question of type {t}")
    return {
        "id": cid,
        "speakers": speakers,
        "sessions": len(sessions),
        "dates": f"{sessions[0]['date']}..{sessions[-1]['date']}" if sessions else "",
        "turns": nturns,
        "questions": len(questions),
        "types": types,
    }


def check_sums(files):
    sums = HERE / "SHA256SUMS"
    if not sums.exists():
        print("SHA256SUMS: not present (not yet frozen)")
        return
    listed = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            listed[name.lstrip("*")] = digest
    for f in files:
        digest = hashlib.sha256(f.read_bytes()).hexdigest()
        if f.name not in listed:
            bad("SHA256SUMS", f"{f.name} not listed")
        elif listed[f.name] != digest:
            bad("SHA256SUMS", f"{f.name} changed since it was frozen")
    extra = set(listed) - {f.name for f in files}
    for name in sorted(extra):
        bad("SHA256SUMS", f"lists missing file {name}")
    if not problems:
        print(f"SHA256SUMS: {len(listed)} files match")


def main():
    files = sorted(HERE.glob("conv-*.json"))
    if not files:
        print("no conv-*.json files found")
        return 1
    stats = [s for s in (check_conv(f) for f in files) if s]
    total_types = Counter()
    header = f"{'conv':8} {'sess':>4} {'turns':>5} {'qs':>3} " + " ".join(f"{t:>15}" for t in TYPES) + "  dates / speakers"
    print(header)
    for s in stats:
        total_types.update(s["types"])
        print(f"{s['id']:8} {s['sessions']:>4} {s['turns']:>5} {s['questions']:>3} "
              + " ".join(f"{s['types'][t]:>15}" for t in TYPES)
              + f"  {s['dates']} {' & '.join(s['speakers'])}")
    tq = sum(s["questions"] for s in stats)
    tt = sum(s["turns"] for s in stats)
    print(f"{'total':8} {sum(s['sessions'] for s in stats):>4} {tt:>5} {tq:>3} "
          + " ".join(f"{total_types[t]:>15}" for t in TYPES))
    if len(files) != 6:
        bad("data set", f"expected 6 conversation files, found {len(files)}")
    if tq < MIN_TOTAL_QUESTIONS:
        bad("data set", f"only {tq} questions, want at least {MIN_TOTAL_QUESTIONS}")
    ph = total_types["paraphrase-hard"]
    print(f"paraphrase-hard share: {ph}/{tq} = {ph / tq:.1%}" if tq else "")
    if tq and ph * 3 < tq:
        bad("data set", "fewer than a third of questions are paraphrase-hard")
    check_sums(files)
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print("  - " + p)
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
