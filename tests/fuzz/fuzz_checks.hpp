// What the fuzz targets check, shared by the libFuzzer mains (tests/fuzz/*_fuzzer.cpp)
// and the replay test (tests/unit/fuzz_regressions_test.cpp), so that every
// input in the corpora gets the same checks under `make check` as under
// `make fuzz`.
//
// Each check_* function feeds one input through a parser and, if it parses,
// through the evaluator or planner, and returns "" when every property held or
// a sentence naming the property that did not. A crash, a sanitizer report or
// a hang is the other way to fail.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <algorithm>

#include "secstore/capabilities.hpp"
#include "secstore/conf.hpp"
#include "secstore/diagnostic.hpp"
#include "secstore/store.hpp"
#include "store/access.hpp"
#include "store/lexer.hpp"
#include "store/parser.hpp"
#include "store/rewrite.hpp"

namespace secstore::fuzz {

// Quoted strings of the input (either quote, no escapes), at most `limit`:
// the role, user, group and path names a seed mentions, so that evaluation
// looks at names the store actually uses.
inline std::vector<std::string> quoted_strings(std::string_view text, std::size_t limit = 8) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size() && out.size() < limit; ++i) {
    char q = text[i];
    if (q != '"' && q != '\'') continue;
    std::size_t end = text.find(q, i + 1);
    if (end == std::string_view::npos) break;
    out.emplace_back(text.substr(i + 1, end - i - 1));
    i = end;
  }
  return out;
}

inline unsigned count_lines(std::string_view text) {
  unsigned lines = 1;
  for (char c : text)
    if (c == '\n') ++lines;
  return lines;
}

// Every diagnostic of a failed parse must say where and what (SPEC §2.3:
// "Errors name file:line:column and say what was expected").
template <class T>
std::string check_failure_is_explained(const Outcome<T>& outcome, std::string_view text,
                                       const std::string& file_name, bool same_file_only) {
  const Diagnostic* err = outcome.first_error();
  if (err == nullptr) return "a rejected input has no error diagnostic";
  if (err->message.empty()) return "an error diagnostic has an empty message";
  if (err->where.file.empty()) return "an error diagnostic names no file";
  if (same_file_only) {
    if (err->where.file != file_name)
      return "an error names file \"" + err->where.file + "\", not the parsed \"" + file_name + "\"";
    if (err->where.line > count_lines(text))
      return "an error names line " + std::to_string(err->where.line) + " of a " +
             std::to_string(count_lines(text)) + "-line input";
  }
  return "";
}

inline std::vector<SessionSubject> identities_for(const std::vector<std::string>& names) {
  std::vector<SessionSubject> who;
  who.push_back(SessionSubject::anonymous_session());
  who.push_back(SessionSubject::named("alice", {"alice", "netops"}));
  who.push_back(SessionSubject::named("root", {"root"}, 0));
  for (std::size_t i = 0; i + 1 < names.size() && who.size() < 6; i += 2)
    who.push_back(SessionSubject::named(names[i], {names[i + 1], names[i]}));
  return who;
}

inline std::vector<std::string> paths_for(const std::vector<std::string>& names) {
  std::vector<std::string> paths{"", "x/y/z", "a//b/", std::string(300, 'p')};
  for (const auto& n : names) paths.push_back(n);
  for (const auto& n : names) paths.push_back(n + "/below/it");
  return paths;
}

// Evaluates the same sessions and paths in two stores that must be equal.
inline std::string compare_stores(const Store& a, const Store& b,
                                  const std::vector<SessionSubject>& who,
                                  const std::vector<std::string>& paths) {
  for (const auto& w : who) {
    const RoleSet ra = a.resolve(w).roles, rb = b.resolve(w).roles;
    if (a.role_names(ra) != b.role_names(rb))
      return "the re-parsed dump gives user \"" + w.user + "\" different roles";
    if (!(a.global_permissions(ra) == b.global_permissions(rb)))
      return "the re-parsed dump gives user \"" + w.user + "\" different global permissions";
    for (const auto& p : paths)
      if (!(a.path_permissions(ra, p) == b.path_permissions(rb, p)))
        return "the re-parsed dump gives user \"" + w.user + "\" different permissions at \"" + p +
               "\"";
  }
  return "";
}

