// SPDX-License-Identifier: GPL-2.0
/*
 * Rings shared with a user process, in the layout rdma-core's rxe provider
 * maps (struct rxe_queue_buf in <rdma/rdma_user_rxe.h>): a header with the
 * element size and index mask, the producer index and the consumer index
 * on cache lines of their own, then the slots. Both indices are stored
 * masked; a ring is empty when they are equal and full when the producer
 * is one behind the consumer, so it holds one element less than its slots.
 *
 * The process owns the page as much as we do: it can write anything into
 * any field at any time. So the ring's geometry is ours alone, an index
 * read from the page is masked before use, and a slot is copied out before
 * it is looked at (rxe_uverbs.c). A garbage index only hurts the process
 * that wrote it: it loses or repeats its own work requests and completions.
 *
 * Memory: vmalloc_user() pages, handed to the process through an
 * rdma_user_mmap_entry (its offset is the cookie the provider passes to
 * mmap()). The entry owns the memory: the object that made the ring
 * removes the entry when it goes, and ib_core calls mmap_free once nothing
 * can map it again. A process that still has it mapped keeps the pages
 * themselves (each mapped page holds a reference), never our structures.
 */
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <rdma/ib_verbs.h>
#include <rdma/rdma_user_rxe.h>
#include <rdma/uverbs_ioctl.h>

#include "xp_rxe.h"

struct xp_rxe_mmap {
	struct rdma_user_mmap_entry rdma;
	void *buf;
};

int xp_rxe_uq_init(struct xp_rxe_uq *q, struct ib_udata *udata, u32 min_slots, size_t elem_size,
		   u64 *mmap_offset, u32 *mmap_size)
{
	struct xp_rxe_ucontext *uc = rdma_udata_to_drv_context(udata, struct xp_rxe_ucontext, ibuc);
	u32 slots = roundup_pow_of_two(max(min_slots, 2u));
	u32 shift = order_base_2(elem_size);
	size_t size = PAGE_ALIGN(sizeof(struct rxe_queue_buf) + ((size_t)slots << shift));
	struct xp_rxe_mmap *m;
	int err;

	if (!uc)
		return -EINVAL;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->buf = vmalloc_user(size);
	if (!m->buf) {
		kfree(m);
		return -ENOMEM;
	}
	q->buf = m->buf;
	q->mask = slots - 1;
	q->elem_shift = shift;
	q->idx = 0;
	q->buf->log2_elem_size = shift;
	q->buf->index_mask = q->mask;
	err = rdma_user_mmap_entry_insert(&uc->ibuc, &m->rdma, size);
	if (err) {
		vfree(m->buf);
		kfree(m);
		q->buf = NULL;
		return err;
	}
	q->map = m;
	*mmap_offset = rdma_user_mmap_get_offset(&m->rdma);
	*mmap_size = size;
	return 0;
}

/* The owner goes: nothing reaches the ring through q any more. */
void xp_rxe_uq_free(struct xp_rxe_uq *q)
{
	if (!q->buf)
		return;
	rdma_user_mmap_entry_remove(&q->map->rdma);
	q->buf = NULL;
	q->map = NULL;
}

static void *xp_rxe_uq_slot(struct xp_rxe_uq *q, u32 idx)
{
	return q->buf->data + ((size_t)(idx & q->mask) << q->elem_shift);
}

/* Consumer: the slot the process produced next, or NULL when there is none. */
void *xp_rxe_uq_next(struct xp_rxe_uq *q)
{
	u32 prod = smp_load_acquire(&q->buf->producer_index) & q->mask;

	return prod == q->idx ? NULL : xp_rxe_uq_slot(q, q->idx);
}

void xp_rxe_uq_consume(struct xp_rxe_uq *q)
{
	q->idx = (q->idx + 1) & q->mask;
	smp_store_release(&q->buf->consumer_index, q->idx);
}

/* Producer: the slot to fill next, or NULL when the process has not made room. */
void xp_rxe_uq_discard(struct xp_rxe_uq *q)
{
	if (!q->buf)
		return;
	q->idx = smp_load_acquire(&q->buf->producer_index) & q->mask;
	smp_store_release(&q->buf->consumer_index, q->idx);
}

void *xp_rxe_uq_room(struct xp_rxe_uq *q)
{
	u32 cons = smp_load_acquire(&q->buf->consumer_index) & q->mask;

	return ((q->idx + 1) & q->mask) == cons ? NULL : xp_rxe_uq_slot(q, q->idx);
}

void xp_rxe_uq_produce(struct xp_rxe_uq *q)
{
	q->idx = (q->idx + 1) & q->mask;
	smp_store_release(&q->buf->producer_index, q->idx);
}

/* Producer side: has the process taken everything? */
bool xp_rxe_uq_empty(struct xp_rxe_uq *q)
{
	return (READ_ONCE(q->buf->consumer_index) & q->mask) == q->idx;
}

static int xp_rxe_alloc_ucontext(struct ib_ucontext *ibuc, struct ib_udata *udata)
{
	return 0; /* the rxe provider sends and expects nothing of its own */
}

static void xp_rxe_dealloc_ucontext(struct ib_ucontext *ibuc)
{
}

static int xp_rxe_mmap(struct ib_ucontext *ibuc, struct vm_area_struct *vma)
{
	struct rdma_user_mmap_entry *e;
	struct xp_rxe_mmap *m;
	int err;

	/* NULL unless the offset names a live ring and the length is its own. */
	e = rdma_user_mmap_entry_get(ibuc, vma);
	if (!e)
		return -EINVAL;
	m = container_of(e, struct xp_rxe_mmap, rdma);
	err = remap_vmalloc_range(vma, m->buf, 0);
	rdma_user_mmap_entry_put(e);
	return err;
}

static void xp_rxe_mmap_free(struct rdma_user_mmap_entry *e)
{
	struct xp_rxe_mmap *m = container_of(e, struct xp_rxe_mmap, rdma);

	vfree(m->buf);
	kfree(m);
}

const struct ib_device_ops xp_rxe_uqueue_ops = {
	.uverbs_abi_ver = XP_RXE_UVERBS_ABI,
	.alloc_ucontext = xp_rxe_alloc_ucontext,
	.dealloc_ucontext = xp_rxe_dealloc_ucontext,
	.mmap = xp_rxe_mmap,
	.mmap_free = xp_rxe_mmap_free,

	INIT_RDMA_OBJ_SIZE(ib_ucontext, xp_rxe_ucontext, ibuc),
};
