// SPDX-License-Identifier: GPL-2.0
/*
 * The index: origin block -> the log slot holding its newest data. A
 * red-black tree threaded through the slot array (one struct xpwc_slot per
 * log block, allocated at activation), so updating it never allocates and
 * record completions can do it from interrupt context. Callers hold
 * wc->lock.
 */
#include "xpwc.h"

void xpwc_slots_reset(struct xpwc *wc)
{
	u64 i;

	wc->index = RB_ROOT;
	for (i = 0; i < wc->log_blocks; i++) {
		RB_CLEAR_NODE(&wc->slots[i].node);
		wc->slots[i].oblock = XPWC_SLOT_FREE;
	}
	wc->dirty_blocks = 0;
}

struct xpwc_slot *xpwc_index_lookup(struct xpwc *wc, u64 oblock)
{
	struct rb_node *n = wc->index.rb_node;

	while (n) {
		struct xpwc_slot *e = rb_entry(n, struct xpwc_slot, node);

		if (oblock < e->oblock)
			n = n->rb_left;
		else if (oblock > e->oblock)
			n = n->rb_right;
		else
			return e;
	}
	return NULL;
}

/* The cached slot with the lowest origin block >= oblock, or NULL. */
struct xpwc_slot *xpwc_index_lookup_ge(struct xpwc *wc, u64 oblock)
{
	struct rb_node *n = wc->index.rb_node;
	struct xpwc_slot *best = NULL;

	while (n) {
		struct xpwc_slot *e = rb_entry(n, struct xpwc_slot, node);

		if (oblock < e->oblock) {
			best = e;
			n = n->rb_left;
		} else if (oblock > e->oblock) {
			n = n->rb_right;
		} else {
			return e;
		}
	}
	return best;
}

bool xpwc_index_any(struct xpwc *wc, u64 first, u64 count)
{
	struct xpwc_slot *s = xpwc_index_lookup_ge(wc, first);

	return s && s->oblock - first < count;
}

/*
 * Make the data slot s (of a record that just completed, or one recovery
 * accepted) the current copy of its origin block, unless a newer copy is
 * already current. Returns whether the block was cached before.
 */
bool xpwc_index_insert(struct xpwc *wc, struct xpwc_slot *s)
{
	struct rb_node **p = &wc->index.rb_node, *parent = NULL;

	while (*p) {
		struct xpwc_slot *e = rb_entry(*p, struct xpwc_slot, node);

		parent = *p;
		if (s->oblock < e->oblock) {
			p = &(*p)->rb_left;
		} else if (s->oblock > e->oblock) {
			p = &(*p)->rb_right;
		} else {
			/* Two records in flight may complete out of order. */
			if (xpwc_slot_lpos(wc, e) > xpwc_slot_lpos(wc, s))
				return true;
			rb_replace_node(&e->node, &s->node, &wc->index);
			RB_CLEAR_NODE(&e->node);
			return true;
		}
	}
	rb_link_node(&s->node, parent, p);
	rb_insert_color(&s->node, &wc->index);
	wc->dirty_blocks++;
	return false;
}

void xpwc_index_remove(struct xpwc *wc, struct xpwc_slot *s)
{
	rb_erase(&s->node, &wc->index);
	RB_CLEAR_NODE(&s->node);
	wc->dirty_blocks--;
}

/*
 * A discard record at log position 'before' completed: drop the cached
 * blocks of [first, first + count) written by older records. Returns how
 * many were dropped.
 */
u64 xpwc_index_discard(struct xpwc *wc, u64 first, u64 count, u64 before)
{
	struct xpwc_slot *s = xpwc_index_lookup_ge(wc, first);
	u64 n = 0;

	while (s && s->oblock - first < count) {
		struct rb_node *next = rb_next(&s->node);

		if (xpwc_slot_lpos(wc, s) < before) {
			xpwc_index_remove(wc, s);
			n++;
		}
		s = next ? rb_entry(next, struct xpwc_slot, node) : NULL;
	}
	return n;
}
