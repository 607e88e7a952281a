// The role graph of a store in Graphviz's DOT language (`secstore audit
// --dot`): who gets which role, and which role includes which.
#pragma once

#include <string>

#include "secstore/store.hpp"

namespace secstore::cli {

std::string role_graph_dot(const Store& store);

}  // namespace secstore::cli
