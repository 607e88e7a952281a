// libFuzzer target: secstore.conf parser (includes confined to a private
// directory of fixtures) and planner, plus the capability text on its own.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "fuzz/fuzz_checks.hpp"

namespace {
// One sandbox for the whole run; libFuzzer gives no other place to keep it.
const secstore::fuzz::ConfSandbox& sandbox() {
  static const secstore::fuzz::ConfSandbox box;
  return box;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string violation = secstore::fuzz::check_conf(input, sandbox());
  if (violation.empty() && size < 256) violation = secstore::fuzz::check_capability_text(input);
  if (!violation.empty()) {
    std::fprintf(stderr, "conf_fuzzer: %s\n", violation.c_str());
    std::abort();
  }
  return 0;
}
