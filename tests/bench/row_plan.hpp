// The PAM rows of a run: which stacks, which operation, which baseline.
#pragma once

#include <string>
#include <vector>

#include "options.hpp"
#include "pam_rows.hpp"
#include "store_generator.hpp"

namespace secstore::bench {

struct RowPlan {
  PamRow row;
  std::string what;
  std::string baseline;
};

// Every row of the run, in report order. The PAM rows' `what` says what is
// timed; `baseline` names the row whose median is subtracted for "added".
std::vector<RowPlan> plan_rows(const Options& o, const SessionSubject& subject);

}  // namespace secstore::bench
