/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XP_CORE_SELFTEST_H
#define XP_CORE_SELFTEST_H

/* Two core devices on a loopback host, every RC operation: 0 or -errno. */
int xp_core_selftest(void);

#endif /* XP_CORE_SELFTEST_H */
