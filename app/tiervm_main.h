#pragma once

namespace tiervm {

// The whole tiervm command: parses options, builds the machine, runs it and returns the
// process exit code. Host-side errors print one line on stderr and return
// kExitHostError.
int tiervm_main(int argc, const char* const* argv);

}  // namespace tiervm
