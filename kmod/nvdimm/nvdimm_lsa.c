// SPDX-License-Identifier: GPL-2.0
/*
 * xp_nvdimm: the bus's ndctl callback. The only commands are the three
 * that serve the DIMM's label storage area, which lives in the first
 * label_size bytes of the range: libnvdimm's label code and ndctl (through
 * /dev/nmemN) both come here. Every other command, and every bus-level
 * command, is refused with -ENOTTY, as libnvdimm itself does for commands
 * a DIMM does not advertise.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h> /* PAGE_SIZE, which ndctl.h uses */
#include <linux/ndctl.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "nvdimm.h"

/* memcpy_flushcache() is a plain memcpy() where there is no pmem API */
#if !IS_ENABLED(CONFIG_ARCH_HAS_PMEM_API)
#error "xp_nvdimm needs CONFIG_ARCH_HAS_PMEM_API (memcpy_flushcache that bypasses the cache)"
#endif

/* The area is small: one command may move all of it. */
static u32 xpnd_max_xfer(const struct xpnd_range *r)
{
	return r->lay.label_size;
}

/* [off, off + len) inside the label area, without overflow. */
static bool xpnd_lsa_in_bounds(const struct xpnd_range *r, u32 off, u32 len)
{
	return off <= r->lay.label_size && len <= r->lay.label_size - off;
}

static int xpnd_get_config_size(struct xpnd_range *r, void *buf, u32 buf_len)
{
	struct nd_cmd_get_config_size *cmd = buf;

	if (buf_len < sizeof(*cmd))
		return -EINVAL;
	cmd->status = 0;
	cmd->config_size = r->lay.label_size;
	cmd->max_xfer = xpnd_max_xfer(r);
	return 0;
}

static int xpnd_get_config_data(struct xpnd_range *r, void *buf, u32 buf_len)
{
	struct nd_cmd_get_config_data_hdr *cmd = buf;
	unsigned long left;

	if (buf_len < sizeof(*cmd) || cmd->in_length > buf_len - sizeof(*cmd) ||
	    !xpnd_lsa_in_bounds(r, cmd->in_offset, cmd->in_length))
		return -EINVAL;
	mutex_lock(&r->lsa_lock);
	/* a poisoned line is an I/O error, not a machine check */
	left = copy_mc_to_kernel(cmd->out_buf, r->lsa + cmd->in_offset, cmd->in_length);
	mutex_unlock(&r->lsa_lock);
	if (left)
		return -EIO;
	cmd->status = 0;
	return 0;
}

/*
 * The payload is followed by a u32 status, so the buffer must hold the
 * header, in_length bytes and the status. The new bytes have left the CPU
 * caches (non-temporal stores, then the pmem store fence) before the
 * command completes: a label update libnvdimm has been told is done is as
 * durable as the memory behind the range.
 */
static int xpnd_set_config_data(struct xpnd_range *r, void *buf, u32 buf_len)
{
	struct nd_cmd_set_config_hdr *cmd = buf;

	if (buf_len < sizeof(*cmd) + sizeof(u32) ||
	    cmd->in_length > buf_len - sizeof(*cmd) - sizeof(u32) ||
	    !xpnd_lsa_in_bounds(r, cmd->in_offset, cmd->in_length))
		return -EINVAL;
	mutex_lock(&r->lsa_lock);
	memcpy_flushcache(r->lsa + cmd->in_offset, cmd->in_buf, cmd->in_length);
	pmem_wmb();
	mutex_unlock(&r->lsa_lock);
	/* status: success; it may sit unaligned after the payload */
	memset(cmd->in_buf + cmd->in_length, 0, sizeof(u32));
	return 0;
}

int xpnd_ndctl(struct nvdimm_bus_descriptor *nd_desc, struct nvdimm *nvdimm, unsigned int cmd,
	       void *buf, unsigned int buf_len, int *cmd_rc)
{
	struct xpnd_range *r;
	int rc;

	if (!nvdimm) {
		rc = -ENOTTY;
		goto out;
	}
	r = nvdimm_provider_data(nvdimm);
	switch (cmd) {
	case ND_CMD_GET_CONFIG_SIZE:
		rc = xpnd_get_config_size(r, buf, buf_len);
		break;
	case ND_CMD_GET_CONFIG_DATA:
		rc = xpnd_get_config_data(r, buf, buf_len);
		break;
	case ND_CMD_SET_CONFIG_DATA:
		rc = xpnd_set_config_data(r, buf, buf_len);
		break;
	default:
		rc = -ENOTTY;
		break;
	}
	if (rc == -EINVAL)
		dev_dbg(r->dev, "%s: bad buffer or range (len %u)\n", nvdimm_name(nvdimm), buf_len);
out:
	if (cmd_rc)
		*cmd_rc = rc;
	return rc;
}
