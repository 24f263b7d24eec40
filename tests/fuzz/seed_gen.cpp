// Writes the seed corpora of the fuzz targets: `fuzz_seed_gen OUTDIR` creates
// OUTDIR/<target>/seed-NN files. Each seed is a small input that reaches a path worth
// mutating from (a loop, a device access, a trap, a well-formed ELF or virtio request),
// so short fuzzing runs start deep instead of rediscovering the formats.
#include <elf.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/fuzz/rv_encode.h"

namespace {

using namespace tiervm::rv;
using Bytes = std::vector<uint8_t>;

// ABI register numbers.
enum : uint32_t {
  ZERO = 0,
  RA = 1,
  SP = 2,
  T0 = 5,
  T1 = 6,
  T2 = 7,
  S0 = 8,
  S1 = 9,
  A0 = 10,
  A1 = 11,
  A2 = 12,
  A3 = 13,
  A4 = 14,
  A5 = 15
};

// CSR numbers (priv spec 2.2).
constexpr uint32_t kMstatus = 0x300, kMie = 0x304, kMtvec = 0x305, kMepc = 0x341, kMcause = 0x342,
                   kSatp = 0x180, kInstret = 0xc02;

struct Program {
  Bytes bytes;
  void w(uint32_t word) {
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<uint8_t>(word >> (8 * i)));
  }
  void h(uint16_t half) {
    bytes.push_back(static_cast<uint8_t>(half));
    bytes.push_back(static_cast<uint8_t>(half >> 8));
  }
  int64_t here() const { return static_cast<int64_t>(bytes.size()); }
};

uint32_t r_op(uint32_t f7, uint32_t f3, uint32_t rd, uint32_t rs1, uint32_t rs2, uint32_t op) {
  return r_type(f7, rs2, rs1, f3, rd, op);
}

