#include "engine/block_key.h"

#include <cinttypes>
#include <cstdio>

namespace tiervm {

std::string BlockKey::to_string() const {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%#" PRIx64 "%s", paddr(), flags().fp_enabled ? "" : "/nofp");
  return buf;
}

}  // namespace tiervm
