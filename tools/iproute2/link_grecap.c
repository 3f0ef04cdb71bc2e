// SPDX-License-Identifier: GPL-2.0
/*
 * link_grecap.so: "ip link ... type grecap" for the system's ip(8), which
 * loads it from its library directory ($IP_LIB_DIR, on Debian
 * /usr/lib/<multiarch>/ip) when it meets a link of kind "grecap".
 *
 * Built against the headers of the installed iproute2 version (see the
 * Makefile): the helpers it calls (addattr*, get_addr, tnl_parse_key,
 * print_*) are ip's own.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_tunnel.h>

#include "rt_names.h"
#include "utils.h"
#include "ip_common.h"
#include "tunnel.h"

#include "grecap.h"

static const char * const grecap_encaps[] = {
	[GRECAP_ENCAP_GRE]	= "gre",
	[GRECAP_ENCAP_VXLAN]	= "vxlan",
	[GRECAP_ENCAP_GENEVE]	= "geneve",
	[GRECAP_ENCAP_TZSP]	= "tzsp",
};

static void print_explain(struct link_util *lu, FILE *f)
{
	fprintf(f,
		"Usage: ... %s [ gre | vxlan | geneve | tzsp ] [ dstport PORT ]\n"
		"\t\t [ local ADDR ] [ remote ADDR ] [ key KEY | nokey ]\n"
		"\t\t [ session ID ] [ vni VNI ] [ vlan { on | off } ]\n"
		"\t\t [ tstamp { on | off } ] [ innervxlan { on | off } ]\n"
		"\n"
		"Where:\tADDR := { IP_ADDRESS | any }\n"
		"\tKEY  := { DOTTED_QUAD | NUMBER | any }\n"
		"\tID   := { 0..%u | any }\n"
		"\tVNI  := { 0..%u | any }\n"
		"\tPORT := { 1..65535 | 0 (the default) }\n"
		"\n"
		"A device takes GRE and ERSPAN (the default), or VXLAN, GENEVE or TZSP to\n"
		"its UDP port (dstport; defaults 4789, 6081, 37008).  local and remote are\n"
		"the outer destination and source of the mirrored traffic, key its GRE\n"
		"key, session its ERSPAN session, vni its VXLAN or GENEVE VNI; \"any\"\n"
		"(nokey) puts a field back to any.  A packet goes to the device on its link\n"
		"whose filter matches it most specifically.  vlan puts back the VLAN tag an\n"
		"ERSPAN source stripped; tstamp stamps ERSPAN Type III frames with their\n"
		"header's time; innervxlan also strips VXLAN carried in GENEVE (AWS\n"
		"Gateway Load Balancer).\n",
		lu->id, GRECAP_SESSION_MAX, GRECAP_VNI_MAX);
}

/* What the command line set; only those attributes are sent. */
struct grecap_opts {
	inet_prefix local, remote;
	bool has_local, has_remote;
	bool has_key, keyed;
	__be32 key;
	bool has_session;
	__u16 session;
	int encap, port;		/* -1: not given */
	bool has_vni;
	__u32 vni;
	int vlan, tstamp, inner_vxlan;	/* -1: not given */
};

static void grecap_parse_addr(inet_prefix *addr, bool *has, const char *arg)
{
	*has = true;
	/* "any": the unspecified address, which resets either family. */
	if (strcmp(arg, "any") == 0) {
		memset(addr, 0, sizeof(*addr));
		addr->family = AF_INET;
		addr->bytelen = 4;
		return;
	}
	/* get_addr() exits with iproute2's error on anything invalid. */
	get_addr(addr, arg, AF_UNSPEC);
	if (addr->family != AF_INET && addr->family != AF_INET6)
		invarg("not an IPv4 or IPv6 address", arg);
}

static int grecap_parse_on_off(const char *name, const char *arg)
{
	int err;
	bool on = parse_on_off(name, arg, &err);

	return err ? -1 : on;
}

static void grecap_put_addr(struct nlmsghdr *n, const inet_prefix *addr,
			    int type4, int type6)
{
	addattr_l(n, 1024, addr->family == AF_INET ? type4 : type6,
		  addr->data, addr->bytelen);
}

