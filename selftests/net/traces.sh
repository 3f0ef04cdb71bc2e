#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Real captures: every file of ../shared/traces (beside the project; its
# MANIFEST.tsv says what each holds) replayed into a fresh catch-all GRE
# grecap device, and every file of ../shared/traces/more (VXLAN, GENEVE,
# TZSP and odd GRE; its own MANIFEST.tsv) into a fresh device of the
# encapsulation and port its traffic is meant for (more_confs), each
# checked against what the protocols say must come out
# (grecap_replay.py): each delivered frame byte for byte, each drop under
# its counter, each pass of the link's, what goes to the stack, and the
# sequence counters against the numbers in the file.  Outer checksums go
# as they were captured, right or wrong; a device that takes UDP sees each
# of its captures a second time with no UDP checksums (0), which gets past
# the checksums anonymization broke.  Skips when the folder is absent.

source "${0%/*}/lib.sh"

ALL_TESTS="
	replay_all
	replay_more
	other_encap
	known_figures
"

TRACES=${GRECAP_TRACES:-$TOP/../shared/traces}
MORE=$TRACES/more
[ -r "$TRACES/MANIFEST.tsv" ] || skip "no captures at $TRACES"

# Sent with the UDP checksums zeroed, IPv4's (RFC 768) and IPv6's (RFC 6935).
CSUM_ZERO="--udp-csum-zero --udp6-csum-zero"

# replay INDEX FILE CONF [OPTION...]: one capture (FILE, a path) into a new
# device tr<INDEX> on col0, in the sender's namespace, where the replaying
# process reads it as a sniffer would, and which it deletes after (pkt
# replay --make-on: one netlink request, not a process per ip command).
# CONF is the device's encapsulation, gre or ENCAP:PORT (vxlan:4789,
# geneve:6081, tzsp:31337); the OPTIONs go to pkt replay (--inner-vxlan
# turns the device's innervxlan on as well).  --keep: the caller reads the
# device, and deletes it.
replay() {
	local i=$1 file=$2 encap=${3%%:*} port=${3#*:}
	local args=(--encap "$encap") make=(--make-on "/run/netns/$COL:col0")
	shift 3

	[ "$encap" != gre ] && args+=(--port "$port")
	if [ "${1:-}" = --keep ]; then
		shift
		# Made with ip, as a user does, when it stays for the caller.
		local dev=(type grecap "$encap")
		[ "$encap" != gre ] && dev+=(dstport "$port")
		ip -n "$COL" link add "tr$i" link col0 "${dev[@]}" &&
			ip -n "$COL" link set "tr$i" netns "$SND" &&
			ip -n "$SND" link set "tr$i" up || {
			fail "${file##*/}: no $encap device to replay into"
			return 1
		}
		make=()
	fi
	pkt replay "$file" --link snd0 --dst-mac "$CMAC" --dev "tr$i" \
		--index "$i" --dst4 $COL4 --dst6 $COL6 "${args[@]}" "${make[@]}" \
		"$@" || RET=$ksft_fail
}

replay_all() {
	local i=0 file n=0

	while IFS=$'\t' read -r file _; do
		[ "$file" = file ] && continue
		i=$((i + 1))
		n=$((n + 1))
		replay "$i" "$TRACES/$file" gre
	done <"$TRACES/MANIFEST.tsv"
	check "the manifest lists captures ($n)" test "$n" -gt 0
	log_test "real captures: delivered byte-exact, drops and sequence counted"
}

# more_confs FILE: the devices a user would point at FILE of more/, one
# line each: CONF [OPTION...] as replay takes them.  False for a file not
# known here, which a new line of the manifest then needs.
more_confs() {
	case $1 in
	suricata-verify-vxlan-decoder-03-vxlan.pcap | tcpdump-vxlan.pcap | \
		zeek-vxlan-encapsulated-http.pcap | \
		zeek-vxlan-overlapping-http-get.pcap | zeek-vxlan-triple-v2.pcap | \
		ndpi-vxlan.pcap | tcpdump-gso-ipv6-vxlan-ipv6.pcap | \
		suricata-verify-vxlan-non-zero-reserved-fields-input.pcap)
		echo vxlan:4789 ;;
	# The Linux kernel's (and flannel's) VXLAN port.
	tcpdump-vxlan_port_8472.pcap)
		echo vxlan:8472 ;;
	tcpdump-geneve.pcap | tcpdump-geneve-gcp.pcap | zeek-geneve-47101.pcap | \
		zeek-geneve-many-options.pcap | zeek-geneve-tagged-udp-packet.pcap | \
		zeek-geneve-ipv6.pcap | tcpdump-gso-ipv6-geneve-ipv6.pcap)
		echo geneve:6081 ;;
	# AWS Gateway Load Balancer, what innervxlan is for; what this one
	# carries is GRE, not VXLAN, which innervxlan must leave as it is.
	suricata-verify-bug-6402-01-input.pcap)
		echo geneve:6081
		echo geneve:6081 --inner-vxlan ;;
	# GENEVE in front of VXLAN, cut by the capture's snap length: as
	# captured, each outer IP length runs past the packet, which is the
	# stack's.  As a source that cuts frames sends them (--cut-by-source:
	# outer lengths of what there is), GENEVE carries IPv4 that carries
	# VXLAN, both cut: delivered and counted as the source's cut.
	zeek-geneve-vxlan-dns-truncated.pcap)
		echo geneve:6081
		echo geneve:6081 --inner-vxlan
		echo geneve:6081 --cut-by-source
		echo geneve:6081 --inner-vxlan --cut-by-source ;;
	# TZSP from a MikroTik router, to the port its sniffer was set to.
	lwerdna-simple_http_tzsp.pcapng)
		echo tzsp:31337 ;;
	# GRE and ERSPAN; arkime's mirrored frames carry VXLAN-GPE, which is
	# theirs: delivered as they are.
	arkime-gre-erspan-vxlan.pcap | tcpdump-erspan-type-i-2.pcap | \
		tcpdump-erspan-type-iii-pb-1.pcap | tcpdump-gre-heapoverflow-2.pcap)
		echo gre ;;
	# GRE in UDP (RFC 8086), which grecap does not decode: a user with
	# GRE mirrors has a GRE device, to which UDP is the stack's.
	zeek-gre-over-udp-4754.pcap)
		echo gre ;;
	# VXLAN-GPE to its port 4790: the one device that looks at it is a
	# vxlan one there, to which GPE's P bit and next protocol are
	# reserved bits (RFC 7348), ignored: the NSH behind is delivered as
	# though it were an Ethernet frame.
	tcpdump-nsh-over-vxlan-gpe.pcap)
		echo vxlan:4790 ;;
	*)
		return 1 ;;
	esac
}

