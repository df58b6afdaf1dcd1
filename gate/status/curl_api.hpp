#pragma once
// libcurl, loaded the first time a commit status is posted.
//
// libcurl as Debian builds it pulls in about twenty shared libraries (OpenSSL, GnuTLS, Kerberos,
// LDAP, RTMP, SSH, ...) whose loading alone costs ~5 ms on every process start, a third of a
// local gate run that never talks to a server. Like git, which keeps libcurl out of its main
// binary (git-remote-https), opsgate loads it only when --post-status needs it. The function
// types come from <curl/curl.h>, so every call stays type-checked as with a direct link.

#include <curl/curl.h>

#include "error.hpp"

namespace opsgate {

struct CurlApi {
  decltype(&curl_global_init) global_init;
  decltype(&curl_version_info) version_info;
  decltype(&curl_easy_init) easy_init;
  decltype(&curl_easy_cleanup) easy_cleanup;
  decltype(&curl_easy_setopt) easy_setopt;
  decltype(&curl_easy_perform) easy_perform;
  decltype(&curl_easy_getinfo) easy_getinfo;
  decltype(&curl_easy_strerror) easy_strerror;
  decltype(&curl_getdate) getdate;
  decltype(&curl_slist_append) slist_append;
  decltype(&curl_slist_free_all) slist_free_all;
};

// The library's soname (OPSGATE_LIBCURL_SONAME at build time, "libcurl.so.4").
const char* curl_library_name();

// libcurl's functions, loaded and curl_global_init()ed on the first call (thread-safe). The
// error (kept for later calls) names the library and says what to install.
Expected<const CurlApi*> curl_api();

}  // namespace opsgate
