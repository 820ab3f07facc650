#!/usr/bin/python3
"""Merges run_corpus.py results (one file per server) into measured.json
and prints a summary table. Standard library only.

  summarize.py --corpus CORPUS --out MEASURED SERVER=RESULTS...

Per variant and server, measured.json holds:
  reached   the server's access log has a line from the variant's source
  acted     a logged request was routed and answered by a vhost (status
            1xx-3xx, 403, 404 or 405), not refused as malformed
  vhosts    the vhost logs that hold its lines, in order ("served",
            "default"), with each line's status: "served:200"
  outcome   one word: the vhosts and statuses, or "unlogged" plus what
            came back on the wire
  chosen    the host the server chose per line (Apache %V, nginx $host)
  response_statuses, end, send_error   what the client saw
  wire      the client's segments as they left its interface:
            [payload bytes, TCP flags, urgent pointer] each
  default_acted  a line of the default (catch-all) vhost was acted on
"""
import argparse
import collections
import json
import sys

ACTED = lambda st: st is not None and (st < 400 or st in (403, 404, 405))


def outcome(r):
    if r.get("error"):
        return "client-error"
    if not r.get("connected", True):
        return "no-connection"
    if r["log"]:
        return "+".join("%s:%s" % (l.get("vhost_log"), l.get("status"))
                        for l in r["log"])
    w = "unlogged"
    if r.get("statuses"):
        w += "/resp" + ",".join(map(str, r["statuses"]))
    elif r.get("response"):
        w += "/resp-nostatus"
    else:
        w += "/" + r.get("end", "?")
    return w


def per_server(r):
    return {
        "reached": r.get("reached", False),
        "acted": any(ACTED(l.get("status")) for l in r.get("log", [])),
        "default_acted": any(ACTED(l.get("status")) for l in r.get("log", [])
                             if l.get("vhost_log") == "default"),
        "outcome": outcome(r),
        "vhosts": ["%s:%s" % (l.get("vhost_log"), l.get("status"))
                   for l in r.get("log", [])],
        "chosen": [l.get("chosen_host") for l in r.get("log", [])],
        "requests": [l.get("request") for l in r.get("log", [])],
        "response_statuses": r.get("statuses", []),
        "end": r.get("end"),
        "send_error": r.get("send_error"),
        "src": r.get("src"),
        "wire": r.get("wire"),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--apache-version", default="")
    ap.add_argument("--nginx-version", default="")
    ap.add_argument("results", nargs="+")
    a = ap.parse_args()
    corpus = json.load(open(a.corpus))
    servers, runs = [], {}
    for spec in a.results:
        name, path = spec.split("=", 1)
        d = json.load(open(path))
        servers.append(name)
        runs[name] = {"seconds": d["seconds"],
                      "by_id": {r["id"]: r for r in d["variants"]},
                      "unparsed": d.get("unparsed_log_lines", []),
                      "stray": d.get("log_sources_not_in_corpus", [])}
    variants = []
    for v in corpus["variants"]:
        e = {k: v[k] for k in ("id", "class", "family", "tags", "description")}
        for s in servers:
            r = runs[s]["by_id"].get(v["id"])
            e[s] = per_server(r) if r else None
        variants.append(e)
    doc = {
        "about": "corpus.json measured against real servers with Debian's "
                 "defaults by tests/http_corpus/run_all.sh; judged by each "
                 "vhost's access log",
        "servers": {s: {"seconds": runs[s]["seconds"],
                        "version": {"apache": a.apache_version,
                                    "nginx": a.nginx_version}.get(s, ""),
                        "unparsed_log_lines": runs[s]["unparsed"],
                        "log_sources_not_in_corpus": runs[s]["stray"]}
                    for s in servers},
        "variants": variants,
    }
    with open(a.out, "w") as f:   # one variant a line, for readable diffs
        f.write("{\n")
        for k in ("about", "servers"):
            f.write(" %s: %s,\n" % (json.dumps(k), json.dumps(doc[k])))
        f.write(' "variants": [\n')
        f.write(",\n".join("  " + json.dumps(v) for v in variants))
        f.write("\n ]\n}\n")

    # ------------------------------------------------------------ summary
    print("== %d variants; classes: %s" % (len(variants), dict(
        collections.Counter(v["class"] for v in variants))))
    print("reached: logged; acted: routed and answered (1xx-3xx, 403-405); "
          "served-vh: a line in the served vhost's log; default-acted: the "
          "catch-all vhost acted on a request")
    print("%-8s %-7s %6s %8s %8s %9s %13s" % ("server", "class", "total",
                                               "reached", "acted", "served-vh",
                                               "default-acted"))
    for s in servers:
        for c in ("legit", "attack", "either"):
            vs = [v for v in variants if v["class"] == c and v[s]]
            print("%-8s %-7s %6d %8d %8d %9d %13d" % (
                s, c, len(vs), sum(v[s]["reached"] for v in vs),
                sum(v[s]["acted"] for v in vs),
                sum(any(x.startswith("served:") for x in v[s]["vhosts"])
                    for v in vs),
                sum(v[s]["default_acted"] for v in vs)))
    for s in servers:
        bad = [v["id"] for v in variants
               if v["class"] == "legit" and v[s] and not v[s]["acted"]]
        print("%s: legit not acted on (%d): %s" % (s, len(bad), " ".join(bad)))
    if len(servers) == 2:
        x, y = servers
        diff = [v for v in variants if v[x] and v[y]
                and v[x]["outcome"] != v[y]["outcome"]]
        print("== outcome differs between %s and %s: %d variants" % (x, y, len(diff)))
        print("%-32s %-6s %-30s %-30s" % ("id", "class", x, y))
        for v in diff:
            print("%-32s %-6s %-30s %-30s" % (v["id"][:32], v["class"],
                                             v[x]["outcome"][:30],
                                             v[y]["outcome"][:30]))
    for s in servers:
        print("%s: %.1f s for the corpus" % (s, runs[s]["seconds"]))


if __name__ == "__main__":
    sys.exit(main())