// The fuzz_exec machine presets a0 = UART, a1 = CLINT, a2 = PLIC, a3 = virtio slot 0,
// a4 = RAM base, a5 = SiFive test; sp = RAM end; mtvec = RAM base.
std::vector<Bytes> exec_programs() {
  std::vector<Bytes> out;
  {  // a counted loop of ALU and M instructions
    Program p;
    p.w(addi(T0, ZERO, 20));
    const int64_t loop = p.here();
    p.w(r_op(0x01, 0, T1, T1, T0, kOpReg));  // mul
    p.w(r_op(0x00, 0, T2, T2, T1, kOpReg));  // add
    p.w(r_op(0x01, 4, S1, T2, T0, kOpReg));  // div
    p.w(addi(T0, T0, -1));
    p.w(branch(1, T0, ZERO, loop - p.here()));
    p.w(kJumpSelf);
    out.push_back(p.bytes);
  }
  {  // "hi\n" to the UART, then poweroff through the SiFive test device
    Program p;
    for (char c : std::string("hi\n")) {
      p.w(addi(T0, ZERO, c));
      p.w(store(0, T0, A0, 0));
    }
    p.w(lui(T0, 0x5000));
    p.w(addi(T0, T0, 0x555));
    p.w(store(2, T0, A5, 0));
    p.w(kJumpSelf);
    out.push_back(p.bytes);
  }
  {  // timer interrupt: mtimecmp = mtime + 100, enable MTIE and MIE, wfi
    Program p;
    p.w(lui(T1, 0xc000));                    // t1 = 0xc000
    p.w(r_op(0x00, 0, T1, T1, A1, kOpReg));  // t1 = clint + 0xc000
    p.w(load(3, T0, T1, -8));                // mtime at 0xbff8
    p.w(addi(T0, T0, 100));
    p.w(lui(T2, 0x4000));
    p.w(r_op(0x00, 0, T2, T2, A1, kOpReg));
    p.w(store(3, T0, T2, 0));  // mtimecmp
    p.w(addi(T0, ZERO, 0x80));
    p.w(csr(2, ZERO, kMie, T0));
    p.w(csr(6, ZERO, kMstatus, 8));  // csrsi mstatus, MIE
    p.w(kWfi);
    p.w(kJumpSelf);
    out.push_back(p.bytes);
  }
  {  // traps: a vector past the traps that skips each one, then ecall, ebreak, illegal,
     // an access fault
    Program p;
    p.w(auipc(T0, 0));
    p.w(addi(T0, T0, 40));
    p.w(csr(1, ZERO, kMtvec, T0));
    p.w(kEcall);
    p.w(kEbreak);
    p.w(0xffffffff);
    p.w(load(3, T1, ZERO, 16));
    p.w(csr(2, S1, kInstret, ZERO));
    p.w(kJumpSelf);
    p.w(kJumpSelf);
    // handler at +40: mepc += 4; mret
    p.w(csr(2, T2, kMepc, ZERO));
    p.w(addi(T2, T2, 4));
    p.w(csr(1, ZERO, kMepc, T2));
    p.w(csr(2, S0, kMcause, ZERO));
    p.w(kMret);
    out.push_back(p.bytes);
  }
  {  // compressed code
    Program p;
    p.h(c_li(S0, 7));
    p.h(c_li(S1, -3));
    p.h(c_alu(5, S0, S1));  // c.addw
    p.h(c_slli(S0, 3));
    p.h(c_shift_andi(1, S0, 2));  // c.srai
    p.h(c_mv(A5, S0));
    p.h(c_sdsp(S0, 8));
    p.h(c_ldsp(T0, 8));
    p.h(c_bz(true, S0, -12));
    p.h(c_j(0));
    out.push_back(p.bytes);
  }
  {  // drop to U-mode with mret, then ecall back into the vector
    Program p;
    p.w(auipc(T0, 0));
    p.w(addi(T0, T0, 24));
    p.w(csr(1, ZERO, kMepc, T0));
    p.w(csr(1, ZERO, kSatp, ZERO));
    p.w(csr(3, ZERO, kMstatus, ZERO));  // MPP = U (csrrc with x0 is a read; MPP resets to 0)
    p.w(kMret);
    p.w(kEcall);  // +24, in U-mode
    p.w(kJumpSelf);
    out.push_back(p.bytes);
  }
  {  // LR/SC and AMOs on RAM
    Program p;
    p.w(addi(S0, A4, 0x400));
    p.w(r_type(0x08, 0, S0, 3, T0, kOpAmo));  // lr.d t0, (s0)
    p.w(addi(T0, T0, 1));
    p.w(r_type(0x0c, T0, S0, 3, T1, kOpAmo));  // sc.d t1, t0, (s0)
    p.w(r_type(0x00, T0, S0, 2, T2, kOpAmo));  // amoadd.w t2, t0, (s0)
    p.w(r_type(0x04, T0, S0, 3, T2, kOpAmo));  // amoswap.d
    p.w(kJumpSelf);
    out.push_back(p.bytes);
  }
  {  // the CLINT past mtime (0xc000..0xffff, mapped but no register): finding F3
    Program p;
    p.w(lui(T0, 0xc000));
    p.w(r_op(0x00, 0, T0, T0, A1, kOpReg));  // t0 = clint + 0xc000
    p.w(load(2, T1, T0, 0));
    p.w(store(2, T1, T0, 0));
    p.w(load(3, T1, T0, 0x3f8));
    p.w(kJumpSelf);
    out.push_back(p.bytes);
  }
  {  // floating point: FS on, then double arithmetic and conversions
    Program p;
    p.w(lui(T0, 2));  // mstatus.FS = Initial (bit 13)
    p.w(csr(2, ZERO, kMstatus, T0));
    p.w(addi(T0, ZERO, 3));
    p.w(r_op(0x69, 7, 1, T0, 2, 0x53));  // fcvt.d.l f1, t0
    p.w(r_op(0x01, 7, 2, 1, 1, 0x53));   // fadd.d f2, f1, f1
    p.w(r_op(0x0d, 7, 3, 2, 1, 0x53));   // fdiv.d f3, f2, f1
    p.w(r_op(0x2d, 7, 4, 3, 0, 0x53));   // fsqrt.d f4, f3
    p.w(r_op(0x61, 7, T1, 4, 2, 0x53));  // fcvt.l.d t1, f4
    p.w(r_op(0x00, 7, 5, 4, 3, 0x53));   // fadd.s f5, f4, f3 (not NaN-boxed inputs)
    p.w(kJumpSelf);
    out.push_back(p.bytes);
  }
  return out;
}

