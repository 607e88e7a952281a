#include "session_groups.hpp"

#include <memory>
#include <new>
#include <string>

#include "secstore/nss.hpp"

namespace secstore::module {
namespace {

struct SessionGroups {
  std::vector<gid_t> gids;
};

void free_session_groups(pam_handle_t*, void* data, int) {
  delete static_cast<SessionGroups*>(data);
}

}  // namespace

std::variant<std::vector<gid_t>, Failure> resolve_supplemental_groups(const SessionPlan& plan) {
  std::vector<gid_t> gids;
  for (const auto& group : plan.supplemental_groups) {
    auto gid = lookup_group(group);
    if (!gid)
      return Failure{FailureKind::Config, "supplemental group \"" + group + "\" does not exist"};
    gids.push_back(*gid);
  }
  return gids;
}

std::optional<Failure> remember_session_groups(pam_handle_t* pamh, const std::vector<gid_t>& gids) {
  auto data = std::unique_ptr<SessionGroups>(new (std::nothrow) SessionGroups{});
  if (!data) return Failure{FailureKind::System, "out of memory keeping the session's groups"};
  data->gids = gids;
  int rc = pam_set_data(pamh, kGroupsDataName, data.get(), free_session_groups);
  if (rc != PAM_SUCCESS)
    return Failure{FailureKind::System,
                   std::string("cannot keep the session's groups: ") + pam_strerror(pamh, rc)};
  data.release();  // libpam owns it now and hands it back to the cleanup
  return std::nullopt;
}

std::optional<std::vector<gid_t>> remembered_session_groups(pam_handle_t* pamh) {
  const void* data = nullptr;
  if (pam_get_data(pamh, kGroupsDataName, &data) != PAM_SUCCESS || data == nullptr)
    return std::nullopt;
  return static_cast<const SessionGroups*>(data)->gids;
}

void forget_session_groups(pam_handle_t* pamh) {
  // Replacing the data makes libpam free the old entry through its cleanup;
  // a null entry reads as "not remembered".
  pam_set_data(pamh, kGroupsDataName, nullptr, nullptr);
}

}  // namespace secstore::module
