// Small C helpers for what the Swift Glibc module does not expose.
#ifndef ERASURE_CSYSTEM_H
#define ERASURE_CSYSTEM_H

/// Sets glibc's M_TRIM_THRESHOLD (free heap kept mapped per arena). Returns 1 on success, 0 when
/// refused or not on glibc.
int erasure_set_malloc_trim_threshold(int bytes);

#endif
