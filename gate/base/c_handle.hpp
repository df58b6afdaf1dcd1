#pragma once
// The deleter behind every RAII owner of a C library handle (libgit2):
// std::unique_ptr<T, FreeWith<t_free>>.

namespace opsgate {

template <auto FreeFn>
struct FreeWith {
  template <class T>
  void operator()(T* handle) const {
    FreeFn(handle);
  }
};

}  // namespace opsgate
