#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace tiervm {

// Writes 8-bit RGB pixels (`rgb`: width * height * 3 bytes, rows top to bottom) as a PNG,
// with Debian's stb_image_write (libstb, which libimgui needs anyway).
bool write_png_rgb(const std::string& path, uint32_t width, uint32_t height,
                   std::span<const uint8_t> rgb, std::string& error);

}  // namespace tiervm
