#include "engine/decoder.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string_view>
#include <utility>

namespace tiervm {

namespace {

constexpr std::array<const char*, 32> kXNames = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
constexpr std::array<const char*, 32> kFNames = {
    "ft0", "ft1", "ft2", "ft3", "ft4",  "ft5",  "ft6", "ft7", "fs0",  "fs1", "fa0",
    "fa1", "fa2", "fa3", "fa4", "fa5",  "fa6",  "fa7", "fs2", "fs3",  "fs4", "fs5",
    "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};

int64_t sext(uint64_t v, unsigned bits) {
  const unsigned shift = 64 - bits;
  return static_cast<int64_t>(v << shift) >> shift;
}
uint32_t bits(uint32_t w, unsigned hi, unsigned lo) {
  return (w >> lo) & ((1u << (hi - lo + 1)) - 1);
}

int64_t imm_i(uint32_t w) {
  return sext(bits(w, 31, 20), 12);
}
int64_t imm_s(uint32_t w) {
  return sext(bits(w, 31, 25) << 5 | bits(w, 11, 7), 12);
}
int64_t imm_b(uint32_t w) {
  return sext(
      bits(w, 31, 31) << 12 | bits(w, 7, 7) << 11 | bits(w, 30, 25) << 5 | bits(w, 11, 8) << 1, 13);
}
int64_t imm_u(uint32_t w) {
  return sext(w & 0xfffff000u, 32);
}
int64_t imm_j(uint32_t w) {
  return sext(
      bits(w, 31, 31) << 20 | bits(w, 19, 12) << 12 | bits(w, 20, 20) << 11 | bits(w, 30, 21) << 1,
      21);
}

// Operand tokens of a row, split at commas (memory operands like "imm_i(rs1)" stay one
// token).
std::vector<std::string> tokens(const char* operands) {
  std::vector<std::string> out;
  std::string cur;
  for (const char* p = operands; *p; ++p) {
    if (*p == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (*p != ' ') {
      cur += *p;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

bool has_token(const char* operands, const char* tok) {
  return std::strstr(operands, tok) != nullptr;
}

// Which immediate an instruction's operand list names: found once per decoder row (a
// strstr per candidate on every decode was 1 % of a Linux boot).
enum class ImmKind : uint8_t { None, I, S, B, U, J, Shamt6, Shamt5, Zimm, Simm5, Vtypei };

ImmKind imm_kind(const char* ops) {
  static constexpr std::pair<const char*, ImmKind> kTokens[] = {
      {"imm_i", ImmKind::I},       {"imm_s", ImmKind::S},   {"imm_b", ImmKind::B},
      {"imm_u", ImmKind::U},       {"imm_j", ImmKind::J},   {"shamt6", ImmKind::Shamt6},
      {"shamt5", ImmKind::Shamt5}, {"zimm", ImmKind::Zimm}, {"simm5", ImmKind::Simm5},
      {"vtypei", ImmKind::Vtypei}};
  for (const auto& [tok, kind] : kTokens) {
    if (has_token(ops, tok)) return kind;
  }
  return ImmKind::None;
}

void extract_fields(DecodedInsn& d, ImmKind kind) {
  const uint32_t w = d.word;
  d.rd = static_cast<uint8_t>(bits(w, 11, 7));
  d.rs1 = static_cast<uint8_t>(bits(w, 19, 15));
  d.rs2 = static_cast<uint8_t>(bits(w, 24, 20));
  d.rs3 = static_cast<uint8_t>(bits(w, 31, 27));
  d.rm = static_cast<uint8_t>(bits(w, 14, 12));
  d.csr = static_cast<uint16_t>(bits(w, 31, 20));
  switch (kind) {
    case ImmKind::None:
      break;
    case ImmKind::I:
      d.imm = imm_i(w);
      break;
    case ImmKind::S:
      d.imm = imm_s(w);
      break;
    case ImmKind::B:
      d.imm = imm_b(w);
      break;
    case ImmKind::U:
      d.imm = imm_u(w);
      break;
    case ImmKind::J:
      d.imm = imm_j(w);
      break;
    case ImmKind::Shamt6:
      d.imm = bits(w, 25, 20);
      break;
    case ImmKind::Shamt5:
      d.imm = bits(w, 24, 20);
      break;
    case ImmKind::Zimm:
      d.imm = bits(w, 19, 15);
      break;
    case ImmKind::Simm5:
      d.imm = sext(bits(w, 19, 15), 5);
      break;
    case ImmKind::Vtypei:
      d.imm = bits(w, 31, 31) == 0 ? bits(w, 30, 20) : bits(w, 29, 20);
      break;
  }
}

// "e32, m1, ta, ma" (the assembler's syntax for vtype), or the number when it has bits
// no name covers.
std::string format_vtype(uint64_t v) {
  const unsigned vsew = (v >> 3) & 7, vlmul = v & 7;
  if ((v >> 8) != 0 || vsew > 3 || vlmul == 4) return std::to_string(v);
  static constexpr const char* kLmul[] = {"m1", "m2", "m4", "m8", "", "mf8", "mf4", "mf2"};
  return "e" + std::to_string(8u << vsew) + ", " + kLmul[vlmul] + ", " +
         ((v & 0x40) ? "ta" : "tu") + ", " + ((v & 0x80) ? "ma" : "mu");
}

struct Table {
  std::vector<const InsnDef*> rows;  // match order
  // By major opcode bits [6:0], with each row's mask/match parsed once.
  struct Candidate {
    PatternBits bits;
    const InsnDef* def;
    ImmKind imm;
  };
  std::array<std::vector<Candidate>, 128> buckets;
  std::vector<PatternBits> bits_of;  // parallel to rows
};

const Table& table() {
  static const Table t = [] {
    Table t;
    for (auto part :
         {alu_insns(), mem_insns(), branch_insns(), muldiv_insns(), atomic_insns(), fp_insns(),
          csr_insns(), system_insns(), bitmanip_insns(), vector_config_insns(), vector_mem_insns(),
          vector_int_insns(), vector_fixed_insns(), vector_fp_insns()}) {
      for (const InsnDef& d : part) t.rows.push_back(&d);
    }
    // More specific rows first: a row that fixes more bits shadows the general one.
    std::stable_sort(t.rows.begin(), t.rows.end(), [](const InsnDef* a, const InsnDef* b) {
      return std::popcount(pattern_bits(a->pattern).mask) >
             std::popcount(pattern_bits(b->pattern).mask);
    });
    for (const InsnDef* d : t.rows) {
      PatternBits pb = pattern_bits(d->pattern);
      t.bits_of.push_back(pb);
      t.buckets[pb.match & 0x7f].push_back({pb, d, imm_kind(d->operands)});
    }
    return t;
  }();
  return t;
}

}  // namespace

const char* xreg_name(unsigned i) {
  return kXNames[i & 31];
}
const char* freg_name(unsigned i) {
  return kFNames[i & 31];
}

PatternBits pattern_bits(const char* pattern) {
  PatternBits pb;
  for (unsigned i = 0; i < 32 && pattern[i]; ++i) {
    const uint32_t bit = 1u << (31 - i);
    if (pattern[i] == '0' || pattern[i] == '1') pb.mask |= bit;
    if (pattern[i] == '1') pb.match |= bit;
  }
  return pb;
}

std::span<const InsnDef* const> decoder_table() {
  return table().rows;
}

namespace {

bool table_has(Ext ext) {
  for (const InsnDef* row : decoder_table()) {
    if (row->ext == ext) return true;
  }
  return false;
}

}  // namespace

uint64_t misa_extensions() {
  auto bit = [](char letter) { return uint64_t{1} << (letter - 'A'); };
  uint64_t bits = bit('C') | bit('S') | bit('U');  // expand_compressed; M, S and U modes
  for (auto [ext, letter] :
       {std::pair{Ext::I, 'I'}, {Ext::M, 'M'}, {Ext::A, 'A'}, {Ext::F, 'F'}, {Ext::D, 'D'}}) {
    if (table_has(ext)) bits |= bit(letter);
  }
  return bits;
}

std::string isa_string(bool vector) {
  // Single letters in canonical order (IMAFDQLCBKJTPVH), then multi-letter extensions, each
  // after an underscore, Zi* before Zb* (unprivileged spec, "ISA Extension Naming
  // Conventions").
  std::string out = "rv64";
  uint64_t misa = misa_extensions();
  if (vector && table_has(Ext::V)) misa |= uint64_t{1} << ('V' - 'A');
  for (char letter : std::string_view("IMAFDCV")) {
    if (misa & (uint64_t{1} << (letter - 'A'))) out += static_cast<char>(letter - 'A' + 'a');
  }
  for (auto [ext, name] : {std::pair{Ext::Zicsr, "zicsr"},
                           {Ext::Zifencei, "zifencei"},
                           {Ext::Zba, "zba"},
                           {Ext::Zbb, "zbb"}}) {
    if (table_has(ext)) out += std::string("_") + name;
  }
  return out;
}

std::vector<std::string> decoder_overlaps() {
  const Table& t = table();
  std::vector<std::string> out;
  for (size_t i = 0; i < t.rows.size(); ++i) {
    for (size_t j = i + 1; j < t.rows.size(); ++j) {
      const PatternBits a = t.bits_of[i];
      const PatternBits b = t.bits_of[j];
      const uint32_t common = a.mask & b.mask;
      if (((a.match ^ b.match) & common) != 0) continue;  // disjoint
      // Row i comes first (at least as specific). Accepted when it is strictly more
      // specific, covers b's fixed bits, and says so.
      const bool i_more_specific = (a.mask & b.mask) == b.mask && a.mask != b.mask;
      if (i_more_specific && (t.rows[i]->flags & kInsnOverrides)) continue;
      out.push_back(std::string(t.rows[i]->name) + " / " + t.rows[j]->name);
    }
  }
  return out;
}

DecodedInsn decode(uint32_t raw) {
  DecodedInsn d;
  d.raw = raw;
  if ((raw & 3) != 3) {
    d.raw = raw & 0xffff;
    d.length = 2;
    d.word = expand_compressed(static_cast<uint16_t>(raw));
    if (d.word == 0) return d;
  } else {
    d.word = raw;
  }
  for (const auto& [pb, row, imm] : table().buckets[d.word & 0x7f]) {
    if ((d.word & pb.mask) == pb.match) {
      d.def = row;
      extract_fields(d, imm);
      return d;
    }
  }
  return d;
}

std::string disassemble(const DecodedInsn& d, uint64_t pc) {
  char buf[64];
  if (d.def == nullptr) {
    std::snprintf(buf, sizeof buf, "illegal 0x%0*x", d.length == 2 ? 4 : 8, d.raw);
    return buf;
  }
  std::string out = d.length == 2 ? std::string("c.") + d.def->name : d.def->name;
  const auto toks = tokens(d.def->operands);
  bool first = true;
  for (const std::string& tok : toks) {
    std::string text;
    auto mem = tok.find('(');
    std::string base = mem == std::string::npos ? tok : tok.substr(0, mem);
    auto vreg = [](unsigned i) { return "v" + std::to_string(i); };
    if (base == "vm") {
      if (((d.word >> 25) & 1) == 0) out += ", v0.t";
      continue;
    }
    if (base == "vd" || base == "vs3")
      text = vreg(d.rd);
    else if (base == "vs1")
      text = vreg(d.rs1);
    else if (base == "vs2")
      text = vreg(d.rs2);
    else if (base == "v0")
      text = "v0";
    else if (base == "uimm5")
      text = std::to_string(d.rs1);
    else if (base == "vtypei")
      text = format_vtype(static_cast<uint64_t>(d.imm));
    else if (base == "rd")
      text = xreg_name(d.rd);
    else if (base == "rs1")
      text = xreg_name(d.rs1);
    else if (base == "rs2")
      text = xreg_name(d.rs2);
    else if (base == "rs3")
      text = xreg_name(d.rs3);
    else if (base == "fd")
      text = freg_name(d.rd);
    else if (base == "fs1")
      text = freg_name(d.rs1);
    else if (base == "fs2")
      text = freg_name(d.rs2);
    else if (base == "fs3")
      text = freg_name(d.rs3);
    else if (base == "rm" || base == "pred" || base == "succ" || base == "aq" || base == "rl")
      continue;
    else if (base == "imm_b" || base == "imm_j") {
      const uint64_t target = pc + static_cast<uint64_t>(d.imm);  // wraps like the hart
      std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(target));
      text = buf;
    } else if (base == "imm_u") {
      std::snprintf(
          buf, sizeof buf, "0x%llx",
          static_cast<unsigned long long>((static_cast<uint64_t>(d.imm) >> 12) & 0xfffff));
      text = buf;
    } else if (base == "csr") {
      std::snprintf(buf, sizeof buf, "0x%03x", d.csr);
      text = buf;
    } else if (!base.empty()) {
      text = std::to_string(d.imm);
    }
    if (mem != std::string::npos) {
      const std::string reg = tok.substr(mem + 1, tok.size() - mem - 2);
      text += "(" + std::string(reg == "rs1" ? xreg_name(d.rs1) : reg.c_str()) + ")";
    }
    out += first ? " " : ", ";
    out += text;
    first = false;
  }
  return out;
}

std::string disassemble(uint32_t raw, uint64_t pc) {
  return disassemble(decode(raw), pc);
}

}  // namespace tiervm
