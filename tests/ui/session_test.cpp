// The dashboard's emulation session: the machine on its own thread, driven only through
// commands and read only through snapshots.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include <gtest/gtest.h>

#include "engine/hart.h"
#include "engine/machine.h"
#include "engine/snapshot.h"
#include "tests/engine/asm_util.h"
#include "ui/emulation_session.h"

namespace tiervm {
namespace {

constexpr uint64_t kLoopPc = 0x8000'0004;  // `addi t0, t0, -1; bne t0, zero, .-4`

// Counts down from 2^30 (longer than any test), then would power off.
std::string write_long_loop() {
  const std::vector<uint32_t> words =
      test::assemble({"lui t0, 0x40000", "addi t0, t0, -1", "bne t0, zero, .-4", "lui t1, 0x100",
                      "lui t2, 5", "addiw t2, t2, 0x555", "sw t2, 0(t1)", "jal zero, ."});
  char name[] = "/tmp/tiervm-session-XXXXXX";
  const int fd = mkstemp(name);
  close(fd);
  std::ofstream out(name, std::ios::binary);
  out.write(reinterpret_cast<const char*>(words.data()),
            static_cast<std::streamsize>(words.size() * 4));
  return name;
}

template <typename Pred>
bool wait_for(Pred pred, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

class SessionTest : public testing::Test {
 protected:
  void SetUp() override {
    image_ = write_long_loop();
    EmulationSession::Config c;
    c.factory = [image = image_](std::string& error) {
      MachineConfig mc;
      mc.image = image;
      mc.max_tier = 1;
      return Machine::create(mc, error);
    };
    c.limits.timeout_seconds = 60;
    session_ = std::make_unique<EmulationSession>(c);
    std::string error;
    ASSERT_TRUE(session_->start(error)) << error;
  }
  void TearDown() override {
    session_.reset();
    std::filesystem::remove(image_);
  }
  // A snapshot taken after everything posted so far ran.
  std::shared_ptr<const MonitorSnapshot> fresh() {
    std::promise<void> p;
    auto f = p.get_future();
    session_->post([&](Machine&, PerfMonitor& mon) {
      mon.publish();
      p.set_value();
    });
    f.wait();
    return session_->snapshot();
  }

  std::string image_;
  std::unique_ptr<EmulationSession> session_;
};

TEST_F(SessionTest, PauseStepFlushAndInspect) {
  ASSERT_TRUE(wait_for([&] { return session_->snapshot()->instructions > 100'000; }));
  session_->set_paused(true);
  const uint64_t before = fresh()->instructions;
  EXPECT_EQ(fresh()->instructions, before);
  session_->step_block();
  EXPECT_EQ(fresh()->instructions, before + 2);

  session_->request_block(kLoopPc);
  std::optional<std::pair<uint64_t, std::optional<LiveBlock>>> reply;
  ASSERT_TRUE(wait_for([&] { return (reply = session_->take_block()).has_value(); }));
  EXPECT_EQ(reply->first, kLoopPc);
  ASSERT_TRUE(reply->second);
  EXPECT_EQ(reply->second->block.guest_count(), 2u);

  EXPECT_GT(fresh()->code_blocks, 0u);
  session_->flush_code_cache();
  EXPECT_EQ(fresh()->code_blocks, 0u);
  session_->request_block(kLoopPc);
  ASSERT_TRUE(wait_for([&] { return (reply = session_->take_block()).has_value(); }));
  EXPECT_FALSE(reply->second);  // flushed

  session_->set_monitor_enabled(false);
  EXPECT_FALSE(fresh()->enabled);
  session_->set_monitor_enabled(true);
  EXPECT_TRUE(fresh()->enabled);

  const auto path = std::filesystem::temp_directory_path() / "tiervm-session-report.json";
  std::promise<std::string> saved;
  session_->save_report(path, [&](const std::string& error) { saved.set_value(error); });
  EXPECT_EQ(saved.get_future().get(), "");
  std::ifstream in(path);
  const nlohmann::json j = nlohmann::json::parse(in);
  std::filesystem::remove(path);
  EXPECT_EQ(j["schema"], "tiervm-perf-report/2");
  EXPECT_EQ(j["instructions"], before + 2);

  session_->set_paused(false);
  EXPECT_TRUE(wait_for([&] { return fresh()->instructions > before + 1'000'000; }));
  EXPECT_FALSE(session_->finished());
}

TEST_F(SessionTest, SavesASnapshotBetweenSlices) {
  ASSERT_TRUE(wait_for([&] { return session_->snapshot()->instructions > 100'000; }));
  session_->set_paused(true);
  const uint64_t at = fresh()->instructions;
  const auto path = std::filesystem::temp_directory_path() /
                    ("tiervm-session-" + std::to_string(getpid()) + ".snapshot");
  std::promise<std::string> saved;
  session_->save_snapshot(path, [&](const std::string& message) { saved.set_value(message); });
  const std::string message = saved.get_future().get();
  EXPECT_EQ(message.rfind("snapshot saved to " + path.string() + " (", 0), 0u) << message;

  // A machine of the same configuration loaded from it stands where the paused one does.
  MachineConfig mc;
  mc.image = image_;
  std::string error;
  auto m = Machine::create(mc, error);
  ASSERT_NE(m, nullptr) << error;
  ASSERT_TRUE(load_snapshot(*m, path, error)) << error;
  std::filesystem::remove(path);
  EXPECT_EQ(m->instructions(), at);
  EXPECT_EQ(m->hart().s.pc & ~uint64_t{7}, kLoopPc & ~uint64_t{7});

  std::promise<std::string> failed;
  session_->save_snapshot("/nonexistent/dir/x.snapshot",
                          [&](const std::string& message) { failed.set_value(message); });
  EXPECT_EQ(failed.get_future().get(),
            "cannot write snapshot '/nonexistent/dir/x.snapshot.tmp': No such file or directory");
  session_->set_paused(false);
}

TEST_F(SessionTest, GuestInputReachesTheUartAndRestartStartsOver) {
  ASSERT_TRUE(wait_for([&] { return session_->snapshot()->instructions > 1'000'000; }));
  session_->input().push("x");
  // The loop never reads the UART; the byte sits in its receive FIFO.
  EXPECT_TRUE(wait_for([&] { return session_->input().pending() == 0; }));
  const uint32_t id = fresh()->machine_id;
  std::string error;
  ASSERT_TRUE(session_->restart(error)) << error;
  EXPECT_EQ(session_->generation(), 1u);
  const auto s = fresh();
  EXPECT_NE(s->machine_id, id);
  EXPECT_TRUE(s->enabled);
}

// The dashboard's JIT switch: off drops the compiled tier, on (again) brings it back, and
// the guest keeps running on every setting.
TEST_F(SessionTest, JitCanBeSwitchedOffAndOnWhileRunning) {
  ASSERT_TRUE(wait_for([&] { return session_->snapshot()->instructions > 100'000; }));
  EXPECT_TRUE(fresh()->jit_enabled);
  for (unsigned tiers : {0u, 2u, 1u, 0u}) {
    session_->set_jit_tiers(tiers);
    const auto s = fresh();
    EXPECT_EQ(s->jit_enabled, tiers != 0) << "tiers " << tiers;
    const uint64_t before = s->instructions;
    EXPECT_TRUE(wait_for([&] { return fresh()->instructions > before + 100'000; }))
        << "guest stalled after switching to " << tiers;
  }
  EXPECT_FALSE(session_->finished());
}

}  // namespace
}  // namespace tiervm
