#!/usr/bin/python3
"""Sends the request corpus (corpus.json) to a real server and judges each
variant by the server's access logs. Standard library only.

  run_corpus.py sources CORPUS
      prints the source address of every variant, one a line (the client
      namespace must hold them all: run_all.sh adds them)

  run_corpus.py run --server NAME --corpus CORPUS [--log VHOST=PATH ...]
                    --out RESULTS [--jobs N] [--pause S] [--only ID,...]
                    [--settle S]
      Runs inside the client namespace. Each variant gets its OWN source
      address (IPv4 from 198.51.100.0/24 then 203.0.113.0/24, IPv6 from
      2001:db8:1::/64, in corpus order) and a fresh TCP connection to
      192.0.2.1:80 or [2001:db8::1]:80, TCP_NODELAY. Its segments are sent
      one send() each, --pause s apart (a segment's own "pause" wins), so
      that they leave as separate TCP segments; "oob" sends with MSG_OOB,
      "cork" holds the segment under TCP_CORK with the next one. Then it
      reads until the server closes, or 0.5 s pass without a byte after a
      response began, or 1.5 s pass without any response (incomplete
      requests: the server would wait longer; we close).

      A connection the server (or a shield in between) resets, before
      or during the sends, ends the variant at once: end "reset", the
      error in send_error; what the server logged decides "reached",
      never the connection's fate.

      After every variant ran and the servers had --settle s (default
      1.5) to write their logs, the access logs (one file per vhost, a
      line a request:
        ADDR STATUS "VHOST" "CHOSEN_HOST" "HOST_FIELD" "REQUEST_LINE")
      are read and every line is attributed to its variant by source
      address. Without --log, "reached" and "log" are left out: the
      caller reads the logs itself once the server is done
      (tests/http_corpus/judge.py).

With --sniff IFACE, each variant also gets "wire": the segments it sent
as they left the client's interface ([payload bytes, TCP flags, urgent
pointer] each).

Results (JSON, per variant): reached (the server logged a line from the
source), log (the lines: vhost log, status, vhost name, chosen host, Host
field, request line), response (bytes came back), statuses (the status
lines seen in the response, in order), end (eof | reset | open: the
server closed, reset, or we closed), send_error, response_head.

Every loop is bounded: at most --max-variants variants, at most 64
segments a variant, per-connection time bounded (connect 3 s, reads as
above, a whole variant at most 20 s).
"""
import argparse
import concurrent.futures
import errno
import ipaddress
import json
import re
import select
import socket
import sys
import threading
import time

DST4 = "192.0.2.1"
DST6 = "2001:db8::1"
PORT = 80
# lib.sh's fs_topo_up puts these on the client already; skip them.
TAKEN = {"198.51.100.10", "198.51.100.20", "203.0.113.30", "203.0.113.40"}
MAX_SEGMENTS = 64
VARIANT_LIMIT_S = 20.0
STATUS_RE = re.compile(rb"(?:^|\n)HTTP/\d+\.\d+ (\d{3})")
LOG_RE = re.compile(r'^(\S+) (\d{3}|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)" '
                    r'"((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"\s*$')


def v4_pool():
    for net in ("198.51.100.", "203.0.113."):
        for i in range(1, 255):
            a = net + str(i)
            if a not in TAKEN:
                yield a


def v6_pool():
    for i in range(0x1000, 0x1000 + 4096):
        yield str(ipaddress.IPv6Address("2001:db8:1::%x" % i))


def assign_sources(variants):
    p4, p6 = v4_pool(), v6_pool()
    out = []
    for v in variants:
        out.append(next(p4) if v["family"] == 4 else next(p6))
    return out


def seg_bytes(s):
    return s["data"].encode("latin-1")


def drain(sock, buf):
    """Reads what is there without waiting; returns 'eof', 'reset' or None.
    (The socket has a timeout: Python would wait for it before recv(), so
    readiness is asked with select() first.)"""
    while True:
        r, _, _ = select.select([sock], [], [], 0)
        if not r:
            return None
        try:
            b = sock.recv(65536)
        except (BlockingIOError, socket.timeout):
            return None
        except OSError:
            return "reset"
        if not b:
            return "eof"
        buf += b