// `section_headers` beyond 3 claims headers past the end of the file (finding F2).
Bytes elf_image(uint64_t load_addr, bool with_symbols, uint16_t section_headers = 3) {
  Program code;
  code.w(addi(A0, ZERO, 1));
  code.w(kJumpSelf);
  const uint64_t code_off = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr);
  const char strtab[] = "\0tohost\0fromhost\0_start";
  Elf64_Sym syms[4] = {};
  syms[1] = {1, ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT), 0, 1, load_addr + 0x100, 8};
  syms[2] = {8, ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT), 0, 1, load_addr + 0x108, 8};
  syms[3] = {17, ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), 0, 1, load_addr, 8};
  const uint64_t sym_off = code_off + code.bytes.size();
  const uint64_t str_off = sym_off + sizeof syms;
  const uint64_t sh_off = (str_off + sizeof strtab + 7) & ~uint64_t{7};

  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_RISCV;
  eh.e_version = EV_CURRENT;
  eh.e_entry = load_addr;
  eh.e_phoff = sizeof(Elf64_Ehdr);
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 1;
  if (with_symbols) {
    eh.e_shoff = sh_off;
    eh.e_shentsize = sizeof(Elf64_Shdr);
    eh.e_shnum = section_headers;
  }
  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_flags = PF_R | PF_X;
  ph.p_offset = code_off;
  ph.p_vaddr = ph.p_paddr = load_addr;
  ph.p_filesz = code.bytes.size();
  ph.p_memsz = 0x200;  // with a zeroed tail (.bss)

  Bytes out(sizeof eh + sizeof ph);
  std::memcpy(out.data(), &eh, sizeof eh);
  std::memcpy(out.data() + sizeof eh, &ph, sizeof ph);
  out.insert(out.end(), code.bytes.begin(), code.bytes.end());
  if (!with_symbols) return out;
  const auto* sb = reinterpret_cast<const uint8_t*>(syms);
  out.insert(out.end(), sb, sb + sizeof syms);
  out.insert(out.end(), strtab, strtab + sizeof strtab);
  out.resize(sh_off);
  Elf64_Shdr sh[3] = {};
  sh[1].sh_type = SHT_SYMTAB;
  sh[1].sh_offset = sym_off;
  sh[1].sh_size = sizeof syms;
  sh[1].sh_link = 2;
  sh[1].sh_entsize = sizeof(Elf64_Sym);
  sh[2].sh_type = SHT_STRTAB;
  sh[2].sh_offset = str_off;
  sh[2].sh_size = sizeof strtab;
  const auto* hb = reinterpret_cast<const uint8_t*>(sh);
  out.insert(out.end(), hb, hb + sizeof sh);
  return out;
}

// A RISC-V Linux Image header (Documentation/riscv/boot-image-header.rst).
Bytes linux_image() {
  Bytes out(128, 0);
  out[0] = 0x4d;  // "MZ" (c.li s4, -13), as the kernel's EFI stub puts there
  out[1] = 0x5a;
  const uint64_t text_offset = 0x1000, image_size = 128;
  std::memcpy(out.data() + 8, &text_offset, 8);
  std::memcpy(out.data() + 16, &image_size, 8);
  std::memcpy(out.data() + 48, "RISCV\0\0\0", 8);
  std::memcpy(out.data() + 56, "RSC\x05", 4);
  return out;
}

