// PathChecker: a session's compiled path permissions (path_compiler.cpp
// builds them, path_table.cpp answers from them).
#include "secstore/path_checker.hpp"

#include <utility>

#include "eval/path_compiler.hpp"
#include "eval/path_table.hpp"
#include "eval/role_set.hpp"
#include "secstore/store.hpp"

namespace secstore {

PathChecker Store::path_checker(const RoleSet& roles) const {
  return PathChecker(detail::compile_path_table(*data_, detail::RoleSetAccess::ids_for(roles, data_.get())));
}

PathChecker::PathChecker() = default;

PathChecker::PathChecker(std::shared_ptr<const detail::PathTable> table) : table_(std::move(table)) {}

PathPermissions PathChecker::permissions(std::string_view path) const {
  return table_ ? table_->answer(path) : PathPermissions{};
}

std::size_t PathChecker::entries() const { return table_ ? table_->size() : 0; }

}  // namespace secstore
