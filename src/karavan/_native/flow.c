/* Static shortest paths of the capacity assignment (karavan.capacity.paths is the Python side).
 *
 * One Dijkstra per source over a CSR graph (binary heap, lazy deletion), stopping once every
 * target of that source is settled, then each accepted target's path walked back to the source. */
#include "kernels.h"

typedef struct {
    double *key;
    i64 *vert;
    i64 size;
} KfHeap;

static void kf_push(KfHeap *h, double key, i64 v) {
    i64 i = h->size++;
    while (i > 0) {
        i64 parent = (i - 1) / 2;
        if (h->key[parent] <= key) break;
        h->key[i] = h->key[parent];
        h->vert[i] = h->vert[parent];
        i = parent;
    }
    h->key[i] = key;
    h->vert[i] = v;
}

static i64 kf_pop(KfHeap *h, double *key) {
    i64 top = h->vert[0];
    *key = h->key[0];
    double k = h->key[--h->size];
    i64 v = h->vert[h->size];
    i64 i = 0;
    for (;;) {
        i64 c = 2 * i + 1;
        if (c >= h->size) break;
        if (c + 1 < h->size && h->key[c + 1] < h->key[c]) c++;
        if (h->key[c] >= k) break;
        h->key[i] = h->key[c];
        h->vert[i] = h->vert[c];
        i = c;
    }
    h->key[i] = k;
    h->vert[i] = v;
    return top;
}

/* Dijkstra from src until its n_tgt targets are settled (or the heap is empty); dist and pred_edge
 * (edge id of the settling edge, -1 at the source) are valid where stamp[v] == run. tmark flags the
 * targets of the run (tmark[v] == run). */
static void kf_dijkstra(i64 n, const i64 *indptr, const i64 *head, const i64 *eid, const double *w, i64 src,
                        const i64 *targets, i64 n_tgt, double *dist, i64 *pred_edge, i64 *stamp, i64 *tmark,
                        u8 *done, i64 run, KfHeap *heap) {
    i64 left = 0;
    for (i64 t = 0; t < n_tgt; t++) {
        i64 v = targets[t];
        if (v >= 0 && v < n && tmark[v] != run) {
            tmark[v] = run;
            left++;
        }
    }
    heap->size = 0;
    if (src < 0 || src >= n || left == 0) return;
    stamp[src] = run;
    done[src] = 0;
    dist[src] = 0.0;
    pred_edge[src] = -1;
    kf_push(heap, 0.0, src);
    while (heap->size > 0) {
        double d;
        i64 u = kf_pop(heap, &d);
        if (done[u] || d > dist[u]) continue;
        done[u] = 1;
        if (tmark[u] == run && --left == 0) break;
        for (i64 p = indptr[u]; p < indptr[u + 1]; p++) {
            i64 v = head[p];
            double nd = d + w[eid[p]];
            if (stamp[v] != run) {
                stamp[v] = run;
                done[v] = 0;
            } else if (done[v] || nd >= dist[v]) {
                continue;
            }
            dist[v] = nd;
            pred_edge[v] = eid[p];
            kf_push(heap, nd, v);
        }
    }
}

/* For each source s (sources[s], its targets tgt[tgt_ptr[s]..tgt_ptr[s+1]]): shortest distances to
 * the targets into dist_out (inf if unreachable) and, for targets with dist < accept, the path's edge
 * ids (destination first) into path_edge[path_ptr[t]..path_ptr[t+1]]. tail[e] is the tail of edge e.
 * Returns the number of path edges; when that exceeds cap, nothing beyond cap is written and the
 * caller calls again with a larger buffer. -1: out of memory. */
KV_EXPORT i64 kf_paths(i64 n, const i64 *indptr, const i64 *head, const i64 *eid, const double *w, const i64 *tail,
                       i64 n_src, const i64 *sources, const i64 *tgt_ptr, const i64 *tgt, const double *accept,
                       double *dist_out, i64 *path_ptr, i64 *path_edge, i64 cap) {
    size_t nn = (size_t)(n > 0 ? n : 1);
    i64 m = indptr[n];
    double *dist = malloc(nn * sizeof(double));
    i64 *pred = malloc(nn * sizeof(i64));
    i64 *stamp = malloc(nn * sizeof(i64));
    i64 *tmark = malloc(nn * sizeof(i64));
    u8 *done = malloc(nn);
    KfHeap heap = {malloc((size_t)(m + 2) * sizeof(double)), malloc((size_t)(m + 2) * sizeof(i64)), 0};
    i64 total = -1;
    if (dist && pred && stamp && tmark && done && heap.key && heap.vert) {
        for (i64 v = 0; v < n; v++) stamp[v] = tmark[v] = -1;
        total = 0;
        path_ptr[0] = 0;
        for (i64 s = 0; s < n_src; s++) {
            const i64 *ts = tgt + tgt_ptr[s];
            i64 nt = tgt_ptr[s + 1] - tgt_ptr[s];
            kf_dijkstra(n, indptr, head, eid, w, sources[s], ts, nt, dist, pred, stamp, tmark, done, s, &heap);
            for (i64 t = tgt_ptr[s]; t < tgt_ptr[s + 1]; t++) {
                i64 v = tgt[t];
                int reached = v >= 0 && v < n && stamp[v] == s && done[v];
                dist_out[t] = reached ? dist[v] : INFINITY;
                if (reached && dist[v] < accept[t]) {
                    while (pred[v] >= 0) {
                        if (total < cap) path_edge[total] = pred[v];
                        total++;
                        v = tail[pred[v]];
                    }
                }
                path_ptr[t + 1] = total;
            }
        }
    }
    free(dist);
    free(pred);
    free(stamp);
    free(tmark);
    free(done);
    free(heap.key);
    free(heap.vert);
    return total;
}
