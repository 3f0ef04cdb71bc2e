#!/usr/bin/awk -f
# SPDX-License-Identifier: GPL-2.0
#
# make bench's table, from guest.sh's run lines:
#   TAG SIZE FLAVOUR PATH ROUND FRAMES/S CPU-US/FRAME ALLOCS/FRAME drops=N seq=,L,R,D,S
# Medians over rounds; ratios are taken within a round (paths of one round
# ran back to back), then their median; spread = (max - min) / median.
# Exits 1 when a goal is not met.

function median(list,    n, v, i, j, t) {
	n = split(list, v, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	if (!n)
		return 0
	t = v[int((n + 1) / 2)]
	SPREAD = t + 0 ? (v[n] - v[1]) * 100 / t : 0
	return t
}

# ratio list of path a over path b in the rounds of one tag/size/flavour
function ratios(k, a, b,    r, out) {
	out = ""
	for (r = 1; r <= rounds[k]; r++)
		if ((k SUBSEP b SUBSEP r) in rate && rate[k, b, r] > 0)
			out = out " " rate[k, a, r] / rate[k, b, r]
	return out
}

function fmt_ratio(list,    m) {
	if (list == "")
		return sprintf("%14s", "-")
	m = median(list)
	return sprintf("%6.2f (%4.1f%%)", m, SPREAD)
}

# goal FLAVOUR RATIOS MIN WHAT: print the verdict; 1 when not met
function goal(flavour, list, min, what,    m) {
	if (list == "")
		return 0
	m = median(list)
	printf "  %-9s grecap >= %s x %s: %.2f  %s\n", flavour, min, what, m,
	       (m >= min ? "PASS" : "FAIL")
	return m < min
}

{
	k = $1 SUBSEP $2 SUBSEP $3
	if (!(k in seen)) {
		seen[k] = 1
		keys[++nkeys] = k
	}
	if (!((k SUBSEP $4) in haspath)) {
		haspath[k, $4] = 1
		paths[k] = paths[k] " " $4
	}
	rate[k, $4, $5] = $6
	rates[k, $4] = rates[k, $4] " " $6
	cpu[k, $4] = cpu[k, $4] " " $7
	allocs[k, $4] = allocs[k, $4] " " $8
	if ($5 > rounds[k])
		rounds[k] = $5
	split($9, d, "=")
	drops[k, $4] += d[2]
	split($10, s, "=")
	if (s[2] != "")
		seqc[k, $4] = seqc[k, $4] " [" substr(s[2], 2) "]"
}

END {
	fails = 0
	printf "\n%-5s %-9s %-9s %10s %7s %14s %14s %8s %7s\n", "size",
	       "flavour", "path", "frames/s", "spread", "x bare", "x kernel",
	       "us/frame", "rdrops"
	for (i = 1; i <= nkeys; i++) {
		k = keys[i]
		split(k, f, SUBSEP)
		if (f[1] != "main")
			continue
		n = split(paths[k], p, " ")
		for (j = 1; j <= n; j++) {
			m = median(rates[k, p[j]])
			printf "%-5s %-9s %-9s %10.0f %6.1f%% %s %s %8.2f %7d\n",
			       f[2], f[3], p[j], m, SPREAD,
			       fmt_ratio(ratios(k, p[j], "bare")),
			       fmt_ratio(ratios(k, p[j], "kernel")),
			       median(cpu[k, p[j]]), drops[k, p[j]]
		}
	}

	printf "\nGoals (64-byte payloads, median of the rounds' ratios):\n"
	for (i = 1; i <= nkeys; i++) {
		k = keys[i]
		split(k, f, SUBSEP)
		if (f[1] != "main" || f[2] != 64)
			continue
		fails += goal(f[3], ratios(k, "grecap", "bare"), 0.95,
			      "bare receive")
		fails += goal(f[3], ratios(k, "grecap", "kernel"), 1.6,
			      "the kernel path")
	}

	ks = "seq" SUBSEP 64 SUBSEP "erspan2"
	kn = "noseq" SUBSEP 64 SUBSEP "erspan2"
	if (ks in seen && kn in seen) {
		# Per round: grecap over bare for each kind of frame, then the
		# numbered frames' ratio over the unnumbered ones'.
		l = ""
		for (r = 1; r <= rounds[ks]; r++) {
			if (!(rate[ks, "bare", r] > 0 && rate[kn, "bare", r] > 0 &&
			      rate[kn, "grecap", r] > 0))
				continue
			xs = rate[ks, "grecap", r] / rate[ks, "bare", r]
			xn = rate[kn, "grecap", r] / rate[kn, "bare", r]
			l = l " " xs / xn
		}
		printf "\nSequence accounting (ERSPAN II, 64 bytes; unnumbered frames are parsed as Type I):\n"
		printf "  numbered:     bare %.0f frames/s, ", median(rates[ks, "bare"])
		printf "grecap %.0f: x bare %s\n", median(rates[ks, "grecap"]),
		       fmt_ratio(ratios(ks, "grecap", "bare"))
		printf "  not numbered: bare %.0f frames/s, ", median(rates[kn, "bare"])
		printf "grecap %.0f: x bare %s\n", median(rates[kn, "grecap"]),
		       fmt_ratio(ratios(kn, "grecap", "bare"))
		printf "  numbered over not numbered (x bare): %s\n", fmt_ratio(l)
		printf "  counters after each numbered run (lost,reordered,dup,restart):%s\n",
		       seqc[ks, "grecap"]
	}

	k = "flows" SUBSEP 64 SUBSEP "teb"
	if (k in seen) {
		printf "\nOne stream, 32 inner flows, TEB 64 bytes, tcpdump on grecap0 (CPU 1):\n"
		printf "  without RPS %.0f frames/s (%.1f%%), %.2f us/frame; ",
		       median(rates[k, "reader"]), SPREAD, median(cpu[k, "reader"])
		printf "with RPS on grecap0 %.0f frames/s, %.2f us/frame: ratio %s\n",
		       median(rates[k, "rps"]), median(cpu[k, "rps"]),
		       fmt_ratio(ratios(k, "rps", "reader"))
	}

	header = 0
	for (i = 1; i <= nkeys; i++) {
		k = keys[i]
		split(k, f, SUBSEP)
		if (f[1] != "allocs")
			continue
		if (!header++)
			printf "\nAllocations per frame (kmem tracepoints, 64 bytes; the sender's skb included):\n"
		a = median(allocs[k, "bare"])
		b = median(allocs[k, "grecap"])
		printf "  %-9s bare %.3f, grecap %.3f: decap adds %.3f\n",
		       f[3], a, b, b - a
	}
	printf "\nbench: %d goal(s) not met\n", fails
	exit fails > 0
}
