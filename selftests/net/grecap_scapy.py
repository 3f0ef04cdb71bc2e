#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Scapy-built traffic for the grecap selftests: what no kernel device sends.

  erspan DEV --dst-mac M --src A --dst B --type 1|2|3 [fields] --expect F
      ERSPAN Type I, II or III (with --platform, the optional platform
      subheader; --t and --bso, the source's verdicts) around Ethernet
      frames; F gets the frames grecap should
      deliver (with --expect-vlan: with the header's VLAN put back).
  frag DEV --dst-mac M --src A --dst B --mtu N [--mode M] --expect F
      GRE (0x6558) around large Ethernet frames, the outer packet cut into
      fragments of at most N bytes; --mode: inorder, reverse, dup, overlap
      (a conflicting overlap: the kernel drops the packet) or incomplete
      (the last fragment is never sent).  F gets what grecap should deliver.
  tso DEV --src A --dst B --segments N --mss M --expect F
      One TCP super-frame of N*M payload bytes through DEV (a gretap) with
      PACKET_VNET_HDR, so the stack cuts it into N back-to-back segments; F
      gets those segments as they will be on the wire.
  fuzz DEV --dst-mac M --seed N
      Hostile input, the same for a given seed: truncations of valid GRE,
      ERSPAN and GRE-over-IPv6 at every byte offset, random bytes in GRE
      and ERSPAN headers, every GRE flag and version combination, bad
      checksums, short inner frames, IPv4 options and IPv6 extension
      headers, GRE in GRE, overlapping, duplicate and incomplete outer
      fragments, a 60000-byte inner frame.  Every outer IP header is valid
      and addressed to the collector, so each packet is grecap's to account
      for.  Prints "whole N" and "fragments N": packets and fragments sent.
  decap IN OUT
      Write to OUT the Ethernet frames inside the GRE packets of IN.
  trafgen OUT --dst-mac M --src A --dst B --keys K,K...
      Write to OUT a trafgen(8) configuration: per key, one GRE (0x6558)
      packet with that key around a 200-byte UDP frame.

grecap_pkt.py serve runs these too ("scapy CMD ..."), importing this
module once per test (scapy's import takes seconds in an emulated guest).
"""

import argparse
import random
import socket
import struct

from grecap_packets import csum, ipv4, ipv6, payload_for

# Only the layers used: scapy.all loads every layer and takes three times
# as long to import, which adds up over a test run in an emulated guest.
from scapy.config import conf
from scapy.layers.inet import IP, UDP, IPOption_RR, fragment
from scapy.layers.inet6 import (IPv6, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                                IPv6ExtHdrDestOpt, fragment6)
from scapy.layers.l2 import GRE, Dot1Q, Ether
from scapy.packet import Raw, fuzz
from scapy.utils import rdpcap, wrpcap
from scapy.contrib.erspan import (ERSPAN_I, ERSPAN_II, ERSPAN_III,
                                  ERSPAN_PlatformSpecific)

conf.verb = 0
SRC_MAC = "02:00:00:00:00:01"
DST_MAC = "02:00:00:00:00:02"


def inner_frame(i, size, tagged_vlan=None, flows=None):
    eth = Ether(src=SRC_MAC, dst=DST_MAC)
    if tagged_vlan is not None:
        eth = eth / Dot1Q(vlan=tagged_vlan)
    return eth / IP(src="10.9.0.1", dst="10.9.0.2", id=i) / \
        UDP(sport=4000 + (i % flows if flows else i), dport=9) / \
        Raw(payload_for(i, size))


def outer(args, proto_pkt):
    if ":" in args.dst:
        ip = IPv6(src=args.src, dst=args.dst)
    else:
        ip = IP(src=args.src, dst=args.dst, id=args.ip_id)
    return Ether(src=SRC_MAC, dst=args.dst_mac) / ip / proto_pkt


def send_raw(dev, frames):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((dev, 0))
    for f in frames:
        s.send(bytes(f))
    s.close()


def erspan_hdr(args, i):
    if args.type == 1:
        return GRE(proto=0x88BE) / ERSPAN_I()
    if args.type == 2:
        return GRE(proto=0x88BE, seqnum_present=1,
                   sequence_number=i) / \
            ERSPAN_II(ver=args.ver if args.ver is not None else 1,
                      vlan=args.vlan, cos=args.cos, en=args.en, t=args.t,
                      session_id=args.session, index=i)
    h = ERSPAN_III(ver=args.ver if args.ver is not None else 2,
                   vlan=args.vlan, cos=args.cos, session_id=args.session,
                   t=args.t, bso=args.bso,
                   timestamp=args.timestamp, gra=args.gra, ft=args.ft,
                   o=1 if args.platform else 0)
    if args.platform:
        pid, info1, info2 = (int(x, 0) for x in args.platform.split(":"))
        h = h / ERSPAN_PlatformSpecific(platf_id=pid, info1=info1,
                                        info2=info2)
    return GRE(proto=0x22EB) / h


def cmd_erspan(args):
    wire, expect = [], []
    for i in range(args.count):
        inner = inner_frame(i, 60 + (i * 97) % 1000, args.inner_vlan,
                            args.flows)
        if args.ft == 2:
            body = inner[IP]
            exp = Ether(src="00:00:00:00:00:00", dst=args.mac) / body
        else:
            body = inner
            exp = inner
        if args.expect_vlan:
            # What a capture of a frame with its tag restored shows.
            raw = bytes(exp)
            tci = args.cos << 13 | args.vlan
            exp = raw[:12] + struct.pack("!HH", 0x8100, tci) + raw[12:]
        wire.append(outer(args, erspan_hdr(args, i) / body))
        expect.append(bytes(exp))
    send_raw(args.dev, wire)
    if args.expect:
        wrpcap(args.expect, [Ether(e) for e in expect])


def gre_frames(args):
    frames, packets = [], []
    for i in range(args.count):
        inner = inner_frame(i, args.size)
        pkt = outer(args, GRE(proto=0x6558) / inner)
        frames.append(bytes(inner))
        packets.append(pkt)
    return frames, packets


def cut(args, pkt):
    """The outer packet of pkt as a list of Ethernet frames of fragments."""
    eth = pkt[Ether]
    if IPv6 in pkt:
        ip6 = pkt[IPv6]
        ip6 = IPv6(src=ip6.src, dst=ip6.dst) / \
            IPv6ExtHdrFragment(id=args.ip_id) / ip6.payload
        frags = fragment6(ip6, args.mtu)
    else:
        frags = fragment(pkt[IP], args.mtu - 20)
    return [Ether(src=eth.src, dst=eth.dst) / f for f in frags]


def cmd_frag(args):
    frames, packets = gre_frames(args)
    expect = []
    first_id = args.ip_id
    for n, (inner, pkt) in enumerate(zip(frames, packets)):
        # Its own reassembly ID per packet: --ip-id, --ip-id + 1, ...
        args.ip_id = first_id + n
        pkt = outer(args, pkt[GRE])
        parts = cut(args, pkt)
        if args.mode == "reverse":
            parts.reverse()
            expect.append(inner)
        elif args.mode == "dup":
            parts = parts[:1] + parts + parts[-1:]
            expect.append(inner)
        elif args.mode == "overlap":
            # A copy of the second fragment 8 bytes further on: it
            # overlaps the second and third partly, for which reassembly
            # drops the whole packet (RFC 5722).
            bad = parts[1].copy()
            if IPv6ExtHdrFragment in bad:
                bad[IPv6ExtHdrFragment].offset += 1
            else:
                bad[IP].frag += 1
                del bad[IP].chksum
            parts = parts[:2] + [Ether(bytes(bad))] + parts[2:]
        elif args.mode == "incomplete":
            parts = parts[:-1]
        else:
            expect.append(inner)
        send_raw(args.dev, parts)
        print(len(parts))
    if args.expect:
        wrpcap(args.expect, [Ether(e) for e in expect])


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
    eth = bytes.fromhex(DST_MAC.replace(":", "")) + \
        bytes.fromhex(SRC_MAC.replace(":", "")) + b"\x08\x00"
    return eth + ip + tcp + payload


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


# Most fuzz packets are put together from bytes: building each one as a
# scapy packet took 40 s of the test in the emulated guest.
V4 = {"src": "192.0.2.1", "dst": "192.0.2.2"}
V6 = {"src": "2001:db8::1", "dst": "2001:db8::2"}


def ip4(payload):
    """GRE payload in an IPv4 header from V4's source to its destination."""
    return ipv4(V4["src"], V4["dst"], 47, payload)


def ip6(payload):
    """GRE payload in an IPv6 header from V6's source to its destination."""
    return ipv6(V6["src"], V6["dst"], 47, payload)


def gre_bytes(payload, c=0, r=0, k=0, s=0, ssr=0, ver=0, proto=0x6558):
    """A GRE header of RFC 1701 with these flags (key and sequence number
    zero; with C, a checksum over header and payload) before payload."""
    hdr = struct.pack("!BBH", c << 7 | r << 6 | k << 5 | s << 4 | ssr << 3,
                      ver, proto)
    if c or r:
        hdr += b"\0\0\0\0"
    hdr += b"\0\0\0\0" * (k + s)
    if c:
        hdr = hdr[:4] + struct.pack("!H", csum(hdr + payload)) + \
            hdr[6:]
    return hdr + payload


def fuzz_packets(args):
    """Outer IP packets (scapy or bytes); ("frag", packet) for fragments."""
    v4, v6 = V4, V6
    inner = inner_frame(1, 200)
    inner_b = bytes(inner)
    valid = [
        IP(**v4) / GRE(proto=0x6558, key_present=1, key=5, chksum_present=1)
        / inner,
        IP(**v4) / GRE(proto=0x88BE, seqnum_present=1) / ERSPAN_II(ver=1)
        / inner,
        IP(**v4) / GRE(proto=0x22EB) / ERSPAN_III(ver=2, o=1)
        / ERSPAN_PlatformSpecific(platf_id=3) / inner,
        IPv6(**v6) / GRE(proto=0x6558, key_present=1, key=5) / inner,
    ]
    for pkt in valid:
        raw = bytes(pkt)
        hl = 20 if isinstance(pkt, IP) else 40
        # Cut the IP payload at every offset, with lengths that say so.
        for cutoff in range(hl, hl + 120):
            p = bytearray(raw[:cutoff])
            if hl == 20:
                p[2:4] = struct.pack("!H", cutoff)
                p[10:12] = b"\0\0"
                p[10:12] = struct.pack("!H", csum(bytes(p[:20])))
            else:
                p[4:6] = struct.pack("!H", cutoff - 40)
            yield bytes(p)
    # Random header fields: scapy's fuzz() draws them anew at each build.
    for _ in range(600):
        yield ip4(bytes(fuzz(GRE())) + inner_b)
    gre_ii = gre_bytes(b"", s=1, proto=0x88BE)
    for _ in range(300):
        yield ip4(gre_ii + bytes(fuzz(ERSPAN_II())) + inner_b)
    gre_iii = gre_bytes(b"", proto=0x22EB)
    for _ in range(300):
        yield ip4(gre_iii + bytes(fuzz(ERSPAN_III())) +
                  bytes(random.getrandbits(8) for _ in range(8)) + inner_b)
    for _ in range(200):
        yield ip6(bytes(fuzz(GRE())) + inner_b)
    for flags in range(32):
        for ver in range(8):
            for proto in (0x6558, 0x0800, 0x88BE, 0x22EB, 0x86DD):
                yield ip4(gre_bytes(inner_b, c=flags >> 4 & 1,
                                    r=flags >> 3 & 1, k=flags >> 2 & 1,
                                    s=flags >> 1 & 1, ssr=flags & 1,
                                    ver=ver, proto=proto))
    good = bytearray(ip4(gre_bytes(inner_b, c=1)))
    for _ in range(50):
        raw = bytearray(good)
        raw[24] ^= 1 + random.getrandbits(7)
        yield bytes(raw)
    for n in range(14):
        yield ip4(gre_bytes(inner_b[:n]))
    yield IP(options=[IPOption_RR(routers=["0.0.0.0"] * 4)], **v4) / \
        GRE(proto=0x6558) / inner
    yield IPv6(**v6) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / \
        IPv6ExtHdrDestOpt() / GRE(proto=0x6558) / inner
    gre_in_gre = bytes(IP(**v4) / GRE(proto=0x6558) / Ether() / IP(**v4) /
                       GRE(proto=0x6558) / inner)
    for _ in range(20):
        yield gre_in_gre
    # Fragments: a jumbo inner frame, overlapping, duplicate, incomplete.
    big = IP(id=7001, **v4) / GRE(proto=0x6558) / inner_frame(2, 60000)
    for f in fragment(big, 1400):
        yield "frag", f
    p = IP(id=7002, **v4) / GRE(proto=0x6558) / inner_frame(3, 3000)
    frags = fragment(p, 1000)
    for f in frags + frags[1:2]:
        yield "frag", f
    bad = frags[1].copy()
    bad.frag += 2
    del bad.chksum
    p = IP(id=7003, **v4) / GRE(proto=0x6558) / inner_frame(4, 3000)
    for f in fragment(p, 1000)[:2] + [IP(bytes(bad))]:
        yield "frag", f
    p = IPv6(**v6) / IPv6ExtHdrFragment(id=7004) / GRE(proto=0x6558) / \
        inner_frame(5, 3000)
    for f in fragment6(p, 1000)[:-1]:
        yield "frag", f
    for _ in range(100):
        p = IP(id=random.getrandbits(16), flags=1, **v4) / GRE(proto=0x6558)
        p.frag = random.getrandbits(13)
        yield "frag", p / Raw(bytes(random.getrandbits(8)
                                   for _ in range(random.randrange(8, 64))))


def cmd_fuzz(args):
    random.seed(args.seed)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.dev, 0))
    counts = {"whole": 0, "frag": 0}
    eth = bytes.fromhex(args.dst_mac.replace(":", "") +
                        SRC_MAC.replace(":", ""))
    for item in fuzz_packets(args):
        kind, pkt = item if isinstance(item, tuple) else ("whole", item)
        pkt = bytes(pkt)
        s.send(eth + (b"\x08\x00" if pkt[0] >> 4 == 4 else b"\x86\xdd") + pkt)
        counts[kind] += 1
    print("whole", counts["whole"])
    print("fragments", counts["frag"])


def cmd_trafgen(args):
    with open(args.outfile, "w", encoding="ascii") as out:
        for key in args.keys.split(","):
            p = Ether(src=SRC_MAC, dst=args.dst_mac) / \
                IP(src=args.src, dst=args.dst) / \
                GRE(proto=0x6558, key_present=1, key=int(key)) / \
                Ether(src="02:00:00:00:00:03", dst="02:00:00:00:00:04") / \
                IP(src="10.9.0.1", dst="10.9.0.2") / UDP(dport=9) / \
                Raw(b"x" * 200)
            out.write("{ " + ", ".join("0x%02x" % b for b in bytes(p)) +
                      " }\n")


def cmd_decap(args):
    out = [p[GRE].payload for p in rdpcap(args.infile) if GRE in p]
    wrpcap(args.outfile, [Ether(bytes(p)) for p in out])


def build_parser():
    p = argparse.ArgumentParser(prog="grecap_scapy.py")
    sub = p.add_subparsers(dest="cmd", required=True)
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
    e.add_argument("--platform")
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
    z = sub.add_parser("fuzz")
    z.add_argument("dev")
    z.add_argument("--dst-mac", required=True)
    z.add_argument("--seed", type=int, default=1)
    d = sub.add_parser("decap")
    d.add_argument("infile")
    d.add_argument("outfile")
    t = sub.add_parser("trafgen")
    t.add_argument("outfile")
    t.add_argument("--dst-mac", required=True)
    t.add_argument("--src", required=True)
    t.add_argument("--dst", required=True)
    t.add_argument("--keys", required=True)
    return p


def run(args):
    {"erspan": cmd_erspan, "frag": cmd_frag, "tso": cmd_tso,
     "decap": cmd_decap, "fuzz": cmd_fuzz, "trafgen": cmd_trafgen}[args.cmd](args)


def main():
    run(build_parser().parse_args())


if __name__ == "__main__":
    main()
