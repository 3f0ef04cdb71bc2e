// SPDX-License-Identifier: GPL-2.0
/*
 * Sequence accounting: what the mirror path lost, told by the sequence
 * numbers (RFC 2890) a source puts in GRE packets with the S bit, as
 * ERSPAN Type II and III sources do.
 *
 * A stream is what a source numbers on its own: outer source address, GRE
 * key and ERSPAN session.  Each device tracks up to GRECAP_SEQ_STREAMS of
 * them in a table made with the device and freed with it.  The table is
 * set-associative: a stream hashes to a set of GRECAP_SEQ_WAYS slots and
 * takes a free one, or one whose stream has sent nothing for
 * GRECAP_SEQ_IDLE.  When every slot of its set is busy, the stream's
 * packets are only counted in rx_seq_untracked; tracked streams are never
 * evicted while they send.
 *
 * One slot is one cache line, written by the CPU that receives its stream
 * (RSS keeps one outer flow on one CPU): streams share no line and no lock
 * is taken.  Each CPU remembers the slot of the last stream it accounted
 * and looks no further when the next packet is of the same stream, as a
 * mirror stream's packets usually are.  A stream received on several CPUs
 * at once (RPS on the link) may be miscounted, nothing worse.
 *
 * Per stream: the highest number seen (top) and which of the
 * GRECAP_SEQ_WINDOW numbers below it were seen (a bitmap, as IPsec's
 * replay window).  With arithmetic modulo 2^32, a packet numbered
 *
 *   top + 1          is in order;
 *   top + n, n > 1   skipped n - 1 numbers: rx_seq_lost rises by n - 1;
 *   top              repeats the last: rx_seq_dup, unless the stream's
 *                    number never changed (a source that does not count
 *                    but sends a constant, often 0, is not a duplicate);
 *   top - n, n < GRECAP_SEQ_WINDOW
 *                    seen before: rx_seq_dup; not seen: rx_seq_reordered,
 *                    and the number it fills is no longer lost;
 *   anything else    restarts the stream (a source reloaded: back past the
 *                    window, or forward by GRECAP_SEQ_JUMP or more):
 *                    rx_seq_restart, and counting starts again from it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/slab.h>

#include "grecap.h"

#define GRECAP_SEQ_WAYS		4
#define GRECAP_SEQ_SETS		(GRECAP_SEQ_STREAMS / GRECAP_SEQ_WAYS)
#define GRECAP_SEQ_WINDOW	64
#define GRECAP_SEQ_JUMP		16777216	/* 2^24 */
#define GRECAP_SEQ_IDLE		(30 * HZ)

/* Who numbers a stream; absent fields are zero. */
struct grecap_seq_id {
	struct in6_addr remote;
	__be32 key;
	u32 session;
	u32 fields;		/* GRECAP_MATCH_KEY, _SESSION present */
};

struct grecap_seq_stream {
	u32 tag;		/* hash | 1 of the stream; 0: free */
	u32 top;		/* highest number seen */
	u64 seen;		/* bit n: top - n seen */
	unsigned long last;	/* jiffies of its last packet */
	u8 span;		/* window positions since it started */
	bool counting;		/* its number has changed */
	struct grecap_seq_id id;
} ____cacheline_aligned_in_smp;

struct grecap_seq_table {
	u32 seed;
	struct grecap_seq_stream * __percpu *recent;	/* each CPU's last */
	struct grecap_seq_stream stream[GRECAP_SEQ_STREAMS];
};

struct grecap_seq_table *grecap_seq_alloc(void)
{
	struct grecap_seq_table *t;

	t = kvzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	t->recent = alloc_percpu(struct grecap_seq_stream *);
	if (!t->recent) {
		kvfree(t);
		return NULL;
	}
	t->seed = get_random_u32();
	return t;
}

void grecap_seq_free(struct grecap_seq_table *t)
{
	if (!t)
		return;
	free_percpu(t->recent);
	kvfree(t);
}

static void grecap_seq_start(struct grecap_seq_stream *s, u32 seq)
{
	s->top = seq;
	s->seen = 1;
	s->span = 1;
	s->counting = false;
}

