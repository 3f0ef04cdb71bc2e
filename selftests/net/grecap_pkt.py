#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Packet helper for the grecap selftests.

  send DEV KIND COUNT --expect OUT.pcap [--mac MAC] [--dst-ip A] [--dst-mac M]
      Send COUNT frames of KIND through DEV with AF_PACKET, so that a tunnel
      device of the kernel encapsulates them, and write to OUT.pcap the
      frames grecap should deliver for them: the Ethernet frame as sent, or
      for an L3 kind the packet behind the synthesized header (destination
      MAC = grecap device's MAC, source 00:00:00:00:00:00, type = protocol).
      KIND: eth, arp, ping, syn (Ethernet, for a gretap), ipv4, ipv6, mpls
      (L3, for a gre/ip6gre).
  gre DEV --dst-mac M --src A --dst B [options] --expect OUT.pcap
      Build outer IPv4/IPv6 + GRE by hand (for what no kernel device sends:
      bad checksums, truncations, version 1, routing bit, chosen sequence
      numbers: --seqs 0-3,9,5) and send it.
  udp DEV --dst-mac M --src A --dst B --encap vxlan|geneve|tzsp [options]
      --expect OUT.pcap
      Build outer IPv4/IPv6 + UDP + VXLAN, GENEVE or TZSP by hand around
      Ethernet frames (GENEVE: or IPv4/IPv6 packets, --proto; or, --gwlb,
      IPv4 + UDP 4789 + VXLAN + Ethernet, as AWS Gateway Load Balancer
      sends), with what no kernel device sends: options, OAM, TZSP tags
      and link types, bad or absent UDP checksums, truncations.
  erspan DEV --dst-mac M --src A --dst B --type 1|2|3 [fields] --expect F
      ERSPAN Type I, II or III (with --platform ID:INFO1:INFO2, the
      optional platform subheader; --t and --bso, the source's verdicts;
      --ft 2, IP packets instead of frames) in IPv4 or IPv6 around
      Ethernet frames; F gets the frames grecap should deliver (with
      --expect-vlan: with the header's VLAN put back).
  frag DEV --dst-mac M --src A --dst B --mtu N [--mode M] --expect F
      GRE (0x6558) in IPv4 or IPv6 around large Ethernet frames, the outer
      packet cut into fragments of at most N bytes; --mode: inorder,
      reverse, dup, overlap (a conflicting overlap: the kernel drops the
      packet) or incomplete (the last fragment is never sent).  F gets
      what grecap should deliver; prints the fragments sent per packet.
  tso DEV [--segments N] [--mss M]
      One TCP super-frame of N*M payload bytes through DEV (a gretap) with
      PACKET_VNET_HDR, so the stack cuts it into N back-to-back segments.
  trafgen OUT --dst-mac M --src A --dst B --keys K,K... [--vnis V,V...]
      Write to OUT a trafgen(8) configuration: per key, one GRE (0x6558)
      packet with that key around a 200-byte UDP frame; per VNI, one VXLAN
      packet (UDP 4789) with that VNI around the same frame.
  decap IN OUT
      Write to OUT the Ethernet frames inside the GRE and VXLAN (UDP 4789)
      packets of IN.
  compare EXPECTED.pcap GOT.pcap [--any-order]
      Exit 0 when GOT holds exactly the frames of EXPECTED, in order (or,
      with --any-order, each exactly once in any order).
  same-time A.pcap B.pcap
      Exit 0 when the frames of A and B carry the same timestamps.
  flow-order FILE.pcap
      Exit 0 when, in each inner UDP flow of FILE (frames of send eth
      --flows), the frames come in the order they were sent.
  merge OUT.pcap IN.pcap...
      Write the frames of the IN files, one file after the other, to OUT.
  count FILE.pcap [--longer-than N]
      Print the number of frames (longer than N bytes).
  tcp-seqs FILE.pcap [--outer]
      Print the TCP sequence numbers of the 1400-byte segments each frame
      stands for (with --outer, of the Ethernet frame in GRE or VXLAN; a
      GRO-merged frame stands for several), in the order of the frames.
  bytes FILE.pcap...
      Print the number of bytes of all frames of all files.
  stamps FILE.pcap
      Print each frame's capture time in nanoseconds.
  hold DEV
      Hold a clone of every packet DEV receives (a packet socket that
      never reads) until killed.
  replay FILE ...
      Replay a real capture's GRE or UDP (VXLAN, GENEVE, TZSP) into a
      grecap device of that encapsulation and check what it
      delivers and counts (grecap_replay.py).
  sysctl NAME=VALUE...
      Set sysctls of the process's network namespace (sysctl -w, without
      a process of its own).
  faults OPERATION ..., fail-loop WHAT ...
      Fault injection on configuration (grecap_faults.py).
  nl [--netns PATH] raw|rawset ...
      A grecap_nl.py command: grecap links with hand-made attributes.
  serve [--scapy]
      Run commands read from stdin, one per line (shell words), answering
      each with a line "done RC" after its output: one process per test
      instead of a Python start per command, the main cost of a test in an
      emulated guest.  "scapy fuzz ..." runs grecap_scapy.py's fuzz, the
      only command that needs scapy, importing scapy on first use
      (--scapy: importing it in the background from the start).  lib.sh's
      pkt_start, pkt and scapy.
"""

import argparse
import importlib
import ipaddress
import shlex
import socket
import struct
import sys
import threading
import time

from grecap_packets import (DST_MAC, SRC_MAC, csum, cut4, cut6, erspan2,
                            erspan3, erspan_platform, gre, inner_frame, ipv4,
                            ipv4_fragment, ipv6, ipv6_fragment, mac,
                            payload_for, pcap_read, pcap_write, udp, udp4)

ETH_P_ALL = 0x0003
PROTO = {"ipv4": 0x0800, "ipv6": 0x86DD, "mpls": 0x8847}


def frame(kind, i, args):
    """Return (bytes, ethertype, is_l3) of frame i of a kind."""
    size = args.size or 18 + (i * 97) % 1200
    src4, dst4 = "10.9.0.1", args.dst_ip or "10.9.0.2"
    sport = 4000 + (i % args.flows if getattr(args, "flows", None) else i)
    if kind == "eth":
        pkt = ipv4(src4, dst4, 17, udp(sport, 9, payload_for(i, size)), i)
        return DST_MAC + SRC_MAC + b"\x08\x00" + pkt, 0, False
    if kind == "arp":
        arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, SRC_MAC,
                          socket.inet_aton(src4), b"\0" * 6,
                          socket.inet_aton(dst4))
        return b"\xff" * 6 + SRC_MAC + b"\x08\x06" + arp, 0, False
    dmac = mac(args.dst_mac) if args.dst_mac else DST_MAC
    if kind == "ping":
        icmp = struct.pack("!BBHHH", 8, 0, 0, 0x4242, i) + payload_for(i, 56)
        icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
        return dmac + SRC_MAC + b"\x08\x00" + ipv4(src4, dst4, 1, icmp, i), \
            0, False
    if kind == "syn":
        tcp = struct.pack("!HHIIBBHHH", 40000 + i, 22, i, 0, 5 << 4, 0x02,
                          65535, 0, 0)
        ph = socket.inet_aton(src4) + socket.inet_aton(dst4) + \
            struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", csum(ph + tcp)) + tcp[18:]
        return dmac + SRC_MAC + b"\x08\x00" + ipv4(src4, dst4, 6, tcp, i), \
            0, False
    if kind == "ipv4":
        return ipv4(src4, dst4, 17, udp(sport + 1000, 9, payload_for(i, size)),
                    i), PROTO[kind], True
    if kind == "ipv6":
        u = udp(6000 + i, 9, payload_for(i, size))
        return ipv6("2001:db8:9::1", "2001:db8:9::2", 17, u), PROTO[kind], True
    if kind == "mpls":
        label = struct.pack("!I", (1000 + i) << 12 | 1 << 8 | 64)
        return label + ipv4(src4, dst4, 17, udp(7000, 9, payload_for(i, size)),
                            i), PROTO[kind], True
    raise SystemExit("unknown kind " + kind)


def cmd_send(args):
    # One socket per protocol for the whole run: closing a packet socket
    # waits for an RCU grace period, tens of milliseconds in the emulated
    # guest.
    socks = {}
    frames = []

    # Bound, not sendto(): an ip6gre's 16-byte address does not fit the
    # sockaddr_ll Python builds.  An L3 packet goes out of a SOCK_DGRAM
    # socket of its protocol, a whole frame out of one SOCK_RAW socket.
    def sock(kind, proto):
        if (kind, proto) not in socks:
            s = socket.socket(socket.AF_PACKET, kind)
            s.bind((args.dev, proto))
            socks[kind, proto] = s
        return socks[kind, proto]

    for i in range(args.count):
        fr, proto, l3 = frame(args.kind, i, args)
        if l3:
            sock(socket.SOCK_DGRAM, proto).send(fr)
            fr = mac(args.mac) + b"\0" * 6 + struct.pack("!H", proto) + fr
        else:
            sock(socket.SOCK_RAW, 0).send(fr)
        frames.append(fr)
        if args.interval:
            time.sleep(args.interval)
    for s in socks.values():
        s.close()
    if args.expect:
        pcap_write(args.expect, frames)


def gre_packet(args, i):
    inner, _, _ = frame("eth", i, args) if args.proto == 0x6558 else \
        frame("ipv4", i, args)
    if args.inner_len is not None:
        inner = inner[:args.inner_len]
    flags = 0
    opts = b""
    if args.csum:
        flags |= 0x8000
        opts += b"\0\0\0\0"
    if args.key is not None:
        flags |= 0x2000
        opts += struct.pack("!I", args.key)
    if args.seq or args.seqs:
        flags |= 0x1000
        opts += struct.pack("!I", args.seqs[i] if args.seqs else i)
    if args.routing:
        flags |= 0x4000
    flags |= args.version
    gre = struct.pack("!HH", flags, args.proto) + opts + inner
    if args.csum:
        c = csum(gre)
        if args.bad_csum:
            c ^= 0x5A5A
        gre = gre[:4] + struct.pack("!H", c) + gre[6:]
    if ipaddress.ip_address(args.dst).version == 4:
        # --ip-options: a router alert and padding (8 bytes, IHL 7).
        opts = b"\x94\x04\x00\x00\x01\x01\x01\x00" if args.ip_options else b""
        outer = ipv4(args.src, args.dst, 47, gre, i, opts)
        ethertype = b"\x08\x00"
    else:
        outer = ipv6(args.src, args.dst, 47, gre)
        ethertype = b"\x86\xdd"
    wire = mac(args.dst_mac) + SRC_MAC + ethertype + outer
    if args.truncate is not None:
        wire = wire[:args.truncate]
        if args.ip_len_fixed:
            wire = fix_ip_len(wire)
    if args.proto == 0x6558:
        expect = inner
    else:
        expect = mac(args.mac) + b"\0" * 6 + struct.pack("!H", args.proto) + \
            inner
    return wire, expect


def fix_ip_len(wire):
    """The frame with its outer IP length set to what it holds (and the
    IPv4 header checksum recomputed): a packet cut short whose IP header
    says so."""
    ip = bytearray(wire[14:])
    if ip[0] >> 4 == 4:
        ip[2:4] = struct.pack("!H", len(ip))
        ip[10:12] = b"\0\0"
        ip[10:12] = struct.pack("!H", csum(bytes(ip[:(ip[0] & 15) * 4])))
    else:
        ip[4:6] = struct.pack("!H", len(ip) - 40)
    return wire[:14] + bytes(ip)


def udp_csum(src, dst, seg):
    """The UDP checksum of segment seg (header with a zero checksum) from
    src to dst, IPv4 or IPv6; 0 comes out as 0xFFFF (RFC 768)."""
    if ipaddress.ip_address(src).version == 4:
        ph = socket.inet_aton(src) + socket.inet_aton(dst) + \
            struct.pack("!BBH", 0, 17, len(seg))
    else:
        ph = socket.inet_pton(socket.AF_INET6, src) + \
            socket.inet_pton(socket.AF_INET6, dst) + \
            struct.pack("!IxxxB", len(seg), 17)
    return csum(ph + seg) or 0xFFFF


def encap_header(args, i):
    """The VXLAN, GENEVE or TZSP header of packet i, and the EtherType of
    what follows it (0x6558: an Ethernet frame)."""
    if args.encap == "vxlan":
        flags = args.vxlan_flags if args.vxlan_flags is not None else 0x08
        return struct.pack("!BxxxI", flags, args.vni << 8), 0x6558
    if args.encap == "geneve":
        opts = b""
        for n in range(args.options):
            # Class, type (critical bit with --critical), length 1 word.
            opts += struct.pack("!HBB", 0x0108 + n, 0x80 if args.critical
                                else n, 1) + struct.pack("!I", i)
        proto = 0x0800 if args.gwlb else args.proto
        hdr = struct.pack("!BBH", args.geneve_ver << 6 | len(opts) // 4,
                          (0x80 if args.oam else 0) |
                          (0x40 if args.critical else 0), proto)
        return hdr + struct.pack("!I", args.vni << 8) + opts, proto
    tags = bytes.fromhex(args.tzsp_tags) if args.tzsp_tags else b""
    return struct.pack("!BBH", args.tzsp_version, args.tzsp_type,
                       args.tzsp_encap) + tags + b"\x01", 0x6558


def udp_packet(args, i):
    """One frame on the wire and what grecap delivers for it."""
    hdr, proto = encap_header(args, i)
    if proto == 0x6558:
        inner, _, _ = frame("eth", i, args)
    else:
        kind = "ipv6" if proto == 0x86DD else "ipv4"
        inner, _, _ = frame(kind, i, args)
    if args.inner_len is not None:
        inner = inner[:args.inner_len]
    delivered = inner
    if args.gwlb:
        # AWS Gateway Load Balancer: the mirror's own VXLAN, as IPv4.
        vx = struct.pack("!BxxxI", 0x08, 77 << 8) + inner
        inner = ipv4("172.31.0.9", "172.31.0.10", 17,
                     udp(50000 + i, 4789, vx), i)
        delivered = vx[8:] if args.expect_inner else inner
        if not args.expect_inner:
            proto = 0x0800
    if proto != 0x6558 and not (args.gwlb and args.expect_inner):
        delivered = mac(args.mac) + b"\0" * 6 + struct.pack("!H", proto) + \
            delivered
    seg = udp(40000 + i % 64, args.port, hdr + inner)
    if args.udp_len is not None:
        seg = seg[:4] + struct.pack("!H", args.udp_len) + seg[6:]
    if args.checksum != "none":
        c = udp_csum(args.src, args.dst, seg)
        if args.checksum == "bad":
            c ^= 0x5A5A
        seg = seg[:6] + struct.pack("!H", c) + seg[8:]
    if ipaddress.ip_address(args.dst).version == 4:
        outer, ethertype = ipv4(args.src, args.dst, 17, seg, i), b"\x08\x00"
    else:
        outer, ethertype = ipv6(args.src, args.dst, 17, seg), b"\x86\xdd"
    wire = mac(args.dst_mac) + SRC_MAC + ethertype + outer
    if args.truncate is not None:
        wire = fix_ip_len(wire[:args.truncate])
    return wire, delivered


def cmd_udp(args):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.dev, 0))
    frames = []
    for i in range(args.count):
        wire, expect = udp_packet(args, i)
        s.send(wire)
        frames.append(expect)
    s.close()
    if args.expect:
        pcap_write(args.expect, frames)


def seq_list(text):
    """"0-3,9,5" -> [0, 1, 2, 3, 9, 5]; numbers taken modulo 2^32."""
    out = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        first = int(lo, 0)
        last = int(hi, 0) if hi else first
        out += [n % (1 << 32) for n in range(first, last + 1)]
    return out


def cmd_gre(args):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.dev, 0))
    if args.seqs:
        args.count = len(args.seqs)
    frames = []
    for i in range(args.count):
        wire, expect = gre_packet(args, i)
        s.send(wire)
        frames.append(expect)
    if args.expect:
        pcap_write(args.expect, frames)


def cmd_hold(args):
    """A packet socket on DEV that never reads: the kernel queues a clone
    of each packet it receives (packet_rcv()), whose data stays shared
    with the packet the stack goes on with, until this process ends."""
    eth_p_all = 0x0003
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(eth_p_all))
    s.setsockopt(socket.SOL_SOCKET, 33, 1 << 28)    # SO_RCVBUFFORCE
    # Bound with protocol 0, a packet socket would receive nothing.
    s.bind((args.dev, eth_p_all))
    while True:
        time.sleep(3600)


def send_raw(dev, frames):
    """Whole frames out of DEV, through one packet socket."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((dev, 0))
    for f in frames:
        s.send(f)
    s.close()


def outer_frame(args, payload, ident=1):
    """Ethernet + IPv4 (ID ident) or IPv6 from --src to --dst around a GRE
    packet."""
    if ":" in args.dst:
        return mac(args.dst_mac) + SRC_MAC + b"\x86\xdd" + \
            ipv6(args.src, args.dst, 47, payload)
    return mac(args.dst_mac) + SRC_MAC + b"\x08\x00" + \
        ipv4(args.src, args.dst, 47, payload, ident)


def erspan_header(args, i):
    """GRE and ERSPAN headers of frame i: Type I is GRE 0x88BE without a
    sequence number and nothing else."""
    if args.type == 1:
        return gre(0x88BE)
    if args.type == 2:
        return gre(0x88BE, seq=i) + \
            erspan2(args.ver if args.ver is not None else 1, args.vlan,
                    args.cos, args.en, args.t, args.session, i)
    hdr = erspan3(args.ver if args.ver is not None else 2, args.vlan,
                  args.cos, args.bso, args.t, args.session, args.timestamp,
                  args.ft, args.gra, 1 if args.platform else 0)
    if args.platform:
        hdr += erspan_platform(*(int(x, 0) for x in args.platform.split(":")))
    return gre(0x22EB) + hdr


def cmd_erspan(args):
    wire, expect = [], []
    for i in range(args.count):
        inner = inner_frame(i, 60 + (i * 97) % 1000, args.inner_vlan,
                            args.flows)
        if args.ft == 2:
            # An IP frame: the packet alone, delivered behind the header
            # grecap makes for it.
            body = inner[18 if args.inner_vlan is not None else 14:]
            exp = mac(args.mac) + b"\0" * 6 + b"\x08\x00" + body
        else:
            body = exp = inner
        if args.expect_vlan:
            # What a capture of a frame with its tag restored shows.
            tci = args.cos << 13 | args.vlan
            exp = exp[:12] + struct.pack("!HH", 0x8100, tci) + exp[12:]
        wire.append(outer_frame(args, erspan_header(args, i) + body,
                                args.ip_id))
        expect.append(exp)
    send_raw(args.dev, wire)
    if args.expect:
        pcap_write(args.expect, expect)


def frag_frame(args, ident, piece):
    """The outer frame of one piece of a GRE packet (cut4, cut6)."""
    if ":" in args.dst:
        return mac(args.dst_mac) + SRC_MAC + b"\x86\xdd" + \
            ipv6_fragment(args.src, args.dst, 47, ident, piece)
    return mac(args.dst_mac) + SRC_MAC + b"\x08\x00" + \
        ipv4_fragment(args.src, args.dst, 47, ident, piece)


def cmd_frag(args):
    expect = []
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.dev, 0))
    for n in range(args.count):
        inner = inner_frame(n, args.size)
        payload = gre(0x6558) + inner
        # IPv4: packets of at most --mtu bytes; IPv6: the same, with the
        # fragment header.
        pieces = cut6(payload, args.mtu) if ":" in args.dst else \
            cut4(payload, args.mtu - 20)
        if args.mode == "reverse":
            pieces.reverse()
            expect.append(inner)
        elif args.mode == "dup":
            pieces = pieces[:1] + pieces + pieces[-1:]
            expect.append(inner)
        elif args.mode == "overlap":
            # A copy of the second fragment 8 bytes further on: it
            # overlaps the second and third partly, for which reassembly
            # drops the whole packet (RFC 5722).
            off, more, data = pieces[1]
            pieces = pieces[:2] + [(off + 1, more, data)] + pieces[2:]
        elif args.mode == "incomplete":
            pieces = pieces[:-1]
        else:
            expect.append(inner)
        # Its own reassembly ID per packet: --ip-id, --ip-id + 1, ...
        for piece in pieces:
            s.send(frag_frame(args, args.ip_id + n, piece))
        print(len(pieces))
    s.close()
    if args.expect:
        pcap_write(args.expect, expect)


