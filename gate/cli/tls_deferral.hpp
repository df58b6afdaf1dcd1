#pragma once
// libgit2 without the CA bundle it never uses here.
//
// Debian's libgit2 1.5 is built with its mbedTLS backend and GIT_DEFAULT_CERT_LOCATION, so
// git_libgit2_init() parses the whole system CA bundle (/etc/ssl/certs/ca-certificates.crt,
// ~140 certificates) whether or not the program will ever open an HTTPS remote: about 10 ms,
// half of a gate run, and no option turns it off. opsgate only reads local repositories through
// libgit2 (commit statuses go through libcurl, which has its own TLS and CA handling), so the
// executable defines mbedtls_x509_crt_parse_file(), which takes precedence over mbedTLS's own
// (ELF symbol interposition: the executable comes first in the lookup scope), and makes it a
// no-op while a CaBundleDeferral is alive. Every other call goes on to mbedTLS. Should libgit2
// ever open an HTTPS connection in this process, its empty CA chain fails certificate
// verification: the deferral fails closed, never open.

namespace opsgate::cli {

// While alive, libgit2's CA bundle parse is skipped, unless the environment sets
// OPSGATE_LIBGIT2_CA_BUNDLE=load (to measure the difference: tests/bench).
class CaBundleDeferral {
 public:
  CaBundleDeferral();
  ~CaBundleDeferral();
  CaBundleDeferral(const CaBundleDeferral&) = delete;
  CaBundleDeferral& operator=(const CaBundleDeferral&) = delete;
};

// How many CA bundle parses were skipped in this process.
int skipped_ca_bundle_parses();

}  // namespace opsgate::cli
