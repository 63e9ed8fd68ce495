// patch_elf_machine FILE MACHINE: rewrites the e_machine field of the ELF
// header of FILE (e.g. 183 = EM_AARCH64), to make a "wrong architecture"
// plugin out of a real one. Build-time helper of the test plugins.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: patch_elf_machine FILE MACHINE\n");
    return 2;
  }
  const long machine = std::strtol(argv[2], nullptr, 10);
  std::fstream file(argv[1], std::ios::in | std::ios::out | std::ios::binary);
  unsigned char ident[20] = {};
  if (!file.read(reinterpret_cast<char*>(ident), sizeof ident) || ident[0] != 0x7f ||
      ident[1] != 'E' || ident[2] != 'L' || ident[3] != 'F' || machine < 0 || machine > 0xffff) {
    std::fprintf(stderr, "patch_elf_machine: %s is not an ELF file\n", argv[1]);
    return 1;
  }
  const bool big_endian = ident[5] == 2;  // EI_DATA == ELFDATA2MSB
  const auto value = static_cast<std::uint16_t>(machine);
  unsigned char bytes[2];
  bytes[big_endian ? 1 : 0] = static_cast<unsigned char>(value & 0xff);
  bytes[big_endian ? 0 : 1] = static_cast<unsigned char>(value >> 8);
  file.seekp(18);  // offsetof(ElfN_Ehdr, e_machine)
  file.write(reinterpret_cast<const char*>(bytes), sizeof bytes);
  if (!file) {
    std::fprintf(stderr, "patch_elf_machine: cannot write %s\n", argv[1]);
    return 1;
  }
  return 0;
}
