#!/bin/bash
# Issue 12, "nothing a spoofer can send punishes someone else": forged
# packets never ban, reset or defer a real client.
#
# Topology and servers: proof_lib.sh. The legitimate client is curl from
# 192.0.2.2 and from 2001:db8::2 in the client namespace (each a new
# connection every PERIOD s, PER_CONN keep-alive requests on each, Host
# www.example.org). The spoofer (spoof.py) runs in the same client
# namespace with raw sockets (IP_HDRINCL; IPv6's IPPROTO_RAW) and forges
# segments to 192.0.2.1:80 and [2001:db8::1]:80 whose sources are, a
# third each: the client's own addresses 192.0.2.2 and 2001:db8::2,
# other addresses of its /24 (192.0.2.0/24 minus the server) and of its
# /64 (2001:db8::100/120), and random addresses of 198.51.100.0/24,
# 203.0.113.0/24 and 2001:db8:1::300/120 (proof_lib.sh gives every one a
# neighbour entry); random ports, sequence and acknowledgement numbers.
# Target SPOOF_RATE packets/s, bounded in count and time; the achieved
# rate is reported.
#
# For each server variant in SPOOF_VARIANTS (default: nginx, apache), each
# phase with a fresh shield (its own pins: no phase inherits a ban):
#   1. SYN flood alone (forged SYNs only, SYN_S s): no ban at all
#      (`block list -j`).
#   2. Forged requests (no SYN: bare ACKs, good requests `GET / HTTP/1.1`
#      with Host www.example.org, bad requests: the seed `GET /#101` with
#      Host 0jejhcec65c24dslii.com, and a sweep: the seed request from the
#      client's own addresses, source port after source port over the
#      client's ephemeral range (narrowed to SWEEP_PORTS in the client
#      namespace), random sequence numbers, which meets the client's live
#      connections and the server's TIME_WAIT sockets of it (the client's
#      last request of a connection says "Connection: close"); a quarter
#      of the packets each; MIX_S s) while the real client works. Apart
#      from phase 3 so that a SYN-rate ban there cannot hide what forged
#      requests do (drained request buckets, a ban earned on a TIME_WAIT
#      socket).
#   3. The same with forged SYNs too (a fifth each).
#   In 2 and 3:
#        - no ban covers the client's addresses or any address of
#          192.0.2.0/24 or 2001:db8::/64;
#        - no ban at all (every source was forged);
#        - the client saw no reset (curl exit 56, or 7: refused);
#        - the client saw no deferral: its namespace's
#          TcpExtTCPSynRetrans did not move (a SYN of it, or the SYN-ACK,
#          was lost: a dropped SYN);
#        - legitimate success >= 99% (HTTP 200, curl exit 0), and the
#          server logged every request the client got answered.
# Judged by floodshield's ban list, the client's results, the client
# kernel's counters and the server's access log; never by timing. A
# failure prints the shield's non-zero counters (which reason dropped
# what) and its bans.
set -u

FS_PIN=/sys/fs/bpf/fs-spoof-$$		# replaced per phase by proof_shield_up
# shellcheck source=tests/ns/proof_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/proof_lib.sh"

T=60_spoof
SPOOF_VARIANTS=${SPOOF_VARIANTS:-nginx apache}
SPOOF_RATE=${SPOOF_RATE:-12000}		# packets/s, target (>= 10k)
SYN_S=${SYN_S:-3}			# phase 1
MIX_S=${MIX_S:-6}			# phases 2 and 3
LEGIT_PERIOD=0.2			# a new connection every 0.2 s ...
LEGIT_PER_CONN=5			# ... with 5 requests on it
LEGIT_ITER=$(awk -v d="$MIX_S" -v p="$LEGIT_PERIOD" 'BEGIN { print int(d / p) }')
LEGIT_MIN_PCT=99
CLIENT_NET=192.0.2.0/24
CLIENT_NET6=2001:db8::/64
SWEEP_PORTS=40000-40511			# the client's ephemeral ports, swept

