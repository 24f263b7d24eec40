#pragma once

struct SDL_Renderer;
struct ImDrawData;

namespace tiervm {

// Draws Dear ImGui's output with SDL_Renderer (SDL_RenderGeometryRaw, SDL >= 2.0.18): the
// Debian imgui package ships the SDL platform backend but not this renderer backend.
// Works with every SDL renderer, including the software one under Xvfb.
bool imgui_sdl_renderer_init(SDL_Renderer* renderer);
void imgui_sdl_renderer_shutdown();
void imgui_sdl_renderer_draw(ImDrawData* data);

}  // namespace tiervm
