// What `secstore` writes to standard output and standard error reaches an
// admin's terminal, and much of it comes from data other people wrote: role
// and user names in the store, names in the conf, a process's own
// environment (`audit --live`). None of it may drive the terminal, so every
// byte the command writes passes through terminal_text: line feeds and tabs
// stay, and every other control character (C0, DEL, C1) and every byte that
// is not valid UTF-8 is written as \xNN (log_safe's rule, SPEC §4.7). JSON
// escapes those itself (json.cpp), so JSON passes unchanged.
#pragma once

#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

namespace secstore::cli {

std::string terminal_text(std::string_view text);

// A stream buffer that writes what it is given to `target` through
// terminal_text, a line at a time (a line feed is never inside a UTF-8
// sequence, so no character is cut in two), and what is left at a flush.
class TerminalTextBuf final : public std::streambuf {
 public:
  explicit TerminalTextBuf(std::streambuf* target) : target_(target) {}
  ~TerminalTextBuf() override { sync(); }
  TerminalTextBuf(const TerminalTextBuf&) = delete;
  TerminalTextBuf& operator=(const TerminalTextBuf&) = delete;

  std::streambuf* target() const { return target_; }

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  bool write_lines(bool all);

  std::streambuf* target_;
  std::string pending_;
};

// Puts a TerminalTextBuf in front of `stream` for as long as it lives.
class TerminalTextGuard {
 public:
  explicit TerminalTextGuard(std::ostream& stream) : stream_(stream), buf_(stream.rdbuf()) { stream_.rdbuf(&buf_); }
  ~TerminalTextGuard() {
    stream_.flush();
    stream_.rdbuf(buf_.target());
  }
  TerminalTextGuard(const TerminalTextGuard&) = delete;
  TerminalTextGuard& operator=(const TerminalTextGuard&) = delete;

 private:
  std::ostream& stream_;
  TerminalTextBuf buf_;
};

}  // namespace secstore::cli
