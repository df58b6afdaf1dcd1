#include "error.hpp"

#include <fmt/format.h>

namespace opsgate {

std::string SourcePos::to_string() const {
  if (line == 0) return path;
  if (column == 0) return fmt::format("{}:{}", path, line);
  return fmt::format("{}:{}:{}", path, line, column);
}

std::string Error::to_string() const {
  if (!where) return message;
  return fmt::format("{}: {}", where->to_string(), message);
}

}  // namespace opsgate
