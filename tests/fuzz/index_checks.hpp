// What the index fuzz target checks (tests/fuzz/index_fuzzer.cpp), shared
// with the replay test: hostile bytes given to the compiled index reader as
// the module would read them (header, table, entries through pread), after
// every checksum in them has been made right, so that mutations reach the
// counts, offsets and sizes behind the checksums instead of stopping at the
// first one.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "index/format.hpp"
#include "index/index.hpp"
#include "secstore/unique_fd.hpp"

namespace secstore::fuzz {

template <class T>
bool read_at(const std::string& image, std::uint64_t at, T& out) {
  if (at > image.size() || image.size() - at < sizeof(T)) return false;
  std::memcpy(&out, image.data() + at, sizeof(T));
  return true;
}
template <class T>
void write_at(std::string& image, std::uint64_t at, const T& value) {
  std::memcpy(image.data() + at, &value, sizeof(T));
}

struct IndexKey {
  detail::EntryKind kind;
  std::string name;
};

// Sets every checksum the reader verifies to the value it expects (header,
// sources, each entry a slot points to, each slot), keeping the image's
// length: what remains wrong is only what a checksum cannot catch. Returns
// the keys of the entries the slots point to, to ask the index about.
inline std::vector<IndexKey> repair_index_checksums(std::string& image) {
  using namespace secstore::detail;
  std::vector<IndexKey> keys;
  IndexHeader h{};
  if (!read_at(image, 0, h)) return keys;
  h.checksum = header_checksum(h);
  write_at(image, 0, h);
  if (h.sources_size >= sizeof(std::uint32_t) && h.sources_at <= image.size() &&
      h.sources_size <= image.size() - h.sources_at) {
    const std::uint64_t sum_at = h.sources_at + h.sources_size - sizeof(std::uint32_t);
    write_at(image, sum_at, checksum32(image.data() + h.sources_at, h.sources_size - sizeof(std::uint32_t)));
  }
  if (h.slot_count == 0 || h.slot_count > image.size() / sizeof(IndexSlot)) return keys;
  for (std::uint64_t i = 0; i < h.slot_count && i < 4096; ++i) {
    const std::uint64_t slot_at = h.slots_at + i * sizeof(IndexSlot);
    IndexSlot slot{};
    if (slot_at < h.slots_at || !read_at(image, slot_at, slot)) break;
    EntryHead head{};
    if (slot.entry_at != 0 && read_at(image, slot.entry_at, head) && head.size >= sizeof head &&
        head.size <= image.size() - slot.entry_at) {
      const std::size_t covered = offsetof(EntryHead, kind);
      head.checksum = checksum32(image.data() + slot.entry_at + covered, head.size - covered);
      write_at(image, slot.entry_at, head);
      if (head.name_size <= head.size - sizeof head) {
        std::string name(image.data() + slot.entry_at + sizeof head, head.name_size);
        keys.push_back(IndexKey{static_cast<EntryKind>(head.kind), name});
        slot.hash = key_hash(static_cast<EntryKind>(head.kind), name);
      }
    }
    slot.check = slot_check(i, slot.hash, slot.entry_at);
    write_at(image, slot_at, slot);
  }
  return keys;
}

// Everything a session open asks, for each key the image holds, plus
// questions about names it does not hold; answers as text, to compare two
// readings.
inline std::string ask_index(const detail::CompiledIndex& index, const std::vector<IndexKey>& keys) {
  using detail::EntryKind;
  // The sources as the module's source check reads them (the checked
  // section, decoded again on each call).
  std::string answers = "compiled for " + index.store_path() + " and " + index.conf_path() + "\n";
  for (const auto& source : index.sources())
    answers += "source " + std::to_string(static_cast<int>(source.kind)) + " " + source.path + "\n";
  auto note = [&](const std::optional<SessionAccess>& access, const std::string& problem) {
    if (!access) {
      answers += "no access: " + problem + "\n";
      return;
    }
    answers += "roles";
    for (const auto& r : access->role_names) answers += " " + r;
    answers += " global " + std::to_string(access->global.bits) + "\n";
    for (std::string path : {"", "x", "x/y/z", "svc/web", "iso/in"}) {
      std::string why;
      auto p = index.path_permissions(access->roles, path, why);
      answers += p ? "path " + path + " " + std::to_string(p->bits) + "\n" : "path damaged: " + why + "\n";
    }
  };
  std::vector<SessionSubject> who = {SessionSubject::anonymous_session(),
                                     SessionSubject::named("nobody-here", {"no-group"}, 4242),
                                     SessionSubject::named("root", {"root"}, 0)};
  std::vector<std::string> paths, services = {"", "sshd"};
  // Bounded, so that one input costs milliseconds whatever it holds.
  for (const auto& k : keys) {
    if (k.kind == EntryKind::User && who.size() < 12) who.push_back(SessionSubject::named(k.name, {}, 1000));
    if (k.kind == EntryKind::Group && who.size() < 12) who.push_back(SessionSubject::named("member", {k.name}, 1001));
    if (k.kind == EntryKind::Path && paths.size() < 32) paths.push_back(k.name);
    if (k.kind == EntryKind::Scopes && services.size() < 8) services.push_back(k.name);
  }
  for (const auto& subject : who) {
    std::string problem;
    auto access = index.session_access(subject, problem);
    note(access, problem);
    if (!access) continue;
    for (const auto& path : paths) {
      std::string why;
      auto p = index.path_permissions(access->roles, path, why);
      answers += p ? "path " + std::to_string(p->bits) + "\n" : "path damaged: " + why + "\n";
    }
  }
  for (const auto& service : services) {
    std::string problem;
    auto scopes = index.scopes(service, problem);
    answers += scopes ? "scopes " + std::to_string(scopes->size()) + "\n" : "scopes damaged: " + problem + "\n";
  }
  return answers;
}

inline UniqueFd memory_file(const std::string& bytes) {
  UniqueFd fd(::memfd_create("secstore-index-fuzz", MFD_CLOEXEC));
  if (fd.get() < 0) return fd;
  for (std::size_t done = 0; done < bytes.size();) {
    ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n <= 0) return UniqueFd();
    done += static_cast<std::size_t>(n);
  }
  return fd;
}

// Why the reader refuses the image as it is ("" when it reads it).
inline std::string index_refusal(std::string_view input) {
  UniqueFd fd = memory_file(std::string(input));
  auto opened = detail::CompiledIndex::read(std::move(fd), input.size(), nullptr);
  return opened.index ? "" : opened.problem;
}

// "" when reading the image twice gives the same answers and an index that
// is refused says why.
inline std::string check_index(std::string_view input) {
  std::string image(input);
  const auto keys = repair_index_checksums(image);
  std::string first;
  for (int reading = 0; reading < 2; ++reading) {
    UniqueFd fd = memory_file(image);
    if (fd.get() < 0) return "";  // no memory file: nothing to check
    auto opened = detail::CompiledIndex::read(std::move(fd), image.size(), nullptr);
    if (!opened.index) {
      if (opened.problem.empty()) return "an index was refused without a reason";
      return "";
    }
    std::string answers = ask_index(*opened.index, keys);
    if (reading == 0) first = std::move(answers);
    else if (answers != first) return "two readings of the same index answered differently";
  }
  return "";
}

}  // namespace secstore::fuzz
