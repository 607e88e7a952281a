// The compiled policy as the module reads it (policy/policy.cpp is its only
// user): a header, the sources, and the few entries a session needs, with
// pread, each checked, so a session open costs the same whatever the size
// of the store.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conf/data.hpp"
#include "eval/walk.hpp"
#include "index/scopes_codec.hpp"
#include "secstore/file.hpp"
#include "secstore/policy.hpp"
#include "secstore/session.hpp"
#include "secstore/unique_fd.hpp"

namespace secstore::detail {

class VerifiedDirectories;

class CompiledIndex : public std::enable_shared_from_this<CompiledIndex> {
 public:
  struct Opened {
    std::shared_ptr<const CompiledIndex> index;
    // Why an index that exists cannot be used; "" when there is none (or it
    // is used).
    std::string problem;
  };
  // Opens the index beside files.store and checks it: the file rule (SPEC
  // §4.5) for the index, its header intact, compiled for files.store and
  // files.conf, and every source it records unchanged (and itself safe).
  static Opened open(const PolicyFiles& files);
  // open's checks after the file rule, on `fd` (`size` bytes): the header,
  // the table's bounds and the sources section; with `expected`, the
  // sources must name its store and conf and be unchanged. The index fuzz
  // target reads hostile bytes through this, without `expected`.
  // `dirs`: directories already verified (open's, for the sources).
  static Opened read(UniqueFd fd, std::uint64_t size, const PolicyFiles* expected,
                     VerifiedDirectories* dirs = nullptr);

  bool has_group_roles() const { return (flags_ & 1u) != 0; }
  bool selects_by_group() const { return (flags_ & 2u) != 0; }
  // Decoded from the section at each call: a session open needs none of
  // them.
  std::vector<SourceRecord> sources() const;
  // The store and the configuration it was compiled from.
  std::string store_path() const;
  std::string conf_path() const;

  // nullopt with `problem` set when an entry it needs is damaged.
  std::optional<SessionAccess> session_access(const SessionSubject& who, std::string& problem) const;
  std::optional<PathPermissions> path_permissions(const RoleSet& roles, std::string_view path,
                                                  std::string& problem) const;
  // The service's scopes: its override's if it has one, else the main
  // configuration's; as views for planning a session, or whole.
  std::unique_ptr<const CompiledScopes> scope_views(std::string_view service, std::string& problem) const;
  std::optional<std::vector<SecurityScope>> scopes(std::string_view service, std::string& problem) const;

  CompiledIndex(UniqueFd fd, std::uint64_t slot_count, std::uint64_t slots_at, std::uint64_t size,
                std::uint32_t flags, std::string sources);

 private:
  enum class Lookup { Found, Absent, Damaged };
  // Finds and checks the entry for (kind, name): `bytes` is then the whole
  // entry and `at` the offset just past its name.
  Lookup find(std::uint8_t kind, std::string_view name, ByteBuffer& bytes, std::size_t& at,
              std::string& problem) const;
  // find, the entry placed in `bytes` from `begin` on (what is before it
  // kept), `at` counted from `begin`.
  Lookup find_at(std::uint8_t kind, std::string_view name, ByteBuffer& bytes, std::size_t begin, std::size_t& at,
                 std::string& problem) const;

  UniqueFd fd_;
  std::uint64_t slot_count_;
  std::uint64_t slots_at_;
  std::uint64_t size_;
  std::uint32_t flags_;
  // The sources section as read (and checked), its checksum left off.
  std::string sources_;
};

// Whether the file or directory at record.path is still what was recorded
// (and safe): "" when it is, else why not.
std::string source_change(const SourceRecord& record);
// The same, checking in directories `dirs` has verified where it can.
std::string source_change(const SourceRecord& record, VerifiedDirectories& dirs);

}  // namespace secstore::detail
