#include "core/plugins/elf_check.h"

#include <elf.h>

#include <cstring>
#include <string>

namespace blockhealth {
namespace {

#if defined(__LP64__) || defined(_LP64)
using ElfEhdr = Elf64_Ehdr;
using ElfPhdr = Elf64_Phdr;
using ElfDyn = Elf64_Dyn;
constexpr unsigned char kHostClass = ELFCLASS64;
constexpr const char* kHostBits = "64-bit";
#else
using ElfEhdr = Elf32_Ehdr;
using ElfPhdr = Elf32_Phdr;
using ElfDyn = Elf32_Dyn;
constexpr unsigned char kHostClass = ELFCLASS32;
constexpr const char* kHostBits = "32-bit";
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
constexpr unsigned char kHostData = ELFDATA2MSB;
#else
constexpr unsigned char kHostData = ELFDATA2LSB;
#endif

const char* endian_name(unsigned char data) {
  return data == ELFDATA2MSB ? "big-endian" : "little-endian";
}

// Reads a T at `offset` of `bytes`; false when it does not fit.
template <typename T>
bool read_at(std::string_view bytes, std::uint64_t offset, T* out) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return false;
  std::memcpy(out, bytes.data() + offset, sizeof(T));
  return true;
}

// True when the dynamic section carries DF_1_PIE (a PIE executable: ET_DYN,
// but the loader refuses to dlopen it). Unreadable tables read as "not PIE":
// the loader then reports what is wrong with them.
bool is_pie(std::string_view bytes, const ElfEhdr& header) {
  if (header.e_phentsize != sizeof(ElfPhdr)) return false;
  for (std::uint64_t i = 0; i < header.e_phnum; ++i) {
    ElfPhdr phdr{};
    if (!read_at(bytes, header.e_phoff + i * sizeof(ElfPhdr), &phdr)) return false;
    if (phdr.p_type != PT_DYNAMIC) continue;
    const std::uint64_t count = phdr.p_filesz / sizeof(ElfDyn);
    for (std::uint64_t j = 0; j < count; ++j) {
      ElfDyn dyn{};
      if (!read_at(bytes, phdr.p_offset + j * sizeof(ElfDyn), &dyn)) return false;
      if (dyn.d_tag == DT_NULL) return false;
      if (dyn.d_tag == DT_FLAGS_1 && (dyn.d_un.d_val & DF_1_PIE) != 0) return true;
    }
    return false;
  }
  return false;
}

}  // namespace

std::string elf_machine_name(std::uint16_t machine) {
  switch (machine) {
    case EM_X86_64:
      return "x86_64";
    case EM_AARCH64:
      return "aarch64";
    case EM_386:
      return "i386";
    case EM_ARM:
      return "arm";
    case EM_RISCV:
      return "riscv";
    case EM_PPC64:
      return "ppc64";
    case EM_PPC:
      return "ppc";
    case EM_S390:
      return "s390x";
    case EM_MIPS:
      return "mips";
    case EM_LOONGARCH:
      return "loongarch";
    case EM_SPARCV9:
      return "sparc64";
    default:
      return "machine " + std::to_string(machine);
  }
}

std::uint16_t host_elf_machine() {
#if defined(__x86_64__)
  return EM_X86_64;
#elif defined(__aarch64__)
  return EM_AARCH64;
#elif defined(__i386__)
  return EM_386;
#elif defined(__arm__)
  return EM_ARM;
#elif defined(__riscv)
  return EM_RISCV;
#elif defined(__powerpc64__)
  return EM_PPC64;
#elif defined(__s390x__)
  return EM_S390;
#elif defined(__loongarch__)
  return EM_LOONGARCH;
#else
#error "blockhealth: unknown architecture, add it to host_elf_machine()"
#endif
}

std::optional<std::string> elf_problem(std::string_view bytes) {
  if (bytes.size() < SELFMAG || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0) {
    return "not an ELF file";
  }
  if (bytes.size() < EI_NIDENT) return "truncated ELF header";
  const auto elf_class = static_cast<unsigned char>(bytes[EI_CLASS]);
  const auto elf_data = static_cast<unsigned char>(bytes[EI_DATA]);
  if (elf_class != ELFCLASS32 && elf_class != ELFCLASS64) {
    return "an ELF file of unknown class " + std::to_string(elf_class);
  }
  if (elf_class != kHostClass) {
    return std::string("a ") + (elf_class == ELFCLASS64 ? "64-bit" : "32-bit") +
           " ELF file, this host is " + kHostBits;
  }
  if (elf_data != ELFDATA2LSB && elf_data != ELFDATA2MSB) {
    return "an ELF file of unknown byte order " + std::to_string(elf_data);
  }
  if (elf_data != kHostData) {
    return std::string("a ") + endian_name(elf_data) + " ELF file, this host is " +
           endian_name(kHostData);
  }
  ElfEhdr header{};
  if (!read_at(bytes, 0, &header)) return "truncated ELF header";
  if (header.e_machine != host_elf_machine()) {
    return "built for " + elf_machine_name(header.e_machine) + ", this host is " +
           elf_machine_name(host_elf_machine());
  }
  switch (header.e_type) {
    case ET_DYN:
      break;
    case ET_EXEC:
      return "an ELF executable, not a shared object";
    case ET_REL:
      return "an ELF relocatable object (.o), not a shared object";
    case ET_CORE:
      return "an ELF core dump, not a shared object";
    default:
      return "an ELF file of type " + std::to_string(header.e_type) + ", not a shared object";
  }
  if (is_pie(bytes, header)) return "a position-independent executable, not a shared object";
  return std::nullopt;
}

}  // namespace blockhealth
