#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Mirror health: sequence accounting per stream (rx_seq_lost, _reordered,
# _dup, _restart, _untracked) from GRE sequence numbers chosen packet by
# packet, and the ERSPAN source's verdicts (rx_erspan_truncated, _bad).
# Every case numbers its own stream (its own GRE key), so cases run in
# any order.

source "${0%/*}/lib.sh"

ALL_TESTS="
	in_order
	gaps
	reordered
	duplicates
	wrap
	restart
	constant
	streams
	erspan_sessions
	many_streams
	verdicts
	standard_stats
"

SEQ_STATS="rx_seq_lost rx_seq_reordered rx_seq_dup rx_seq_restart rx_seq_untracked"

# seq_base [DEV]: the sequence counters of DEV (grecap0) now, in SEQ_STATS
# order.
seq_base() {
	local s v out=()

	for s in $SEQ_STATS; do
		gstat_v v "$COL" "${1:-grecap0}" "$s"
		out+=("$v")
	done
	echo "${out[*]}"
}

# seq_deltas BASE [DEV]: what each counter of SEQ_STATS rose by since BASE.
seq_deltas() {
	local base=($1) now=($(seq_base "${2:-grecap0}")) i out=()

	for i in "${!now[@]}"; do
		out+=($((now[i] - base[i])))
	done
	echo "${out[*]}"
}

# gre_seqs KEY SEQS: one GRE packet with key KEY per number of SEQS
# ("0-9,12"), sent in that order; returns once grecap0 received them all.
gre_seqs() {
	local key=$1 seqs=$2 r0 n

	n=$(seq_count "$seqs")
	gstat_v r0 "$COL" grecap0 rx_packets
	pkt gre snd0 --dst-mac "$CMAC" --src $SND4 --dst $COL4 --key "$key" \
		--seqs "$seqs" || fail "key $key: sending failed"
	all_received() {
		local v
		gstat_v v "$COL" grecap0 rx_packets && ((v - r0 >= n))
	}
	busywait 5000 all_received ||
		fail "key $key: grecap0 did not receive all $n packets"
}

