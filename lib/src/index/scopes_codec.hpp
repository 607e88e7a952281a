// Security scopes in the compiled index: exactly what conf/ reads from the
// text (conf/data.hpp), so that both plan through Config::plan.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "conf/data.hpp"

namespace secstore::detail {

void encode_scopes(const std::vector<SecurityScope>& scopes, std::string& out);
// false when the bytes are not what encode_scopes wrote (damage).
bool decode_scopes(std::string_view bytes, std::uint32_t count, std::vector<SecurityScope>& out);

}  // namespace secstore::detail