// Properties of one parsed store that follow from SPEC §2.3 alone.
inline std::string check_store_model(const Store& store, const std::vector<SessionSubject>& who,
                                     const std::vector<std::string>& names,
                                     const std::vector<std::string>& paths) {
  for (const auto& w : who) {
    const SessionAccess access = store.resolve(w);
    const RoleSet& roles = access.roles;
    const std::vector<std::string>& role_names = access.role_names;
    if (store.role_names(roles) != role_names) return "resolve's role names are not its role set's";
    // The closure is closed: closing it again adds nothing.
    RoleSet again = store.closure_of(role_names);
    if (store.role_names(again) != role_names) return "closure_of(resolve(who)) != resolve(who)";
    if (!(store.global_permissions(again) == store.global_permissions(roles)))
      return "global permissions differ for the same role set";
    (void)store.explain_roles(w);
    for (const auto& p : paths) {
      PathPermissions held = store.path_permissions(roles, p);
      if (!normalize_path(p) && !held.empty())
        return "a path that normalises to empty (\"" + p + "\") has permissions";
      // The decisions explain the answer: their union is what is held, but
      // for EXPOSE_BRANCH, which is also held below where it is granted.
      PathPermissions explained;
      for (const auto& d : store.explain_path(roles, p)) explained |= d.permissions;
      std::uint32_t expose = PathPermissions::bit(PathPermission::EXPOSE_BRANCH);
      if ((explained.bits & ~held.bits) != 0)
        return "explain_path at \"" + p + "\" names permissions that path_permissions does not give";
      if (((held.bits & ~explained.bits) & ~expose) != 0)
        return "path_permissions at \"" + p + "\" gives permissions that explain_path does not explain";
    }
  }
  for (const auto& n : names) {
    (void)store.has_role(n);
    (void)store.lock_of(n);
    (void)normalize_path(n);
  }
  return "";
}

// The loader reads `set "R" path "P" permissions [...]` lines through a
// shortcut (parse_path_statement) before the lexer and parser: whatever it
// takes, they must take too, as the same statement. `taken` says whether
// the shortcut took the line.
inline bool same_statement(const detail::Statement& a, const detail::Statement& b) {
  return a.kind == b.kind && a.where.column == b.where.column && a.role == b.role && a.subject == b.subject &&
         a.path.bits == b.path.bits && a.global.bits == b.global.bits && a.roles == b.roles;
}

inline std::string check_path_shortcut_line(std::string_view line, bool* taken = nullptr) {
  detail::Statement fast;
  const bool took = detail::parse_path_statement(line, fast);
  if (taken) *taken = took;
  if (!took) return "";
  std::vector<detail::Token> tokens;
  std::string unescaped;
  detail::LexError lex_error;
  if (!detail::tokenize_line(line, tokens, unescaped, lex_error))
    return "the path-statement shortcut takes a line the lexer refuses: " + std::string(line);
  detail::Statement slow;
  std::vector<detail::ParseError> errors;
  if (tokens.empty() || !detail::parse_statement(tokens, slow, errors))
    return "the path-statement shortcut takes a line the parser refuses: " + std::string(line);
  if (!same_statement(fast, slow))
    return "the path-statement shortcut reads a line otherwise than the parser: " + std::string(line);
  return "";
}

// The loader gives the shortcut the rest of the text, not the line: it
// must take the same lines, find their ends, and read the same statements.
inline std::string check_path_shortcut(std::string_view text) {
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    if (std::string e = check_path_shortcut_line(line); !e.empty()) return e;
    detail::Statement by_line, in_text;
    std::size_t length = 0;
    const bool took = detail::parse_path_statement(line, by_line);
    if (detail::parse_path_statement_in(text.substr(start), in_text, length) != took)
      return "the path-statement shortcut takes a line in the text otherwise than alone: " + std::string(line);
    if (took && (length != line.size() || !same_statement(in_text, by_line)))
      return "the path-statement shortcut reads a line in the text otherwise than alone: " + std::string(line);
    start = end + 1;
  }
  return "";
}