def tcp_super_frame(args):
    """Ethernet/IPv4/TCP with N*M payload bytes; TCP checksum partial."""
    payload = payload_for(0, args.segments * args.mss)
    src, dst = "10.9.0.1", "10.9.0.2"
    tcp_len = 20 + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + tcp_len, 4000, 0x4000,
                     64, 6, 0, socket.inet_aton(src), socket.inet_aton(dst))
    # CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum.
    ph = socket.inet_aton(src) + socket.inet_aton(dst) + \
        struct.pack("!BBH", 0, 6, tcp_len)
    s = sum(struct.unpack("!6H", ph))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    tcp = struct.pack("!HHIIBBHHH", 40000, 5001, 1000, 1, 5 << 4, 0x18,
                      65535, s, 0)
    return DST_MAC + SRC_MAC + b"\x08\x00" + ip + tcp + payload


def cmd_tso(args):
    frame = tcp_super_frame(args)
    # struct virtio_net_hdr: NEEDS_CSUM, GSO_TCPV4, header length, MSS,
    # checksum start (the TCP header) and offset of its check field.
    vnet = struct.pack("<BBHHHH", 1, 1, 54, args.mss, 34, 16)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.setsockopt(263, 15, 1)        # SOL_PACKET, PACKET_VNET_HDR
    s.bind((args.dev, 0))
    s.send(vnet + frame)
    s.close()


