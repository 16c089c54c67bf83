/* Compiled Monte Carlo kernel: every run of every route of a plan in one call.
 *
 * The element table, its columns and the distribution kinds are described in
 * karavan.reliability.kernel (the constants below mirror it). Random numbers come from
 * xoshiro256** seeded through splitmix64 (uint64 wrap-around arithmetic), the same stream on
 * every platform. */
#include "kernels.h"

#include <string.h>

/* Always inlined: the kernels' innermost calls (GCC and Clang; other compilers inline as they see fit). */
#if defined(__GNUC__)
#define MC_INLINE static inline __attribute__((always_inline))
#else
#define MC_INLINE static inline
#endif

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

/* Edges of the 256 layers of the ziggurat of the normal density f(x) = exp(-x^2 / 2) (Marsaglia and
 * Tsang 2000): layers of equal area V = 0.004928673233974658, ZIG_X[1] = R where the tail starts,
 * ZIG_X[0] = V / f(R) the width of the base layer (rectangle and tail beyond R), then
 * ZIG_X[i] = sqrt(-2 log(V / ZIG_X[i - 1] + f(ZIG_X[i - 1]))) and ZIG_X[256] = 0; R solves
 * V(R) = R f(R) + sqrt(pi / 2) erfc(R / sqrt(2)) with the top layer's area V. */
