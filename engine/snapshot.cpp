#include "engine/snapshot.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <sstream>

#include "devices/state_stream.h"
#include "devices/virt_board.h"
#include "engine/decoder.h"
#include "engine/executor.h"
#include "engine/hart.h"
#include "engine/machine.h"
#include "mem/bus.h"
#include "mem/host_pages.h"

namespace tiervm {

namespace {

constexpr char kMagic[8] = {'T', 'I', 'E', 'R', 'V', 'M', 'S', 'S'};
constexpr size_t kHeaderSize = 8 + 4 + 4 + 8;
constexpr size_t kTrailerSize = 4;
constexpr char kMachineSection[] = "machine";
constexpr char kRamSection[] = "ram";

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

bool page_is_zero(const uint8_t* p) {
  // Word compares: RAM pages are 8-byte aligned.
  uint64_t acc = 0;
  for (size_t i = 0; i < kPageSize; i += 64) {
    uint64_t w[8];
    std::memcpy(w, p + i, sizeof w);
    acc |= w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7];
    if (acc != 0) return false;
  }
  return true;
}

// RAM as runs of pages that are not all zero: [offset, offset + length).
struct RamRun {
  uint64_t offset;
  uint64_t length;
};

std::vector<RamRun> ram_runs(const Bus& bus) {
  std::vector<RamRun> runs;
  const uint8_t* ram = bus.ram_data();
  const uint64_t size = bus.ram_size();
  const std::vector<uint8_t> in_use = host_pages_in_use(ram, size);
  for (uint64_t off = 0; off < size; off += kPageSize) {
    const uint64_t len = std::min(kPageSize, size - off);
    if (!in_use.empty() && in_use[off / kPageSize] == 0) continue;  // never touched
    const bool zero = len == kPageSize ? page_is_zero(ram + off)
                                       : std::all_of(ram + off, ram + off + len,
                                                     [](uint8_t b) { return b == 0; });
    if (zero) continue;
    if (!runs.empty() && runs.back().offset + runs.back().length == off) {
      runs.back().length += len;
    } else {
      runs.push_back({off, len});
    }
  }
  return runs;
}

uint64_t ram_section_size(const std::vector<RamRun>& runs) {
  uint64_t n = 8 + 8;
  for (const RamRun& r : runs) n += 16 + r.length;
  return n;
}

// The sections other than RAM, in file order after "machine".
std::vector<StateSection> state_sections(Machine& m) {
  std::vector<StateSection> sections;
  sections.push_back({kMachineSection, {}});
  const std::string text = snapshot_description(m);
  sections.back().bytes.assign(text.begin(), text.end());
  for (unsigned i = 0; i < m.hart_count(); ++i) {
    StateSection hart{"hart" + std::to_string(i), {}};
    StateWriter w(hart.bytes);
    m.hart(i).save_state(w);
    sections.push_back(std::move(hart));
  }
  m.board().save(sections);
  return sections;
}

// Where the bytes of a snapshot go: a file or memory, with the running checksum.
class Sink {
 public:
  explicit Sink(std::function<bool(std::span<const uint8_t>)> out) : out_(std::move(out)) {}
  bool put(std::span<const uint8_t> bytes) {
    if (bytes.empty()) return true;
    crc_ = crc32c(bytes, crc_);
    return out_(bytes);
  }
  bool put_scalar(uint64_t v, unsigned n) {
    uint8_t b[8];
    for (unsigned i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
    return put({b, n});
  }
  uint32_t crc() const { return crc_; }

 private:
  std::function<bool(std::span<const uint8_t>)> out_;
  uint32_t crc_ = 0;
};

bool put_section_header(Sink& sink, const std::string& name, uint64_t length) {
  return sink.put_scalar(name.size(), 4) &&
         sink.put({reinterpret_cast<const uint8_t*>(name.data()), name.size()}) &&
         sink.put_scalar(length, 8);
}

// Writes the whole snapshot to `sink`; false when the sink failed.
bool write_snapshot(Machine& m, Sink& sink) {
  const std::vector<StateSection> sections = state_sections(m);
  const std::vector<RamRun> runs = ram_runs(m.bus());
  uint64_t size = kHeaderSize + kTrailerSize;
  for (const StateSection& s : sections) size += 4 + s.name.size() + 8 + s.bytes.size();
  const uint64_t ram_bytes = ram_section_size(runs);
  size += 4 + std::strlen(kRamSection) + 8 + ram_bytes;

  bool ok = sink.put({reinterpret_cast<const uint8_t*>(kMagic), sizeof kMagic}) &&
            sink.put_scalar(kSnapshotVersion, 4) && sink.put_scalar(sections.size() + 1, 4) &&
            sink.put_scalar(size, 8);
  for (const StateSection& s : sections) {
    ok = ok && put_section_header(sink, s.name, s.bytes.size()) && sink.put(s.bytes);
  }
  ok = ok && put_section_header(sink, kRamSection, ram_bytes) &&
       sink.put_scalar(m.bus().ram_size(), 8) && sink.put_scalar(runs.size(), 8);
  for (const RamRun& r : runs) {
    ok = ok && sink.put_scalar(r.offset, 8) && sink.put_scalar(r.length, 8) &&
         sink.put({m.bus().ram_data() + r.offset, r.length});
  }
  return ok && sink.put_scalar(sink.crc(), 4);
}

std::string describe_ram(uint64_t bytes) {
  if (bytes % (1 << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

// "key rest" lines -> the first difference, as "key: X in the snapshot, Y here".
std::string first_difference(const std::string& saved, const std::string& here) {
  auto lines = [](const std::string& text) {
    std::vector<std::pair<std::string, std::string>> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      const auto space = line.find(' ');
      out.emplace_back(line.substr(0, space),
                       space == std::string::npos ? "" : line.substr(space + 1));
    }
    return out;
  };
  const auto a = lines(saved), b = lines(here);
  auto find = [](const auto& list, const std::string& key) -> const std::string* {
    for (const auto& [k, v] : list) {
      if (k == key) return &v;
    }
    return nullptr;
  };
  auto quoted = [](const std::string* v) { return v == nullptr ? "none" : "'" + *v + "'"; };
  auto differ = [&](const std::string& key, const std::string* saved_value,
                    const std::string* here_value) {
    std::string out = key;
    out += ": ";
    out += quoted(saved_value);
    out += " in the snapshot, ";
    out += quoted(here_value);
    out += " here";
    return out;
  };
  for (const auto& [key, value] : a) {
    const std::string* other = find(b, key);
    if (other == nullptr || *other != value) return differ(key, &value, other);
  }
  for (const auto& [key, value] : b) {
    if (find(a, key) == nullptr) return differ(key, nullptr, &value);
  }
  return "the descriptions differ";
}

uint64_t get_le(std::span<const uint8_t> bytes, size_t pos, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t{bytes[pos + i]} << (8 * i);
  return v;
}

// The RAM section's runs, checked: inside RAM, in order, not overlapping.
bool read_ram_runs(std::span<const uint8_t> section, uint64_t ram_size,
                   std::vector<std::pair<RamRun, std::span<const uint8_t>>>& runs) {
  StateReader r(section);
  if (r.u64() != ram_size) return false;
  const uint64_t count = r.u64();
  if (count > ram_size / kPageSize + 1) return false;
  uint64_t end = 0;
  for (uint64_t i = 0; i < count && r.ok(); ++i) {
    const uint64_t offset = r.u64();
    const uint64_t length = r.u64();
    if (offset < end || offset > ram_size || length > ram_size - offset) return false;
    runs.push_back({{offset, length}, r.bytes(length)});
    end = offset + length;
  }
  return r.done();
}

// Zeroes [from, to) of RAM where it is not zero already: fresh RAM is mostly untouched
// anonymous memory (`in_use`: host_pages_in_use), where writing zeros, or reading, would
// only make the host map it.
void clear_ram(uint8_t* ram, uint64_t from, uint64_t to, const std::vector<uint8_t>& in_use) {
  uint64_t off = from;
  const uint64_t first_page = std::min(to, (from + kPageMask) & ~kPageMask);
  std::memset(ram + off, 0, first_page - off);
  for (off = first_page; off + kPageSize <= to; off += kPageSize) {
    if (!in_use.empty() && in_use[off / kPageSize] == 0) continue;
    if (!page_is_zero(ram + off)) std::memset(ram + off, 0, kPageSize);
  }
  std::memset(ram + off, 0, to - off);
}

}  // namespace

std::string snapshot_description(Machine& m) {
  std::string text = "board virt\n";
  text += "ram " + describe_ram(m.bus().ram_size()) + "\n";
  text += "harts " + std::to_string(m.hart_count()) + "\n";
  const unsigned vlen = m.config().vlen;
  text += "isa " + isa_string(vlen != 0) + "\n";
  if (vlen != 0) text += "vlen " + std::to_string(vlen) + "\n";
  text += m.board().describe();
  return text;
}

std::vector<uint8_t> encode_snapshot(Machine& m) {
  std::vector<uint8_t> out;
  Sink sink([&out](std::span<const uint8_t> b) {
    out.insert(out.end(), b.begin(), b.end());
    return true;
  });
  write_snapshot(m, sink);
  return out;
}

bool save_snapshot(Machine& m, const std::string& path, std::string& error, SnapshotStats* stats) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = "cannot write snapshot '" + tmp + "': " + std::strerror(errno);
    return false;
  }
  // Buffered: RAM goes out in runs of any length, the small fields a few bytes at a time.
  constexpr size_t kBuffer = 1 << 20;
  std::vector<uint8_t> buffer;
  buffer.reserve(kBuffer);
  int err = 0;
  uint64_t written = 0;
  auto write_all = [&](std::span<const uint8_t> b) {
    size_t done = 0;
    while (err == 0 && done < b.size()) {
      const ssize_t n = ::write(fd, b.data() + done, b.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        err = n < 0 ? errno : EIO;
        break;
      }
      done += static_cast<size_t>(n);
    }
    written += done;
    return err == 0;
  };
  auto flush = [&] {
    const bool ok = write_all(buffer);
    buffer.clear();
    return ok;
  };
  Sink sink([&](std::span<const uint8_t> b) {
    if (buffer.size() + b.size() > kBuffer && !flush()) return false;
    if (b.size() >= kBuffer) return write_all(b);
    buffer.insert(buffer.end(), b.begin(), b.end());
    return true;
  });
  const bool ok = write_snapshot(m, sink) && flush();
  if (ok && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (!ok || err != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (err == 0) err = errno;
    ::unlink(tmp.c_str());
    error = "cannot write snapshot '" + path + "': " + std::strerror(err);
    return false;
  }
  // The rename itself is durable once the directory is.
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  if (stats) *stats = {written, seconds_since(t0)};
  return true;
}

bool decode_snapshot(Machine& m, std::span<const uint8_t> bytes, const std::string& what,
                     std::string& error) {
  auto refuse = [&](const std::string& why) {
    error = what + " " + why;
    return false;
  };
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return refuse("is not a tiervm snapshot");
  }
  if (bytes.size() < kHeaderSize + kTrailerSize) {
    return refuse("is truncated (" + std::to_string(bytes.size()) + " bytes)");
  }
  const uint32_t version = static_cast<uint32_t>(get_le(bytes, 8, 4));
  if (version != kSnapshotVersion) {
    return refuse("has snapshot format version " + std::to_string(version) +
                  "; this tiervm reads version " + std::to_string(kSnapshotVersion));
  }
  const uint64_t count = get_le(bytes, 12, 4);
  const uint64_t size = get_le(bytes, 16, 8);
  if (size != bytes.size()) {
    return refuse(bytes.size() < size
                      ? "is truncated (" + std::to_string(bytes.size()) + " of " +
                            std::to_string(size) + " bytes)"
                      : "is corrupt (" + std::to_string(bytes.size()) + " bytes, its header says " +
                            std::to_string(size) + ")");
  }
  const auto body = bytes.first(bytes.size() - kTrailerSize);
  if (crc32c(body) != get_le(bytes, body.size(), 4)) {
    return refuse("is corrupt (checksum mismatch)");
  }

