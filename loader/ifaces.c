// SPDX-License-Identifier: GPL-2.0
/* Attach state from netlink, without capabilities: see struct
 * fs_iface_watch in ifaces.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/libbpf.h>
#include "ifaces.h"
#include "loader.h"
#include "log.h"

/* Mode name of @id among the programs netlink reports, or NULL. */
static const char *mode_of(const struct bpf_xdp_query_opts *q, __u32 id)
{
	if (!id)
		return NULL;
	if (q->drv_prog_id == id)
		return "native";
	if (q->skb_prog_id == id)
		return "generic";
	if (q->hw_prog_id == id)
		return "hw";
	if (q->prog_id == id)
		return q->attach_mode == XDP_ATTACHED_SKB  ? "generic"
		       : q->attach_mode == XDP_ATTACHED_HW ? "hw"
							   : "native";
	return NULL;
}

/* The top-level program id in attach mode @mode. */
static __u32 id_of(const struct bpf_xdp_query_opts *q,
		   enum xdp_attach_mode mode)
{
	__u32 id = mode == XDP_MODE_SKB	 ? q->skb_prog_id
		   : mode == XDP_MODE_HW ? q->hw_prog_id
					 : q->drv_prog_id;

	return id ? id : q->prog_id;
}

void fs_iface_watch_init(struct fs_iface_watch *w)
{
	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->lock, NULL);
}

/* The index of @name among the wanted names, or -1; @w locked. */
static int want_find(const struct fs_iface_watch *w, const char *name)
{
	for (unsigned i = 0; i < w->n_want; i++)
		if (!strcmp(w->want[i], name))
			return i;
	return -1;
}

void fs_iface_watch_want(struct fs_iface_watch *w, const char *name)
{
	pthread_mutex_lock(&w->lock);
	if (want_find(w, name) < 0 && w->n_want < FS_METRICS_MAX_IFACES)
		snprintf(w->want[w->n_want++], IF_NAMESIZE, "%s", name);
	pthread_mutex_unlock(&w->lock);
}

void fs_iface_watch_forget(struct fs_iface_watch *w, const char *name)
{
	unsigned j = 0;
	int i;

	pthread_mutex_lock(&w->lock);
	i = want_find(w, name);
	if (i >= 0) {
		memmove(w->want[i], w->want[i + 1],
			(w->n_want - i - 1) * sizeof(w->want[0]));
		w->n_want--;
	}
	for (unsigned k = 0; k < w->n; k++)
		if (strcmp(w->e[k].name, name))
			w->e[j++] = w->e[k];
	w->n = j;
	pthread_mutex_unlock(&w->lock);
}

/* Forget entries whose interface is gone (or renamed, or whose index
 * went to another interface). */
static void watch_prune(struct fs_iface_watch *w,
			const struct if_nameindex *ifs)
{
	unsigned j = 0;

	for (unsigned i = 0; i < w->n; i++) {
		const struct if_nameindex *x = ifs;

		while (x->if_index && ((int)x->if_index != w->e[i].ifindex ||
				       strcmp(x->if_name, w->e[i].name)))
			x++;
		if (x->if_index)
			w->e[j++] = w->e[i];
	}
	w->n = j;
}

/* The index of @ifindex's entry, or -1 when it has none (not an error). */
static int watch_find(struct fs_iface_watch *w, int ifindex)
{
	for (unsigned i = 0; i < w->n; i++)
		if (w->e[i].ifindex == ifindex)
			return i;
	return -1;
}

/* Ask libxdp (needs CAP_SYS_ADMIN) whether the program on @ifx is ours;
 * learn its top-level id if so. Index of the entry, or -1. */
static int watch_learn(struct fs_iface_watch *w, const struct if_nameindex *ifx,
		       const struct bpf_xdp_query_opts *q, int i)
{
	struct fs_attach_info info;
	int err = fs_attach_query(ifx->if_index, &info);

	if (err == -EPERM || err == -EACCES) {
		pr_warn("metrics: no privilege to identify XDP programs; "
			"attach state from the program ids learned so far\n");
		w->unprivileged = true;
		return i;
	}
	if (err || !info.attached) {
		if (i >= 0)
			w->e[i].prog_id = 0;
		return i;
	}
	if (i < 0) {
		if (w->n == FS_METRICS_MAX_IFACES)
			return -1;
		i = w->n++;
		w->e[i].ifindex = ifx->if_index;
		snprintf(w->e[i].name, sizeof(w->e[i].name), "%s",
			 ifx->if_name);
	}
	w->e[i].prog_id = id_of(q, info.mode);
	return i;
}

int fs_iface_watch_attached(struct fs_iface_watch *w, int ifindex,
			    const char *name, enum xdp_attach_mode mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int i, err = bpf_xdp_query(ifindex, 0, &q);

	if (err)
		return err;
	pthread_mutex_lock(&w->lock);
	i = watch_find(w, ifindex);
	if (i < 0 && w->n < FS_METRICS_MAX_IFACES)
		i = w->n++;
	if (i >= 0) {
		w->e[i].ifindex = ifindex;
		snprintf(w->e[i].name, sizeof(w->e[i].name), "%s", name);
		w->e[i].prog_id = id_of(&q, mode);
	}
	pthread_mutex_unlock(&w->lock);
	return i >= 0 ? 0 : -ENOSPC;
}

/* The wanted names not in @out[0..n) into it, as not attached. */
static unsigned add_wanted(const struct fs_iface_watch *w,
			   struct fs_iface_state *out, unsigned n, unsigned max)
{
	for (unsigned i = 0; i < w->n_want && n < max; i++) {
		unsigned j = 0;

		while (j < n && strcmp(out[j].name, w->want[i]))
			j++;
		if (j < n)
			continue;
		snprintf(out[n].name, sizeof(out[n].name), "%s", w->want[i]);
		out[n].attached = false;
		snprintf(out[n].mode, sizeof(out[n].mode), "none");
		n++;
	}
	return n;
}

/* The interfaces of the namespace, ours reported (see struct
 * fs_iface_watch); @w locked. */
static int watch_scan(struct fs_iface_watch *w, struct fs_iface_state *out,
		      unsigned max)
{
	struct if_nameindex *ifs = if_nameindex(), *x;
	unsigned n = 0;

	if (!ifs)
		return -errno;
	watch_prune(w, ifs);
	for (x = ifs; x->if_index && n < max; x++) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		const char *mode;
		int i;

		if (bpf_xdp_query(x->if_index, 0, &q))
			continue; /* gone meanwhile */
		i = watch_find(w, x->if_index);
		mode = i >= 0 ? mode_of(&q, w->e[i].prog_id) : NULL;
		if (!mode && q.attach_mode != XDP_ATTACHED_NONE &&
		    !w->unprivileged) {
			i = watch_learn(w, x, &q, i);
			mode = i >= 0 ? mode_of(&q, w->e[i].prog_id) : NULL;
		}
		if (i < 0)
			continue; /* never ours */
		if (!mode)
			w->e[i].prog_id = 0;
		snprintf(out[n].name, sizeof(out[n].name), "%s", x->if_name);
		out[n].attached = mode != NULL;
		snprintf(out[n].mode, sizeof(out[n].mode), "%s",
			 mode ? mode : "none");
		n++;
	}
	if_freenameindex(ifs);
	return add_wanted(w, out, n, max);
}

int fs_iface_watch_poll(void *arg, struct fs_iface_state *out, unsigned max)
{
	struct fs_iface_watch *w = arg;
	int n;

	pthread_mutex_lock(&w->lock);
	n = watch_scan(w, out, max);
	pthread_mutex_unlock(&w->lock);
	return n;
}
