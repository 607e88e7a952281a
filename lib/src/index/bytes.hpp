// Writing and reading the index's little records: fixed-size values in
// native byte order and length-prefixed strings, every read bounds-checked.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <memory_resource>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace secstore::detail {

// Whether buffers may start in storage of their caller's (ByteBuffer's
// `first`, a monotonic arena): not under AddressSanitizer, which cannot
// see a read past what was written inside such storage, nor a use after a
// vector in an arena moved, so the sanitized tests and the fuzzers would
// be blind exactly there. They use the heap, where it sees both.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kCallerStorage = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kCallerStorage = false;
#else
inline constexpr bool kCallerStorage = true;
#endif
#else
inline constexpr bool kCallerStorage = true;
#endif

// A resource for vectors that start in `arena`: the arena, then the heap
// (never the process's default resource, which belongs to the program
// that loaded the module); the heap alone where kCallerStorage is false.
inline std::pmr::memory_resource* arena_or_heap(std::pmr::monotonic_buffer_resource& arena) {
  if constexpr (kCallerStorage) return &arena;
  return std::pmr::new_delete_resource();
}

// Bytes read from an index, grown without being zero-filled first: an
// entry is overwritten by the read right after, and filling a std::string
// to its size first cost a session open a few thousand instructions (a
// byte each under valgrind) for nothing.
class ByteBuffer {
 public:
  ByteBuffer() = default;
  // Starts in `first` (the caller's, which must outlive the buffer), and
  // moves to the heap only when it outgrows it: the few entries a session
  // open reads then cost no allocation, whose share of an open's own
  // instructions was larger than the reading.
  explicit ByteBuffer(std::span<char> first)
      : data_(kCallerStorage ? first.data() : nullptr), capacity_(kCallerStorage ? first.size() : 0) {}
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;

  // size() becomes n; the first min(n, size()) bytes are kept, the rest
  // are uninitialised until written.
  void resize_for_overwrite(std::size_t n) {
    if (n > capacity_) grow(n);
    size_ = n;
  }
  void clear() { size_ = 0; }
  char* data() { return data_; }
  const char* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  std::string_view view() const { return {data_, size_}; }

 private:
  void grow(std::size_t n) {
    const std::size_t capacity = std::max(n, 2 * capacity_);
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (size_ > 0) std::memcpy(bigger.get(), data_, size_);
    heap_ = std::move(bigger);
    data_ = heap_.get();
    capacity_ = capacity;
  }

  std::unique_ptr<char[]> heap_;
  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}
  template <class T>
  void put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    out_.append(reinterpret_cast<const char*>(&value), sizeof value);
  }
  void put_string(std::string_view s) {
    put(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }

 private:
  std::string& out_;
};

// Reads from a span of bytes; any read past its end (a damaged or hostile
// index) makes ok() false and returns zeros from then on.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}
  template <class T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T value{};
    if (!ok_ || bytes_.size() - at_ < sizeof value) {
      ok_ = false;
      return value;
    }
    std::memcpy(&value, bytes_.data() + at_, sizeof value);
    at_ += sizeof value;
    return value;
  }
  std::string_view get_view(std::size_t size) {
    if (!ok_ || bytes_.size() - at_ < size) {
      ok_ = false;
      return {};
    }
    const std::string_view s = bytes_.substr(at_, size);
    at_ += size;
    return s;
  }
  // n bytes at once, for a record of fixed-size fields read with one
  // bounds check: nullptr, and damage, when they are not all there.
  const char* take(std::size_t n) {
    if (!ok_ || bytes_.size() - at_ < n) {
      ok_ = false;
      return nullptr;
    }
    const char* p = bytes_.data() + at_;
    at_ += n;
    return p;
  }
  std::string get_string() {
    const auto size = get<std::uint32_t>();
    return std::string(get_view(size));
  }
  // What the bytes say cannot be (more items than they can hold): damage.
  void mark_damaged() { ok_ = false; }
  bool ok() const { return ok_; }
  bool at_end() const { return at_ == bytes_.size(); }
  std::size_t left() const { return bytes_.size() - at_; }
  std::size_t offset() const { return at_; }

 private:
  std::string_view bytes_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

}  // namespace secstore::detail
