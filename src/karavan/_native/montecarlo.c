/* Compiled Monte Carlo kernel: every run of every route of a plan in one call.
 *
 * The element table, its columns and the distribution kinds are described in
 * karavan.reliability.kernel (the constants below mirror it). Random numbers come from
 * xoshiro256** seeded through splitmix64 (uint64 wrap-around arithmetic), the same stream on
 * every platform. */
#include "kernels.h"

#include <string.h>

#define WIDTH 24
#define EPOCH_WEEKDAY 3
/* element kinds */
#define HUB 0.0
/* departure kinds of a leg */
#define DEP_WHEN_FULL 0.0
#define DEP_HEADWAY 1.0
#define DEP_HEADWAY_UNKNOWN_PHASE 2.0
/* distribution kinds */
#define D_FIXED 0.0
#define D_UNIFORM 1.0
#define D_TRIANGULAR 2.0
#define D_LOGNORMAL 3.0
/* storm kinds */
#define STORM_FIXED 0.0
#define STORM_LOGNORMAL 3.0
/* columns */
#define C_KIND 0
#define C_DIST 1
#define C_OPEN_ALWAYS 5
#define C_OPEN_MASK 6
#define C_OPEN_START_H 7
#define C_OPEN_END_H 8
#define C_HUB_PART 9
#define C_STAY 5
#define C_DEP 6
#define C_HEADWAY_H 7
#define C_ANCHOR_H 8
#define C_OFFSET_H 9
#define C_WEEK_MASK 10
#define C_TIME_H 11
#define C_SLIP 12
#define C_FILL 16
#define C_BOARD_PORT 20
#define C_ALIGHT_PORT 21
#define C_RUN_SCALE 22
#define C_PLANNED_H 23
/* parts */
#define P_TIMETABLE 0
#define P_SLIPPAGE 1
#define P_FERRY 2
#define P_WEATHER 3
#define P_RUNNING 4
#define P_RUNNING_DELAY 5
#define P_OPENING 8
#define N_PARTS 9

static inline u64 rotl(u64 x, int k) { return (x << k) | (x >> (64 - k)); }

/* The functions called in the loops are static (inlined); the exported mc_* names are thin
 * wrappers for Python and the tests (an exported function cannot be inlined in a shared library). */

/* xoshiro256** state from a seed, through splitmix64. */
static inline void seed_state(u64 seed, u64 *s) {
    u64 z = seed;
    for (int i = 0; i < 4; i++) {
        z += 0x9E3779B97F4A7C15ULL;
        u64 x = z;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
        s[i] = x ^ (x >> 31);
    }
}

KV_EXPORT void mc_seed_state(u64 seed, u64 *s) { seed_state(seed, s); }

