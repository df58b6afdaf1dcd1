#pragma once
// The JSON Schema of operability.toml for the loaded packs, for editors: schema 1's table
// (manifest_schema.hpp) and the keys the packs declare or their rules read. Draft-07, the newest
// draft taplo's validator implements (it reads 2019-09 and 2020-12 keywords as draft-07), so Even
// Better TOML and `taplo lint` complete and check with it. `opsgate schema` prints it.

#include <string>

#include "rules.hpp"

namespace opsgate {

// A pure function of the rule set: the same packs give the same text.
std::string manifest_json_schema(const RuleSet& rules);

}  // namespace opsgate
