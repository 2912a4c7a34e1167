#include "core/runtime/allocator.hpp"

#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace atrium::runtime {

void tune_allocator() {
#if defined(__GLIBC__)
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables && std::strstr(tunables, "glibc.malloc.")) return;
  constexpr int k_slack = 4 << 20;
  ::mallopt(M_TOP_PAD, k_slack);
  ::mallopt(M_MMAP_THRESHOLD, k_slack);
  ::mallopt(M_TRIM_THRESHOLD, 2 * k_slack);
#endif
}

}  // namespace atrium::runtime