/* The next 64 bits of xoshiro256** (advances s). */
static inline u64 next64(u64 *s) {
    u64 result = rotl(s[1] * 5, 7) * 9;
    u64 t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* A double in [0, 1) from xoshiro256** (advances s). */
static inline double uniform(u64 *s) { return (double)(next64(s) >> 11) * (1.0 / 9007199254740992.0); }

KV_EXPORT double mc_uniform(u64 *s) { return uniform(s); }

/* A double in (0, 1) from xoshiro256** (advances s): (k + 1/2) / 2^52 for a uniform 52-bit k. */
static inline double uniform_open(u64 *s) {
    return ((double)(next64(s) >> 12) + 0.5) * (1.0 / 4503599627370496.0);
}

/* c[0] + c[1] r + ... + c[7] r^7 (Horner). */
static inline double poly7(const double *c, double r) {
    return ((((((c[7] * r + c[6]) * r + c[5]) * r + c[4]) * r + c[3]) * r + c[2]) * r + c[1]) * r + c[0];
}

/* Coefficients of AS 241 (PPND16): the central region |p - 1/2| <= 0.425, then the tails by
 * r = sqrt(-log(min(p, 1 - p))) up to 5 and beyond. */
static const double AS241_A[8] = {3.3871328727963666080e+0, 1.3314166789178437745e+2, 1.9715909503065514427e+3,
                                  1.3731693765509461125e+4, 4.5921953931549871457e+4, 6.7265770927008700853e+4,
                                  3.3430575583588128105e+4, 2.5090809287301226727e+3};
static const double AS241_B[8] = {1.0,
                                  4.2313330701600911252e+1,
                                  6.8718700749205790830e+2,
                                  5.3941960214247511077e+3,
                                  2.1213794301586595867e+4,
                                  3.9307895800092710610e+4,
                                  2.8729085735721942674e+4,
                                  5.2264952788528545610e+3};
static const double AS241_C[8] = {1.42343711074968357734e+0, 4.63033784615654529590e+0, 5.76949722146069140550e+0,
                                  3.64784832476320460504e+0, 1.27045825245236838258e+0, 2.41780725177450611770e-1,
                                  2.27238449892691845833e-2, 7.74545014278341407640e-4};
static const double AS241_D[8] = {1.0,
                                  2.05319162663775882187e+0,
                                  1.67638483018380384940e+0,
                                  6.89767334985100004550e-1,
                                  1.48103976427480074590e-1,
                                  1.51986665636164571966e-2,
                                  5.47593808499534494600e-4,
                                  1.05075007164441684324e-9};
static const double AS241_E[8] = {6.65790464350110377720e+0, 5.46378491116411436990e+0, 1.78482653991729133580e+0,
                                  2.96560571828504891230e-1, 2.65321895265761230930e-2, 1.24266094738807843860e-3,
                                  2.71155556874348757815e-5, 2.01033439929228813265e-7};
static const double AS241_F[8] = {1.0,
                                  5.99832206555887937690e-1,
                                  1.36929880922735805310e-1,
                                  1.48753612908506148525e-2,
                                  7.86869131145613259100e-4,
                                  1.84631831751005468180e-5,
                                  1.42151175831644588870e-7,
                                  2.04426310338993978564e-15};

/* The standard normal quantile of p in (0, 1): Wichura's algorithm AS 241 (PPND16, relative error
 * about 1e-16), the rational approximations of R's qnorm and Python's statistics.NormalDist. */
static inline double normal_quantile(double p) {
    double q = p - 0.5;
    if (fabs(q) <= 0.425) {
        double r = 0.180625 - q * q;
        return q * poly7(AS241_A, r) / poly7(AS241_B, r);
    }
    double r = sqrt(-log(q < 0.0 ? p : 1.0 - p));
    double x = r <= 5.0 ? poly7(AS241_C, r - 1.6) / poly7(AS241_D, r - 1.6)
                        : poly7(AS241_E, r - 5.0) / poly7(AS241_F, r - 5.0);
    return q < 0.0 ? -x : x;
}

KV_EXPORT double mc_normal_quantile(double p) { return normal_quantile(p); }

/* A standard normal draw: the normal quantile of one open uniform (inversion: one uniform per draw,
 * no log or cosine in 85 % of draws, where Box-Muller took two uniforms, a log, a sqrt and a cosine). */
static inline double normal(u64 *s) { return normal_quantile(uniform_open(s)); }

KV_EXPORT double mc_normal(u64 *s) { return normal(s); }

/* One draw of the distribution in spec[e, col:col + 4]. */
static inline double draw(u64 *s, const double *row, int col, const double *pool) {
    double kind = row[col], a = row[col + 1], b = row[col + 2], c = row[col + 3];
    if (kind == D_FIXED) return a;
    if (kind == D_UNIFORM) return a + (b - a) * uniform(s);
    if (kind == D_TRIANGULAR) {
        if (c == a) return a;
        double u = uniform(s);
        if (u < (b - a) / (c - a)) return a + sqrt(u * (c - a) * (b - a));
        return c - sqrt((1.0 - u) * (c - a) * (c - b));
    }
    if (kind == D_LOGNORMAL) return exp(a + b * normal(s));
    i64 n = (i64)b;
    i64 k = (i64)(uniform(s) * (double)n);
    if (n - 1 < k) k = n - 1;
    return pool[(i64)a + k];
}

/* Calendar month 0..11 (UTC) of a time in hours since the epoch (civil-from-days). */
static inline i64 month_of(double t_h) {
    double z = floor(floor(t_h) / 24.0) + 719468.0;
    double era = floor(z / 146097.0);
    double doe = z - era * 146097.0;
    double yoe = floor((doe - floor(doe / 1460.0) + floor(doe / 36524.0) - floor(doe / 146096.0)) / 365.0);
    double doy = doe - (365.0 * yoe + floor(yoe / 4.0) - floor(yoe / 100.0));
    double mp = floor((5.0 * doy + 2.0) / 153.0);
    double month = mp < 10.0 ? mp + 3.0 : mp - 9.0; /* 1..12 */
    return (i64)month - 1;
}

KV_EXPORT i64 mc_month_of(double t_h) { return month_of(t_h); }

/* Days since the epoch of the first day of month m (1..12) of year y (days-from-civil). */
static inline i64 month_start_day(i64 y, i64 m) {
    y -= m <= 2;
    i64 era = (y >= 0 ? y : y - 399) / 400;
    i64 yoe = y - era * 400;
    i64 doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The calendar month of t_h and the hours [lo_h, hi_h) it spans (an empty span when t_h is not finite). */
typedef struct {
    double lo_h, hi_h;
    i64 month;
} MonthSpan;

static MonthSpan month_span(double t_h) {
    MonthSpan span = {INFINITY, -INFINITY, month_of(t_h)};
    if (!(fabs(t_h) < 1e15)) return span;
    double z = floor(floor(t_h) / 24.0) + 719468.0;
    i64 era = (i64)floor(z / 146097.0);
    i64 doe = (i64)z - era * 146097;
    i64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    i64 year = yoe + era * 400 + (span.month < 2);
    i64 m = span.month + 1;
    double lo = 24.0 * (double)month_start_day(year, m);
    double hi = 24.0 * (double)(m == 12 ? month_start_day(year + 1, 1) : month_start_day(year, m + 1));
    if (lo <= t_h && t_h < hi) span.lo_h = lo, span.hi_h = hi;
    return span;
}

/* month_of(t_h), from the span of the last month asked for when t_h falls in it. */
static inline i64 month_cached(MonthSpan *last, double t_h) {
    if (!(last->lo_h <= t_h && t_h < last->hi_h)) *last = month_span(t_h);
    return last->month;
}

/* The storm tables: kind and parameters (3), the pool of closure lengths and its cumulative weights. */
typedef struct {
    const double *storm;
    const double *pool;
    const double *cum;
    i64 n_pool, n_cum;
} Storms;

/* Index of the first cum entry above x (numpy's searchsorted, side="right"). */
static inline i64 search_right(const double *cum, i64 n, double x) {
    i64 lo = 0, hi = n;
    while (lo < hi) {
        i64 mid = lo + ((hi - lo) >> 1);
        if (x < cum[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Remaining closure when arriving during a storm: U x L* with L* length-biased. */
static inline double storm_residual(u64 *s, const Storms *st) {
    double u = uniform(s);
    if (st->storm[0] == STORM_FIXED) return u * st->storm[1];
    if (st->storm[0] == STORM_LOGNORMAL) {
        double mu = st->storm[1], sigma = st->storm[2];
        return u * exp(mu + sigma * sigma + sigma * normal(s));
    }
    i64 k = search_right(st->cum, st->n_cum, uniform(s) * st->cum[st->n_cum - 1]);
    if (st->n_pool - 1 < k) k = st->n_pool - 1;
    return u * st->pool[k];
}

KV_EXPORT double mc_storm_residual(u64 *s, const double *storm, const double *pool, i64 n_pool, const double *cum,
                                   i64 n_cum) {
    Storms st = {storm, pool, cum, n_pool, n_cum};
    return storm_residual(s, &st);
}

/* Monthly closed shares of the listed ports (n_ports x 12) and the storm tables. */
typedef struct {
    const double *shares;
    i64 months;
    Storms storms;
    MonthSpan last; /* the month of the last weather draw */
} Weather;

/* Extra hours until a port reopens at t_h (0 when open or not a listed port). */
static inline double weather(u64 *s, i64 port, double t_h, Weather *w) {
    if (port < 0) return 0.0;
    int closed = uniform(s) < w->shares[port * w->months + month_cached(&w->last, t_h)];
    return closed ? storm_residual(s, &w->storms) : 0.0;
}

/* When a hub operation with weekly opening hours next serves a unit ready at t_h (inf: never). */
static inline double next_opening(double t_h, const double *row) {
    if (row[C_OPEN_ALWAYS] != 0.0) return t_h;
    i64 mask = (i64)row[C_OPEN_MASK];
    i64 day0 = (i64)floor(t_h / 24.0);
    for (i64 d = 0; d < 8; d++) {
        i64 day = day0 + d;
        i64 weekday = kv_floormod(day + EPOCH_WEEKDAY, 7);
        if ((mask & ((i64)1 << weekday)) && t_h < day * 24.0 + row[C_OPEN_END_H])
            return kv_max(t_h, day * 24.0 + row[C_OPEN_START_H]);
    }
    return INFINITY;
}

KV_EXPORT double mc_next_opening(double t_h, const double *spec, i64 e) { return next_opening(t_h, spec + e * WIDTH); }

/* The timetabled departure for a unit ready at t_h (a drawn phase for unpublished headways). */
static inline double next_departure(u64 *s, double t_h, const double *row) {
    double kind = row[C_DEP];
    double headway = row[C_HEADWAY_H];
    if (kind == DEP_HEADWAY_UNKNOWN_PHASE) return t_h + uniform(s) * headway;
    double offset = row[C_OFFSET_H];
    double origin_t = t_h - offset;
    if (kind == DEP_HEADWAY) {
        double anchor = row[C_ANCHOR_H];
        double k = ceil((origin_t - anchor) / headway - 1e-9);
        return anchor + k * headway + offset;
    }
    double week_start = KV_MONDAY_H + floor((origin_t - KV_MONDAY_H) / KV_WEEK_H) * KV_WEEK_H;
    i64 mask = (i64)row[C_WEEK_MASK];
    double best = INFINITY;
    for (int d = 0; d < 7; d++) {
        if (mask & ((i64)1 << d)) {
            double cand = week_start + d * 24.0 + row[C_TIME_H];
            if (cand < origin_t - 1e-9) cand += KV_WEEK_H;
            best = kv_min(best, cand);
        }
    }
    return best + offset;
}

KV_EXPORT double mc_next_departure(u64 *s, double t_h, const double *spec, i64 e) {
    return next_departure(s, t_h, spec + e * WIDTH);
}

/* Hours x added to part k of the run's parts column p (stride runs), unless the parts are not kept. */
#define ADD_PART(p, k, runs, x)                                                                                      \
    do {                                                                                                           \
        if (p) (p)[(i64)(k) * (runs)] += (x);                                                                      \
    } while (0)

/* One run's time through hub operation row, adding to the parts column p (stride runs; NULL: none). */
static inline double hub(u64 *s, double t, const double *row, const double *pool, double *p, i64 runs) {
    double opened = next_opening(t, row);
    ADD_PART(p, P_OPENING, runs, opened - t);
    double dwell = draw(s, row, C_DIST, pool);
    ADD_PART(p, row[C_HUB_PART], runs, dwell);
    return opened + dwell;
}

static inline double leg(u64 *s, double t, const double *row, const double *pool, double *p, i64 runs,
                         Weather *wx) {
    i64 board = (i64)row[C_BOARD_PORT], alight = (i64)row[C_ALIGHT_PORT];
    if (row[C_STAY] == 0.0) {
        if (row[C_DEP] == DEP_WHEN_FULL) {
            double w = weather(s, board, t, wx);
            ADD_PART(p, P_WEATHER, runs, w);
            double fill = draw(s, row, C_FILL, pool);
            ADD_PART(p, P_FERRY, runs, fill);
            t = t + fill + w;
        } else {
            double dep = next_departure(s, t, row);
            ADD_PART(p, P_TIMETABLE, runs, dep - t);
            double slip = draw(s, row, C_SLIP, pool);
            ADD_PART(p, P_SLIPPAGE, runs, slip);
            dep += slip;
            double w = weather(s, board, dep, wx);
            ADD_PART(p, P_WEATHER, runs, w);
            t = dep + w;
        }
    }
    double planned = row[C_PLANNED_H];
    double running = row[C_RUN_SCALE] * draw(s, row, C_DIST, pool);
    double on_plan = kv_min(running, planned);
    ADD_PART(p, P_RUNNING, runs, on_plan);
    ADD_PART(p, P_RUNNING_DELAY, runs, running - on_plan);
    t += running;
    double w = weather(s, alight, t, wx);
    ADD_PART(p, P_WEATHER, runs, w);
    return t + w;
}

/* Every run i of one element: t[i] advanced through the element, run after run; with contrib, the
 * hours it adds (contrib[i]) and their split (parts, N_PARTS rows of runs). */
static void element_runs(u64 *s, const double *row, double *t, i64 runs, const double *pool, Weather *wx,
                         double *contrib, double *parts) {
    int is_hub = row[C_KIND] == HUB;
    if (contrib == NULL) {
        if (is_hub)
            for (i64 i = 0; i < runs; i++) t[i] = hub(s, t[i], row, pool, NULL, runs);
        else
            for (i64 i = 0; i < runs; i++) t[i] = leg(s, t[i], row, pool, NULL, runs, wx);
        return;
    }
    for (i64 i = 0; i < runs; i++) {
        double start = t[i];
        t[i] = is_hub ? hub(s, start, row, pool, parts + i, runs) : leg(s, start, row, pool, parts + i, runs, wx);
        contrib[i] = t[i] - start;
    }
}

/* Leading elements two routes have in common (the same rows). */
static i64 common_prefix(const double *spec, i64 a0, i64 a1, i64 b0, i64 b1) {
    i64 n = 0;
    while (a0 + n < a1 && b0 + n < b1 && !memcmp(spec + (a0 + n) * WIDTH, spec + (b0 + n) * WIDTH, WIDTH * sizeof(double)))
        n++;
    return n;
}

/* For every route r, the first earlier route from[r] (-1: none) with the same start time and the
 * most leading elements in common with r, at[r] of them. from[r] simulates its elements from
 * at[from[r]] on, and at[r] >= at[from[r]]: a route p before from[r] has at[from[r]] elements in
 * common with it, hence at least min(at[r], at[from[r]]) with r, and would have been chosen had
 * at[r] been the smaller. */
static void shared_prefixes(const double *t0_h, const i64 *bounds, i64 n_routes, const double *spec, i64 *from,
                            i64 *at) {
    for (i64 r = 0; r < n_routes; r++) {
        i64 best = -1, len = 0;
        for (i64 q = 0; q < r; q++) {
            if (t0_h[q] != t0_h[r]) continue;
            i64 n = common_prefix(spec, bounds[q], bounds[q + 1], bounds[r], bounds[r + 1]);
            if (n > len) best = q, len = n;
        }
        from[r] = best;
        at[r] = best >= 0 ? len : 0;
    }
}

/* Run every route r (element rows spec[bounds[r]:bounds[r + 1]]) runs times, element after element
 * (every run of an element, then the next element): total (n_routes x runs) door-to-door hours;
 * with contrib and parts (both or neither), contrib (n_elements x runs) the hours each element adds
 * and parts (n_routes x N_PARTS x runs) the hours by kind of time.
 *
 * Every route starts from the seed's state, so a route's runs do not depend on the other routes of
 * the call; without contrib, a route whose first elements are those of an earlier route (same start
 * time) continues from that route's times and random state after them instead of drawing them again:
 * the same numbers, computed once. Returns KV_OK, or KV_NO_MEMORY. */
KV_EXPORT int mc_simulate_routes(u64 seed, const double *t0_h, const i64 *bounds, i64 n_routes, i64 runs,
                                 const double *spec, const double *pool, const double *shares, i64 months,
                                 const double *storm, const double *storm_pool, i64 n_pool, const double *storm_cum,
                                 i64 n_cum, double *total, double *contrib, double *parts) {
    Weather wx = {shares, months, {storm, storm_pool, storm_cum, n_pool, n_cum}, {INFINITY, -INFINITY, 0}};
    i64 *from = NULL, *at = NULL;
    u64 *states = NULL;
    if (contrib == NULL && n_routes > 1) {
        from = malloc((size_t)n_routes * (2 * sizeof(i64) + 4 * sizeof(u64)));
        if (from == NULL) return KV_NO_MEMORY;
        at = from + n_routes;
        states = (u64 *)(at + n_routes);
        shared_prefixes(t0_h, bounds, n_routes, spec, from, at);
    }
    for (i64 r = 0; r < n_routes; r++) {
        double *t = total + r * runs, *pr = parts ? parts + r * N_PARTS * runs : NULL;
        i64 e0 = bounds[r], n = bounds[r + 1] - bounds[r], k = 0;
        u64 s[4];
        if (from != NULL && from[r] >= 0) { /* t holds the earlier route's times after at[r] elements */
            k = at[r];
            memcpy(s, states + 4 * r, sizeof(s));
        } else {
            seed_state(seed, s);
            for (i64 i = 0; i < runs; i++) t[i] = t0_h[r];
        }
        if (pr != NULL)
            for (i64 j = 0; j < N_PARTS * runs; j++) pr[j] = 0.0;
        for (;; k++) {
            for (i64 c = r + 1; from != NULL && c < n_routes; c++) {
                if (from[c] == r && at[c] == k) { /* route c continues from here */
                    memcpy(total + c * runs, t, (size_t)runs * sizeof(double));
                    memcpy(states + 4 * c, s, sizeof(s));
                }
            }
            if (k == n) break;
            element_runs(s, spec + (e0 + k) * WIDTH, t, runs, pool, &wx, contrib ? contrib + (e0 + k) * runs : NULL,
                         pr);
        }
        for (i64 i = 0; i < runs; i++) t[i] -= t0_h[r];
    }
    free(from);
    return KV_OK;
}
