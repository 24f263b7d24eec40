#include "app/tiervm_main.h"

int main(int argc, char** argv) {
  return tiervm::tiervm_main(argc, argv);
}
