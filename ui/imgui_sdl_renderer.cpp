#include "ui/imgui_sdl_renderer.h"

#include <SDL.h>
#include <imgui.h>

#include <cstddef>

namespace tiervm {

namespace {

SDL_Renderer* g_renderer = nullptr;
SDL_Texture* g_font = nullptr;

// ImDrawVert's col is R, G, B, A in memory, as SDL_Color.
void draw_triangles(const ImDrawVert* v, int vertices, const ImDrawIdx* indices, int count,
                    SDL_Texture* texture) {
  const char* base = reinterpret_cast<const char*>(v);
  SDL_RenderGeometryRaw(
      g_renderer, texture, reinterpret_cast<const float*>(base + offsetof(ImDrawVert, pos)),
      sizeof(ImDrawVert), reinterpret_cast<const SDL_Color*>(base + offsetof(ImDrawVert, col)),
      sizeof(ImDrawVert), reinterpret_cast<const float*>(base + offsetof(ImDrawVert, uv)),
      sizeof(ImDrawVert), vertices, indices, count, sizeof(ImDrawIdx));
}

}  // namespace

bool imgui_sdl_renderer_init(SDL_Renderer* renderer) {
  ImGuiIO& io = ImGui::GetIO();
  io.BackendRendererName = "tiervm_sdl_renderer";
  // Draw commands carry a vertex offset: lists over 64 Ki vertices keep 16-bit indices.
  io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;
  g_renderer = renderer;

  unsigned char* pixels = nullptr;
  int width = 0, height = 0;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);
  // ImGui's RGBA32 is R, G, B, A in memory: SDL's ABGR8888 on a little-endian host.
  g_font = SDL_CreateTexture(renderer, SDL_PIXELFORMAT_ABGR8888, SDL_TEXTUREACCESS_STATIC, width,
                             height);
  if (g_font == nullptr) return false;
  SDL_UpdateTexture(g_font, nullptr, pixels, width * 4);
  SDL_SetTextureBlendMode(g_font, SDL_BLENDMODE_BLEND);
  SDL_SetTextureScaleMode(g_font, SDL_ScaleModeLinear);
  io.Fonts->SetTexID(static_cast<ImTextureID>(g_font));
  return true;
}

void imgui_sdl_renderer_shutdown() {
  if (g_font) SDL_DestroyTexture(g_font);
  g_font = nullptr;
  g_renderer = nullptr;
  ImGui::GetIO().Fonts->SetTexID(nullptr);
}

void imgui_sdl_renderer_draw(ImDrawData* data) {
  if (g_renderer == nullptr || data == nullptr) return;
  const ImVec2 offset = data->DisplayPos;
  const ImVec2 scale = data->FramebufferScale;
  SDL_RenderSetScale(g_renderer, scale.x, scale.y);
  SDL_Rect viewport{};
  SDL_RenderGetViewport(g_renderer, &viewport);
  for (int n = 0; n < data->CmdListsCount; ++n) {
    const ImDrawList* list = data->CmdLists[n];
    const ImDrawVert* vtx = list->VtxBuffer.Data;
    const ImDrawIdx* idx = list->IdxBuffer.Data;
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      if (cmd.UserCallback) {
        if (cmd.UserCallback != ImDrawCallback_ResetRenderState) cmd.UserCallback(list, &cmd);
        continue;
      }
      const ImVec2 clip_min(cmd.ClipRect.x - offset.x, cmd.ClipRect.y - offset.y);
      const ImVec2 clip_max(cmd.ClipRect.z - offset.x, cmd.ClipRect.w - offset.y);
      if (clip_max.x <= clip_min.x || clip_max.y <= clip_min.y) continue;
      const SDL_Rect clip{static_cast<int>(clip_min.x), static_cast<int>(clip_min.y),
                          static_cast<int>(clip_max.x - clip_min.x),
                          static_cast<int>(clip_max.y - clip_min.y)};
      SDL_RenderSetClipRect(g_renderer, &clip);
      const ImDrawVert* v = vtx + cmd.VtxOffset;
      const int vertices = list->VtxBuffer.Size - static_cast<int>(cmd.VtxOffset);
      draw_triangles(v, vertices, idx + cmd.IdxOffset, static_cast<int>(cmd.ElemCount),
                     static_cast<SDL_Texture*>(cmd.GetTexID()));
    }
  }
  SDL_RenderSetClipRect(g_renderer, nullptr);
  SDL_RenderSetViewport(g_renderer, &viewport);
}

}  // namespace tiervm
