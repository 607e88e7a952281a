#include "pam_cap_import.hpp"

#include <pwd.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <sstream>

#include "secstore/nss.hpp"

namespace secstore::cli {
namespace {

bool is_star(const PamCapWho& w) { return w.text == "*"; }
bool is_group(const PamCapWho& w) { return w.text.size() > 1 && w.text[0] == '@'; }

// What earlier rules already claim: a later WHO is exact only when none of
// this can match its users.
struct Claimed {
  bool anything = false;
  bool star = false;
  bool groups = false;
  std::set<std::string> users;

  bool may_overlap(const PamCapWho& w) const {
    if (is_star(w) || is_group(w)) return anything;
    return star || groups || users.count(w.text) != 0;
  }
  void add(const PamCapRule& rule) {
    for (const auto& w : rule.who) {
      anything = true;
      if (is_star(w)) star = true;
      else if (is_group(w)) groups = true;
      else users.insert(w.text);
    }
  }
};

// A secstore.conf value: bare when the syntax allows it, else quoted.
std::string conf_value(const std::string& text) {
  if (!text.empty() && text.find_first_of(" \t\r\n#/\"'={}[]()") == std::string::npos) return text;
  return '"' + text + '"';
}

bool is_all_digits(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

bool representable(const std::string& text) {
  return text.find_first_of("\"\\\n\r") == std::string::npos;
}

std::string rule_text(const PamCapRule& rule) {
  std::string text = rule.kind == PamCapRule::Kind::All    ? "all"
                     : rule.kind == PamCapRule::Kind::None ? "none"
                                                           : rule.iab;
  for (const auto& w : rule.who) text += ' ' + w.text;
  return text;
}

class Writer {
 public:
  Writer(const std::string& source, const std::vector<HostUser>& users)
      : source_(source), users_(users) {}

  void header() {
    out_ << "# Security scopes imported from " << source_ << " by `secstore import-pam-cap`.\n"
         << "# pam_cap applies the first line that matches a user; secstore applies every\n"
         << "# matching scope. A line became scopes of its own where no earlier line can\n"
         << "# match the same users; otherwise it is written out per user, for the users\n"
         << "# this host knew at import time: import again after adding users or groups.\n";
  }

  void rule(const PamCapRule& rule, std::size_t index, const PamCapFile& file, Claimed& claimed) {
    std::string name = source_name() + ":" + std::to_string(rule.where.line);
    out_ << "\n# " << name << ": " << rule_text(rule) << '\n';
    if (rule.kind != PamCapRule::Kind::Iab) {
      out_ << "# \"" << (rule.kind == PamCapRule::Kind::All ? "all" : "none")
           << "\": these users get no capabilities here, and no later line applies to them.\n";
      claimed.add(rule);
      return;
    }
    if (claimed.star) {
      out_ << "# An earlier line matches everyone (*), so this one never applies.\n";
      return;
    }
    bool expand = false;
    std::set<std::string> exact_users;
    for (const auto& w : rule.who) {
      if (claimed.may_overlap(w)) {
        if (!is_star(w) && !is_group(w) && (claimed.star || claimed.users.count(w.text))) {
          out_ << "# " << w.text << ": an earlier line already applies, so this one never does.\n";
          continue;
        }
        expand = true;
        continue;
      }
      if (is_star(w)) {
        scope(name + " *", "", "", rule);
      } else if (is_group(w)) {
        scope(name + " " + w.text, "group", w.text.substr(1), rule);
      } else {
        scope(name + " " + w.text, "user", w.text, rule);
        exact_users.insert(w.text);
      }
    }
    if (expand) expand_per_user(rule, index, file, name, exact_users);
    claimed.add(rule);
  }

  std::string text() const { return out_.str(); }
  std::vector<Diagnostic>& diagnostics() { return diagnostics_; }

 private:
  std::string source_name() const {
    auto slash = source_.rfind('/');
    return slash == std::string::npos ? source_ : source_.substr(slash + 1);
  }

  void scope(const std::string& name, const std::string& selector, const std::string& value,
             const PamCapRule& rule) {
    if (!representable(value)) {
      diagnostics_.push_back(make_error(
          rule.where, "the name \"" + value + "\" cannot be written in secstore.conf"));
      return;
    }
    // pam_cap compares names; a secstore.conf value of digits is an id. A
    // user named "00" written as `user = 00` would be uid 0, root.
    if (!selector.empty() && is_all_digits(value)) {
      const std::string what = selector == "user" ? "uid" : "gid";
      diagnostics_.push_back(make_error(
          rule.where, "pam_cap names the " + selector + " \"" + value + "\", but secstore.conf reads a value of digits as a " +
                          what + ", so no scope can select this " + selector +
                          " by name: write its scope by hand with the " + what + " it has"));
      return;
    }
    if (may_include_root(selector, value))
      diagnostics_.push_back(make_warning(
          rule.where,
          "this gives root sessions capabilities: under secstore root then keeps only \"" +
              rule.iab + "\" (every other capability is dropped from its bounding set), "
              "while pam_cap only added them; check the result before using it"));
    out_ << "Security " << conf_value(name) << " {\n";
    if (!selector.empty()) out_ << "  " << selector << " = " << conf_value(value) << '\n';
    out_ << "  capabilities = \"" << rule.iab << "\"\n}\n";
  }

  bool may_include_root(const std::string& selector, const std::string& value) const {
    if (selector.empty()) return true;
    if (selector == "user") return value == "root";  // all digits were refused above
    for (const auto& u : users_)
      if (u.uid == 0 && std::find(u.groups.begin(), u.groups.end(), value) != u.groups.end())
        return true;
    return false;
  }

  void expand_per_user(const PamCapRule& rule, std::size_t index, const PamCapFile& file,
                       const std::string& name, const std::set<std::string>& already) {
    out_ << "# An earlier line may match the same users: written out per user.\n";
    diagnostics_.push_back(make_warning(
        rule.where, "an earlier line can match the same users, so this line is written out "
                    "for the users this host knows now; import again after adding users"));
    unsigned written = 0;
    for (const auto& u : users_) {
      if (already.count(u.name) || pam_cap_first_match(file, u.name, u.groups) != index) continue;
      scope(name + " " + u.name, "user", u.name, rule);
      ++written;
    }
    if (written == 0) out_ << "# (no user of this host gets this line)\n";
  }

  const std::string& source_;
  const std::vector<HostUser>& users_;
  std::ostringstream out_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace

PamCapImport import_pam_cap(const PamCapFile& file, const std::string& source,
                            const std::vector<HostUser>& host_users) {
  Writer writer(source, host_users);
  writer.header();
  Claimed claimed;
  for (std::size_t i = 0; i < file.rules.size(); ++i)
    writer.rule(file.rules[i], i, file, claimed);
  return PamCapImport{writer.text(), std::move(writer.diagnostics())};
}

namespace {

// setpwent/endpwent around one pass over the password database.
class PasswdScan {
 public:
  PasswdScan() { setpwent(); }
  ~PasswdScan() { endpwent(); }
  PasswdScan(const PasswdScan&) = delete;
  PasswdScan& operator=(const PasswdScan&) = delete;
};

// Every name NSS enumerates, sorted and unique (NSS may repeat a user
// that several sources know).
std::vector<std::string> all_user_names() {
  std::vector<std::string> names;
  std::vector<char> buffer(16384);
  PasswdScan scan;
  for (;;) {
    struct passwd pw {};
    struct passwd* result = nullptr;
    int rc = getpwent_r(&pw, buffer.data(), buffer.size(), &result);
    if (rc == ERANGE) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (rc != 0 || result == nullptr) break;
    names.emplace_back(result->pw_name);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace

std::vector<HostUser> enumerate_host_users() {
  std::vector<HostUser> users;
  for (const auto& name : all_user_names()) {
    auto info = lookup_subject(name, GroupDetail::IdsAndNames);
    if (info.status == LookupStatus::Found) {
      std::vector<std::string> groups;
      for (const auto& g : info.subject.groups) groups.push_back(g.name);
      users.push_back({name, static_cast<unsigned>(*info.subject.uid), std::move(groups)});
    }
  }
  return users;
}

}  // namespace secstore::cli
