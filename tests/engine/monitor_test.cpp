// The performance monitor, its reports, the symbol table, the Chrome trace writer and the
// machine's command queue, on small programs whose profile is known from their code.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "engine/event_bus.h"
#include "engine/executor.h"
#include "engine/hart.h"
#include "engine/machine.h"
#include "engine/monitor/block_detail.h"
#include "engine/monitor/chrome_trace.h"
#include "engine/monitor/perf_monitor.h"
#include "engine/monitor/report.h"
#include "engine/monitor/symbol_table.h"
#include "tests/engine/asm_util.h"
#include "tests/engine/json_schema_check.h"

namespace tiervm {
namespace {

constexpr uint64_t kRamBase = 0x8000'0000;
// The loop of the counting program: its second block, `addi; bne` at RAM base + 4.
constexpr uint64_t kLoopPc = kRamBase + 4;

// A raw program at the RAM base: counts t0 down from `lui_count << 12`, then powers off
// through the SiFive test device (0x5555 to 0x100000).
std::string write_count_program(uint32_t lui_count) {
  const std::vector<uint32_t> words = test::assemble({
      "lui t0, " + std::to_string(lui_count),
      "addi t0, t0, -1",  // kLoopPc
      "bne t0, zero, .-4",
      "lui t1, 0x100",
      "lui t2, 5",
      "addiw t2, t2, 0x555",
      "sw t2, 0(t1)",
      "jal zero, .",
  });
  EXPECT_EQ(words.size(), 8u);
  char name[] = "/tmp/tiervm-monitor-XXXXXX";
  const int fd = mkstemp(name);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream out(name, std::ios::binary);
  out.write(reinterpret_cast<const char*>(words.data()),
            static_cast<std::streamsize>(words.size() * 4));
  return name;
}

std::unique_ptr<Machine> make_machine(const std::string& image, unsigned max_tier,
                                      std::optional<uint32_t> threshold) {
  MachineConfig c;
  c.image = image;
  c.max_tier = max_tier;
  c.jit_threshold = threshold;
  std::string error;
  auto m = Machine::create(c, error);
  EXPECT_NE(m, nullptr) << error;
  return m;
}

nlohmann::json load_schema() {
  std::ifstream in(std::string(TIERVM_SOURCE_DIR) + "/docs/perf-report.schema.json");
  return nlohmann::json::parse(in);
}

TEST(SymbolTable, ElfSymbolsCoverTheirSizeAndLabelsReachTheNextSymbol) {
  SymbolTable t({{"main", 0x1000, 0x20}, {"label", 0x1040, 0}, {"end", 0x1080, 0}});
  struct Case {
    uint64_t addr;
    const char* want;
  };
  for (const Case& c :
       {Case{0x1000, "main"}, Case{0x101c, "main+0x1c"}, Case{0x1020, ""}, Case{0x0fff, ""},
        Case{0x1040, "label"}, Case{0x107e, "label+0x3e"}, Case{0x1080, "end"}, Case{0x1081, ""}}) {
    EXPECT_EQ(t.describe(c.addr), c.want) << std::hex << c.addr;
  }
}

TEST(SymbolTable, SystemMapKeepsTextSymbolsOnly) {
  const char* map =
      "0000000000001000 A PECOFF_SECTION_ALIGNMENT\n"
      "ffffffff80000000 T _start\n"
      "ffffffff80000040 t helper\n"
      "ffffffff80000100 D some_data\n"
      "not a symbol line\n"
      "ffffffff80000200 W weak_fn\r\n"
      "ffffffff80000300 T _end_text\n";
  auto t = SymbolTable::from_system_map(map);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->size(), 4u);
  EXPECT_EQ(t->describe(0xffffffff80000000), "_start");
  EXPECT_EQ(t->describe(0xffffffff8000003e), "_start+0x3e");
  // some_data is not text: helper reaches up to weak_fn.
  EXPECT_EQ(t->describe(0xffffffff80000100), "helper+0xc0");
  EXPECT_EQ(t->describe(0xffffffff80000204), "weak_fn+0x4");
  EXPECT_EQ(t->describe(0x1000), "");
  EXPECT_FALSE(SymbolTable::from_system_map("ffffffff80000100 D data_only\n"));
}

TEST(PerfMonitor, CompileHistogramBinsArePowersOfTwoMicroseconds) {
  struct Case {
    uint64_t ns;
    unsigned bin;
  };
  for (const Case& c :
       {Case{0, 0}, Case{999, 0}, Case{1'999, 0}, Case{2'000, 1}, Case{3'999, 1}, Case{4'000, 2},
        Case{1'000'000, 9}, Case{1'000'000'000'000, kCompileHistogramBins - 1}}) {
    EXPECT_EQ(compile_histogram_bin(c.ns), c.bin) << c.ns;
  }
}

TEST(PerfMonitor, SamplesLandOnTheLoopAndCompilationsAreCounted) {
  const std::string image = write_count_program(0x200);  // 2 Mi iterations, 4 Mi insns
  auto m = make_machine(image, 1, 0);                    // tier 1, compiled before it runs
  ASSERT_TRUE(m);
  PerfMonitor monitor(*m);
  monitor.enable();
  const MachineExit exit = m->run({0, 60});
  EXPECT_EQ(exit.kind, MachineExit::Kind::Poweroff);
  const MonitorSnapshot s = monitor.capture();
  std::remove(image.c_str());

  EXPECT_GE(s.instructions, 2u * (0x200u << 12));
  // One sample per 20'000-instruction slice.
  EXPECT_GE(s.samples, s.instructions / 20'000 - 1);
  const auto hot = hottest_blocks(s, 3);
  ASSERT_FALSE(hot.empty());
  const BlockProfile& loop = s.blocks[hot[0]];
  EXPECT_EQ(loop.pc, kLoopPc);
  EXPECT_EQ(loop.paddr, kLoopPc);
  EXPECT_GE(loop.samples * 10, (s.samples - s.samples_idle) * 9);
  EXPECT_EQ(loop.guest_insns, 2u);
  EXPECT_EQ(loop.tier, Tier::Baseline);  // tier 1 is the baseline tier by default
  EXPECT_EQ(loop.times_compiled, 1u);
  EXPECT_EQ(loop.times_invalidated, 0u);
  EXPECT_GT(loop.compile_ns_last, 0u);
  EXPECT_GT(loop.host_bytes, 0u);
  // bne: taken to itself and fallthrough to the exit code, both in the page.
  EXPECT_EQ(loop.chainable_exits, 2);
  EXPECT_GE(loop.chained_exits, 1);
  EXPECT_GE(s.samples_by_tier[tier_index(Tier::Baseline)], loop.samples);
  uint64_t histogram_total = 0;
  for (uint64_t n : s.compile_histogram[tier_index(Tier::Baseline)]) histogram_total += n;
  EXPECT_EQ(histogram_total, s.jit.blocks_compiled);
  EXPECT_EQ(s.compiles.size(), s.jit.blocks_compiled);
}

TEST(PerfMonitor, ReportMatchesTheSchema) {
  const std::string image = write_count_program(0x100);
  auto m = make_machine(image, 2, std::nullopt);
  ASSERT_TRUE(m);
  PerfMonitor monitor(*m);
  monitor.enable();
  m->run({0, 60});
  std::remove(image.c_str());
  const nlohmann::json report = monitor_report_json(monitor.capture(), 0.5);
  const auto violations = test::schema_violations(load_schema(), report);
  for (const auto& v : violations) ADD_FAILURE() << v;
  EXPECT_EQ(report["wall_seconds"], 0.5);
  EXPECT_DOUBLE_EQ(report["mips"].get<double>(), report["instructions"].get<double>() / 0.5 / 1e6);
  ASSERT_FALSE(report["hot_blocks"].empty());
  EXPECT_EQ(report["hot_blocks"][0]["pc"], "0x80000004");
  const std::string text = monitor_report_text(monitor.capture(), 0.5);
  EXPECT_NE(text.find("hottest blocks:"), std::string::npos);
  EXPECT_NE(text.find("0x80000004"), std::string::npos);
}

TEST(PerfMonitor, DisabledMonitorCollectsNothingButCounters) {
  const std::string image = write_count_program(0x10);
  auto m = make_machine(image, 0, std::nullopt);
  ASSERT_TRUE(m);
  PerfMonitor monitor(*m);
  m->run({0, 60});
  std::remove(image.c_str());
  const MonitorSnapshot s = monitor.capture();
  EXPECT_FALSE(s.enabled);
  EXPECT_EQ(s.samples, 0u);
  EXPECT_TRUE(s.blocks.empty());
  EXPECT_GE(s.instructions, 2u * (0x10u << 12));
  EXPECT_FALSE(s.jit_enabled);
}

TEST(BlockDetail, PrintsGuestCodeAndIr) {
  const std::string image = write_count_program(0x10);
  auto m = make_machine(image, 0, std::nullopt);
  ASSERT_TRUE(m);
  m->run({0, 60});
  std::remove(image.c_str());
  const auto block = copy_live_block(*m, kLoopPc);
  ASSERT_TRUE(block);
  const BlockDetail d = describe_block(*block, kLoopPc, nullptr, nullptr);
  EXPECT_NE(d.guest_asm.find("addi"), std::string::npos) << d.guest_asm;
  EXPECT_NE(d.guest_asm.find("0000000080000008"), std::string::npos) << d.guest_asm;
  EXPECT_FALSE(d.ir.empty());
  EXPECT_TRUE(d.llvm_ir.empty());
  EXPECT_FALSE(copy_live_block(*m, kRamBase + 0x800));
}

TEST(BlockDetail, DisassemblesTheCompiledHostCode) {
  const std::string image = write_count_program(0x10);
  auto m = make_machine(image, 1, 0);  // tier 1, compiled before it runs
  ASSERT_TRUE(m);
  m->run({0, 60});
  std::remove(image.c_str());
  const auto live = copy_live_block(*m, kLoopPc);
  ASSERT_TRUE(live);
  ASSERT_EQ(live->tier, Tier::Baseline);
  ASSERT_NE(live->host_address, 0u);
  ASSERT_GT(live->host_code.size(), 8u);
  const BlockDetail d = describe_block(*live, kLoopPc, nullptr, nullptr);
  // A header with the code's size and address, one line per host instruction from offset
  // 0, all decoded, branches inside the code shown as offsets, and the function returns
  // to the dispatcher somewhere.
  char head[64];
  std::snprintf(head, sizeof head, "; %zu bytes at 0x%016" PRIx64 "\n+0000  ",
                live->host_code.size(), live->host_address);
  EXPECT_EQ(d.host_asm.rfind(head, 0), 0u) << d.host_asm;
  char self[24];
  std::snprintf(self, sizeof self, "0x%" PRIx64, live->host_address);
  EXPECT_EQ(d.host_asm.find(self, 1), std::string::npos) << d.host_asm;
  EXPECT_EQ(d.host_asm.find(".byte"), std::string::npos) << d.host_asm;
  EXPECT_NE(d.host_asm.find("ret"), std::string::npos) << d.host_asm;
  EXPECT_GT(std::count(d.host_asm.begin(), d.host_asm.end(), '\n'), 4);
}

TEST(Machine, PausedMachineRunsCommandsAndStepsOneBlock) {
  const std::string image = write_count_program(0x40000);  // 1 Gi iterations: never ends here
  auto m = make_machine(image, 0, std::nullopt);
  ASSERT_TRUE(m);
  std::remove(image.c_str());
  std::future<MachineExit> done = std::async(std::launch::async, [&] { return m->run({0, 30}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  m->set_paused(true);
  auto read = [&](bool step) {
    std::promise<std::pair<uint64_t, uint64_t>> p;
    auto f = p.get_future();
    m->post([&] {
      if (step) m->step_block();
      p.set_value({m->instructions(), m->hart().s.pc});
    });
    return f.get();
  };
  const auto [before, pc] = read(false);
  EXPECT_EQ(pc, kLoopPc);
  EXPECT_EQ(read(false).first, before);     // paused: nothing runs between commands
  EXPECT_EQ(read(true).first, before + 2);  // one block: addi, bne
  EXPECT_EQ(read(true).first, before + 4);
  m->set_paused(false);
  // Running again: the count moves on (within seconds even on a loaded host).
  uint64_t after = read(false).first;
  for (int wait = 0; wait < 500 && after <= before + 4; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    after = read(false).first;
  }
  EXPECT_GT(after, before + 4);
  m->stop(MachineExit::Kind::UserQuit);
  EXPECT_EQ(done.get().kind, MachineExit::Kind::UserQuit);
}

TEST(ChromeTrace, CompilationsAreSerialSpansOnTheCompilerThread) {
  char name[] = "/tmp/tiervm-trace-XXXXXX";
  const int fd = mkstemp(name);
  ASSERT_GE(fd, 0);
  close(fd);
  ChromeTraceWriter w;
  std::string error;
  ASSERT_TRUE(w.open(name, error)) << error;
  EventBus bus(7);
  w.attach(bus, std::make_shared<SymbolTable>(std::vector<ElfSymbol>{{"hot_fn", 0x1000, 0x100}}));
  const uint64_t now =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::steady_clock::now().time_since_epoch())
                                .count());
  // Two blocks of one batch, installed at the same moment, 300 us of LLVM each.
  Event c{.kind = EventKind::BlockCompiled,
          .tier = Tier::Fast,
          .machine_id = 7,
          .time_ns = now + 1'000'000,
          .pc = 0x1010,
          .paddr = 0x80001010,
          .guest_insns = 3,
          .compile_ns = 300'000};
  Event c2 = c;
  c2.pc = 0x2000;
  Event trap{.kind = EventKind::Trap,
             .machine_id = 7,
             .time_ns = now + 2'000'000,
             .pc = 0x1234,
             .cause = 2};
  w.on_event(c);
  w.on_event(c2);
  w.on_event(trap);
  w.detach(bus);
  w.close();
  std::ifstream in(name);
  const nlohmann::json t = nlohmann::json::parse(in);
  std::remove(name);
  ASSERT_TRUE(t.is_array());
  std::vector<nlohmann::json> spans, instants, meta;
  for (const auto& e : t) {
    EXPECT_EQ(e["pid"], 7);
    if (e["ph"] == "X") spans.push_back(e);
    if (e["ph"] == "i") instants.push_back(e);
    if (e["ph"] == "M") meta.push_back(e);
  }
  EXPECT_EQ(meta.size(), 3u);
  ASSERT_EQ(spans.size(), 2u);
  ASSERT_EQ(instants.size(), 1u);
  EXPECT_EQ(spans[0]["name"], "compile hot_fn+0x10");
  EXPECT_EQ(spans[1]["name"], "compile 0x2000");
  for (const auto& s : spans) {
    EXPECT_EQ(s["tid"], 1);
    EXPECT_DOUBLE_EQ(s["dur"].get<double>(), 300.0);
  }
  // The second starts where the first ends (one compiler thread).
  EXPECT_NEAR(spans[1]["ts"].get<double>(),
              spans[0]["ts"].get<double>() + spans[0]["dur"].get<double>(), 0.002);
  EXPECT_EQ(instants[0]["name"], "trap");
  EXPECT_EQ(instants[0]["tid"], 0);
  EXPECT_EQ(instants[0]["s"], "t");
  EXPECT_EQ(instants[0]["args"]["cause"], 2);
  EXPECT_NEAR(instants[0]["ts"].get<double>() - spans[0]["ts"].get<double>(), 1300.0, 0.002);
}

}  // namespace
}  // namespace tiervm

namespace tiervm {
namespace {

TEST(PerfMonitor, SnapshotListsTheVirtioDevicesWithTheirCounters) {
  const std::string image = write_count_program(1);
  auto m = make_machine(image, 0, std::nullopt);
  ASSERT_TRUE(m);
  std::remove(image.c_str());
  PerfMonitor monitor(*m);
  // Without drives: the console in the top slot (7), the entropy device below it.
  MonitorSnapshot s = monitor.capture();
  ASSERT_EQ(s.devices.size(), 2u);
  EXPECT_EQ(s.devices[0].kind, "rng");
  EXPECT_EQ(s.devices[0].slot, 6u);
  EXPECT_EQ(s.devices[1].kind, "console");
  EXPECT_EQ(s.devices[1].slot, 7u);
  EXPECT_EQ(s.devices[1].notifications, 0u);
  // A driver's QueueNotify write (virtio-mmio offset 0x50) on the console's slot counts.
  ASSERT_TRUE(m->bus().write(0x1000'8000 + 0x50, 4, 1));
  s = monitor.capture();
  EXPECT_EQ(s.devices[1].notifications, 1u);
  EXPECT_EQ(s.devices[0].notifications, 0u);
}

// --smp 4: the report lists every hart with its own instruction count, which sum to the
// machine's; every hart of the litmus rom retires instructions.
// The litmus rom on 4 harts with the monitor on, run to its end; max_tier 1 compiles every
// block on the baseline tier before it runs. The monitor goes before the machine.
struct SmpRun {
  std::unique_ptr<Machine> m;
  std::unique_ptr<PerfMonitor> monitor;
};
SmpRun run_smp_rom(unsigned max_tier) {
  MachineConfig c;
  c.image = std::string(TIERVM_BINARY_DIR) + "/roms/isa/smp.elf";
  c.harts = 4;
  c.max_tier = max_tier;
  if (max_tier > 0) c.jit_threshold = 0;
  std::string error;
  SmpRun run;
  run.m = Machine::create(c, error);
  EXPECT_NE(run.m, nullptr) << error;
  if (!run.m) return run;
  run.monitor = std::make_unique<PerfMonitor>(*run.m);
  run.monitor->enable();
  EXPECT_EQ(run.m->run({0, 60}).kind, MachineExit::Kind::Poweroff);
  return run;
}

TEST(PerfMonitor, ReportListsEveryHart) {
  const SmpRun run = run_smp_rom(0);
  ASSERT_TRUE(run.m);
  const nlohmann::json report = monitor_report_json(run.monitor->capture(), 0.5);
  for (const auto& v : test::schema_violations(load_schema(), report)) ADD_FAILURE() << v;
  ASSERT_EQ(report["harts"].size(), 4u);
  uint64_t sum = 0;
  for (unsigned i = 0; i < 4; ++i) {
    EXPECT_EQ(report["harts"][i]["id"], i);
    EXPECT_GT(report["harts"][i]["instructions"].get<uint64_t>(), 10'000u) << "hart " << i;
    sum += report["harts"][i]["instructions"].get<uint64_t>();
  }
  EXPECT_EQ(sum, report["instructions"].get<uint64_t>());
}

// --smp 4 --hart-threads on, snapshots published every 0.1 ms from the slice hook, which
// runs on the hart threads: a snapshot takes the other harts' counters as their own threads
// published them at the end of their slices, not live (scripts/tsan runs this test: the
// live reads were data races). Every published snapshot lists every hart; the last one
// is at most the final, live capture's.
TEST(PerfMonitor, SnapshotsPublishedOnHartThreadsReadEachHartAsItsThreadLeftIt) {
  MachineConfig c;
  c.image = std::string(TIERVM_BINARY_DIR) + "/roms/isa/smp.elf";
  c.harts = 4;
  c.hart_threads = true;
  std::string error;
  auto m = Machine::create(c, error);
  ASSERT_NE(m, nullptr) << error;
  ASSERT_TRUE(m->hart_threads());
  PerfMonitor monitor(*m);
  monitor.set_publish_interval(1e-4);
  monitor.enable();
  ASSERT_EQ(m->run({0, 60}).kind, MachineExit::Kind::Poweroff);
  const std::shared_ptr<const MonitorSnapshot> last = monitor.latest();
  ASSERT_NE(last, nullptr);
  EXPECT_GT(last->sequence, 1u);
  ASSERT_EQ(last->harts.size(), 4u);
  const MonitorSnapshot end = monitor.capture();
  ASSERT_EQ(end.harts.size(), 4u);
  uint64_t executed = 0;
  for (unsigned i = 0; i < 4; ++i) {
    const HartCounters& h = last->harts[i];
    EXPECT_EQ(h.id, i);
    executed += h.blocks_executed;
    if (h.blocks_executed > 0) {
      EXPECT_GE(h.pc, kRamBase) << "hart " << i;
      EXPECT_GT(h.code_blocks, 0u) << "hart " << i;
    }
    EXPECT_LE(h.blocks_executed, end.harts[i].blocks_executed) << "hart " << i;
    EXPECT_GT(end.harts[i].blocks_executed, 0u) << "hart " << i;
    EXPECT_EQ(end.harts[i].code_blocks, m->executor(i).code_cache().block_count());
  }
  EXPECT_GT(executed, 0u);
  EXPECT_LE(last->blocks_executed, end.blocks_executed);
  EXPECT_EQ(executed, last->blocks_executed);
}

// --smp 4 on the baseline tier: samples are taken on the hart that ran each slice and
// split by hart in every block; the totals are the sums of the harts' own engines.
TEST(PerfMonitor, SamplesAndCountersAreKeptPerHart) {
  const SmpRun run = run_smp_rom(1);
  ASSERT_TRUE(run.m);
  Machine* m = run.m.get();
  const MonitorSnapshot s = run.monitor->capture();
  ASSERT_EQ(s.harts.size(), 4u);
  uint64_t hart_samples = 0, code_blocks = 0, compiled = 0, traps = 0;
  for (unsigned i = 0; i < 4; ++i) {
    const HartCounters& h = s.harts[i];
    EXPECT_GT(h.samples, 0u) << "hart " << i;
    EXPECT_GT(h.code_blocks, 0u) << "hart " << i;
    EXPECT_GT(h.blocks_compiled, 0u) << "hart " << i;
    hart_samples += h.samples;
    // Each hart's figures are its own engine's.
    EXPECT_EQ(h.code_blocks, m->executor(i).code_cache().block_count());
    EXPECT_EQ(h.traps, m->executor(i).traps_taken());
    code_blocks += h.code_blocks;
    compiled += h.blocks_compiled;
    traps += h.traps;
  }
  EXPECT_EQ(hart_samples, s.samples);
  EXPECT_EQ(code_blocks, s.code_blocks);
  EXPECT_EQ(compiled, s.jit.blocks_compiled);
  EXPECT_EQ(traps, s.traps);
  // Every block's samples are split by hart, and the secondary harts' samples land on blocks.
  std::array<uint64_t, 4> on_blocks{};
  for (const BlockProfile& b : s.blocks) {
    uint64_t split = 0;
    for (unsigned i = 0; i < kMonitorMaxHarts; ++i) {
      split += b.samples_by_hart[i];
      if (i < 4) on_blocks[i] += b.samples_by_hart[i];
    }
    EXPECT_EQ(split, b.samples) << hex_address(b.paddr);
  }
  for (unsigned i = 0; i < 4; ++i) {
    EXPECT_GT(on_blocks[i], 0u) << "hart " << i;
    EXPECT_LE(on_blocks[i], s.harts[i].samples) << "hart " << i;
  }
  const nlohmann::json report = monitor_report_json(s, 0.5);
  for (const auto& v : test::schema_violations(load_schema(), report)) ADD_FAILURE() << v;
  ASSERT_FALSE(report["hot_blocks"].empty());
  EXPECT_EQ(report["hot_blocks"][0]["samples_by_hart"].size(), 4u);
  // A block only the secondary harts ran (their entry loop) is in their code caches, not
  // hart 0's: the block detail still finds it.
  const BlockProfile* secondary_only = nullptr;
  for (const BlockProfile& b : s.blocks) {
    if (b.samples_by_hart[0] == 0 && b.samples_by_hart[1] > 0 &&
        m->executor(0).code_cache().find(BlockKey(b.paddr, TranslateFlags{true})) == nullptr &&
        m->executor(0).code_cache().find(BlockKey(b.paddr, TranslateFlags{false})) == nullptr) {
      secondary_only = &b;
      break;
    }
  }
  ASSERT_NE(secondary_only, nullptr);
  const auto live = copy_live_block(*m, secondary_only->paddr);
  ASSERT_TRUE(live);
  EXPECT_EQ(live->tier, Tier::Baseline);
}

}  // namespace
}  // namespace tiervm
