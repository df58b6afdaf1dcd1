#pragma once
// gitignore-style path globs for `when_changed`: "*" and "?" stay inside one component, "**"
// spans any number of them, a pattern without '/' matches at any depth, and a pattern that
// names a directory matches everything under it.

#include <string_view>

namespace opsgate {

bool glob_matches(std::string_view pattern, std::string_view path);

}  // namespace opsgate
