#!/bin/bash
# Frame forms the kernel delivers to the server but a parser may read
# otherwise (redparse): priority (VID 0) tags, tiny and cut first
# fragments, an IPv6 first fragment ending inside its extension headers,
# an atomic IPv6 fragment, an IPv4 total length short of the frame.
# Each form carries one request over a real connection to nginx, written
# by hand (tests/ns/parse_raw.py, AF_PACKET on the client's veth).
#
# First, without the shield: nginx logs the request of every form (the
# kernel takes the form; otherwise it would be no way past the shield).
# Then, with the shield attached natively: the request with an unserved
# Host (the shield resets it in an ordinary segment) must never be
# logged, whatever the form: the shield judges it, or drops a form no
# real client sends. And a served request in the forms real traffic
# uses (priority tags up to two, atomic fragment, Ethernet padding or a
# trailer) is still logged.
#
# Names carry "rparse" (namespaces, pins); the client kernel's RSTs for
# the hand-written connections (source ports 61000-61999) are dropped by
# an iptables rule inside the client namespace. Everything goes with
# proof_cleanup (EXIT trap).
set -u

FS_TAG=${FS_TAG:-rparse$$}
FS_SRV_IF=rps$$
FS_CLI_IF=rpc$$
FS_PIN=/sys/fs/bpf/fs-proof-$FS_TAG
# shellcheck source=tests/ns/corpus_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/corpus_lib.sh"

T=74_parse
RAW=$FS_ROOT/tests/ns/parse_raw.py
BAD_HOST=0jejhcec65c24dslii.com
GOOD_HOST=www.example.org
SHIELD_SETTINGS="http.server=both syn.cookies=off syn.guard=off
syn.tcp.prefix=off syn.http.prefix=off http.req.prefix=off
http.bad.prefix=off conn.prefix=off http.suspect=off"
# form, family; then the source of each phase: kernel (no shield),
# attack (shield, unserved Host), legit (shield, served Host; - when
# the shield drops the form: no real client sends it)
FORMS="
plain 4 198.51.100.90 198.51.100.100 198.51.100.110
prio1 4 198.51.100.91 198.51.100.101 198.51.100.111
prio2 4 198.51.100.92 198.51.100.102 198.51.100.112
prio3 4 198.51.100.93 198.51.100.103 -
frag-tiny 4 198.51.100.94 198.51.100.104 -
frag-doff 4 198.51.100.95 198.51.100.105 -
trailer 4 198.51.100.96 198.51.100.106 198.51.100.116
plain 6 2001:db8::90 2001:db8::100 2001:db8::110
prio1 6 2001:db8::91 2001:db8::101 2001:db8::111
prio3 6 2001:db8::93 2001:db8::103 -
frag-doff 6 2001:db8::95 2001:db8::105 -
frag-chain 6 2001:db8::97 2001:db8::107 -
atomic 6 2001:db8::98 2001:db8::108 2001:db8::118
"
PARSE_ONLY=${PARSE_ONLY:-}	# forms to run (default: all)

# Every source of $FORMS on the client's veth, neighbour entries on the
# server's; the client kernel's RSTs for the raw connections dropped.
sources_up()
{
	local cmac a plen

	cmac=$(fs_mac "$FS_CLI_NS" "$FS_CLI_IF")
	for a in $(awk 'NF { print $3; print $4; if ($5 != "-") print $5 }' <<<"$FORMS"); do
		plen=32
		[ "${a#*:}" != "$a" ] && plen=128
		ip -n "$FS_CLI_NS" addr add "$a/$plen" dev "$FS_CLI_IF" nodad 2>/dev/null ||
			ip -n "$FS_CLI_NS" addr add "$a/$plen" dev "$FS_CLI_IF" || return 1
		ip -n "$FS_SRV_NS" neigh replace "$a" lladdr "$cmac" \
			nud permanent dev "$FS_SRV_IF" || return 1
	done
	fs_in_cli iptables -A OUTPUT -p tcp --sport 61000:61999 \
		--tcp-flags RST RST -j DROP &&
		fs_in_cli ip6tables -A OUTPUT -p tcp --sport 61000:61999 \
			--tcp-flags RST RST -j DROP
}

# Log lines of both vhosts from SRC whose request line names TAG.
tagged_lines()
{
	cat "$CORPUS_LOG_DIR/default.log" "$CORPUS_LOG_DIR/served.log" 2>/dev/null |
		awk -v s="$1" -v t="form=$2 " '$1 == s && index($0, t)'
}

# shellcheck disable=SC2317	# called through fs_wait_until
idle() { [ -z "$(corpus_open_sockets)" ]; }