// A session open without require_path= builds the store WithoutPaths
// (store/builder.hpp): it must refuse exactly what the whole store refuses,
// with the same errors, and give everyone the same roles and global
// permissions.
inline std::string check_without_paths(const Outcome<Store>& whole, std::string_view text,
                                       const std::string& file_name, const std::vector<SessionSubject>& who) {
  Outcome<Store> lean = detail::build_store({{file_name, text}}, SIZE_MAX, {}, {}, {}, detail::StoreParts::WithoutPaths);
  auto errors = [](const std::vector<Diagnostic>& ds) {
    std::vector<std::string> out;
    for (const auto& d : ds)
      if (d.severity == Severity::Error) out.push_back(d.str());
    return out;
  };
  if (lean.ok() != whole.ok()) return "the store without its paths is accepted differently from the whole store";
  if (errors(lean.diagnostics) != errors(whole.diagnostics))
    return "the store without its paths has other errors than the whole store";
  if (!whole.ok()) return "";
  for (const auto& w : who) {
    const SessionAccess a = whole.value->resolve(w);
    const SessionAccess b = lean.value->resolve(w);
    if (a.role_names != b.role_names) return "the store without its paths gives a session other roles";
    if (!(a.global == b.global)) return "the store without its paths gives a session other global permissions";
  }
  return "";
}

inline std::string check_store(std::string_view text) {
  const std::string file_name = "fuzz/Security.store";
  if (std::string e = check_path_shortcut(text); !e.empty()) return e;
  Outcome<Store> parsed = Store::parse(text, file_name);
  std::vector<std::string> names = quoted_strings(text);
  std::vector<SessionSubject> who = identities_for(names);
  if (std::string e = check_without_paths(parsed, text, file_name, who); !e.empty()) return e;
  if (!parsed.ok()) return check_failure_is_explained(parsed, text, file_name, true);
  if (parsed.first_error() != nullptr) return "a parsed store also carries an error";
  const Store& store = *parsed.value;

  std::vector<std::string> paths = paths_for(names);
  if (std::string e = check_store_model(store, who, names, paths); !e.empty()) return e;

  // Round trip (SPEC §2.3, store.hpp): the dump parses to an equal store,
  // and dumping that gives the same text.
  std::string dump = store.dump();
  Outcome<Store> reparsed = Store::parse(dump, "fuzz/dump");
  if (!reparsed.ok()) {
    const Diagnostic* err = reparsed.first_error();
    return "the dump does not parse: " + (err ? err->str() : std::string("(no diagnostic)"));
  }
  if (reparsed.value->dump() != dump) return "dump(parse(dump(store))) != dump(store)";
  return compare_stores(store, *reparsed.value, who, paths);
}

