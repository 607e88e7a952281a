// The canonical names of the two permission lists, in declaration order:
// one table for the lookups of permissions.cpp and for the path-statement
// shortcut of parser.cpp, which matches the names in place.
#pragma once

#include <array>
#include <string_view>

#include "secstore/permissions.hpp"

namespace secstore::detail {

inline constexpr std::array<std::string_view, kGlobalPermissionCount> kGlobalNames{
    "AUTHENTICATE",  "VIEW_SESSION",    "MODIFY_SESSION",   "REGISTER_HANDLER",
    "VIEW_SERVER",   "CONTROL_SERVER",  "VIEW_SECURITY",    "MODIFY_SECURITY",
    "READ_TOPIC_VIEWS", "MODIFY_TOPIC_VIEWS",
};

inline constexpr std::array<std::string_view, kPathPermissionCount> kPathNames{
    "READ_TOPIC",
    "UPDATE_TOPIC",
    "MODIFY_TOPIC",
    "SEND_TO_MESSAGE_HANDLER",
    "SEND_TO_SESSION",
    "SELECT_TOPIC",
    "QUERY_OBSOLETE_TIME_SERIES_EVENTS",
    "EDIT_TIME_SERIES_EVENTS",
    "EDIT_OWN_TIME_SERIES_EVENTS",
    "ACQUIRE_LOCK",
    "EXPOSE_BRANCH",
};

}  // namespace secstore::detail
