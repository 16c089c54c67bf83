/* Compiled core of the time-dependent multi-criteria label-setting search.
 *
 * The Python side is karavan.routing.kernel (argument checks and array conversion); the
 * readable references for the time functions are karavan.model.timetable.next_departure and
 * karavan.routing.search.next_open, which the tests compare against. */
#include <string.h>

#include "kernels.h"

/* Always inlined: the calls on the path of every new label (GCC and Clang; other compilers inline as
 * they see fit). */
#if defined(__GNUC__)
#define KR_INLINE static inline __attribute__((always_inline))
#else
#define KR_INLINE static inline
#endif

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define KR_SSE2 1
#endif

#define PAT_WEEKLY 0
#define PAT_HEADWAY 1
#define PAT_WHEN_FULL 2
#define NC 5 /* criteria: time, cost, CO2e, mean delay beyond plan, variance */
#define NT (NC + 1) /* a destination row: the criteria and the label */
#define HK 3 /* the label heap's key: (time, cost, CO2e) + lower bound */
/* label record: parent, edge, vertex, via progress (and a spare column) */
#define P_PARENT 0
#define P_EDGE 1
#define P_VERT 2
#define P_VIA 3
#define P_NEXT 4 /* unused (-1) */
#define NI 5
#define XFER 2
#define THRU 5

/* out = a + b and out = a * b over the NC criteria (pairs of columns at a time; out may be a or b). */
static inline void add_nc(const double *a, const double *b, double *out) {
#ifdef KR_SSE2
    __m128d s01 = _mm_add_pd(_mm_loadu_pd(a), _mm_loadu_pd(b)), s23 = _mm_add_pd(_mm_loadu_pd(a + 2), _mm_loadu_pd(b + 2));
    double s4 = a[4] + b[4];
    _mm_storeu_pd(out, s01);
    _mm_storeu_pd(out + 2, s23);
    out[4] = s4;
#else
    for (int c = 0; c < NC; c++) out[c] = a[c] + b[c];
#endif
}

static inline void mul_nc(const double *a, const double *b, double *out) {
#ifdef KR_SSE2
    __m128d p01 = _mm_mul_pd(_mm_loadu_pd(a), _mm_loadu_pd(b)), p23 = _mm_mul_pd(_mm_loadu_pd(a + 2), _mm_loadu_pd(b + 2));
    double p4 = a[4] * b[4];
    _mm_storeu_pd(out, p01);
    _mm_storeu_pd(out + 2, p23);
    out[4] = p4;
#else
    for (int c = 0; c < NC; c++) out[c] = a[c] * b[c];
#endif
}

/* ---------------------------------------------------------------- time functions */

KV_EXPORT double kr_next_departure(i64 pk, i64 pmask, double pa, double pb, double t, double offset) {
    if (pk == PAT_WHEN_FULL) return t + pa;
    double ot = t - offset;
    if (pk == PAT_HEADWAY) {
        double anchor = KV_MONDAY_H + pb;
        double k = ceil((ot - anchor) / pa - 1e-9);
        return anchor + k * pa + offset;
    }
    double week_start = KV_MONDAY_H + floor((ot - KV_MONDAY_H) / KV_WEEK_H) * KV_WEEK_H;
    double best = INFINITY;
    for (int d = 0; d < 7; d++) {
        if ((pmask >> d) & 1) {
            double cand = week_start + d * 24.0 + pa;
            if (cand < ot - 1e-9) cand += KV_WEEK_H;
            if (cand < best) best = cand;
        }
    }
    return best + offset;
}

KV_EXPORT double kr_next_open(i64 omask, double ostart, double oend, double t) {
    i64 day = (i64)floor(t / 24.0);
    for (i64 d = day; d < day + 8; d++) {
        i64 wd = kv_floormod(d + 3, 7);
        if (!((omask >> wd) & 1)) continue;
        double start = d * 24.0 + ostart;
        double end = d * 24.0 + oend;
        if (t < end) return kv_max(t, start);
    }
    return t;
}

/* ---------------------------------------------------------------- heaps */

/* Binary heap on flat arrays: hk holds rows of k keys compared lexicographically, hv the payload. */
static inline int key_lt(const double *a, const double *b, i64 k) {
    for (i64 c = 0; c < k; c++)
        if (a[c] != b[c]) return a[c] < b[c];
    return 0;
}

static inline void heap_swap(double *hk, i64 *hv, i64 i, i64 j, i64 k) {
    for (i64 c = 0; c < k; c++) {
        double tmp = hk[i * k + c];
        hk[i * k + c] = hk[j * k + c];
        hk[j * k + c] = tmp;
    }
    i64 tv = hv[i];
    hv[i] = hv[j];
    hv[j] = tv;
}

/* Push (key, val) onto a heap with room for one more entry; returns the new size. */
KV_EXPORT i64 kr_heap_push(double *hk, i64 *hv, i64 size, const double *key, i64 val, i64 k) {
    i64 i = size;
    memcpy(hk + i * k, key, (size_t)k * sizeof(double));
    hv[i] = val;
    while (i > 0) {
        i64 p = (i - 1) >> 1;
        if (!key_lt(hk + i * k, hk + p * k, k)) break;
        heap_swap(hk, hv, i, p, k);
        i = p;
    }
    return size + 1;
}

/* Pop the smallest entry of a non-empty heap into key and *val; returns the new size. */
KV_EXPORT i64 kr_heap_pop(double *hk, i64 *hv, i64 size, double *key, i64 k, i64 *val) {
    memcpy(key, hk, (size_t)k * sizeof(double));
    *val = hv[0];
    size -= 1;
    if (size == 0) return 0;
    memcpy(hk, hk + size * k, (size_t)k * sizeof(double));
    hv[0] = hv[size];
    i64 i = 0;
    for (;;) {
        i64 c = 2 * i + 1;
        if (c >= size) break;
        if (c + 1 < size && key_lt(hk + (c + 1) * k, hk + c * k, k)) c += 1;
        if (!key_lt(hk + c * k, hk + i * k, k)) break;
        heap_swap(hk, hv, i, c, k);
        i = c;
    }
    return size;
}

/* The label heap (HK keys and the label in one entry): the same moves as kr_heap_push/kr_heap_pop,
 * with the entry being sifted held aside instead of swapped at every level (so the heap and the
 * pop order are the same). */
typedef struct {
    double k[HK];
    i64 v;
} HeapEntry;

/* a < b lexicographically */
static inline int lt3(const double *a, const double *b) {
    if (a[0] != b[0]) return a[0] < b[0];
    if (a[1] != b[1]) return a[1] < b[1];
    return a[2] < b[2];
}

static inline i64 push3(HeapEntry *h, i64 size, const double *key, i64 val) {
    i64 i = size;
    while (i > 0) {
        i64 p = (i - 1) >> 1;
        if (!lt3(key, h[p].k)) break;
        h[i] = h[p];
        i = p;
    }
    h[i].k[0] = key[0];
    h[i].k[1] = key[1];
    h[i].k[2] = key[2];
    h[i].v = val;
    return size + 1;
}

/* Pop the smallest entry into *top; the heap keeps room for the entry at index size (read, not used).
 *
 * The last entry goes where the sift-down of kr_heap_pop puts it: above the first entry not below
 * it on the path of least children. The keys on that path do not decrease, so the hole is moved to
 * the path's end (one comparison a level) and the entry climbs back from there (the last entry is
 * among the largest: few levels). */
static inline i64 pop3(HeapEntry *h, i64 size, HeapEntry *top) {
    *top = h[0];
    size -= 1;
    if (size == 0) return 0;
    HeapEntry last = h[size];
    i64 i = 0, c = 1;
    for (; c + 1 < size; c = 2 * i + 1) { /* two children */
        c += lt3(h[c + 1].k, h[c].k);
        h[i] = h[c];
        i = c;
    }
    if (c < size) { /* one child */
        h[i] = h[c];
        i = c;
    }
    while (i > 0) {
        i64 p = (i - 1) >> 1;
        if (lt3(h[p].k, last.k)) break; /* (the parent, moved up from p, is below the entry: it stays there) */
        h[i] = h[p];
        i = p;
    }
    h[i] = last;
    return size;
}

/* One-key heap with room (a Dijkstra pushes at most once per edge). */
static inline i64 push1(double *hk, i64 *hv, i64 size, double key, i64 val) {
    i64 i = size;
    while (i > 0) {
        i64 p = (i - 1) >> 1;
        if (hk[p] <= key) break;
        hk[i] = hk[p];
        hv[i] = hv[p];
        i = p;
    }
    hk[i] = key;
    hv[i] = val;
    return size + 1;
}

static inline i64 pop1(double *hk, i64 *hv, i64 size, double *key, i64 *val) {
    *key = hk[0];
    *val = hv[0];
    size -= 1;
    double last_k = hk[size];
    i64 last_v = hv[size];
    i64 i = 0;
    for (;;) {
        i64 c = 2 * i + 1;
        if (c >= size) break;
        if (c + 1 < size && hk[c + 1] < hk[c]) c += 1;
        if (hk[c] >= last_k) break;
        hk[i] = hk[c];
        hv[i] = hv[c];
        i = c;
    }
    hk[i] = last_k;
    hv[i] = last_v;
    return size;
}

/* ---------------------------------------------------------------- static Dijkstra */

/* Multi-source Dijkstra into dist over the CSR indptr/nbr, edge weights w[eidx[j] * wstride]
 * (wstride: the row length of a weight table read by column). done, hk and hv are scratch
 * arrays (hk/hv of at least len(eidx) + n_src entries); unreachable vertices keep inf. */
static void dijkstra(i64 n, const i64 *indptr, const i64 *nbr, const i64 *eidx, const double *w, i64 wstride,
                     const i64 *sources, i64 n_src, double *dist, u8 *done, double *hk, i64 *hv) {
    for (i64 v = 0; v < n; v++) {
        dist[v] = INFINITY;
        done[v] = 0;
    }
    i64 size = 0;
    for (i64 i = 0; i < n_src; i++) {
        i64 s = sources[i];
        if (dist[s] > 0.0) {
            dist[s] = 0.0;
            size = push1(hk, hv, size, 0.0, s);
        }
    }
    while (size > 0) {
        double d;
        i64 v;
        size = pop1(hk, hv, size, &d, &v);
        if (done[v]) continue;
        done[v] = 1;
        for (i64 j = indptr[v]; j < indptr[v + 1]; j++) {
            i64 u = nbr[j];
            double nd = d + w[eidx[j] * wstride];
            if (nd < dist[u]) {
                dist[u] = nd;
                size = push1(hk, hv, size, nd, u);
            }
        }
    }
}

/* Static multi-source Dijkstra into dist (see dijkstra), unit weight stride. */
KV_EXPORT void kr_dijkstra_static(i64 n, const i64 *indptr, const i64 *nbr, const i64 *eidx, const double *w,
                                  const i64 *sources, i64 n_src, double *dist, u8 *done, double *hk, i64 *hv) {
    dijkstra(n, indptr, nbr, eidx, w, 1, sources, n_src, dist, done, hk, hv);
}

/* Per used column of wts (m x ncol), the shortest static distance from every vertex to any of
 * sources, into out (n x ncol), one Dijkstra per column on the reversed graph; unused columns 0. */
KV_EXPORT int kr_static_bounds(i64 n, i64 m, const i64 *rindptr, const i64 *rtail, const i64 *redge, const double *wts,
                               i64 ncol, const i64 *sources, i64 n_src, const u8 *use, double *out) {
    i64 cap = m + n_src + 1;
    double *hk = malloc((size_t)cap * sizeof(double));
    i64 *hv = malloc((size_t)cap * sizeof(i64));
    u8 *done = malloc((size_t)(n > 0 ? n : 1));
    double *dist = malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
    double *w = malloc((size_t)(m > 0 ? m : 1) * sizeof(double)); /* one column, contiguous */
    int rc = KV_NO_MEMORY;
    if (hk && hv && done && dist && w) {
        for (i64 i = 0; i < n * ncol; i++) out[i] = 0.0;
        for (i64 col = 0; col < ncol; col++) {
            if (!use[col]) continue;
            for (i64 e = 0; e < m; e++) w[e] = wts[e * ncol + col];
            dijkstra(n, rindptr, rtail, redge, w, 1, sources, n_src, dist, done, hk, hv);
            for (i64 v = 0; v < n; v++) out[v * ncol + col] = dist[v];
        }
        rc = KV_OK;
    }
    free(hk);
    free(hv);
    free(done);
    free(dist);
    free(w);
    return rc;
}

/* k landmarks spread by farthest-point sampling (undirected distance) and the static distances
 * from_l and to_l (n x k each) from and to every landmark (ALT bounds). */
KV_EXPORT int kr_landmark_tables(i64 n, i64 m, const i64 *indptr, const i64 *head, const i64 *rindptr,
                                 const i64 *rtail, const i64 *redge, const double *w, i64 k, double *from_l,
                                 double *to_l) {
    size_t nn = (size_t)(n > 0 ? n : 1);
    i64 *uptr = malloc((nn + 1) * sizeof(i64));
    i64 *unbr = malloc((size_t)(2 * m + 1) * sizeof(i64));
    i64 *ueid = malloc((size_t)(2 * m + 1) * sizeof(i64));
    i64 *fid = malloc((size_t)(m + 1) * sizeof(i64));
    double *hk = malloc((size_t)(2 * m + 2) * sizeof(double));
    i64 *hv = malloc((size_t)(2 * m + 2) * sizeof(i64));
    u8 *done = malloc(nn);
    double *dist = malloc(nn * sizeof(double));
    double *near = malloc(nn * sizeof(double));
    int rc = KV_NO_MEMORY;
    if (!(uptr && unbr && ueid && fid && hk && hv && done && dist && near)) goto out;
    /* undirected CSR: forward then reverse edges of each vertex */
    uptr[0] = 0;
    for (i64 v = 0; v < n; v++)
        uptr[v + 1] = uptr[v] + (indptr[v + 1] - indptr[v]) + (rindptr[v + 1] - rindptr[v]);
    for (i64 v = 0; v < n; v++) {
        i64 p = uptr[v];
        for (i64 j = indptr[v]; j < indptr[v + 1]; j++, p++) {
            unbr[p] = head[j];
            ueid[p] = j;
        }
        for (i64 j = rindptr[v]; j < rindptr[v + 1]; j++, p++) {
            unbr[p] = rtail[j];
            ueid[p] = redge[j];
        }
    }
    for (i64 j = 0; j < m; j++) fid[j] = j;
    for (i64 v = 0; v < n; v++) near[v] = INFINITY;
    i64 src = 0;
    dijkstra(n, uptr, unbr, ueid, w, 1, &src, 1, dist, done, hk, hv);
    for (i64 v = 0; v < n; v++) near[v] = dist[v]; /* the first landmark is the vertex farthest from vertex 0 */
    for (i64 i = 0; i < k; i++) {
        double far = -1.0;
        for (i64 v = 0; v < n; v++) {
            if (near[v] < INFINITY && near[v] > far) {
                far = near[v];
                src = v;
            }
        }
        dijkstra(n, indptr, head, fid, w, 1, &src, 1, dist, done, hk, hv);
        for (i64 v = 0; v < n; v++) from_l[v * k + i] = dist[v];
        dijkstra(n, rindptr, rtail, redge, w, 1, &src, 1, dist, done, hk, hv);
        for (i64 v = 0; v < n; v++) to_l[v * k + i] = dist[v];
        dijkstra(n, uptr, unbr, ueid, w, 1, &src, 1, dist, done, hk, hv);
        if (i == 0)
            for (i64 v = 0; v < n; v++) near[v] = dist[v];
        for (i64 v = 0; v < n; v++)
            if (dist[v] < near[v]) near[v] = dist[v];
    }
    rc = KV_OK;
out:
    free(uptr);
    free(unbr);
    free(ueid);
    free(fid);
    free(hk);
    free(hv);
    free(done);
    free(dist);
    free(near);
    return rc;
}

/* ---------------------------------------------------------------- scratch memory */

/* The label search's buffers are kept per thread between calls (up to KEEP_BYTES each): a fresh
 * allocation of a few hundred kilobytes costs more in page faults than a small search itself. */
#define KEEP_BYTES ((size_t)1 << 20)
enum { B_LF, B_LI, B_LM, B_DEAD, B_POOL, B_BOFF, B_BLEN, B_BCAP, B_HEAP, B_TGT, B_TSH, B_STAIR, B_FRONT, B_FOFF,
       B_FLEN, B_FCAP, N_BUF };
typedef struct {
    void *p[N_BUF];
    size_t n[N_BUF];
} Scratch;

#if defined(_WIN32)
static Scratch *scratch(void) { return NULL; } /* no cache: plain malloc and free */
#else
#include <pthread.h>
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static int scratch_ok;

static void scratch_drop(void *c) {
    Scratch *k = c;
    for (int i = 0; i < N_BUF; i++) free(k->p[i]);
    free(k);
}

static void scratch_key_make(void) { scratch_ok = pthread_key_create(&scratch_key, scratch_drop) == 0; }

