#include "session_options.hpp"

#include "cli.hpp"
#include "secstore/nss.hpp"

namespace secstore::cli {

SubjectFromOptions subject_from(const ParsedOptions& options) {
  SubjectFromOptions out;
  auto usage = [&](std::string reason) {
    out.usage_error = std::move(reason);
    return std::move(out);
  };
  const bool anonymous = options.has("anonymous");
  const auto user = options.value("user");
  if (anonymous && user) return usage("--user and --anonymous cannot be used together");
  if (!anonymous && !user) return usage("a session is needed: give --user U or --anonymous");
  if (anonymous && options.has("groups")) return usage("--groups needs --user: anonymous sessions have no groups");
  if (anonymous) {
    out.subject = SessionSubject::anonymous_session();
    return out;
  }
  if (user->empty()) return usage("--user needs a user name");
  auto found = lookup_subject(*user, GroupDetail::IdsAndNames);
  if (found.status == LookupStatus::Unavailable) {
    out.errors.push_back(make_error(Location{}, found.message, Problem::Unreadable));
    out.exit_code = kExitUsage;
    return out;
  }
  if (auto groups = options.value("groups")) {
    // --groups replaces the name service's group lookup entirely.
    out.groups_given = true;
    std::optional<uid_t> uid;
    if (found.status == LookupStatus::Found) uid = found.subject.uid;
    SessionSubject who = SessionSubject::named(*user, split_list(*groups), uid);
    for (auto& g : who.groups) {
      auto gid = lookup_group(g.name);
      if (gid.status == LookupStatus::Found) g.gid = gid.gid;
    }
    out.subject = std::move(who);
    return out;
  }
  if (found.status == LookupStatus::Unknown) {
    out.errors.push_back(make_error(Location{}, found.message + " (give --groups to ask about an account served elsewhere)"));
    out.exit_code = kExitNo;
    return out;
  }
  out.subject = std::move(found.subject);
  return out;
}

}  // namespace secstore::cli
