#include "limits.hpp"

#include <fmt/format.h>

namespace opsgate {

std::string oversize_message(std::string_view name, std::size_t bytes) {
  if (bytes <= k_max_file_bytes) return {};
  return fmt::format("{} is {:.2f} MiB; opsgate reads files of at most {} MiB", name,
                     static_cast<double>(bytes) / (1 << 20), k_max_file_bytes >> 20);
}

}  // namespace opsgate
