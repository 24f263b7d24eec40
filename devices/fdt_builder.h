#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "devices/virt_memory_map.h"

namespace tiervm {

// What the device tree describes besides the fixed virt devices.
struct FdtConfig {
  uint64_t ram_base = virt::kRamBase;
  uint64_t ram_size = 256ull << 20;
  std::string bootargs;  // /chosen/bootargs, omitted when empty
  // /chosen/linux,initrd-start and -end (guest-physical, end exclusive); none when equal.
  uint64_t initrd_start = 0;
  uint64_t initrd_end = 0;
  unsigned harts = 1;  // cpu@0..harts-1, each with its PLIC M and S contexts and CLINT lines
  std::string isa;     // riscv,isa of every cpu (the engine derives it from its decoder)
  std::string mmu_type = "riscv,sv48";
  unsigned virtio_slots = virt::kVirtioCount;  // QEMU lists all eight, present or not
  std::vector<uint8_t> rng_seed;               // /chosen/rng-seed, omitted when empty
};

// The flattened device tree of the virt board, with the nodes, properties, phandles and
// node order of QEMU 7.2's `-machine virt` (minus the devices this board does not have:
// PCIe, fw_cfg, flash, platform bus, PMU). Throws std::runtime_error if libfdt fails.
std::vector<uint8_t> build_fdt(const FdtConfig& config);

// Where QEMU puts the FDT in RAM (riscv_load_fdt): as high as possible below 3 GiB or the
// end of RAM, aligned down to 2 MiB, so the kernel and initrd do not overwrite it.
uint64_t fdt_load_address(uint64_t ram_base, uint64_t ram_size, uint64_t fdt_size);

}  // namespace tiervm
