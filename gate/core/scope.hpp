#pragma once
// Monorepo scoping: which manifests a change concerns. A service's directory is its manifest's
// directory minus any subtree holding another manifest; paths match by whole components.

#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "tree.hpp"

namespace opsgate {

// The manifests (files named `manifest_name` that tree.find() lists) whose service directory a
// path of `changed` is in, plus the changed manifests themselves when they still exist, sorted.
// Found by looking up from each changed path's directory to its nearest manifest instead of
// searching every tree (a merge request's check in a monorepo reads a few trees, not all).
Expected<std::vector<std::string>> select_manifests(const Tree& tree,
                                                    std::string_view manifest_name,
                                                    const std::vector<std::string>& changed);

}  // namespace opsgate
