#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tiervm {

// CRC-32C (Castagnoli, reflected polynomial 0x82f63b78, as iSCSI and ext4 use it) of
// `bytes`, continuing from `crc` (0 to start). Uses the host's SSE4.2 crc32 instruction
// when it has one; the same value either way.
uint32_t crc32c(std::span<const uint8_t> bytes, uint32_t crc = 0);

// The state of a device, hart or memory in a snapshot (engine/snapshot.h): fixed-width
// little-endian fields appended in the order the matching load reads them. No field names
// and no per-field versions: the snapshot's format version covers the whole layout.
// One named part of a snapshot ("uart", "virtio3", "hart0", "ram", ...).
struct StateSection {
  std::string name;
  std::vector<uint8_t> bytes;
};
// Sections as a load finds them, by name, viewed in the snapshot's bytes.
using StateSections = std::map<std::string, std::span<const uint8_t>, std::less<>>;

class StateWriter {
 public:
  explicit StateWriter(std::vector<uint8_t>& out) : out_(out) {}
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void boolean(bool v) { u8(v ? 1 : 0); }
  void bytes(std::span<const uint8_t> v) { out_.insert(out_.end(), v.begin(), v.end()); }
  // A length (u32) and the bytes.
  void blob(std::span<const uint8_t> v);
  void string(std::string_view v);

 private:
  void put(uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t>& out_;
};

// Reads what a StateWriter wrote. Reading past the end, or a value the caller finds out
// of range (fail()), makes every later read return zero and ok() false: a load reads all
// its fields into locals, checks ok() once and only then changes the device.
class StateReader {
 public:
  explicit StateReader(std::span<const uint8_t> in) : in_(in) {}
  uint8_t u8() { return static_cast<uint8_t>(get(1)); }
  uint16_t u16() { return static_cast<uint16_t>(get(2)); }
  uint32_t u32() { return static_cast<uint32_t>(get(4)); }
  uint64_t u64() { return get(8); }
  // 0 or 1; anything else is corrupt.
  bool boolean();
  // `n` bytes, viewed in place (empty on failure).
  std::span<const uint8_t> bytes(uint64_t n);
  std::span<const uint8_t> blob() { return bytes(u32()); }
  std::string string();
  void fail() { ok_ = false; }
  bool ok() const { return ok_; }
  // ok() and every byte consumed: what a load of a whole section must end with.
  bool done() const { return ok_ && pos_ == in_.size(); }
  size_t remaining() const { return ok_ ? in_.size() - pos_ : 0; }

 private:
  uint64_t get(unsigned n);
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace tiervm
