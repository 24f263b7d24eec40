#include "ui/png_writer.h"

#include <stb_image_write.h>

namespace tiervm {

bool write_png_rgb(const std::string& path, uint32_t width, uint32_t height,
                   std::span<const uint8_t> rgb, std::string& error) {
  if (rgb.size() != static_cast<size_t>(width) * height * 3) {
    error = "pixel buffer does not match the image size";
    return false;
  }
  if (stbi_write_png(path.c_str(), static_cast<int>(width), static_cast<int>(height), 3, rgb.data(),
                     static_cast<int>(width * 3)) == 0) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

}  // namespace tiervm
