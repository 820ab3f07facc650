#!/usr/bin/python3
"""Real-socket HTTP clients for tests/ns/20_http.sh (run with /usr/bin/python3).

Five commands, each bounded in count and time, each printing one JSON
object on stdout:

  request  SRC DST SEGMENT...   one connection from SRC, TCP_NODELAY; sends
           each SEGMENT (Python escapes: \\r\\n) with --pause seconds between,
           then reads --expect responses (at most --timeout s).
           {"statuses": [200, ...], "error": null | "reset" | "timeout" | ...}

  attack   the flood: every source of --sources-file (one address a line)
           opens --per-source connections, --gap s apart (with
           --sequential, also each after the previous one ended), starting
           at a random offset within --spread s; each sends the attack
           request and waits for a response, a reset or --read-timeout.
           Outcomes: response, reset, syn_timeout (SYN unanswered: the
           source is banned), timeout, refused, closed.
           {"attempted": N, "sources": N, "outcomes": {...}, "statuses": {...}}

  botnet   the incident's botnet over keep-alive connections: every source
           of --sources-file, starting at a random offset within --spread s,
           keeps one connection at a time until --duration s have passed.
           On a connection it sends the attack request (with "Connection:
           Keep-Alive") up to --keepalive times, --think s apart, each
           waiting at most --read-timeout for its answer; when the
           connection ends the source opens the next one --gap s later (at
           most --max-conns per source). At --duration every connection
           still open is closed. Outcomes, one per connection: done
           (--keepalive answers), closed (the server closed it), reset,
           timeout (an answer did not come), syn_timeout (SYN unanswered:
           banned), refused, cut (still open at --duration).
           {"sources": N, "connections": N, "sent": N, "answered": N,
            "outcomes": {...}, "statuses": {...}}

  preban   SRC DST: a connection opened before its source's ban, whose
           request comes after it (see cmd_preban).
           {"bad": [outcome, ...], "held": outcome}

  legit    the legitimate client: --requests GETs of Host --host, evenly
           paced over --duration s by --workers keep-alive connections of
           at most --per-conn requests each. A request that fails on a
           reused connection before any byte of answer is retried once on a
           new one (as browsers do: the server may close an idle keep-alive
           connection). {"requests": N, "ok": N, "failed": N, "p50_ms": x,
           "p99_ms": x, "errors": {...}, "retries": N}; p50/p99 are over
           the answered requests; p99_all_ms is over all of them, a failure
           counting as the slowest (null when the 99th percentile failed)

Attack request (the flood this product exists for): "GET /#101 HTTP/1.1"
with Host and Referer 0jejhcec65c24dslii.com and an MSIE 6 user agent.
With --mix, every second request of a source drops the '#101' (target
"/"), so that the shield's Host check, not only its '#' check, is hit.
"""
import argparse
import asyncio
import ipaddress
import json
import math
import random
import socket
import sys
import time

ATTACK_HOST = "0jejhcec65c24dslii.com"
ATTACK_UA = "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)"
MAX_CONNS = 5000  # hard bound on attack connections per run
MAX_REQUESTS = 5000  # hard bound on legit requests per run


def attack_request(with_hash, keep_alive=False):
    target = "/#101" if with_hash else "/"
    return ("GET %s HTTP/1.1\r\n"
            "Host: %s\r\n"
            "Referer: http://%s\r\n"
            "User-Agent: %s\r\n"
            "Accept: */*\r\n"
            "%s"
            "\r\n" % (target, ATTACK_HOST, ATTACK_HOST, ATTACK_UA,
                       "Connection: Keep-Alive\r\n" if keep_alive else "")).encode()


def parse_responses(buf):
    """Complete responses at the start of buf (Content-Length framing, as
    nginx sends for static files, `return` and error pages). Returns
    (statuses, rest)."""
    out = []
    while True:
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return out, buf
        lines = buf[:end].decode("latin-1").split("\r\n")
        parts = lines[0].split()
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            raise ValueError("not an HTTP response: %r" % lines[0][:60])
        clen = 0
        for h in lines[1:]:
            k, _, v = h.partition(":")
            if k.strip().lower() == "content-length":
                clen = int(v.strip())
        if len(buf) < end + 4 + clen:
            return out, buf
        out.append(int(parts[1]))
        buf = buf[end + 4 + clen:]


def connected(s):
    """Whether the kernel has completed the handshake of socket s."""
    try:
        s.getpeername()
        return True
    except OSError:
        return False


