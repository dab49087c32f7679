// SPDX-License-Identifier: GPL-2.0
/*
 * Where does this guest's virtio-net take the virtio-net header of its
 * AF_XDP zero-copy frames from? The driver DMA-maps its static xsk_hdr
 * (zeros) once and puts that "DMA address" in front of every frame it
 * sends from an XSK pool. With virtio_net built as a module the address is
 * virt_to_phys() of a module variable, which is not a physical address of
 * that variable: it is the variable's offset from __START_KERNEL_map plus
 * the kernel's phys_base. This prints that address and, when it falls in
 * the guest's RAM, the 12 bytes qemu would send as the header.
 *
 * Output: one line
 *   XSKHDR dma=0x... outside-ram              (qemu reads zeros: sound)
 *   XSKHDR dma=0x... ram bytes=00 00 ...      (sound only if all zero)
 *   XSKHDR unknown: <why>
 * Exit status 0 when the header qemu sends is zero (or lies outside RAM),
 * 1 when it is not, 2 when it cannot tell.
 *
 * Needs root: /proc/kallsyms with addresses and /proc/kcore (the kernel's
 * text segment gives phys_base, its RAM segments the page's contents).
 * Built static by the suites that boot zero-copy guests
 * (tests/vm/lib/ours_guest.sh, tests/vm/test_xsk_zc.sh).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define START_KERNEL_MAP 0xffffffff80000000UL
#define MAX_PHDRS 1024
#define HDR_LEN 12 /* virtio_net_hdr_mrg_rxbuf; the modern header */

static int sym_addr(const char *name, unsigned long *addr)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], n[256], type;
	unsigned long a;
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx %c %255s", &a, &type, n) == 3 && !strcmp(n, name)) {
			*addr = a;
			err = a ? 0 : -EPERM; /* zeros: kptr_restrict */
			break;
		}
	fclose(f);
	return err;
}

static int unknown(const char *why, int err)
{
	printf("XSKHDR unknown: %s%s%s\n", why, err ? ": " : "", err ? strerror(-err) : "");
	return 2;
}

int main(void)
{
	static Elf64_Phdr ph[MAX_PHDRS];
	unsigned long hdr, text, dma;
	unsigned char b[HDR_LEN];
	Elf64_Ehdr eh;
	int fd, i, err, found = 0, zero = 1;
	long phys_base = 0;

	err = sym_addr("xsk_hdr", &hdr);
	if (err)
		return unknown(
			"no xsk_hdr in /proc/kallsyms (virtio_net without AF_XDP zero-copy?)", err);
	err = sym_addr("_text", &text);
	if (err)
		return unknown("no _text in /proc/kallsyms", err);
	fd = open("/proc/kcore", O_RDONLY);
	if (fd < 0)
		return unknown("/proc/kcore", -errno);
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_phnum > MAX_PHDRS ||
	    pread(fd, ph, eh.e_phnum * sizeof(ph[0]), eh.e_phoff) !=
		    (ssize_t)(eh.e_phnum * sizeof(ph[0])))
		return unknown("/proc/kcore is no ELF file with program headers", 0);
	for (i = 0; i < eh.e_phnum && !found; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr == text) {
			phys_base = (long)(ph[i].p_paddr - (text - START_KERNEL_MAP));
			found = 1;
		}
	if (!found)
		return unknown("no kernel text segment in /proc/kcore", 0);
	/* x86-64 virt_to_phys() of an address above __START_KERNEL_map. */
	dma = hdr - START_KERNEL_MAP + phys_base;
	for (i = 0; i < eh.e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];

		/* RAM: the linear map's segments, whose p_paddr is real. */
		if (p->p_type != PT_LOAD || p->p_vaddr >= START_KERNEL_MAP ||
		    p->p_paddr == (Elf64_Addr)-1 || dma < p->p_paddr ||
		    dma + HDR_LEN > p->p_paddr + p->p_memsz)
			continue;
		if (pread(fd, b, HDR_LEN, p->p_offset + (dma - p->p_paddr)) != HDR_LEN)
			return unknown("reading the page from /proc/kcore", -errno);
		printf("XSKHDR dma=0x%lx ram bytes=", dma);
		for (i = 0; i < HDR_LEN; i++) {
			printf("%s%02x", i ? " " : "", b[i]);
			zero &= !b[i];
		}
		printf("\n");
		close(fd);
		return zero ? 0 : 1;
	}
	close(fd);
	printf("XSKHDR dma=0x%lx outside-ram\n", dma);
	return 0;
}
