// The C library's allocator, set up for a long-running server with many threads.
#pragma once

namespace atrium::runtime {

// glibc gives each busy thread a heap of its own and, by default, gives the top of it back to the
// kernel as soon as 128 KiB there are free, only to ask for it again (mprotect, then a page fault
// per page) at the next burst: the store writer's heap did that several times per commit. This
// keeps 4 MiB of slack at the top of each heap, and serves allocations up to 4 MiB from the heaps
// (glibc's own adaptive limit stops adapting once any of these is set). An operator's
// GLIBC_TUNABLES for the allocator take precedence: then nothing is changed. Call once, early,
// before threads start. Elsewhere than glibc it does nothing, and so it does when the server is
// linked with tcmalloc (the default build): mallopt is then tcmalloc's, which ignores it.
void tune_allocator();

}  // namespace atrium::runtime
