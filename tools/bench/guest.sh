#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench, inside the test VM: receive rates of grecap and of what users
# do without it, side by side in one boot, on the same frames from the same
# generator.
#
#   netns $SND: trafgen on snd0 (one process, CPU 0) ---- col0 (this netns)
#
# A veth receives on the sending CPU, so CPU 0 sends and receives: each
# rate is 1 / (send + receive cost), and paths are compared by ratios.
# Readers (tcpdump) run on CPU 1.
#
# Paths:
#   bare     the frames dropped by a tc matchall at col0's ingress: the cost
#            of taking a packet off the wire at all
#   grecap   grecap0 (catch-all on col0), no reader
#   reader   grecap0 read by tcpdump -w /dev/null (AF_PACKET, TPACKET_V3)
#   kernel   the kernel's gretap/gre/erspan device in external mode, tc
#            matchall mirred into a dummy device
#   linkdump the GRE read on col0 by tcpdump -w /dev/null, then dropped
#            by tc as in bare
#   rps      reader, with RPS on grecap0 (rps_cpus: all CPUs) and 32 inner
#            flows: the tap's work moves off the receiving CPU
#
# A run: while trafgen floods (sendto(2), so each skb is linear as most NIC
# drivers build them), the path is set up; once frames reach it, the
# counter of its last stage, /proc/stat and the clock are read, BENCH_SECS
# later again, and the path is taken down.
# frames/s = frames / seconds; CPU us/frame = busy time of all CPUs /
# frames.  Rounds run every path in turn, so a drift of the emulation
# shows in every path alike; ratios are taken within a round, and the
# median of the rounds is reported with its spread (max - min).
#
# Also measured: allocations per frame (kmem tracepoints, hist triggers)
# on the bare and grecap paths, and ERSPAN II with and without sequence
# numbers (what sequence accounting costs), plus a profile of a numbered
# flood (perf) for the accounting's share of the CPU.
#
# Static keys the paths would switch (tc ingress, timestamps, RPS) are held
# on for the whole run by an idle device, so that no path pays for the
# others' code patching, and all pay alike for the checks.
#
# Environment: BENCH_SECS (2), BENCH_ROUNDS (3), BENCH_SIZES ("64 512
# 1400"), BENCH_FLAVOURS ("teb gre-ipv4 erspan2 erspan3 vxlan geneve"),
# BENCH_PATHS;
# BENCH_QUICK=1: the main table only; BENCH_OUT=DIR: where runs.txt goes;
# BENCH_PERF=DIR: a perf profile of each run (cpu-clock, all CPUs) into
# DIR/TAG-FLAVOUR-SIZE-PATH.txt (DIR must be writable from the guest: the
# out directory; the profiles slow the runs they watch); BENCH_INSNS=1:
# instruction counts instead of rates (make bench-insns, insns-guest.sh).

source "$(dirname "$0")/../../selftests/net/lib.sh"

SECS=${BENCH_SECS:-2}
ROUNDS=${BENCH_ROUNDS:-3}
SIZES=${BENCH_SIZES:-64 512 1400}
FLAVOURS=${BENCH_FLAVOURS:-teb gre-ipv4 erspan2 erspan3 vxlan geneve}
PATHS=${BENCH_PATHS:-bare grecap reader kernel linkdump}
OUT=${BENCH_OUT:-}
# runs profiled into this directory (BENCH_PERF: all of them)
PERF_DIR=${BENCH_PERF:-}
FRAMES="$PY -S $(dirname "$0")/frames.py"
RES=$TMP/results

for c in trafgen tcpdump tc taskset; do
	command -v $c >/dev/null || { echo "bench: $c is not installed"; exit 1; }
done
if [ "$(nproc)" -lt 2 ]; then
	echo "bench: needs 2 CPUs (sender on 0, readers on 1)"
	exit 1
fi

load_grecap
modprobe -q ip_gre && modprobe -q dummy && modprobe -q sch_ingress &&
	modprobe -q cls_matchall && modprobe -q act_mirred &&
	modprobe -q act_gact || { echo "bench: kernel modules missing"; exit 1; }

setup_ns SND
ip link add col0 type veth peer name snd0 netns "$SND" || exit 1
# Nothing of the host's own on the wire: no IPv6, no ARP to wait for.
sysctl -qw net.ipv6.conf.col0.disable_ipv6=1
ip netns exec "$SND" sysctl -qw net.ipv6.conf.snd0.disable_ipv6=1
ip addr add $COL4/24 dev col0
ip -n "$SND" addr add $SND4/24 dev snd0
ip link set col0 up
ip -n "$SND" link set snd0 up
ip link add dummy0 up type dummy
COLMAC=$(cat /sys/class/net/col0/address)

# The static-key holder: tc ingress and egress, packet timestamps (a
# socket asking for them: tcpdump) and RPS stay enabled from here on.
ip link add hold0 up type dummy
tc qdisc add dev hold0 clsact
echo 1 >/sys/class/net/hold0/queues/rx-0/rps_cpus
tcpdump -i hold0 -w /dev/null 2>/dev/null &
BG_PIDS+=($!)

# ---- counters, read without starting a process

rd() {
	local v
	read -r v <"$1" && echo "$v"
}

# busy_ticks: non-idle time of all CPUs, in USER_HZ ticks.
busy_ticks() {
	local _cpu user nice sys idle iowait irq softirq steal
	read -r _cpu user nice sys idle iowait irq softirq steal _ </proc/stat
	echo $((user + nice + sys + irq + softirq + steal))
}

now_us() {
	echo "${EPOCHREALTIME/[.,]/}"
}

# ---- paths: setup, the counter of delivered frames, teardown

KTUN=
READER_PID=

reader_start() {
	local log=$TMP/reader.log

	taskset -c 1 tcpdump -i "$1" -p -n -s 0 -B 16384 -w /dev/null \
		2>"$log" &
	READER_PID=$!
	busywait 20000 grep -q "listening on" "$log" || {
		cat "$log"
		exit 1
	}
}

reader_stop() {
	kill -INT "$READER_PID"
	wait "$READER_PID"
	READER_DROPS=$(sed -n 's/^\([0-9]*\) packets dropped by kernel$/\1/p' \
		"$TMP/reader.log")
	READER_PID=
}

tc_drop() {
	tc qdisc add dev col0 clsact
	tc filter add dev col0 ingress matchall action drop
}

path_setup() {
	local path=$1 flavour=$2 encap

	case $path in
	bare)
		tc_drop
		COUNTER=/sys/class/net/col0/statistics/rx_packets ;;
	grecap | reader | rps)
		# The UDP flavours' devices take their encapsulation's port.
		case $flavour in
		vxlan | geneve) encap=$flavour ;;
		*) encap=gre ;;
		esac
		ip link add grecap0 link col0 up type grecap $encap || exit 1
		COUNTER=/sys/class/net/grecap0/statistics/rx_packets
		[ "$path" = rps ] &&
			echo 3 >/sys/class/net/grecap0/queues/rx-0/rps_cpus
		[ "$path" != grecap ] && reader_start grecap0 ;;
	kernel)
		case $flavour in
		teb) KTUN=gretap ;;
		gre-ipv4) KTUN=gre ;;
		vxlan) KTUN="vxlan dstport 4789" ;;
		geneve) KTUN=geneve ;;
		*) KTUN=erspan ;;
		esac
		# shellcheck disable=SC2086 # type and its port
		ip link add ktun up type $KTUN external || exit 1
		tc qdisc add dev ktun clsact
		tc filter add dev ktun ingress matchall \
			action mirred egress redirect dev dummy0
		COUNTER=/sys/class/net/dummy0/statistics/tx_packets ;;
	linkdump)
		tc_drop
		reader_start col0
		COUNTER=/sys/class/net/col0/statistics/rx_packets ;;
	esac
}

path_teardown() {
	READER_DROPS= SEQ=
	[ -n "$READER_PID" ] && reader_stop
	case $1 in
	bare | linkdump) tc qdisc del dev col0 clsact ;;
	grecap | reader | rps)
		SEQ=
		for c in lost reordered dup restart; do
			SEQ+=" $(rd /sys/class/net/grecap0/grecap_stats/rx_seq_$c)"
		done
		ip link del grecap0 ;;
	kernel) ip link del ktun ;;
	esac
}