def ip_payload(fr):
    """(protocol, offset, end) of the IP payload of an Ethernet frame of
    IPv4 or IPv6 (behind 802.1Q/802.1ad tags; first fragments too); None
    for any other frame."""
    off, ethertype = 14, fr[12:14]
    while ethertype in (b"\x81\x00", b"\x88\xa8") and len(fr) >= off + 4:
        off, ethertype = off + 4, fr[off + 2:off + 4]
    if ethertype == b"\x08\x00" and len(fr) >= off + 20:
        ihl = (fr[off] & 15) * 4
        length, frag = struct.unpack("!HxxH", fr[off + 2:off + 8])
        if frag & 0x1FFF or ihl < 20:
            return None
        nh = fr[off + 9]
        # A length short of the header's own: scapy took the frame's.
        end = off + length if length >= ihl else len(fr)
        off += ihl
    elif ethertype == b"\x86\xdd" and len(fr) >= off + 40:
        nh = fr[off + 6]
        end = off + 40 + struct.unpack("!H", fr[off + 4:off + 6])[0]
        off += 40
        # Hop-by-hop, routing and destination options; a first fragment.
        while nh in (0, 43, 44, 60) and off + 8 <= min(end, len(fr)):
            if nh == 44 and struct.unpack("!H", fr[off + 2:off + 4])[0] >> 3:
                return None
            nh, off = fr[off], off + (8 if nh == 44 else 8 + fr[off + 1] * 8)
    else:
        return None
    return nh, off, min(end, len(fr))