/* This thread's cache (NULL if it cannot be made: the buffers are then allocated per call). */
static Scratch *scratch(void) {
    pthread_once(&scratch_once, scratch_key_make);
    if (!scratch_ok) return NULL;
    Scratch *c = pthread_getspecific(scratch_key);
    if (!c) {
        c = calloc(1, sizeof *c);
        if (c && pthread_setspecific(scratch_key, c) != 0) {
            free(c);
            c = NULL;
        }
    }
    return c;
}
#endif

/* A buffer of at least bytes for slot (the cached one if it is large enough). */
static void *buf_take(int slot, size_t bytes) {
    Scratch *c = scratch();
    if (c && c->p[slot] && c->n[slot] >= bytes) {
        void *p = c->p[slot];
        c->p[slot] = NULL;
        return p;
    }
    return malloc(bytes);
}

/* Give a buffer of bytes back to slot's cache (the larger of it and the cached one is kept). */
static void buf_give(int slot, void *p, size_t bytes) {
    if (!p) return;
    Scratch *c = scratch();
    if (!c || bytes > KEEP_BYTES || (c->p[slot] && c->n[slot] >= bytes)) {
        free(p);
        return;
    }
    free(c->p[slot]);
    c->p[slot] = p;
    c->n[slot] = bytes;
}

/* ---------------------------------------------------------------- searches */

/* The time-dependent graph and query shared by both searches (see karavan.routing.kernel). */
typedef struct {
    i64 n_vert, n_nodes, n_init, n_via, dest_node, n_lm;
    const i64 *indptr;
    const i32 *head;
    const i8 *kind;
    const double *wts; /* n_edges x NC */
    const i32 *board_run, *opening, *v_node;
    const double *v_offset;
    const i8 *pk;
    const i64 *pmask;
    const double *pa, *pb;
    const i64 *omask;
    const double *ostart, *oend;
    const u8 *allowed;
    const i64 *init_v;
    const double *init_w; /* n_init x NC */
    const u8 *target_ok;
    const double *tgt_w; /* n_vert x NC */
    const i32 *tgt_open;
    const i64 *via;
    double horizon_end;
} KrGraph;

/* What a search returns: destination rows and the label tree (records of NI columns), held here
 * until kr_take_result copies them. n_lab counts the labels on the destination rows' paths (the
 * size of the copy); tgt_cap and li_cap are the sizes of the buffers, in rows and records. */
typedef struct {
    double *targets;
    i64 n_tgt;
    i64 *li;
    i64 n_lab;
    i64 capped;
    i64 tgt_cap, li_cap;
} KrResult;

KV_EXPORT void kr_free_result(KrResult *res) {
    buf_give(B_TGT, res->targets, (size_t)(res->tgt_cap * NT) * sizeof(double));
    buf_give(B_LI, res->li, (size_t)(res->li_cap * NI) * sizeof(i64));
    res->targets = NULL;
    res->li = NULL;
}

/* Labels on the paths of the n_tgt destination rows (the size of the copy kr_take_result makes). */
static i64 path_count(const double *targets, i64 n_tgt, const i64 *li) {
    i64 n = 0;
    for (i64 t = 0; t < n_tgt; t++)
        for (i64 j = (i64)targets[t * NT + NC]; j >= 0; j = li[j * NI + P_PARENT]) n++;
    return n;
}

/* Copy a result into the caller's arrays and free it: targets (n_tgt x NT) and, for n_lab labels,
 * parent/edge/vert of the destination rows' paths, each path in order from its first label (parent
 * -1) to the row's label, the rows' paths one after another; the rows' label column is renumbered. */
KV_EXPORT void kr_take_result(KrResult *res, double *targets, i64 *parent, i64 *edge, i64 *vert) {
    i64 end = 0;
    for (i64 t = 0; t < res->n_tgt; t++) {
        memcpy(targets + t * NT, res->targets + t * NT, NC * sizeof(double));
        i64 len = 0;
        for (i64 j = (i64)res->targets[t * NT + NC]; j >= 0; j = res->li[j * NI + P_PARENT]) len++;
        i64 k = end + len - 1;
        targets[t * NT + NC] = (double)k;
        for (i64 j = (i64)res->targets[t * NT + NC]; j >= 0; j = res->li[j * NI + P_PARENT], k--) {
            parent[k] = k > end ? k - 1 : -1;
            edge[k] = res->li[j * NI + P_EDGE];
            vert[k] = res->li[j * NI + P_VERT];
        }
        end += len;
    }
    kr_free_result(res);
}

/* Time at the destination after alighting at target vertex v at t (end terminal, opening hours). */
static inline double arrival(const KrGraph *g, i64 v, double t) {
    i32 o = g->tgt_open[v];
    if (o >= 0) t = kr_next_open(g->omask[o], g->ostart[o], g->oend[o], t);
    return t + g->tgt_w[v * NC];
}

/* Via progress after entering node wn; -1 where it would reach the destination before every via place. */
static inline i64 via_step(const KrGraph *g, i64 vi, i64 wn) {
    i64 nvi = (vi < g->n_via && wn == g->via[vi]) ? vi + 1 : vi;
    if (wn == g->dest_node && nvi < g->n_via) return -1;
    return nvi;
}

/* Time after edge ei entered at t: XFER waits for the boarded run's departure, THRU goes straight on
 * after the operation, the others add their duration. */
static inline double edge_time(const KrGraph *g, i64 ei, i64 w, double t) {
    i8 k = g->kind[ei];
    double dur = g->wts[ei * NC];
    if (k == XFER || k == THRU) {
        double nt = t;
        i32 oi = g->opening[ei];
        if (oi >= 0) nt = kr_next_open(g->omask[oi], g->ostart[oi], g->oend[oi], nt);
        nt += dur;
        if (k == XFER) {
            i32 r = g->board_run[ei];
            nt = kr_next_departure(g->pk[r], g->pmask[r], g->pa[r], g->pb[r], nt, g->v_offset[w]);
        }
        return nt;
    }
    return t + dur;
}

static inline i64 initial_via(const KrGraph *g, i64 v) {
    return (g->n_via > 0 && g->via[0] == g->v_node[v]) ? 1 : 0;
}

typedef struct BagEntry {
    double x[NC];
    i64 lid;
} BagEntry;

/* A destination row in the staircase: its time (as is and since t0), its two other used columns
 * (b = 0 with one) and the least b of the rows up to it in the order of a. */
typedef struct {
    double t, ts, a, b, bmin;
} Stair;

#define STAIR_ROWS 16 /* destination rows from which the staircase answers pruned() */

/* A point of a state's front (settled mode): columns sa and sb (b = 0 with one) and the time. */
typedef struct {
    double a, b, t;
    i64 lid;
} Front;

/* State of a label-setting search: labels, bags per (vertex, via) state, heap and destination rows. */
typedef struct {
    const KrGraph *g;
    const double *lb; /* n_vert x NC */
    const u8 *use;
    const double *eps;
    double pf[NC];
    u64 keep[NC]; /* all bits set in the used columns, none in the others (see pick_used) */
    int all_used; /* every column used: pick_used copies */
    double t0; /* the query's departure, hours since the epoch */
    i64 max_labels;
    const i64 *node_bit;
    int elementary, exact;
    /* Settled mode (exact dominance on time and at most two other columns, no node tracking): the
     * bags hold only settled labels, popped in lexicographic order, and a candidate is compared with
     * them alone, through the state's front of settled labels on columns (sa, sb), sorted by sa. */
    int settled, multi;
    Front *front;
    i64 front_len, front_cap;
    i64 *front_off, *front_n, *front_c;
    double *lf; /* cap x NC */
    i64 *li; /* cap x NI */
    u64 *lm; /* cap x 2: 128-bit set of the nodes on the label's path (node % 128) */
    u8 *ldead;
    i64 n_lab, cap;
    /* bags: the labels of a state, contiguous in pool (criteria copied beside the label id) */
    struct BagEntry *pool;
    i64 pool_len, pool_cap;
    i64 *bag_off, *bag_len, *bag_cap;
    HeapEntry *heap; /* hcap entries */
    i64 hsize, hcap;
    double *targets; /* tcap x NT */
    double *tshift; /* NC x tcap: the destination rows' criteria by column, time since t0 */
    /* With at most two used columns besides time (sa, sb; sb -1 with one, sa -1 with more), the
     * destination rows also sorted by column sa (tcap entries): a row within the thresholds exists
     * if the latest row is within the time threshold and the least sb up to the sa threshold is. */
    Stair *stair;
    i64 n_stair;
    int sa, sb;
    double t_max; /* the latest destination row's time since t0 */
    /* At most the least value of each column of tshift over the destination rows (-inf where a row
     * held NaN, inf with no row): a threshold below it in some column is above no row's value there. */
    double tmin[NC + 1]; /* (and a pad column at -inf) */
    i64 n_tgt, tcap;
    i64 capped;
} Search;

