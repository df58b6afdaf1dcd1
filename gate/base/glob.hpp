#pragma once
// gitignore-style path globs for `when_changed`: "*" and "?" stay inside one component, "**"
// spans any number of them, a pattern without '/' matches at any depth, and a pattern that
// names a directory matches everything under it.

#include <string>
#include <string_view>
#include <vector>

namespace opsgate {

// A pattern split once, to be matched against many paths (a change may touch millions).
class Glob {
 public:
  explicit Glob(std::string_view pattern);
  bool matches(std::string_view path) const;

 private:
  std::vector<std::string> m_parts;  // components, "**" first when the pattern is not anchored
};

bool glob_matches(std::string_view pattern, std::string_view path);

}  // namespace opsgate