static int grecap_parse_opt(struct link_util *lu, int argc, char **argv,
			    struct nlmsghdr *n)
{
	struct grecap_opts o = { .encap = -1, .port = -1, .vlan = -1,
				 .tstamp = -1, .inner_vxlan = -1 };
	unsigned int session, i;
	__u16 port;

	for (; argc > 0; argc--, argv++) {
		for (i = 0; i < ARRAY_SIZE(grecap_encaps); i++)
			if (strcmp(*argv, grecap_encaps[i]) == 0)
				break;
		if (i < ARRAY_SIZE(grecap_encaps)) {
			o.encap = i;
		} else if (strcmp(*argv, "dstport") == 0) {
			NEXT_ARG();
			if (get_u16(&port, *argv, 0))
				invarg("invalid UDP port", *argv);
			o.port = port;
		} else if (strcmp(*argv, "vni") == 0 ||
			   strcmp(*argv, "id") == 0) {
			NEXT_ARG();
			o.has_vni = true;
			if (strcmp(*argv, "any") == 0)
				o.vni = GRECAP_VNI_ANY;
			else if (get_u32(&o.vni, *argv, 0) ||
				 o.vni > GRECAP_VNI_MAX)
				invarg("invalid VNI (0-16777215 or any)", *argv);
		} else if (strcmp(*argv, "innervxlan") == 0) {
			NEXT_ARG();
			o.inner_vxlan = grecap_parse_on_off("innervxlan", *argv);
			if (o.inner_vxlan < 0)
				return -1;
		} else if (strcmp(*argv, "local") == 0) {
			NEXT_ARG();
			grecap_parse_addr(&o.local, &o.has_local, *argv);
		} else if (strcmp(*argv, "remote") == 0) {
			NEXT_ARG();
			grecap_parse_addr(&o.remote, &o.has_remote, *argv);
		} else if (strcmp(*argv, "key") == 0) {
			NEXT_ARG();
			o.has_key = true;
			o.keyed = strcmp(*argv, "any") != 0;
			if (o.keyed)
				o.key = tnl_parse_key("key", *argv);
		} else if (strcmp(*argv, "nokey") == 0) {
			o.has_key = true;
			o.keyed = false;
		} else if (strcmp(*argv, "session") == 0) {
			NEXT_ARG();
			o.has_session = true;
			if (strcmp(*argv, "any") == 0) {
				o.session = GRECAP_SESSION_ANY;
			} else if (get_unsigned(&session, *argv, 0) ||
				   session > GRECAP_SESSION_MAX) {
				invarg("invalid ERSPAN session ID (0-1023 or any)",
				       *argv);
			} else {
				o.session = session;
			}
		} else if (strcmp(*argv, "vlan") == 0) {
			NEXT_ARG();
			o.vlan = grecap_parse_on_off("vlan", *argv);
			if (o.vlan < 0)
				return -1;
		} else if (strcmp(*argv, "tstamp") == 0) {
			NEXT_ARG();
			o.tstamp = grecap_parse_on_off("tstamp", *argv);
			if (o.tstamp < 0)
				return -1;
		} else {
			if (matches(*argv, "help") != 0)
				fprintf(stderr, "%s: unknown option \"%s\"?\n",
					lu->id, *argv);
			print_explain(lu, stderr);
			return -1;
		}
	}

	if (o.encap >= 0)
		addattr8(n, 1024, IFLA_GRECAP_ENCAP, o.encap);
	if (o.port >= 0)
		addattr16(n, 1024, IFLA_GRECAP_PORT, htons(o.port));
	if (o.has_vni)
		addattr32(n, 1024, IFLA_GRECAP_VNI, o.vni);
	if (o.inner_vxlan >= 0)
		addattr8(n, 1024, IFLA_GRECAP_INNER_VXLAN, o.inner_vxlan);
	if (o.has_local)
		grecap_put_addr(n, &o.local, IFLA_GRECAP_LOCAL,
				IFLA_GRECAP_LOCAL6);
	if (o.has_remote)
		grecap_put_addr(n, &o.remote, IFLA_GRECAP_REMOTE,
				IFLA_GRECAP_REMOTE6);
	if (o.has_key) {
		addattr16(n, 1024, IFLA_GRECAP_IFLAGS, o.keyed ? GRE_KEY : 0);
		if (o.keyed)
			addattr32(n, 1024, IFLA_GRECAP_IKEY, o.key);
	}
	if (o.has_session)
		addattr16(n, 1024, IFLA_GRECAP_SESSION, o.session);
	if (o.vlan >= 0)
		addattr8(n, 1024, IFLA_GRECAP_VLAN, o.vlan);
	if (o.tstamp >= 0)
		addattr8(n, 1024, IFLA_GRECAP_TSTAMP, o.tstamp);
	return 0;
}

