#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send what ip(8) cannot: grecap links with hand-made IFLA_INFO_DATA.

  raw NAME LINK TYPE:HEX [TYPE:HEX...]    RTM_NEWLINK, create NAME on LINK
  rawset NAME TYPE:HEX [TYPE:HEX...]      RTM_NEWLINK, change NAME

TYPE is an IFLA_GRECAP_* number (include/uapi/linux/grecap.h), HEX the
attribute's payload as it goes on the wire.  Errors print the kernel's
extack message as ip does ("Error: MSG.") and exit 2.
"""

import os
import socket
import struct
import sys

NETLINK_ROUTE = 0
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
RTM_NEWLINK = 16
NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE = 1, 4, 0x200, 0x400
NLMSG_ERROR = 2
NLMSGERR_ATTR_MSG = 1
IFLA_IFNAME, IFLA_LINK, IFLA_LINKINFO = 3, 5, 18
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2


def attr(t, data):
    a = struct.pack("=HH", 4 + len(data), t) + data
    return a + b"\0" * (-len(a) % 4)


def attrs(buf):
    out = {}
    while len(buf) >= 4:
        ln, t = struct.unpack("=HH", buf[:4])
        if ln < 4:
            break
        out[t & 0x3FFF] = buf[4:ln]
        buf = buf[(ln + 3) & ~3:]
    return out


def request(flags, body):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
    s.send(struct.pack("=IHHII", 16 + len(body), RTM_NEWLINK,
                       NLM_F_REQUEST | NLM_F_ACK | flags, 1, 0) + body)
    data = s.recv(65536)
    ln, t = struct.unpack("=IH", data[:6])
    if t != NLMSG_ERROR:
        sys.exit("unexpected netlink reply %d" % t)
    err = struct.unpack("=i", data[16:20])[0]
    if err:
        tlv = attrs(data[36:ln])
        msg = tlv.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0").decode()
        print("Error: %s (%s)." % (msg or "-", os.strerror(-err)))
        sys.exit(2)


def main():
    cmd, name = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    body = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0)
    body += attr(IFLA_IFNAME, name.encode() + b"\0")
    flags = 0
    if cmd == "raw":
        link = socket.if_nametoindex(args.pop(0))
        body += attr(IFLA_LINK, struct.pack("=I", link))
        flags = NLM_F_CREATE | NLM_F_EXCL
    elif cmd != "rawset":
        sys.exit(__doc__)
    data = b"".join(attr(int(t), bytes.fromhex(h))
                    for t, h in (a.split(":") for a in args))
    body += attr(IFLA_LINKINFO, attr(IFLA_INFO_KIND, b"grecap\0") +
                 attr(IFLA_INFO_DATA, data))
    request(flags, body)


if __name__ == "__main__":
    main()