static const double ZIG_X[257] = {
    3.9107579595249167, 3.654152885361009, 3.449278298561431, 3.320244733839825, 3.224575052047801,
    3.147889289518, 3.0835261320021425, 3.027837791769593, 2.9786032798818427, 2.934366867208887,
    2.894121053613412, 2.857138730873224, 2.8228773968264425, 2.790921174001927, 2.7609440052799856,
    2.732685359044011, 2.7059336561230616, 2.6805146432857443, 2.6562830375767423, 2.633116393631582,
    2.6109105184888226, 2.5895759867082857, 2.5690354526818426, 2.549221550324782, 2.5300752321598527,
    2.5115444416266928, 2.4935830412710454, 2.4761499396705218, 2.4592083743347035, 2.4427253182003628,
    2.4266709849371453, 2.411018413901118, 2.395743119781926, 2.3808227951720844, 2.36623705671729,
    2.351967227379144, 2.337996148796528, 2.324308018871132, 2.3108882506013715, 2.297723348902863,
    2.2848008027244915, 2.2721089902283813, 2.259637095173787, 2.2473750329473887, 2.2353133849299205,
    2.2234433400925098, 2.21175664288416, 2.2002455466112756, 2.18890277162636, 2.177721467740292,
    2.1666951803543073, 2.155817819876736, 2.1450836340478876, 2.1344871828460157, 2.1240233156895223,
    2.1136871506866517, 2.1034740557148757, 2.09337963113879, 2.083399693998303, 2.0735302635187414,
    2.0637675478117306, 2.0541079316506505, 2.04454796521753, 2.0350843537296175, 2.025713947863853,
    2.0164337349062027, 2.0072408305605274, 1.9981324713584183, 1.9891060076174367, 1.9801588969004753,
    1.971288697933658, 1.9624930649443617, 1.9537697423846454, 1.9451165600086768, 1.9365314282756931,
    1.928012334052664, 1.9195573365931864, 1.9111645637712515, 1.9028322085504275, 1.894558525670703,
    1.886341828536781, 1.878180486292994, 1.870072921071265, 1.8620176053996724, 1.8540130597602003,
    1.8460578502851839, 1.838150586582805, 1.8302899196827553, 1.8224745400938844, 1.8147031759662813,
    1.8069745913508195, 1.7992875845497187, 1.791640986552161, 1.78403365954944, 1.7764644955245215,
    1.7689324149112673, 1.7614363653189091, 1.7539753203176704, 1.7465482782817214, 1.7391542612859108,
    1.7317923140529623, 1.7244615029480441, 1.7171609150178224, 1.7098896570713011, 1.7026468547999223,
    1.6954316519345607, 1.6882432094371944, 1.681080704725173, 1.6739433309261242, 1.6668302961616648,
    1.6597408228581818, 1.6526741470830553, 1.6456295179047817, 1.638606196775547, 1.6316034569348727,
    1.624620582833034, 1.617656869573015, 1.6107116223698297, 1.6037841560260941, 1.5968737944227878,
    1.5899798700241905, 1.583101723396029, 1.576238702735906, 1.5693901634151233, 1.5625554675310445,
    1.5557339834691761, 1.5489250854741732, 1.5421281532290017, 1.5353425714415139, 1.528567729437712,
    1.5218030207609978, 1.5150478427767144, 1.5083015962813113, 1.5015636851154637, 1.4948335157804935,
    1.4881104970574472, 1.481394039628187, 1.4746835556978553, 1.4679784586180793, 1.4612781625102753,
    1.45458208188841, 1.4478896312805758, 1.4412002248487237, 1.4345132760058918, 1.4278281970302555,
    1.4211443986753085, 1.4144612897754707, 1.4077782768463982, 1.4010947636792503, 1.3944101509281404,
    1.3877238356899755, 1.3810352110758548, 1.3743436657731656, 1.3676485835974754, 1.3609493430332822,
    1.354245316762634, 1.3475358711805863, 1.340820365896403, 1.334098153219359, 1.3273685776279247,
    1.3206309752210552, 1.3138846731502194, 1.30712898903073, 1.3003632303308361, 1.2935866937369467,
    1.2867986644932425, 1.279998415713817, 1.2731852076653554, 1.2663582870182284, 1.2595168860637131,
    1.2526602218948961, 1.2457874955486261, 1.2388978911056863, 1.231990574746135, 1.2250646937565297,
    1.2181193754854807, 1.2111537262436982, 1.2041668301443804, 1.1971577478794404, 1.190125515426691,
    1.1830691426826856, 1.1759876120154509, 1.1688798767308322, 1.1617448594456106, 1.1545814503599268,
    1.1473885054208481, 1.1401648443681505, 1.132909248652533, 1.1256204592155323, 1.1182971741193437,
    1.1109380460135743, 1.1035416794246382, 1.09610662785202, 1.0886313906539782, 1.0811144097034022,
    1.0735540657924345, 1.0659486747621207, 1.0582964833306734, 1.0505956645909282, 1.0428443131441474,
    1.0350404398334394, 1.0271819660356445, 1.019266717465483, 1.0112924174399947, 1.003256679544672,
    0.9951569996350901, 0.9869907470990615, 0.9787551552942237, 0.9704473110642236, 0.9620641432230397,
    0.9536024098810852, 0.9450586844681645, 0.9364293402865742, 0.9277105334019992, 0.9188981836495896,
    0.9099879534967176, 0.9009752244612208, 0.8918550707329405, 0.8826222295851646, 0.8732710680888597,
    0.8637955455533078, 0.8541891710081628, 0.844444954909153, 0.834555354086381, 0.8245122087522911,
    0.8143066701352142, 0.8039291169899702, 0.7933690588406223, 0.782615023307232, 0.7716544242245669,
    0.7604734064301069, 0.7490566620178141, 0.7373872114342944, 0.7254461409099985, 0.7132122851909748,
    0.7006618411068138, 0.6877678927957872, 0.6744998228372925, 0.6608225742444183, 0.6466957148949922,
    0.6320722363860595, 0.6168969900077496, 0.6011046177559908, 0.5846167661063775, 0.5673382570538168,
    0.549151702327163, 0.529909720661556, 0.5094233296020896, 0.4874439661392335, 0.4636343367908794,
    0.4375184022078686, 0.40838913461198767, 0.3751213328783766, 0.33573751921442047,
    0.2861745917920662, 0.21524189598487156, 0.0
};
#define ZIG_R 3.654152885361009

/* A standard normal draw beyond ZIG_R (Marsaglia 1964), negative or not. */
static double normal_tail(u64 *s, int negative) {
    double x, y;
    do {
        x = log(uniform_open(s)) / ZIG_R;
        y = log(uniform_open(s));
    } while (-2.0 * y < x * x);
    return negative ? x - ZIG_R : ZIG_R - x;
}

/* A standard normal draw by the ziggurat method (exact; in the form of Doornik 2005): a layer from the
 * low 8 bits of one 64-bit draw, a signed position in it from the top 53; inside the layer's
 * rectangle (98.8 % of draws) that is the draw, otherwise a wedge test or the tail. */