# ---- one run

# trafgen: one process (-P 1, CPU 0), sendto(2) (-t 0), until killed.
tg_start() {
	ip netns exec "$SND" trafgen -d snd0 -c "$1" -n 0 -P 1 -t 0 -q -C \
		>/dev/null 2>"$TMP/trafgen.log" &
	# Not a job of this shell: it is killed below, and that is no news.
	disown
}

# trafgen sends from a child process and stops on SIGINT only once it has
# flushed: KILL every trafgen and wait until they are gone.
tg_stop() {
	pkill -KILL -x trafgen
	busywait 10000 tg_gone || echo "bench: trafgen does not die" >&2
}

tg_gone() {
	! pgrep -x trafgen >/dev/null
}

# allocs_total: kmem allocation events so far (hist triggers, see below).
allocs_total() {
	local f line n=0

	for f in "${KMEM_HISTS[@]}"; do
		while read -r line; do
			[[ $line == "Hits: "* ]] && n=$((n + ${line#Hits: }))
		done <"$f"
	done
	echo $n
}

# run: frames/s and CPU us/frame of the current path while trafgen floods,
# and allocations per frame when ALLOCS is set, as "RATE CPU ALLOCS".
run() {
	local c0 c1 t0 t1 b0 b1 base a0=0 a1=0

	base=$(rd "$COUNTER")
	# (not "start": busywait has a local of that name)
	flowing() { (($(rd "$COUNTER") > base + 1000)); }
	if ! busywait 30000 flowing; then
		cat "$TMP/trafgen.log" >&2
		echo "0 0 0"
		return 1
	fi
	[ -n "${ALLOCS:-}" ] && a0=$(allocs_total)
	c0=$(rd "$COUNTER") b0=$(busy_ticks) t0=$(now_us)
	if [ -n "$PERF_DIR" ]; then
		perf record -q -a -e cpu-clock -o "$PERF_DIR/$PATH_NAME.data" \
			-- sleep "$SECS" >/dev/null 2>&1
	else
		sleep "$SECS"
	fi
	c1=$(rd "$COUNTER") b1=$(busy_ticks) t1=$(now_us)
	[ -n "${ALLOCS:-}" ] && a1=$(allocs_total)
	# ticks are 1/100 s (USER_HZ): us per frame = ticks * 10000 / frames
	awk -v f=$((c1 - c0)) -v us=$((t1 - t0)) -v ticks=$((b1 - b0)) \
		-v allocs=$((a1 - a0)) 'BEGIN {
			printf "%.0f %.2f %.3f\n", f * 1e6 / us, ticks * 10000 / f,
				allocs / f }'
}

# ---- measurements

# measure TAG SIZE FLAVOUR PATHS [frames.py options]: ROUNDS rounds of the
# PATHS on the same frames; one result line per run into $RES.  Rounds are
# numbered from ROUND0 + 1.
ROUND0=0
measure() {
	local tag=$1 size=$2 flavour=$3 paths=$4 round path r cfg
	shift 4

	cfg=$TMP/$tag-$flavour-$size.cfg
	$FRAMES "$flavour" "$size" "$COLMAC" "$@" >"$cfg" || exit 1
	# One flood for all paths: only the receive side changes between
	# windows, so paths measured back to back see the same conditions.
	tg_start "$cfg"
	for round in $(seq $((ROUND0 + 1)) $((ROUND0 + ROUNDS))); do
		for path in $paths; do
			PATH_NAME=$tag-$flavour-$size-$path
			path_setup "$path" "$flavour"
			r=$(run)
			path_teardown "$path"
			echo "$tag $size $flavour $path $round $r drops=${READER_DROPS:-0} seq=${SEQ// /,}" |
				tee -a "$RES"
		done
	done
	tg_stop
}

if [ -n "${BENCH_INSNS:-}" ]; then
	source "$(dirname "$0")/insns-guest.sh"
	insns_main
	exit 0
fi

echo "# kernel $(uname -r), $(nproc) CPUs, ${SECS} s per run, $ROUNDS rounds"
# The first runs of a path are slower (the emulator translates the code it
# meets first): one run of each path and flavour, not counted, warms them.
for flavour in $FLAVOURS; do
	ROUNDS=1 RES=/dev/null measure warmup 64 "$flavour" "$PATHS" >/dev/null
done
echo "# run lines: tag size flavour path round frames/s cpu-us/frame allocs/frame"
: >"$RES"
for size in $SIZES; do
	for flavour in $FLAVOURS; do
		measure main "$size" "$flavour" "$PATHS"
	done
done
if [ -z "${BENCH_QUICK:-}" ]; then
	# What sequence accounting costs: ERSPAN II frames numbered and not,
	# each on the bare and grecap paths, in turn, five times.  Numbered
	# frames cost the sender (and bare receive) more; grecap's share is
	# its ratio to bare receive of the same frames.
	for r in 0 1 2 3 4; do
		ROUND0=$r ROUNDS=1 measure seq 64 erspan2 "bare grecap"
		ROUND0=$r ROUNDS=1 measure noseq 64 erspan2 "bare grecap" --no-seq
	done
	# And where its time goes: one more numbered flood, profiled, not
	# counted (perf slows what it watches).
	SEQ_PROF=${BENCH_PERF:-${OUT:-$TMP}}
	if command -v perf >/dev/null; then
		PERF_DIR=$SEQ_PROF ROUNDS=1 RES=/dev/null \
			measure seqprof 64 erspan2 grecap >/dev/null
		perf report -i "$SEQ_PROF/seqprof-erspan2-64-grecap.data" \
			--no-children --stdio --sort sym --percent-limit 0.05 \
			>"$SEQ_PROF/seqprof-erspan2-64-grecap.txt" 2>/dev/null
	fi
	# One stream of 32 inner flows, read on CPU 1, without and with RPS.
	measure flows 64 teb "reader rps" --flows 32
	# Allocations: kmem events counted by hist triggers during the runs.
	KMEM_HISTS=()
	for e in kmalloc kmalloc_node kmem_cache_alloc kmem_cache_alloc_node \
		mm_page_alloc; do
		d=/sys/kernel/tracing/events/kmem/$e
		[ -d "$d" ] || continue
		echo 'hist:keys=common_cpu' >"$d/trigger" || exit 1
		KMEM_HISTS+=("$d/hist")
	done
	if [ ${#KMEM_HISTS[@]} = 0 ]; then
		echo "bench: no kmem tracepoints (tracefs at /sys/kernel/tracing?)"
		exit 1
	fi
	for flavour in $FLAVOURS; do
		ALLOCS=1 ROUNDS=1 measure allocs 64 "$flavour" "bare grecap"
	done
	for h in "${KMEM_HISTS[@]}"; do
		echo '!hist:keys=common_cpu' >"${h%hist}trigger"
	done
fi
[ -n "$OUT" ] && cp "$RES" "$OUT/runs.txt"

if [ -n "${BENCH_PERF:-}" ]; then
	for d in "$BENCH_PERF"/*.data; do
		perf report -i "$d" --no-children --stdio --sort sym \
			--percent-limit 0.05 >"${d%.data}.txt" 2>/dev/null
	done
fi

# ---- the table

"$(dirname "$0")/table.awk" "$RES"
rc=$?

# The profiled numbered flood: sequence accounting's own share of the CPU
# beside all of grecap's (its functions and gre_parse_header, which it
# calls).
prof=${SEQ_PROF:-/nonexistent}/seqprof-erspan2-64-grecap.txt
if [ -s "$prof" ]; then
	awk '$2 == "[k]" && $3 == "grecap_seq_account" { seq = sprintf("%.2f%%", $1) }
	     $2 == "[k]" && ($3 ~ /^grecap_/ || $3 == "gre_parse_header") {
		all += $1 }
	     END {
		printf "\nProfile of a numbered ERSPAN II flood on grecap0 (perf cpu-clock, all CPUs; symbols >= 0.05%%):\n"
		printf "  grecap_seq_account %s of samples; grecap in all %.2f%%\n",
		       (seq == "" ? "below 0.05%" : seq), all }' "$prof"
elif [ -z "${BENCH_QUICK:-}" ]; then
	echo
	echo "No profile of sequence accounting: perf (linux-perf) is missing or failed."
fi
exit $rc
