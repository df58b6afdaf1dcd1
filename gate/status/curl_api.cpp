#include "curl_api.hpp"

#include "i18n.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

namespace opsgate {

#ifndef OPSGATE_LIBCURL_SONAME
#define OPSGATE_LIBCURL_SONAME "libcurl.so.4"
#endif

const char* curl_library_name() {
  return OPSGATE_LIBCURL_SONAME;
}

namespace {

template <class Fn>
bool load(void* library, const char* name, Fn& out, std::string& missing) {
  out = reinterpret_cast<Fn>(dlsym(library, name));
  if (!out) missing += missing.empty() ? name : fmt::format(", {}", name);
  return out != nullptr;
}

Expected<const CurlApi*> load_curl() {
  static CurlApi api{};
  void* library = dlopen(OPSGATE_LIBCURL_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char* why = dlerror();
    return fail(ErrorKind::network,
                trf("cannot post a commit status: {} could not be loaded ({}); install "
                    "libcurl (Debian: apt-get install libcurl4)",
                    OPSGATE_LIBCURL_SONAME, why ? why : "unknown error"));
  }
  std::string missing;
  load(library, "curl_global_init", api.global_init, missing);
  load(library, "curl_version_info", api.version_info, missing);
  load(library, "curl_easy_init", api.easy_init, missing);
  load(library, "curl_easy_cleanup", api.easy_cleanup, missing);
  load(library, "curl_easy_setopt", api.easy_setopt, missing);
  load(library, "curl_easy_perform", api.easy_perform, missing);
  load(library, "curl_easy_getinfo", api.easy_getinfo, missing);
  load(library, "curl_easy_strerror", api.easy_strerror, missing);
  load(library, "curl_getdate", api.getdate, missing);
  load(library, "curl_slist_append", api.slist_append, missing);
  load(library, "curl_slist_free_all", api.slist_free_all, missing);
  if (!missing.empty())
    return fail(ErrorKind::network,
                trf("cannot post a commit status: {} lacks {} (libcurl 7.88 or later is "
                    "needed)",
                    OPSGATE_LIBCURL_SONAME, missing));
  if (CURLcode code = api.global_init(CURL_GLOBAL_DEFAULT); code != CURLE_OK)
    return fail(ErrorKind::network, trf("cannot post a commit status: curl_global_init failed ({})",
                                        api.easy_strerror(code)));
  // The library stays loaded until exit: libcurl's global state must outlive every handle.
  return &api;
}

}  // namespace

Expected<const CurlApi*> curl_api() {
  static const Expected<const CurlApi*> loaded = load_curl();
  return loaded;
}

}  // namespace opsgate
