// The library's own view of a Store: its parsed data, and building one from
// several texts (the store and its drop-ins, or the store and a script).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "secstore/store.hpp"
#include "store/builder.hpp"
#include "store/data.hpp"

namespace secstore::detail {

struct StoreText {
  std::string name;
  std::string_view text;
};

struct StoreAccess {
  static const StoreData& data(const Store& store) { return *store.data_; }
  static const std::shared_ptr<const StoreData>& shared(const Store& store) { return store.data_; }
  static Store make(std::shared_ptr<const StoreData> data) { return Store(std::move(data)); }
};

// The texts in order as one store (SPEC §2.3: one transaction); from text
// `guarded_from` on, statements are checked against role locks for
// `invoker`. `sources` and the diagnostics so far ride along.
Outcome<Store> build_store(const std::vector<StoreText>& texts, std::size_t guarded_from, const Invoker& invoker,
                           std::vector<SourceRecord> sources, std::vector<Diagnostic> diagnostics,
                           StoreParts parts = StoreParts::All);

// Store::load, building `parts` of it.
Outcome<Store> load_store(const std::string& path, const FileSafety& safety, ReadBudget* budget, StoreParts parts);

}  // namespace secstore::detail