static void grecap_print_addr(const char *name, struct rtattr *v4,
			      struct rtattr *v6)
{
	char fmt[16];

	snprintf(fmt, sizeof(fmt), "%s %%s ", name);
	if (v4 && RTA_PAYLOAD(v4) == 4)
		print_string(PRINT_ANY, name, fmt, rt_addr_n2a_rta(AF_INET, v4));
	else if (v6 && RTA_PAYLOAD(v6) == 16)
		print_string(PRINT_ANY, name, fmt, rt_addr_n2a_rta(AF_INET6, v6));
}

/* An option: in text only when on, in JSON always. */
static void grecap_print_option(const char *name, struct rtattr *attr)
{
	bool on = attr && rta_getattr_u8(attr);
	char fmt[16];

	if (is_json_context()) {
		print_bool(PRINT_JSON, name, NULL, on);
	} else if (on) {
		snprintf(fmt, sizeof(fmt), "%s %%s ", name);
		print_string(PRINT_FP, NULL, fmt, "on");
	}
}

static void grecap_print_opt(struct link_util *lu, FILE *f,
			     struct rtattr *tb[])
{
	__u8 encap = GRECAP_ENCAP_GRE;

	if (!tb)
		return;

	if (tb[IFLA_GRECAP_ENCAP])
		encap = rta_getattr_u8(tb[IFLA_GRECAP_ENCAP]);
	/* GRE, the default, in JSON only: "grecap remote ..." as before. */
	if (encap < ARRAY_SIZE(grecap_encaps))
		print_string(encap ? PRINT_ANY : PRINT_JSON, "encap", "%s ",
			     grecap_encaps[encap]);
	if (tb[IFLA_GRECAP_PORT])
		print_uint(PRINT_ANY, "dstport", "dstport %u ",
			   rta_getattr_be16(tb[IFLA_GRECAP_PORT]));
	grecap_print_addr("local", tb[IFLA_GRECAP_LOCAL],
			  tb[IFLA_GRECAP_LOCAL6]);
	grecap_print_addr("remote", tb[IFLA_GRECAP_REMOTE],
			  tb[IFLA_GRECAP_REMOTE6]);
	if (tb[IFLA_GRECAP_IFLAGS] && tb[IFLA_GRECAP_IKEY] &&
	    (rta_getattr_u16(tb[IFLA_GRECAP_IFLAGS]) & GRE_KEY))
		print_uint(PRINT_ANY, "key", "key %u ",
			   ntohl(rta_getattr_u32(tb[IFLA_GRECAP_IKEY])));
	if (tb[IFLA_GRECAP_SESSION])
		print_uint(PRINT_ANY, "session", "session %u ",
			   rta_getattr_u16(tb[IFLA_GRECAP_SESSION]));
	if (tb[IFLA_GRECAP_VNI])
		print_uint(PRINT_ANY, "vni", "vni %u ",
			   rta_getattr_u32(tb[IFLA_GRECAP_VNI]));
	grecap_print_option("vlan", tb[IFLA_GRECAP_VLAN]);
	grecap_print_option("tstamp", tb[IFLA_GRECAP_TSTAMP]);
	grecap_print_option("innervxlan", tb[IFLA_GRECAP_INNER_VXLAN]);
}

static void grecap_print_help(struct link_util *lu, int argc, char **argv,
			      FILE *f)
{
	print_explain(lu, f);
}

struct link_util grecap_link_util = {
	.id		= "grecap",
	.maxattr	= IFLA_GRECAP_MAX,
	.parse_opt	= grecap_parse_opt,
	.print_opt	= grecap_print_opt,
	.print_help	= grecap_print_help,
};