def run_variant(v, src, pause):
    fam = socket.AF_INET6 if v["family"] == 6 else socket.AF_INET
    dst = DST6 if v["family"] == 6 else DST4
    r = {"id": v["id"], "src": src, "connected": False, "sent_segments": 0,
         "send_error": None, "end": "open"}
    start = time.monotonic()
    buf = bytearray()
    s = socket.socket(fam, socket.SOCK_STREAM)
    try:
        s.bind((src, 0))
        s.settimeout(3.0)
        try:
            s.connect((dst, PORT))
        except OSError as e:
            r["send_error"] = "connect: %s" % e
            return r
        r["connected"] = True
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        corked = False
        end = None
        for i, sg in enumerate(v["segments"][:MAX_SEGMENTS]):
            data = seg_bytes(sg)
            try:
                if sg.get("cork") and not corked:
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
                    corked = True
                flags = socket.MSG_OOB if sg.get("oob") else 0
                s.sendall(data, flags)
                if corked and not sg.get("cork"):
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
                    corked = False
                r["sent_segments"] = i + 1
            except OSError as e:
                r["send_error"] = "segment %d: %s" % (i, e.__class__.__name__)
                # The reset is reported once: a recv() after it sees EOF.
                if e.errno in (errno.ECONNRESET, errno.EPIPE):
                    end = "reset"
                break
            if not sg.get("cork"):
                time.sleep(sg.get("pause", pause))
            end = drain(s, buf)
            if end:
                break
            if time.monotonic() - start > VARIANT_LIMIT_S:
                r["send_error"] = "variant time limit"
                break
        if corked:
            try:
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)
            except OSError:
                pass
        # Read the rest.
        last = time.monotonic()
        while end is None:
            now = time.monotonic()
            idle = 0.5 if buf else 1.5
            if now - last >= idle or now - start > VARIANT_LIMIT_S:
                break
            s.settimeout(max(0.05, idle - (now - last)))
            try:
                b = s.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                end = "reset"
                break
            if not b:
                end = "eof"
                break
            buf += b
            last = time.monotonic()
        r["end"] = end or "open"
    finally:
        s.close()
    r["response"] = bool(buf)
    r["response_bytes"] = len(buf)
    r["statuses"] = [int(m) for m in STATUS_RE.findall(bytes(buf))]
    r["response_head"] = bytes(buf[:160]).decode("latin-1")
    r["seconds"] = round(time.monotonic() - start, 3)
    return r


class Sniffer(threading.Thread):
    """Records the TCP segments the client sends to port 80, per source
    address, as they leave the client's interface (AF_PACKET, outgoing
    only): [payload length, flags, urgent pointer] for each segment that
    carries data, FIN or RST. This is what an XDP program on the server's
    end of the veth sees (without XDP attached, a send larger than the MSS
    can leave as one GSO packet; see run_all.sh)."""
    FLAGS = "FSRPAU"

    def __init__(self, ifname):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                  socket.htons(0x0003))
        self.sock.bind((ifname, 0))
        self.sock.settimeout(0.2)
        self.stop = threading.Event()
        self.segs = {}

    def run(self):
        while not self.stop.is_set():
            try:
                pkt, addr = self.sock.recvfrom(70000)
            except socket.timeout:
                continue
            if addr[2] != socket.PACKET_OUTGOING:
                continue
            self.parse(pkt)

    def parse(self, p):
        et = int.from_bytes(p[12:14], "big")
        if et == 0x0800:
            ihl = (p[14] & 15) * 4
            if p[23] != 6:
                return
            src = socket.inet_ntop(socket.AF_INET, p[26:30])
            tot = int.from_bytes(p[16:18], "big")
            t = 14 + ihl
            plen = tot - ihl
        elif et == 0x86DD:
            if p[20] != 6:
                return
            src = socket.inet_ntop(socket.AF_INET6, p[22:38])
            t = 54
            plen = int.from_bytes(p[18:20], "big")
        else:
            return
        if int.from_bytes(p[t + 2:t + 4], "big") != PORT:
            return
        doff = (p[t + 12] >> 4) * 4
        fl = p[t + 13]
        n = plen - doff
        if n <= 0 and not fl & 5:
            return
        flags = "".join(c for i, c in enumerate(self.FLAGS) if fl & (1 << i))
        urg = int.from_bytes(p[t + 18:t + 20], "big")
        lst = self.segs.setdefault(src, [])
        if len(lst) < 200:
            lst.append([n, flags, urg])


