#include "engine/gdb/rsp.h"

namespace tiervm {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool needs_escape(char c) {
  return c == '#' || c == '$' || c == '}' || c == '*';
}

}  // namespace

uint8_t rsp_checksum(std::string_view payload) {
  uint8_t sum = 0;
  for (const char c : payload) sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(c));
  return sum;
}

std::string rsp_escape(std::string_view data) {
  std::string out;
  out.reserve(data.size());
  for (const char c : data) {
    if (needs_escape(c)) {
      out.push_back('}');
      out.push_back(static_cast<char>(c ^ 0x20));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string rsp_unescape(std::string_view data) {
  std::string out;
  out.reserve(data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '}' && i + 1 < data.size()) {
      out.push_back(static_cast<char>(data[++i] ^ 0x20));
    } else {
      out.push_back(data[i]);
    }
  }
  return out;
}

std::string rsp_frame(std::string_view payload) {
  const std::string body = rsp_escape(payload);
  const uint8_t sum = rsp_checksum(body);
  std::string out = "$" + body + "#";
  out.push_back(kHexDigits[sum >> 4]);
  out.push_back(kHexDigits[sum & 15]);
  return out;
}

std::string rsp_hex(const uint8_t* data, size_t len) {
  std::string out;
  out.reserve(len * 2);
  for (size_t i = 0; i < len; ++i) {
    out.push_back(kHexDigits[data[i] >> 4]);
    out.push_back(kHexDigits[data[i] & 15]);
  }
  return out;
}

std::optional<std::vector<uint8_t>> rsp_unhex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::vector<uint8_t> out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::optional<uint64_t> rsp_parse_hex(std::string_view text) {
  if (text.empty() || text.size() > 16) return std::nullopt;
  uint64_t v = 0;
  for (const char c : text) {
    const int d = hex_value(c);
    if (d < 0) return std::nullopt;
    v = v << 4 | static_cast<uint64_t>(d);
  }
  return v;
}

RspInput RspReader::feed(uint8_t byte) {
  const char c = static_cast<char>(byte);
  switch (state_) {
    case State::Idle:
      if (c == '$') {
        state_ = State::Payload;
        payload_.clear();
        sum_ = 0;
      } else if (byte == 0x03) {
        return {RspInput::Kind::Interrupt, {}};
      } else if (c == '+') {
        return {RspInput::Kind::Ack, {}};
      } else if (c == '-') {
        return {RspInput::Kind::Nack, {}};
      }
      return {};  // noise between packets
    case State::Payload:
      if (c == '#') {
        state_ = State::Check1;
      } else {
        payload_.push_back(c);
        sum_ = static_cast<uint8_t>(sum_ + byte);
      }
      return {};
    case State::Check1: {
      const int d = hex_value(c);
      if (d < 0) {
        state_ = State::Idle;
        return {RspInput::Kind::BadPacket, {}};
      }
      check_ = static_cast<uint8_t>(d << 4);
      state_ = State::Check2;
      return {};
    }
    case State::Check2: {
      state_ = State::Idle;
      const int d = hex_value(c);
      if (d < 0 || static_cast<uint8_t>(check_ | d) != sum_) return {RspInput::Kind::BadPacket, {}};
      return {RspInput::Kind::Packet, std::move(payload_)};
    }
  }
  return {};
}

}  // namespace tiervm
