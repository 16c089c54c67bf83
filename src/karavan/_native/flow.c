/* Static shortest paths of the capacity assignment (karavan.capacity.paths is the Python side).
 *
 * One Dijkstra per source over a CSR graph (indexed binary heap), stopping once every
 * target of that source is settled, then each accepted target's path walked back to the source. */
#include "kernels.h"

/* An indexed binary min-heap of vertices keyed by dist (decrease-key in place: at most one entry per vertex). */
typedef struct {
    i64 *vert;
    i64 *pos; /* heap position of each vertex, -1 when not in the heap */
    const double *key;
    i64 size;
} KfHeap;

static void kf_up(KfHeap *h, i64 i) {
    i64 v = h->vert[i];
    double k = h->key[v];
    while (i > 0) {
        i64 parent = (i - 1) / 2;
        i64 pv = h->vert[parent];
        if (h->key[pv] <= k) break;
        h->vert[i] = pv;
        h->pos[pv] = i;
        i = parent;
    }
    h->vert[i] = v;
    h->pos[v] = i;
}

static i64 kf_pop(KfHeap *h) {
    i64 top = h->vert[0];
    h->pos[top] = -1;
    if (--h->size == 0) return top;
    i64 v = h->vert[h->size];
    double k = h->key[v];
    i64 i = 0;
    for (;;) {
        i64 c = 2 * i + 1;
        if (c >= h->size) break;
        if (c + 1 < h->size && h->key[h->vert[c + 1]] < h->key[h->vert[c]]) c++;
        i64 cv = h->vert[c];
        if (h->key[cv] >= k) break;
        h->vert[i] = cv;
        h->pos[cv] = i;
        i = c;
    }
    h->vert[i] = v;
    h->pos[v] = i;
    return top;
}

/* Dijkstra from src (w: weight per CSR position) until its n_tgt targets are settled (or the heap is empty);
 * dist and pred_edge (edge id of the settling edge, -1 at the source) are valid where stamp[v] == run. tmark
 * flags the targets of the run (tmark[v] == run). */
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
    while (heap->size > 0) heap->pos[heap->vert[--heap->size]] = -1;
    if (src < 0 || src >= n || left == 0) return;
    stamp[src] = run;
    done[src] = 0;
    dist[src] = 0.0;
    pred_edge[src] = -1;
    heap->vert[heap->size++] = src;
    heap->pos[src] = 0;
    while (heap->size > 0) {
        i64 u = kf_pop(heap);
        double d = dist[u];
        done[u] = 1;
        if (tmark[u] == run && --left == 0) break;
        for (i64 p = indptr[u]; p < indptr[u + 1]; p++) {
            i64 v = head[p];
            double nd = d + w[p];
            if (stamp[v] != run) {
                stamp[v] = run;
                done[v] = 0;
                dist[v] = nd;
                pred_edge[v] = eid[p];
                heap->vert[heap->size] = v;
                kf_up(heap, heap->size++);
            } else if (!done[v] && nd < dist[v]) {
                dist[v] = nd;
                pred_edge[v] = eid[p];
                kf_up(heap, heap->pos[v]);
            }
        }
    }
}

/* For each source s (sources[s], its targets tgt[tgt_ptr[s]..tgt_ptr[s+1]]): shortest distances to
 * the targets into dist_out (inf if unreachable) and, for targets with dist < accept, the path's edge
 * ids (destination first) into path_edge[path_ptr[t]..path_ptr[t+1]]. tail[e] is the tail of edge e.
 * Returns the number of path edges; -2 - s when path_edge (cap entries) ran out at source s (the results
 * of the sources before s are complete: the caller goes on from s with a larger buffer); -1: out of memory. */
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
    KfHeap heap = {malloc(nn * sizeof(i64)), malloc(nn * sizeof(i64)), dist, 0};
    double *wc = malloc((size_t)(m > 0 ? m : 1) * sizeof(double)); /* weights in CSR order: no indirection */
    i64 total = -1;
    if (dist && pred && stamp && tmark && done && heap.pos && heap.vert && wc) {
        for (i64 p = 0; p < m; p++) wc[p] = w[eid[p]];
        for (i64 v = 0; v < n; v++) stamp[v] = tmark[v] = heap.pos[v] = -1;
        total = 0;
        path_ptr[0] = 0;
        for (i64 s = 0; s < n_src; s++) {
            const i64 *ts = tgt + tgt_ptr[s];
            i64 nt = tgt_ptr[s + 1] - tgt_ptr[s];
            kf_dijkstra(n, indptr, head, eid, wc, sources[s], ts, nt, dist, pred, stamp, tmark, done, s, &heap);
            for (i64 t = tgt_ptr[s]; t < tgt_ptr[s + 1]; t++) {
                i64 v = tgt[t];
                int reached = v >= 0 && v < n && stamp[v] == s && done[v];
                dist_out[t] = reached ? dist[v] : INFINITY;
                if (reached && dist[v] < accept[t]) {
                    while (pred[v] >= 0) {
                        if (total >= cap) {
                            total = -2 - s; /* out of room: sources before s are complete */
                            goto out;
                        }
                        path_edge[total++] = pred[v];
                        v = tail[pred[v]];
                    }
                }
                path_ptr[t + 1] = total;
            }
        }
    }
out:
    free(dist);
    free(pred);
    free(stamp);
    free(tmark);
    free(done);
    free(heap.pos);
    free(heap.vert);
    free(wc);
    return total;
}