replay_more() {
	local i=99 file n=0 conf confs zero

	if [ ! -r "$MORE/MANIFEST.tsv" ]; then
		log_test_skip "more captures" "no captures at $MORE"
		return
	fi
	while IFS=$'\t' read -r file _; do
		[ "$file" = file ] && continue
		n=$((n + 1))
		mapfile -t confs < <(more_confs "$file")
		if ((${#confs[@]} == 0)); then
			fail "$file: no device configuration for it (more_confs)"
			continue
		fi
		for conf in "${confs[@]}"; do
			# Checksums as captured, then none (UDP devices).
			for zero in "" "$CSUM_ZERO"; do
				[ -n "$zero" ] && [[ $conf == gre* ]] && continue
				i=$((i + 1))
				# shellcheck disable=SC2086 # CONF and the options: words
				replay "$i" "$MORE/$file" $conf $zero
			done
		done
	done <"$MORE/MANIFEST.tsv"
	check "the more manifest lists captures ($n)" test "$n" -gt 0
	log_test "VXLAN, GENEVE, TZSP captures: delivered byte-exact, drops counted"
}

# GRE on a link whose one grecap device takes VXLAN: no device for it, or
# (version 1) none looked for; fragments of it reassembled all the same.
other_encap() {
	local i file

	i=210
	for file in deepflow-decapsulate_test.pcap pcapplusplus-GrePackets.pcap \
		junkie-fragmented.pcap; do
		replay "$i" "$TRACES/$file" vxlan:4789
		i=$((i + 1))
	done
	log_test "GRE captures into a VXLAN device: passed on, counted"
}

# Figures known from the captures themselves, whatever the model says.
known_figures() {
	replay 200 "$TRACES/deepflow-decapsulate_test.pcap" gre --keep
	check_eq "deepflow-decapsulate_test: session 100 misses one number" 1 \
		"$(gstat "$SND" tr200 rx_seq_lost)"
	ip -n "$SND" link del tr200
	replay 201 "$TRACES/tcpdump-erspan-type-ii-3.pcap" gre --keep
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
# Captures hold frames bigger than 1500 bytes (jumbo, GRO- and GSO-sized,
# up to 14 KB), which the veth pair carries up to IP's largest.
ip -n "$SND" link set snd0 mtu 65535 && ip -n "$COL" link set col0 mtu 65535 ||
	exit $ksft_fail
tests_run
