// Opening a policy for one session open (pam_secstore): the library's way
// to Policy::open with less of the text built, not part of its API.
#pragma once

#include "secstore/policy.hpp"
#include "store/builder.hpp"

namespace secstore::detail {

struct __attribute__((visibility("hidden"))) PolicyOpening {
  // Policy::open, with the store's text (when the text answers) built to
  // `parts`. WithoutPaths: path_permissions() answers only an empty list
  // and store_text() fails, since neither could be answered right.
  static Outcome<Policy> open(PolicyFiles files, const Policy::Options& options, StoreParts parts);
};

}  // namespace secstore::detail
