/* Static shortest paths of the capacity assignment (karavan.capacity.paths is the Python side).
 *
 * One Dijkstra per source over a CSR graph (indexed binary heap), stopping once every
 * target of that source is settled, then each accepted target's path walked back to the source.
 * The search is bound by cache misses on the ~100,000-vertex graphs of the benchmark grid: each edge's weight,
 * head and id sit side by side, each vertex's distance, predecessor, heap position and state in one record,
 * heap keys beside their vertices, indices in 32 bits (the pops, and so the paths, are those of a heap over a
 * separate key array: same comparisons, same ties). */
#include "kernels.h"

/* Per vertex of a search: its distance, the edge id it was reached by (-1 at the source), its heap position
 * (-1 when not in the heap) and its state, 2 run once reached in search run and 2 run + 1 once settled: one
 * record, so one cache line holds them all. */
typedef struct {
    double dist;
    i32 pred;
    i32 pos;
    i32 state;
    i32 pad;
} KfVertex;

/* Heap entries hold their key (the vertex's distance) beside the vertex. */
typedef struct {
    double key;
    i64 vert;
} KfEntry;

/* An edge in CSR order: weight, head and edge id side by side (no indirection). */
typedef struct {
    double w;
    i32 head;
    i32 eid;
} KfEdge;

/* Indexed binary min-heap (decrease-key in place: at most one entry per vertex). */
static void kf_up(KfEntry *heap, KfVertex *vx, i64 i, double key, i64 v) {
    while (i > 0) {
        i64 parent = (i - 1) / 2;
        if (heap[parent].key <= key) break;
        heap[i] = heap[parent];
        vx[heap[i].vert].pos = (i32)i;
        i = parent;
    }
    heap[i].key = key;
    heap[i].vert = v;
    vx[v].pos = (i32)i;
}

static i64 kf_pop(KfEntry *heap, KfVertex *vx, i64 *size) {
    i64 top = heap[0].vert;
    vx[top].pos = -1;
    i64 n = --(*size);
    if (n == 0) return top;
    KfEntry last = heap[n];
    i64 i = 0;
    for (;;) {
        i64 c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && heap[c + 1].key < heap[c].key) c++;
        if (heap[c].key >= last.key) break;
        heap[i] = heap[c];
        vx[heap[i].vert].pos = (i32)i;
        i = c;
    }
    heap[i] = last;
    vx[last.vert].pos = (i32)i;
    return top;
}

/* Dijkstra from src until its n_tgt targets are settled (or the heap is empty). tmark flags the targets of the
 * run (tmark[v] == run). */
static void kf_dijkstra(i64 n, const i32 *indptr, const KfEdge *edges, i64 src, const i64 *targets, i64 n_tgt,
                        KfVertex *vx, i32 *tmark, i32 run, KfEntry *heap) {
    i64 left = 0;
    for (i64 t = 0; t < n_tgt; t++) {
        i64 v = targets[t];
        if (v >= 0 && v < n && tmark[v] != run) {
            tmark[v] = run;
            left++;
        }
    }
    if (src < 0 || src >= n || left == 0) return;
    const i32 seen = 2 * run, settled = 2 * run + 1;
    i64 size = 1;
    vx[src].state = seen;
    vx[src].dist = 0.0;
    vx[src].pred = -1;
    vx[src].pos = 0;
    heap[0].key = 0.0;
    heap[0].vert = src;
    while (size > 0) {
        i64 u = kf_pop(heap, vx, &size);
        if (size > 0) __builtin_prefetch(&edges[indptr[heap[0].vert]]);
        double d = vx[u].dist;
        vx[u].state = settled;
        if (tmark[u] == run && --left == 0) break;
        for (i32 p = indptr[u]; p < indptr[u + 1]; p++) {
            i32 v = edges[p].head;
            double nd = d + edges[p].w;
            KfVertex *x = &vx[v];
            if (x->state < seen) {
                x->state = seen;
                x->dist = nd;
                x->pred = edges[p].eid;
                kf_up(heap, vx, size++, nd, v);
            } else if (x->state == seen && nd < x->dist) {
                x->dist = nd;
                x->pred = edges[p].eid;
                kf_up(heap, vx, x->pos, nd, v);
            }
        }
    }
    while (size > 0) vx[heap[--size].vert].pos = -1;
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
    size_t mm = (size_t)(m > 0 ? m : 1);
    KfVertex *vx = malloc(nn * sizeof(KfVertex));
    i32 *tmark = malloc(nn * sizeof(i32));
    i32 *ip = malloc((nn + 1) * sizeof(i32));
    KfEntry *heap = malloc(nn * sizeof(KfEntry));
    KfEdge *ed = malloc(mm * sizeof(KfEdge));
    i64 total = -1;
    if (vx && tmark && ip && heap && ed && n < INT32_MAX / 2 && m < INT32_MAX && n_src < INT32_MAX / 2) {
        for (i64 p = 0; p < m; p++) {
            ed[p].w = w[eid[p]];
            ed[p].head = (i32)head[p];
            ed[p].eid = eid[p] < INT32_MAX ? (i32)eid[p] : -1;
            if (ed[p].eid < 0) goto out; /* edge ids beyond 32 bits: reported as out of memory */
        }
        for (i64 v = 0; v <= n; v++) ip[v] = (i32)indptr[v];
        for (i64 v = 0; v < n; v++) {
            vx[v].state = -1;
            vx[v].pos = -1;
            tmark[v] = -1;
        }
        total = 0;
        path_ptr[0] = 0;
        for (i64 s = 0; s < n_src; s++) {
            const i64 *ts = tgt + tgt_ptr[s];
            i64 nt = tgt_ptr[s + 1] - tgt_ptr[s];
            i32 run = (i32)s;
            kf_dijkstra(n, ip, ed, sources[s], ts, nt, vx, tmark, run, heap);
            for (i64 t = tgt_ptr[s]; t < tgt_ptr[s + 1]; t++) {
                i64 v = tgt[t];
                int reached = v >= 0 && v < n && vx[v].state == 2 * run + 1;
                dist_out[t] = reached ? vx[v].dist : INFINITY;
                if (reached && vx[v].dist < accept[t]) {
                    while (vx[v].pred >= 0) {
                        if (total >= cap) {
                            total = -2 - s; /* out of room: sources before s are complete */
                            goto out;
                        }
                        i64 e = vx[v].pred;
                        path_edge[total++] = e;
                        v = tail[e];
                    }
                }
                path_ptr[t + 1] = total;
            }
        }
    }
out:
    free(vx);
    free(tmark);
    free(ip);
    free(heap);
    free(ed);
    return total;
}