# send FORM SRC HOST TAG: one connection; its report as a note.
send()
{
	local form=$1 src=$2 host=$3 tag=$4 dst=$FS_SRV4 smac out

	[ "${src#*:}" != "$src" ] && dst=$FS_SRV6
	smac=$(fs_mac "$FS_SRV_NS" "$FS_SRV_IF")
	out=$(timeout 30 ip netns exec "$FS_CLI_NS" "$FS_PY" "$RAW" \
		--iface "$FS_CLI_IF" --gw-mac "$smac" --src "$src" --dst "$dst" \
		--sport $((61000 + RANDOM % 1000)) --host "$host" --tag "$tag" \
		"$form" 2>&1)
	fs_note "$T: $tag: $out"
}

# Whether FORM is among PARSE_ONLY (all when it is empty).
selected() { [ -z "$PARSE_ONLY" ] || [ "${PARSE_ONLY#*"$1"}" != "$PARSE_ONLY" ]; }

# The source and Host of a form's connection in PHASE: k (no shield,
# served Host), a (unserved Host), l (served Host; - when the shield
# drops the form).
phase_of()
{
	case $1 in
	k) echo "$3 $GOOD_HOST" ;;
	a) echo "$4 $BAD_HOST" ;;
	l) echo "$5 $GOOD_HOST" ;;
	esac
}

# Every form's connection of PHASE at once, each from a source of its own
# (the raw senders each read only their own connection's frames), their
# notes in order afterwards; then wait until nginx has closed every
# connection, so that it has logged every request it read.
send_phase()
{
	local phase=$1 form fam ksrc asrc lsrc src host pids=() pid

	while read -r form fam ksrc asrc lsrc; do
		{ [ -z "$form" ] || ! selected "$form"; } && continue
		read -r src host < <(phase_of "$phase" "$form" "$ksrc" "$asrc" "$lsrc")
		[ "$src" = - ] && continue
		send "$form" "$src" "$host" "$phase$fam-$form" \
			>"$FS_TMP/$phase$fam-$form.note" 2>&1 &
		pids+=("$!")
	done <<<"$FORMS"
	for pid in "${pids[@]}"; do
		wait "$pid"
	done
	cat "$FS_TMP/$phase"*.note 2>/dev/null
	fs_wait_until 5 idle
}

# The kernel delivers each form: nginx logs its served request.
kernel_phase()
{
	local form fam ksrc asrc lsrc tag

	send_phase k
	while read -r form fam ksrc asrc lsrc; do
		{ [ -z "$form" ] || ! selected "$form"; } && continue
		tag=k$fam-$form
		[ -n "$(tagged_lines "$ksrc" "$tag")" ]
		fs_result $? "$T: IPv$fam $form: without the shield, nginx logs the request (the kernel takes the form)"
	done <<<"$FORMS"
}

shield_phase()
{
	local form fam ksrc asrc lsrc tag

	send_phase a
	send_phase l
	while read -r form fam ksrc asrc lsrc; do
		{ [ -z "$form" ] || ! selected "$form"; } && continue
		tag=a$fam-$form
		[ -z "$(tagged_lines "$asrc" "$tag")" ]
		fs_result $? "$T: IPv$fam $form: an unserved Host never reaches nginx" \
			"nginx logged: $(tagged_lines "$asrc" "$tag")" \
			"counters: $(proof_counters)"
		[ "$lsrc" = - ] && continue
		tag=l$fam-$form
		[ -n "$(tagged_lines "$lsrc" "$tag")" ]
		fs_result $? "$T: IPv$fam $form: a served request still reaches nginx" \
			"counters: $(proof_counters)"
	done <<<"$FORMS"
}

main()
{
	local why

	why=$(corpus_missing)
	[ -z "$why" ] && [ ! -x "$FS_BIN" ] && why="needs $FS_BIN (run make)"
	for t in iptables ip6tables; do
		[ -z "$why" ] && ! command -v "$t" >/dev/null && why="needs $t"
	done
	if [ -n "$why" ]; then
		fs_fail "$T: prerequisites" "$why"
		exit 0
	fi
	FS_TMP=$(mktemp -d /tmp/fs-rparse-"$FS_TAG".XXXXXX) || fs_die "mktemp"
	proof_trap_cleanup
	if ! fs_topo_up || ! sources_up; then
		fs_fail "$T: namespaces, veth and sources set up"
		exit 0
	fi
	if ! corpus_server_start nginx 2>"$FS_TMP/server.err"; then
		fs_fail "$T: nginx started" "$(cat "$FS_TMP/server.err")"
		exit 0
	fi
	fs_note "$T: $(corpus_server_version)"
	kernel_phase
	# shellcheck disable=SC2086
	if ! proof_shield_up rparse $SHIELD_SETTINGS 2>"$FS_TMP/shield.err" ||
		! fs_cli ports set "$HTTP_PORT" http >"$FS_TMP/shield.err" 2>&1; then
		fs_fail "$T: shield attached" "$(cat "$FS_TMP/shield.err")"
		exit 0
	fi
	shield_phase
	fs_note "$T: counters: $(proof_counters)"
	corpus_server_stop
	proof_cleanup
	exit 0
}

main "$@"