// fuzz_virtio's input layout (fuzz_virtio.cpp): header, then operations.
struct VirtioSeed {
  Bytes b;
  template <typename T>
  void put(T v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    b.insert(b.end(), p, p + sizeof v);
  }
  void addr(uint16_t ram_offset) {
    put<uint8_t>(1);
    put<uint16_t>(ram_offset);
  }
  void desc(uint16_t index, uint16_t ram_offset, uint16_t len, uint16_t flags, uint16_t next) {
    put<uint8_t>(0);
    put<uint16_t>(index);
    addr(ram_offset);
    put<uint16_t>(len);
    put<uint16_t>(flags);
    put<uint16_t>(next);
  }
  void header(uint16_t ram_offset, uint8_t type, uint64_t sector) {
    put<uint8_t>(2);
    addr(ram_offset);
    put<uint8_t>(type);
    put<uint64_t>(sector);
  }
  void avail(uint16_t head) {
    put<uint8_t>(1);
    put<uint16_t>(head);
    put<uint8_t>(0);
  }
  void notify() {
    put<uint8_t>(4);
    put<uint8_t>(0);
  }
};

constexpr uint16_t kNext = 1, kWrite = 2, kIndirect = 4;

Bytes virtio_request(uint8_t mode, uint8_t type, uint16_t data_flags, bool loop, uint16_t extra) {
  VirtioSeed s;
  s.put<uint8_t>(mode);
  s.put<uint8_t>(3);       // queue size 8
  s.addr(0x1000);          // descriptors
  s.addr(0x2000);          // available ring
  s.addr(0x3000);          // used ring
  s.put<uint32_t>(0x244);  // SEG_MAX | BLK_SIZE | FLUSH
  s.header(0x4000, type, 2);
  s.desc(0, 0x4000, 16, kNext | extra, 1);
  s.desc(1, 0x5000, 1024, static_cast<uint16_t>(kNext | data_flags), loop ? 0 : 2);
  s.desc(2, 0x4100, 1, kWrite, 0);
  s.avail(0);
  s.notify();
  return s.b;
}

// fuzz_mmu's operations (fuzz_mmu.cpp): page-table writes, satp, sfence, context
// changes and accesses, each an opcode byte and its operands.
struct MmuSeed {
  Bytes b;
  template <typename T>
  void put(T v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    b.insert(b.end(), p, p + sizeof v);
  }
  // Slot `slot` (< 8) of RAM page `table` points at RAM page `page` with `flags`.
  void pte(uint8_t table, uint8_t slot, uint8_t flags, uint8_t page) {
    put<uint8_t>(0);
    put<uint8_t>(table);
    put<uint8_t>(slot);
    put<uint8_t>(flags);
    put<uint8_t>(static_cast<uint8_t>(page << 2));
  }
  void satp(uint8_t mode_pick, uint8_t root) {  // 0 Bare, 1 Sv39, 2 Sv48
    put<uint8_t>(2);
    put<uint8_t>(mode_pick);
    put<uint8_t>(root);
    put<uint16_t>(1);
  }
  void sfence_all() {
    put<uint8_t>(3);
    put<uint8_t>(1);
  }
  void sfence(uint8_t pool) {
    put<uint8_t>(3);
    put<uint8_t>(static_cast<uint8_t>(pool << 1));
    put<uint16_t>(0);
  }
  // bits 0-1 priv (U, S, M), 4 SUM, 8 MXR, 16 MPRV, bits 5-6 MPP (U, S, M)
  void context(uint8_t bits) {
    put<uint8_t>(4);
    put<uint8_t>(bits);
  }
  void translate(uint8_t bits, uint8_t pool, uint16_t offset) {
    put<uint8_t>(6);
    put<uint8_t>(bits);
    put<uint8_t>(pool);
    put<uint16_t>(offset);
  }
  void load(uint8_t size_log2, uint8_t pool, uint16_t offset) {
    put<uint8_t>(7);
    put<uint8_t>(size_log2);
    put<uint8_t>(pool);
    put<uint16_t>(offset);
  }
  void store(uint8_t size_log2, uint64_t value, uint8_t pool, uint16_t offset) {
    put<uint8_t>(8);
    put<uint8_t>(size_log2);
    put<uint64_t>(value);
    put<uint8_t>(pool);
    put<uint16_t>(offset);
  }
  void fetch(uint8_t pool, uint16_t offset) {
    put<uint8_t>(9);
    put<uint8_t>(pool);
    put<uint16_t>(offset);
  }
  // bit 0: LR (else SC/AMO), bit 1: 8 bytes (else 4)
  void atomic(uint8_t bits, uint8_t pool, uint16_t offset) {
    put<uint8_t>(10);
    put<uint8_t>(bits);
    put<uint8_t>(pool);
    put<uint16_t>(offset);
  }
};

