#include "tls_deferral.hpp"

#include <dlfcn.h>

#include <atomic>
#include <cstdlib>
#include <string_view>

namespace {

std::atomic<bool> g_deferring{false};
std::atomic<int> g_skipped{0};

// mbedTLS's MBEDTLS_ERR_X509_FILE_IO_ERROR, should the real function be missing.
constexpr int k_file_io_error = -0x2900;

}  // namespace

struct mbedtls_x509_crt;

// Interposes mbedTLS's function of the same name (see tls_deferral.hpp); exported from the
// executable by the linker option --export-dynamic-symbol (gate/CMakeLists.txt).
extern "C" int mbedtls_x509_crt_parse_file(mbedtls_x509_crt* chain, const char* path) {
  if (g_deferring.load()) {
    ++g_skipped;
    return 0;  // "parsed, nothing to add": libgit2 installs an empty CA chain
  }
  using ParseFile = int (*)(mbedtls_x509_crt*, const char*);
  static const auto real =
      reinterpret_cast<ParseFile>(dlsym(RTLD_NEXT, "mbedtls_x509_crt_parse_file"));
  return real ? real(chain, path) : k_file_io_error;
}

namespace opsgate::cli {

CaBundleDeferral::CaBundleDeferral() {
  const char* setting = std::getenv("OPSGATE_LIBGIT2_CA_BUNDLE");
  g_deferring = !(setting && std::string_view(setting) == "load");
}

CaBundleDeferral::~CaBundleDeferral() {
  g_deferring = false;
}

int skipped_ca_bundle_parses() {
  return g_skipped.load();
}

}  // namespace opsgate::cli