async def open_conn(src, dst, port, timeout):
    """A connection from src, or asyncio.TimeoutError when no handshake
    completed within timeout s. A deadline is judged by what the kernel
    holds when it is checked: a client that was not scheduled for a while
    (a loaded machine) does not take a late wake-up for a timeout."""
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    try:
        s.setblocking(False)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.bind((src, 0))
        try:
            await asyncio.wait_for(
                asyncio.get_running_loop().sock_connect(s, (dst, port)), timeout)
        except asyncio.TimeoutError:
            if not connected(s):
                raise
    except BaseException:
        s.close()
        raise
    return s


class Conn:
    """A connected socket and the bytes read from it not yet parsed."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.got_bytes = False

    async def send(self, data):
        await asyncio.get_running_loop().sock_sendall(self.sock, data)

    async def responses(self, n, deadline):
        """Read until n responses parsed; returns their statuses. Raises
        TimeoutError, ConnectionResetError, or EOFError (closed early)."""
        loop = asyncio.get_running_loop()
        got = []
        while True:
            st, self.buf = parse_responses(self.buf)
            got += st
            if len(got) >= n:
                return got
            left = deadline - time.monotonic()
            try:
                if left <= 0:
                    raise asyncio.TimeoutError()
                data = await asyncio.wait_for(loop.sock_recv(self.sock, 65536), left)
            except asyncio.TimeoutError:
                data = self.arrived()  # a late wake-up is no timeout
                if data is None:
                    raise
            if not data:
                raise EOFError(got)
            self.got_bytes = True
            self.buf += data

    def arrived(self):
        """What the kernel holds already, without waiting: bytes, b"" when
        closed, None when nothing; raises ConnectionResetError on a RST."""
        try:
            return self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return None

    def close(self):
        self.sock.close()


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


def unescape(s):
    return s.encode("latin-1").decode("unicode_escape").encode("latin-1")


# ---------------------------------------------------------------------

async def cmd_request(a):
    out = {"statuses": [], "error": None}
    deadline = time.monotonic() + a.timeout
    conn = None
    try:
        conn = Conn(await open_conn(a.src, a.dst, a.port, a.timeout))
        for i, seg in enumerate(a.segments):
            if i:
                await asyncio.sleep(a.pause)
            await conn.send(unescape(seg))
        out["statuses"] = await conn.responses(a.expect, deadline)
    except EOFError as e:
        out["statuses"] = e.args[0] if e.args else []
        out["error"] = "closed"
    except (OSError, asyncio.TimeoutError, ValueError) as e:
        out["error"] = error_name(e)
    finally:
        if conn:
            conn.close()
    return out


# ---------------------------------------------------------------------

async def attack_conn(a, src, index, stats):
    dst = a.dst6 if ":" in src else a.dst4
    conn = None
    stats["attempted"] += 1
    try:
        try:
            conn = Conn(await open_conn(src, dst, a.port, a.connect_timeout))
        except asyncio.TimeoutError:
            return "syn_timeout"
        stats["connected"] += 1
        await conn.send(attack_request(not a.mix or index % 2 == 0))
        stats["sent"] += 1
        st = await conn.responses(1, time.monotonic() + a.read_timeout)
        key = str(st[0])
        stats["statuses"][key] = stats["statuses"].get(key, 0) + 1
        return "response"
    except (OSError, asyncio.TimeoutError, EOFError, ValueError) as e:
        return error_name(e)
    finally:
        if conn:
            conn.close()


async def attack_source(a, src, rnd, stats):
    """A source's connections start --gap s apart; with --sequential a
    connection also waits for the previous one to end."""
    await asyncio.sleep(rnd.uniform(0, a.spread))
    tasks = []
    for i in range(a.per_source):
        due = time.monotonic() + a.gap
        task = asyncio.ensure_future(attack_conn(a, src, i, stats))
        tasks.append(task)
        if a.sequential:
            await task
        await asyncio.sleep(max(0.0, due - time.monotonic()))
    for res in await asyncio.gather(*tasks):
        stats["outcomes"][res] = stats["outcomes"].get(res, 0) + 1


async def cmd_attack(a):
    with open(a.sources_file) as f:
        sources = [str(ipaddress.ip_address(l.strip())) for l in f if l.strip()]
    if len(sources) * a.per_source > MAX_CONNS:
        sys.exit("attack: %d connections is over the bound %d" %
                 (len(sources) * a.per_source, MAX_CONNS))
    stats = {"attempted": 0, "connected": 0, "sent": 0, "outcomes": {},
             "statuses": {}, "sources": len(sources)}
    rnd = random.Random(a.seed)
    t0 = time.monotonic()
    await asyncio.wait_for(
        asyncio.gather(*(attack_source(a, s, rnd, stats) for s in sources)),
        a.max_time)
    stats["duration_s"] = round(time.monotonic() - t0, 2)
    return stats


async def bot_conn(a, src, stats):
    """One keep-alive connection of a bot; returns its outcome."""
    dst = a.dst6 if ":" in src else a.dst4
    conn, answers = None, 0
    stats["connections"] += 1
    try:
        try:
            conn = Conn(await open_conn(src, dst, a.port, a.connect_timeout))
        except asyncio.TimeoutError:
            return "syn_timeout"
        for i in range(a.keepalive):
            if i:
                await asyncio.sleep(a.think)
            await conn.send(attack_request(True, keep_alive=True))
            stats["sent"] += 1
            st = await conn.responses(answers + 1,
                                      time.monotonic() + a.read_timeout)
            key = str(st[-1])
            stats["statuses"][key] = stats["statuses"].get(key, 0) + 1
            stats["answered"] += 1
            answers += 1
        return "done"
    except EOFError:
        return "closed"
    except (OSError, asyncio.TimeoutError, ValueError) as e:
        return error_name(e)
    finally:
        if conn:
            conn.close()


async def bot_source(a, src, rnd, stats):
    """A source's connections, one after the other, until cancelled."""
    await asyncio.sleep(rnd.uniform(0, a.spread))
    for _ in range(a.max_conns):
        res = "cut"
        try:
            res = await bot_conn(a, src, stats)
        finally:
            stats["outcomes"][res] = stats["outcomes"].get(res, 0) + 1
        await asyncio.sleep(a.gap)


