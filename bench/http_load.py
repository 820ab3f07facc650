#!/usr/bin/python3
"""HTTP load for bench/e2e.sh (run with Debian's /usr/bin/python3).

Two commands, each bounded in connections and time, each printing one
JSON object on stdout.

  attack  the spoofed-Host flood over real TCP: every source of
          --sources-file (one address a line) opens a connection every
          --gap seconds (first one at a random offset within --gap),
          sends the attack request (Host 0jejhcec65c24dslii.com; every
          second one with the target "/#101"), and waits for an answer,
          a reset or --read-timeout, then closes. Ends after --duration s.
          {"attempted", "connected", "outcomes": {...}, "statuses": {...}}

  legit   the legitimate clients: --rate requests per second for
          --duration s, each on a new connection (a first visit), from the
          sources of --sources-file in turn, Host --host. A request counts
          as a success when it gets a 200 within --timeout s.
          {"requests", "ok", "success_pct", "p50_ms", "p99_ms", "errors"}
"""
import argparse
import asyncio
import json
import math
import random
import socket
import time

ATTACK_HOST = "0jejhcec65c24dslii.com"
ATTACK_UA = "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)"
MAX_CONNS = 200000	# hard bound on attack connections per run
MAX_REQUESTS = 20000	# hard bound on legit requests per run
MAX_DURATION = 120.0	# seconds, for either command


def attack_request(with_hash):
    target = "/#101" if with_hash else "/"
    return ("GET %s HTTP/1.1\r\n"
            "Host: %s\r\n"
            "Referer: http://%s\r\n"
            "User-Agent: %s\r\n"
            "Accept: */*\r\n"
            "\r\n" % (target, ATTACK_HOST, ATTACK_HOST, ATTACK_UA)).encode()


def legit_request(host, i):
    return ("GET /index.html?visit=%d HTTP/1.1\r\n"
            "Host: %s\r\n"
            "User-Agent: Mozilla/5.0 (X11; Linux x86_64) fs-bench-legit\r\n"
            "Accept: text/html\r\n"
            "Connection: close\r\n"
            "\r\n" % (i, host)).encode()


