#include "audit_report.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "json.hpp"
#include "terminal_text.hpp"
#include "secstore/capabilities.hpp"

namespace secstore::cli {
namespace {

const std::vector<std::string> kNoPaths;
const std::vector<PathPermissions> kNoHeld;
const std::vector<Diagnostic> kNoWarnings;

std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string joined(const std::vector<std::string>& items, const char* separator = ",") {
  return join_items(items, separator);
}

bool has_session(const AuditEntry& e) { return e.decision.session.has_value(); }

ExplainInput explain_input(const AuditEntry& e) {
  return ExplainInput{*e.decision.session, e.form,  e.why->text, e.why->roles, kNoPaths,
                      kNoHeld,             false,   e.service->name, kNoWarnings};
}

std::string result_name(AuditGate::Result r) {
  switch (r) {
    case AuditGate::Result::Passes: return "passes";
    case AuditGate::Result::Refuses: return "refuses";
    case AuditGate::Result::Fails: break;
  }
  return "fails";
}

// "10 ROOT", " 7 HIGH", " - REFUSED"
std::string exposure_cell(const AuditEntry& e) {
  if (e.refused) return " - REFUSED";
  const int score = exposure_score(e.exposure.level);
  return (score < 10 ? " " : "") + std::to_string(score) + " " + upper(exposure_name(e.exposure.level));
}

// The grant in libcap's IAB spelling: ^ambient, inheritable, !dropped.
std::string capabilities_cell(const AuditEntry& e) {
  if (!has_session(e) || !e.service->applies_plan || e.refused) return "-";
  if (!e.exposure.summary.empty() && e.exposure.capabilities.empty()) return e.exposure.summary;
  const SessionPlan& plan = e.decision.session->plan;
  std::vector<std::string> items;
  for (const auto& name : capability_names(plan.caps.ambient)) items.push_back("^" + name);
  for (const auto& name : capability_names(plan.caps.inheritable & ~plan.caps.ambient)) items.push_back(name);
  if (!plan.root_exclusive)
    for (const auto& name : capability_names(plan.caps.bounding_drop)) items.push_back("!" + name);
  std::string cell = items.empty() ? "-" : joined(items);
  return plan.root_exclusive ? cell + " (uid 0 keeps only these)" : cell;
}

std::string also_cell(const AuditEntry& e) {
  std::vector<std::string> notes;
  if (e.refused) notes.push_back(e.refusal);
  if (has_session(e) && e.service->applies_plan && !e.refused) {
    const SessionPlan& plan = e.decision.session->plan;
    if (plan.chroot) notes.push_back("chroot " + *plan.chroot);
    if (!plan.supplemental_groups.empty()) notes.push_back("groups " + joined(plan.supplemental_groups));
  }
  if (!e.service->applies_plan) notes.push_back("pam_secstore only gates this service (no session line)");
  for (const auto& g : e.gates)
    if (g.result == AuditGate::Result::Fails) notes.push_back(where_text(g.line->line.where) + " fails: " + g.reason);
  return joined(notes, "; ");
}

// Whether the session gets anything: roles, or something from its plan.
bool gets_something(const AuditEntry& e) {
  if (!has_session(e)) return false;
  return !e.decision.session->access.role_names.empty() || e.decision.session->plan.grants_anything() ||
         e.decision.session->subject.is_root();
}

// A row in the table: refused, or gets something, or a line of its stack fails.
bool worth_a_row(const AuditEntry& e) {
  if (e.refused || gets_something(e)) return true;
  return std::any_of(e.gates.begin(), e.gates.end(), [](const AuditGate& g) { return g.result != AuditGate::Result::Passes; });
}

// The details say more than the row: there is a session to explain.
bool worth_details(const AuditEntry& e) { return has_session(e) && worth_a_row(e); }

void write_table(std::ostream& out, const AuditReport& r) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"EXPOSURE", "ACCOUNT", "UID", "SERVICE", "ROLES", "CAPABILITIES", "ALSO"});
  for (const auto& e : r.entries) {
    if (!worth_a_row(e)) continue;
    const auto* roles = has_session(e) ? &e.decision.session->access.role_names : nullptr;
    rows.push_back({exposure_cell(e), e.account.name, e.account.uid ? std::to_string(*e.account.uid) : "-",
                    service_label(*e.service), roles && !roles->empty() ? joined(*roles) : "-", capabilities_cell(e),
                    also_cell(e)});
  }
  out << aligned_table(rows);
  // The accounts that get nothing, one line a service.
  bool first = true;
  for (const auto& service : r.services) {
    std::vector<std::string> names;
    for (const auto& e : r.entries)
      if (e.service == &service && !worth_a_row(e)) names.push_back(e.account.name);
    if (names.empty()) continue;
    std::sort(names.begin(), names.end());
    out << (first ? "\n" : "") << "no roles and nothing granted in " << service_label(service) << ": " << names.size()
        << (names.size() == 1 ? " account (" : " accounts (") << joined(names, ", ") << ")\n";
    first = false;
  }
}

void write_details(std::ostream& out, const AuditEntry& e) {
  std::string cell = exposure_cell(e);
  cell.erase(0, cell.find_first_not_of(' '));
  out << '\n' << e.account.name << ", service " << service_label(*e.service) << ": " << cell << '\n';
  std::string body;
  if (has_session(e)) body = explain_text(explain_input(e));
  if (e.refused) body += "refused: " + e.refusal + "\n";
  if (!e.refused && has_session(e) && e.service->applies_plan) {
    body += "exposure: " + std::string(exposure_name(e.exposure.level));
    if (!e.exposure.summary.empty()) body += " (" + e.exposure.summary + ")";
    body += '\n';
    for (const auto& c : e.exposure.capabilities)
      body += "  " + capability_list(CapabilityMask{1} << c.capability) + (c.ambient ? "" : " (inheritable only)") +
              ": " + std::string(exposure_name(c.level)) + ", " + std::string(c.reason) + "\n";
  }
  for (const auto& g : e.gates) {
    const PamLine& l = g.line->line;
    body += "pam: " + where_text(l.where) + " " + l.type + " " + l.control + ": " + result_name(g.result);
    if (!g.reason.empty()) body += " (" + g.reason + ")";
    body += '\n';
  }
  std::istringstream lines(body);
  for (std::string line; std::getline(lines, line);) out << "  " << line << '\n';
}

