#include "engine/vector.h"

#include <algorithm>

#include "engine/hart.h"

namespace tiervm {

bool vector_illegal(Hart& hart, uint32_t word) {
  hart.s.raise(make_trap(Cause::IllegalInsn, word));
  return false;
}

}  // namespace tiervm