async def cmd_botnet(a):
    with open(a.sources_file) as f:
        sources = [str(ipaddress.ip_address(l.strip())) for l in f if l.strip()]
    if len(sources) * a.max_conns > MAX_CONNS * 4:
        sys.exit("botnet: %d x %d connections is over the bound %d" %
                 (len(sources), a.max_conns, MAX_CONNS * 4))
    stats = {"sources": len(sources), "connections": 0, "sent": 0,
             "answered": 0, "outcomes": {}, "statuses": {}}
    rnd = random.Random(a.seed)
    t0 = time.monotonic()
    tasks = [asyncio.ensure_future(bot_source(a, s, rnd, stats)) for s in sources]
    await asyncio.wait(tasks, timeout=a.duration)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    stats["duration_s"] = round(time.monotonic() - t0, 2)
    return stats


async def cmd_preban(a):
    """Connection HELD from SRC completes its handshake and stays silent;
    then --bad attack requests follow on new connections, one after the
    other (each waits for its answer or reset), enough to ban SRC; only
    then does HELD send the attack request. Reports what each got; stops
    sending bad requests at the first SYN that times out (banned)."""
    a.dst4 = a.dst6 = a.dst
    a.connect_timeout, a.mix = 1.5, False
    stats = {"attempted": 0, "connected": 0, "sent": 0, "statuses": {}}
    out = {"bad": [], "held": None}
    held = Conn(await open_conn(a.src, a.dst, a.port, 2.0))
    try:
        for i in range(a.bad):
            out["bad"].append(await attack_conn(a, a.src, i, stats))
            if out["bad"][-1] == "syn_timeout":
                break  # banned: the rest would time out too
        await held.send(attack_request(True))
        await held.responses(1, time.monotonic() + a.hold_timeout)
        out["held"] = "response"
    except (OSError, asyncio.TimeoutError, EOFError, ValueError) as e:
        out["held"] = error_name(e)
    finally:
        held.close()
    return out


# ---------------------------------------------------------------------

def legit_request(a, i):
    return ("GET /index.html?legit=%d HTTP/1.1\r\n"
            "Host: %s\r\n"
            "User-Agent: Mozilla/5.0 (X11; Linux x86_64) fs-legit\r\n"
            "Accept: text/html\r\n"
            "Accept-Language: en\r\n"
            "\r\n" % (i, a.host)).encode()


async def legit_worker(a, w, t0, res):
    conn, used = None, 0
    for i in range(w, a.requests, a.workers):
        due = t0 + i * a.duration / a.requests
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        start = time.monotonic()
        deadline = start + a.timeout
        err = None
        for attempt in range(2):
            fresh = conn is None
            try:
                if fresh:
                    conn = Conn(await open_conn(a.src, a.dst, a.port,
                                                deadline - time.monotonic()))
                    used = 0
                await conn.send(legit_request(a, i))
                st = (await conn.responses(1, deadline))[0]
                used += 1
                err = None if st == 200 else "status_%d" % st
                break
            except (OSError, asyncio.TimeoutError, EOFError, ValueError) as e:
                err = error_name(e)
                retry = (not fresh and not conn.got_bytes and
                         not isinstance(e, asyncio.TimeoutError))
                if conn:
                    conn.close()
                conn = None
                if not retry:
                    break
                res["retries"] += 1
        if err:
            res["errors"][err] = res["errors"].get(err, 0) + 1
        else:
            res["lat"].append(time.monotonic() - start)
        if conn and used >= a.per_conn:
            conn.close()
            conn = None
    if conn:
        conn.close()


