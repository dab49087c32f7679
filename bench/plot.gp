# SPDX-License-Identifier: GPL-2.0
#
# Chart for bench/xdp-bench.sh: ours against the reference per test, in Mpps,
# with the ratio above each pair. Variables (gnuplot -e): datafile, outfile,
# term (pngcairo, png or svg), chart_title.

if (term eq 'svg') {
	set terminal svg size 1000,600 dynamic font 'Sans,12' background rgb 'white'
} else {
	if (term eq 'pngcairo') {
		set terminal pngcairo size 1000,600 font 'Sans,11' background rgb 'white'
	} else {
		set terminal png size 1000,600 background rgb 'white'
	}
}
set output outfile

set title chart_title font ',10' noenhanced
set ylabel 'Mpps (frames received per second of sending)'
set style data histograms
set style histogram clustered gap 1.5
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics lc rgb '#dddddd'
set key outside top center horizontal noenhanced
set yrange [0:*]
set offsets 0, 0, graph 0.15, 0
set xtics nomirror noenhanced
set xrange [-0.6:2.6]
set ytics nomirror
set bmargin 6

# Reference tool per test, for the x labels.
ref(t) = (t eq 'rxdrop') ? 'xp-ref drop' : (t eq 'l2fwd') ? 'xp-ref tx' : 'xp-gen'

# x label: test, reference, the offered rates (what the sender managed with
# ours / with the reference) and what ours lost of what was sent to it.
tlabel(t, sent, lost, oo, ro) = sprintf("%s (ref: %s)\noffered %.2f / %.2f Mpps\nours lost %.2f%% of %s", \
	t, ref(t), oo, ro, sent > 0 ? 100.0 * lost / sent : 0, t eq 'txonly' ? 'completed' : 'sent')

plot datafile using 2:xticlabels(tlabel(strcol(1), $5, $7, $15, $16)) \
	     title 'ours (xp-bench, AF_XDP copy mode)' lc rgb '#1f77b4', \
     '' using 3 title 'reference (in-kernel XDP)' lc rgb '#ff7f0e', \
     '' using ($0):(($2 > $3 ? $2 : $3)):(sprintf('ratio %.2f', $4)) \
	     with labels offset 0,2.0 font ',11' notitle, \
     '' using ($0 - 0.15):2:(sprintf('%.2f', $2)) with labels offset 0,0.6 font ',9' notitle, \
     '' using ($0 + 0.15):3:(sprintf('%.2f', $3)) with labels offset 0,0.6 font ',9' notitle