def status_of(buf):
    """Status of a complete response head in buf, or None."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    parts = buf[:end].split(b"\r\n", 1)[0].split()
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
        return -1
    return int(parts[1])


def error_name(e):
    if isinstance(e, asyncio.TimeoutError):
        return "timeout"
    if isinstance(e, ConnectionResetError):
        return "reset"
    if isinstance(e, ConnectionRefusedError):
        return "refused"
    if isinstance(e, EOFError):
        return "closed"
    if isinstance(e, OSError):
        return "os_error_%s" % (e.errno,)
    return type(e).__name__


async def exchange(src, dst, port, payload, connect_timeout, read_timeout):
    """Connect from src, send payload, read until a response head.
    Returns the status; raises on failure. Tags the exception with the
    stage (.connected)."""
    loop = asyncio.get_running_loop()
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    connected = False
    try:
        s.setblocking(False)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.bind((src, 0))
        await asyncio.wait_for(loop.sock_connect(s, (dst, port)), connect_timeout)
        connected = True
        await loop.sock_sendall(s, payload)
        buf = b""
        deadline = time.monotonic() + read_timeout
        while True:
            st = status_of(buf)
            if st is not None:
                return st
            left = deadline - time.monotonic()
            if left <= 0:
                raise asyncio.TimeoutError()
            data = await asyncio.wait_for(loop.sock_recv(s, 65536), left)
            if not data:
                raise EOFError()
            buf += data
    except BaseException as e:
        e.connected = connected
        raise
    finally:
        s.close()


# ---------------------------------------------------------------------

async def attack_source(a, src, rnd, stats, end):
    dst = a.dst6 if ":" in src else a.dst4
    await asyncio.sleep(rnd.uniform(0, a.gap))
    tasks, i = [], 0
    while time.monotonic() < end and stats["attempted"] < MAX_CONNS:
        stats["attempted"] += 1
        tasks.append(asyncio.ensure_future(
            attack_conn(a, src, dst, i, stats)))
        i += 1
        await asyncio.sleep(a.gap)
    await asyncio.gather(*tasks)


async def attack_conn(a, src, dst, i, stats):
    try:
        st = await exchange(src, dst, a.port, attack_request(i % 2 == 0),
                            a.connect_timeout, a.read_timeout)
        stats["connected"] += 1
        key = str(st)
        stats["statuses"][key] = stats["statuses"].get(key, 0) + 1
        out = "response"
    except (OSError, asyncio.TimeoutError, EOFError, ValueError) as e:
        if getattr(e, "connected", False):
            stats["connected"] += 1
        out = error_name(e)
        if out == "timeout" and not getattr(e, "connected", False):
            out = "syn_timeout"
    stats["outcomes"][out] = stats["outcomes"].get(out, 0) + 1


async def cmd_attack(a):
    with open(a.sources_file) as f:
        sources = [l.strip() for l in f if l.strip()]
    stats = {"attempted": 0, "connected": 0, "outcomes": {}, "statuses": {},
             "sources": len(sources)}
    rnd = random.Random(a.seed)
    t0 = time.monotonic()
    end = t0 + min(a.duration, MAX_DURATION)
    await asyncio.wait_for(
        asyncio.gather(*(attack_source(a, s, rnd, stats, end) for s in sources)),
        min(a.duration, MAX_DURATION) + a.connect_timeout + a.read_timeout + 10)
    stats["duration_s"] = round(time.monotonic() - t0, 2)
    stats["rate_per_s"] = round(stats["attempted"] / max(a.duration, 0.1), 1)
    return stats


# ---------------------------------------------------------------------

def percentile(sorted_vals, p):
    """Nearest-rank percentile of a sorted list; None when empty."""
    if not sorted_vals:
        return None
    k = max(1, math.ceil(p / 100.0 * len(sorted_vals)))
    return sorted_vals[k - 1]


async def legit_one(a, i, src, t0, res):
    dst = a.dst6 if ":" in src else a.dst4
    await asyncio.sleep(max(0.0, t0 + i / a.rate - time.monotonic()))
    start = time.monotonic()
    try:
        st = await exchange(src, dst, a.port, legit_request(a.host, i),
                            a.timeout, a.timeout)
        err = None if st == 200 else "status_%d" % st
    except (OSError, asyncio.TimeoutError, EOFError, ValueError) as e:
        err = error_name(e)
    if err:
        res["errors"][err] = res["errors"].get(err, 0) + 1
    else:
        res["lat"].append(time.monotonic() - start)


async def cmd_legit(a):
    with open(a.sources_file) as f:
        sources = [l.strip() for l in f if l.strip()]
    n = min(int(a.rate * min(a.duration, MAX_DURATION)), MAX_REQUESTS)
    res = {"lat": [], "errors": {}}
    t0 = time.monotonic() + a.delay
    await asyncio.wait_for(
        asyncio.gather(*(legit_one(a, i, sources[i % len(sources)], t0, res)
                         for i in range(n))),
        a.delay + a.duration + 2 * a.timeout + 10)
    lat = sorted(res["lat"])
    ms = lambda v: None if v is None else round(v * 1000, 2)
    return {"requests": n, "ok": len(lat), "failed": n - len(lat),
            "success_pct": round(100.0 * len(lat) / n, 2) if n else 0,
            "p50_ms": ms(percentile(lat, 50)), "p99_ms": ms(percentile(lat, 99)),
            "max_ms": ms(lat[-1] if lat else None), "errors": res["errors"],
            "sources": len(sources)}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("attack", "legit"):
        p = sub.add_parser(name)
        p.add_argument("--sources-file", required=True)
        p.add_argument("--dst4", required=True)
        p.add_argument("--dst6", required=True)
        p.add_argument("--port", type=int, default=80)
        p.add_argument("--duration", type=float, default=15.0)
    t = sub.choices["attack"]
    t.add_argument("--gap", type=float, default=0.2)
    t.add_argument("--connect-timeout", type=float, default=1.0)
    t.add_argument("--read-timeout", type=float, default=1.0)
    t.add_argument("--seed", type=int, default=1)
    g = sub.choices["legit"]
    g.add_argument("--host", default="www.example.org")
    g.add_argument("--rate", type=float, default=40.0)
    g.add_argument("--delay", type=float, default=0.0)
    g.add_argument("--timeout", type=float, default=3.0)
    a = ap.parse_args()
    fn = {"attack": cmd_attack, "legit": cmd_legit}[a.cmd]
    print(json.dumps(asyncio.run(fn(a)), sort_keys=True))


if __name__ == "__main__":
    main()
