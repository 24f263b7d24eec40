#include "ui/dashboard.h"

#include <SDL.h>
#include <backends/imgui_impl_sdl.h>
#include <imgui.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "ui/dashboard_panels.h"
#include "ui/imgui_sdl_renderer.h"
#include "ui/png_writer.h"

namespace tiervm {

namespace {

constexpr double kFrameSeconds = 1.0 / 30;  // the UI redraws at 30 Hz...
// ...unless a frame costs more than a quarter of that: then the UI waits 4x a frame's cost
// between frames, so it never takes more than ~25% of a core from the guest (software
// rendering under Xvfb takes ~40 ms a frame at 1600x900; a GPU, ~1 ms).
constexpr double kMaxUiShare = 0.25;
constexpr int kUiNice = 5;
constexpr double kDefaultScreenshotDelay = 5;

void apply_style() {
  ImGui::StyleColorsDark();
  ImGuiStyle& style = ImGui::GetStyle();
  style.WindowRounding = 0;
  style.FrameRounding = 2;
  style.WindowBorderSize = 1;
  const ImVec4 title(kTitleBarRgb[0] / 255.f, kTitleBarRgb[1] / 255.f, kTitleBarRgb[2] / 255.f,
                     1.f);
  style.Colors[ImGuiCol_TitleBg] = title;
  style.Colors[ImGuiCol_TitleBgActive] = title;
  style.Colors[ImGuiCol_TitleBgCollapsed] = title;
  style.Colors[ImGuiCol_WindowBg] = ImVec4(0.09f, 0.09f, 0.11f, 1.f);
}

// Reads the frame just rendered (before SDL_RenderPresent) and writes it as PNG.
bool save_screenshot(SDL_Renderer* renderer, const std::string& path, std::string& error) {
  int w = 0, h = 0;
  if (SDL_GetRendererOutputSize(renderer, &w, &h) != 0) {
    error = SDL_GetError();
    return false;
  }
  std::vector<uint8_t> rgb(static_cast<size_t>(w) * static_cast<size_t>(h) * 3);
  if (SDL_RenderReadPixels(renderer, nullptr, SDL_PIXELFORMAT_RGB24, rgb.data(), w * 3) != 0) {
    error = std::string("reading the window: ") + SDL_GetError();
    return false;
  }
  return write_png_rgb(path, static_cast<uint32_t>(w), static_cast<uint32_t>(h), rgb, error);
}

}  // namespace

DashboardResult run_dashboard(const DashboardOptions& options, std::unique_ptr<Machine> machine) {
  DashboardResult result;
  result.unused_machine = std::move(machine);
  // Before the UI thread lowers its priority: the session's launcher thread keeps the
  // normal one for the machines it creates.
  EmulationSession session(options.session);
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
    result.error = std::string("no display: ") + SDL_GetError();
    return result;
  }
  // A screenshot must not depend on the GPU: the software renderer draws the same pixels
  // everywhere (SDL_RENDER_DRIVER in the environment still wins).
  if (!options.screenshot.empty()) SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
  SDL_Window* window = SDL_CreateWindow(options.title.c_str(), SDL_WINDOWPOS_CENTERED,
                                        SDL_WINDOWPOS_CENTERED, options.width, options.height,
                                        SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
  if (window == nullptr) {
    result.error = std::string("cannot open a window: ") + SDL_GetError();
    SDL_Quit();
    return result;
  }
  result.opened = true;
  // The guest comes first: when the host is busy, the UI thread (this one) and the
  // renderer's threads (a software GL under Xvfb starts some) yield to the machine's
  // threads, which the session creates at the normal priority (threads inherit their
  // creator's nice value).
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kUiNice);
  SDL_Renderer* renderer = SDL_CreateRenderer(window, -1, SDL_RENDERER_PRESENTVSYNC);
  if (renderer == nullptr) renderer = SDL_CreateRenderer(window, -1, SDL_RENDERER_SOFTWARE);
  if (renderer == nullptr) {
    result.error = std::string("cannot create a renderer: ") + SDL_GetError();
    result.exit_code = -1;
    SDL_DestroyWindow(window);
    SDL_Quit();
    return result;
  }

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is fixed; nothing to remember between runs
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  apply_style();
  ImGui_ImplSDL2_InitForSDLRenderer(window);
  imgui_sdl_renderer_init(renderer);

  std::string error;
  if (!session.start(error, std::move(result.unused_machine))) {
    result.error = error;
    result.opened = true;
    result.exit_code = -1;
  } else {
    DashboardPanels panels(session, options.settings);
    using Clock = std::chrono::steady_clock;
    const auto started = Clock::now();
    const double close_after = options.exit_after > 0
                                   ? options.exit_after
                                   : (options.screenshot.empty() ? 0 : kDefaultScreenshotDelay);
    const bool keep_open = options.keep_open || !options.screenshot.empty();
    bool done = false;
    auto next_frame = Clock::now();
    while (!done) {
      // Sleep until the next frame, waking early for input.
      SDL_Event ev;
      const auto wait_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(next_frame - Clock::now()).count();
      if (wait_ms > 0 && SDL_WaitEventTimeout(&ev, static_cast<int>(wait_ms))) {
        ImGui_ImplSDL2_ProcessEvent(&ev);
        if (ev.type == SDL_QUIT) done = true;
      }
      while (SDL_PollEvent(&ev)) {
        ImGui_ImplSDL2_ProcessEvent(&ev);
        if (ev.type == SDL_QUIT) done = true;
      }
      const auto frame_start = Clock::now();
      const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
      const bool last_frame = close_after > 0 && elapsed >= close_after;

      int w = 0, h = 0;
      SDL_GetWindowSize(window, &w, &h);
      panels.set_window_size(static_cast<float>(w), static_cast<float>(h));
      ImGui_ImplSDL2_NewFrame();
      ImGui::NewFrame();
      panels.draw();
      ImGui::Render();
      SDL_SetRenderDrawColor(renderer, 20, 20, 24, 255);
      SDL_RenderClear(renderer);
      imgui_sdl_renderer_draw(ImGui::GetDrawData());
      if (last_frame && !options.screenshot.empty()) {
        std::string shot_error;
        if (!save_screenshot(renderer, options.screenshot, shot_error)) {
          result.error = "screenshot: " + shot_error;
          result.exit_code = -1;
        }
      }
      SDL_RenderPresent(renderer);
      const double cost = std::chrono::duration<double>(Clock::now() - frame_start).count();
      next_frame = frame_start +
                   std::chrono::duration_cast<Clock::duration>(
                       std::chrono::duration<double>(std::max(kFrameSeconds, cost / kMaxUiShare)));
      if (last_frame) done = true;
      if (session.finished() && !keep_open) done = true;
    }
    if (session.finished()) {
      result.exit = session.exit();
      result.run_seconds = session.run_seconds();
      if (result.exit_code == 0) result.exit_code = result.exit.code;
    }
    session.shutdown();
    result.final_snapshot = session.snapshot();
  }

  imgui_sdl_renderer_shutdown();
  ImGui_ImplSDL2_Shutdown();
  ImGui::DestroyContext();
  SDL_DestroyRenderer(renderer);
  SDL_DestroyWindow(window);
  SDL_Quit();
  return result;
}

}  // namespace tiervm
