#include "engine/loader.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "mem/bus.h"

namespace tiervm {

namespace {

LoadResult fail(std::string msg) {
  return {std::nullopt, std::move(msg)};
}

template <typename T>
bool read_struct(std::span<const uint8_t> bytes, uint64_t offset, T& out) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return false;
  std::memcpy(&out, bytes.data() + offset, sizeof(T));
  return true;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(v));
  return buf;
}

// Collects the symbol tables' entries; a malformed section ends the scan early, keeping
// what was read.
void scan_symbols(std::span<const uint8_t> bytes, const Elf64_Ehdr& eh, LoadedImage& img) {
  if (eh.e_shoff == 0 || eh.e_shentsize != sizeof(Elf64_Shdr)) return;
  for (unsigned i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh;
    if (!read_struct(bytes, eh.e_shoff + uint64_t{i} * sizeof(Elf64_Shdr), sh)) return;
    if (sh.sh_type != SHT_SYMTAB || sh.sh_entsize != sizeof(Elf64_Sym)) continue;
    Elf64_Shdr strtab;
    if (sh.sh_link >= eh.e_shnum ||
        !read_struct(bytes, eh.e_shoff + uint64_t{sh.sh_link} * sizeof(Elf64_Shdr), strtab)) {
      return;
    }
    if (strtab.sh_offset > bytes.size() || bytes.size() - strtab.sh_offset < strtab.sh_size) {
      return;
    }
    const uint64_t count = sh.sh_size / sizeof(Elf64_Sym);
    for (uint64_t k = 0; k < count; ++k) {
      Elf64_Sym sym;
      if (!read_struct(bytes, sh.sh_offset + k * sizeof(Elf64_Sym), sym)) break;
      if (sym.st_name >= strtab.sh_size) continue;
      const char* base = reinterpret_cast<const char*>(bytes.data() + strtab.sh_offset);
      const size_t max_len = strtab.sh_size - sym.st_name;
      const std::string name(base + sym.st_name, strnlen(base + sym.st_name, max_len));
      if (name.empty()) continue;
      if (name == "tohost") img.tohost = sym.st_value;
      if (name == "fromhost") img.fromhost = sym.st_value;
      const unsigned type = ELF64_ST_TYPE(sym.st_info);
      // Names starting with '$' are mapping symbols (RISC-V ELF psABI: "$x" code, "$d"
      // data, "$xrv64i2p1_..." an ISA string), not functions: they would name blocks.
      if (name[0] == '$') continue;
      if (type == STT_FUNC || type == STT_OBJECT || type == STT_NOTYPE) {
        img.symbols.push_back({name, sym.st_value, sym.st_size});
      }
    }
  }
}

void read_symbols(std::span<const uint8_t> bytes, const Elf64_Ehdr& eh, LoadedImage& img) {
  scan_symbols(bytes, eh, img);
  // Sorted on every path (lookups binary-search it), also after an early end above.
  std::sort(img.symbols.begin(), img.symbols.end(),
            [](const ElfSymbol& a, const ElfSymbol& b) { return a.addr < b.addr; });
}

}  // namespace

std::optional<std::vector<uint8_t>> read_file(const std::string& path, std::string& error) {
  // POSIX I/O: std::ifstream throws from underflow() on a directory and says little.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    error = "'" + path + "' is not a regular file";
    ::close(fd);
    return std::nullopt;
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = "cannot read '" + path + "': " + (n < 0 ? std::strerror(errno) : "file shrank");
      ::close(fd);
      return std::nullopt;
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return bytes;
}

bool is_elf(std::span<const uint8_t> bytes) {
  return bytes.size() >= 4 && std::memcmp(bytes.data(), ELFMAG, SELFMAG) == 0;
}

bool is_linux_image(std::span<const uint8_t> bytes) {
  return bytes.size() >= 64 && std::memcmp(bytes.data() + 56, "RSC\x05", 4) == 0;
}

