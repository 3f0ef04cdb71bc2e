#!/usr/bin/python3 -S
# SPDX-License-Identifier: GPL-2.0
"""trafgen(8) configurations of mirror traffic for make bench.

  frames.py FLAVOUR SIZE DST_MAC [--flows N] [--no-seq]

FLAVOUR: teb (GRE 0x6558), gre-ipv4 (GRE 0x0800), erspan2, erspan3, vxlan
(UDP 4789, VNI 0), geneve (UDP 6081, VNI 0, no options, Ethernet).
SIZE: bytes of the mirrored payload, what grecap delivers: the inner
Ethernet frame, or for gre-ipv4 the inner IPv4 packet.  The inner packet is
IPv4/UDP 10.0.0.1 -> 10.0.0.2; --flows N writes N packets, one inner flow
each (UDP source ports 1024...), which trafgen sends in turn.

Outer: Ethernet to DST_MAC, IPv4 192.0.2.1 -> 192.0.2.2 (trafgen fills
lengths and checksum), GRE; or UDP with a zero checksum, as Linux's vxlan
and geneve devices send over IPv4 by default.  ERSPAN sessions number their packets (GRE S
bit): trafgen counts in 32 bits only in fields of its protocol headers, so
the GRE and ERSPAN headers are written as a tcp() header whose sequence
field lands on the GRE sequence number (GRE with S only: flags, protocol,
sequence; then ERSPAN) and whose other fields carry the ERSPAN words and
the first bytes of the frame, checksum included, set by hand:

  tcp():  sport | dport  | seq        | ack_seq  | doff,flags | window | csum | urg
  GRE:    flags | proto  | seq        | ERSPAN word 0 | ERSPAN word 1  | ...
"""

import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "selftests", "net"))
from grecap_packets import csum  # noqa: E402

INNER_DST = bytes.fromhex("020000000b02")
INNER_SRC = bytes.fromhex("020000000b01")
SESSION = 7


def inner_ipv4(size, sport):
    """An IPv4/UDP packet of @size bytes (at least 28)."""
    udp_len = size - 20
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, size, 0, 0, 64, 17, 0,
                      bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    udp = struct.pack("!HHHH", sport, 9, udp_len, 0)
    return hdr + udp + bytes(udp_len - 8)


def inner_frame(size, sport):
    return INNER_DST + INNER_SRC + b"\x08\x00" + inner_ipv4(size - 14, sport)


def raw(data):
    return ", ".join("0x%02x" % b for b in data)


def outer(dst_mac, proto=47):
    return ("eth(da=%s, sa=02:00:00:00:0a:01, type=0x0800),\n"
            "  ipv4(da=192.0.2.2, sa=192.0.2.1, proto=%d, ttl=64, df)"
            % (dst_mac, proto))


# VXLAN: flags (I) | reserved; VNI | reserved.  GENEVE: version 0, no
# options | protocol 0x6558; VNI | reserved.
UDP_ENCAPS = {
    "vxlan": (4789, struct.pack("!II", 0x08000000, 0)),
    "geneve": (6081, struct.pack("!HHI", 0, 0x6558, 0)),
}


def packet(flavour, size, dst_mac, sport, seq):
    if flavour in UDP_ENCAPS:
        port, hdr = UDP_ENCAPS[flavour]
        return ("{ %s,\n  udp(sp=49152, dp=%d, csum=0),\n  %s }" %
                (outer(dst_mac, 17), port,
                 raw(hdr + inner_frame(size, sport))))
    if flavour == "gre-ipv4":
        return "{ %s,\n  %s }" % (outer(dst_mac),
                                  raw(b"\0\0\x08\x00" + inner_ipv4(size, sport)))
    frame = inner_frame(size, sport)
    if flavour == "teb":
        return "{ %s,\n  %s }" % (outer(dst_mac), raw(b"\0\0\x65\x58" + frame))
    if flavour == "erspan2":
        proto = 0x88BE
        # ver 1, vlan 0 | cos 0, en 0, t 0, session; reserved 0 | index 0
        words = struct.pack("!II", 1 << 28 | SESSION, 0)
    else:
        proto = 0x22EB
        # ver 2, vlan 0 | cos, bso, t 0, session; timestamp 0;
        # sgt 0 | p 0, ft 0 (Ethernet), hwid 0, d 0, gra 0, o 0
        words = struct.pack("!III", 2 << 28 | SESSION, 0, 0)
    if not seq:
        return "{ %s,\n  %s }" % (outer(dst_mac),
                                  raw(struct.pack("!HH", 0, proto) +
                                      words + frame))
    # The 12 bytes after the GRE sequence number ride in ack_seq,
    # doff/flags (zero in both ERSPAN headers: reserved bits, timestamp's
    # top 16 bits), window, csum and urgptr.
    rest = words + frame
    ack, dflags, win, tcsum, urg = struct.unpack("!IHHHH", rest[:12])
    if dflags:
        sys.exit("frames.py: bytes 12-13 after GRE must be zero")
    return ("{ %s,\n  tcp(sp=0x1000, dp=0x%04x, seq=dinc(), aseq=0x%08x, "
            "doff=0, win=0x%04x, csum=0x%04x, urgptr=0x%04x),\n  %s }" %
            (outer(dst_mac), proto, ack, win, tcsum, urg, raw(rest[12:])))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("flavour", choices=["teb", "gre-ipv4", "erspan2",
                                        "erspan3", "vxlan", "geneve"])
    ap.add_argument("size", type=int)
    ap.add_argument("dst_mac")
    ap.add_argument("--flows", type=int, default=1)
    ap.add_argument("--no-seq", action="store_true")
    a = ap.parse_args()
    if a.size < 60:
        sys.exit("frames.py: payload of at least 60 bytes")
    seq = a.flavour.startswith("erspan") and not a.no_seq
    if seq and a.flows > 1:
        # Each packet of a configuration counts on its own.
        sys.exit("frames.py: one flow only in a numbered session")
    for i in range(a.flows):
        print(packet(a.flavour, a.size, a.dst_mac, 1024 + i, seq))


if __name__ == "__main__":
    main()
