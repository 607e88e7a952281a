// Security scopes in the compiled index: exactly what conf/ reads from the
// text (conf/data.hpp), so that both plan by the same rules
// (conf/planner.cpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "conf/data.hpp"

namespace secstore::detail {

void encode_scopes(const std::vector<SecurityScope>& scopes, std::string& out);
// Decodes `bytes` (which must be out.bytes or live as long as `out`) into
// views; false when they are not what encode_scopes wrote (damage).
bool decode_scopes(std::string_view bytes, std::uint32_t count, CompiledScopes& out);
// The decoded scopes as conf/ reads them from the text.
std::vector<SecurityScope> to_scopes(const CompiledScopes& compiled);

}  // namespace secstore::detail