/*
 * The slot of stream @id, or a free one claimed for it (*@new set), or
 * NULL when its set is full.  Two CPUs claiming one slot: cmpxchg() lets
 * one win, and the other's packet goes untracked.
 */
static struct grecap_seq_stream *
grecap_seq_find(struct grecap_seq_table *t, const struct grecap_seq_id *id,
		bool *new)
{
	struct grecap_seq_stream *set, *victim = NULL;
	u32 tag, vtag = 0;
	int i;

	tag = jhash2((const u32 *)id, sizeof(*id) / sizeof(u32), t->seed) | 1;
	set = &t->stream[(tag >> 1) % GRECAP_SEQ_SETS * GRECAP_SEQ_WAYS];
	for (i = 0; i < GRECAP_SEQ_WAYS; i++) {
		struct grecap_seq_stream *s = &set[i];
		u32 stag = READ_ONCE(s->tag);

		if (stag == tag && !memcmp(&s->id, id, sizeof(*id)))
			return s;
		if (!victim &&
		    (!stag || time_after(jiffies, READ_ONCE(s->last) +
						  GRECAP_SEQ_IDLE))) {
			victim = s;
			vtag = stag;
		}
	}
	if (!victim || cmpxchg(&victim->tag, vtag, tag) != vtag)
		return NULL;
	victim->id = *id;
	*new = true;
	return victim;
}

/* The stream's slot: this CPU's last one, or found (or taken) in its set. */
static struct grecap_seq_stream *
grecap_seq_slot(struct grecap_seq_table *t, const struct grecap_seq_id *id,
		bool *new)
{
	struct grecap_seq_stream **recent = this_cpu_ptr(t->recent);
	struct grecap_seq_stream *s = *recent;

	/*
	 * Only claimed slots become hints, and a slot is never freed, only
	 * taken over: then it holds another stream's id.
	 */
	if (s && !memcmp(&s->id, id, sizeof(*id)))
		return s;
	s = grecap_seq_find(t, id, new);
	if (s)
		*recent = s;
	return s;
}

/* Account a packet of the stream @key names with GRE sequence number @seq. */
void grecap_seq_account(struct grecap_dev *gd, const struct grecap_match *key,
			u32 seq)
{
	struct grecap_seq_id id = {
		.remote = key->remote,
		.fields = key->fields & (GRECAP_MATCH_KEY | GRECAP_MATCH_SESSION),
	};
	struct grecap_seq_stream *s;
	bool new = false;
	s32 d;

	if (id.fields & GRECAP_MATCH_KEY)
		id.key = key->key;
	if (id.fields & GRECAP_MATCH_SESSION)
		id.session = key->session;
	s = grecap_seq_slot(gd->seq, &id, &new);
	if (!s) {
		grecap_count_health(gd, GRECAP_H_SEQ_UNTRACKED, 1);
		return;
	}
	WRITE_ONCE(s->last, jiffies);
	if (new) {
		grecap_seq_start(s, seq);
		return;
	}

	d = seq - s->top;
	if (d > 0 && d < GRECAP_SEQ_JUMP) {
		if (d > 1)
			grecap_count_health(gd, GRECAP_H_SEQ_LOST, d - 1);
		s->seen = d < GRECAP_SEQ_WINDOW ? s->seen << d | 1 : 1;
		s->span = min_t(u32, s->span + d, GRECAP_SEQ_WINDOW);
		s->top = seq;
		s->counting = true;
	} else if (d == 0) {
		if (s->counting)
			grecap_count_health(gd, GRECAP_H_SEQ_DUP, 1);
	} else if (d < 0 && d > -GRECAP_SEQ_WINDOW) {
		if (s->seen & BIT_ULL(-d)) {
			grecap_count_health(gd, GRECAP_H_SEQ_DUP, 1);
			return;
		}
		s->seen |= BIT_ULL(-d);
		s->counting = true;
		grecap_count_health(gd, GRECAP_H_SEQ_REORDERED, 1);
		/* Skipped, so counted lost, unless from before the start. */
		if (-d < s->span)
			grecap_count_health(gd, GRECAP_H_SEQ_LATE, 1);
	} else {
		grecap_count_health(gd, GRECAP_H_SEQ_RESTART, 1);
		grecap_seq_start(s, seq);
	}
}