def gre_payload(fr):
    """What follows the GRE header in an Ethernet frame of GRE in IPv4 or
    IPv6 (see ip_payload), to the end of the frame; None for any other
    frame.  The GRE header must fit in the IP payload, but what follows it
    is taken whole, Ethernet padding and all, as scapy's dissector took it
    for gro's expectations."""
    ip = ip_payload(fr)
    if ip is None or ip[0] != 47:
        return None
    _, off, end = ip
    # Too short for GRE, or PPTP's enhanced GRE (a layer of its own).
    if off + 4 > end or fr[off + 2:off + 4] == b"\x88\x0b":
        return None
    flags = fr[off]
    hl = 4 + 4 * (flags >> 7 | flags >> 6 & 1) + 4 * (flags >> 5 & 1) + \
        4 * (flags >> 4 & 1)
    return fr[off + hl:] if off + hl <= end else None


def vxlan_payload(fr):
    """The Ethernet frame in VXLAN (UDP to 4789) in an Ethernet frame, to
    the end of the datagram; None for any other frame."""
    ip = ip_payload(fr)
    if ip is None or ip[0] != 17:
        return None
    _, off, end = ip
    if off + 16 > end or struct.unpack("!H", fr[off + 2:off + 4])[0] != 4789:
        return None
    return fr[off + 16:off + struct.unpack("!H", fr[off + 4:off + 6])[0]]


