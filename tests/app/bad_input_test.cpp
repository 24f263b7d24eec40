// Bad input and misbehaving guests, run through the real `tiervm` binary: every host-side
// error exits with 125 and says so in exactly one line on stderr starting with
// "tiervm: error:" and nothing on stdout (DESIGN.md, command line); a guest that never
// ends is stopped by --timeout or --max-instructions with exit 124.
#include <elf.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/fuzz/rv_encode.h"

extern char** environ;

namespace tiervm {
namespace {

namespace fs = std::filesystem;

constexpr int kExitTimeout = 124;  // DESIGN.md: timeout or instruction limit
constexpr int kExitHost = 125;     // DESIGN.md: a host-side error
// The test gives up on a tiervm process after this long (it must have exited by then).
constexpr auto kHostTimeout = std::chrono::seconds(30);

const fs::path kBinaryDir = TIERVM_BINARY_DIR;
const fs::path kTiervm = kBinaryDir / "app" / "tiervm";
const fs::path kRom = kBinaryDir / "roms" / "isa" / "rv64i.elf";

struct Result {
  bool exited = false;  // exited on its own (not by a signal or our kill)
  int code = -1;
  std::string out;
  std::string err;
};

// A running tiervm with stdin from /dev/null and stdout/stderr on pipes.
class Process {
 public:
  explicit Process(const std::vector<std::string>& args) {
    int out[2], err[2];
    if (pipe(out) != 0 || pipe(err) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    for (int fd : {out[0], out[1], err[0], err[1]}) posix_spawn_file_actions_addclose(&actions, fd);
    std::vector<std::string> full = {kTiervm.string()};
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    argv.reserve(full.size() + 1);
    for (std::string& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  ~Process() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
    if (err_ >= 0) close(err_);
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig) const {
    if (pid_ > 0) kill(pid_, sig);
  }

  // Collects the output until both pipes close, then the exit status.
  Result wait() {
    Result r;
    if (pid_ <= 0) {
      r.err = "posix_spawn failed";
      return r;
    }
    const auto deadline = std::chrono::steady_clock::now() + kHostTimeout;
    bool killed = false;
    char buf[4096];
    while (out_ >= 0 || err_ >= 0) {
      pollfd fds[2] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}};
      if (poll(fds, 2, 100) > 0) {
        for (int i = 0; i < 2; ++i) {
          int& fd = i == 0 ? out_ : err_;
          if (fd < 0 || fds[i].revents == 0) continue;
          const ssize_t n = read(fd, buf, sizeof buf);
          if (n > 0) {
            (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
          } else if (n == 0 || errno != EINTR) {
            close(fd);
            fd = -1;
          }
        }
      }
      if (!killed && std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        killed = true;
      }
    }
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    if (!killed && WIFEXITED(status)) {
      r.exited = true;
      r.code = WEXITSTATUS(status);
    }
    return r;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  int err_ = -1;
};

Result run(const std::vector<std::string>& args) {
  return Process(args).wait();
}

// Temporary files for one test, removed at the end.
class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/tiervm-bad-input-XXXXXX";
    path_ = mkdtemp(name) ? name : "";
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) const {
    const fs::path p = path_ / name;
    std::ofstream out(p, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    return p.string();
  }
  fs::path path() const { return path_; }

 private:
  fs::path path_;
};

std::vector<uint8_t> read_bytes(const fs::path& p, size_t max = SIZE_MAX) {
  std::ifstream in(p, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (bytes.size() > max) bytes.resize(max);
  return bytes;
}

std::vector<uint8_t> code_bytes(const std::vector<uint32_t>& words) {
  std::vector<uint8_t> out;
  for (uint32_t w : words) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(w >> (8 * i)));
  }
  return out;
}

// A 32-bit RISC-V ELF executable (ELFCLASS32, EM_RISCV) with one segment holding `j .`.
std::vector<uint8_t> elf32() {
  Elf32_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS32;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_RISCV;
  eh.e_version = EV_CURRENT;
  eh.e_entry = 0x8000'0000;
  eh.e_phoff = sizeof eh;
  eh.e_ehsize = sizeof eh;
  eh.e_phentsize = sizeof(Elf32_Phdr);
  eh.e_phnum = 1;
  Elf32_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_offset = sizeof eh + sizeof ph;
  ph.p_vaddr = ph.p_paddr = 0x8000'0000;
  ph.p_filesz = ph.p_memsz = 4;
  ph.p_flags = PF_R | PF_X;
  std::vector<uint8_t> out(sizeof eh + sizeof ph);
  std::memcpy(out.data(), &eh, sizeof eh);
  std::memcpy(out.data() + sizeof eh, &ph, sizeof ph);
  const std::vector<uint8_t> code = code_bytes({rv::kJumpSelf});
  out.insert(out.end(), code.begin(), code.end());
  return out;
}

// Raw guest programs (loaded at the RAM base and entered in M-mode).
const std::vector<uint8_t> kLoopForever = {0x6f, 0x00, 0x00, 0x00};  // j .

// Stores pseudo-random values of every width to the UART, CLINT (msip and mtimecmp),
// PLIC, an empty virtio slot and the RTC, forever; a trap handler skips refused accesses.
std::vector<uint8_t> mmio_vandal() {
  using namespace rv;
  enum : uint32_t {
    T0 = 5,
    T1 = 6,
    T2 = 7,
    S0 = 8,
    S1 = 9,
    S2 = 18,
    S3 = 19,
    S4 = 20,
    T3 = 28,
    T4 = 29,
    T5 = 30
  };
  std::vector<uint32_t> p = {
      auipc(T0, 0),         addi(T0, T0, 0),  // patched: the handler's offset
      csr(1, 0, 0x305, T0),                   // csrw mtvec, t0
      lui(S0, 0x1000'0000),                   // UART
      lui(S1, 0x0200'0000),                   // CLINT
      lui(S2, 0x0c00'0000),                   // PLIC
      lui(S3, 0x1000'1000),                   // virtio slot 0
      lui(S4, 0x0010'1000),                   // goldfish RTC
      addi(T1, 0, 1234),
  };
  const size_t loop = p.size();
  const std::vector<uint32_t> body = {
      i_type(5, T1, 1, T2, kOpImm),      // slli t2, t1, 5
      r_type(0, T2, T1, 0, T1, kOpReg),  // add t1, t1, t2
      addi(T1, T1, 0x2b7),               //
      i_type(0xf8, T1, 7, T2, kOpImm),   // andi t2, t1, 0xf8: an offset
      r_type(0, T2, S0, 0, T3, kOpReg),  // uart + offset
      store(0, T1, T3, 0),               // sb
      store(3, T1, T3, 0),               // sd (the UART refuses it)
      r_type(0, T2, S1, 0, T3, kOpReg),  // clint + offset
      store(2, T1, T3, 0),               //
      lui(T4, 0x4000),                   //
      r_type(0, T4, S1, 0, T4, kOpReg),  // mtimecmp
      store(3, T1, T4, 0),               //
      r_type(0, T2, S2, 0, T3, kOpReg),  // plic + offset
      store(2, T1, T3, 0),               //
      store(1, T1, T3, 2),               // sh (the PLIC refuses it)
      r_type(0, T2, S3, 0, T3, kOpReg),  // virtio + offset
      store(2, T1, T3, 0),               //
      r_type(0, T2, S4, 0, T3, kOpReg),  // rtc + offset
      store(2, T1, T3, 0),               //
  };
  p.insert(p.end(), body.begin(), body.end());
  p.push_back(jal(0, -4 * static_cast<int64_t>(p.size() - loop)));
  const size_t handler = p.size();
  p.push_back(csr(2, T5, 0x341, 0));  // csrr t5, mepc
  p.push_back(addi(T5, T5, 4));
  p.push_back(csr(1, 0, 0x341, T5));
  p.push_back(kMret);
  p[1] = addi(T0, T0, static_cast<int64_t>(4 * handler));
  return code_bytes(p);
}

// ecall with mtvec = 0: the trap vector is unmapped, so the hart takes instruction access
// faults forever without retiring an instruction.
const std::vector<uint8_t> kTrapIntoNowhere = {0x73, 0x00, 0x00, 0x00};

// ---- Host errors: exit 125, one line on stderr, nothing on stdout.

struct BadInput {
  const char* name;
  // Arguments; "@dir" is replaced by the test's temporary directory, "@rom" by an ISA rom.
  std::vector<std::string> args;
  // Writes the files the case needs into the temporary directory.
  std::function<void(const TempDir&)> setup;
};

void PrintTo(const BadInput& c, std::ostream* os) {
  *os << c.name;
}

const BadInput kBadInputs[] = {
    {"UnknownOption", {"--no-such-option", "@rom"}, nullptr},
    {"MissingImage", {"@dir/missing.elf"}, nullptr},
    {"ImageInMissingDirectory", {"@dir/no/such/dir/image.elf"}, nullptr},
    {"ImageIsADirectory", {"@dir"}, nullptr},
    {"EmptyImage", {"@dir/empty.bin"}, [](const TempDir& d) { d.write("empty.bin", {}); }},
    {"RawImageLargerThanRam",
     {"--memory", "16M", "@dir/big.bin"},
     [](const TempDir& d) { d.write("big.bin", std::vector<uint8_t>((16u << 20) + 1, 0x13)); }},
    {"WrongArchitectureElf", {"/bin/true"}, nullptr},
    {"Elf32", {"@dir/rv32.elf"}, [](const TempDir& d) { d.write("rv32.elf", elf32()); }},
    {"TruncatedElf",
     {"@dir/truncated.elf"},
     [](const TempDir& d) { d.write("truncated.elf", read_bytes(kRom, 100)); }},
    {"MemoryTooSmall", {"--memory", "1K", "@rom"}, nullptr},
    {"MemoryTooLarge", {"--memory", "100G", "@rom"}, nullptr},
    {"MemoryMalformed", {"--memory", "lots", "@rom"}, nullptr},
    {"JitBogus", {"--jit", "bogus", "@rom"}, nullptr},
    {"VlenNotAPowerOfTwo", {"--vlen", "100", "@rom"}, nullptr},
    {"VlenTooLarge", {"--vlen", "2048", "@rom"}, nullptr},
    {"DriveWithoutFile", {"--drive", "readonly=on", "@rom"}, nullptr},
    {"DriveUnknownKey", {"--drive", "file=@dir/x.img,cache=none", "@rom"}, nullptr},
    {"DriveMissingFile", {"--drive", "file=@dir/missing.img", "@rom"}, nullptr},
    {"MissingKernel", {"--kernel", "@dir/missing-Image"}, nullptr},
    {"MissingBios", {"--bios", "@dir/missing-bios.bin"}, nullptr},
    {"MissingInitrd",
     {"--kernel", "@dir/Image", "--bios", "none", "--initrd", "@dir/missing.cpio"},
     [](const TempDir& d) { d.write("Image", kLoopForever); }},
    {"InitrdWithoutKernel", {"--initrd", "@dir/initrd.cpio", "@rom"}, nullptr},
    {"ImageAndKernel", {"--kernel", "@rom", "@rom"}, nullptr},
    {"NoGuest", {"--headless"}, nullptr},
    {"NegativeTimeout", {"--timeout", "-1", "@rom"}, nullptr},
    {"NetdevNotUser", {"--netdev", "tap,ifname=tap0", "@rom"}, nullptr},
    {"NetdevUnknownKey", {"--netdev", "user,smb=/tmp", "@rom"}, nullptr},
    {"NetdevHostfwdNoDash", {"--netdev", "user,hostfwd=tcp::8080", "@rom"}, nullptr},
    {"NetdevHostfwdBadPort", {"--netdev", "user,hostfwd=tcp::70000-:22", "@rom"}, nullptr},
    {"NetdevHostfwdBadProto", {"--netdev", "user,hostfwd=sctp::8080-:22", "@rom"}, nullptr},
    {"NetdevHostfwdBadAddr", {"--netdev", "user,hostfwd=tcp:1.2.3:8080-:22", "@rom"}, nullptr},
    {"NetdevTwice", {"--netdev", "user", "--netdev", "user", "@rom"}, nullptr},
    {"GdbPortOutOfRange", {"--gdb", "tcp::70000", "@rom"}, nullptr},
    {"GdbNotTcp", {"--gdb", "/dev/ttyS0", "@rom"}, nullptr},
    {"GdbBadHost", {"--gdb", "tcp:nowhere:1234", "@rom"}, nullptr},
    {"HoldWithoutGdb", {"-S", "@rom"}, nullptr},
    {"PerfMapBogus", {"--perf-map=perfetto", "@rom"}, nullptr},
    {"SaveSnapshotEmpty", {"--save-snapshot", "", "@rom"}, nullptr},
    {"LoadSnapshotMissing", {"--load-snapshot", "@dir/missing.snapshot", "@rom"}, nullptr},
    {"LoadSnapshotNotASnapshot", {"--load-snapshot", "@rom", "@rom"}, nullptr},
    {"LoadSnapshotEmpty",
     {"--load-snapshot", "@dir/empty.snapshot", "@rom"},
     [](const TempDir& d) { d.write("empty.snapshot", {}); }},
};

std::vector<std::string> expand(const std::vector<std::string>& args, const TempDir& dir) {
  std::vector<std::string> out = {"--headless"};
  for (std::string a : args) {
    for (const auto& [key, value] :
         {std::pair<std::string, std::string>{"@dir", dir.path().string()},
          {"@rom", kRom.string()}}) {
      for (size_t at; (at = a.find(key)) != std::string::npos;) a.replace(at, key.size(), value);
    }
    out.push_back(a);
  }
  return out;
}

// One line, "tiervm: error: ..."; returns why not, or "".
std::string check_host_error(const Result& r) {
  if (!r.exited) return "did not exit on its own";
  if (r.code != kExitHost) return "exit code " + std::to_string(r.code) + ", expected 125";
  if (!r.out.empty()) return "wrote to stdout: " + r.out;
  if (r.err.rfind("tiervm: error: ", 0) != 0) return "stderr does not start with 'tiervm: error: '";
  if (r.err.find('\n') != r.err.size() - 1) return "stderr is not exactly one line";
  return "";
}

class BadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadInputTest, ExitsWithOneErrorLine) {
  ASSERT_TRUE(fs::exists(kTiervm)) << "emulator not built: " << kTiervm;
  ASSERT_TRUE(fs::exists(kRom)) << "rom not built: " << kRom;
  const BadInput& c = GetParam();
  TempDir dir;
  if (c.setup) c.setup(dir);
  const Result r = run(expand(c.args, dir));
  EXPECT_EQ(check_host_error(r), "") << "stdout:\n" << r.out << "stderr:\n" << r.err;
}

INSTANTIATE_TEST_SUITE_P(Cases, BadInputTest, ::testing::ValuesIn(kBadInputs),
                         [](const auto& info) { return std::string(info.param.name); });

// A drive image that another tiervm holds (read-write: an exclusive lock) cannot be opened
// a second time.
TEST(BadInput, DriveLockedByAnotherTiervm) {
  ASSERT_TRUE(fs::exists(kTiervm)) << "emulator not built: " << kTiervm;
  TempDir dir;
  const std::string disk = dir.write("disk.img", std::vector<uint8_t>(64 * 1024, 0));
  const std::string loop = dir.write("loop.bin", kLoopForever);
  Process first({"--headless", "--timeout", "20", "--drive", "file=" + disk, loop});
  ASSERT_GT(first.pid(), 0);
  // Wait until the first emulator has the image open (and so locked: it locks on open).
  const fs::path fd_dir = fs::path("/proc") / std::to_string(first.pid()) / "fd";
  bool open = false;
  for (int i = 0; i < 200 && !open; ++i) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fd_dir, ec)) {
      std::error_code ec2;
      if (fs::read_symlink(e.path(), ec2) == fs::path(disk)) open = true;
    }
    if (!open) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_TRUE(open) << "the first tiervm never opened " << disk;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // open, then flock

  const Result second = run({"--headless", "--timeout", "5", "--drive", "file=" + disk, loop});
  EXPECT_EQ(check_host_error(second), "") << "stdout:\n" << second.out << "stderr:\n" << second.err;
  EXPECT_NE(second.err.find("lock"), std::string::npos) << second.err;

  first.signal(SIGTERM);
  const Result r = first.wait();
  EXPECT_TRUE(r.exited) << "the first tiervm did not end on SIGTERM";
}

// ---- Guests that never finish: the limits stop them with 124.

struct Runaway {
  const char* name;
  std::vector<std::string> args;
  std::vector<uint8_t> program;
};

void PrintTo(const Runaway& c, std::ostream* os) {
  *os << c.name;
}

const Runaway kRunaways[] = {
    {"LoopTimeout", {"--timeout", "1"}, kLoopForever},
    {"LoopInstructionLimit", {"--max-instructions", "1000000"}, kLoopForever},
    {"LoopTimeoutInterpreter", {"--timeout", "1", "--jit", "off"}, kLoopForever},
    {"LoopTimeoutCompiled",
     {"--timeout", "1", "--jit", "fast", "--jit-threshold", "0"},
     kLoopForever},
    {"MmioVandalTimeout", {"--timeout", "1"}, mmio_vandal()},
    {"MmioVandalInstructionLimit", {"--max-instructions", "2000000"}, mmio_vandal()},
    {"TrapLoopTimeout", {"--timeout", "1"}, kTrapIntoNowhere},
    {"TrapLoopInstructionLimit", {"--max-instructions", "1000000"}, kTrapIntoNowhere},
};

class RunawayTest : public ::testing::TestWithParam<Runaway> {};

TEST_P(RunawayTest, StoppedWithExit124) {
  ASSERT_TRUE(fs::exists(kTiervm)) << "emulator not built: " << kTiervm;
  const Runaway& c = GetParam();
  TempDir dir;
  const std::string image = dir.write("guest.bin", c.program);
  std::vector<std::string> args = {"--headless"};
  args.insert(args.end(), c.args.begin(), c.args.end());
  args.push_back(image);
  const auto started = std::chrono::steady_clock::now();
  const Result r = run(args);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(r.exited) << "tiervm did not stop within " << kHostTimeout.count() << " s; stderr:\n"
                        << r.err;
  EXPECT_EQ(r.code, kExitTimeout) << "stderr:\n" << r.err;
  EXPECT_EQ(r.err.find("tiervm: error:"), std::string::npos) << r.err;
  // --timeout 1 means about a second, not the test's own limit.
  EXPECT_LT(took, std::chrono::seconds(10));
}

INSTANTIATE_TEST_SUITE_P(Cases, RunawayTest, ::testing::ValuesIn(kRunaways),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace tiervm
