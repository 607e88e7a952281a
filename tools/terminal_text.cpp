#include "terminal_text.hpp"

#include "secstore/encoding.hpp"

namespace secstore::cli {

std::string terminal_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find_first_of("\n\t", start);
    out += log_safe(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    out += text[end];
    start = end + 1;
  }
}

bool TerminalTextBuf::write_lines(bool all) {
  const std::size_t last = pending_.rfind('\n');
  const std::size_t upto = all ? pending_.size() : (last == std::string::npos ? 0 : last + 1);
  if (upto == 0) return true;
  const std::string safe = terminal_text(std::string_view(pending_).substr(0, upto));
  pending_.erase(0, upto);
  return target_->sputn(safe.data(), static_cast<std::streamsize>(safe.size())) ==
         static_cast<std::streamsize>(safe.size());
}

TerminalTextBuf::int_type TerminalTextBuf::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  pending_ += traits_type::to_char_type(c);
  if (c == '\n' && !write_lines(false)) return traits_type::eof();
  return c;
}

std::streamsize TerminalTextBuf::xsputn(const char* s, std::streamsize n) {
  pending_.append(s, static_cast<std::size_t>(n));
  if (std::string_view(s, static_cast<std::size_t>(n)).find('\n') != std::string_view::npos && !write_lines(false))
    return 0;
  return n;
}

int TerminalTextBuf::sync() {
  if (!write_lines(true)) return -1;
  return target_->pubsync();
}

}  // namespace secstore::cli