MC_INLINE double normal(u64 *s) {
    for (;;) {
        u64 bits = next64(s);
        int i = (int)(bits & 0xFF);
        double x = ((double)(bits >> 11) * (1.0 / 4503599627370496.0) - 1.0) * ZIG_X[i];
        if (fabs(x) < ZIG_X[i + 1]) return x;
        if (i == 0) return normal_tail(s, x < 0.0);
        double f0 = exp(-0.5 * (ZIG_X[i] * ZIG_X[i] - x * x));
        double f1 = exp(-0.5 * (ZIG_X[i + 1] * ZIG_X[i + 1] - x * x));
        if (f1 + uniform(s) * (f0 - f1) < 1.0) return x;
    }
}

KV_EXPORT double mc_normal(u64 *s) { return normal(s); }

/* The duration law in spec[e, col:col + 4], with the terms of its draws worked out once per element. */
typedef struct {
    double kind, a, b, c;
    double ba, ca, cb, mode_share; /* triangular: b - a, c - a, c - b and (b - a) / (c - a) */
    const double *samples;         /* empirical: b samples from pool[a:] */
    i64 n;
} Law;

static Law law_of(const double *row, int col, const double *pool) {
    double a = row[col + 1], b = row[col + 2], c = row[col + 3];
    Law law = {row[col], a, b, c, b - a, c - a, c - b, 0.0, NULL, 0};
    if (law.kind == D_TRIANGULAR && c != a) law.mode_share = (b - a) / (c - a);
    if (law.kind != D_FIXED && law.kind != D_UNIFORM && law.kind != D_TRIANGULAR && law.kind != D_LOGNORMAL)
        law.samples = pool + (i64)a, law.n = (i64)b;
    return law;
}

/* One draw of a law, as a law of the given kind (a constant where the caller has picked the kind, so
 * that the tests below fold away). */
MC_INLINE double draw_as(u64 *s, const Law *d, double kind) {
    if (kind == D_FIXED) return d->a;
    if (kind == D_UNIFORM) return d->a + d->ba * uniform(s);
    if (kind == D_TRIANGULAR) {
        if (d->c == d->a) return d->a;
        double u = uniform(s);
        if (u < d->mode_share) return d->a + sqrt(u * d->ca * d->ba);
        return d->c - sqrt((1.0 - u) * d->ca * d->cb);
    }
    if (kind == D_LOGNORMAL) return exp(d->a + d->b * normal(s));
    i64 k = (i64)(uniform(s) * (double)d->n);
    if (d->n - 1 < k) k = d->n - 1;
    return d->samples[k];
}