/* The index of the first of n entries (stride bytes apart, sorted by the double at first) above a
 * (n when none is). */
static inline i64 first_above(const double *first, size_t stride, i64 n, double a) {
    const char *base = (const char *)first;
    i64 lo = 0, hi = n;
    while (lo < hi) {
        i64 mid = (lo + hi) >> 1;
        if (*(const double *)(base + (size_t)mid * stride) > a)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* out[k] = v[k] in the used columns, fill in the others (bit masks: no branch per column). */
static inline void pick_used(const Search *s, const double *v, double fill, double *out) {
    if (s->all_used) {
        if (out != v) memcpy(out, v, NC * sizeof(double));
        return;
    }
    u64 f;
    memcpy(&f, &fill, sizeof f);
    for (int k = 0; k < NC; k++) {
        u64 b;
        memcpy(&b, v + k, sizeof b);
        b = (b & s->keep[k]) | (f & ~s->keep[k]);
        memcpy(out + k, &b, sizeof b);
    }
}

/* Whether a[k] > r[k] in some column (branch free: unused columns hold thresholds that never fail). */
static inline int above(const double *a, const double *r) {
#ifdef KR_SSE2
    __m128d up = _mm_or_pd(_mm_cmpgt_pd(_mm_loadu_pd(a), _mm_loadu_pd(r)),
                           _mm_cmpgt_pd(_mm_loadu_pd(a + 2), _mm_loadu_pd(r + 2)));
    return _mm_movemask_pd(up) != 0 || a[4] > r[4];
#else
    return (a[0] > r[0]) | (a[1] > r[1]) | (a[2] > r[2]) | (a[3] > r[3]) | (a[4] > r[4]);
#endif
}

/* Whether a destination label found so far dominates x within the factors f: target <= x * f +
 * 1e-9 in every used column, time (column 0) as hours since the departure t0 (a factor on the
 * time column scales the transit time, not the clock). The rows are read by column (tshift),
 * eight at a time without branches. */
static inline int pruned(const Search *s, const double *x, const double *f) {
    /* (the staircase when it applies, else every row) */
    double r[NC + 1];
#ifdef KR_SSE2
    const __m128d tiny = _mm_set1_pd(1e-9); /* (x - 0) is x: the other columns as below */
    __m128d r01 = _mm_add_pd(_mm_mul_pd(_mm_sub_pd(_mm_loadu_pd(x), _mm_set_sd(s->t0)), _mm_loadu_pd(f)), tiny);
    __m128d r23 = _mm_add_pd(_mm_mul_pd(_mm_loadu_pd(x + 2), _mm_loadu_pd(f + 2)), tiny);
    __m128d r45 = _mm_add_pd(_mm_mul_pd(_mm_load_sd(x + 4), _mm_load_sd(f + 4)), tiny);
    _mm_storeu_pd(r, r01);
    _mm_storeu_pd(r + 2, r23);
    _mm_storeu_pd(r + 4, r45);
    if (!s->all_used) {
        pick_used(s, r, INFINITY, r);
        r01 = _mm_loadu_pd(r);
        r23 = _mm_loadu_pd(r + 2);
        r45 = _mm_loadu_pd(r + 4);
    }
    /* no row is within the thresholds where one is below every row's value in a column (most calls) */
    __m128d below = _mm_or_pd(_mm_or_pd(_mm_cmplt_pd(r01, _mm_loadu_pd(s->tmin)),
                                        _mm_cmplt_pd(r23, _mm_loadu_pd(s->tmin + 2))),
                              _mm_cmplt_pd(r45, _mm_loadu_pd(s->tmin + 4)));
    if (_mm_movemask_pd(below) != 0) return 0;
#else
    r[0] = (x[0] - s->t0) * f[0] + 1e-9;
    for (int k = 1; k < NC; k++) r[k] = x[k] * f[k] + 1e-9;
    pick_used(s, r, INFINITY, r);
    /* no row is within the thresholds where one is below every row's value in a column (most calls) */
    if ((r[0] < s->tmin[0]) | (r[1] < s->tmin[1]) | (r[2] < s->tmin[2]) | (r[3] < s->tmin[3]) | (r[4] < s->tmin[4]))
        return 0;
#endif
    i64 k = 0, n = s->n_tgt;
    if (s->sa >= 0 && n >= STAIR_ROWS && !(s->t_max > r[0])) {
        const Stair *st = s->stair;
        double ra = r[s->sa], rb = s->sb >= 0 ? r[s->sb] : INFINITY;
        i64 lo = first_above(&st->a, sizeof(Stair), s->n_stair, ra);
        return lo > 0 && !(st[lo - 1].bmin > rb);
    }
    const double *c0 = s->tshift, *c1 = c0 + s->tcap, *c2 = c1 + s->tcap, *c3 = c2 + s->tcap, *c4 = c3 + s->tcap;
#ifdef KR_SSE2
    const __m128d r0 = _mm_set1_pd(r[0]), r1 = _mm_set1_pd(r[1]), r2 = _mm_set1_pd(r[2]), r3 = _mm_set1_pd(r[3]),
                  r4 = _mm_set1_pd(r[4]);
    for (; k + 2 <= n; k += 2) { /* two rows at a time: a lane with no column above its threshold prunes */
        __m128d up = _mm_or_pd(_mm_cmpgt_pd(_mm_loadu_pd(c0 + k), r0), _mm_cmpgt_pd(_mm_loadu_pd(c1 + k), r1));
        up = _mm_or_pd(up, _mm_or_pd(_mm_cmpgt_pd(_mm_loadu_pd(c2 + k), r2), _mm_cmpgt_pd(_mm_loadu_pd(c3 + k), r3)));
        up = _mm_or_pd(up, _mm_cmpgt_pd(_mm_loadu_pd(c4 + k), r4));
        if (_mm_movemask_pd(up) != 3) return 1;
    }
#endif
    for (; k < n; k++)
        if (!(c0[k] > r[0]) && !(c1[k] > r[1]) && !(c2[k] > r[2]) && !(c3[k] > r[3]) && !(c4[k] > r[4])) return 1;
    return 0;
}

/* Whether node is on the path of label lid. */
static inline int on_path(const Search *s, i64 lid, i64 node) {
    for (i64 j = lid; j >= 0; j = s->li[j * NI + P_PARENT])
        if (s->g->v_node[s->li[j * NI + P_VERT]] == node) return 1;
    return 0;
}

/* Whether the tracked nodes of label a are all on the path b_parent + b_node (path dominance). */
static int subset(const Search *s, i64 a, i64 b_parent, i64 b_node, u64 b_m0, u64 b_m1) {
    if ((s->lm[2 * a] & ~b_m0) != 0 || (s->lm[2 * a + 1] & ~b_m1) != 0) return 0;
    if (s->exact) return 1; /* at most 128 tracked nodes: the bit sets are the node sets */
    for (i64 j = a; j >= 0; j = s->li[j * NI + P_PARENT]) {
        i64 node = s->g->v_node[s->li[j * NI + P_VERT]];
        if (s->node_bit[node] >= 0 && node != b_node && !on_path(s, b_parent, node)) return 0;
    }
    return 1;
}

/* Whether a new label (parent path + node, bit sets m0/m1) lies within label j's tracked nodes. */
static int within(const Search *s, i64 j, i64 parent, i64 node, u64 m0, u64 m1) {
    if (((m0 & ~s->lm[2 * j]) != 0) || ((m1 & ~s->lm[2 * j + 1]) != 0)) return 0;
    if (s->exact) return 1;
    const i64 *node_bit = s->node_bit;
    int drop = node_bit[node] < 0 || on_path(s, j, node);
    for (i64 k = parent; drop && k >= 0; k = s->li[k * NI + P_PARENT]) {
        i64 kn = s->g->v_node[s->li[k * NI + P_VERT]];
        drop = node_bit[kn] < 0 || on_path(s, j, kn);
    }
    return drop;
}

static int grow_labels(Search *s) {
    i64 cap = 2 * s->cap;
    double *lf = realloc(s->lf, (size_t)(cap * NC) * sizeof(double));
    if (lf) s->lf = lf;
    i64 *li = realloc(s->li, (size_t)(cap * NI) * sizeof(i64));
    if (li) s->li = li;
    u64 *lm = realloc(s->lm, (size_t)(cap * 2) * sizeof(u64));
    if (lm) s->lm = lm;
    u8 *ld = realloc(s->ldead, (size_t)cap);
    if (ld) s->ldead = ld;
    if (!(lf && li && lm && ld)) return KV_NO_MEMORY;
    s->cap = cap;
    return KV_OK;
}

KR_INLINE int heap_add(Search *s, const double *key, i64 val) {
    if (s->hsize == s->hcap) {
        i64 cap = 2 * s->hcap;
        HeapEntry *h = realloc(s->heap, (size_t)cap * sizeof(HeapEntry));
        if (!h) return KV_NO_MEMORY;
        s->heap = h;
        s->hcap = cap;
    }
    s->hsize = push3(s->heap, s->hsize, key, val);
    return KV_OK;
}

/* Room for one more entry in a state's run of len entries (at *off, room for *cap) in a pool of
 * elem-byte entries (*used of *size taken): a full run moves to the end of the pool with twice the
 * room. Returns the pool (moved when it grew), NULL when memory runs out (the pool is kept). */
static void *pool_room(void *pool, size_t elem, i64 *used, i64 *size, i64 *off, i64 len, i64 *cap) {
    if (len < *cap) return pool;
    i64 want = len < 2 ? 2 : 2 * len;
    if (*used + want > *size) {
        i64 grow = 2 * *size;
        while (grow < *used + want) grow *= 2;
        void *p = realloc(pool, (size_t)grow * elem);
        if (!p) return NULL;
        pool = p;
        *size = grow;
    }
    char *base = pool;
    if (len) memcpy(base + (size_t)*used * elem, base + (size_t)*off * elem, (size_t)len * elem);
    *off = *used;
    *cap = want;
    *used += want;
    return pool;
}

/* Room for one more entry in the bag of state. */
KR_INLINE int bag_room(Search *s, i64 state) {
    BagEntry *p = pool_room(s->pool, sizeof(BagEntry), &s->pool_len, &s->pool_cap, s->bag_off + state,
                            s->bag_len[state], s->bag_cap + state);
    if (!p) return KV_NO_MEMORY;
    s->pool = p;
    return KV_OK;
}

/* x with the unused columns at -inf, for dominance tests through above(). */
static inline void used_only(const Search *s, const double *x, double *out) {
    pick_used(s, x, -INFINITY, out);
}

/* A new label record (the tables grown as needed); returns its id, or -1 when memory runs out. */
KR_INLINE i64 new_label(Search *s, const double *x, i64 parent, i64 edge, i64 vert, i64 vi, u64 m0, u64 m1) {
    if (s->n_lab == s->cap && grow_labels(s) != KV_OK) return -1;
    i64 lid = s->n_lab;
    memcpy(s->lf + lid * NC, x, NC * sizeof(double));
    i64 *rec = s->li + lid * NI;
    rec[P_PARENT] = parent;
    rec[P_EDGE] = edge;
    rec[P_VERT] = vert;
    rec[P_VIA] = vi;
    rec[P_NEXT] = -1;
    s->lm[2 * lid] = m0;
    s->lm[2 * lid + 1] = m1;
    s->ldead[lid] = 0;
    s->n_lab = lid + 1;
    return lid;
}

/* The index of the first front entry of a state above a on column sa (n when none is). */
static inline i64 front_above(const Front *f, i64 n, double a) { return first_above(&f->a, sizeof(Front), n, a); }

/* Settled mode: the front entry that could dominate x (the least b up to x's a), or NULL. */
static inline const Front *front_cover(const Search *s, i64 state, const double *x) {
    const Front *f = s->front + s->front_off[state];
    i64 i = front_above(f, s->front_n[state], x[s->sa]);
    if (i == 0) return NULL;
    double xb = s->sb >= 0 ? x[s->sb] : 0.0;
    return f[i - 1].b > xb ? NULL : f + i - 1;
}

/* Settled mode: whether a settled label of the state dominates x (<= in every used column). */
static int settled_dominated(const Search *s, i64 state, const double *x) {
    const Front *e = front_cover(s, state, x);
    if (!e) return 0; /* no settled label is within x on (sa, sb) */
    if (!(e->t > x[0])) return 1;
    /* the front's entry came later (equal bounded times): every settled label of the state */
    double xu[NC];
    used_only(s, x, xu);
    const BagEntry *bag = s->pool + s->bag_off[state];
    for (i64 i = 0; i < s->bag_len[state]; i++)
        if (!above(bag[i].x, xu)) return 1;
    return 0;
}

/* Settled mode: room for one more front entry of a state. */
static int front_room(Search *s, i64 state) {
    Front *p = pool_room(s->front, sizeof(Front), &s->front_len, &s->front_cap, s->front_off + state,
                         s->front_n[state], s->front_c + state);
    if (!p) return KV_NO_MEMORY;
    s->front = p;
    return KV_OK;
}

/* Settled mode: settle label lid (criteria x) at its state: into the bag and, unless an entry is
 * within it on (sa, sb), into the front, dropping the entries it is within. */
static int settle(Search *s, i64 state, i64 lid, const double *x) {
    if (bag_room(s, state) != KV_OK || front_room(s, state) != KV_OK) return KV_NO_MEMORY;
    BagEntry *e = s->pool + s->bag_off[state] + s->bag_len[state];
    memcpy(e->x, x, NC * sizeof(double));
    e->lid = lid;
    s->bag_len[state] += 1;
    if (front_cover(s, state, x)) return KV_OK;
    Front *f = s->front + s->front_off[state];
    i64 n = s->front_n[state];
    double xa = x[s->sa], xb = s->sb >= 0 ? x[s->sb] : 0.0;
    i64 hi = front_above(f, n, xa), lo = hi;
    if (lo > 0 && f[lo - 1].a == xa) lo -= 1; /* (its b is above xb) */
    while (hi < n && !(f[hi].b < xb)) hi++;
    memmove(f + lo + 1, f + hi, (size_t)(n - hi) * sizeof(Front));
    f[lo].a = xa;
    f[lo].b = xb;
    f[lo].t = x[0];
    f[lo].lid = lid;
    s->front_n[state] = n - (hi - lo) + 1;
    return KV_OK;
}

/* Settled mode: a candidate label, onto the heap unless a settled label dominates it. */
static int add_candidate(Search *s, i64 state, const double *x, i64 parent, i64 edge, i64 vert, i64 vi,
                         const double *key) {
    if (settled_dominated(s, state, x)) return KV_OK;
    if (s->bag_len[state] >= s->max_labels) {
        s->capped += 1;
        return KV_OK;
    }
    i64 lid = new_label(s, x, parent, edge, vert, vi, 0, 0);
    return lid < 0 ? KV_NO_MEMORY : heap_add(s, key, lid);
}

/* Whether a new label (criteria xu, unused columns -inf; path parent + node, bit sets m0/m1) drops
 * bag entry e: xu <= e in the used columns and, with elementary, e's tracked nodes are within its path. */
KR_INLINE int drops(const Search *s, const BagEntry *e, const double *xu, i64 parent, i64 node, u64 m0, u64 m1) {
    return !above(xu, e->x) && (!s->elementary || within(s, e->lid, parent, node, m0, m1));
}

/* Insert a label into its (vertex, via) bag unless dominated; drop the labels it dominates.
 *
 * With elementary a label dominates another only if its path's tracked nodes (node_bit >= 0)
 * are a subset of the other's (so no continuation that is loop-free on them is lost). */
KR_INLINE int add_label(Search *s, i64 state, const double *x, i64 parent, i64 edge, i64 vert, i64 vi,
                     const double *key) {
    const i64 node = s->g->v_node[vert];
    u64 m0 = 0, m1 = 0;
    if (parent >= 0) {
        m0 = s->lm[2 * parent];
        m1 = s->lm[2 * parent + 1];
    }
    i64 nb = s->node_bit[node];
    if (nb >= 0) {
        u64 b = (u64)1 << (u64)(nb & 63);
        if (((nb >> 6) & 1) == 0)
            m0 |= b;
        else
            m1 |= b;
    }
    double xe[NC], xb[NC]; /* a bag entry b turns x away if b <= x * eps; x drops b if x <= b (used columns) */
    mul_nc(x, s->eps, xe);
    pick_used(s, xe, INFINITY, xe);
    const double *xu = x;
    if (!s->all_used) {
        used_only(s, x, xb);
        xu = xb;
    }
    BagEntry *bag = s->pool + s->bag_off[state];
    i64 n = s->bag_len[state];
    for (i64 i = 0; i < n; i++) {
        if (!above(bag[i].x, xe) && (!s->elementary || subset(s, bag[i].lid, parent, node, m0, m1)))
            return KV_OK;
    }
    i64 w = 0; /* the first entry x drops (most often none), then the bag compacted from there */
    while (w < n && !drops(s, bag + w, xu, parent, node, m0, m1)) w++;
    for (i64 i = w; i < n; i++) {
        if (drops(s, bag + i, xu, parent, node, m0, m1)) {
            s->ldead[bag[i].lid] = 1;
        } else {
            bag[w] = bag[i];
            w++;
        }
    }
    s->bag_len[state] = w;
    if (w >= s->max_labels) {
        s->capped += 1;
        return KV_OK;
    }
    if (bag_room(s, state) != KV_OK) return KV_NO_MEMORY;
    i64 lid = new_label(s, x, parent, edge, vert, vi, m0, m1);
    if (lid < 0) return KV_NO_MEMORY;
    BagEntry *e = s->pool + s->bag_off[state] + w;
    memcpy(e->x, x, NC * sizeof(double));
    e->lid = lid;
    s->bag_len[state] = w + 1;
    return heap_add(s, key, lid);
}

/* Drop the staircase rows that xu (the new destination row, unused columns -inf) dominates, as
 * record_target drops them from the destination rows (the rows left keep their order). */
static void stair_drop(Search *s, const double *xu) {
    Stair *st = s->stair;
    double xt = xu[0], xa = xu[s->sa], xb = s->sb >= 0 ? xu[s->sb] : -INFINITY;
    double bmin = INFINITY, t_max = -INFINITY;
    i64 w = 0;
    for (i64 k = 0; k < s->n_stair; k++) {
        if ((xt > st[k].t) | (xa > st[k].a) | (xb > st[k].b)) { /* above(xu, row): kept */
            st[w] = st[k];
            bmin = kv_min(bmin, st[w].b);
            st[w].bmin = bmin;
            t_max = kv_max(t_max, st[w].ts);
            w++;
        }
    }
    s->n_stair = w;
    s->t_max = t_max;
}

/* Insert destination row x into the staircase (after the rows with the same column sa). */
static void stair_add(Search *s, const double *x) {
    Stair *st = s->stair;
    Stair e = {x[0], x[0] - s->t0, x[s->sa], s->sb >= 0 ? x[s->sb] : 0.0, 0.0};
    i64 lo = first_above(&st->a, sizeof(Stair), s->n_stair, e.a);
    memmove(st + lo + 1, st + lo, (size_t)(s->n_stair - lo) * sizeof(Stair));
    st[lo] = e;
    s->n_stair += 1;
    double bmin = lo > 0 ? st[lo - 1].bmin : INFINITY;
    for (i64 k = lo; k < s->n_stair; k++) {
        bmin = kv_min(bmin, st[k].b);
        st[k].bmin = bmin;
    }
    s->t_max = kv_max(s->t_max, e.ts);
}

/* Lower tmin to a new destination row's values (NaN makes its column -inf). Rows dropped later
 * leave tmin at or below the least value left, which keeps it a bound: only fewer calls return early. */
static inline void tmin_add(Search *s, i64 k) {
    for (int c = 0; c < NC; c++) {
        double v = s->tshift[c * s->tcap + k];
        s->tmin[c] = v != v ? -INFINITY : kv_min(s->tmin[c], v);
    }
}

/* Add a destination label unless dominated (within eps); drop those it dominates. */
static int record_target(Search *s, const double *x, i64 lid) {
    if (pruned(s, x, s->eps)) return KV_OK;
    double xu[NC];
    used_only(s, x, xu);
    i64 w = 0;
    for (i64 k = 0; k < s->n_tgt; k++) {
        if (above(xu, s->targets + k * NT)) {
            if (w != k) {
                memcpy(s->targets + w * NT, s->targets + k * NT, NT * sizeof(double));
                for (int c = 0; c < NC; c++) s->tshift[c * s->tcap + w] = s->tshift[c * s->tcap + k];
            }
            w++;
        }
    }
    s->n_tgt = w;
    if (s->sa >= 0) stair_drop(s, xu);
    if (s->n_tgt == s->tcap) {
        i64 cap = 2 * s->tcap;
        double *t = realloc(s->targets, (size_t)(cap * NT) * sizeof(double));
        if (t) s->targets = t;
        Stair *st = realloc(s->stair, (size_t)cap * sizeof(Stair));
        if (st) s->stair = st;
        double *ts = malloc((size_t)(cap * NC) * sizeof(double));
        if (!(t && st && ts)) {
            free(ts);
            return KV_NO_MEMORY;
        }
        for (int c = 0; c < NC; c++) memcpy(ts + c * cap, s->tshift + c * s->tcap, (size_t)s->n_tgt * sizeof(double));
        free(s->tshift);
        s->tshift = ts;
        s->tcap = cap;
    }
    double *row = s->targets + s->n_tgt * NT;
    memcpy(row, x, NC * sizeof(double));
    row[NC] = (double)lid;
    s->tshift[s->n_tgt] = x[0] - s->t0;
    for (int c = 1; c < NC; c++) s->tshift[c * s->tcap + s->n_tgt] = x[c];
    if (s->sa >= 0) stair_add(s, x);
    tmin_add(s, s->n_tgt);
    s->n_tgt += 1;
    return KV_OK;
}

/* Nodes that the path of a destination label comes back to after leaving them, into out (n_nodes). */
static int looped(const double *targets, i64 n_tgt, const i64 *parent_of, i64 pstride, const i64 *vert_of,
                  i64 vstride, const i32 *v_node, i64 n_nodes, u8 *out) {
    i64 *seen = malloc((size_t)(n_nodes > 0 ? n_nodes : 1) * sizeof(i64));
    if (!seen) return KV_NO_MEMORY;
    for (i64 i = 0; i < n_nodes; i++) {
        out[i] = 0;
        seen[i] = -1;
    }
    for (i64 t = 0; t < n_tgt; t++) {
        i64 j = (i64)targets[t * NT + NC];
        i64 prev = -1;
        while (j >= 0) {
            i64 node = v_node[vert_of[j * vstride]];
            if (node != prev) {
                if (seen[node] == t) out[node] = 1;
                seen[node] = t;
                prev = node;
            }
            j = parent_of[j * pstride];
        }
    }
    free(seen);
    return KV_OK;
}

KV_EXPORT int kr_looped_nodes(const double *targets, i64 n_tgt, const i64 *parent, const i64 *vert,
                              const i32 *v_node, i64 n_nodes, u8 *out) {
    return looped(targets, n_tgt, parent, 1, vert, 1, v_node, n_nodes, out);
}

static size_t n_states(const KrGraph *g) {
    i64 n = g->n_vert * (g->n_via + 1);
    return (size_t)(n > 0 ? n : 1);
}

static void search_free(Search *s) {
    size_t cap = (size_t)s->cap, ns = n_states(s->g);
    buf_give(B_LF, s->lf, cap * NC * sizeof(double));
    buf_give(B_LI, s->li, cap * NI * sizeof(i64));
    buf_give(B_LM, s->lm, cap * 2 * sizeof(u64));
    buf_give(B_DEAD, s->ldead, cap);
    buf_give(B_POOL, s->pool, (size_t)s->pool_cap * sizeof(BagEntry));
    buf_give(B_BOFF, s->bag_off, ns * sizeof(i64));
    buf_give(B_BLEN, s->bag_len, ns * sizeof(i64));
    buf_give(B_BCAP, s->bag_cap, ns * sizeof(i64));
    buf_give(B_HEAP, s->heap, (size_t)s->hcap * sizeof(HeapEntry));
    buf_give(B_TGT, s->targets, (size_t)(s->tcap * NT) * sizeof(double));
    buf_give(B_TSH, s->tshift, (size_t)(s->tcap * NC) * sizeof(double));
    buf_give(B_STAIR, s->stair, (size_t)s->tcap * sizeof(Stair));
    buf_give(B_FRONT, s->front, (size_t)s->front_cap * sizeof(Front));
    buf_give(B_FOFF, s->front_off, ns * sizeof(i64));
    buf_give(B_FLEN, s->front_n, ns * sizeof(i64));
    buf_give(B_FCAP, s->front_c, ns * sizeof(i64));
}

static int search_init(Search *s, const KrGraph *g) {
    size_t ns = n_states(g);
    s->cap = s->hcap = s->pool_cap = 1024;
    s->tcap = 64;
    s->n_lab = s->hsize = s->n_tgt = s->capped = s->pool_len = 0;
    size_t cap = (size_t)s->cap;
    s->lf = buf_take(B_LF, cap * NC * sizeof(double));
    s->li = buf_take(B_LI, cap * NI * sizeof(i64));
    s->lm = buf_take(B_LM, cap * 2 * sizeof(u64));
    s->ldead = buf_take(B_DEAD, cap);
    s->pool = buf_take(B_POOL, (size_t)s->pool_cap * sizeof(BagEntry));
    s->bag_off = buf_take(B_BOFF, ns * sizeof(i64));
    s->bag_len = buf_take(B_BLEN, ns * sizeof(i64));
    s->bag_cap = buf_take(B_BCAP, ns * sizeof(i64));
    s->heap = buf_take(B_HEAP, (size_t)s->hcap * sizeof(HeapEntry));
    s->targets = buf_take(B_TGT, (size_t)(s->tcap * NT) * sizeof(double));
    s->tshift = buf_take(B_TSH, (size_t)(s->tcap * NC) * sizeof(double));
    s->stair = buf_take(B_STAIR, (size_t)s->tcap * sizeof(Stair));
    s->n_stair = 0;
    s->t_max = -INFINITY;
    for (int c = 0; c < NC; c++) s->tmin[c] = INFINITY;
    s->tmin[NC] = -INFINITY;
    s->sa = s->sb = -1;
    int n_other = 0;
    for (int k = 1; k < NC; k++) {
        if (!s->use[k]) continue;
        n_other++;
        if (s->sa < 0)
            s->sa = k;
        else if (s->sb < 0)
            s->sb = k;
    }
    if (n_other > 2) s->sa = s->sb = -1;
    s->settled = s->multi && !s->elementary && s->sa >= 0 && s->use[0];
    for (int k = 0; k < NC; k++) s->settled &= !s->use[k] || s->eps[k] == 1.0;
    if (s->settled) {
        s->front_cap = 1024;
        s->front_len = 0;
        s->front = buf_take(B_FRONT, (size_t)s->front_cap * sizeof(Front));
        s->front_off = buf_take(B_FOFF, ns * sizeof(i64));
        s->front_n = buf_take(B_FLEN, ns * sizeof(i64));
        s->front_c = buf_take(B_FCAP, ns * sizeof(i64));
        if (!(s->front && s->front_off && s->front_n && s->front_c)) return KV_NO_MEMORY;
        memset(s->front_off, 0, ns * sizeof(i64));
        memset(s->front_n, 0, ns * sizeof(i64));
        memset(s->front_c, 0, ns * sizeof(i64));
    }
    if (!(s->lf && s->li && s->lm && s->ldead && s->pool && s->bag_off && s->bag_len && s->bag_cap &&
          s->heap && s->targets && s->tshift && s->stair))
        return KV_NO_MEMORY;
    memset(s->bag_off, 0, ns * sizeof(i64));
    memset(s->bag_len, 0, ns * sizeof(i64));
    memset(s->bag_cap, 0, ns * sizeof(i64));
    return KV_OK;
}

/* A new label at a state: a candidate in settled mode, else into the state's bag. */
static inline int put_label(Search *s, i64 state, const double *x, i64 parent, i64 edge, i64 vert, i64 vi,
                            const double *key) {
    return s->settled ? add_candidate(s, state, x, parent, edge, vert, vi, key)
                      : add_label(s, state, x, parent, edge, vert, vi, key);
}

static int seed_labels(Search *s) {
    const KrGraph *g = s->g;
    double x[NC], key[NC];
    for (i64 i = 0; i < g->n_init; i++) {
        i64 v = g->init_v[i];
        if (!g->allowed[v] || g->init_w[i * NC] > g->horizon_end) continue;
        i64 vi = initial_via(g, v);
        for (int c = 0; c < NC; c++) {
            x[c] = g->init_w[i * NC + c];
            key[c] = x[c] + s->lb[v * NC + c];
        }
        if (put_label(s, v * (g->n_via + 1) + vi, x, -1, -1, v, vi, key) != KV_OK) return KV_NO_MEMORY;
    }
    return KV_OK;
}

/* Whether entering tracked node wn would visit it a second time on label lid's path. */
static inline int revisits(const Search *s, i64 lid, i64 node, i64 wn) {
    if (!s->elementary || wn == node) return 0;
    i64 nb = s->node_bit[wn];
    if (nb < 0) return 0;
    u64 bit = (u64)1 << (u64)(nb & 63);
    if ((s->lm[2 * lid + ((nb >> 6) & 1)] & bit) == 0) return 0;
    return s->exact || on_path(s, lid, wn);
}

/* Expand label lid along every out-edge of its vertex. */
static int expand(Search *s, i64 lid) {
    const KrGraph *g = s->g;
    const i64 v = s->li[lid * NI + P_VERT];
    const i64 vi = s->li[lid * NI + P_VIA];
    const i64 node = g->v_node[v];
    const double *lab = s->lf + lid * NC;
    double x[NC], key[NC];
    for (i64 ei = g->indptr[v]; ei < g->indptr[v + 1]; ei++) {
        i64 w = g->head[ei];
        if (!g->allowed[w]) continue;
        i64 wn = g->v_node[w];
        i64 nvi = via_step(g, vi, wn);
        if (nvi < 0) continue; /* the destination only after every via place */
        if (revisits(s, lid, node, wn)) continue; /* no tracked node twice */
        double nt = edge_time(g, ei, w, lab[0]);
        if (nt > g->horizon_end) continue;
        add_nc(lab, g->wts + ei * NC, x);
        x[0] = nt;
        add_nc(x, s->lb + w * NC, key);
        if (nvi == g->n_via && pruned(s, key, s->pf)) continue;
        if (put_label(s, w * (g->n_via + 1) + nvi, x, lid, ei, w, nvi, key) != KV_OK) return KV_NO_MEMORY;
        lab = s->lf + lid * NC; /* the label table may have moved */
    }
    return KV_OK;
}

/* The label loop: pop in A* order, record destination labels, expand. */
static int run_search(Search *s, int multi) {
    const KrGraph *g = s->g;
    double key[NC], x[NC];
    HeapEntry top;
    while (s->hsize > 0) {
        s->hsize = pop3(s->heap, s->hsize, &top);
        i64 lid = top.v;
        if (s->ldead[lid]) continue;
        if (!multi && s->n_tgt > 0 && top.k[0] >= s->targets[0]) break; /* earliest arrival settled */
        i64 v = s->li[lid * NI + P_VERT];
        i64 vi = s->li[lid * NI + P_VIA];
        if (s->settled) { /* popped in lexicographic order: final unless a settled label dominates it */
            i64 state = v * (g->n_via + 1) + vi;
            const double *lab = s->lf + lid * NC;
            if (settled_dominated(s, state, lab)) continue;
            if (s->bag_len[state] >= s->max_labels) {
                s->capped += 1;
                continue;
            }
            if (settle(s, state, lid, lab) != KV_OK) return KV_NO_MEMORY;
        }
        if (vi == g->n_via) {
            const double *lab = s->lf + lid * NC;
            add_nc(lab, s->lb + v * NC, key);
            if (pruned(s, key, s->pf)) continue;
            if (g->target_ok[v]) {
                for (int c = 0; c < NC; c++) x[c] = lab[c] + g->tgt_w[v * NC + c];
                x[0] = arrival(g, v, lab[0]);
                if (record_target(s, x, lid) != KV_OK) return KV_NO_MEMORY;
            }
        }
        if (g->v_node[v] == g->dest_node) continue; /* a route ends at its destination */
        if (expand(s, lid) != KV_OK) return KV_NO_MEMORY;
    }
    return KV_OK;
}

/* Pareto labels to the target vertices (see karavan.routing.kernel.label_search); the result's
 * arrays are taken with kr_take_result, looped (n_nodes) flags the nodes a destination path comes back to. */
KV_EXPORT int kr_label_search(const KrGraph *g, const double *lb, const u8 *use, const double *eps, double slack_f,
                              double depart_h,
                              int multi, i64 max_labels, const i64 *node_bit, int exact, KrResult *res, u8 *looped_out) {
    Search s;
    memset(&s, 0, sizeof s);
    s.g = g;
    s.lb = lb;
    s.use = use;
    s.eps = eps;
    s.all_used = 1;
    for (int c = 0; c < NC; c++) s.pf[c] = eps[c] * slack_f, s.keep[c] = use[c] ? ~(u64)0 : 0, s.all_used &= use[c] != 0;
    s.t0 = depart_h;
    s.max_labels = max_labels;
    s.node_bit = node_bit;
    s.exact = exact;
    s.multi = multi;
    s.elementary = 0;
    for (i64 i = 0; i < g->n_nodes; i++) s.elementary |= node_bit[i] >= 0;
    int rc = search_init(&s, g);
    if (rc == KV_OK) rc = seed_labels(&s);
    if (rc == KV_OK) rc = run_search(&s, multi);
    if (rc == KV_OK)
        rc = looped(s.targets, s.n_tgt, s.li + P_PARENT, NI, s.li + P_VERT, NI, g->v_node, g->n_nodes, looped_out);
    if (rc != KV_OK) {
        search_free(&s);
        return rc;
    }
    res->targets = s.targets;
    res->n_tgt = s.n_tgt;
    res->li = s.li;
    res->n_lab = path_count(s.targets, s.n_tgt, s.li);
    res->capped = s.capped;
    res->tgt_cap = s.tcap;
    res->li_cap = s.cap;
    s.targets = NULL;
    s.li = NULL;
    search_free(&s);
    return KV_OK;
}

/* ALT lower bound of the static distance from v to a target with landmark rows lt_from/lt_to. */
static inline double alt_bound(const double *from_l, const double *to_l, i64 k, i64 v, const double *lt_from,
                               const double *lt_to) {
    double h = 0.0;
    for (i64 i = 0; i < k; i++) {
        double a = from_l[v * k + i];
        if (a < INFINITY) {
            double d = lt_from[i] - a; /* d(L, t) <= d(L, v) + d(v, t) */
            if (d > h) h = d;
        }
        double b = lt_to[i];
        if (b < INFINITY) {
            double d = to_l[v * k + i] - b; /* d(v, L) <= d(v, t) + d(t, L) */
            if (d > h) h = d;
        }
    }
    return h;
}

/* Scratch of the earliest-arrival search, one entry per (vertex, via) state. */
typedef struct {
    double *dist, *pot, *hk;
    i64 *pred_e, *pred_s, *hv;
    u8 *done;
} Arrival;

static void arrival_free(Arrival *a) {
    free(a->dist);
    free(a->pot);
    free(a->hk);
    free(a->pred_e);
    free(a->pred_s);
    free(a->hv);
    free(a->done);
}

static int arrival_init(Arrival *a, const KrGraph *g, i64 n_edges) {
    i64 stride = g->n_via + 1;
    size_t ns = (size_t)(g->n_vert * stride > 0 ? g->n_vert * stride : 1);
    size_t cap = (size_t)(n_edges * stride + g->n_init + 1);
    a->dist = malloc(ns * sizeof(double));
    a->pred_e = malloc(ns * sizeof(i64));
    a->pred_s = malloc(ns * sizeof(i64));
    a->done = calloc(ns, 1);
    a->pot = malloc((size_t)(g->n_vert > 0 ? g->n_vert : 1) * sizeof(double));
    a->hk = malloc(cap * sizeof(double));
    a->hv = malloc(cap * sizeof(i64));
    if (!(a->dist && a->pred_e && a->pred_s && a->done && a->pot && a->hk && a->hv)) return KV_NO_MEMORY;
    for (size_t i = 0; i < ns; i++) {
        a->dist[i] = INFINITY;
        a->pred_e[i] = -1;
        a->pred_s[i] = -1;
    }
    for (i64 v = 0; v < g->n_vert; v++) a->pot[v] = -1.0;
    return KV_OK;
}

/* The label tree of the path to state best_s (labels in path order) and its target row. */
static int path_labels(const KrGraph *g, const Arrival *a, i64 best_s, double best, KrResult *res) {
    i64 stride = g->n_via + 1;
    i64 n_lab = 0;
    for (i64 s = best_s; s >= 0; s = a->pred_s[s]) n_lab++;
    res->li = malloc((size_t)((n_lab > 0 ? n_lab : 1) * NI) * sizeof(i64));
    res->targets = malloc(NT * sizeof(double));
    if (!(res->li && res->targets)) return KV_NO_MEMORY;
    i64 s = best_s;
    for (i64 k = n_lab - 1; k >= 0; k--) {
        res->li[k * NI + P_VIA] = s; /* the state, for the walk below */
        s = a->pred_s[s];
    }
    double x[NC] = {0.0, 0.0, 0.0, 0.0, 0.0};
    for (i64 k = 0; k < n_lab; k++) {
        i64 *rec = res->li + k * NI;
        i64 st = rec[P_VIA];
        i64 e = a->pred_e[st];
        rec[P_PARENT] = k - 1;
        rec[P_VERT] = st / stride;
        rec[P_VIA] = st - rec[P_VERT] * stride;
        rec[P_NEXT] = -1;
        if (e < 0) {
            rec[P_EDGE] = -1;
            memcpy(x, g->init_w + (-1 - e) * NC, NC * sizeof(double));
        } else {
            rec[P_EDGE] = e;
            for (int c = 0; c < NC; c++) x[c] += g->wts[e * NC + c];
            x[0] = a->dist[st];
        }
    }
    res->n_lab = n_lab;
    res->n_tgt = best_s >= 0 ? 1 : 0;
    res->capped = 0;
    res->tgt_cap = 1;
    res->li_cap = n_lab;
    if (best_s >= 0) {
        i64 v = res->li[(n_lab - 1) * NI + P_VERT];
        for (int c = 0; c < NC; c++) res->targets[c] = x[c] + g->tgt_w[v * NC + c];
        res->targets[0] = best;
        res->targets[NC] = (double)(n_lab - 1);
    }
    return KV_OK;
}

static inline double potential(Arrival *a, const double *from_l, const double *to_l, i64 k, i64 v,
                               const double *lt_from, const double *lt_to) {
    if (a->pot[v] < 0.0) a->pot[v] = alt_bound(from_l, to_l, k, v, lt_from, lt_to);
    return a->pot[v];
}

/* Earliest arrival at the target vertices: a time-dependent A* on the ALT bound (landmark tables
 * from_l/to_l, n_vert x k, and the destination's rows lt_from/lt_to) that stops once the
 * destination is settled; see karavan.routing.kernel.earliest_arrival. */
KV_EXPORT int kr_earliest_arrival(const KrGraph *g, i64 n_edges, const double *from_l, const double *to_l, i64 k,
                                  const double *lt_from, const double *lt_to, KrResult *res) {
    Arrival a;
    memset(&a, 0, sizeof a);
    const i64 stride = g->n_via + 1;
    int rc = arrival_init(&a, g, n_edges);
    if (rc != KV_OK) {
        arrival_free(&a);
        return rc;
    }
    i64 size = 0;
    for (i64 i = 0; i < g->n_init; i++) {
        i64 v = g->init_v[i];
        double t0 = g->init_w[i * NC];
        if (!g->allowed[v] || t0 > g->horizon_end) continue;
        i64 s = v * stride + initial_via(g, v);
        if (t0 < a.dist[s]) {
            double p = potential(&a, from_l, to_l, k, v, lt_from, lt_to);
            a.dist[s] = t0;
            a.pred_e[s] = -1 - i;
            a.pred_s[s] = -1;
            size = push1(a.hk, a.hv, size, t0 + p, s);
        }
    }
    double best = INFINITY;
    i64 best_s = -1;
    while (size > 0) {
        double key;
        i64 s;
        size = pop1(a.hk, a.hv, size, &key, &s);
        if (a.done[s]) continue;
        if (key >= best) break;
        a.done[s] = 1;
        double t = a.dist[s];
        i64 v = s / stride;
        i64 vi = s - v * stride;
        if (vi == g->n_via && g->target_ok[v]) {
            double at = arrival(g, v, t);
            if (at < best) {
                best = at;
                best_s = s;
            }
        }
        if (g->v_node[v] == g->dest_node) continue;
        for (i64 ei = g->indptr[v]; ei < g->indptr[v + 1]; ei++) {
            i64 w = g->head[ei];
            if (!g->allowed[w]) continue;
            i64 nvi = via_step(g, vi, g->v_node[w]);
            if (nvi < 0) continue;
            i64 ns = w * stride + nvi;
            if (a.done[ns]) continue;
            double nt = edge_time(g, ei, w, t);
            if (nt <= g->horizon_end && nt < a.dist[ns]) {
                double p = potential(&a, from_l, to_l, k, w, lt_from, lt_to);
                if (p == INFINITY) continue; /* the destination cannot be reached from w */
                a.dist[ns] = nt;
                a.pred_e[ns] = ei;
                a.pred_s[ns] = s;
                size = push1(a.hk, a.hv, size, nt + p, ns);
            }
        }
    }
    rc = path_labels(g, &a, best_s, best, res);
    arrival_free(&a);
    if (rc != KV_OK) kr_free_result(res);
    return rc;
}
