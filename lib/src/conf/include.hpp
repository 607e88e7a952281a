// Reading secstore.conf with its `include "file-or-dir"` directives expanded
// in place (SPEC §3): relative to the including file, a directory read in
// name order with dot-files skipped, every file and directory checked by the
// one safety rule (sys/file.cpp), cycles refused, the whole load bounded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "conf/syntax.hpp"
#include "secstore/diagnostic.hpp"
#include "secstore/file.hpp"

namespace secstore::detail {

struct ConfTree {
  std::vector<ConfNode> nodes;        // no Include nodes left
  std::vector<std::string> files;     // every file read, in reading order (ConfPos::file indexes it)
  std::vector<SourceRecord> sources;  // every file and included directory read
};

// Reads `path` from disk.
Outcome<ConfTree> load_conf_tree(const std::string& path, const FileSafety& safety, ReadBudget& budget);
// Parses `text` as if it were the file `file_name` (includes resolve against
// its directory and are read from disk).
Outcome<ConfTree> parse_conf_tree(std::string_view text, const std::string& file_name, const FileSafety& safety,
                                  ReadBudget& budget);

}  // namespace secstore::detail