/* One draw of a law. */
MC_INLINE double draw(u64 *s, const Law *d) { return draw_as(s, d, d->kind); }

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
MC_INLINE double weather(u64 *s, i64 port, double t_h, Weather *w) {
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
MC_INLINE double next_departure(u64 *s, double t_h, const double *row) {
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

/* An element row and its laws: the duration (dwell or running time), departure slippage and fill wait;
 * the columns read by every run, read once (the run loop writes doubles, which the compiler must
 * otherwise assume can change the row). */
typedef struct {
    const double *row;
    Law dist, slip, fill;
    int open_always, stay, when_full;
    i64 board, alight;
    double run_scale, planned_h;
} Element;

static Element element_of(const double *row, const double *pool) {
    Law none = {D_FIXED, 0, 0, 0, 0, 0, 0, 0, NULL, 0};
    Element el = {row, law_of(row, C_DIST, pool), none, none, 0, 0, 0, -1, -1, 0.0, 0.0};
    if (row[C_KIND] == HUB) {
        el.open_always = row[C_OPEN_ALWAYS] != 0.0;
        return el;
    }
    el.slip = law_of(row, C_SLIP, pool), el.fill = law_of(row, C_FILL, pool);
    el.stay = row[C_STAY] != 0.0;
    el.when_full = row[C_DEP] == DEP_WHEN_FULL;
    el.board = (i64)row[C_BOARD_PORT], el.alight = (i64)row[C_ALIGHT_PORT];
    el.run_scale = row[C_RUN_SCALE], el.planned_h = row[C_PLANNED_H];
    return el;
}

/* One run's time through a hub operation, adding to the parts column p (stride runs; NULL: none). */
MC_INLINE double hub(u64 *s, double t, const Element *el, double *p, i64 runs, double kind) {
    double opened = el->open_always ? t : next_opening(t, el->row);
    ADD_PART(p, P_OPENING, runs, opened - t);
    double dwell = draw_as(s, &el->dist, kind);
    ADD_PART(p, el->row[C_HUB_PART], runs, dwell);
    return opened + dwell;
}

MC_INLINE double leg(u64 *s, double t, const Element *el, double *p, i64 runs, Weather *wx, double kind) {
    const double *row = el->row;
    i64 board = el->board, alight = el->alight;
    if (!el->stay) {
        if (el->when_full) {
            double w = weather(s, board, t, wx);
            ADD_PART(p, P_WEATHER, runs, w);
            double fill = draw(s, &el->fill);
            ADD_PART(p, P_FERRY, runs, fill);
            t = t + fill + w;
        } else {
            double dep = next_departure(s, t, row);
            ADD_PART(p, P_TIMETABLE, runs, dep - t);
            double slip = draw(s, &el->slip);
            ADD_PART(p, P_SLIPPAGE, runs, slip);
            dep += slip;
            double w = weather(s, board, dep, wx);
            ADD_PART(p, P_WEATHER, runs, w);
            t = dep + w;
        }
    }
    double planned = el->planned_h;
    double running = el->run_scale * draw_as(s, &el->dist, kind);
    double on_plan = kv_min(running, planned);
    ADD_PART(p, P_RUNNING, runs, on_plan);
    ADD_PART(p, P_RUNNING_DELAY, runs, running - on_plan);
    t += running;
    double w = weather(s, alight, t, wx);
    ADD_PART(p, P_WEATHER, runs, w);
    return t + w;
}

/* Every run i of element el, its duration law taken as one of the given kind (see element_runs). */
MC_INLINE void runs_as(u64 *s, const Element *el, double *t, i64 runs, Weather *wx, double *contrib, double *parts,
                       double kind) {
    int is_hub = el->row[C_KIND] == HUB;
    if (contrib == NULL) {
        if (is_hub)
            for (i64 i = 0; i < runs; i++) t[i] = hub(s, t[i], el, NULL, runs, kind);
        else
            for (i64 i = 0; i < runs; i++) t[i] = leg(s, t[i], el, NULL, runs, wx, kind);
        return;
    }
    for (i64 i = 0; i < runs; i++) {
        double start = t[i];
        t[i] = is_hub ? hub(s, start, el, parts + i, runs, kind) : leg(s, start, el, parts + i, runs, wx, kind);
        contrib[i] = t[i] - start;
    }
}

/* Every run i of one element: t[i] advanced through the element, run after run; with contrib, the
 * hours it adds (contrib[i]) and their split (parts, N_PARTS rows of runs). The run loop is
 * compiled once per kind of duration law, so that no run tests the kind again. */
static void element_runs(u64 *s, const double *row, double *t, i64 runs, const double *pool, Weather *wx,
                         double *contrib, double *parts) {
    const Element el = element_of(row, pool);
    const double kind = el.dist.kind;
    if (kind == D_FIXED)
        runs_as(s, &el, t, runs, wx, contrib, parts, D_FIXED);
    else if (kind == D_UNIFORM)
        runs_as(s, &el, t, runs, wx, contrib, parts, D_UNIFORM);
    else if (kind == D_TRIANGULAR)
        runs_as(s, &el, t, runs, wx, contrib, parts, D_TRIANGULAR);
    else if (kind == D_LOGNORMAL)
        runs_as(s, &el, t, runs, wx, contrib, parts, D_LOGNORMAL);
    else
        runs_as(s, &el, t, runs, wx, contrib, parts, kind);
}

/* Leading elements two routes have in common (the same rows). */
static i64 common_prefix(const double *spec, i64 a0, i64 a1, i64 b0, i64 b1) {
    i64 n = 0;
    while (a0 + n < a1 && b0 + n < b1 &&
           !memcmp(spec + (a0 + n) * WIDTH, spec + (b0 + n) * WIDTH, WIDTH * sizeof(double)))
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
