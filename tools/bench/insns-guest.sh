# SPDX-License-Identifier: GPL-2.0
#
# make bench-insns, inside the test VM (sourced by guest.sh when
# BENCH_INSNS is set, after it has set up the link and the paths): for each
# flavour and path, trafgen sends a quarter of BENCH_FRAMES 64-byte frames,
# then BENCH_FRAMES, and the instructions the guest executed meanwhile (all
# CPUs) are counted by insns-plugin.c, snapshotted before, between and
# after.  The difference of the two runs is the cost of the frames alone:
# each run also starts and ends a trafgen process (about 25 million
# instructions), which would otherwise add the same to every path.
# insns.py turns the snapshots into instructions per frame.  Both are
# preceded by BENCH_FRAMES / 5 frames not counted: the first frames of a
# path meet cold caches and code not yet translated.

INSNS_FRAMES=${BENCH_FRAMES:-200000}
INSNS_PATHS=${BENCH_PATHS:-bare grecap kernel}
INSNS_ROUNDS=${BENCH_ROUNDS:-2}

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

# tg_send CFG N: send N frames and return.
tg_send() {
	ip netns exec "$SND" trafgen -d snd0 -c "$1" -n "$2" -P 1 -t 0 -q -C \
		>/dev/null 2>"$TMP/trafgen.log" || {
		cat "$TMP/trafgen.log"
		exit 1
	}
}

insns_main() {
	local flavour path round cfg c0 c1 c2 tag

	[ -n "$OUT" ] || { echo "bench-insns: BENCH_OUT is not set"; exit 1; }
	cp /proc/kallsyms "$OUT/kallsyms.txt"
	: >"$OUT/insns-frames.txt"
	echo "# kernel $(uname -r), $(nproc) CPUs, floods of" \
		"$((INSNS_FRAMES / 4)) and $INSNS_FRAMES frames per run"
	for flavour in $FLAVOURS; do
		cfg=$TMP/insns-$flavour.cfg
		$FRAMES "$flavour" 64 "$COLMAC" >"$cfg" || exit 1
		for round in $(seq "$INSNS_ROUNDS"); do
			for path in $INSNS_PATHS; do
				tag=$flavour-$path-$round
				path_setup "$path" "$flavour"
				c0=$(rd "$COUNTER")
				tg_send "$cfg" $((INSNS_FRAMES / 5))
				insns_wait $((c0 + INSNS_FRAMES / 5))
				c0=$(rd "$COUNTER")
				insns_snap "$tag-0"
				tg_send "$cfg" $((INSNS_FRAMES / 4))
				insns_wait $((c0 + INSNS_FRAMES / 4))
				c1=$(rd "$COUNTER")
				insns_snap "$tag-1"
				tg_send "$cfg" "$INSNS_FRAMES"
				insns_wait $((c1 + INSNS_FRAMES))
				insns_snap "$tag-2"
				c2=$(rd "$COUNTER")
				path_teardown "$path"
				echo "$flavour $path $round" \
					"$((INSNS_FRAMES / 4)) $((c1 - c0))" \
					"$INSNS_FRAMES $((c2 - c1))" |
					tee -a "$OUT/insns-frames.txt"
			done
		done
	done
}