// An apply script (SPEC §5 `secstore apply`) runs its statements after the
// store's, as one transaction (Store::parse_with_script). The input is
// `apply` keeping the file as written (SPEC §5): appending the script always
// means what the transaction means; the in-place rewrite parses, and apply
// takes it only when it means the same (it may not: a role mentioned only by
// a replaced statement stops existing). Either way the file's comment and
// blank lines all stay, in order, and the diff is empty exactly when the
// text is unchanged.
inline std::string check_rewrite(std::string_view store_text, std::string_view script, const std::string& meaning) {
  using detail::RewriteMode;
  for (auto mode : {RewriteMode::InPlace, RewriteMode::AppendOnly}) {
    auto rewritten = detail::rewrite_store_text(store_text, script, mode, "a", "b");
    auto reparsed = Store::parse(rewritten.text, "fuzz/rewritten");
    const char* which = mode == RewriteMode::InPlace ? "in place" : "appending";
    if (!reparsed.ok()) return std::string("the store rewritten ") + which + " does not parse";
    if (mode == RewriteMode::AppendOnly && reparsed.value->dump() != meaning)
      return "the store with the script appended means something else than the transaction";
    if ((rewritten.text != store_text) != !rewritten.diff.empty())
      return std::string("the diff ") + (rewritten.diff.empty() ? "is empty for a change" : "shows a change that is not");
    // Every line without a statement (comments, blank lines) survives, in order.
    auto plain_lines = [](std::string_view text) {
      std::vector<std::string_view> out;
      for (std::size_t start = 0; start < text.size();) {
        std::size_t end = std::min(text.find('\n', start), text.size());
        std::string_view line = text.substr(start, end - start);
        std::size_t first = line.find_first_not_of(" \t\r\f\v");
        if (first == std::string_view::npos || line[first] == '#') out.push_back(line);
        start = end + 1;
      }
      return out;
    };
    const auto before = plain_lines(store_text), after = plain_lines(rewritten.text);
    std::size_t at = 0;
    for (auto line : after)
      if (at < before.size() && line == before[at]) ++at;
    if (at != before.size()) return std::string("rewriting ") + which + " lost a comment or blank line of the file";
  }
  return "";
}

// "STORE\n%%\nSCRIPT" (no separator: all script, on an empty store).
// Properties: for root, applying is the same as parsing the store followed by
// the script (same acceptance, same result); a locked role can only make a
// non-root invoker's script fail, never change what an accepted one gives;
// an applied store dumps to text that parses back to the same store.
inline std::string check_apply(std::string_view input) {
  std::string_view store_text, script = input;
  if (std::size_t sep = input.find("\n%%\n"); sep != std::string_view::npos) {
    store_text = input.substr(0, sep);
    script = input.substr(sep + 4);
  }
  const std::string store_name = "fuzz/Security.store", script_name = "fuzz/script";
  Outcome<Store> as_root =
      Store::parse_with_script(store_text, store_name, script, script_name, "root", true);
  Outcome<Store> as_alice =
      Store::parse_with_script(store_text, store_name, script, script_name, "alice", false);

  // Each part is a file of its own, and a file may start with a UTF-8 byte
  // order mark; inside the concatenation it would be a stray byte.
  auto without_bom = [](std::string_view text) {
    return text.starts_with("\xEF\xBB\xBF") ? text.substr(3) : text;
  };
  std::string combined(without_bom(store_text));
  combined += '\n';
  combined += without_bom(script);
  Outcome<Store> concatenated = Store::parse(combined, "fuzz/combined");

  if (as_root.ok() != concatenated.ok())
    return as_root.ok() ? "root's script is accepted but the store followed by it is not"
                        : "root's script is rejected but the store followed by it parses";
  if (!as_root.ok()) {
    const Diagnostic* err = as_root.first_error();
    if (err == nullptr || err->message.empty()) return "a rejected script has no error message";
    if (err->where.file != store_name && err->where.file != script_name)
      return "a script error names neither the store nor the script: " + err->str();
    if (as_alice.ok()) return "a script rejected for root is accepted for alice";
    return "";
  }
  std::vector<std::string> names = quoted_strings(input);
  std::vector<SessionSubject> who = identities_for(names);
  std::vector<std::string> paths = paths_for(names);
  if (as_root.value->dump() != concatenated.value->dump())
    return "applying as root gives a different store than parsing the store followed by the script";
  if (as_alice.ok() && as_alice.value->dump() != as_root.value->dump())
    return "the same script gives alice a different store than root";
  std::string dump = as_root.value->dump();
  Outcome<Store> reparsed = Store::parse(dump, "fuzz/dump");
  if (!reparsed.ok()) return "the dump after applying a script does not parse";
  if (std::string v = compare_stores(*as_root.value, *reparsed.value, who, paths); !v.empty()) return v;
  return check_rewrite(store_text, script, dump);
}

