// `secstore apply` keeps the file as the admin wrote it (SPEC §5): a script
// statement replaces, in place, the statement of the file that sets the same
// thing; one that sets something new is appended; `remove` and `deisolate`
// take out the lines they undo. Comments, blank lines, the spelling of
// untouched statements and a statement's own trailing comment stay.
#pragma once

#include <string>
#include <string_view>

namespace secstore::detail {

struct StoreRewrite {
  std::string text;  // the file after the script
  std::string diff;  // unified diff from the file to `text` ("" when equal)
};

enum class RewriteMode {
  InPlace,     // replace, append, remove as above
  AppendOnly,  // the script's lines after the file's: always the same store
};

// Both texts must parse (apply has checked them as one transaction). The
// diff's headers name `old_label` and `new_label`.
StoreRewrite rewrite_store_text(std::string_view current, std::string_view script, RewriteMode mode,
                                const std::string& old_label, const std::string& new_label);

}  // namespace secstore::detail