std::string exposure_json(const AuditEntry& e) {
  if (e.refused)
    return JsonObject().add("score", "null").add("level", json_string("refused")).add("summary", "null").add("capabilities", "[]").str();
  std::vector<std::string> caps;
  for (const auto& c : e.exposure.capabilities)
    caps.push_back(JsonObject()
                       .add("name", json_string(capability_list(CapabilityMask{1} << c.capability)))
                       .add("set", json_string(c.ambient ? "ambient" : "inheritable"))
                       .add("level", json_string(exposure_name(c.level)))
                       .add("reason", json_string(c.reason))
                       .str());
  return JsonObject()
      .add("score", json_number(exposure_score(e.exposure.level)))
      .add("level", json_string(exposure_name(e.exposure.level)))
      .add("summary", e.exposure.summary.empty() ? "null" : json_string(e.exposure.summary))
      .add("capabilities", json_array(caps))
      .str();
}

std::string entry_json(const AuditEntry& e) {
  JsonObject out;
  if (has_session(e)) {
    add_explain_members(out, explain_input(e));
  } else {
    out.add("user", json_string(e.account.name))
        .add("uid", e.account.uid ? json_number(*e.account.uid) : "null")
        .add("service", e.service->name ? json_string(*e.service->name) : "null");
  }
  std::vector<std::string> gates;
  for (const auto& g : e.gates)
    gates.push_back(JsonObject()
                        .add("where", json_location(g.line->line.where))
                        .add("type", json_string(g.line->line.type))
                        .add("control", json_string(g.line->line.control))
                        .add("result", json_string(result_name(g.result)))
                        .add("lacks", json_string_list(g.lacks))
                        .add("reason", g.reason.empty() ? "null" : json_string(g.reason))
                        .str());
  out.add("applies_plan", e.service->applies_plan ? "true" : "false")
      .add("refused", e.refused ? "true" : "false")
      .add("refusal", e.refused ? json_string(e.refusal) : "null")
      .add("pam", json_array(gates))
      .add("exposure", exposure_json(e));
  return out.str();
}

}  // namespace

std::string join_items(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out += separator;
    out += items[i];
  }
  return out;
}

std::string aligned_table(const std::vector<std::vector<std::string>>& given) {
  // Escaped before they are measured, so that the columns stay aligned.
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : given) {
    rows.emplace_back();
    for (const auto& cell : row) rows.back().push_back(terminal_text(cell));
  }
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(width[i] + 2 - row[i].size(), ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + '\n';
  }
  return out;
}

std::string audit_text(const AuditReport& r) {
  std::ostringstream out;
  out << "secstore audit: " << r.account_count << (r.account_count == 1 ? " account" : " accounts");
  if (r.accounts_from == kLocalAccounts)
    out << " from " << kLocalAccounts << " (" << kDirectoryNote << ")\n";
  else
    out << " named with --users\n";
  std::vector<std::string> services;
  for (const auto& s : r.services)
    services.push_back(service_label(s) + (s.pam_file.empty() ? "" : " (" + s.pam_file + ")"));
  out << "services: " << (services.empty() ? "none loads pam_secstore.so" : joined(services, ", ")) << "\n\n";
  write_table(out, r);
  bool any = false;
  for (const auto& e : r.entries)
    if (worth_details(e)) {
      if (!any) out << "\nwhat each account that gets anything gets, and why:\n";
      any = true;
      write_details(out, e);
    }
  return out.str();
}

std::string audit_json(const AuditReport& r) {
  std::vector<std::string> services, entries;
  for (const auto& s : r.services)
    services.push_back(JsonObject()
                           .add("name", s.name ? json_string(*s.name) : "null")
                           .add("pam", s.pam_file.empty() ? "null" : json_string(s.pam_file))
                           .str());
  for (const auto& e : r.entries) entries.push_back(entry_json(e));
  const bool local = r.accounts_from == kLocalAccounts;
  return JsonObject()
             .add("schema", json_number(kAuditSchema))
             .add("accounts", JsonObject()
                                  .add("from", json_string(local ? kLocalAccounts : "--users"))
                                  .add("count", json_number(static_cast<long long>(r.account_count)))
                                  .add("not_enumerated", local ? json_string(kDirectoryNote) : "null")
                                  .str())
             .add("services", json_array(services))
             .add("entries", json_array(entries))
             .add("warnings", json_diagnostics(r.warnings))
             .str() +
         "\n";
}

std::string audit_json_error(const std::vector<Diagnostic>& diagnostics) {
  return json_error(kAuditSchema, diagnostics, "secstore: error: audit failed");
}

std::string ratings_text() {
  std::size_t width = 0;
  for (const auto& r : capability_risks()) width = std::max(width, r.name.size());
  std::string out;
  for (const auto& r : capability_risks()) {
    std::string name(r.name), level(exposure_name(r.level));
    name.resize(width + 2, ' ');
    level.resize(11, ' ');
    out += name + level + std::string(r.reason) + "\n";
  }
  return out;
}

}  // namespace secstore::cli
