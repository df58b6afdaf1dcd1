#pragma once
// Commit and tag signatures checked against a pack's trust roots (core/approval.hpp): libgit2
// extracts the signature and the signed payload, `ssh-keygen -Y` (allowed_signers) or `gpg
// --verify` in a throw-away GNUPGHOME holding only the pack's keyring verifies it. Programs run
// with an explicit argv, a scrubbed environment and a bounded time (subprocess.hpp).

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "approval.hpp"
#include "evaluate.hpp"
#include "git_handles.hpp"
#include "subprocess.hpp"

namespace opsgate {

// The verifier programs, found once. A program a pack needs and the machine lacks is an error
// before anything is evaluated (exit 2), never a refused or accepted waiver.
struct SignatureTools {
  std::optional<std::string> ssh_keygen;
  std::optional<std::string> gpg;
  std::chrono::milliseconds timeout{10'000};

  static SignatureTools find();
  // An error naming the missing program when a pack of `packs` requires one.
  template <typename Packs>
  Expected<void> require(const Packs& packs) const;
};

// A signature and the bytes it signs.
struct SignedObject {
  std::string signature;
  std::string payload;
};

// The signature of commit `id` (libgit2's git_commit_extract_signature); nullopt when the
// commit is not signed.
Expected<std::optional<SignedObject>> commit_signature(git_repository* repo, const git_oid& id);

// The signature of annotated tag `id` (appended to its message, as git writes it); nullopt
// when the tag is not signed.
Expected<std::optional<SignedObject>> tag_signature(git_repository* repo, const git_oid& id);

// Checks a signature against trust roots; answers are cached by signature, so a commit that
// wrote several waivers is verified once. One per thread (it reads through `repo`).
class GitApprovals final : public Approvals {
 public:
  GitApprovals(git_repository* repo, const SignatureTools& tools) : m_repo(repo), m_tools(tools) {}
  SignatureCheck check_commit(const std::string& commit, const TrustRoots& roots) override;
  SignatureCheck check_signed(const SignedObject& object, const TrustRoots& roots);

 private:
  SignatureCheck check_ssh(const SignedObject& object, const TrustFile& signers);
  SignatureCheck check_gpg(const SignedObject& object, const TrustFile& keyring);

  git_repository* m_repo;
  const SignatureTools& m_tools;
  std::map<std::string, SignatureCheck> m_cache;  // by trust-root name + signature
  // gpg homes by keyring name: imported once per run.
  std::map<std::string, std::shared_ptr<PrivateDir>> m_gpg_homes;
};

class Repository;

// GATE-EMERGENCY, for --emergency under a pack's emergency_proof = "signed": passed when the
// revision's commit, or an annotated tag pointing at it, is signed by a key every such pack
// trusts, for a principal among its waiver_approvers (any principal of its trust roots when it
// names none); failed with a refusal code otherwise (the emergency then waives nothing).
Finding emergency_finding(const Repository& repo, const std::string& commit, const RuleSet& rules,
                          GitApprovals& approvals);

template <typename Packs>
Expected<void> SignatureTools::require(const Packs& packs) const {
  for (const auto& pack : packs) {
    if (!pack.waiver_proof_signed && !pack.emergency_proof_signed) continue;
    if (pack.trust.allowed_signers && !ssh_keygen)
      return fail(ErrorKind::unavailable,
                  trf("pack {} requires signed approvals with allowed_signers, and ssh-keygen is "
                      "not installed (not found in PATH): install openssh-client",
                      pack.name));
    if (pack.trust.gpg_keyring && !gpg)
      return fail(ErrorKind::unavailable,
                  trf("pack {} requires signed approvals with gpg_keyring, and gpg is not "
                      "installed (not found in PATH): install gnupg",
                      pack.name));
  }
  return {};
}

}  // namespace opsgate
