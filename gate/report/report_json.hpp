#pragma once
// JSON pieces shared by the renderers that write JSON (json, sarif).

#include <nlohmann/json.hpp>

#include "render.hpp"

namespace opsgate {

// {"passed": …, "failed": …, "warnings": …, "info": …, "waived": …, "skipped": …}
nlohmann::ordered_json summary_json(const Summary& summary);

// [{"name": …, "version": …, "source": …, "origin": …}, …] for the packs a run loaded.
nlohmann::ordered_json packs_json(const std::vector<PackInfo>& packs);

// {"commit", "author", "date"} of the commit that last changed a finding's manifest line, or
// nulls and {"unknown": why}.
nlohmann::ordered_json provenance_json(const Provenance& provenance);

}  // namespace opsgate
