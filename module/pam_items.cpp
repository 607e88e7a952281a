#include "pam_items.hpp"

#include <security/pam_modules.h>

namespace secstore::module {
namespace {

std::string string_item(pam_handle_t* pamh, int item) {
  const void* value = nullptr;
  if (pam_get_item(pamh, item, &value) != PAM_SUCCESS || value == nullptr) return {};
  return static_cast<const char*>(value);
}

}  // namespace

PamIdentity read_pam_identity(pam_handle_t* pamh) {
  return PamIdentity{string_item(pamh, PAM_USER), string_item(pamh, PAM_SERVICE)};
}

}  // namespace secstore::module
