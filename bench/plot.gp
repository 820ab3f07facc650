# ns per packet by class: floodshield (IPv4, IPv6) against xdp-filter's
# all-features object (xdpfilt_alw_all) on the same frames, the trivial
# XDP_PASS floor (line) and each class's target (ticks). Reads
# bench-ns.dat (bench/report.py), writes bench-ns.png; run in that folder.
set terminal pngcairo size 1500,720 font "DejaVu Sans,10"
set output "bench-ns.png"
set title "floodshield per-packet cost (BPF\\_PROG\\_TEST\\_RUN kernel duration, median of runs)"
set ylabel "ns per packet (log scale)"
set logscale y
set yrange [10:*]
set grid ytics
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -35 left nomirror
set key top left
floor = system("awk '!/^#/ { print $7; exit }' bench-ns.dat") + 0
plot "bench-ns.dat" using 2:xtic(1) title "floodshield IPv4" lc rgb "#1f77b4", \
     "" using 3 title "floodshield IPv6" lc rgb "#6baed6", \
     "" using 4 title "xdp-filter alw\\_all IPv4" lc rgb "#ff7f0e", \
     "" using 5 title "xdp-filter alw\\_all IPv6" lc rgb "#fdbe85", \
     "" using ($0):6 with points pt 5 ps 1.2 lc rgb "#d62728" title "target (ratio × floor)", \
     floor with lines lw 2 lc rgb "#2ca02c" title sprintf("trivial XDP\\_PASS (%.0f ns)", floor)
