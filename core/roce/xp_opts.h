/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Options structs (libbpf's OPTS pattern), for the core and the library
 * alike: the environment must have given pr_warn() and EINVAL first.
 */
#ifndef XP_OPTS_H
#define XP_OPTS_H

/*
 * Options structs carry their size first (libbpf's OPTS pattern): a caller
 * built against an older, smaller struct still works, and a newer caller
 * that set fields we do not know is refused instead of silently ignored.
 */
#define xp_opts_valid(opts, type) xp_opts_check((opts), sizeof(struct type), #type)
#define XP_OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field))
#define XP_OPTS_GET(opts, field, fallback) (XP_OPTS_HAS(opts, field) ? (opts)->field : (fallback))

/* The first member of every options struct is `size_t sz`. */
static inline int xp_opts_check(const void *opts, size_t known, const char *name)
{
	const unsigned char *p = opts;
	size_t sz, i;

	if (!opts)
		return 0;
	sz = *(const size_t *)opts;
	if (sz < sizeof(size_t)) {
		pr_warn("%s: sz %zu is too small; initialise the struct with its .sz set\n", name,
			sz);
		return -EINVAL;
	}
	for (i = known; i < sz; i++) {
		if (p[i]) {
			pr_warn("%s: unknown option at byte %zu (library built for %zu bytes)\n",
				name, i, known);
			return -EINVAL;
		}
	}
	return 0;
}

#endif /* XP_OPTS_H */
