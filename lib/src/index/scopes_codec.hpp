// Security scopes in the compiled index: exactly what conf/ reads from the
// text (conf/data.hpp), so that both plan by the same rules
// (conf/planner.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "conf/data.hpp"

namespace secstore::detail {

// A role named by a scope that the store does not define.
inline constexpr std::uint32_t kNoRole = 0xffffffffu;

// `role_id` numbers a role name as the store compiled beside the scopes
// does (kNoRole when it has no such role).
void encode_scopes(const std::vector<SecurityScope>& scopes, const std::function<std::uint32_t(std::string_view)>& role_id,
                   std::string& out);
// Decodes `bytes` (which must be out.bytes or live as long as `out`) into
// views; false when they are not what encode_scopes wrote (damage).
// `origin` is the index the bytes come from (ScopeView::role_origin).
bool decode_scopes(std::string_view bytes, std::uint32_t count, const void* origin, CompiledScopes& out);
// The decoded scopes as conf/ reads them from the text.
std::vector<SecurityScope> to_scopes(const CompiledScopes& compiled);

}  // namespace secstore::detail
