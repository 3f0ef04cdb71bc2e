# SPDX-License-Identifier: GPL-2.0
#
# make bench-insns, inside the test VM (sourced by guest.sh when
# BENCH_INSNS is set, after it has set up the link and the paths): for each
# flavour and path, trafgen (one process, CPU 0) sends a quarter of
# BENCH_FRAMES 64-byte frames, then BENCH_FRAMES, and the instructions the
# guest executed meanwhile (all CPUs, and each CPU apart) are counted by
# insns-plugin.c, snapshotted before, between and after.  The difference
# of the two runs is the cost of the frames alone: each run also starts
# and ends a trafgen process (about 25 million instructions), which would
# otherwise add the same to every path.  Both are preceded by BENCH_FRAMES
# / 5 frames not counted: the first frames of a path meet cold caches and
# code not yet translated.  With BENCH_RX=1, then the same for the
# receiving CPU: RPS on the link steers every frame to CPU 1,
# BENCH_RX_FRAMES frames (8000),
# BENCH_RX_GAP (50us) apart, at least three rounds: CPU 1's timer tick
# costs each frame what the run's duration decides, which the median of
# more rounds evens out.  insns.py turns the snapshots into
# instructions per frame.

INSNS_FRAMES=${BENCH_FRAMES:-200000}
INSNS_PATHS=${BENCH_PATHS:-bare grecap kernel}
INSNS_ROUNDS=${BENCH_ROUNDS:-2}
# BENCH_RX=1: the receiving CPU's runs too (insns_rx_runs).  Not by
# default: two long runs stopped in the guest after them, a sender that
# never returned, not yet understood.
INSNS_RX=${BENCH_RX:-0}
INSNS_RX_FRAMES=${BENCH_RX_FRAMES:-8000}
INSNS_RX_GAP=${BENCH_RX_GAP:-50us}
# The receiving CPU's runs: at least 3 rounds, for their median.
INSNS_RX_ROUNDS=${BENCH_RX_ROUNDS:-$((INSNS_ROUNDS > 3 ? INSNS_ROUNDS : 3))}

insns_taken() {
	[ ! -e "$OUT/insns.trigger" ]
}

# insns_snap LABEL: have the plugin write its counts as insns-LABEL.txt.
insns_snap() {
	echo "$1" >"$OUT/insns.tmp"
	mv "$OUT/insns.tmp" "$OUT/insns.trigger"
	busywait 60000 insns_taken || {
		echo "bench-insns: the plugin did not answer (run-vm.sh -p?)"
		exit 1
	}
}

# insns_wait N: until the path's counter reaches N (frames still queued
# when trafgen returns), or 10 s; insns.py flags a run short of frames.
insns_wait() {
	local want=$1

	insns_reached() { (($(rd "$COUNTER") >= want)); }
	busywait 10000 insns_reached
}

# tg_send CFG N [GAP]: send N frames (GAP apart: trafgen's -t) and return.
tg_send() {
	ip netns exec "$SND" taskset -c 0 trafgen -d snd0 -c "$1" -n "$2" -P 1 \
		-t "${3:-0}" -q -C \
		>/dev/null 2>"$TMP/trafgen.log" || {
		cat "$TMP/trafgen.log"
		exit 1
	}
}

# insns_run FLAVOUR PATH TAG CFG N GAP FILE: the three snapshots around a
# flood of N / 4 frames and one of N (each preceded by N / 5 not counted),
# and the frames sent and counted of each into FILE.
insns_run() {
	local flavour=$1 path=$2 tag=$3 cfg=$4 n=$5 gap=$6 c0 c1 c2

	path_setup "$path" "$flavour"
	c0=$(rd "$COUNTER")
	tg_send "$cfg" $((n / 5)) "$gap"
	insns_wait $((c0 + n / 5))
	c0=$(rd "$COUNTER")
	insns_snap "$tag-0"
	tg_send "$cfg" $((n / 4)) "$gap"
	insns_wait $((c0 + n / 4))
	c1=$(rd "$COUNTER")
	insns_snap "$tag-1"
	tg_send "$cfg" "$n" "$gap"
	insns_wait $((c1 + n))
	insns_snap "$tag-2"
	c2=$(rd "$COUNTER")
	path_teardown "$path"
	echo "$flavour $path ${tag##*-}" "$((n / 4)) $((c1 - c0))" \
		"$n $((c2 - c1))" | tee -a "$7"
}

# insns_rx_runs FLAVOUR CFG: the receiving CPU's own figure.  The link's
# RPS steers each frame to CPU 1, the sender stays on CPU 0, and frames
# come apart, one per softirq as a NIC's interrupts would bring them at a
# moderate rate: in a flood, how many frames a softirq takes at once would
# depend on how fast the path is, and so would the per-frame share of its
# cost.  A spinner in user space keeps CPU 1 out of idle, whose entry and
# exit would cost each frame what its timing decides; insns.py counts CPU
# 1's kernel instructions only.  This script and what it starts stay on
# CPU 0.
insns_rx_runs() {
	local flavour=$1 cfg=$2 round path spinner

	echo 2 >/sys/class/net/col0/queues/rx-0/rps_cpus
	taskset -c 1 bash -c 'while :; do :; done' &
	spinner=$!
	taskset -p -c 0 $$ >/dev/null
	for round in $(seq "$INSNS_RX_ROUNDS"); do
		for path in $INSNS_PATHS; do
			insns_run "$flavour" "$path" \
				"$flavour-$path-rx-$round" "$cfg" \
				"$INSNS_RX_FRAMES" "$INSNS_RX_GAP" \
				"$OUT/insns-rxframes.txt"
		done
	done
	kill "$spinner"
	wait "$spinner" 2>/dev/null
	taskset -p -c 0,1 $$ >/dev/null
	echo 0 >/sys/class/net/col0/queues/rx-0/rps_cpus
}

insns_main() {
	local flavour path round cfg

	[ -n "$OUT" ] || { echo "bench-insns: BENCH_OUT is not set"; exit 1; }
	cp /proc/kallsyms "$OUT/kallsyms.txt"
	: >"$OUT/insns-frames.txt"
	: >"$OUT/insns-rxframes.txt"
	echo "# kernel $(uname -r), $(nproc) CPUs, floods of" \
		"$((INSNS_FRAMES / 4)) and $INSNS_FRAMES frames per run"
	if [ "$INSNS_RX" = 1 ]; then
		echo "# receiving CPU: $((INSNS_RX_FRAMES / 4)) and" \
			"$INSNS_RX_FRAMES frames $INSNS_RX_GAP apart"
	fi
	for flavour in $FLAVOURS; do
		cfg=$TMP/insns-$flavour.cfg
		$FRAMES "$flavour" 64 "$COLMAC" >"$cfg" || exit 1
		for round in $(seq "$INSNS_ROUNDS"); do
			for path in $INSNS_PATHS; do
				insns_run "$flavour" "$path" \
					"$flavour-$path-$round" "$cfg" \
					"$INSNS_FRAMES" 0 "$OUT/insns-frames.txt"
			done
		done
		if [ "$INSNS_RX" = 1 ]; then
			insns_rx_runs "$flavour" "$cfg"
		fi
	done
}
