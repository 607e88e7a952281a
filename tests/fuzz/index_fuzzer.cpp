// libFuzzer target: the compiled index reader, with hostile headers, counts,
// offsets and sizes behind valid checksums (fuzz/index_checks.hpp).
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "fuzz/index_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (std::string violation = secstore::fuzz::check_index(input); !violation.empty()) {
    std::fprintf(stderr, "index_fuzzer: %s\n", violation.c_str());
    std::abort();
  }
  return 0;
}
