// Security scopes in the compiled index: exactly what conf/ reads from the
// text (conf/data.hpp), so that both plan through Config::plan.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "conf/data.hpp"

namespace secstore::detail {

// Full: every setting with where it was written. ForPlanning: what
// Config::plan reads of a session it plans without an error (each scope's
// own instance and location, every setting's text), for an open that must
// not pay for copying the file name of every setting; a plan that fails is
// made again from the Full scopes, whose messages name where.
enum class ScopeDetail { Full, ForPlanning };

void encode_scopes(const std::vector<SecurityScope>& scopes, std::string& out);
// false when the bytes are not what encode_scopes wrote (damage).
bool decode_scopes(std::string_view bytes, std::uint32_t count, std::vector<SecurityScope>& out,
                   ScopeDetail detail = ScopeDetail::Full);

}  // namespace secstore::detail