// A private directory holding the files a fuzzed secstore.conf may include
// by relative name: loops, a deep chain, a directory with a dot-file, an
// unsafe file, a FIFO, symlinks. Built once per process, removed at exit.
class ConfSandbox {
 public:
  ConfSandbox() {
    char templ[] = "/tmp/secstore-fuzz-XXXXXX";
    if (::mkdtemp(templ) == nullptr) std::abort();
    dir_ = templ;
    write("empty.conf", "");
    write("one.conf", "Security { capabilities = \"cap_net_raw+ep\" }\n");
    write("self.conf", "include \"self.conf\"\n");
    write("loop_a.conf", "include \"loop_b.conf\"\n");
    write("loop_b.conf", "include \"loop_a.conf\"\n");
    write("bad.conf", "Security { no_such_option = 1 }\n");
    for (int i = 0; i < 40; ++i)
      write("deep/" + std::to_string(i) + ".conf",
            "include \"" + std::to_string(i + 1) + ".conf\"\n");
    write("deep/40.conf", "Security \"deepest\" { user = root\n capabilities = \"^cap_chown\" }\n");
    write("dir/10-a.conf", "Security \"a\" { group = netops\n supplemental_groups = ( adm ) }\n");
    write("dir/20-b.conf", "Security \"b\" { role = ( A B ) chroot = \"/srv/jail\" }\n");
    write("dir/.hidden.conf", "this is not configuration {\n");
    write("unsafe.conf", "Security { }\n");
    ::chmod(path("unsafe.conf").c_str(), 0666);
    ::mkfifo(path("fifo").c_str(), 0600);
    std::error_code ec;
    std::filesystem::create_symlink("one.conf", path("link.conf"), ec);
    std::filesystem::create_symlink("nowhere.conf", path("dangling.conf"), ec);
    std::filesystem::create_directories(path("secstore.d"), ec);
    write("secstore.d/fuzz.conf", "Security \"svc\" { capabilities = \"cap_net_admin=i\" }\n");
  }
  ConfSandbox(const ConfSandbox&) = delete;
  ConfSandbox& operator=(const ConfSandbox&) = delete;
  ~ConfSandbox() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  // Writes the input where it claims to be, so that an include of itself
  // reads the same text.
  void write(const std::string& name, std::string_view text) const {
    std::string p = path(name);
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(p).parent_path(), ec);
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) std::abort();
    std::size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::write(fd, text.data() + done, text.size() - done);
      if (n <= 0) std::abort();
      done += static_cast<std::size_t>(n);
    }
    ::close(fd);
  }

 private:
  std::string dir_;
};

// Sessions to plan for: who, and the roles held.
struct PlanCase {
  SessionSubject who;
  std::vector<std::string> roles;
};

inline std::vector<PlanCase> plan_cases_for(const std::vector<std::string>& names) {
  auto group = [](std::string name, gid_t gid) { return SessionGroup{std::move(name), gid}; };
  std::vector<PlanCase> cases;
  cases.push_back({SessionSubject::anonymous_session(), {}});
  SessionSubject root = SessionSubject::named("root", {}, 0);
  root.groups = {group("root", 0)};
  cases.push_back({root, {"A"}});
  SessionSubject alice = SessionSubject::named("alice", {}, 1000);
  alice.groups = {group("alice", 1000), group("netops", 1001)};
  cases.push_back({alice, {"A", "B", "C"}});
  cases.push_back({SessionSubject::named("ghost", {}), {}});
  if (names.size() >= 3) {
    SessionSubject other = SessionSubject::named(names[0], {}, 4242);
    other.groups = {group(names[1], 4242)};
    cases.push_back({other, {names[2]}});
  }
  return cases;
}

// What the name service of the fuzzed host knows: the sandbox's names and
// every quoted string, so that plans get past the unknown-group check.
inline ResolvedNames names_for(const std::vector<std::string>& quoted) {
  ResolvedNames names;
  names.users = {{"root", 0}, {"alice", 1000}};
  names.groups = {{"root", 0}, {"alice", 1000}, {"netops", 1001}, {"adm", 4}};
  gid_t next = 5000;
  for (const auto& q : quoted) {
    names.users.emplace(q, next);
    names.groups.emplace(q, next++);
  }
  return names;
}