  StateSections sections;
  StateReader r(body.subspan(kHeaderSize));
  for (uint64_t i = 0; i < count && r.ok(); ++i) {
    const std::string name = r.string();
    const auto section = r.bytes(r.u64());
    if (r.ok() && !sections.emplace(name, section).second) r.fail();
  }
  if (!r.done()) return refuse("is corrupt (bad section table)");
  auto machine = sections.find(kMachineSection);
  auto ram = sections.find(kRamSection);
  if (machine == sections.end() || ram == sections.end()) {
    return refuse("is corrupt (no machine or ram section)");
  }
  const std::string saved(machine->second.begin(), machine->second.end());
  const std::string here = snapshot_description(m);
  if (saved != here) {
    return refuse("is of another machine configuration (" + first_difference(saved, here) + ")");
  }
  std::vector<std::pair<RamRun, std::span<const uint8_t>>> runs;
  if (!read_ram_runs(ram->second, m.bus().ram_size(), runs)) {
    return refuse("is corrupt (its 'ram' section)");
  }
  std::vector<std::span<const uint8_t>> harts;
  for (unsigned i = 0; i < m.hart_count(); ++i) {
    const std::string name = "hart" + std::to_string(i);
    auto hart = sections.find(name);
    if (hart == sections.end()) return refuse("is corrupt (no '" + name + "' section)");
    harts.push_back(hart->second);
  }

