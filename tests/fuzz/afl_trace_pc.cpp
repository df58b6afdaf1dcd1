// Coverage for AFL++ from GCC's own instrumentation, for when afl-g++-fast cannot be used:
// Debian 12's afl++ 4.04c ships a GCC plugin built against GCC 12.2.0-14, and GCC 12.2.0-14+deb12u1
// refuses to load it ("GCC and plugin have incompatible versions"). Code compiled with
// -fsanitize-coverage=trace-pc calls this at every basic block; it records the edge from the
// previous block into AFL++'s coverage map (__afl_area_ptr, set up by afl-compiler-rt.o) the way
// AFL's own instrumentation does. This file itself must not be instrumented.

#include <cstdint>

extern "C" {

extern std::uint8_t* __afl_area_ptr;

namespace {
constexpr std::uintptr_t k_map_mask = (1u << 16) - 1;  // AFL++'s default MAP_SIZE, 64 KiB
thread_local std::uintptr_t previous_location = 0;
}  // namespace

void __sanitizer_cov_trace_pc() {
  auto location = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
  location = ((location >> 4) ^ (location << 8)) & k_map_mask;
  std::uint8_t& hits = __afl_area_ptr[location ^ previous_location];
  hits = static_cast<std::uint8_t>(hits + 1 + (hits == 0xFF));  // never wraps to 0 (NeverZero)
  previous_location = location >> 1;
}
}
