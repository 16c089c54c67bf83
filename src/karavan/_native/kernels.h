/* Shared declarations of the compiled routing and Monte Carlo kernels (loaded through ctypes).
 *
 * Arrays are C-contiguous; integers are int64 unless a routing-graph array is stored narrower
 * (int32 vertex/edge tables, int8 kinds); booleans are one byte. Floating point follows IEEE 754
 * without contraction or reassociation, so results are the same on every platform. */
#ifndef KARAVAN_KERNELS_H
#define KARAVAN_KERNELS_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#if defined(_WIN32)
#define KV_EXPORT __declspec(dllexport)
#else
#define KV_EXPORT __attribute__((visibility("default")))
#endif

typedef int64_t i64;
typedef int32_t i32;
typedef int8_t i8;
typedef uint8_t u8;
typedef uint64_t u64;

#define KV_MONDAY_H 96.0 /* 1970-01-05 00:00 UTC, the first Monday after the epoch, hours */
#define KV_WEEK_H 168.0

/* Return codes of the kernels that allocate. */
#define KV_OK 0
#define KV_NO_MEMORY 1

/* Python's floor modulo of integers (the result takes the sign of the divisor). */
static inline i64 kv_floormod(i64 a, i64 b) {
    i64 r = a % b;
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

static inline double kv_max(double a, double b) { return b > a ? b : a; }
static inline double kv_min(double a, double b) { return b < a ? b : a; }

#endif
