#include "CErasureSystem.h"
#include <stdlib.h>   // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
int erasure_set_malloc_trim_threshold(int bytes) { return mallopt(M_TRIM_THRESHOLD, bytes); }
#else
int erasure_set_malloc_trim_threshold(int bytes) { (void)bytes; return 0; }
#endif