# spoof OUT KINDS DURATION: the generator in the client namespace.
spoof()
{
	local out=$1 kinds=$2 dur=$3 count

	count=$(awk -v r="$SPOOF_RATE" -v d="$dur" 'BEGIN { print int(r * d) }')
	timeout $((${dur%.*} + 30)) ip netns exec "$FS_CLI_NS" "$FS_PY" "$PROOF_SPOOF" \
		--dst "$FS_SRV4" --dport "$HTTP_PORT" --kinds "$kinds" \
		--sources own,net,random --own "$FS_CLI4" --net "$CLIENT_NET" \
		--random 198.51.100.0/24,203.0.113.0/24 --exclude "$FS_SRV4,$FS_SRV6" \
		--dst6 "$FS_SRV6" --own6 "$FS_CLI6" --net6 "$PROOF_NET6" \
		--random6 "$PROOF_RANDOM6" \
		--host "$PROOF_HOST" --rate "$SPOOF_RATE" --duration "$dur" \
		--sweep-ports "$SWEEP_PORTS" --count "$count" >"$out" 2>"$out.err"
}

spoof_note()
{
	fs_note "$1: spoofer: $(fs_json "'%d packets in %.1f s: %d/s (target %d/s); by kind %s; by source %s; by family %s; send errors %d' % (d['sent'], d['duration_s'], d['rate_pps'], d['target_pps'], d['by_kind'], d['by_source'], d['by_family'], d['errors'])" <"$2")"
}

explain()
{
	fs_note "  counters: $(proof_counters)"
	fs_note "  bans: $(proof_bans | head -n 8 | paste -sd, -) ($(proof_bans | grep -c .) in all)"
}

phase_syn()
{
	local v=$1 L="$T: $1: SYN flood alone" out=$FS_TMP/$1-syn.json bans list rc

	if ! proof_shield_up "$v-syn" 2>"$FS_TMP/shield.err"; then
		fs_fail "$L: shield attached" "$(cat "$FS_TMP/shield.err")"
		return
	fi
	if ! spoof "$out" syn "$SYN_S"; then
		fs_fail "$L: spoofer ran" "$(tail -n 5 "$out.err")"
		proof_shield_down
		return
	fi
	spoof_note "$L" "$out"
	list=$(proof_bans 2>"$FS_TMP/bans.err")
	rc=$?
	bans=$(grep -c . <<<"$list")
	[ "$rc" = 0 ] && [ "$bans" = 0 ]
	fs_result $? "$L: makes 0 bans" "$bans bans:" "$(head -n 5 <<<"$list")" \
		"$(cat "$FS_TMP/bans.err")"
	if [ "$rc" != 0 ] || [ "$bans" != 0 ]; then
		explain
	fi
	proof_shield_down
}

