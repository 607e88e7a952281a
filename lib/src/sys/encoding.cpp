#include "secstore/encoding.hpp"

#include <array>

namespace secstore {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

}  // namespace

std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  std::size_t n = 0;
  unsigned long cp = 0;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) n = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, cp = c & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (b(k) & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

namespace {

bool is_c1_control(std::string_view s, std::size_t i, std::size_t n) {
  return n == 2 && static_cast<unsigned char>(s[i]) == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0;
}

void append_hex(std::string& out, const char* prefix, unsigned char c) {
  out += prefix;
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The bytes that stand as they are whatever follows them: printable ASCII
// that `special` leaves alone. A table, so that the scan of a name costs one
// load a byte rather than five comparisons.
template <class Special>
constexpr std::array<bool, 256> plain_bytes() {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x7F; ++c) plain[c] = !Special{}(static_cast<char>(c));
  return plain;
}
template <class Special>
constexpr std::array<bool, 256> kPlainBytes = plain_bytes<Special>();

// Appends `text` to `out`, copying what may stand as is and calling
// escape(byte) for each byte that may not: a control character, a C1
// control or a byte that is not valid UTF-8, and whatever `special` says.
template <class Special, class Escape>
void append_transformed(std::string& out, std::string_view text, Special, Escape escape) {
  constexpr const std::array<bool, 256>& kPlain = kPlainBytes<Special>;
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const char* p = begin;
  while (p != end) {
    // Nearly every name (each role of a session, in its log line and its
    // environment) is one such run: scanned, then appended at once.
    const char* const run = p;
    while (p != end && kPlain[static_cast<unsigned char>(*p)]) ++p;
    if (p != run) out.append(run, static_cast<std::size_t>(p - run));
    if (p == end) break;
    const std::size_t i = static_cast<std::size_t>(p - begin);
    const auto c = static_cast<unsigned char>(*p);
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0 || c < 0x20 || c == 0x7F || is_c1_control(text, i, n)) {
      const std::size_t bad = n == 0 ? 1 : n;
      for (std::size_t k = 0; k < bad; ++k) escape(out, static_cast<unsigned char>(p[k]));
      p += bad;
    } else if (n == 1) {  // printable ASCII that is not plain: special
      escape(out, c);
      ++p;
    } else {
      out.append(p, n);
      p += n;
    }
  }
}

// Lambdas, not functions: append_transformed is instantiated for each, so
// the test of every byte is inlined rather than called through a pointer.
constexpr auto role_list_special = [](char c) { return c == '%' || c == ',' || c == '='; };
constexpr auto role_list_escape = [](std::string& o, unsigned char c) { append_hex(o, "%", c); };
constexpr auto log_special = [](char c) { return c == '"' || c == '\\'; };
constexpr auto log_escape_byte = [](std::string& o, unsigned char c) {
  if (c == '"' || c == '\\') {
    o += '\\';
    o += static_cast<char>(c);
  } else {
    append_hex(o, "\\x", c);
  }
};

// The names transformed and joined with ',', appended to `out`. Nearly
// every list is plain names (one per role of the session): they are written
// straight into room made for them, each byte as it is scanned, without an
// append a name. The first name that needs an escape is taken back, and it
// and the rest go through append_transformed.
template <class Special, class Escape>
void append_joined(std::string& out, const std::vector<std::string>& names, Special special, Escape escape) {
  constexpr const std::array<bool, 256>& plain = kPlainBytes<Special>;
  std::size_t size = names.empty() ? 0 : names.size() - 1;
  for (const auto& n : names) size += n.size();
  const std::size_t at = out.size();
  out.resize(at + size);
  char* w = out.data() + at;
  std::size_t r = 0;
  for (; r < names.size(); ++r) {
    char* const start = w;
    if (r) *w++ = ',';
    const char* p = names[r].data();
    const char* const end = p + names[r].size();
    while (p != end && plain[static_cast<unsigned char>(*p)]) *w++ = *p++;
    if (p != end) {
      w = start;
      break;
    }
  }
  if (r == names.size()) return;
  out.resize(static_cast<std::size_t>(w - out.data()));
  for (; r < names.size(); ++r) {
    if (r) out += ',';
    append_transformed(out, names[r], special, escape);
  }
}

}  // namespace

void append_encoded_role_list(std::string& out, const std::vector<std::string>& roles) {
  append_joined(out, roles, role_list_special, role_list_escape);
}

std::string encode_role_list(const std::vector<std::string>& roles) {
  std::string out;
  append_encoded_role_list(out, roles);
  return out;
}

std::vector<std::string> decode_role_list(std::string_view value) {
  std::vector<std::string> roles;
  if (value.empty()) return roles;
  std::string current;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == ',') {
      roles.push_back(std::move(current));
      current.clear();
    } else if (value[i] == '%' && i + 2 < value.size() && hex_value(value[i + 1]) >= 0 &&
               hex_value(value[i + 2]) >= 0) {
      current += static_cast<char>(hex_value(value[i + 1]) * 16 + hex_value(value[i + 2]));
      i += 2;
    } else {
      current += value[i];
    }
  }
  roles.push_back(std::move(current));
  return roles;
}

void append_log_escaped(std::string& out, std::string_view text) {
  append_transformed(out, text, log_special, log_escape_byte);
}

void append_log_escaped_list(std::string& out, const std::vector<std::string>& names) {
  append_joined(out, names, log_special, log_escape_byte);
}

std::string log_escape(std::string_view text) {
  std::string out;
  append_log_escaped(out, text);
  return out;
}

void append_log_quoted(std::string& out, std::string_view text) {
  out += '"';
  append_log_escaped(out, text);
  out += '"';
}

std::string log_quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  append_log_quoted(out, text);
  return out;
}

std::string log_safe(std::string_view text) {
  std::string out;
  append_transformed(
      out, text, [](char) { return false; }, [](std::string& o, unsigned char c) { append_hex(o, "\\x", c); });
  return out;
}

}  // namespace secstore
