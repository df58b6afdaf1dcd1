#pragma once
// Monorepo scoping: which manifests a change concerns. A service's directory is its manifest's
// directory minus any subtree holding another manifest; paths match by whole components.

#include <string>
#include <vector>

namespace opsgate {

// The manifest (of `manifests`, repository paths) whose service owns `path`, or "" for none.
std::string owning_manifest(const std::vector<std::string>& manifests, const std::string& path);

// The manifests whose service directory `changed` touches, plus the changed manifests
// themselves (when they still exist), sorted.
std::vector<std::string> select_manifests(const std::vector<std::string>& manifests,
                                          const std::vector<std::string>& changed);

}  // namespace opsgate
