// How exposed a session is, from what its grant lets its programs do
// (`secstore audit`, documented in secstore(1), EXPOSURE). Each capability
// has a level and one sentence of reasoning; a session's rating is the level
// of the most dangerous capability its programs get:
//
//   - ambient capabilities count at their level: every program gets them;
//   - inheritable-only ones count one level lower: only a program whose file
//     carries them in its inheritable set (setcap cap_x+i) gets them;
//   - uid 0 not confined by a scope has every capability (ROOT); uid 0
//     confined (capabilities are exclusive for root) gets back at every exec
//     exactly what it keeps, so each counts at its level;
//   - bounding drops, a chroot and extra groups are reported, not rated.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "secstore/session.hpp"

namespace secstore::cli {

enum class Exposure { None, Low, Medium, High, NearRoot, Root };

// "none", "low", "medium", "high", "near-root", "root".
std::string_view exposure_name(Exposure level);
// 0, 1, 4, 7, 9, 10: the score column of the table.
int exposure_score(Exposure level);

struct CapabilityRisk {
  std::string_view name;  // libcap's name
  Exposure level;
  std::string_view reason;  // one sentence: what a program holding it can do
};

// The model, one row per capability libcap 2.66 knows, in capability order.
std::span<const CapabilityRisk> capability_risks();
// A capability's row; one this version does not know is rated high.
CapabilityRisk risk_of(unsigned capability);

struct RatedCapability {
  unsigned capability;
  bool ambient;    // false: inheritable only
  Exposure level;  // after the inheritable-only discount
  std::string_view reason;
};

struct ExposureRating {
  Exposure level = Exposure::None;
  std::vector<RatedCapability> capabilities;  // most dangerous first
  std::string summary;                        // one line, for the table
};

ExposureRating rate_session(const Session& session);

}  // namespace secstore::cli