# seq_count SEQS: how many numbers SEQS lists.
seq_count() {
	local part n=0 lo hi

	for part in ${1//,/ }; do
		lo=${part%-*} hi=${part#*-}
		n=$((n + hi - lo + 1))
	done
	echo $n
}

# seq_case DESC KEY SEQS "LOST REORDERED DUP RESTART UNTRACKED"
seq_case() {
	local desc=$1 key=$2 seqs=$3 want=$4 base

	base=$(seq_base)
	gre_seqs "$key" "$seqs"
	check_eq "$desc [$seqs] lost reordered dup restart untracked" \
		"$want" "$(seq_deltas "$base")"
}

in_order() {
	seq_case "in order" 101 0-199 "0 0 0 0 0"
	log_test "numbers in order: nothing counted"
}

gaps() {
	seq_case "gaps of 2 and 10" 102 0-9,12-19,30 "12 0 0 0 0"
	log_test "skipped numbers counted lost"
}

reordered() {
	seq_case "one swapped pair" 103 0-4,6,5,7-9 "0 1 0 0 0"
	seq_case "three late, after a jump" 104 0-4,8,5,6,7,9 "0 3 0 0 0"
	seq_case "late by 63, the window's edge" 105 0,2-64,1 "0 1 0 0 0"
	log_test "reordered: counted, not lost"
}

duplicates() {
	seq_case "last repeated, older repeated" 106 0-4,4,2,5 "0 0 2 0 0"
	log_test "duplicates counted"
}

wrap() {
	seq_case "across 2^32" 107 4294967290-4294967295,0-5 "0 0 0 0 0"
	seq_case "a gap across 2^32" 108 4294967294-4294967295,1-3 "1 0 0 0 0"
	log_test "numbers wrap at 2^32"
}

restart() {
	seq_case "back to 0 from 5010" 109 5000-5010,0-10 "0 0 0 1 0"
	seq_case "forward by 2^31" 110 0-5,2147483648-2147483650 "0 0 0 1 0"
	seq_case "forward by 2^24 - 1 is loss" 111 0,16777215 "16777214 0 0 0 0"
	log_test "a source numbering anew is a restart, not loss"
}

constant() {
	seq_case "always 0" 112 0,0,0,0,0,0,0,0 "0 0 0 0 0"
	seq_case "always 7" 113 7,7,7,7,7 "0 0 0 0 0"
	seq_case "counting once it changes" 114 7,7,7,8,8,9 "0 0 1 0 0"
	log_test "a source that does not count is not duplicating"
}

# Two streams, interleaved: each in order on its own.
streams() {
	local base

	base=$(seq_base)
	gre_seqs 115 0-4
	gre_seqs 116 100-104
	gre_seqs 115 5-9
	gre_seqs 116 105-110
	check_eq "two keys interleaved, each in order" "0 0 0 0 0" "$(seq_deltas "$base")"
	log_test "streams told apart by GRE key"
}

# ERSPAN Type II: the kernel's senders number each session; one key.
erspan_sessions() {
	local base e0

	base=$(seq_base)
	e0=$(gstat "$COL" grecap0 rx_erspan2)
	pkt erspan snd0 --dst-mac "$CMAC" --src $SND4 --dst $COL4 \
		--type 2 --session 21 --count 10
	pkt erspan snd0 --dst-mac "$CMAC" --src $SND4 --dst $COL4 \
		--type 2 --session 22 --count 10
	check_delta "both sessions delivered" "$COL" grecap0 rx_erspan2 "$e0" 20
	check_eq "sessions 21 and 22, each 0-9" "0 0 0 0 0" "$(seq_deltas "$base")"
	log_test "ERSPAN streams told apart by session"
}

# More streams than a device tracks: the excess is untracked, the
# tracked ones unharmed.  A device of its own (to another address of the
# collector), whose table the other cases' streams then still find free.
many_streams() {
	local base k n=300 d r0

	grecap_add gmany local $COL4B
	base=$(seq_base gmany)
	gstat_v r0 "$COL" gmany rx_packets
	for ((k = 1000; k < 1000 + n; k++)); do
		pkt gre snd0 --dst-mac "$CMAC" --src $SND4 --dst $COL4B --key $k \
			--seqs 0-1 || fail "key $k: sending failed"
	done
	all_in() {
		local v
		gstat_v v "$COL" gmany rx_packets && ((v - r0 >= 2 * n))
	}
	busywait 10000 all_in
	d=($(seq_deltas "$base" gmany))
	ip -n "$COL" link del gmany
	check_eq "$n streams in order: nothing lost, reordered, repeated" \
		"0 0 0 0" "${d[*]:0:4}"
	# 256 slots in sets of 4: at least the 44 streams beyond them, 2
	# packets each, find no slot.
	check "untracked: ${d[4]} packets (at least $((2 * (n - 256))))" \
		test "${d[4]}" -ge $((2 * (n - 256)))
	log_test "more streams than tracked: the rest untracked"
}

# The ERSPAN source's verdicts are counted; the frames still delivered.
verdicts() {
	local t0 b0 f=$TMP/verdict

	t0=$(gstat "$COL" grecap0 rx_erspan_truncated)
	b0=$(gstat "$COL" grecap0 rx_erspan_bad)
	capture_start "$COL" grecap0 "$f.pcap"
	pkt erspan snd0 --dst-mac "$CMAC" --src $SND4 --dst $COL4 \
		--type 2 --session 31 --t 1 --count 3 --expect "$f.2.pcap"
	pkt erspan snd0 --dst-mac "$CMAC" --src $SND4 --dst $COL4 \
		--type 3 --session 32 --bso 2 --t 1 --count 4 --expect "$f.3.pcap"
	pkt erspan snd0 --dst-mac "$CMAC" --src $SND4 --dst $COL4 \
		--type 3 --session 33 --bso 3 --count 5 --expect "$f.4.pcap"
	capture_stop "$f.pcap" 12
	check_delta "T bit (Type II 3, Type III 4): rx_erspan_truncated" \
		"$COL" grecap0 rx_erspan_truncated "$t0" 7
	check_delta "BSO (Type III 4 + 5): rx_erspan_bad" \
		"$COL" grecap0 rx_erspan_bad "$b0" 9
	pkt merge "$f.exp.pcap" "$f.2.pcap" "$f.3.pcap" "$f.4.pcap"
	check "frames delivered byte-exact all the same" \
		pkt compare "$f.exp.pcap" "$f.pcap"
	log_test "ERSPAN T and BSO counted, frames delivered"
}

# A loss upstream of the host is not a drop by grecap0: rx_seq_lost is
# grecap's own counter (sysfs, ethtool -S), the standard rx_missed_errors
# and rx_dropped stay as they were.
standard_stats() {
	local base m0 d0 l0

	base=$(seq_base)
	gstat_v m0 "$COL" grecap0 rx_missed_errors
	gstat_v d0 "$COL" grecap0 rx_dropped
	l0=$(ethtool_stat "$COL" grecap0 rx_seq_lost)
	gre_seqs 117 0,5
	check_eq "0, then 5: four lost" "4 0 0 0 0" "$(seq_deltas "$base")"
	check_eq "ethtool -S rx_seq_lost agrees" 4 \
		$(($(ethtool_stat "$COL" grecap0 rx_seq_lost) - l0))
	check_delta "rx_missed_errors unchanged" "$COL" grecap0 rx_missed_errors "$m0" 0
	check_delta "rx_dropped unchanged" "$COL" grecap0 rx_dropped "$d0" 0
	log_test "losses upstream: rx_seq_lost and ethtool -S, not a drop by grecap0"
}

COL4B=192.0.2.4
setup_topo
ip -n "$COL" addr add $COL4B/24 dev col0
CMAC=$(mac "$COL" col0)
grecap_add grecap0
tests_run
