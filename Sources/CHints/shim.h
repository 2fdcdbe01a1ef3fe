// CPU hints Swift cannot spell: a software prefetch for loops whose next
// addresses the hardware prefetcher cannot guess (docs/architecture.md, Speed).
static inline void wx_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }
