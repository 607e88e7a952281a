// The C API (secstore.h) over the C++ one. Every entry point catches every
// exception: none may cross into C, and a failure must read as "no" or
// NULL, never as a crash in the caller.
#include "secstore/secstore.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "secstore/file.hpp"
#include "secstore/nss.hpp"
#include "secstore/permissions.hpp"
#include "secstore/session.hpp"
#include "secstore/store.hpp"

struct secstore_store {
  secstore::Store store;
};

struct secstore_session {
  // A copy of the store handle shares its immutable data, so the session
  // stays valid after secstore_store_free().
  secstore::Store store;
  bool anonymous = false;
  secstore::SessionAccess access;
};

namespace {

// malloc'd so that C callers could free() it too; NULL when out of memory.
char* c_string(std::string_view text) {
  char* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (out == nullptr) return nullptr;
  std::memcpy(out, text.data(), text.size());
  out[text.size()] = '\0';
  return out;
}

void set_error(char** error, std::string_view message) {
  if (error != nullptr) *error = c_string(message);
}

void clear_error(char** error) {
  if (error != nullptr) *error = nullptr;
}

std::string errors_text(const std::vector<secstore::Diagnostic>& diagnostics) {
  std::string text;
  for (const auto& d : diagnostics) {
    if (d.severity != secstore::Severity::Error) continue;
    if (!text.empty()) text += '\n';
    text += d.str();
  }
  return text.empty() ? std::string("secstore: error: failed without a reason") : text;
}

char** c_strv(const std::vector<std::string>& items) {
  auto** out = static_cast<char**>(std::calloc(items.size() + 1, sizeof(char*)));
  if (out == nullptr) return nullptr;
  for (std::size_t i = 0; i < items.size(); ++i) {
    out[i] = c_string(items[i]);
    if (out[i] == nullptr) {
      secstore_strv_free(out);
      return nullptr;
    }
  }
  return out;
}

secstore_store* store_from(secstore::Outcome<secstore::Store> outcome, char** error) {
  if (!outcome.value) {
    set_error(error, errors_text(outcome.diagnostics));
    return nullptr;
  }
  return new secstore_store{std::move(*outcome.value)};
}

std::string exception_message(const char* function) {
  try {
    throw;
  } catch (const std::bad_alloc&) {
    return std::string(function) + ": out of memory";
  } catch (const std::exception& e) {
    return std::string(function) + ": internal error: " + e.what();
  } catch (...) {
    return std::string(function) + ": internal error";
  }
}

std::optional<std::string> normalized(const char* path) {
  if (path == nullptr) return std::nullopt;
  return secstore::normalize_path(path);
}

}  // namespace

extern "C" {

const char* secstore_version(void) { return SECSTORE_VERSION; }

secstore_store* secstore_store_load(const char* path, int flags, char** error) {
  clear_error(error);
  try {
    if ((flags & ~SECSTORE_LOAD_ALLOW_UNSAFE) != 0) {
      set_error(error, "secstore_store_load: unknown flags " + std::to_string(flags));
      return nullptr;
    }
    secstore::FileSafety safety{.enforce = (flags & SECSTORE_LOAD_ALLOW_UNSAFE) == 0};
    return store_from(secstore::Store::load(path ? path : SECSTORE_DEFAULT_STORE, safety), error);
  } catch (...) {
    set_error(error, exception_message("secstore_store_load"));
    return nullptr;
  }
}

secstore_store* secstore_store_parse(const char* text, size_t length, const char* name,
                                     char** error) {
  clear_error(error);
  try {
    if (text == nullptr && length != 0) {
      set_error(error, "secstore_store_parse: text is NULL");
      return nullptr;
    }
    std::string_view view = text ? std::string_view(text, length) : std::string_view();
    return store_from(secstore::Store::parse(view, name ? name : "<memory>"), error);
  } catch (...) {
    set_error(error, exception_message("secstore_store_parse"));
    return nullptr;
  }
}

void secstore_store_free(secstore_store* store) { delete store; }

secstore_session* secstore_session_new(const secstore_store* store, const char* user,
                                       const char* const* groups, char** error) {
  clear_error(error);
  try {
    if (store == nullptr) {
      set_error(error, "secstore_session_new: store is NULL");
      return nullptr;
    }
    // Roles do not depend on secstore.conf: the store alone answers as the
    // module would.
    secstore::SessionSubject who;
    if (user == nullptr || *user == '\0') {
      who = secstore::SessionSubject::anonymous_session();
    } else if (groups != nullptr) {
      std::vector<std::string> names;
      for (const char* const* g = groups; *g != nullptr; ++g) names.emplace_back(*g);
      who = secstore::SessionSubject::named(user, std::move(names));
    } else {
      auto found = secstore::lookup_subject(user, secstore::GroupDetail::IdsAndNames);
      if (found.status != secstore::LookupStatus::Found) {
        set_error(error, "secstore: error: " + found.message);
        return nullptr;
      }
      who = std::move(found.subject);
    }
    return new secstore_session{store->store, who.anonymous, store->store.resolve(who)};
  } catch (...) {
    set_error(error, exception_message("secstore_session_new"));
    return nullptr;
  }
}

void secstore_session_free(secstore_session* session) { delete session; }

int secstore_session_is_anonymous(const secstore_session* session) {
  if (session == nullptr) return -1;
  return session->anonymous ? 1 : 0;
}

int secstore_session_has_global(const secstore_session* session, const char* permission) {
  try {
    if (session == nullptr || permission == nullptr) return -1;
    auto perm = secstore::global_permission_from_name(permission);
    if (!perm) return -1;
    return session->access.global.has(*perm) ? 1 : 0;
  } catch (...) {
    return -1;
  }
}

int secstore_session_has_path(const secstore_session* session, const char* path,
                              const char* permission) {
  try {
    if (session == nullptr || permission == nullptr) return -1;
    auto perm = secstore::path_permission_from_name(permission);
    auto normal = normalized(path);
    if (!perm || !normal) return -1;
    return session->store.path_permissions(session->access.roles, *normal).has(*perm) ? 1 : 0;
  } catch (...) {
    return -1;
  }
}

char** secstore_session_roles(const secstore_session* session) {
  try {
    if (session == nullptr) return nullptr;
    return c_strv(session->access.role_names);
  } catch (...) {
    return nullptr;
  }
}

char** secstore_session_global_permissions(const secstore_session* session) {
  try {
    if (session == nullptr) return nullptr;
    return c_strv(secstore::names_of(session->access.global));
  } catch (...) {
    return nullptr;
  }
}

char** secstore_session_path_permissions(const secstore_session* session, const char* path) {
  try {
    auto normal = normalized(path);
    if (session == nullptr || !normal) return nullptr;
    return c_strv(secstore::names_of(session->store.path_permissions(session->access.roles, *normal)));
  } catch (...) {
    return nullptr;
  }
}

void secstore_strv_free(char** strv) {
  if (strv == nullptr) return;
  for (char** s = strv; *s != nullptr; ++s) std::free(*s);
  std::free(strv);
}

void secstore_string_free(char* string) { std::free(string); }

}  // extern "C"
