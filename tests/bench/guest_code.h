#pragma once

// RV64IM encoders for the hand-written guest loops of the benchmarks (unprivileged spec,
// chapter 2 "Base Instruction Formats"). Each benchmark checks its words with the
// decoder (check_names) before timing, so a wrong encoding is reported, not measured.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "engine/decoder.h"

namespace tiervm::bench {

enum Reg : uint32_t {
  zero = 0,
  sp = 2,
  a0 = 10,
  a1 = 11,
  a2 = 12,
  a3 = 13,
  a4 = 14,
  a5 = 15,
  a6 = 16,
  a7 = 17
};

inline uint32_t r_type(uint32_t f7, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t rd,
                       uint32_t op) {
  return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
inline uint32_t i_type(int32_t imm, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t op) {
  return (static_cast<uint32_t>(imm) & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
inline uint32_t add(Reg rd, Reg rs1, Reg rs2) {
  return r_type(0, rs2, rs1, 0, rd, 0x33);
}
inline uint32_t sub(Reg rd, Reg rs1, Reg rs2) {
  return r_type(0x20, rs2, rs1, 0, rd, 0x33);
}
inline uint32_t xor_(Reg rd, Reg rs1, Reg rs2) {
  return r_type(0, rs2, rs1, 4, rd, 0x33);
}
inline uint32_t mul(Reg rd, Reg rs1, Reg rs2) {
  return r_type(1, rs2, rs1, 0, rd, 0x33);
}
inline uint32_t addi(Reg rd, Reg rs1, int32_t imm) {
  return i_type(imm, rs1, 0, rd, 0x13);
}
inline uint32_t slli(Reg rd, Reg rs1, uint32_t sh) {
  return i_type(static_cast<int32_t>(sh), rs1, 1, rd, 0x13);
}
inline uint32_t srli(Reg rd, Reg rs1, uint32_t sh) {
  return i_type(static_cast<int32_t>(sh), rs1, 5, rd, 0x13);
}
inline uint32_t ld(Reg rd, Reg rs1, int32_t imm) {
  return i_type(imm, rs1, 3, rd, 0x03);
}
inline uint32_t sd(Reg rs2, Reg rs1, int32_t imm) {
  const uint32_t u = static_cast<uint32_t>(imm);
  return ((u >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | 3 << 12 | (u & 0x1f) << 7 | 0x23;
}
inline uint32_t bne(Reg rs1, Reg rs2, int32_t offset) {
  const uint32_t u = static_cast<uint32_t>(offset);
  return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | 1 << 12 |
         ((u >> 1) & 0xf) << 8 | ((u >> 11) & 1) << 7 | 0x63;
}
inline uint32_t jal(Reg rd, int32_t offset) {
  const uint32_t u = static_cast<uint32_t>(offset);
  return ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 | ((u >> 11) & 1) << 20 |
         ((u >> 12) & 0xff) << 12 | rd << 7 | 0x6f;
}

// "" when every word decodes to the named instruction, else what differs.
inline std::string check_names(const std::vector<uint32_t>& words,
                               const std::vector<const char*>& names) {
  for (size_t i = 0; i < words.size() && i < names.size(); ++i) {
    const DecodedInsn d = decode(words[i]);
    if (d.def == nullptr || std::strcmp(d.def->name, names[i]) != 0) {
      return "guest word " + std::to_string(i) + " decodes as " +
             (d.def ? d.def->name : "illegal") + ", not " + names[i];
    }
  }
  return "";
}

}  // namespace tiervm::bench
