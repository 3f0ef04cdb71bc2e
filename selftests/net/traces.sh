#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Real captures: every file of ../shared/traces (beside the project; its
# MANIFEST.tsv says what each holds) replayed into a fresh catch-all
# grecap device, and checked against what the protocols say must come
# out (grecap_replay.py): each delivered frame byte for byte, each drop
# under its counter, what goes to the stack, and the sequence counters
# against the numbers in the file.  Skips when the folder is absent.

source "$(dirname "$0")/lib.sh"

ALL_TESTS="
	replay_all
	known_figures
"

TRACES=${GRECAP_TRACES:-$TOP/../shared/traces}
[ -r "$TRACES/MANIFEST.tsv" ] || skip "no captures at $TRACES"

# replay INDEX FILE: one capture into a new device tr<INDEX>, made on col0
# and moved to the sender's namespace, where the replaying process reads
# it as a sniffer would.  Leaves the device for the caller to read.
replay() {
	local i=$1 file=$2

	ip -n "$COL" link add "tr$i" link col0 type grecap &&
		ip -n "$COL" link set "tr$i" netns "$SND" &&
		ip -n "$SND" link set "tr$i" up || {
		fail "$file: no device to replay into"
		return 1
	}
	pkt replay "$TRACES/$file" --link snd0 --dst-mac "$CMAC" --dev "tr$i" \
		--index "$i" --dst4 $COL4 --dst6 $COL6 || RET=$ksft_fail
}

replay_all() {
	local i=0 file n=0

	while IFS=$'\t' read -r file _; do
		[ "$file" = file ] && continue
		i=$((i + 1))
		n=$((n + 1))
		replay "$i" "$file"
		ip -n "$SND" link del "tr$i" 2>/dev/null
	done <"$TRACES/MANIFEST.tsv"
	check "the manifest lists captures ($n)" test "$n" -gt 0
	log_test "real captures: delivered byte-exact, drops and sequence counted"
}

# Figures known from the captures themselves, whatever the model says.
known_figures() {
	replay 200 deepflow-decapsulate_test.pcap
	check_eq "deepflow-decapsulate_test: session 100 misses one number" 1 \
		"$(gstat "$SND" tr200 rx_seq_lost)"
	ip -n "$SND" link del tr200
	replay 201 tcpdump-erspan-type-ii-3.pcap
	check_eq "tcpdump-erspan-type-ii-3: 108 frames" 108 \
		"$(gstat "$SND" tr201 rx_packets)"
	check_eq "tcpdump-erspan-type-ii-3: in order, nothing lost" "0 0 0" \
		"$(for s in rx_seq_lost rx_seq_reordered rx_seq_dup; do
			gstat "$SND" tr201 $s; done | xargs)"
	ip -n "$SND" link del tr201
	log_test "known figures: one lost in deepflow's, none in tcpdump's"
}

setup_topo
CMAC=$(mac "$COL" col0)
tests_run