  // From here on the machine changes. The harts first: in --deterministic runs the clock
  // counts their instructions, and the CLINT sets mtime on that clock.
  for (unsigned i = 0; i < m.hart_count(); ++i) {
    StateReader hr(harts[i]);
    if (!m.hart(i).load_state(hr) || !hr.done()) {
      return refuse("is corrupt (its 'hart" + std::to_string(i) + "' section)");
    }
  }
  uint8_t* data = m.bus().ram_data();
  const std::vector<uint8_t> in_use = host_pages_in_use(data, m.bus().ram_size());
  uint64_t end = 0;
  for (const auto& [run, run_bytes] : runs) {
    clear_ram(data, end, run.offset, in_use);
    std::memcpy(data + run.offset, run_bytes.data(), run.length);
    end = run.offset + run.length;
  }
  clear_ram(data, end, m.bus().ram_size(), in_use);
  std::string why;
  if (!m.board().load(sections, why)) return refuse("is corrupt (" + why + ")");
  // RAM changed under the code cache's feet: drop all code (and the code-page marks).
  for (unsigned i = 0; i < m.hart_count(); ++i) m.executor(i).code_cache().flush();
  return true;
}

bool load_snapshot(Machine& m, const std::string& path, std::string& error, SnapshotStats* stats) {
  const auto t0 = std::chrono::steady_clock::now();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open snapshot '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::vector<uint8_t> bytes;
  struct stat st {};
  int err = ::fstat(fd, &st) != 0 ? errno : 0;
  if (err == 0) {
    bytes.resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) err = errno;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    bytes.resize(done);
  }
  ::close(fd);
  if (err != 0) {
    error = "cannot read snapshot '" + path + "': " + std::strerror(err);
    return false;
  }
  if (!decode_snapshot(m, bytes, "snapshot '" + path + "'", error)) return false;
  if (stats) *stats = {bytes.size(), seconds_since(t0)};
  return true;
}

}  // namespace tiervm
