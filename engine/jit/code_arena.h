#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace tiervm {

// Executable memory for the baseline tier: one memfd mapped twice, writable at one address
// and executable at another, so no page is ever writable and executable at once and
// installing code needs no mprotect. Allocations are 16-byte aligned; freed space is
// reused by later allocations of the same rounded size. Hart thread only.
//
// A freed range may still be executing (a block that stored to its own page): callers free
// from the dispatcher and allocate only there too, never while compiled code runs.
class CodeArena {
 public:
  explicit CodeArena(size_t capacity);
  ~CodeArena();
  CodeArena(const CodeArena&) = delete;
  CodeArena& operator=(const CodeArena&) = delete;

  // False when the host refused the mappings (error() says why): nothing can be allocated.
  bool ok() const { return exec_ != nullptr; }
  const std::string& error() const { return error_; }

  struct Span {
    uint8_t* write = nullptr;       // where to write the code
    const uint8_t* exec = nullptr;  // where it runs
    uint32_t size = 0;              // rounded up
  };
  // Space for `size` bytes, or a null span when the arena is full.
  Span allocate(size_t size);
  void free(const uint8_t* exec, size_t size);

  size_t capacity() const { return capacity_; }
  size_t bytes_in_use() const { return in_use_; }
  bool contains(const void* p) const {
    const auto* b = static_cast<const uint8_t*>(p);
    return exec_ != nullptr && b >= exec_ && b < exec_ + capacity_;
  }

 private:
  static constexpr size_t kAlign = 16;
  static size_t rounded(size_t size) { return (size + kAlign - 1) & ~(kAlign - 1); }
  static constexpr size_t kPopulateChunk = size_t{1} << 20;
  void populate(size_t end);  // maps both views up to `end`, rounded up to a chunk

  size_t capacity_ = 0;
  uint8_t* write_ = nullptr;
  uint8_t* exec_ = nullptr;
  size_t top_ = 0;        // bump pointer
  size_t populated_ = 0;  // both views are mapped below this
  size_t in_use_ = 0;
  std::unordered_map<uint32_t, std::vector<uint32_t>> free_;  // rounded size -> offsets
  std::string error_;
};

}  // namespace tiervm
