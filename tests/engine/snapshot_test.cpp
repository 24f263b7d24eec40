// Machine snapshots (engine/snapshot.h) on bare-metal roms: a machine loaded from a
// snapshot goes on exactly as the saved one did, and snapshots that are not tiervm's, of
// another version or machine, truncated or corrupt are refused without touching the
// machine.
#include "engine/snapshot.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engine/hart.h"
#include "engine/machine.h"

namespace tiervm {
namespace {

const std::string kRoms = std::string(TIERVM_BINARY_DIR) + "/roms/";

struct Guest {
  std::unique_ptr<Machine> machine;
  std::string console;
};

Guest make(const std::string& rom, unsigned max_tier = 0, uint64_t ram = 64ull << 20,
           unsigned harts = 1) {
  MachineConfig config;
  config.harts = harts;
  config.image = kRoms + rom;
  config.max_tier = max_tier;
  config.deterministic = true;
  config.ram_size = ram;
  std::string error;
  Guest r;
  r.machine = Machine::create(config, error);
  EXPECT_NE(r.machine, nullptr) << error;
  return r;
}

void attach_console(Guest& r) {
  r.machine->set_console([&r](uint8_t c) { r.console += static_cast<char>(c); }, nullptr);
}

// Runs `rom` for about `first` instructions, saves, and runs on to its end; then a fresh
// machine loads the snapshot and runs to its end. Both must end alike, with the same
// console output after the save.
void expect_same_continuation(const std::string& rom, uint64_t first, unsigned max_tier,
                              bool same_instret) {
  Guest a = make(rom, max_tier);
  ASSERT_NE(a.machine, nullptr);
  attach_console(a);
  ASSERT_EQ(a.machine->run({.max_instructions = first}).kind, MachineExit::Kind::InstructionLimit);
  const uint64_t saved_at = a.machine->instructions();
  const std::vector<uint8_t> snapshot = encode_snapshot(*a.machine);
  a.console.clear();
  const MachineExit end_a = a.machine->run({.max_instructions = 100'000'000});

  Guest b = make(rom, max_tier);
  ASSERT_NE(b.machine, nullptr);
  attach_console(b);
  std::string error;
  ASSERT_TRUE(decode_snapshot(*b.machine, snapshot, "snapshot", error)) << error;
  EXPECT_EQ(b.machine->instructions(), saved_at);
  const MachineExit end_b = b.machine->run({.max_instructions = 100'000'000});

  EXPECT_EQ(end_a.kind, MachineExit::Kind::Poweroff) << a.console;
  EXPECT_EQ(end_b.kind, end_a.kind) << b.console;
  EXPECT_EQ(end_b.code, end_a.code);
  EXPECT_EQ(b.console, a.console);
  EXPECT_FALSE(a.console.empty() && rom.find("demo") != std::string::npos);
  if (same_instret) {
    EXPECT_EQ(b.machine->instructions(), a.machine->instructions());
  }
}

// Four harts in the middle of the litmus rom's tests: every hart's state is saved, and a
// four-hart machine that loads it passes them all; a two-hart machine refuses it.
TEST(Snapshot, EveryHartIsSavedAndRestored) {
  Guest a = make("isa/smp.elf", 1, 64ull << 20, 4);
  ASSERT_NE(a.machine, nullptr);
  attach_console(a);
  // Save once the harts are counted and testing (the rom prints the count first).
  // The rom waits up to 0.5 s of guest time (mtime) for harts to start.
  for (int i = 0; i < 5000 && a.console.find("smp: 4 harts") == std::string::npos; ++i) {
    ASSERT_EQ(a.machine->run({.max_instructions = 200'000}).kind,
              MachineExit::Kind::InstructionLimit);
  }
  ASSERT_NE(a.console.find("smp: 4 harts"), std::string::npos) << a.console;
  ASSERT_EQ(a.machine->run({.max_instructions = 1'000'000}).kind,
            MachineExit::Kind::InstructionLimit);
  ASSERT_EQ(a.console.find("all checks passed"), std::string::npos) << "saved too late";
  std::vector<uint64_t> pcs;
  pcs.reserve(4);
  for (unsigned i = 0; i < 4; ++i) pcs.push_back(a.machine->hart(i).s.pc);
  const std::vector<uint8_t> snapshot = encode_snapshot(*a.machine);

  Guest b = make("isa/smp.elf", 1, 64ull << 20, 4);
  ASSERT_NE(b.machine, nullptr);
  attach_console(b);
  std::string error;
  ASSERT_TRUE(decode_snapshot(*b.machine, snapshot, "snapshot", error)) << error;
  for (unsigned i = 0; i < 4; ++i) EXPECT_EQ(b.machine->hart(i).s.pc, pcs[i]) << "hart " << i;
  const MachineExit end = b.machine->run({.max_instructions = 400'000'000});
  EXPECT_EQ(end.kind, MachineExit::Kind::Poweroff) << b.console;
  EXPECT_NE(b.console.find("smp: all checks passed"), std::string::npos) << b.console;

  Guest c = make("isa/smp.elf", 1, 64ull << 20, 2);
  ASSERT_NE(c.machine, nullptr);
  EXPECT_FALSE(decode_snapshot(*c.machine, snapshot, "snapshot", error));
  EXPECT_NE(error.find("harts"), std::string::npos) << error;
}

TEST(Snapshot, DemoGoesOnIdenticallyAfterALoad) {
  // Saved in the middle of the primes; the rest of the output and the instruction count
  // must match.
  expect_same_continuation("demo/demo.elf", 100'000, 0, true);
}

TEST(Snapshot, TimerInterruptsAndWfiGoOnIdenticallyAfterALoad) {
  // interrupts.S waits in wfi for CLINT timer interrupts (deterministic time: from the
  // instruction count, idle time skipped); saved at several points of its cases.
  for (uint64_t at : {300ull, 1'000ull, 1'700ull, 2'400ull}) {
    SCOPED_TRACE(at);
    expect_same_continuation("isa/interrupts.elf", at, 0, true);
  }
}

TEST(Snapshot, CompiledCodeIsDroppedAndRebuilt) {
  // Tier 1 and 2: the loaded machine compiles again; its guest must see the same thing.
  expect_same_continuation("demo/demo.elf", 150'000, 2, false);
  expect_same_continuation("isa/rv64i.elf", 3'000, 2, false);
}

TEST(Snapshot, StateIsExactlyWhatWasSaved) {
  Guest a = make("demo/demo.elf");
  ASSERT_EQ(a.machine->run({.max_instructions = 50'000}).kind, MachineExit::Kind::InstructionLimit);
  const std::vector<uint8_t> snapshot = encode_snapshot(*a.machine);
  Guest b = make("demo/demo.elf");
  std::string error;
  ASSERT_TRUE(decode_snapshot(*b.machine, snapshot, "snapshot", error)) << error;
  const HartState& sa = a.machine->hart().s;
  const HartState& sb = b.machine->hart().s;
  EXPECT_EQ(sb.pc, sa.pc);
  for (unsigned i = 0; i < 64; ++i) EXPECT_EQ(sb.slot[i], sa.slot[i]) << "slot " << i;
  EXPECT_EQ(sb.mstatus, sa.mstatus);
  EXPECT_EQ(sb.mtvec, sa.mtvec);
  EXPECT_EQ(sb.priv, sa.priv);
  // Saving the loaded machine gives the same bytes (the description, every section).
  EXPECT_EQ(encode_snapshot(*b.machine), snapshot);
}

TEST(Snapshot, RamIsStoredSparsely) {
  Guest a = make("demo/demo.elf", 0, 256ull << 20);
  ASSERT_EQ(a.machine->run({.max_instructions = 10'000}).kind, MachineExit::Kind::InstructionLimit);
  const std::vector<uint8_t> snapshot = encode_snapshot(*a.machine);
  // 256 MiB of RAM, of which the rom and its stack use a few pages.
  EXPECT_LT(snapshot.size(), 1u << 20);
}

class SnapshotRefusal : public ::testing::Test {
 protected:
  void SetUp() override {
    Guest a = make("demo/demo.elf");
    ASSERT_EQ(a.machine->run({.max_instructions = 30'000}).kind,
              MachineExit::Kind::InstructionLimit);
    good = encode_snapshot(*a.machine);
  }
  // Loads `bytes` into a fresh machine: the error, "" when it loaded. The machine must be
  // untouched after a refusal.
  std::string load(const std::vector<uint8_t>& bytes, uint64_t ram = 64ull << 20) {
    Guest b = make("demo/demo.elf", 0, ram);
    const uint64_t pc = b.machine->hart().s.pc;
    std::string error;
    if (decode_snapshot(*b.machine, bytes, "snapshot 'x'", error)) return "";
    EXPECT_EQ(b.machine->hart().s.pc, pc);
    EXPECT_EQ(b.machine->instructions(), 0u);
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;  // one line
    // ...and it still boots normally.
    EXPECT_EQ(b.machine->run({}).kind, MachineExit::Kind::Poweroff);
    return error;
  }
  std::vector<uint8_t> good;
};

TEST_F(SnapshotRefusal, TheGoodOneLoads) {
  EXPECT_EQ(load(good), "");
}

TEST_F(SnapshotRefusal, AnyFlippedByteIsCaught) {
  // Every part of the file: header, section table, machine description, state, RAM, and
  // the checksum itself.
  for (size_t pos : {size_t{9}, size_t{13}, size_t{17}, size_t{24}, size_t{40}, good.size() / 3,
                     good.size() / 2, good.size() - 100, good.size() - 1}) {
    std::vector<uint8_t> bad = good;
    bad[pos] ^= 0x10;
    const std::string error = load(bad);
    EXPECT_NE(error, "") << "byte " << pos;
    EXPECT_TRUE(error.find("corrupt") != std::string::npos ||
                error.find("truncated") != std::string::npos ||
                error.find("version") != std::string::npos)
        << "byte " << pos << ": " << error;
  }
  std::vector<uint8_t> bad = good;
  bad[good.size() / 2] ^= 0x01;
  EXPECT_EQ(load(bad), "snapshot 'x' is corrupt (checksum mismatch)");
}

TEST_F(SnapshotRefusal, TruncatedIsRefused) {
  for (size_t keep : {size_t{0}, size_t{8}, size_t{20}, good.size() / 2, good.size() - 1}) {
    const std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<ptrdiff_t>(keep));
    const std::string error = load(cut);
    EXPECT_NE(error, "") << keep;
    if (keep >= 28) {
      EXPECT_EQ(error, "snapshot 'x' is truncated (" + std::to_string(keep) + " of " +
                           std::to_string(good.size()) + " bytes)");
    }
  }
}

TEST_F(SnapshotRefusal, WrongMagicIsRefused) {
  std::vector<uint8_t> bad = good;
  bad[0] = 'X';
  EXPECT_EQ(load(bad), "snapshot 'x' is not a tiervm snapshot");
  const std::string elf =
      "\x7f"
      "ELF";
  EXPECT_EQ(load(std::vector<uint8_t>(elf.begin(), elf.end())),
            "snapshot 'x' is not a tiervm snapshot");
}

TEST_F(SnapshotRefusal, AnotherVersionIsRefused) {
  std::vector<uint8_t> bad = good;
  bad[8] = static_cast<uint8_t>(kSnapshotVersion + 1);
  EXPECT_EQ(load(bad), "snapshot 'x' has snapshot format version " +
                           std::to_string(kSnapshotVersion + 1) + "; this tiervm reads version " +
                           std::to_string(kSnapshotVersion));
}

TEST_F(SnapshotRefusal, AnotherRamSizeIsRefused) {
  EXPECT_EQ(load(good, 128ull << 20),
            "snapshot 'x' is of another machine configuration (ram: '64 MiB' in the snapshot, "
            "'128 MiB' here)");
}

TEST(SnapshotDisk, ADiskChangedSinceTheSaveIsRefused) {
  // A read-write drive is written through to its file: the snapshot records the file's
  // size and checksum, and refuses a file that is not the one the guest had.
  const auto disk = std::filesystem::temp_directory_path() /
                    ("tiervm_snapshot_disk_" + std::to_string(::getpid()) + ".img");
  std::vector<char> zeros(64 * 1024, 0);
  auto write_disk = [&](char first) {
    zeros[0] = first;
    std::ofstream(disk, std::ios::binary).write(zeros.data(), static_cast<ptrdiff_t>(zeros.size()));
  };
  write_disk(0);
  auto make_with_disk = [&] {
    MachineConfig config;
    config.image = kRoms + "demo/demo.elf";
    config.max_tier = 0;
    config.ram_size = 64ull << 20;
    config.drives.push_back({disk.string(), false, false});
    std::string error;
    auto m = Machine::create(config, error);
    EXPECT_NE(m, nullptr) << error;
    return m;
  };
  std::vector<uint8_t> snapshot;
  {
    auto a = make_with_disk();
    snapshot = encode_snapshot(*a);
  }
  std::string error;
  {
    auto b = make_with_disk();
    EXPECT_TRUE(decode_snapshot(*b, snapshot, "s", error)) << error;
  }
  write_disk(1);
  auto c = make_with_disk();
  EXPECT_FALSE(decode_snapshot(*c, snapshot, "s", error));
  EXPECT_EQ(error.rfind("s is of another machine configuration (virtio7: 'blk mode=rw bytes=65536 "
                        "crc32c=",
                        0),
            0u)
      << error;
  c.reset();
  std::filesystem::remove(disk);
}

TEST(SnapshotFile, SavesAndLoadsThroughAFile) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("tiervm_snapshot_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "m.snapshot").string();
  Guest a = make("demo/demo.elf");
  ASSERT_EQ(a.machine->run({.max_instructions = 30'000}).kind, MachineExit::Kind::InstructionLimit);
  std::string error;
  SnapshotStats stats;
  ASSERT_TRUE(save_snapshot(*a.machine, path, error, &stats)) << error;
  EXPECT_EQ(stats.bytes, std::filesystem::file_size(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  std::ifstream in(path, std::ios::binary);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(bytes, encode_snapshot(*a.machine));

  Guest b = make("demo/demo.elf");
  ASSERT_TRUE(load_snapshot(*b.machine, path, error)) << error;
  EXPECT_EQ(b.machine->instructions(), a.machine->instructions());

  // A save that cannot write leaves the existing snapshot as it was.
  std::filesystem::create_directory(path + ".tmp");  // where the save writes first
  EXPECT_FALSE(save_snapshot(*a.machine, path, error));
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_EQ(std::filesystem::file_size(path), bytes.size());
  Guest c = make("demo/demo.elf");
  EXPECT_TRUE(load_snapshot(*c.machine, path, error)) << error;

  EXPECT_FALSE(load_snapshot(*c.machine, (dir / "missing").string(), error));
  EXPECT_EQ(error,
            "cannot open snapshot '" + (dir / "missing").string() + "': No such file or directory");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tiervm