def percentile(sorted_vals, p):
    """Nearest-rank percentile of a sorted list; None when empty."""
    if not sorted_vals:
        return None
    k = max(1, math.ceil(p / 100.0 * len(sorted_vals)))
    return sorted_vals[k - 1]


def percentile_all(sorted_vals, total, p):
    """Nearest-rank percentile over `total` requests of which sorted_vals
    succeeded, a failure counting as slower than any answer: None when
    the percentile falls on a failure."""
    k = max(1, math.ceil(p / 100.0 * total))
    return sorted_vals[k - 1] if k <= len(sorted_vals) else None


async def cmd_legit(a):
    if a.requests > MAX_REQUESTS:
        sys.exit("legit: %d requests is over the bound %d" % (a.requests, MAX_REQUESTS))
    res = {"lat": [], "errors": {}, "retries": 0}
    t0 = time.monotonic() + a.delay
    await asyncio.wait_for(
        asyncio.gather(*(legit_worker(a, w, t0, res) for w in range(a.workers))),
        a.duration + a.delay + a.timeout * 2 + 5)
    lat = sorted(res["lat"])
    ms = lambda v: None if v is None else round(v * 1000, 2)
    return {"requests": a.requests, "ok": len(lat),
            "failed": a.requests - len(lat),
            "success_pct": round(100.0 * len(lat) / a.requests, 2),
            "p50_ms": ms(percentile(lat, 50)), "p99_ms": ms(percentile(lat, 99)),
            "p99_all_ms": ms(percentile_all(lat, a.requests, 99)),
            "max_ms": ms(lat[-1] if lat else None),
            "errors": res["errors"], "retries": res["retries"],
            "duration_s": round(time.monotonic() - t0, 2)}


# ---------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    r = sub.add_parser("request")
    r.add_argument("src")
    r.add_argument("dst")
    r.add_argument("segments", nargs="+")
    r.add_argument("--port", type=int, default=80)
    r.add_argument("--pause", type=float, default=0.3)
    r.add_argument("--expect", type=int, default=1)
    r.add_argument("--timeout", type=float, default=5.0)

    t = sub.add_parser("attack")
    t.add_argument("--sources-file", required=True)
    t.add_argument("--dst4", required=True)
    t.add_argument("--dst6", required=True)
    t.add_argument("--port", type=int, default=80)
    t.add_argument("--per-source", type=int, default=6)
    t.add_argument("--gap", type=float, default=0.2)
    t.add_argument("--spread", type=float, default=4.0)
    t.add_argument("--connect-timeout", type=float, default=1.5)
    t.add_argument("--read-timeout", type=float, default=2.0)
    t.add_argument("--mix", action="store_true")
    t.add_argument("--sequential", action="store_true")
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--max-time", type=float, default=40.0)

    n = sub.add_parser("botnet")
    n.add_argument("--sources-file", required=True)
    n.add_argument("--dst4", required=True)
    n.add_argument("--dst6", required=True)
    n.add_argument("--port", type=int, default=80)
    n.add_argument("--duration", type=float, required=True)
    n.add_argument("--keepalive", type=int, default=10)
    n.add_argument("--think", type=float, default=1.0)
    n.add_argument("--gap", type=float, default=0.2)
    n.add_argument("--spread", type=float, default=2.0)
    n.add_argument("--max-conns", type=int, default=50)
    n.add_argument("--connect-timeout", type=float, default=1.5)
    n.add_argument("--read-timeout", type=float, default=10.0)
    n.add_argument("--seed", type=int, default=1)

    b = sub.add_parser("preban")
    b.add_argument("src")
    b.add_argument("dst")
    b.add_argument("--port", type=int, default=80)
    b.add_argument("--bad", type=int, default=4)
    b.add_argument("--read-timeout", type=float, default=2.0)
    b.add_argument("--hold-timeout", type=float, default=3.0)

    g = sub.add_parser("legit")
    g.add_argument("src")
    g.add_argument("dst")
    g.add_argument("--host", default="www.example.org")
    g.add_argument("--port", type=int, default=80)
    g.add_argument("--requests", type=int, default=300)
    g.add_argument("--duration", type=float, default=6.0)
    g.add_argument("--delay", type=float, default=0.0)
    g.add_argument("--workers", type=int, default=4)
    g.add_argument("--per-conn", type=int, default=10)
    g.add_argument("--timeout", type=float, default=3.0)

    a = ap.parse_args()
    fn = {"request": cmd_request, "attack": cmd_attack, "botnet": cmd_botnet,
          "preban": cmd_preban, "legit": cmd_legit}[a.cmd]
    print(json.dumps(asyncio.run(fn(a)), sort_keys=True))


if __name__ == "__main__":
    main()