constexpr uint8_t kV = 1, kR = 2, kW = 4, kX = 8, kU = 16, kA = 64, kD = 128;

// Virtual pages 0 and 0x1000 (pool slots 0 and 1) through a three-level Sv39 table (root
// in RAM page 0), or four levels for Sv48; page 0 is a user page, 0x1000 a read-only
// supervisor page; then accesses, a remap, an sfence and the accesses again.
Bytes mmu_seed(bool sv48, bool user, bool fence_page) {
  MmuSeed s;
  uint8_t table = 0;
  const uint8_t levels = sv48 ? 4 : 3;
  for (uint8_t l = 1; l < levels; ++l, ++table)
    s.pte(table, 0, kV, static_cast<uint8_t>(table + 1));
  s.pte(table, 0, static_cast<uint8_t>(kV | kR | kW | kX | (user ? kU : 0)), 8);
  s.pte(table, 1, kV | kR | kA, 9);
  s.satp(sv48 ? 2 : 1, 0);
  s.context(user ? 0 : 1);
  s.load(3, 0, 0x10);
  s.store(2, 0x11223344, 0, 0x20);
  s.fetch(0, 0x30);
  s.store(0, 0x55, 1, 0x8);                                       // read-only: store page fault
  s.load(3, 1, 0xffc);                                            // crosses into an unmapped page
  s.translate(1 | 0x20, 0, 0x40);                                 // S with SUM
  s.translate(0 | 4, 1, 0x40);                                    // U, write
  s.pte(table, 0, kV | kR | kW | kA | kD | (user ? kU : 0), 10);  // remap page 0
  if (fence_page) {
    s.sfence(0);
  } else {
    s.sfence_all();
  }
  s.load(3, 0, 0x10);
  s.store(3, 0x0102030405060708, 0, 0x18);
  s.atomic(2, 0, 0x28);      // AMO, 8 bytes
  s.atomic(1, 1, 0x4);       // LR.W on the read-only page
  s.atomic(0, 1, 0x8);       // SC.W there: store page fault
  s.context(2 | 16 | 0x20);  // M with MPRV, MPP = S
  s.load(1, 1, 0x2);
  return s.b;
}

// The identity map of RAM through one 1 GiB Sv39 leaf (root slot 2), M/S/U accesses and
// MXR on an execute-only page.
Bytes mmu_superpage_seed() {
  MmuSeed s;
  s.put<uint8_t>(0);  // root[2] = 1 GiB leaf at 0x80000000 (kind 1: RAM's base)
  s.put<uint8_t>(0);
  s.put<uint8_t>(2);
  s.put<uint8_t>(kV | kR | kW | kX);
  s.put<uint8_t>(1);
  s.pte(0, 0, kV, 1);
  s.pte(1, 0, kV, 2);
  s.pte(2, 0, kV | kX, 5);  // execute-only
  s.satp(1, 0);
  s.context(1);
  s.load(3, 4, 0x100);  // pool slot 4 is RAM's base
  s.store(3, 0xfeed, 4, 0x108);
  s.load(2, 0, 0);   // execute-only: load page fault
  s.context(1 | 8);  // MXR
  s.load(2, 0, 0);
  s.fetch(0, 0);
  s.context(0);
  s.fetch(4, 0);  // U fetch of a supervisor page
  return s.b;
}

