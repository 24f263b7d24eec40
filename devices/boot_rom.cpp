#include "devices/boot_rom.h"

namespace tiervm {

namespace {

// Base instruction formats, RISC-V unprivileged spec 2.2 (figure 2.3).
constexpr uint32_t encode_i(uint32_t opcode, uint32_t rd, uint32_t funct3, uint32_t rs1,
                            int32_t imm) {
  return (static_cast<uint32_t>(imm & 0xfff) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) |
         opcode;
}
constexpr uint32_t encode_u(uint32_t opcode, uint32_t rd, uint32_t imm20) {
  return (imm20 << 12) | (rd << 7) | opcode;
}

constexpr uint32_t kOpLoad = 0x03, kOpImm = 0x13, kOpAuipc = 0x17, kOpJalr = 0x67, kOpSystem = 0x73;
constexpr uint32_t kZero = 0, kT0 = 5, kA0 = 10, kA1 = 11, kA2 = 12;
constexpr uint32_t kCsrMhartid = 0xf14;
constexpr uint32_t kFunct3Ld = 3, kFunct3Csrrs = 2;

void put_le(std::vector<uint8_t>& out, uint64_t value, unsigned size) {
  for (unsigned i = 0; i < size; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

}  // namespace

std::vector<uint8_t> build_boot_rom(const BootRomParams& params) {
  const uint32_t code[] = {
      encode_u(kOpAuipc, kT0, 0),
      encode_i(kOpImm, kA2, 0, kT0, static_cast<int32_t>(kBootRomInfoOffset)),
      // csrr a0, mhartid is csrrs a0, mhartid, zero (the CSR number sits in the imm field).
      encode_i(kOpSystem, kA0, kFunct3Csrrs, kZero, static_cast<int32_t>(kCsrMhartid)),
      encode_i(kOpLoad, kA1, kFunct3Ld, kT0, static_cast<int32_t>(kBootRomFdtSlot)),
      encode_i(kOpLoad, kT0, kFunct3Ld, kT0, static_cast<int32_t>(kBootRomStartSlot)),
      encode_i(kOpJalr, kZero, 0, kT0, 0),
  };
  std::vector<uint8_t> rom;
  for (uint32_t word : code) put_le(rom, word, 4);
  put_le(rom, params.start_addr, 8);
  put_le(rom, params.fdt_addr, 8);
  FwDynamicInfo info;
  info.next_addr = params.next_addr;
  for (uint64_t field :
       {info.magic, info.version, info.next_addr, info.next_mode, info.options, info.boot_hart}) {
    put_le(rom, field, 8);
  }
  return rom;
}

}  // namespace tiervm
