#include "json.hpp"

#include <cstdio>

#include "secstore/encoding.hpp"

namespace secstore::cli {
namespace {

void append_unicode_escape(std::string& out, unsigned code) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", code);
  out += buf;
}

}  // namespace

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      std::size_t len = secstore::utf8_sequence_length(text, i);
      if (len == 0) {
        out += "\\ufffd";
        ++i;
      } else if (len == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
        // A C1 control is valid JSON as it is, but a terminal obeys it.
        append_unicode_escape(out, static_cast<unsigned char>(text[i + 1]));
        i += len;
      } else {
        out.append(text.substr(i, len));
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          append_unicode_escape(out, c);
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
  return out;
}

std::string json_string_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out += ", ";
    out += json_string(items[i]);
  }
  out += ']';
  return out;
}

std::string json_array(const std::vector<std::string>& rendered) {
  std::string out = "[";
  for (std::size_t i = 0; i < rendered.size(); ++i) {
    if (i != 0) out += ", ";
    out += rendered[i];
  }
  return out + "]";
}

std::string json_number(long long value) { return std::to_string(value); }

JsonObject& JsonObject::add(std::string_view key, std::string rendered) {
  members_.emplace_back(std::string(key), std::move(rendered));
  return *this;
}

std::string JsonObject::str() const {
  std::string out = "{";
  for (std::size_t i = 0; i < members_.size(); ++i) {
    if (i != 0) out += ", ";
    out += json_string(members_[i].first) + ": " + members_[i].second;
  }
  return out + "}";
}

std::string json_location(const Location& where) {
  return JsonObject()
      .add("file", json_string(where.file))
      .add("line", where.line ? json_number(where.line) : "null")
      .add("column", where.column ? json_number(where.column) : "null")
      .str();
}

std::string json_diagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> items;
  for (const auto& d : diagnostics)
    items.push_back(JsonObject()
                        .add("severity", json_string(d.severity == Severity::Error ? "error" : "warning"))
                        .add("file", json_string(d.where.file))
                        .add("line", d.where.line ? json_number(d.where.line) : "null")
                        .add("column", d.where.column ? json_number(d.where.column) : "null")
                        .add("message", json_string(d.message))
                        .str());
  return json_array(items);
}

std::string json_error(int schema, const std::vector<Diagnostic>& diagnostics, const std::string& fallback) {
  std::string first = fallback;
  for (const auto& d : diagnostics)
    if (d.severity == Severity::Error) {
      first = d.str();
      break;
    }
  return JsonObject()
             .add("schema", json_number(schema))
             .add("error", json_string(first))
             .add("diagnostics", json_diagnostics(diagnostics))
             .str() +
         "\n";
}

}  // namespace secstore::cli
