#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A minimal rtnetlink client for grecap's IFLA_GRECAP_* attributes.

  add NAME LINK [local A] [remote A] [key N] [session N] [flags N]
                                                    RTM_NEWLINK, create
  set NAME [local A|any] [remote A|any] [key N|any] [session N|any]
           [flags N]                                RTM_NEWLINK, change
  show NAME                                         print the attributes
  raw NAME LINK TYPE HEX                            create with one raw attr

Errors print the kernel's extack message and exit 1.  Attribute numbers
follow include/uapi/linux/grecap.h.
"""

import ipaddress
import os
import socket
import struct
import sys

NETLINK_ROUTE = 0
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
RTM_NEWLINK, RTM_GETLINK = 16, 18
NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE = 1, 4, 0x200, 0x400
NLMSG_ERROR = 2
NLMSGERR_ATTR_MSG = 1
IFLA_IFNAME, IFLA_LINK, IFLA_LINKINFO = 3, 5, 18
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
LOCAL, REMOTE, KEY, ANY, SESSION, FLAGS = 1, 2, 3, 4, 5, 6
FIELD_BIT = {"local": 1 << 0, "key": 1 << 1, "remote": 1 << 2,
             "session": 1 << 3}
FIELD_TYPE = {"local": LOCAL, "remote": REMOTE, "key": KEY,
              "session": SESSION}


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


def addr(s):
    return ipaddress.ip_address(s).packed


def request(msg_type, flags, body):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
    s.send(struct.pack("=IHHII", 16 + len(body), msg_type,
                       NLM_F_REQUEST | NLM_F_ACK | flags, 1, 0) + body)
    replies = []
    while True:
        data = s.recv(65536)
        while data:
            ln, t, fl, _, _ = struct.unpack("=IHHII", data[:16])
            if t == NLMSG_ERROR:
                err = struct.unpack("=i", data[16:20])[0]
                if err:
                    tlv = attrs(data[36:ln])
                    msg = tlv.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0")
                    print("Error: %s (%s)" % (msg.decode() or "-",
                                              os.strerror(-err)))
                    sys.exit(1)
                return replies
            replies.append(data[16:ln])
            data = data[(ln + 3) & ~3:]


def ifinfo(index=0):
    return struct.pack("=BxHiII", socket.AF_UNSPEC, 0, index, 0, 0)


def linkinfo(data):
    return attr(IFLA_LINKINFO, attr(IFLA_INFO_KIND, b"grecap\0") +
                attr(IFLA_INFO_DATA, data))


def fields(words):
    data, anybits = b"", 0
    for name, val in zip(words[::2], words[1::2]):
        if val == "any":
            anybits |= FIELD_BIT[name]
        elif name == "key":
            data += attr(KEY, struct.pack("=I", int(val, 0)))
        elif name == "session":
            data += attr(SESSION, struct.pack("=H", int(val, 0)))
        elif name == "flags":
            data += attr(FLAGS, struct.pack("=I", int(val, 0)))
        else:
            data += attr(FIELD_TYPE[name], addr(val))
    if anybits:
        data += attr(ANY, struct.pack("=I", anybits))
    return data


def show(name):
    body = ifinfo() + attr(IFLA_IFNAME, name.encode() + b"\0")
    reply = request(RTM_GETLINK, 0, body)[0]
    info = attrs(attrs(reply[16:])[IFLA_LINKINFO])
    data = attrs(info.get(IFLA_INFO_DATA, b""))
    out = []
    for n in ("local", "remote"):
        v = data.get(FIELD_TYPE[n])
        out.append("%s=%s" % (n, ipaddress.ip_address(v) if v else "any"))
    k = data.get(KEY)
    out.append("key=%s" % (struct.unpack("=I", k)[0] if k else "any"))
    k = data.get(SESSION)
    out.append("session=%s" % (struct.unpack("=H", k)[0] if k else "any"))
    k = data.get(FLAGS)
    out.append("flags=%s" % (struct.unpack("=I", k)[0] if k else "-"))
    print(" ".join(out))


def main():
    cmd, name = sys.argv[1], sys.argv[2]
    nm = attr(IFLA_IFNAME, name.encode() + b"\0")
    if cmd == "add":
        link = socket.if_nametoindex(sys.argv[3])
        body = ifinfo() + nm + attr(IFLA_LINK, struct.pack("=I", link)) + \
            linkinfo(fields(sys.argv[4:]))
        request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, body)
    elif cmd == "set":
        request(RTM_NEWLINK, 0, ifinfo() + nm + linkinfo(fields(sys.argv[3:])))
    elif cmd == "raw":
        link = socket.if_nametoindex(sys.argv[3])
        data = attr(int(sys.argv[4]), bytes.fromhex(sys.argv[5]))
        body = ifinfo() + nm + attr(IFLA_LINK, struct.pack("=I", link)) + \
            linkinfo(data)
        request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, body)
    elif cmd == "show":
        show(name)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
