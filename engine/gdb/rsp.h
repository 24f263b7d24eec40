#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tiervm {

// The framing of the GDB remote serial protocol (gdb manual, "Overview" of the remote
// protocol): `$payload#cs` with cs the modulo-256 sum of the payload in two hex digits,
// acknowledged by `+` / `-`; `}` escapes `#`, `$`, `}` and `*` as the byte XOR 0x20; a
// lone 0x03 byte is an interrupt (Ctrl-C). No sockets here: tests feed bytes.

// The checksum of a payload.
uint8_t rsp_checksum(std::string_view payload);
// `$payload#cs`, with the payload's special bytes escaped.
std::string rsp_frame(std::string_view payload);
// The binary data of an X packet or a qXfer reply, escaped.
std::string rsp_escape(std::string_view data);
std::string rsp_unescape(std::string_view data);

// Hex of bytes, and back (nullopt on a bad digit or an odd length).
std::string rsp_hex(const uint8_t* data, size_t len);
std::optional<std::vector<uint8_t>> rsp_unhex(std::string_view hex);
// A number in hex, as gdb writes addresses and lengths; nullopt if not all hex.
std::optional<uint64_t> rsp_parse_hex(std::string_view text);

// What one byte of input completed.
struct RspInput {
  enum class Kind : uint8_t { None, Packet, BadPacket, Interrupt, Ack, Nack };
  Kind kind = Kind::None;
  // Packet: the payload as sent; binary data (X) is unescaped by whoever reads it.
  std::string payload;
};

// Splits a byte stream into packets, acks and interrupts.
class RspReader {
 public:
  RspInput feed(uint8_t byte);

 private:
  enum class State : uint8_t { Idle, Payload, Check1, Check2 };
  State state_ = State::Idle;
  std::string payload_;
  uint8_t sum_ = 0;
  uint8_t check_ = 0;
};

}  // namespace tiervm