inline std::string check_plan(const Config& conf, const PlanCase& c, const ResolvedNames& names) {
  SessionAccess access;
  access.role_names = c.roles;
  std::sort(access.role_names.begin(), access.role_names.end());
  Outcome<SessionPlan> plan = conf.plan(c.who, access, names, kernel_capability_count());
  if (!plan.ok()) {
    const Diagnostic* err = plan.first_error();
    if (err == nullptr || err->message.empty()) return "a failed plan has no error message";
    return "";
  }
  const SessionPlan& p = *plan.value;
  if (p.root_exclusive && !c.who.is_root()) return "a plan confines a session that is not root as root";
  const CapabilityMask kernel = capability_mask_of_count(kernel_capability_count());
  if (p.inheritable_clear & ~kernel) return "a root plan clears a capability the kernel does not have";
  if (p.inheritable_clear & (p.caps.ambient | p.caps.inheritable)) return "a plan clears what it grants";
  if (p.chroot && p.chroot->empty()) return "a plan has an empty chroot";
  // Deduplicated, as conf.hpp promises.
  std::set<std::string_view> seen;
  for (const auto& g : p.supplemental_groups)
    if (!seen.insert(g).second) return "a plan lists supplemental group \"" + g + "\" twice";
  if (p.supplemental_gids.size() > p.supplemental_groups.size()) return "a plan has more gids than groups";
  return "";
}

inline std::string check_conf(std::string_view text, const ConfSandbox& sandbox) {
  const std::string file_name = sandbox.path("fuzz.conf");
  // The input is on disk where it claims to be whenever it could read itself
  // (an include naming it) and before load() below; writing it for every
  // input would halve the fuzzer's speed.
  const bool on_disk = text.find("fuzz") != std::string_view::npos;
  if (on_disk) sandbox.write("fuzz.conf", text);
  // As the module reads files; a fuzzer run by a user cannot make root-owned
  // files, so there the ownership check is left out.
  FileSafety safety;
  safety.enforce = ::geteuid() == 0;
  Outcome<Config> parsed = Config::parse(text, file_name, safety);
  if (!parsed.ok()) return check_failure_is_explained(parsed, text, file_name, false);
  const Config& conf = *parsed.value;
  (void)conf.lint();
  (void)conf.names_needed();
  (void)conf.sources();

  std::vector<std::string> names = quoted_strings(text);
  for (const auto& n : names) {
    std::string error;
    (void)parse_capability_text(n, error);
  }
  const ResolvedNames resolved = names_for(names);
  for (const auto& c : plan_cases_for(names))
    if (std::string e = check_plan(conf, c, resolved); !e.empty()) return e;

  // The same text read from disk must be accepted too (load = read + parse).
  if (!on_disk) sandbox.write("fuzz.conf", text);
  Outcome<Config> loaded = Config::load(file_name, safety);
  if (!loaded.ok()) {
    const Diagnostic* err = loaded.first_error();
    return "parse accepts the input but load of the same file rejects it: " +
           (err ? err->str() : std::string("(no diagnostic)"));
  }
  // A service override from secstore.d/ beside it.
  Outcome<Config> svc = Config::load_for_service(file_name, "fuzz", safety);
  if (svc.ok())
    for (const auto& c : plan_cases_for(names))
      if (std::string e = check_plan(*svc.value, c, resolved); !e.empty()) return e;
  return "";
}

// Capability text alone (SPEC §3), through libcap.
inline std::string check_capability_text(std::string_view text) {
  std::string error;
  std::optional<CapabilitySets> sets = parse_capability_text(text, error);
  if (!sets) return error.empty() ? "a rejected capability text has no message" : "";
  if (sets->ambient & ~sets->inheritable) return "an ambient capability is not inheritable";
  for (const auto& n : capability_names(sets->ambient | sets->inheritable | sets->bounding_drop))
    if (n.empty()) return "capability_names gives an empty name";
  return "";
}

}  // namespace secstore::fuzz
