// elf_problem on hand-made headers: the cases the build cannot easily make
// (other classes, byte orders, types).
#include "core/plugins/elf_check.h"

#include <elf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace blockhealth {
namespace {

std::string header(unsigned char elf_class, unsigned char data, std::uint16_t type,
                   std::uint16_t machine) {
  Elf64_Ehdr h{};
  std::memcpy(h.e_ident, ELFMAG, SELFMAG);
  h.e_ident[EI_CLASS] = elf_class;
  h.e_ident[EI_DATA] = data;
  h.e_ident[EI_VERSION] = EV_CURRENT;
  h.e_type = type;
  h.e_machine = machine;
  return std::string(reinterpret_cast<const char*>(&h), sizeof h);
}

TEST(ElfCheckTest, Refusals) {
  const std::uint16_t host = host_elf_machine();
  EXPECT_EQ(elf_problem(""), "not an ELF file");
  EXPECT_EQ(elf_problem("#!/bin/sh\necho hi\n"), "not an ELF file");
  EXPECT_EQ(elf_problem("\x7f"
                        "ELF"),
            "truncated ELF header");
  EXPECT_EQ(elf_problem(header(ELFCLASS32, ELFDATA2LSB, ET_DYN, host)),
            "a 32-bit ELF file, this host is 64-bit");
  EXPECT_EQ(elf_problem(header(ELFCLASS64, ELFDATA2MSB, ET_DYN, host)),
            "a big-endian ELF file, this host is little-endian");
  EXPECT_EQ(elf_problem(header(ELFCLASS64, ELFDATA2LSB, ET_DYN, EM_AARCH64)),
            "built for aarch64, this host is " + elf_machine_name(host));
  EXPECT_EQ(elf_problem(header(ELFCLASS64, ELFDATA2LSB, ET_DYN, 4242)),
            "built for machine 4242, this host is " + elf_machine_name(host));
  EXPECT_EQ(elf_problem(header(ELFCLASS64, ELFDATA2LSB, ET_EXEC, host)),
            "an ELF executable, not a shared object");
  EXPECT_EQ(elf_problem(header(ELFCLASS64, ELFDATA2LSB, ET_REL, host)),
            "an ELF relocatable object (.o), not a shared object");
  EXPECT_EQ(elf_problem(header(ELFCLASS64, ELFDATA2LSB, ET_CORE, host)),
            "an ELF core dump, not a shared object");
  EXPECT_EQ(elf_problem(header(ELFCLASS64, ELFDATA2LSB, ET_DYN, host)), std::nullopt);
}

}  // namespace
}  // namespace blockhealth
