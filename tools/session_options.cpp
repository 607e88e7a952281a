#include "session_options.hpp"

namespace secstore::cli {

SessionRequestParse session_request_from(const ParsedOptions& options) {
  auto fail = [](std::string reason) { return SessionRequestParse{std::nullopt, std::move(reason)}; };
  bool anonymous = options.has("anonymous");
  auto user = options.value("user");
  if (anonymous && user) return fail("--user and --anonymous cannot be used together");
  if (!anonymous && !user) return fail("a session is needed: give --user U or --anonymous");
  if (anonymous && options.has("groups"))
    return fail("--groups needs --user: anonymous sessions have no groups");
  SessionRequest request;
  request.anonymous = anonymous;
  if (user) {
    if (user->empty()) return fail("--user needs a user name");
    request.user = *user;
  }
  // --groups replaces NSS group lookup entirely; --groups '' means none.
  if (auto groups = options.value("groups")) request.groups = split_list(*groups);
  return SessionRequestParse{std::move(request), ""};
}

}  // namespace secstore::cli
