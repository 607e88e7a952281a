// `secstore audit --dot`: the store's role graph for Graphviz. Boxes are the
// sessions that get roles (every named session, every anonymous one, a
// user, a group), ellipses the roles; a solid arrow is a `set roles for`
// statement (its tooltip names it, file:line), a dashed one an `includes`.
// Roles nothing gives and nothing includes stand alone.
#include "audit_dot.hpp"

#include <cstdio>
#include <sstream>

#include "explain_report.hpp"

namespace secstore::cli {
namespace {

// A DOT double-quoted string: quotes and backslashes escaped, control
// characters shown as \xNN so that no name can end the string.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\\\x%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string node_id(std::string_view kind, std::string_view name) {
  return quoted(std::string(kind) + ":" + std::string(name));
}

}  // namespace

std::string role_graph_dot(const Store& store) {
  std::ostringstream out;
  out << "digraph roles {\n"
         "  graph [rankdir=LR, fontname=\"sans-serif\", label=" << quoted("roles in " + store.file_name())
      << ", labelloc=t];\n"
         "  node [fontname=\"sans-serif\", fontsize=11];\n"
         "  edge [fontname=\"sans-serif\", fontsize=9, color=\"#555555\"];\n";
  for (const auto& grant : store.role_grants()) {
    std::string id, label, style;
    switch (grant.to) {
      case RoleGrant::To::NamedSessions:
        id = node_id("sessions", "named"), label = "every named session", style = "rounded,filled";
        break;
      case RoleGrant::To::AnonymousSessions:
        id = node_id("sessions", "anonymous"), label = "every anonymous session", style = "rounded,filled";
        break;
      case RoleGrant::To::User:
        id = node_id("user", grant.name), label = "user " + grant.name, style = "filled";
        break;
      case RoleGrant::To::Group:
        id = node_id("group", grant.name), label = "group " + grant.name, style = "filled,dashed";
        break;
    }
    out << "  " << id << " [shape=box, style=" << quoted(style) << ", fillcolor=\"#e8eef7\", label=" << quoted(label)
        << "];\n";
    for (const auto& role : grant.roles) {
      out << "  " << id << " -> " << node_id("role", role) << " [tooltip=" << quoted(where_text(grant.where)) << "];\n";
    }
  }
  for (const auto& role : store.all_roles()) {
    out << "  " << node_id("role", role) << " [shape=ellipse, label=" << quoted(role) << "];\n";
    for (const auto& included : store.includes_of(role))
      out << "  " << node_id("role", role) << " -> " << node_id("role", included)
          << " [style=dashed, label=\"includes\"];\n";
  }
  out << "}\n";
  return out.str();
}

}  // namespace secstore::cli