def read_logs(specs):
    by_src = {}
    for spec in specs:
        name, path = spec.split("=", 1)
        try:
            lines = open(path, encoding="latin-1").read().splitlines()
        except OSError:
            continue
        for ln in lines:
            m = LOG_RE.match(ln)
            if not m:
                by_src.setdefault("?", []).append({"vhost_log": name, "raw": ln})
                continue
            addr = m.group(1)
            if addr.startswith("::ffff:"):
                addr = addr[7:]
            st = m.group(2)
            by_src.setdefault(addr, []).append({
                "vhost_log": name, "status": int(st) if st != "-" else None,
                "vhost": m.group(3), "chosen_host": m.group(4),
                "host_field": m.group(5), "request": m.group(6)})
    return by_src


def cmd_sources(a):
    variants = json.load(open(a.corpus))["variants"]
    for src in assign_sources(variants):
        print(src)


def cmd_run(a):
    variants = json.load(open(a.corpus))["variants"][:a.max_variants]
    srcs = assign_sources(variants)
    pairs = list(zip(variants, srcs))
    if a.only:
        keep = set(a.only.split(","))
        pairs = [p for p in pairs if p[0]["id"] in keep]
    t0 = time.monotonic()
    sniffer = None
    if a.sniff:
        sniffer = Sniffer(a.sniff)
        sniffer.start()
    results = {}
    lock = threading.Lock()
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        futs = {ex.submit(run_variant, v, s, a.pause): v["id"] for v, s in pairs}
        for f in concurrent.futures.as_completed(futs):
            try:
                r = f.result()
            except Exception as e:  # a bug in one variant must not stop all
                r = {"id": futs[f], "error": repr(e)}
            with lock:
                results[r["id"]] = r
    time.sleep(a.settle)
    if sniffer:
        sniffer.stop.set()
        sniffer.join(2)
    logs = read_logs(a.log)
    out = []
    for v, s in pairs:
        r = results[v["id"]]
        r["src"] = s  # also for a variant whose run raised
        if a.log:
            lines = logs.get(s, [])
            r["reached"] = bool(lines)
            r["log"] = lines
        if sniffer:
            r["wire"] = sniffer.segs.get(s, [])
        out.append(r)
    doc = {"server": a.server, "seconds": round(time.monotonic() - t0, 1),
           "variants": out}
    if a.log:
        known = {s for _, s in pairs}
        doc["unparsed_log_lines"] = logs.get("?", [])
        doc["log_sources_not_in_corpus"] = sorted(
            k for k in logs if k not in known and k != "?")
    json.dump(doc, open(a.out, "w"), indent=1)
    n = len(out)
    reached = sum(r.get("reached", False) for r in out)
    print("%s: %d variants%s, %.1f s"
          % (a.server, n, ", %d reached the access log" % reached
             if a.log else "", doc["seconds"]), file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("sources")
    p.add_argument("corpus")
    p = sub.add_parser("run")
    p.add_argument("--server", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--log", action="append", default=[],
                   help="VHOST=PATH, one per vhost access log")
    p.add_argument("--out", required=True)
    p.add_argument("--jobs", type=int, default=12)
    p.add_argument("--pause", type=float, default=0.05)
    p.add_argument("--only", default="")
    p.add_argument("--sniff", default="",
                   help="client interface: record the segments sent")
    p.add_argument("--max-variants", type=int, default=2000)
    p.add_argument("--settle", type=float, default=1.5,
                   help="seconds to wait before reading the logs")
    a = ap.parse_args()
    {"sources": cmd_sources, "run": cmd_run}[a.cmd](a)


if __name__ == "__main__":
    main()
