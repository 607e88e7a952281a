// `secstore compile`: the compiled policy (index/format.hpp) from the store,
// its drop-ins, the configuration and every per-service override.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "conf/data.hpp"
#include "eval/session_lists.hpp"
#include "index/bytes.hpp"
#include "index/format.hpp"
#include "index/scopes_codec.hpp"
#include "secstore/file_update.hpp"
#include "secstore/policy.hpp"
#include "store/access.hpp"

namespace secstore {
namespace {

using detail::EntryKind;

struct Key {
  EntryKind kind;
  std::string name;
  const detail::RoleList* list = nullptr;                   // session lists
  const detail::PathNode* node = nullptr;                   // Path
  std::uint32_t role = 0;                                   // RoleDefault
  const std::vector<detail::SecurityScope>* scopes = nullptr;  // Scopes
};

// One entry: a session list's closure with names and global bits, a path's
// assignments, a role's default path permissions, or a service's scopes.
std::string make_entry(const detail::StoreData& d, const Key& key) {
  std::string body;
  detail::ByteWriter w(body);
  std::uint32_t count = 0;
  if (key.list != nullptr) {
    for (auto id : detail::closure(d, key.list->roles)) {
      const std::string& name = d.roles[id].name;
      w.put(detail::RoleHead{id, d.global_of[id].bits, static_cast<std::uint32_t>(name.size())});
      body += name;
      ++count;
    }
  } else if (key.node != nullptr) {
    w.put(std::uint32_t{key.node->isolated ? 1u : 0u});
    for (const auto& a : key.node->assignments) {  // sorted by role id
      w.put(detail::PathAssignment{a.role, a.permissions.bits});
      ++count;
    }
  } else if (key.scopes != nullptr) {
    detail::encode_scopes(
        *key.scopes, [&](std::string_view name) { return d.find_role(name).value_or(detail::kNoRole); }, body);
    count = static_cast<std::uint32_t>(key.scopes->size());
  } else {
    w.put(d.default_of[key.role].bits);
  }
  detail::EntryHead head{};
  head.kind = static_cast<std::uint8_t>(key.kind);
  head.name_size = static_cast<std::uint32_t>(key.name.size());
  head.role_count = count;
  head.size = static_cast<std::uint32_t>(sizeof head + key.name.size() + body.size());
  std::string entry;
  detail::ByteWriter(entry).put(head);
  entry += key.name;
  entry += body;
  const std::size_t covered = offsetof(detail::EntryHead, kind);
  const std::uint32_t sum = detail::checksum32(entry.data() + covered, entry.size() - covered);
  std::memcpy(entry.data() + offsetof(detail::EntryHead, checksum), &sum, sizeof sum);
  return entry;
}

std::string sources_section(const PolicyFiles& files, const std::vector<SourceRecord>& sources) {
  std::string out;
  detail::ByteWriter w(out);
  w.put_string(files.store);
  w.put_string(files.conf);
  w.put(static_cast<std::uint32_t>(sources.size()));
  for (const auto& s : sources) {
    w.put(static_cast<std::uint8_t>(s.kind));
    w.put_string(s.path);
    const auto& id = s.identity;
    for (std::uint64_t v : {id.dev, id.ino, id.size}) w.put(v);
    for (std::int64_t v : {id.mtime_sec, id.mtime_nsec, id.ctime_sec, id.ctime_nsec}) w.put(v);
  }
  w.put(detail::checksum32(out.data(), out.size()));
  return out;
}

struct Compiled {
  const detail::StoreData& store;
  std::map<std::string, std::vector<detail::SecurityScope>> scopes;  // "" = the main configuration
  std::vector<SourceRecord> sources;
  std::uint32_t flags = 0;
};

std::string index_bytes(const PolicyFiles& files, const Compiled& c) {
  const detail::StoreData& d = c.store;
  std::vector<Key> keys;
  if (d.named_sessions) keys.push_back({EntryKind::Named, "", &*d.named_sessions});
  if (d.anonymous_sessions) keys.push_back({EntryKind::Anonymous, "", &*d.anonymous_sessions});
  for (const auto& [user, list] : d.user_roles) keys.push_back({EntryKind::User, user, &list});
  for (const auto& [group, list] : d.group_roles) keys.push_back({EntryKind::Group, group, &list});
  for (const auto& node : d.nodes) keys.push_back({EntryKind::Path, node.path, nullptr, &node});
  for (std::uint32_t id = 0; id < d.default_of.size(); ++id)
    if (!d.default_of[id].empty())
      keys.push_back({EntryKind::RoleDefault, std::string(reinterpret_cast<const char*>(&id), sizeof id), nullptr,
                      nullptr, id});
  for (const auto& [service, scopes] : c.scopes)
    keys.push_back({EntryKind::Scopes, service, nullptr, nullptr, 0, &scopes});

  const std::string sources = sources_section(files, c.sources);
  std::uint64_t slot_count = 8;
  while (slot_count < keys.size() * 2) slot_count *= 2;  // load factor <= 0.5
  const std::uint64_t sources_at = sizeof(detail::IndexHeader);
  const std::uint64_t slots_at = sources_at + sources.size();
  std::vector<detail::IndexSlot> slots(slot_count, detail::IndexSlot{0, 0, 0});
  std::string entries;
  std::uint64_t next_at = slots_at + slot_count * sizeof(detail::IndexSlot);
  for (const auto& key : keys) {
    const std::uint64_t h = detail::key_hash(key.kind, key.name);
    std::uint64_t i = h & (slot_count - 1);
    while (slots[i].entry_at != 0) i = (i + 1) & (slot_count - 1);
    slots[i].hash = h;
    slots[i].entry_at = next_at;
    std::string entry = make_entry(d, key);
    next_at += entry.size();
    entries += entry;
  }
  for (std::uint64_t i = 0; i < slot_count; ++i) slots[i].check = detail::slot_check(i, slots[i].hash, slots[i].entry_at);

  detail::IndexHeader header{};
  std::memcpy(header.magic, detail::kIndexMagic, sizeof header.magic);
  header.version = detail::kIndexVersion;
  header.byte_order = detail::kByteOrderMark;
  header.sources_at = sources_at;
  header.sources_size = sources.size();
  header.slot_count = slot_count;
  header.slots_at = slots_at;
  header.file_size = next_at;
  header.flags = c.flags;
  header.checksum = detail::header_checksum(header);

  std::string out;
  out.reserve(next_at);
  detail::ByteWriter(out).put(header);
  out += sources;
  out.append(reinterpret_cast<const char*>(slots.data()), slots.size() * sizeof(detail::IndexSlot));
  out += entries;
  return out;
}

void take(std::vector<Diagnostic>& into, std::vector<Diagnostic>& from) {
  for (auto& d : from) into.push_back(std::move(d));
  from.clear();
}

// The index reveals what its sources say: it is no more readable than the
// least readable of them.
mode_t strictest_mode(const std::vector<SourceRecord>& sources) {
  mode_t mode = 0644;
  for (const auto& s : sources) {
    struct stat st {};
    if (s.kind == SourceRecord::Kind::File && ::stat(s.path.c_str(), &st) == 0) mode &= st.st_mode & 0644;
  }
  return mode;
}

}  // namespace

std::string policy_index_path(const std::string& store_path) { return store_path + ".idx"; }

Outcome<std::string> compile_policy(const PolicyFiles& files, const FileSafety& safety) {
  std::vector<Diagnostic> diagnostics;
  ReadBudget budget;
  auto store = Store::load(files.store, safety, &budget);
  take(diagnostics, store.diagnostics);
  auto conf = Config::load(files.conf, safety, &budget);
  take(diagnostics, conf.diagnostics);
  if (!store.ok() || !conf.ok()) return Outcome<std::string>::failure(std::move(diagnostics));

  Compiled c{detail::StoreAccess::data(*store.value), {}, {}, 0};
  c.sources = store.value->sources();
  for (const auto& s : conf.value->sources()) c.sources.push_back(s);
  c.scopes[""] = detail::ConfigAccess::data(*conf.value).scopes;
  bool selects_by_group = conf.value->selects_by_group();

  // Every override in secstore.d, so that one index serves every service.
  const std::string dir = service_override_directory(files.conf);
  auto listed = read_policy_directory(dir, ".conf", safety);
  take(diagnostics, listed.diagnostics);
  if (!listed.ok()) return Outcome<std::string>::failure(std::move(diagnostics));
  c.sources.push_back(listed.value->record);
  for (const auto& name : listed.value->names) {
    auto service = Config::load(dir + "/" + name, safety, &budget);
    take(diagnostics, service.diagnostics);
    if (!service.ok()) return Outcome<std::string>::failure(std::move(diagnostics));
    for (const auto& s : service.value->sources()) c.sources.push_back(s);
    c.scopes[name.substr(0, name.size() - 5)] = detail::ConfigAccess::data(*service.value).scopes;
    selects_by_group = selects_by_group || service.value->selects_by_group();
  }
  c.flags = (store.value->has_group_roles() ? detail::kIndexHasGroupRoles : 0u) |
            (selects_by_group ? detail::kIndexSelectsByGroup : 0u);
  const std::string path = policy_index_path(files.store);
  auto written = replace_file_atomically(path, index_bytes(files, c), ReplaceMode{strictest_mode(c.sources)});
  take(diagnostics, written.diagnostics);
  if (!written.ok()) return Outcome<std::string>::failure(std::move(diagnostics));
  return Outcome<std::string>::success(path, std::move(diagnostics));
}

}  // namespace secstore