def inner_of(fr):
    """The frame inside GRE or VXLAN, or None."""
    inner = gre_payload(fr)
    return inner if inner is not None else vxlan_payload(fr)


def cmd_decap(args):
    frames = (inner_of(fr) for fr in pcap_read(args.infile))
    pcap_write(args.outfile, [f for f in frames if f is not None])


def cmd_trafgen(args):
    """Per key, a trafgen(8) packet: GRE (0x6558) with that key around a
    UDP frame (from port 53, as scapy's UDP made it) of 200 bytes; per VNI,
    the same frame in VXLAN (UDP 4789, no checksum)."""
    udp_frame = ipv4("10.9.0.1", "10.9.0.2", 17,
                     udp4("10.9.0.1", "10.9.0.2", 53, 9, b"x" * 200))
    frame = mac("02:00:00:00:00:04") + mac("02:00:00:00:00:03") + \
        b"\x08\x00" + udp_frame
    with open(args.outfile, "w", encoding="ascii") as out:
        packets = [ipv4(args.src, args.dst, 47,
                        gre(0x6558, key=int(key)) + frame)
                   for key in args.keys.split(",")]
        packets += [ipv4(args.src, args.dst, 17, udp(
            40000, 4789, struct.pack("!BxxxI", 0x08, int(vni) << 8) + frame))
                    for vni in args.vnis.split(",") if vni]
        for ip in packets:
            p = mac(args.dst_mac) + SRC_MAC + b"\x08\x00" + ip
            out.write("{ " + ", ".join("0x%02x" % b for b in p) + " }\n")


