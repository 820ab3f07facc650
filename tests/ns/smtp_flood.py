#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The SMTP flood scenario's clients, sampler and report (issue 14), for
tests/ns/52_smtp_flood.sh and bench/smtp_flood.sh (flood_lib.sh runs
them). Standard library only; documentation addresses only; every loop
bounded in count and in time.

  senders  real senders (smtplib), one mail each INTERVAL s per sender,
           each mail on a new connection started on its schedule
           whatever the previous one did; Subject "fsflood NAME SEQ
           T_SCHED" so that the server side can judge delivery and
           latency by itself. JSON line per mail (client's view).
  bots     slow bots: each address connects, waits for the first banner
           bytes, then drips "EHLO ..." one byte every DRIP s (44 bytes:
           about 22 s), reads the reply and reconnects at once; a
           connection that does not complete in CONNECT_TIMEOUT s is
           given up and tried again (a new attempt). Source ports are
           PORT_BASE + the attempt's number, so (address, port) names
           one attempt for the whole run. JSON line per attempt.
  sample   in the server's namespace: the mailbox (every message seen,
           with the time it was first there), the Postfix process tree
           (process count by name, CPU seconds of the whole tree, from
           /proc) and the established TCP connections to PORT (from
           /proc/net/tcp*: every (address, port) with the time first
           seen).
  report   joins them with the mail log into one JSON summary per phase
           (see report()).
