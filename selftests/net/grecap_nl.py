#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send what ip(8) cannot: grecap links with hand-made IFLA_INFO_DATA.

  [--netns PATH] raw NAME LINK TYPE:HEX [TYPE:HEX...]
      RTM_NEWLINK, create NAME on LINK
  [--netns PATH] rawset NAME TYPE:HEX [TYPE:HEX...]
      RTM_NEWLINK, change NAME

TYPE is an IFLA_GRECAP_* number (include/uapi/linux/grecap.h), HEX the
attribute's payload as it goes on the wire.  Errors print the kernel's
extack message as ip does ("Error: MSG.") and exit 2.  --netns: in the
network namespace of that file (/run/netns/NAME), as ip -n does.
grecap_pkt.py serve runs it too ("nl ..."), without a process of its own.
"""

import contextlib
import ctypes
import os
import socket
import struct
import sys

NETLINK_ROUTE = 0
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
RTM_NEWLINK, RTM_DELLINK = 16, 17
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


CLONE_NEWNET = 0x40000000


@contextlib.contextmanager
def in_netns(netns):
    """This thread in the network namespace of the file netns (none: where
    it is) for the block, as ip -n does for a command."""
    if not netns:
        yield
        return
    libc = ctypes.CDLL(None, use_errno=True)
    with open("/proc/thread-self/ns/net") as home, open(netns) as there:
        if libc.setns(there.fileno(), CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), "setns " + netns)
        try:
            yield
        finally:
            if libc.setns(home.fileno(), CLONE_NEWNET):
                raise OSError(ctypes.get_errno(), "setns back")


def request(flags, body, netns=None, msg=RTM_NEWLINK):
    """Send one link request (BODY: ifinfomsg and attributes) from NETNS;
    on an error, print it as ip does and exit 2."""
    with in_netns(netns):
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
    s.send(struct.pack("=IHHII", 16 + len(body), msg,
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
    s.close()


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    netns = None
    if argv[:1] == ["--netns"]:
        netns = argv[1]
        argv = argv[2:]
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, name = argv[0], argv[1]
    args = argv[2:]
    body = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0)
    body += attr(IFLA_IFNAME, name.encode() + b"\0")
    flags = 0
    if cmd == "raw":
        with in_netns(netns):
            link = socket.if_nametoindex(args.pop(0))
        body += attr(IFLA_LINK, struct.pack("=I", link))
        flags = NLM_F_CREATE | NLM_F_EXCL
    elif cmd != "rawset":
        sys.exit(__doc__)
    data = b"".join(attr(int(t), bytes.fromhex(h))
                    for t, h in (a.split(":") for a in args))
    body += attr(IFLA_LINKINFO, attr(IFLA_INFO_KIND, b"grecap\0") +
                 attr(IFLA_INFO_DATA, data))
    request(flags, body, netns)


if __name__ == "__main__":
    main()
