#pragma once
// Git object ids computed without a repository: a work tree's files, report fingerprints.

#include <string>
#include <string_view>

namespace opsgate {

// The git blob id (40 hex, SHA-1 of "blob <size>\0<content>") of `content`.
std::string hash_blob(std::string_view content);

}  // namespace opsgate
