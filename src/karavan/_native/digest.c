/* The digest of the sources this library was built from (set by setup.py, see karavan._native.sources). */
#include "kernels.h"

#ifndef KV_SOURCE_DIGEST
#define KV_SOURCE_DIGEST "unknown"
#endif

KV_EXPORT const char *kv_source_digest(void) { return KV_SOURCE_DIGEST; }
