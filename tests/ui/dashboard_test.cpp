// The tiervm binary's monitor outputs: the dashboard's screenshot under Xvfb, the JSON
// performance report (against docs/perf-report.schema.json) and the Chrome trace.
#include <stb/stb_image.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/common/process.h"
#include "tests/engine/json_schema_check.h"
#include "ui/dashboard_panels.h"
#include "ui/png_writer.h"

namespace tiervm {
namespace {

namespace fs = std::filesystem;

const fs::path kBinaryDir = TIERVM_BINARY_DIR;
const fs::path kTiervm = kBinaryDir / "app" / "tiervm";

fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() / ("tiervm-ui-test-" + std::to_string(getpid()) + "-" + name);
}

// The Linux guest Image: $TIERVM_LINUX_IMAGE, else the CMake cache variable of the same
// name; empty when neither names an existing file.
std::string linux_image() {
  if (const char* env = std::getenv("TIERVM_LINUX_IMAGE"); env && fs::exists(env)) return env;
  std::ifstream cache(kBinaryDir / "CMakeCache.txt");
  std::string line;
  const std::string key = "TIERVM_LINUX_IMAGE:FILEPATH=";
  while (std::getline(cache, line)) {
    if (line.rfind(key, 0) == 0) {
      const std::string path = line.substr(key.size());
      if (!path.empty() && fs::exists(path)) return path;
    }
  }
  return {};
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

struct Image {
  int w = 0, h = 0;
  std::vector<uint8_t> rgb;
  const uint8_t* at(int x, int y) const { return &rgb[(static_cast<size_t>(y) * w + x) * 3]; }
};

std::optional<Image> load_png(const fs::path& p) {
  Image img;
  int channels = 0;
  unsigned char* data = stbi_load(p.c_str(), &img.w, &img.h, &channels, 3);
  if (data == nullptr) return std::nullopt;
  img.rgb.assign(data, data + static_cast<size_t>(img.w) * img.h * 3);
  stbi_image_free(data);
  return img;
}

bool is_title_colour(const uint8_t* px) {
  for (int i = 0; i < 3; ++i) {
    if (std::abs(px[i] - kTitleBarRgb[i]) > 2) return false;
  }
  return true;
}

TEST(PngWriter, WritesPixelsAPngDecoderReadsBack) {
  const uint32_t w = 7, h = 3;
  std::vector<uint8_t> rgb(w * h * 3);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>(i * 37);
  const fs::path p = temp_path("small.png");
  std::string error;
  ASSERT_TRUE(write_png_rgb(p, w, h, rgb, error)) << error;
  std::ifstream in(p, std::ios::binary);
  char sig[8];
  in.read(sig, 8);
  EXPECT_EQ(std::string(sig, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  const auto img = load_png(p);
  fs::remove(p);
  ASSERT_TRUE(img);
  EXPECT_EQ(img->w, 7);
  EXPECT_EQ(img->h, 3);
  EXPECT_EQ(img->rgb, rgb);
  EXPECT_FALSE(write_png_rgb(p, w, h + 1, rgb, error));
}

TEST(Dashboard, ScreenshotShowsThePanels) {
  const std::string kernel = linux_image();
  std::vector<std::string> guest;
  if (kernel.empty()) {
    guest = {(kBinaryDir / "roms" / "demo" / "demo.elf").string()};
  } else {
    guest = {"--kernel", kernel, "--append", "console=ttyS0"};
  }
  const fs::path shot = temp_path("dashboard.png");
  const fs::path report = temp_path("dashboard.json");
  std::vector<std::string> args = {"xvfb-run",
                                   "-a",
                                   "-s",
                                   "-screen 0 1600x900x24",
                                   kTiervm.string(),
                                   "--screenshot",
                                   shot.string(),
                                   "--exit-after",
                                   "8",
                                   "--perf-report",
                                   report.string()};
  args.insert(args.end(), guest.begin(), guest.end());
  const test::ProcessResult r = test::run_process(args, std::chrono::seconds(120));
  ASSERT_TRUE(r.exited) << r.output;
  ASSERT_EQ(r.exit_code, 0) << r.output;

  const auto img = load_png(shot);
  fs::remove(shot);
  ASSERT_TRUE(img) << "not a readable PNG: " << stbi_failure_reason();
  EXPECT_EQ(img->w, static_cast<int>(kDashboardWidth));
  EXPECT_EQ(img->h, static_cast<int>(kDashboardHeight));
  // Not blank: text, plots and bars in many colours.
  std::set<uint32_t> colours;
  for (size_t i = 0; i + 2 < img->rgb.size(); i += 3) {
    colours.insert(img->rgb[i] << 16 | img->rgb[i + 1] << 8 | img->rgb[i + 2]);
  }
  EXPECT_GE(colours.size(), 64u);
  // Every panel's title bar is where the layout puts it: its first rows are (mostly) the
  // title colour; the title text is drawn lower down.
  for (const PanelRect& p : {kPanelConsole, kPanelControls, kPanelHotBlocks, kPanelDetail,
                             kPanelPerformance, kPanelMemory, kPanelCompile}) {
    int match = 0, total = 0;
    for (int x = static_cast<int>(p.x) + 4; x < static_cast<int>(p.x + p.w) - 4; ++x) {
      ++total;
      if (is_title_colour(img->at(x, static_cast<int>(p.y) + 2))) ++match;
    }
    EXPECT_GE(match * 10, total * 9) << "title bar of '" << p.title << "' not found";
  }
  // The report written at exit has profiled blocks.
  const nlohmann::json j = read_json(report);
  fs::remove(report);
  EXPECT_FALSE(j["hot_blocks"].empty());
  EXPECT_GT(j["monitor"]["samples"].get<uint64_t>(), 0u);
}

TEST(PerfReport, HeadlessReportMatchesTheSchema) {
  const fs::path report = temp_path("report.json");
  const test::ProcessResult r =
      test::run_process({kTiervm.string(), "--headless", "--perf-report", report.string(),
                         (kBinaryDir / "roms" / "bench" / "crc32_small.elf").string()},
                        std::chrono::seconds(120));
  ASSERT_TRUE(r.exited) << r.output;
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const nlohmann::json j = read_json(report);
  fs::remove(report);
  std::ifstream schema_in(std::string(TIERVM_SOURCE_DIR) + "/docs/perf-report.schema.json");
  const nlohmann::json schema = nlohmann::json::parse(schema_in);
  for (const auto& v : test::schema_violations(schema, j)) ADD_FAILURE() << v;
  EXPECT_EQ(j["exit_code"], 0);
  EXPECT_GT(j["instructions"].get<uint64_t>(), 1'000'000u);
  EXPECT_NEAR(j["mips"].get<double>(),
              j["instructions"].get<double>() / j["wall_seconds"].get<double>() / 1e6, 1e-6);
  ASSERT_FALSE(j["hot_blocks"].empty());
  // The ELF's symbols name the hot code.
  EXPECT_FALSE(j["hot_blocks"][0]["symbol"].get<std::string>().empty());
}

TEST(TraceEvents, ChromeTraceOfARun) {
  const fs::path trace = temp_path("trace.json");
  const test::ProcessResult r = test::run_process(
      {kTiervm.string(), "--headless", "--jit", "fast", "--jit-threshold", "0", "--trace-events",
       trace.string(), (kBinaryDir / "roms" / "demo" / "demo.elf").string()},
      std::chrono::seconds(120));
  ASSERT_TRUE(r.exited) << r.output;
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const nlohmann::json t = read_json(trace);
  fs::remove(trace);
  ASSERT_TRUE(t.is_array());
  int names = 0, compiles = 0, exits = 0;
  for (const auto& e : t) {
    ASSERT_TRUE(e.contains("ph") && e.contains("pid") && e.contains("tid")) << e.dump();
    if (e["ph"] == "M") ++names;
    if (e["ph"] == "X") {
      ++compiles;
      EXPECT_EQ(e["tid"], 1);
      EXPECT_GE(e["dur"].get<double>(), 0.0);
    }
    if (e["ph"] == "i" && e["name"] == "guest_exit") {
      ++exits;
      EXPECT_EQ(e["args"]["code"], 0);
    }
  }
  EXPECT_EQ(names, 3);
  EXPECT_GT(compiles, 0);  // every block is compiled before its first run
  EXPECT_EQ(exits, 1);
}

}  // namespace
}  // namespace tiervm