# phase_mix VARIANT NAME KINDS LABEL
phase_mix()
{
	local v=$1 name=$2 kinds=$3 L="$T: $1: $4" out=$FS_TMP/$1-$2.json
	local legit=$FS_TMP/$1-$2-legit.txt touching bans sum n ok resets codes
	local retrans0 retrans1 logged want_pct list rc tw pid4 pid6 t

	if ! proof_shield_up "$v-$name" 2>"$FS_TMP/shield.err"; then
		fs_fail "$L: shield attached" "$(cat "$FS_TMP/shield.err")"
		return
	fi
	retrans0=$(proof_cli_netstat TcpExtTCPSynRetrans)
	proof_legit_bg "$legit.4" "$legit.err" "$LEGIT_ITER" "$LEGIT_PERIOD" "$LEGIT_PER_CONN" \
		"$MIX_S" "$name" 4
	pid4=$PROOF_LEGIT_PID
	proof_legit_bg "$legit.6" "$legit.err6" "$LEGIT_ITER" "$LEGIT_PERIOD" "$LEGIT_PER_CONN" \
		"$MIX_S" "${name}6" 6
	pid6=$PROOF_LEGIT_PID
	if ! spoof "$out" "$kinds" "$MIX_S"; then
		fs_fail "$L: spoofer ran" "$(tail -n 5 "$out.err")"
	fi
	tw=$(fs_in_srv ss -Htan state time-wait |
		awk -v a="$FS_CLI4:" -v b="[$FS_CLI6]:" 'index($4, a) == 1 || index($4, b) == 1' | grep -c .)
	wait "$pid4" "$pid6"
	cat "$legit.4" "$legit.6" >"$legit"
	cat "$legit.err6" >>"$legit.err"
	retrans1=$(proof_cli_netstat TcpExtTCPSynRetrans)
	spoof_note "$L" "$out"
	fs_note "$L: the server's TIME_WAIT sockets of the client when the sweep ended: $tw"

	touching=
	for t in "$CLIENT_NET" "$CLIENT_NET6"; do
		touching+=$(proof_bans_touching "$t" 2>>"$FS_TMP/bans.err") || touching+="unreadable "
	done
	[ -z "$touching" ]
	fs_result $? "$L: no ban covers the client ($FS_CLI4, $FS_CLI6), its /24 or its /64" \
		"bans touching $CLIENT_NET or $CLIENT_NET6:" "$(head -n 5 <<<"$touching")" \
		"$(cat "$FS_TMP/bans.err")"
	list=$(proof_bans 2>"$FS_TMP/bans.err")
	rc=$?
	bans=$(grep -c . <<<"$list")
	[ "$rc" = 0 ] || bans=unreadable
	[ "$bans" = 0 ]
	fs_result $? "$L: no ban at all (every source was forged)" \
		"$bans bans:" "$(head -n 5 <<<"$list")" "$(cat "$FS_TMP/bans.err")"

	sum=$(proof_legit_summary "$legit")
	read -r n ok _ resets codes <<<"$sum"
	fs_note "$L: client: $n requests, $ok answered 200, failures by curl exit code: $codes;" \
		"SYN retransmissions $((retrans1 - retrans0))"
	[ "${n:-0}" -gt 0 ] && [ "$resets" = 0 ]
	fs_result $? "$L: the client saw no reset" \
		"$resets resets (curl 56/7) of $n requests" "$(sort "$legit.err" | uniq -c | head -n 5)"
	[ "$retrans1" = "$retrans0" ]
	fs_result $? "$L: the client saw no deferral (no SYN retransmitted)" \
		"TcpExtTCPSynRetrans in the client namespace: $retrans0 -> $retrans1"
	want_pct=$((n * LEGIT_MIN_PCT))
	[ "${n:-0}" -gt 0 ] && [ $((ok * 100)) -ge "$want_pct" ]
	fs_result $? "$L: legitimate success >= $LEGIT_MIN_PCT% ($ok of $n)" \
		"failures by curl exit code: $codes" "$(sort "$legit.err" | uniq -c | head -n 5)"
	logged=$(( $(proof_legit_logged "$name") + $(proof_legit_logged "${name}6") ))
	[ "$logged" -ge "${ok:-0}" ] && [ "${ok:-0}" -gt 0 ]
	fs_result $? "$L: the server logged the client's answered requests ($logged lines, $ok answered)"

	if [ -n "$touching" ] || [ "$bans" != 0 ] || [ "$resets" != 0 ] ||
		[ "$retrans1" != "$retrans0" ] || [ $((ok * 100)) -lt "$want_pct" ]; then
		explain
	fi
	proof_shield_down
}

run_variant()
{
	local v=$1 t0=$SECONDS

	if ! proof_server_start "$v" 2>"$FS_TMP/server.err"; then
		fs_fail "$T: $v: server started" "$(cat "$FS_TMP/server.err")"
		proof_server_stop
		return
	fi
	fs_note "$T: $(proof_server_describe)"
	phase_syn "$v"
	phase_mix "$v" req ack,good,bad,sweep "forged ACK/good/bad/sweep"
	phase_mix "$v" all syn,ack,good,bad,sweep "forged SYN/ACK/good/bad/sweep"
	proof_server_stop
	fs_note "$T: $v: $((SECONDS - t0)) s"
}

main()
{
	local start=$SECONDS v

	# shellcheck disable=SC2086
	proof_begin spoof $SPOOF_VARIANTS || exit 0
	if ! fs_in_cli sysctl -qw net.ipv4.ip_local_port_range="${SWEEP_PORTS/-/ }"; then
		fs_fail "$T: namespaces, veth, sources and neighbour entries set up"
		exit 0
	fi
	for v in $SPOOF_VARIANTS; do
		run_variant "$v"
	done
	proof_cleanup
	fs_note "$T: $FS_FAILS failed, $((SECONDS - start)) s"
	exit 0
}

main "$@"