def cmd_compare(args):
    exp, got = pcap_read(args.expected), pcap_read(args.got)
    if args.any_order:
        exp, got = sorted(exp), sorted(got)
    ok = True
    if len(exp) != len(got):
        print("expected %d frames, got %d" % (len(exp), len(got)))
        ok = False
    for n, (a, b) in enumerate(zip(exp, got)):
        if a != b:
            at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y),
                      min(len(a), len(b)))
            print("frame %d differs at byte %d (%d vs %d bytes)" %
                  (n, at, len(a), len(b)))
            start = max(0, at - 16) if at >= 48 else 0
            print("  expected [%d:] %s" % (start, a[start:start + 48].hex()))
            print("  got      [%d:] %s" % (start, b[start:start + 48].hex()))
            ok = False
            break
    if ok:
        print("%d frames identical" % len(exp))
    sys.exit(0 if ok else 1)


def cmd_flow_order(args):
    """Per inner UDP flow (source port), the frames' numbers must rise."""
    last, flows, bad = {}, set(), 0
    for fr in pcap_read(args.file):
        if len(fr) < 42 or fr[12:14] != b"\x08\x00":
            continue
        ihl = (fr[14] & 15) * 4
        if fr[23] != 17 or not fr[14 + ihl + 8:].startswith(b"grecap-"):
            continue
        sport = struct.unpack("!H", fr[14 + ihl:16 + ihl])[0]
        # The senders number frames in the IPv4 ID (the payload's number
        # is cut short in the smallest frames).
        n = struct.unpack("!H", fr[18:20])[0]
        flows.add(sport)
        if sport in last and n <= last[sport]:
            bad += 1
        last[sport] = n
    print("%d flows, %d frames out of order" % (len(flows), bad))
    sys.exit(0 if bad == 0 and flows else 1)


def cmd_merge(args):
    frames = []
    for f in args.inputs:
        frames += pcap_read(f)
    pcap_write(args.out, frames)


def cmd_same_time(args):
    a, b = pcap_read(args.a, True), pcap_read(args.b, True)
    same = len(a) == len(b) and a == b
    for x, y in list(zip(a, b))[:3]:
        print("  %d.%06d vs %d.%06d" % (x + y))
    print("%d/%d timestamps equal" % (sum(x == y for x, y in zip(a, b)),
                                       max(len(a), len(b))))
    sys.exit(0 if same else 1)


