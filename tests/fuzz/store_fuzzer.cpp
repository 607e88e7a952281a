// libFuzzer target: Security.store parser and evaluator, dump round trip.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "fuzz/fuzz_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (std::string violation = secstore::fuzz::check_store(input); !violation.empty()) {
    std::fprintf(stderr, "store_fuzzer: %s\n", violation.c_str());
    std::abort();
  }
  return 0;
}