void write_file(const std::filesystem::path& dir, int n, const Bytes& bytes) {
  std::filesystem::create_directories(dir);
  char name[32];
  std::snprintf(name, sizeof name, "seed-%02d", n);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// Deterministic filler (xorshift64) for the FuzzedDataProvider-based targets.
Bytes noise(uint64_t seed, size_t n) {
  Bytes out(n);
  for (uint8_t& b : out) {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    b = static_cast<uint8_t>(seed);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seed_gen OUTDIR\n");
    return 2;
  }
  const std::filesystem::path root = argv[1];
  const std::vector<Bytes> programs = exec_programs();

  int n = 0;
  for (const Bytes& p : programs) write_file(root / "fuzz_exec", n++, p);

  n = 0;
  for (const Bytes& p : programs) {
    for (uint8_t slice : {0x00, 0x47}) {  // 1 instruction on tier 1, 8 on tier 2
      Bytes b{slice};
      b.insert(b.end(), p.begin(), p.end());
      write_file(root / "fuzz_diff", n++, b);
    }
  }

  n = 0;
  for (const Bytes& p : programs) {
    Bytes b(8, 0);
    b[3] = 0x80;  // pc = 0x80000000
    b.insert(b.end(), p.begin(), p.end());
    while (b.size() % 4) b.push_back(0);
    write_file(root / "fuzz_decoder", n++, b);
  }

  n = 0;
  write_file(root / "fuzz_loader", n++, elf_image(0x8000'0000, true));
  write_file(root / "fuzz_loader", n++, elf_image(0x1000, false));
  {
    Bytes elf32 = elf_image(0x8000'0000, false);
    elf32[EI_CLASS] = ELFCLASS32;
    write_file(root / "fuzz_loader", n++, elf32);
  }
  write_file(root / "fuzz_loader", n++, elf_image(0x8000'0000, true, 4));
  write_file(root / "fuzz_loader", n++, linux_image());
  write_file(root / "fuzz_loader", n++, programs[0]);

  n = 0;
  for (const char* args : {"console=ttyS0 earlycon=sbi", "", "root=/dev/vda rw init=/sbin/init"}) {
    Bytes b = noise(static_cast<uint64_t>(n) + 1, 96);
    b.insert(b.end(), args, args + std::strlen(args));
    write_file(root / "fuzz_fdt", n++, b);
  }

  n = 0;
  for (size_t len : {16, 64, 256, 1024}) write_file(root / "fuzz_mmio", n++, noise(len, len));
  // A CLINT write at 0xdede..: finding F3 (found by fuzzing, minimized).
  write_file(root / "fuzz_mmio", n++, Bytes(6, 0xde));

  n = 0;
  write_file(root / "fuzz_virtio", n++, virtio_request(0, 0, kWrite, false, 0));  // IN
  write_file(root / "fuzz_virtio", n++, virtio_request(2, 1, 0, false, 0));       // OUT
  write_file(root / "fuzz_virtio", n++, virtio_request(0, 1, 0, false, 0));       // OUT, snapshot
  write_file(root / "fuzz_virtio", n++, virtio_request(1, 1, 0, false, 0));       // OUT, read-only
  write_file(root / "fuzz_virtio", n++, virtio_request(0, 4, kWrite, false, 0));  // FLUSH
  write_file(root / "fuzz_virtio", n++, virtio_request(0, 8, kWrite, false, 0));  // GET_ID
  write_file(root / "fuzz_virtio", n++, virtio_request(0, 0, kWrite, true, 0));   // a loop
  write_file(root / "fuzz_virtio", n++, virtio_request(0, 0, kWrite, false, kIndirect));

  n = 0;
  for (bool sv48 : {false, true}) {
    for (bool user : {false, true}) write_file(root / "fuzz_mmu", n++, mmu_seed(sv48, user, user));
  }
  write_file(root / "fuzz_mmu", n++, mmu_superpage_seed());
  return 0;
}
