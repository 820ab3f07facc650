#!/bin/sh
# One writer per list (docs/design.md, "One writer per list"): an entry
# of fs_allow, fs_block, fs_bans, fs_dns or fs_hosts is applied by the
# program only with its prefilter bit (for a host, the served-host bits)
# set, so userspace writes those maps through loader/lists.c alone; so
# does it fs_own (the server's own addresses: no bit, but its writers,
# the attach and the config sync, are known, loader/own.h).
#
# In loader/ and userspace/, outside loader/lists.c, every
# bpf_map_update_elem() and bpf_map_delete_elem() must show which map it
# writes by its first argument, and that map must not be a list: a
# field or variable named after a map that is not one (cfg_fd,
# d->maps.daemon, counters_to), or a variable the file assigned only
# from fs_map_open*() of such a map's name (FS_MAP_CFG, FS_MAP_SVC). A
# call on a list map, or on an fd the check cannot tell (a bare `fd`
# parameter), fails. So does fs_filter_mark*() (the marking lists.c
# does) outside lists.c and filter.c. tests/ and bench/ may write raw,
# as bpftool would (the rebuild tests do). Run by `make test`; prints
# every offending call.
set -eu
cd "$(dirname "$0")/.."

out=$(find loader userspace -name '*.c' | sort | perl -e '
	my $list = qr/ALLOW|BLOCK|BANS|DNS|HOSTS|OWN/;
	my $other = qr/cfg|svc|daemon|counters|smtp/;	# maps that are not lists
	while (my $f = <STDIN>) {
		chomp $f;
		next if $f eq "loader/lists.c";
		open(my $fh, "<", $f) or die "$f: $!";
		local $/;
		my $src = <$fh>;
		my (%islist, %isother);
		while ($src =~ /(\w+)\s*=\s*fs_map_open\w*\s*\([^;]*?FS_MAP_(\w+)/g) {
			my ($var, $map) = ($1, $2);
			$map =~ /^(?:$list)$/ ? ($islist{$var} = 1) : ($isother{$var} = 1);
		}
		while ($src =~ /\b(bpf_map_(?:update|delete)_elem)\s*\(\s*([^,]+?)\s*,/g) {
			my ($fn, $arg) = ($1, $2);
			my $line = 1 + (substr($src, 0, $-[0]) =~ tr/\n//);
			my $last = $arg =~ /(\w+)\W*$/ ? $1 : $arg;
			my $why;
			if ($islist{$arg} || $arg =~ /FS_MAP_(?:$list)\b/ ||
			    lc($last) =~ /^(?:fs_)?(?:allow|block|bans|dns|hosts|own)$/) {
				$why = "writes a list map";
			} elsif (!($isother{$arg} || $last =~ /^(?:fs_)?(?:$other)/i)) {
				$why = "writes a map this check cannot tell (name the fd after its map: cfg_fd, svc_fd)";
			}
			print "$f:$line: $fn($arg, ...) $why; lists, bans, DNS verdicts, hosts and own addresses go through loader/lists.h\n"
				if $why;
		}
		next if $f eq "loader/filter.c";
		while ($src =~ /\b(fs_filter_mark\w*)\s*\(/g) {
			my $line = 1 + (substr($src, 0, $-[0]) =~ tr/\n//);
			print "$f:$line: $1() outside loader/lists.c; write the entry with fs_list_put() (loader/lists.h), which marks it\n";
		}
	}
')
if [ -n "$out" ]; then
	printf 'check-writers: %s\n' "$out" | sed '2,$s/^/check-writers: /'
	exit 1
fi
echo "check-writers: lists, bans, DNS verdicts, hosts and own addresses are written by loader/lists.c only"