"""
import argparse
import errno
import ipaddress
import json
import os
import selectors
import smtplib
import socket
import sys
import threading
import time

MAX_SECONDS = 300          # any client or sampler here lives at most this
MAX_BOTS = 1000
MAX_ATTEMPTS = 10000       # per bot (PORT_BASE + attempt < 65536)
EHLO_LEN = 44              # bytes a bot drips: 22 s at 0.5 s a byte
DOC_NETS = [ipaddress.ip_network(n) for n in
            ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
             "2001:db8::/32")]
SUBJECT = "fsflood"


def doc_only(addr):
    a = ipaddress.ip_address(addr)
    if not any(a in n for n in DOC_NETS):
        sys.exit("smtp_flood: refusing %s: not a documentation address" % addr)
    return str(a)


def addr_list(spec):
    """'198.51.100.100-199,203.0.113.7' -> addresses (IPv4 ranges in the
    last byte only)."""
    out = []
    for part in spec.split(","):
        if not part:
            continue
        if "-" in part:
            first, last = part.split("-")
            base = first.rsplit(".", 1)[0]
            lo, hi = int(first.rsplit(".", 1)[1]), int(last)
            out += [doc_only("%s.%d" % (base, i)) for i in range(lo, hi + 1)]
        else:
            out.append(doc_only(part))
    return out


def out_file(path):
    return open(path, "w", buffering=1)


# ---------------------------------------------------------------------
# Senders.

def send_one(log, lock, name, addr, ehlo, dst, rcpt, seq, t_sched, timeout):
    rec = {"m": name, "s": seq, "ts": t_sched, "a": addr}
    msg = ("From: sender@%s\r\nTo: %s\r\nSubject: %s %s %d %.3f\r\n\r\n"
           "floodshield flood test\r\n" % (ehlo, rcpt, SUBJECT, name, seq,
                                            t_sched))
    try:
        c = smtplib.SMTP(timeout=timeout, local_hostname=ehlo,
                         source_address=(addr, 0))
        c.connect(dst, 25)
        rec["tc"] = time.time()
        c.sendmail("sender@" + ehlo, [rcpt], msg)
        rec["tok"] = time.time()
        try:
            c.quit()
        except (smtplib.SMTPException, OSError):
            pass
    except (smtplib.SMTPException, OSError) as e:
        rec["err"] = "%s: %s" % (type(e).__name__, e)
        rec["te"] = time.time()
    with lock:
        log.write(json.dumps(rec) + "\n")


def senders(a):
    if a.count * len(a.sender) > 5000 or a.interval <= 0:
        sys.exit("smtp_flood: bounds: at most 5000 mails in all")
    doc_only(a.dst)
    spec = []
    for s in a.sender:
        name, addr, ehlo = s.split(",")
        spec.append((name, doc_only(addr), ehlo))
    log, lock, threads = out_file(a.out), threading.Lock(), []
    t0 = a.start_at or time.time()
    for seq in range(a.count):
        for name, addr, ehlo in spec:
            t_sched = t0 + seq * a.interval
            delay = t_sched - time.time()
            if delay > 0:
                time.sleep(delay)
            t = threading.Thread(target=send_one, daemon=True,
                                 args=(log, lock, name, addr, ehlo, a.dst,
                                       a.rcpt, seq, t_sched, a.timeout))
            t.start()
            threads.append(t)
    end = time.time() + a.timeout + 5
    for t in threads:
        t.join(max(0, end - time.time()))


# ---------------------------------------------------------------------
# Bots: one state machine per address over one selector.

class Bot:
    def __init__(self, n, addr, a):
        self.n, self.addr, self.a = n, addr, a
        self.attempt, self.sock, self.rec = 0, None, None
        self.state, self.deadline = "idle", 0.0
        name = "dsl-%d.dyn.example.invalid" % n
        line = "EHLO " + name
        self.line = (line + "x" * (EHLO_LEN - 2 - len(line)) + "\r\n").encode()
        self.pos = 0


def bot_finish(sel, bot, outcome, now, log):
    if bot.sock:
        try:
            sel.unregister(bot.sock)
        except (KeyError, ValueError):
            pass
        bot.sock.close()
        bot.sock = None
    if bot.rec:
        bot.rec.update(o=outcome, e=round(now, 3))
        log.write(json.dumps(bot.rec) + "\n")
        bot.rec = None
    bot.state = "idle"
    # a refused or reset attempt is not retried in a hot loop
    bot.deadline = now + (0.5 if outcome in ("refused", "reset") else 0)


def bot_connect(sel, bot, now, log):
    a = bot.a
    if bot.attempt >= MAX_ATTEMPTS or a.port_base + bot.attempt > 65535:
        bot.state, bot.deadline = "done", float("inf")
        return
    port = a.port_base + bot.attempt
    bot.attempt += 1
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setblocking(False)
    bot.rec = {"a": bot.addr, "p": port, "t": round(now, 3)}
    try:
        s.bind((bot.addr, port))
        err = s.connect_ex((a.dst, 25))
    except OSError as e:
        err = e.errno
    bot.sock = s
    if err not in (0, errno.EINPROGRESS):
        bot_finish(sel, bot, "error_%s" % errno.errorcode.get(err, err), now,
                   log)
        return
    sel.register(s, selectors.EVENT_WRITE, bot)
    bot.state, bot.deadline = "connecting", now + a.connect_timeout


def bot_event(sel, bot, mask, now, log):
    s, a = bot.sock, bot.a
    if bot.state == "connecting":
        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            bot_finish(sel, bot, "refused" if err == errno.ECONNREFUSED
                       else "error_%s" % errno.errorcode.get(err, err),
                       now, log)
            return
        bot.rec["c"] = round(now, 3)
        sel.modify(s, selectors.EVENT_READ, bot)
        bot.state, bot.deadline = "banner", now + a.banner_timeout
        return
    try:
        data = s.recv(4096)
    except OSError:
        bot_finish(sel, bot, "reset", now, log)
        return
    if not data:
        bot_finish(sel, bot, "closed_" + bot.state, now, log)
        return
    if bot.state == "banner":
        bot.rec["b"] = round(now, 3)
        bot.state, bot.pos, bot.deadline = "drip", 0, now
    elif bot.state == "reply":
        bot_finish(sel, bot, "done", now, log)
    # data during the drip (a 5xx, postscreen's 521) is read; the close
    # that follows ends the attempt


def bot_timer(sel, bot, now, log):
    a = bot.a
    if bot.state == "idle":
        bot_connect(sel, bot, now, log)
    elif bot.state == "connecting":
        bot_finish(sel, bot, "syn_timeout", now, log)
    elif bot.state == "banner":
        bot_finish(sel, bot, "no_banner", now, log)
    elif bot.state == "drip":
        try:
            bot.sock.send(bot.line[bot.pos:bot.pos + 1])
        except OSError:
            bot_finish(sel, bot, "reset", now, log)
            return
        bot.pos += 1
        if bot.pos < len(bot.line):
            bot.deadline = now + a.drip
        else:
            bot.state, bot.deadline = "reply", now + 5
    elif bot.state == "reply":
        bot_finish(sel, bot, "no_reply", now, log)


def bots(a):
    addrs = addr_list(a.addrs)
    if not addrs or len(addrs) > MAX_BOTS or a.duration > MAX_SECONDS:
        sys.exit("smtp_flood: bounds: 1 to %d bots, at most %d s"
                 % (MAX_BOTS, MAX_SECONDS))
    doc_only(a.dst)
    sel, log = selectors.DefaultSelector(), out_file(a.out)
    start = a.start_at or time.time()
    delay = start - time.time()
    if delay > 0:
        time.sleep(delay)
    start = time.time()
    end = start + a.duration
    # first connections spread over the first 0.5 s
    fleet = [Bot(i, ad, a) for i, ad in enumerate(addrs)]
    for i, b in enumerate(fleet):
        b.deadline = start + 0.5 * i / len(fleet)
    while True:
        now = time.time()
        if now >= end:
            break
        nxt = min(b.deadline for b in fleet)
        for key, mask in sel.select(max(0, min(0.05, nxt - now))):
            bot_event(sel, key.data, mask, time.time(), log)
        now = time.time()
        for b in fleet:
            if b.deadline <= now and b.state != "done":
                bot_timer(sel, b, now, log)
    now = time.time()
    for b in fleet:
        if b.rec:
            bot_finish(sel, b, "stopped_" + b.state, now, log)


# ---------------------------------------------------------------------
# Sampler (server namespace).

def tree(root):
    """PIDs of root and its descendants, with comm and CPU ticks."""
    procs = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        comm = st[st.index("(") + 1:st.rindex(")")]
        f = st[st.rindex(")") + 2:].split()
        # fields 4 (ppid), 14-17 (utime stime cutime cstime): f[1], f[11:15]
        procs[int(d)] = (int(f[1]), comm, sum(int(x) for x in f[11:15]))
    kids, out = {}, {}
    for pid, (ppid, _, _) in procs.items():
        kids.setdefault(ppid, []).append(pid)
    todo = [root] if root in procs else []
    while todo and len(out) < 10000:
        pid = todo.pop()
        out[pid] = procs[pid]
        todo += kids.get(pid, [])
    return out


def tcp_established(port):
    """(address, port) of every established connection to local PORT."""
    peers = []
    for fn, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            lines = open(fn).read().splitlines()[1:]
        except OSError:
            continue
        for ln in lines:
            f = ln.split()
            if f[3] != "01" or int(f[1].split(":")[1], 16) != port:
                continue
            raddr, rport = f[2].split(":")
            b = bytes.fromhex(raddr)
            if v6:
                b = b"".join(b[i:i + 4][::-1] for i in range(0, 16, 4))
                ip = ipaddress.ip_address(b)
                ip = ip.ipv4_mapped or ip
            else:
                ip = ipaddress.ip_address(b[::-1])
            peers.append((str(ip), int(rport, 16)))
    return peers


def mbox_scan(path, state, now, log):
    try:
        with open(path, "rb") as f:
            f.seek(state["off"])
            data = f.read()
    except OSError:
        return
    data = state["rest"] + data
    cut = data.rfind(b"\n") + 1
    state["off"] += len(data) - len(state["rest"])
    state["rest"] = data[cut:]
    for ln in data[:cut].split(b"\n"):
        if ln.startswith(b"Subject: " + SUBJECT.encode() + b" "):
            f = ln.decode(errors="replace").split()
            if len(f) == 5:
                log.write(json.dumps({"k": "mail", "m": f[2], "s": int(f[3]),
                                      "ts": float(f[4]),
                                      "t": round(now, 3)}) + "\n")


def sample(a):
    if a.duration > MAX_SECONDS:
        sys.exit("smtp_flood: at most %d s" % MAX_SECONDS)
    log, hz = out_file(a.out), os.sysconf("SC_CLK_TCK")
    end, seen, mstate = time.time() + a.duration, set(), {"off": 0, "rest": b""}
    next_proc = 0.0
    while time.time() < end and not os.path.exists(a.stop_file):
        now = time.time()
        mbox_scan(a.mbox, mstate, now, log)
        if now >= next_proc:
            next_proc = now + a.interval
            t = tree(a.root_pid)
            by = {}
            for _, comm, _ in t.values():
                by[comm] = by.get(comm, 0) + 1
            est = tcp_established(a.port)
            new = [p for p in est if p not in seen]
            seen.update(new)
            log.write(json.dumps({"k": "proc", "t": round(now, 3),
                                  "cpu": sum(c for _, _, c in t.values()) / hz,
                                  "procs": by, "est": len(est),
                                  "new": new}) + "\n")
        time.sleep(0.1)
    mbox_scan(a.mbox, mstate, time.time(), log)


# ---------------------------------------------------------------------
# Report.

def jlines(path):
    out = []
    try:
        with open(path) as f:
            for ln in f:
                try:
                    out.append(json.loads(ln))
                except ValueError:
                    pass
    except OSError:
        pass
    return out


def pct(vals, p):
    if not vals:
        return None
    v = sorted(vals)
    return round(v[min(len(v) - 1, int(len(v) * p / 100.0))], 3)


def maillog_peers(path):
    """(address, port) of every session Postfix logged, as two sets:
    smtpd's "connect from NAME[ADDR]:PORT" (smtpd_client_port_logging)
    and postscreen's "CONNECT from [ADDR]:PORT"."""
    peers = {": connect from ": set(), ": CONNECT from ": set()}
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        lines = []
    for ln in lines:
        for key, found in peers.items():
            i = ln.find(key)
            if i < 0:
                continue
            rest = ln[i + len(key):].split()[0]
            addr = rest[rest.index("[") + 1:rest.index("]")]
            port = rest[rest.index("]") + 2:]
            if port.isdigit():
                found.add((addr, int(port)))
    return peers[": connect from "], peers[": CONNECT from "]


