#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Hostile input for the grecap selftests, from scapy's fuzz().

  fuzz DEV --dst-mac M --seed N
      Hostile input, the same for a given seed: truncations of valid GRE,
      ERSPAN and GRE-over-IPv6 at every byte offset, random bytes in GRE
      and ERSPAN headers, every GRE flag and version combination, bad
      checksums, short inner frames, IPv4 options and IPv6 extension
      headers, GRE in GRE, overlapping, duplicate and incomplete outer
      fragments, a 60000-byte inner frame.  Every outer IP header is valid
      and addressed to the collector, so each packet is grecap's to account
      for.  Prints "whole N" and "fragments N": packets and fragments sent.
      --udp: the same for UDP to the VXLAN, GENEVE and TZSP ports (4789,
      6081, 37008): truncations after a whole UDP header, random VXLAN and
      GENEVE fields and options, random TZSP tags, bad and absent
      checksums, IPv6, outer fragments.

Only fuzzing needs scapy: its fuzz() draws random values for every field
of a layer.  The rest of the hand-made traffic (ERSPAN, fragments, TSO,
trafgen configurations) is grecap_pkt.py's, built with the standard
library: importing scapy takes seconds in an emulated guest, 15 s on the
debug kernel.  grecap_pkt.py serve runs this command too ("scapy fuzz
..."), importing this module once per test.
"""

import argparse
import random
import socket
import struct

from grecap_packets import (SRC_MAC, csum, inner_frame, ipv4, ipv6, mac, udp,
                            udp4)

# Only the layers used: scapy.all loads every layer and takes three times
# as long to import, which adds up over a test run in an emulated guest.
from scapy.config import conf
from scapy.layers.inet import IP, UDP, IPOption_RR, fragment
from scapy.layers.inet6 import (IPv6, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                                IPv6ExtHdrDestOpt, fragment6)
from scapy.layers.l2 import GRE, Ether
from scapy.layers.vxlan import VXLAN
from scapy.packet import Raw, fuzz
from scapy.contrib.geneve import GENEVE
from scapy.contrib.erspan import (ERSPAN_II, ERSPAN_III,
                                  ERSPAN_PlatformSpecific)

conf.verb = 0


def inner(i, size):
    """inner_frame() as a scapy packet, to stack layers on."""
    return Ether(inner_frame(i, size))


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
    first = inner(1, 200)
    inner_b = bytes(first)
    valid = [
        IP(**v4) / GRE(proto=0x6558, key_present=1, key=5, chksum_present=1)
        / first,
        IP(**v4) / GRE(proto=0x88BE, seqnum_present=1) / ERSPAN_II(ver=1)
        / first,
        IP(**v4) / GRE(proto=0x22EB) / ERSPAN_III(ver=2, o=1)
        / ERSPAN_PlatformSpecific(platf_id=3) / first,
        IPv6(**v6) / GRE(proto=0x6558, key_present=1, key=5) / first,
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
        GRE(proto=0x6558) / first
    yield IPv6(**v6) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / \
        IPv6ExtHdrDestOpt() / GRE(proto=0x6558) / first
    gre_in_gre = bytes(IP(**v4) / GRE(proto=0x6558) / Ether() / IP(**v4) /
                       GRE(proto=0x6558) / first)
    for _ in range(20):
        yield gre_in_gre
    # Fragments: a jumbo inner frame, overlapping, duplicate, incomplete.
    big = IP(id=7001, **v4) / GRE(proto=0x6558) / inner(2, 60000)
    for f in fragment(big, 1400):
        yield "frag", f
    p = IP(id=7002, **v4) / GRE(proto=0x6558) / inner(3, 3000)
    frags = fragment(p, 1000)
    for f in frags + frags[1:2]:
        yield "frag", f
    bad = frags[1].copy()
    bad.frag += 2
    del bad.chksum
    p = IP(id=7003, **v4) / GRE(proto=0x6558) / inner(4, 3000)
    for f in fragment(p, 1000)[:2] + [IP(bytes(bad))]:
        yield "frag", f
    p = IPv6(**v6) / IPv6ExtHdrFragment(id=7004) / GRE(proto=0x6558) / \
        inner(5, 3000)
    for f in fragment6(p, 1000)[:-1]:
        yield "frag", f
    for _ in range(100):
        p = IP(id=random.getrandbits(16), flags=1, **v4) / GRE(proto=0x6558)
        p.frag = random.getrandbits(13)
        yield "frag", p / Raw(bytes(random.getrandbits(8)
                                   for _ in range(random.randrange(8, 64))))


# The default ports of grecap's UDP devices.
VXLAN_PORT, GENEVE_PORT, TZSP_PORT = 4789, 6081, 37008


def udp_ip4(dport, payload, check=True):
    """payload in UDP to dport in IPv4 (V4), checksummed, or with none
    (0)."""
    if check:
        seg = udp4(V4["src"], V4["dst"], 40000, dport, payload)
    else:
        seg = udp(40000, dport, payload)
    return ipv4(V4["src"], V4["dst"], 17, seg)


def udp_ip6(dport, payload):
    """payload in UDP to dport in IPv6 (V6), checksummed (RFC 8200)."""
    seg = udp(40000, dport, payload)
    ph = socket.inet_pton(socket.AF_INET6, V6["src"]) + \
        socket.inet_pton(socket.AF_INET6, V6["dst"]) + \
        struct.pack("!IxxxB", len(seg), 17)
    seg = seg[:6] + struct.pack("!H", csum(ph + seg) or 0xFFFF) + seg[8:]
    return ipv6(V6["src"], V6["dst"], 17, seg)


def tzsp_tags():
    """Random TZSP tagged fields: padding, an end, or a tag and its
    length, with random bytes after."""
    out = b""
    for _ in range(random.randrange(0, 6)):
        tag = random.choice((0, 1, random.getrandbits(8)))
        out += bytes([tag])
        if tag > 1:
            n = random.randrange(0, 12)
            out += bytes([n]) + bytes(random.getrandbits(8) for _ in range(n))
    return out


def fuzz_udp_packets():
    """Outer IP packets of UDP to the VXLAN, GENEVE and TZSP ports: every
    UDP header whole and its length the datagram's, so that each is a
    grecap device's to account for."""
    first = inner_frame(1, 200)
    valid = [
        (VXLAN_PORT, bytes(VXLAN(vni=7)) + first),
        (GENEVE_PORT, bytes(GENEVE(vni=7, proto=0x6558, optionlen=2)) +
         bytes(8) + first),
        (TZSP_PORT, struct.pack("!BBH", 1, 0, 1) + b"\x01" + first),
    ]
    # Cut after the UDP header at every offset, UDP and IP lengths saying
    # so; with and without a UDP checksum; over IPv6 too.
    for port, payload in valid:
        for cut in range(0, 80):
            yield udp_ip4(port, payload[:cut])
            yield udp_ip4(port, payload[:cut], check=False)
            yield udp_ip6(port, payload[:cut])
    # Random header fields, scapy's fuzz(); random TZSP tags.
    for _ in range(300):
        yield udp_ip4(VXLAN_PORT, bytes(fuzz(VXLAN())) + first)
    for _ in range(300):
        g = bytes(fuzz(GENEVE()))
        # Options as long as the header says, random bytes.
        opt = bytes(random.getrandbits(8) for _ in range((g[0] & 0x3F) * 4))
        yield udp_ip4(GENEVE_PORT, g + opt + first)
    for _ in range(300):
        yield udp_ip4(TZSP_PORT, struct.pack(
            "!BBH", random.choice((1, random.getrandbits(8))),
            random.choice((0, random.getrandbits(8))),
            random.choice((1, 18, 119, random.getrandbits(16)))) +
            tzsp_tags() + first)
    for _ in range(100):
        yield udp_ip6(random.choice((VXLAN_PORT, GENEVE_PORT)),
                      bytes(fuzz(random.choice((VXLAN, GENEVE))())) + first)
    # Bad UDP checksums.
    for port, payload in valid:
        good = bytearray(udp_ip4(port, payload))
        for _ in range(20):
            raw = bytearray(good)
            raw[26] ^= 1 + random.getrandbits(7)
            yield bytes(raw)
    # Fragments of UDP, reassembled before the decoders see them.
    p = IP(id=7101, **V4) / UDP(sport=40000, dport=VXLAN_PORT) / \
        VXLAN(vni=7) / inner(6, 3000)
    for f in fragment(p, 1000):
        yield "frag", f


def cmd_fuzz(args):
    random.seed(args.seed)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.dev, 0))
    counts = {"whole": 0, "frag": 0}
    eth = mac(args.dst_mac) + SRC_MAC
    for item in (fuzz_udp_packets() if args.udp else fuzz_packets(args)):
        kind, pkt = item if isinstance(item, tuple) else ("whole", item)
        pkt = bytes(pkt)
        s.send(eth + (b"\x08\x00" if pkt[0] >> 4 == 4 else b"\x86\xdd") + pkt)
        counts[kind] += 1
    print("whole", counts["whole"])
    print("fragments", counts["frag"])


def build_parser():
    p = argparse.ArgumentParser(prog="grecap_scapy.py")
    sub = p.add_subparsers(dest="cmd", required=True)
    z = sub.add_parser("fuzz")
    z.add_argument("dev")
    z.add_argument("--dst-mac", required=True)
    z.add_argument("--seed", type=int, default=1)
    z.add_argument("--udp", action="store_true",
                   help="UDP to the VXLAN, GENEVE and TZSP ports instead")
    return p


def run(args):
    cmd_fuzz(args)


def main():
    run(build_parser().parse_args())


if __name__ == "__main__":
    main()
