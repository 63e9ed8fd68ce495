// Checks that a file's bytes are an ELF shared object this process can load,
// before handing it to the dynamic loader (whose own messages for these cases
// are cryptic: "invalid ELF header", "wrong ELF class").
#ifndef BLOCKHEALTH_CORE_PLUGINS_ELF_CHECK_H
#define BLOCKHEALTH_CORE_PLUGINS_ELF_CHECK_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace blockhealth {

// Why `bytes` (a whole file) is not a shared object for this host, or nullopt
// when it is one. Checks, in order: ELF magic ("not an ELF file"), the ELF
// header's size ("truncated ELF header"), class and byte order ("a 32-bit ELF
// file, this host is 64-bit"), e_machine ("built for aarch64, this host is
// x86_64"), e_type ("an ELF executable, not a shared object") and the PIE flag
// of an ET_DYN file ("a position-independent executable, not a shared
// object"). The reason never includes the path. Pure function; thread-safe.
std::optional<std::string> elf_problem(std::string_view bytes);

// A readable name for an ELF e_machine value ("x86_64", "aarch64", or
// "machine 1234" for the ones we do not name).
std::string elf_machine_name(std::uint16_t machine);

// The e_machine value of the architecture this code was compiled for.
std::uint16_t host_elf_machine();

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_PLUGINS_ELF_CHECK_H
