#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tiervm {

class Machine;

// Machine snapshots, as QEMU's savevm/loadvm: the whole machine in one file, RAM (all-zero
// pages left out), every hart (registers, CSRs, PMP, pending interrupt lines, WFI state,
// counters), every device's state, the disk overlays and the clock (mtime goes on from the
// saved value, never back). Compiled code is not saved: a load drops it and the tiers
// rebuild it. The format (docs/snapshots.md):
//   header   "TIERVMSS", u32 format version, u32 section count, u64 file size
//   sections u32 name length, name, u64 length, bytes; the first is "machine", the text
//            description of the machine (snapshot_description) a snapshot must match
//   trailer  u32 CRC-32C of every byte before it
// All integers little-endian. A load checks magic, version, size, checksum, the section
// table and the machine description before it changes anything.

struct SnapshotStats {
  uint64_t bytes = 0;  // file size
  double seconds = 0;  // wall time of the save or load
};

// The snapshot format version this build writes and reads. 2: harts save the vector state
// (vlenb, vstart, vxsat, vxrm, vl, vtype, the VLEN-sized registers).
inline constexpr uint32_t kSnapshotVersion = 2;

// What a snapshot must match to be loaded: RAM size, harts and their ISA, the virtio
// slots with each drive's mode, size and checksum (disk images are read). One
// "key value" line each.
std::string snapshot_description(Machine& m);

// Machine thread, between slices. The snapshot in memory (tests; save_snapshot streams).
std::vector<uint8_t> encode_snapshot(Machine& m);
// Writes the snapshot to `path`: to PATH.tmp, fsync'ed, then renamed over `path`, so a
// failed save leaves an existing file as it was. false with one line in `error`.
bool save_snapshot(Machine& m, const std::string& path, std::string& error,
                   SnapshotStats* stats = nullptr);

// Machine thread, on a machine built from the same configuration that has not run
// since (a fresh Machine::create). Replaces its state with the snapshot's. false with one
// line in `error` (which names `what`, e.g. the file) when the snapshot is not a tiervm
// snapshot, of another format version, truncated, corrupt or of another machine: then the
// machine is unchanged, except after a failure past those checks (a section the checksum
// passed but that does not decode, which only a tiervm bug writes), after which it must be
// dropped.
bool decode_snapshot(Machine& m, std::span<const uint8_t> bytes, const std::string& what,
                     std::string& error);
bool load_snapshot(Machine& m, const std::string& path, std::string& error,
                   SnapshotStats* stats = nullptr);

}  // namespace tiervm
