#include "digest.hpp"

#include <mbedtls/sha1.h>

#include <array>
#include <string>

namespace opsgate {

// mbedtls is the SHA-1 libgit2 itself is built with on Debian: already loaded, no libgit2
// needed by the layers below git/.
std::string hash_blob(std::string_view content) {
  const std::string header = "blob " + std::to_string(content.size());
  mbedtls_sha1_context context;
  mbedtls_sha1_init(&context);
  std::array<unsigned char, 20> digest{};
  const bool ok =
      mbedtls_sha1_starts_ret(&context) == 0 &&
      mbedtls_sha1_update_ret(&context, reinterpret_cast<const unsigned char*>(header.c_str()),
                              header.size() + 1) == 0 &&
      mbedtls_sha1_update_ret(&context, reinterpret_cast<const unsigned char*>(content.data()),
                              content.size()) == 0 &&
      mbedtls_sha1_finish_ret(&context, digest.data()) == 0;
  mbedtls_sha1_free(&context);
  if (!ok) return {};
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string hex(40, '0');
  for (std::size_t i = 0; i < digest.size(); ++i) {
    hex[2 * i] = k_hex[digest[i] >> 4];
    hex[2 * i + 1] = k_hex[digest[i] & 15];
  }
  return hex;
}

}  // namespace opsgate
