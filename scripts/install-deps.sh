#!/bin/sh
# Install the Debian packages floodshield needs: with no argument what the
# build and the demo need (the demo's servers: Apache, and nginx for
# `demo.sh --server nginx`); with --test also the real servers the tests
# start (nginx, unbound, Postfix, Prometheus) and their clients; with
# --bench what the benchmarks add (nginx, iptables, curl, gnuplot, and
# Postfix and unbound for the SMTP flood); with --kernel-check what
# `make kernel-check` needs to boot Debian 12's kernel under qemu
# (qemu-system-x86, busybox-static, cpio, kmod's modinfo, and unbound and
# publicsuffix, which its initramfs carries for the DNS suites); with
# --unit-check what `make unit-check` needs (systemd-nspawn, debootstrap).
# Idempotent: a no-op (no apt-get at all) when everything is installed.
# Packages go in without their Recommends, so every package a script or
# test uses is named here, also a library a named tool only recommends.
# `make fresh-check` proves these lists complete on a minimal Debian 12.
#
# The system services that newly installed server packages start on the
# host (Apache and nginx on :80, Prometheus on :9090, ...) are stopped and
# disabled: the tests and the demo run their own instances inside network
# namespaces. Services of packages that were already installed are left
# alone. (Apache and nginx installed together both want port 80: Debian's
# scripts then start one and skip the other without failing.)
set -eu

PKGS="make gcc clang llvm libbpf-dev libxdp-dev bpftool xdp-tools libelf-dev
zlib1g-dev libcap-dev pkg-config iproute2 ncat procps python3 libinih-dev
libmicrohttpd-dev libunbound-dev apache2 nginx publicsuffix"
# libio-socket-inet6-perl: swaks speaks IPv6 only with it (a Recommends).
# systemd: systemd-analyze checks the unit file; a container has none.
# iptables: the DNAT rules of 64_dnat.sh and the proof tests (inside
# their own namespaces only); conntrack: 64_dnat.sh's look at the entry;
# curl: the legitimate client of the proof and SYN-cookie tests.
# clang-format: make test's style check (scripts/check-format.sh).
# libclang-rt-14-dev: libFuzzer, ASan and UBSan runtimes for clang 14
# (the fuzz targets, scripts/fuzz.sh).
TEST_PKGS="nginx unbound bind9-dnsutils prometheus postfix swaks publicsuffix
libio-socket-inet6-perl systemd iptables conntrack curl clang-format
libclang-rt-14-dev"
BENCH_PKGS="nginx iptables curl gnuplot-nox postfix unbound"
KCHECK_PKGS="qemu-system-x86 busybox-static cpio kmod unbound publicsuffix"
# make unit-check: a booted systemd in a container, on a debootstrap root
UNIT_PKGS="systemd-container debootstrap"
SERVICES="apache2 nginx unbound prometheus prometheus-node-exporter postfix"

case "${1:-}" in
--test) PKGS="$PKGS $TEST_PKGS" ;;
--bench) PKGS="$PKGS $BENCH_PKGS" ;;
--kernel-check) PKGS="$PKGS $KCHECK_PKGS" ;;
--unit-check) PKGS="$PKGS $UNIT_PKGS" ;;
esac

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" |
	debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing

# Stop what the new packages started on the host (systemd only).
if [ -d /run/systemd/system ]; then
	for s in $SERVICES; do
		case " $missing " in
		*" $s "*) systemctl disable --now "$s" >/dev/null 2>&1 || true ;;
		esac
	done
fi
exit 0
