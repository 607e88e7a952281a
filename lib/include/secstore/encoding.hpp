// Text that leaves the library for a log line or an environment variable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#pragma GCC visibility push(default)

namespace secstore {

// SPEC §4.6: SECSTORE_ROLES's value. Role names are any string, so in each
// name '%', ',', '=' and every control character (and every byte that is
// not part of valid UTF-8) are written as %XX (upper-case hex); the names
// are joined with ','. decode_role_list gives back the exact names.
std::string encode_role_list(const std::vector<std::string>& roles);
// encode_role_list appended to `out` (the variable's "NAME=" before it).
void append_encoded_role_list(std::string& out, const std::vector<std::string>& roles);
std::vector<std::string> decode_role_list(std::string_view value);

// SPEC §4.7: a user, role, group or path name as it may stand inside "..."
// in a log line: '"' and '\' are escaped with '\', and control characters
// (C0, DEL, C1) and bytes that are not valid UTF-8 as \xNN, so no name can
// end a line early or fake another one.
std::string log_escape(std::string_view text);
// log_escape(text) appended to `out`, for a line built from many names.
void append_log_escaped(std::string& out, std::string_view text);
// The names log_escape'd and joined with ',', appended to `out`: a
// session's roles in its log line.
void append_log_escaped_list(std::string& out, const std::vector<std::string>& names);
// log_escape inside double quotes.
std::string log_quoted(std::string_view text);
// log_quoted, appended.
void append_log_quoted(std::string& out, std::string_view text);
// A whole message whose names are already quoted (a diagnostic): only
// control characters and invalid UTF-8 are written as \xNN.
std::string log_safe(std::string_view text);

// The length of the valid UTF-8 sequence that starts at text[i], or 0 when
// the bytes there are not one (overlong forms, surrogates and code points
// past U+10FFFF are not).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

}  // namespace secstore

#pragma GCC visibility pop