def report(a):
    """Phases: [t0, t0+B) baseline, then attack, forged (attack plus the
    forged SYNs), recovery. A mail belongs to the phase of its schedule;
    it is delivered if the sampler saw it in the mailbox; its latency is
    then (first seen in the mailbox) - (scheduled start): the sampler
    polls every 0.1 s, so a latency is late by up to 0.1 s."""
    t0 = a.t0
    bounds, t = [], t0
    for name, d in (("baseline", a.baseline), ("attack", a.attack),
                    ("forged", a.forged), ("recovery", a.recovery)):
        if d > 0:
            bounds.append((name, t, t + d))
            t += d

    def phase(ts):
        for name, lo, hi in bounds:
            if lo <= ts < hi:
                return name
        return "after"

    samples = jlines(a.sample)
    seen = {}
    for r in samples:
        if r.get("k") == "mail":
            seen.setdefault((r["m"], r["s"]), r["t"] - r["ts"])
    classes = {}
    for c in a.cls:
        name, members = c.split("=")
        classes[name] = members.split(",")
    sent = jlines(a.senders)
    out = {"scenario": a.scenario, "phases": [b[0] for b in bounds],
           "classes": {}}
    for cname, members in classes.items():
        res = {}
        for ph in [b[0] for b in bounds] + ["all"]:
            mails = [m for m in sent if m["m"] in members and
                     (ph == "all" or phase(m["ts"]) == ph)]
            lat = [seen[(m["m"], m["s"])] for m in mails
                   if (m["m"], m["s"]) in seen]
            res[ph] = {"sent": len(mails), "delivered": len(lat),
                       "client_ok": sum(1 for m in mails if "tok" in m),
                       "p50": pct(lat, 50), "p99": pct(lat, 99),
                       "max": pct(lat, 100)}
        out["classes"][cname] = res
    # bots: attempts by start time; established by server-side evidence
    attempts = jlines(a.bots)
    smtpd, pscreen = maillog_peers(a.maillog)
    est = smtpd | pscreen
    for r in samples:
        if r.get("k") == "proc":
            est.update(tuple(p) for p in r["new"])
    atk = [b for b in bounds if b[0] in ("attack", "forged")]
    a_start = atk[0][1] if atk else t0
    late = [x for x in attempts if x["t"] >= a_start + 1.0]
    late_est = [x for x in late if (x["a"], x["p"]) in est]
    outcomes = {}
    for x in attempts:
        outcomes[x["o"]] = outcomes.get(x["o"], 0) + 1
    out["bots"] = {"attempts": len(attempts),
                   "established": sum(1 for x in attempts
                                      if (x["a"], x["p"]) in est),
                   "client_connected": sum(1 for x in attempts if "c" in x),
                   "attempts_after_1s": len(late),
                   "established_after_1s": len(late_est),
                   "share_after_1s": round(len(late_est) / len(late), 4)
                   if late else None,
                   "smtpd_sessions": sum(1 for x in attempts
                                         if (x["a"], x["p"]) in smtpd),
                   "postscreen_sessions": sum(1 for x in attempts
                                              if (x["a"], x["p"]) in pscreen),
                   "outcomes": outcomes}
    # the server's cost: Postfix processes and CPU seconds per phase
    procs = [r for r in samples if r.get("k") == "proc"]
    cost = {}
    for name, lo, hi in bounds + [("all", bounds[0][1], bounds[-1][2])]:
        ps = [r for r in procs if lo <= r["t"] < hi]
        if len(ps) < 2:
            continue
        smtpd = [r["procs"].get("smtpd", 0) for r in ps]
        cost[name] = {"cpu_s": round(ps[-1]["cpu"] - ps[0]["cpu"], 2),
                      "seconds": round(ps[-1]["t"] - ps[0]["t"], 1),
                      "smtpd_max": max(smtpd),
                      "smtpd_mean": round(sum(smtpd) / len(smtpd), 1),
                      "procs_max": max(sum(r["procs"].values()) for r in ps),
                      "est_max": max(r["est"] for r in ps)}
    out["server"] = cost
    # once a second from t0: [s, smtpd processes, established sockets,
    # CPU seconds of the tree since t0]
    line, nxt = [], 0
    cpu0 = procs[0]["cpu"] if procs else 0
    for r in procs:
        if r["t"] - t0 >= nxt:
            line.append([nxt, r["procs"].get("smtpd", 0), r["est"],
                         round(r["cpu"] - cpu0, 2)])
            nxt = int(r["t"] - t0) + 1
    out["timeline"] = line
    print(json.dumps(out, sort_keys=True))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("senders")
    s.add_argument("--sender", action="append", required=True,
                   help="NAME,ADDR,EHLO")
    s.add_argument("--dst", required=True)
    s.add_argument("--rcpt", required=True)
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--interval", type=float, default=1.0)
    s.add_argument("--timeout", type=float, default=30.0)
    s.add_argument("--start-at", type=float, default=0.0)
    s.add_argument("--out", required=True)
    b = sub.add_parser("bots")
    b.add_argument("--addrs", required=True)
    b.add_argument("--dst", required=True)
    b.add_argument("--duration", type=float, required=True)
    b.add_argument("--drip", type=float, default=0.5)
    b.add_argument("--connect-timeout", type=float, default=2.5)
    b.add_argument("--banner-timeout", type=float, default=10.0)
    b.add_argument("--port-base", type=int, default=20000)
    b.add_argument("--start-at", type=float, default=0.0)
    b.add_argument("--out", required=True)
    m = sub.add_parser("sample")
    m.add_argument("--root-pid", type=int, required=True)
    m.add_argument("--mbox", required=True)
    m.add_argument("--port", type=int, default=25)
    m.add_argument("--interval", type=float, default=0.25)
    m.add_argument("--duration", type=float, required=True)
    m.add_argument("--stop-file", required=True)
    m.add_argument("--out", required=True)
    r = sub.add_parser("report")
    r.add_argument("--scenario", default="")
    r.add_argument("--t0", type=float, required=True)
    for p in ("baseline", "attack", "forged", "recovery"):
        r.add_argument("--" + p, type=float, default=0.0)
    r.add_argument("--cls", action="append", required=True,
                   help="CLASS=NAME,NAME...")
    r.add_argument("--senders", required=True)
    r.add_argument("--bots", required=True)
    r.add_argument("--sample", required=True)
    r.add_argument("--maillog", required=True)
    a = ap.parse_args()
    {"senders": senders, "bots": bots, "sample": sample,
     "report": report}[a.cmd](a)


if __name__ == "__main__":
    main()
