#!/usr/bin/python3
"""Judges one server's run of the request corpus behind the shield
(tests/ns/70_corpus.sh) by what the server logged. Standard library only.

  judge.py --corpus CORPUS --measured MEASURED --results RESULTS
           --server NAME --log VHOST=PATH ... [--name PREFIX] [--out FILE]
           [--known ADDR ...]

RESULTS is what `run_corpus.py run` wrote (without --log): the variants
run, each with its source address. The access logs (run_corpus.py's
format, one file per vhost, "served" the vhost of the served names) are
read here, once the server is done with every connection.

One result line per variant of class legit or attack, for the test
runner (tests/runner.c counts them):
  legit   "ok" when the server logged at least as many lines with a
          request line from the variant's source as it did without the
          shield (MEASURED, the server's entry; at least one): every
          request reached it
  attack  "ok" when the server logged nothing of the attack: every line
          from the source is either one of the legitimate requests the
          variant starts with (at most legit_before lines, 0 for most,
          in the served vhost's log) or the shield's reset: a line
          without a request line (request "" or "-": nginx logs a 400
          for a connection reset after it read a leading empty line),
          or a 400 for an incomplete request whose Host field the server
          had not read (the segments before the deciding one reached it;
          the shield's reset cut the request short, unrouted), when the
          connection ended in a reset and the server logged no line
          without a request line without the shield (where it did, it
          refused the form itself, e.g. Apache's 400 after 10 empty
          lines, which is no stop by the shield)
A variant that could not connect fails whatever its class: its request
was never judged. Class either is not asserted; the summary counts how
many reached. A failure prints what the server logged, the connection's
end and the description. Then "# " lines: per class, how many were as
expected, and the failing ids grouped by tag.

With --out, writes the verdicts as JSON: {"server", "summary",
"variants": [{"id", "class", "tags", "verdict": pass|fail|reached|
stopped, "lines", "end", "send_error"}]}.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_corpus import read_logs  # noqa: E402

DETAIL_MAX = 160  # characters of a logged request line in a detail


def short(text):
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    if len(text) > DETAIL_MAX:
        return text[:DETAIL_MAX] + "...(%d)" % len(text)
    return text


def describe_line(ln):
    if "raw" in ln:
        return "%s: %s" % (ln["vhost_log"], short(ln["raw"]))
    return '%s %s "%s" "%s" "%s"' % (
        ln["vhost_log"], ln["status"], short(ln["chosen_host"]),
        short(ln["host_field"]), short(ln["request"]))


def measured_run(measured, vid, server):
    """(lines, aborted lines) the server logged for the variant without
    the shield."""
    m = measured.get(vid, {}).get(server) or {}
    reqs = m.get("requests") or []
    return len(m.get("vhosts") or []), sum(1 for q in reqs if q in ("", "-"))


def aborted(ln):
    """A line without a request line: the connection ended (a reset)
    before the server had read one; nothing was routed. An unparsed
    line is never one."""
    return "raw" not in ln and ln.get("request") in ("", "-")


def cut_short(ln):
    """A 400 for a request whose Host field the server had not read: the
    bytes before the deciding segment reached the server (the shield
    cannot hold them back), then the shield's reset ended the connection
    and the server refused the incomplete request without routing it
    (Apache logs the request line it had, nginx the part it had). An
    unparsed line is never one."""
    return "raw" not in ln and str(ln.get("status")) == "400" and \
        ln.get("host_field") in ("", "-")


def judge(v, r, lines, expect, expect_aborted):
    """(verdict, headline) of one variant: pass/fail for legit and attack,
    reached/stopped for either."""
    if r is None or "error" in r:
        return "fail", "did not run: %s" % (r or {}).get("error", "no result")
    if not r.get("connected"):
        return "fail", "no connection: %s" % r.get("send_error")
    cls = v["class"]
    if cls == "legit":
        n = sum(1 for ln in lines if not aborted(ln))
        if n >= max(expect, 1):
            return "pass", "reached (%d lines)" % n
        return "fail", "logged %d lines with a request line, %d without " \
            "the shield" % (n, expect)
    if cls == "attack":
        before = v.get("legit_before", 0)
        # "open": the client's later segments met no socket (the shield
        # had reset it) and were dropped as no_conn: no answer came
        reset = r.get("end") in ("reset", "open") and not expect_aborted
        rest = [ln for ln in lines
                if not (reset and (aborted(ln) or cut_short(ln)))]
        served = all(ln.get("vhost_log") == "served" for ln in rest)
        if not (served and len(rest) <= before):
            return "fail", "logged %d lines (allowed: %d in the served " \
                "vhost)" % (len(lines), before)
        head = "stopped"
        if before:
            head += ", %d of the %d legitimate requests before it " \
                "logged" % (len(rest), before)
        if len(rest) < len(lines):
            head += ", the reset connection logged as an incomplete " \
                "request (400, no Host read)"
        return "pass", head
    return ("reached" if lines else "stopped"), ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--measured", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--log", action="append", default=[])
    ap.add_argument("--name", default="")
    ap.add_argument("--out", default="")
    ap.add_argument("--known", action="append", default=[],
                    help="a source of no variant whose lines are expected")
    a = ap.parse_args()

    prefix = a.name or a.server
    variants = json.load(open(a.corpus))["variants"]
    measured = {m["id"]: m for m in json.load(open(a.measured))["variants"]}
    results = {r["id"]: r for r in json.load(open(a.results))["variants"]}
    logs = read_logs(a.log)
    counts = {c: [0, 0] for c in ("legit", "attack", "either")}
    failing = {}  # class -> tag -> ids
    verdicts = []
    for v in variants:
        if v["id"] not in results:
            continue  # not run (--only)
        r = results[v["id"]]
        lines = logs.get(r.get("src"), []) if r.get("src") else []
        expect, expect_aborted = measured_run(measured, v["id"], a.server)
        verdict, head = judge(v, r, lines, expect, expect_aborted)
        cls = v["class"]
        counts[cls][1] += 1
        if verdict in ("pass", "reached"):
            counts[cls][0] += 1
        verdicts.append({"id": v["id"], "class": cls, "tags": v["tags"],
                         "verdict": verdict,
                         "lines": [describe_line(ln) for ln in lines],
                         "end": r.get("end"),
                         "send_error": r.get("send_error")})
        if cls == "either":
            continue
        name = "%s: %s %s" % (prefix, cls, v["id"])
        if verdict == "pass":
            print("ok - %s: %s" % (name, head))
            continue
        print("not ok - %s: %s" % (name, head))
        print("#   %s (tags %s)" % (short(v["description"]),
                                   ", ".join(v["tags"])))
        print("#   connection: end %s%s, statuses %s" % (
            r.get("end"), ", " + r["send_error"] if r.get("send_error")
            else "", r.get("statuses")))
        for ln in lines:
            print("#   logged: %s" % describe_line(ln))
        for t in v["tags"]:
            failing.setdefault(cls, {}).setdefault(t, []).append(v["id"])

    summary = {c: {"as_expected": n[0], "variants": n[1]}
               for c, n in counts.items()}
    print("# %s: legit %d of %d reached; attack %d of %d stopped; "
          "either %d of %d reached (not asserted)"
          % (prefix, counts["legit"][0], counts["legit"][1],
             counts["attack"][0], counts["attack"][1],
             counts["either"][0], counts["either"][1]))
    for cls in ("legit", "attack"):
        for t, ids in sorted(failing.get(cls, {}).items()):
            print("# %s: failing %s, tag %s (%d): %s"
                  % (prefix, cls, t, len(ids), " ".join(ids)))
    for verdict in ("reached", "stopped"):
        ids = [x["id"] for x in verdicts
               if x["class"] == "either" and x["verdict"] == verdict]
        print("# %s: either %s (%d): %s"
              % (prefix, verdict, len(ids), " ".join(ids) or "-"))
    known = {r.get("src") for r in results.values()} | set(a.known)
    stray = sorted(k for k in logs if k != "?" and k not in known)
    if stray or logs.get("?"):
        print("# %s: log lines of no variant: %d unparsed, sources %s"
              % (prefix, len(logs.get("?", [])), " ".join(stray) or "-"))
    if a.out:
        json.dump({"server": a.server, "summary": summary,
                   "variants": verdicts}, open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