LoadResult load_elf(Bus& bus, std::span<const uint8_t> bytes) {
  Elf64_Ehdr eh;
  if (!is_elf(bytes)) return fail("not an ELF file");
  if (bytes.size() < EI_NIDENT || bytes[EI_CLASS] != ELFCLASS64) {
    return fail("ELF is not 64-bit (ELFCLASS64 required for RV64)");
  }
  if (!read_struct(bytes, 0, eh)) return fail("ELF header is truncated");
  if (eh.e_ident[EI_DATA] != ELFDATA2LSB) return fail("ELF is not little-endian");
  if (eh.e_machine != EM_RISCV) {
    return fail("ELF machine is " + std::to_string(eh.e_machine) + ", not RISC-V (243)");
  }
  if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) return fail("ELF is not an executable");
  if (eh.e_phentsize != sizeof(Elf64_Phdr)) return fail("ELF program header size is invalid");

  LoadedImage img;
  img.kind = ImageKind::Elf;
  img.entry = eh.e_entry;
  img.low = ~uint64_t{0};
  bool any = false;
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    if (!read_struct(bytes, eh.e_phoff + uint64_t{i} * sizeof(Elf64_Phdr), ph)) {
      return fail("ELF program headers are truncated");
    }
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    if (ph.p_filesz > ph.p_memsz) return fail("ELF segment " + std::to_string(i) + " is invalid");
    if (ph.p_offset > bytes.size() || bytes.size() - ph.p_offset < ph.p_filesz) {
      return fail("ELF file is truncated (segment " + std::to_string(i) + " ends past the file)");
    }
    const uint64_t addr = ph.p_paddr;
    if (addr + ph.p_memsz < addr || !bus.host_ptr(addr, ph.p_memsz, false)) {
      return fail("ELF segment at " + hex(addr) + " (" + std::to_string(ph.p_memsz) +
                  " bytes) does not fit in guest memory");
    }
    if (!bus.load_image(addr, bytes.subspan(ph.p_offset, ph.p_filesz))) {
      return fail("cannot load ELF segment at " + hex(addr));
    }
    std::vector<uint8_t> zeros(ph.p_memsz - ph.p_filesz, 0);
    if (!zeros.empty() && !bus.load_image(addr + ph.p_filesz, zeros)) {
      return fail("cannot clear ELF segment at " + hex(addr));
    }
    img.low = std::min(img.low, addr);
    img.high = std::max(img.high, addr + ph.p_memsz);
    any = true;
  }
  if (!any) return fail("ELF has no loadable segments");
  read_symbols(bytes, eh, img);
  return {std::move(img), {}};
}

LoadResult load_linux_image(Bus& bus, std::span<const uint8_t> bytes) {
  if (!is_linux_image(bytes)) return fail("not a RISC-V Linux Image");
  uint64_t text_offset = 0;
  read_struct(bytes, 8, text_offset);
  const uint64_t addr = bus.ram_base() + text_offset;
  LoadResult r = load_raw(bus, bytes, addr);
  if (r.image) r.image->kind = ImageKind::LinuxImage;
  return r;
}

LoadResult load_raw(Bus& bus, std::span<const uint8_t> bytes, uint64_t addr) {
  if (bytes.empty()) return fail("image is empty");
  if (!bus.host_ptr(addr, bytes.size(), false) || !bus.load_image(addr, bytes)) {
    return fail("image of " + std::to_string(bytes.size()) + " bytes at " + hex(addr) +
                " does not fit in guest memory");
  }
  LoadedImage img;
  img.kind = ImageKind::Raw;
  img.entry = addr;
  img.low = addr;
  img.high = addr + bytes.size();
  return {std::move(img), {}};
}

LoadResult load_image(Bus& bus, std::span<const uint8_t> bytes, uint64_t raw_addr) {
  if (is_elf(bytes)) return load_elf(bus, bytes);
  if (is_linux_image(bytes)) return load_linux_image(bus, bytes);
  return load_raw(bus, bytes, raw_addr);
}

}  // namespace tiervm
