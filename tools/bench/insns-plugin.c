// SPDX-License-Identifier: GPL-2.0
/*
 * A QEMU TCG plugin for make bench-insns: counts the instructions and
 * memory accesses the guest executes, per translated block, and writes the
 * counts out whenever the guest asks, so that the guest can take a
 * snapshot before and after a run.  Under emulation time is noisy;
 * instruction counts are not.
 *
 *   -plugin libgrecap-insns.so,trigger=FILE,dir=DIR
 *
 * The guest asks by creating FILE (through the shared out directory) with
 * a label in it; the plugin writes DIR/insns-LABEL.txt, one line per block
 * executed so far: "pc instructions executions memory-accesses" and the
 * executions on each vCPU (hex pc, decimal counts), then removes FILE.
 * The all-CPU counters are added inline by the translated code; with
 * several vCPU threads an add can be lost to a race, which is noise far
 * below what a run measures.  The per-vCPU ones (which CPU received a
 * frame, which sent it) cost a call per block executed, into a counter of
 * that vCPU's own.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* vCPUs counted apart; the test VM has 2. */
#define NCPUS 2

struct block {
	uint64_t pc;
	uint64_t insns;
	uint64_t execs;		/* added to by the guest's code */
	uint64_t mem;		/* likewise */
	uint64_t cpu_execs[NCPUS];	/* by vcpu_exec() */
};

/*
 * Open addressing on (pc, instructions): a block is translated again after
 * a flush, and the same pc can start blocks of different lengths.
 */
#define NSLOTS (1u << 21)
static struct block **slots;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char trigger[4096], dir[4096];

static struct block *block_get(uint64_t pc, uint64_t insns)
{
	uint64_t h = ((pc ^ (insns << 48)) * 0x9E3779B97F4A7C15ull) >> 43;
	struct block *b;

	for (;; h = (h + 1) & (NSLOTS - 1)) {
		b = slots[h];
		if (!b)
			break;
		if (b->pc == pc && b->insns == insns)
			return b;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		abort();
	b->pc = pc;
	b->insns = insns;
	slots[h] = b;
	return b;
}

static void dump(const char *label)
{
	char path[8300], tmp[8310];
	unsigned int i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/insns-%s.txt", dir, label);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	pthread_mutex_lock(&lock);
	for (i = 0; i < NSLOTS; i++) {
		struct block *b = slots[i];

		if (b && b->execs)
			fprintf(f, "%" PRIx64 " %" PRIu64 " %" PRIu64 " %" PRIu64
				" %" PRIu64 " %" PRIu64 "\n",
				b->pc, b->insns, b->execs, b->mem,
				b->cpu_execs[0], b->cpu_execs[1]);
	}
	pthread_mutex_unlock(&lock);
	if (fclose(f) == 0)
		rename(tmp, path);
}

static void *watch(void *arg)
{
	char label[256];
	FILE *f;

	for (;;) {
		f = fopen(trigger, "r");
		if (f) {
			if (!fgets(label, sizeof(label), f))
				label[0] = 0;
			fclose(f);
			label[strcspn(label, "\n/")] = 0;
			dump(label[0] ? label : "unnamed");
			unlink(trigger);
		}
		usleep(20000);
	}
	return NULL;
}

static void vcpu_exec(unsigned int vcpu, void *udata)
{
	struct block *b = udata;

	if (vcpu < NCPUS)
		b->cpu_execs[vcpu]++;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);
	struct block *b;

	pthread_mutex_lock(&lock);
	b = block_get(qemu_plugin_tb_vaddr(tb), n);
	pthread_mutex_unlock(&lock);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &b->execs, 1);
	qemu_plugin_register_vcpu_tb_exec_cb(tb, vcpu_exec,
					     QEMU_PLUGIN_CB_NO_REGS, b);
	for (i = 0; i < n; i++)
		qemu_plugin_register_vcpu_mem_inline(qemu_plugin_tb_get_insn(tb, i),
						     QEMU_PLUGIN_MEM_RW,
						     QEMU_PLUGIN_INLINE_ADD_U64,
						     &b->mem, 1);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	pthread_t t;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "trigger=", 8))
			snprintf(trigger, sizeof(trigger), "%s", argv[i] + 8);
		else if (!strncmp(argv[i], "dir=", 4))
			snprintf(dir, sizeof(dir), "%s", argv[i] + 4);
	}
	if (!trigger[0] || !dir[0]) {
		fprintf(stderr, "grecap-insns: needs trigger=FILE,dir=DIR\n");
		return -1;
	}
	slots = calloc(NSLOTS, sizeof(*slots));
	if (!slots || pthread_create(&t, NULL, watch, NULL))
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	return 0;
}
