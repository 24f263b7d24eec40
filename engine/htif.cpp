#include "engine/htif.h"

#include "mem/bus.h"

namespace tiervm {

namespace {
constexpr uint64_t kSysWrite = 64;
}

Htif::Htif(Bus& bus, uint64_t tohost, std::optional<uint64_t> fromhost,
           std::function<void(uint8_t)> output)
    : bus_(bus), tohost_(tohost), fromhost_(fromhost), output_(std::move(output)) {}

void Htif::reply(uint64_t value) {
  if (fromhost_) bus_.write(*fromhost_, 8, value);
}

std::optional<int> Htif::poll() {
  uint64_t cmd = 0;
  if (!bus_.read(tohost_, 8, cmd) || cmd == 0) return std::nullopt;
  bus_.write(tohost_, 8, 0);
  const uint64_t device = cmd >> 56;
  const uint64_t command = (cmd >> 48) & 0xff;
  const uint64_t payload = cmd & 0xffff'ffff'ffffull;
  if (device == 0 && command == 0) {
    if (payload & 1) return static_cast<int>(payload >> 1);
    uint64_t magic[4] = {};
    for (unsigned i = 0; i < 4; ++i) {
      if (!bus_.read(payload + 8 * i, 8, magic[i])) return std::nullopt;
    }
    if (magic[0] == kSysWrite && (magic[1] == 1 || magic[1] == 2)) {
      for (uint64_t i = 0; i < magic[3]; ++i) {
        uint64_t byte = 0;
        if (!bus_.read(magic[2] + i, 1, byte)) break;
        output_(static_cast<uint8_t>(byte));
      }
      bus_.write(payload, 8, magic[3]);  // return value: bytes written
    }
    reply(1);
  } else if (device == 1 && command == 1) {
    output_(static_cast<uint8_t>(payload));
    reply(cmd & ~uint64_t{0xff} ? (device << 56) | (command << 48) : 0);
  }
  return std::nullopt;
}

}  // namespace tiervm
