#include "secstore/diagnostic.hpp"

namespace secstore {

std::string Diagnostic::str() const {
  std::string out = where.file.empty() ? std::string("secstore") : where.file;
  if (where.line != 0) {
    out += ':' + std::to_string(where.line);
    if (where.column != 0) out += ':' + std::to_string(where.column);
  }
  out += severity == Severity::Error ? ": error: " : ": warning: ";
  out += message;
  return out;
}

Diagnostic make_error(Location where, std::string message, Problem problem) {
  return Diagnostic{Severity::Error, std::move(where), std::move(message), problem};
}

Diagnostic make_warning(Location where, std::string message) {
  return Diagnostic{Severity::Warning, std::move(where), std::move(message), Problem::Invalid};
}

bool has_error(const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics)
    if (d.severity == Severity::Error) return true;
  return false;
}

}  // namespace secstore
