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

Diagnostic make_error(Location where, std::string message) {
  return Diagnostic{Severity::Error, std::move(where), std::move(message)};
}

Diagnostic make_warning(Location where, std::string message) {
  return Diagnostic{Severity::Warning, std::move(where), std::move(message)};
}

}  // namespace secstore
