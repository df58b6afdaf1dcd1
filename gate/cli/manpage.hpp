#pragma once
// opsgate(1) and one page per subcommand (opsgate-check(1), ...), in roff, written by the build
// from the definitions --help prints (command_tree.hpp).

#include <string>
#include <vector>

#include "command_tree.hpp"

namespace opsgate::cli {

struct ManPage {
  std::string name;  // "opsgate", "opsgate-check": the file is NAME.1
  std::string roff;
};

// `cli` is describe_cli()'s tree; `version` goes into each page's footer. The pages' own texts
// (section names, exit status, environment) are in the thread's language, as the tree's
// descriptions are when define_cli() ran in it.
std::vector<ManPage> man_pages(const CommandSpec& cli, const std::string& version);

}  // namespace opsgate::cli