def cmd_tcp_seqs(args):
    out = []
    off = 14
    for fr in pcap_read(args.file):
        if args.outer:
            fr = inner_of(fr)
            if fr is None:
                continue
        if fr[12:14] != b"\x08\x00" or fr[off + 9] != 6:
            continue
        seq = struct.unpack("!I", fr[off + 24:off + 28])[0]
        for n in range(max(1, (len(fr) - off - 40) // 1400)):
            out.append(str(seq + n * 1400))
    print(" ".join(out))


def cmd_sysctl(args):
    for setting in args.settings:
        name, _, value = setting.partition("=")
        with open("/proc/sys/" + name.replace(".", "/"), "w") as f:
            f.write(value)


def build_parser():
    p = argparse.ArgumentParser(prog="grecap_pkt.py")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    s.add_argument("dev")
    s.add_argument("kind")
    s.add_argument("count", type=int)
    s.add_argument("--expect")
    s.add_argument("--mac", default="00:00:00:00:00:00")
    s.add_argument("--dst-ip")
    s.add_argument("--dst-mac")
    s.add_argument("--interval", type=float, default=0)
    s.add_argument("--size", type=int, help="UDP payload bytes per frame")
    s.add_argument("--flows", type=int,
                   help="eth, ipv4: frame i from UDP port 4000 (ipv4: 5000)"
                   " + i %% FLOWS")
    g = sub.add_parser("gre")
    g.add_argument("dev")
    g.add_argument("--dst-mac", required=True)
    g.add_argument("--src", required=True)
    g.add_argument("--dst", required=True)
    g.add_argument("--mac", default="00:00:00:00:00:00")
    g.add_argument("--proto", type=lambda x: int(x, 0), default=0x6558)
    g.add_argument("--key", type=lambda x: int(x, 0))
    g.add_argument("--csum", action="store_true")
    g.add_argument("--bad-csum", action="store_true")
    g.add_argument("--seq", action="store_true",
                   help="sequence numbers 0, 1, 2...")
    g.add_argument("--seqs", type=seq_list,
                   help="one packet per number: 0-3,9,5 (sets --count)")
    g.add_argument("--routing", action="store_true")
    g.add_argument("--version", type=int, default=0)
    g.add_argument("--truncate", type=int,
                   help="cut the frame to this many bytes; the outer IP"
                   " length still says the packet's whole length")
    g.add_argument("--ip-len-fixed", action="store_true",
                   help="with --truncate: the IP length says the cut one")
    g.add_argument("--inner-len", type=int)
    g.add_argument("--ip-options", action="store_true")
    g.add_argument("--count", type=int, default=1)
    g.add_argument("--expect")
    g.add_argument("--dst-ip")
    g.add_argument("--size", type=int)
    u = sub.add_parser("udp")
    u.add_argument("dev")
    u.add_argument("--dst-mac", required=True)
    u.add_argument("--src", required=True)
    u.add_argument("--dst", required=True)
    u.add_argument("--encap", required=True,
                   choices=("vxlan", "geneve", "tzsp"))
    u.add_argument("--port", type=int, required=True)
    u.add_argument("--vni", type=int, default=0)
    u.add_argument("--count", type=int, default=1)
    u.add_argument("--checksum", default="none",
                   choices=("none", "good", "bad"))
    u.add_argument("--vxlan-flags", type=lambda x: int(x, 0),
                   help="VXLAN's first byte (0x08: I flag)")
    u.add_argument("--proto", type=lambda x: int(x, 0), default=0x6558,
                   help="GENEVE protocol type")
    u.add_argument("--options", type=int, default=0,
                   help="GENEVE options of 8 bytes each")
    u.add_argument("--critical", action="store_true")
    u.add_argument("--oam", action="store_true")
    u.add_argument("--geneve-ver", type=int, default=0)
    u.add_argument("--gwlb", action="store_true",
                   help="GENEVE IPv4 carrying VXLAN to 4789 (AWS GWLB)")
    u.add_argument("--expect-inner", action="store_true",
                   help="with --gwlb: expect the VXLAN's frame")
    u.add_argument("--tzsp-version", type=int, default=1)
    u.add_argument("--tzsp-type", type=int, default=0)
    u.add_argument("--tzsp-encap", type=int, default=1)
    u.add_argument("--tzsp-tags", help="hex bytes before the END tag")
    u.add_argument("--udp-len", type=int, help="UDP length field")
    u.add_argument("--truncate", type=int,
                   help="cut the frame, the IP length saying so")
    u.add_argument("--inner-len", type=int)
    u.add_argument("--size", type=int)
    u.add_argument("--flows", type=int)
    u.add_argument("--dst-ip")
    u.add_argument("--mac", default="00:00:00:00:00:00")
    u.add_argument("--expect")
    c = sub.add_parser("compare")
    c.add_argument("expected")
    c.add_argument("got")
    c.add_argument("--any-order", action="store_true")
    t = sub.add_parser("same-time")
    t.add_argument("a")
    t.add_argument("b")
    fo = sub.add_parser("flow-order")
    fo.add_argument("file")
    m = sub.add_parser("merge")
    m.add_argument("out")
    m.add_argument("inputs", nargs="+")
    h = sub.add_parser("hold")
    h.add_argument("dev")
    n = sub.add_parser("count")
    n.add_argument("file")
    n.add_argument("--longer-than", type=int, default=-1)
    ts = sub.add_parser("tcp-seqs")
    ts.add_argument("file")
    ts.add_argument("--outer", action="store_true")
    b = sub.add_parser("bytes")
    b.add_argument("files", nargs="+")
    sy = sub.add_parser("sysctl")
    sy.add_argument("settings", nargs="+")
    st = sub.add_parser("stamps")
    st.add_argument("file")
    for name in ("erspan", "frag"):
        c = sub.add_parser(name)
        c.add_argument("dev")
        c.add_argument("--dst-mac", required=True)
        c.add_argument("--src", required=True)
        c.add_argument("--dst", required=True)
        c.add_argument("--count", type=int, default=1)
        c.add_argument("--expect")
        c.add_argument("--ip-id", type=int, default=1)
    e = sub.choices["erspan"]
    e.add_argument("--type", type=int, choices=(1, 2, 3), required=True)
    e.add_argument("--ver", type=int)
    e.add_argument("--session", type=int, default=0)
    e.add_argument("--vlan", type=int, default=0)
    e.add_argument("--cos", type=int, default=0)
    e.add_argument("--en", type=int, default=0)
    e.add_argument("--t", type=int, default=0, help="T bit: truncated")
    e.add_argument("--bso", type=int, default=0, help="Type III BSO")
    e.add_argument("--gra", type=int, default=0)
    e.add_argument("--timestamp", type=lambda x: int(x, 0), default=0)
    e.add_argument("--ft", type=int, default=0)
    e.add_argument("--platform", help="Type III subheader: ID:INFO1:INFO2")
    e.add_argument("--inner-vlan", type=int)
    e.add_argument("--flows", type=int,
                   help="frame i from UDP port 4000 + i %% FLOWS")
    e.add_argument("--expect-vlan", action="store_true")
    e.add_argument("--mac", default="00:00:00:00:00:00")
    f = sub.choices["frag"]
    f.add_argument("--mtu", type=int, default=1500)
    f.add_argument("--size", type=int, default=1400)
    f.add_argument("--mode", default="inorder",
                   choices=("inorder", "reverse", "dup", "overlap",
                            "incomplete"))
    t = sub.add_parser("tso")
    t.add_argument("dev")
    t.add_argument("--segments", type=int, default=10)
    t.add_argument("--mss", type=int, default=1400)
    d = sub.add_parser("decap")
    d.add_argument("infile")
    d.add_argument("outfile")
    t = sub.add_parser("trafgen")
    t.add_argument("outfile")
    t.add_argument("--dst-mac", required=True)
    t.add_argument("--src", required=True)
    t.add_argument("--dst", required=True)
    t.add_argument("--keys", required=True)
    t.add_argument("--vnis", default="")
    for name in LAZY:
        # Parsed by their module's own parser (lazy_run).
        sub.add_parser(name, add_help=False).add_argument(
            "rest", nargs=argparse.REMAINDER)
    sub.add_parser("serve").add_argument(
        "--scapy", action="store_true",
        help="import scapy in the background from the start")
    return p


# Commands of modules of their own, imported when first run: most tests
# never run them, and in the test VM each import costs a start.
LAZY = {"replay": "grecap_replay", "faults": "grecap_faults",
        "fail-loop": "grecap_faults",
        "nl": "grecap_nl"}


def lazy_run(argv):
    """ARGV: a LAZY command and its arguments."""
    mod = importlib.import_module(LAZY[argv[0]])
    if argv[0] == "nl":
        mod.main(argv[1:])
        return
    p = argparse.ArgumentParser(prog="grecap_pkt.py")
    mod.add_parsers(p.add_subparsers(dest="cmd", required=True))
    mod.run(p.parse_args(argv))


def run(args):
    if args.cmd == "send":
        cmd_send(args)
    elif args.cmd == "gre":
        cmd_gre(args)
    elif args.cmd == "udp":
        cmd_udp(args)
    elif args.cmd == "compare":
        cmd_compare(args)
    elif args.cmd == "same-time":
        cmd_same_time(args)
    elif args.cmd == "merge":
        cmd_merge(args)
    elif args.cmd == "flow-order":
        cmd_flow_order(args)
    elif args.cmd == "erspan":
        cmd_erspan(args)
    elif args.cmd == "frag":
        cmd_frag(args)
    elif args.cmd == "tso":
        cmd_tso(args)
    elif args.cmd == "decap":
        cmd_decap(args)
    elif args.cmd == "trafgen":
        cmd_trafgen(args)
    elif args.cmd in LAZY:
        lazy_run([args.cmd] + args.rest)
    elif args.cmd == "sysctl":
        cmd_sysctl(args)
    elif args.cmd == "bytes":
        print(sum(len(f) for name in args.files for f in pcap_read(name)))
    elif args.cmd == "stamps":
        print("\n".join(str(t) for t in pcap_read(args.file, "ns")))
    elif args.cmd == "hold":
        cmd_hold(args)
    elif args.cmd == "count":
        print(sum(len(f) > args.longer_than for f in pcap_read(args.file)))
    elif args.cmd == "tcp-seqs":
        cmd_tcp_seqs(args)
    else:
        raise ValueError("%s is not a command here" % args.cmd)


def load_scapy():
    """grecap_scapy, with site-packages (the server starts without them)."""
    import site  # pylint: disable=import-outside-toplevel
    site.main()
    import grecap_scapy  # pylint: disable=import-outside-toplevel
    return grecap_scapy


def serve(parser, preload=False):
    """One command per stdin line; "done RC" on stdout after each.  With
    preload, scapy is imported meanwhile, in a thread of its own: tests that
    use it find it loaded (or nearly) when they first do."""
    scapy = None
    loaded = {}
    loader = None
    if preload:
        loader = threading.Thread(
            target=lambda: loaded.update(mod=load_scapy()), daemon=True)
        loader.start()
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        rc = 0
        try:
            argv = shlex.split(line)
            if argv[:1] and argv[0] in LAZY:
                lazy_run(argv)
            elif argv[:1] == ["scapy"]:
                if loader is not None:
                    loader.join()
                    loader = None
                if scapy is None:
                    # Imported here when not preloaded, or when the
                    # preload failed: its error then is this command's.
                    scapy = loaded.get("mod") or load_scapy()
                scapy.run(scapy.build_parser().parse_args(argv[1:]))
            else:
                run(parser.parse_args(argv))
        except SystemExit as e:
            # argparse's errors (2) and the commands' verdicts.
            rc = e.code if isinstance(e.code, int) else 1
        except Exception as e:  # pylint: disable=broad-except
            print(f"grecap_pkt: {type(e).__name__}: {e}", file=sys.stderr)
            rc = 1
        sys.stdout.flush()
        sys.stderr.flush()
        print(f"done {rc}", flush=True)


def main():
    if sys.argv[1:2] and sys.argv[1] in LAZY:
        lazy_run(sys.argv[1:])
        return
    parser = build_parser()
    args = parser.parse_args()
    if args.cmd == "serve":
        serve(parser, args.scapy)
    else:
        run(args)


if __name__ == "__main__":
    main()
