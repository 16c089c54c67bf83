/* Compiled Monte Carlo kernel: every run of every route of a plan in one call.
 *
 * The element table, its columns and the distribution kinds are described in
 * karavan.reliability.kernel (the constants below mirror it). Random numbers come from
 * xoshiro256** seeded through splitmix64 (uint64 wrap-around arithmetic), the same stream on
 * every platform. */
#include "kernels.h"

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

/* A double in [0, 1) from xoshiro256** (advances s). */
static inline double uniform(u64 *s) {
    u64 result = rotl(s[1] * 5, 7) * 9;
    u64 t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return (double)(result >> 11) * (1.0 / 9007199254740992.0);
}

KV_EXPORT double mc_uniform(u64 *s) { return uniform(s); }

/* A standard normal draw (Box-Muller). */
static inline double normal(u64 *s) {
    double u1 = 1.0 - uniform(s); /* (0, 1] */
    double u2 = uniform(s);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.141592653589793 * u2);
}

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

/* One run's time through hub operation row, adding to the parts column p (stride runs). */
static inline double hub(u64 *s, double t, const double *row, const double *pool, double *p, i64 runs) {
    double opened = next_opening(t, row);
    p[P_OPENING * runs] += opened - t;
    double dwell = draw(s, row, C_DIST, pool);
    p[(i64)row[C_HUB_PART] * runs] += dwell;
    return opened + dwell;
}

static inline double leg(u64 *s, double t, const double *row, const double *pool, double *p, i64 runs,
                         Weather *wx) {
    i64 board = (i64)row[C_BOARD_PORT], alight = (i64)row[C_ALIGHT_PORT];
    if (row[C_STAY] == 0.0) {
        if (row[C_DEP] == DEP_WHEN_FULL) {
            double w = weather(s, board, t, wx);
            p[P_WEATHER * runs] += w;
            double fill = draw(s, row, C_FILL, pool);
            p[P_FERRY * runs] += fill;
            t = t + fill + w;
        } else {
            double dep = next_departure(s, t, row);
            p[P_TIMETABLE * runs] += dep - t;
            double slip = draw(s, row, C_SLIP, pool);
            p[P_SLIPPAGE * runs] += slip;
            dep += slip;
            double w = weather(s, board, dep, wx);
            p[P_WEATHER * runs] += w;
            t = dep + w;
        }
    }
    double planned = row[C_PLANNED_H];
    double running = row[C_RUN_SCALE] * draw(s, row, C_DIST, pool);
    double on_plan = kv_min(running, planned);
    p[P_RUNNING * runs] += on_plan;
    p[P_RUNNING_DELAY * runs] += running - on_plan;
    t += running;
    double w = weather(s, alight, t, wx);
    p[P_WEATHER * runs] += w;
    return t + w;
}

/* Run every route r (element rows spec[bounds[r]:bounds[r + 1]]) runs times: total (n_routes x runs)
 * door-to-door hours, contrib (n_elements x runs) the hours each element adds, parts
 * (n_routes x N_PARTS x runs) the hours by kind of time. Every route starts from the seed's state. */
KV_EXPORT void mc_simulate_routes(u64 seed, const double *t0_h, const i64 *bounds, i64 n_routes, i64 runs,
                                  const double *spec, const double *pool, const double *shares, i64 months,
                                  const double *storm, const double *storm_pool, i64 n_pool, const double *storm_cum,
                                  i64 n_cum, double *total, double *contrib, double *parts) {
    Weather wx = {shares, months, {storm, storm_pool, storm_cum, n_pool, n_cum}, {INFINITY, -INFINITY, 0}};
    u64 s[4];
    for (i64 r = 0; r < n_routes; r++) {
        seed_state(seed, s);
        double *pr = parts + r * N_PARTS * runs;
        for (i64 j = 0; j < N_PARTS * runs; j++) pr[j] = 0.0;
        for (i64 i = 0; i < runs; i++) {
            double t = t0_h[r];
            for (i64 e = bounds[r]; e < bounds[r + 1]; e++) {
                double start = t;
                const double *row = spec + e * WIDTH;
                if (row[C_KIND] == HUB)
                    t = hub(s, t, row, pool, pr + i, runs);
                else
                    t = leg(s, t, row, pool, pr + i, runs, &wx);
                contrib[e * runs + i] = t - start;
            }
            total[r * runs + i] = t - t0_h[r];
        }
    }
}
