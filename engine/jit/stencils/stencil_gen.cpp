// Build step of the baseline tier: reads the object clang-19 made of
// engine/jit/stencils/stencils.cpp and writes a C++ header with every stencil's machine
// code and holes (engine/jit/stencil.h describes them). A relocation the baseline compiler
// cannot patch (a constant pool, a call to a library function...) fails the build with the
// stencil's name: the stencil must be written differently.
//
//   stencil_gen STENCILS.o OUT.inc
#include <llvm/BinaryFormat/ELF.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Support/Error.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr const char* kPrefix = "tiervm_stencil_";
constexpr const char* kHolePrefix = "_JIT_";

struct Hole {
  uint64_t offset;
  const char* reloc;
  std::string hole;
  int64_t addend;
};

struct Stencil {
  std::string name;
  std::vector<uint8_t> code;
  std::vector<Hole> holes;
};

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "stencil_gen: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T check(llvm::Expected<T> v, const std::string& what) {
  if (!v) fail(what + ": " + llvm::toString(v.takeError()));
  return std::move(*v);
}

const char* reloc_kind(uint64_t type, const std::string& stencil) {
  switch (type) {
    case llvm::ELF::R_X86_64_64:
      return "kAbs64";
    case llvm::ELF::R_X86_64_32:
      return "kAbs32";
    case llvm::ELF::R_X86_64_32S:
      return "kAbs32S";
    case llvm::ELF::R_X86_64_PC32:
    case llvm::ELF::R_X86_64_PLT32:
      return "kRel32";
    default:
      fail(stencil + ": relocation type " + std::to_string(type) + " is not supported");
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) fail("usage: stencil_gen STENCILS.o OUT.inc");
  auto owner = check(llvm::object::ObjectFile::createObjectFile(argv[1]), argv[1]);
  auto* obj = llvm::dyn_cast<llvm::object::ELF64LEObjectFile>(owner.getBinary());
  if (obj == nullptr || obj->getArch() != llvm::Triple::x86_64) {
    fail(std::string(argv[1]) + ": not an x86-64 ELF object");
  }

  // Relocations by the section they patch.
  std::map<llvm::object::SectionRef, std::vector<llvm::object::RelocationRef>> relocs;
  for (const llvm::object::SectionRef& sec : obj->sections()) {
    auto target = check(sec.getRelocatedSection(), "relocated section");
    if (target == obj->section_end()) continue;
    for (const llvm::object::RelocationRef& r : sec.relocations()) relocs[*target].push_back(r);
  }

  std::vector<Stencil> stencils;
  for (const llvm::object::ELFSymbolRef sym : obj->symbols()) {
    const std::string name = check(sym.getName(), "symbol name").str();
    if (name.rfind(kPrefix, 0) != 0) continue;
    if (check(sym.getType(), name) != llvm::object::SymbolRef::ST_Function) continue;
    const llvm::object::SectionRef sec = *check(sym.getSection(), name);
    const uint64_t start = check(sym.getValue(), name);
    const uint64_t size = sym.getSize();
    const llvm::StringRef bytes = check(sec.getContents(), name);
    if (start + size > bytes.size()) fail(name + ": symbol outside its section");
    Stencil st;
    st.name = name.substr(std::string(kPrefix).size());
    st.code.assign(bytes.begin() + static_cast<long>(start),
                   bytes.begin() + static_cast<long>(start + size));
    for (const llvm::object::RelocationRef& r : relocs[sec]) {
      const uint64_t off = r.getOffset();
      if (off < start || off >= start + size) continue;
      auto target = r.getSymbol();
      const std::string hole =
          target == obj->symbol_end() ? "" : check(target->getName(), name).str();
      if (hole.rfind(kHolePrefix, 0) != 0) {
        fail(st.name + ": refers to '" + hole +
             "', which is not a hole (engine/jit/stencils/holes.inc)");
      }
      const int64_t addend = check(llvm::object::ELFRelocationRef(r).getAddend(), name);
      st.holes.push_back({off - start, reloc_kind(r.getType(), st.name), hole.substr(5), addend});
    }
    // Memory thunks and out-of-line bodies return a trap from the block (a memory thunk over
    // the calling stencil's return address, a body's caller right after the call): a stencil
    // that calls one must not move the stack (a prologue: push, sub rsp). Bodies themselves
    // (body_*) are ordinary functions.
    bool calls_memory_thunk = false;
    for (const Hole& h : st.holes) {
      calls_memory_thunk = calls_memory_thunk || h.hole == "LOAD_FN" || h.hole == "STORE_FN" ||
                           (h.hole == "CALL_FN" && st.name.rfind("body_", 0) != 0);
    }
    const std::vector<uint8_t>& c = st.code;
    const bool push =
        !c.empty() && ((c[0] >= 0x50 && c[0] <= 0x57) ||
                       (c.size() > 1 && c[0] == 0x41 && c[1] >= 0x50 && c[1] <= 0x57));
    const bool sub_rsp =
        c.size() > 2 && c[0] == 0x48 && (c[1] == 0x83 || c[1] == 0x81) && c[2] == 0xec;
    if (calls_memory_thunk && (push || sub_rsp)) {
      fail(st.name + ": calls a thunk that returns from the block, from a stack frame");
    }
    // The jump to the next stencil, when it is the last instruction, is dropped: the next
    // stencil is copied right behind.
    const size_t n = st.code.size();
    for (size_t k = 0; k < st.holes.size(); ++k) {
      const Hole& h = st.holes[k];
      if (h.hole == "CONTINUE" && n >= 5 && h.offset == n - 4 && st.code[n - 5] == 0xe9) {
        st.code.resize(n - 5);
        st.holes.erase(st.holes.begin() + static_cast<long>(k));
        break;
      }
    }
    stencils.push_back(std::move(st));
  }
  if (stencils.empty()) fail(std::string(argv[1]) + ": no stencils");

  std::ostringstream out;
  out << "// Generated by engine/jit/stencils/stencil_gen.cpp from engine/jit/stencils/"
         "stencils.cpp. Do not edit.\n";
  for (const Stencil& st : stencils) {
    out << "inline constexpr uint8_t kCode_" << st.name << "[] = {";
    for (size_t i = 0; i < st.code.size(); ++i) {
      out << (i % 16 == 0 ? "\n    " : " ") << static_cast<unsigned>(st.code[i]) << ",";
    }
    out << "\n    0};\n";
    out << "inline constexpr StencilHole kHoles_" << st.name << "[] = {\n";
    for (const Hole& h : st.holes) {
      out << "    {" << h.offset << ", " << h.reloc << ", Hole::" << h.hole << ", " << h.addend
          << "},\n";
    }
    out << "    {0, kAbs64, Hole::Count, 0}};\n";
    out << "inline constexpr Stencil k" << st.name << " = {\"" << st.name << "\", kCode_" << st.name
        << ", " << st.code.size() << ", kHoles_" << st.name << ", " << st.holes.size() << "};\n";
  }
  std::ofstream file(argv[2]);
  file << out.str();
  if (!file.good()) fail(std::string(argv[2]) + ": cannot write");
  return 0;
}
