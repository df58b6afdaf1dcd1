#pragma once
// Signed approvals (issue 19): the trust roots a pack names, what checking one commit's
// signature against them answers, and the interface that checks it (git/signatures.hpp:
// libgit2 reads the signature, ssh-keygen or gpg verifies it). The core only compares what it
// answers with a waiver's approved_by and the pack's approvers: it never runs a program.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "history.hpp"

namespace opsgate {

// A trust-root file, read from the same source as its pack (a REV:PATH pack's from that
// revision: a change cannot edit the keys that judge it).
struct TrustFile {
  std::string name;  // as messages name it: "origin/main:.opsgate/rules/allowed_signers"
  std::string text;
};

struct TrustRoots {
  std::optional<TrustFile> allowed_signers;  // OpenSSH allowed-signers (gpg.ssh.allowedSignersFile)
  std::optional<TrustFile> gpg_keyring;      // armored OpenPGP public keys
};

// Why a signed waiver or emergency was refused: fixed codes reports and scripts rely on.
enum class ProofRefusal {
  unsigned_commit,      // "unsigned"
  unknown_key,          // "unknown-key": signed by a key the trust roots do not hold
  signer_not_approver,  // "signer-not-approver": the key's principals do not name approved_by
  self_approval,        // "self-approval": the signer authored another commit of the change
  bad_signature,        // "bad-signature": the signature does not verify (or could not be)
  unattributed,         // "unattributed": blame cannot say who wrote the lines
};
std::string_view refusal_code(ProofRefusal refusal);

struct SignatureCheck {
  enum class Result { valid, unsigned_commit, unknown_key, bad_signature };
  Result result = Result::unsigned_commit;
  std::string format;                   // "ssh" or "gpg"; empty when unsigned
  std::vector<std::string> principals;  // valid: what the trust roots call the key's owner
  std::string key;                      // the key's fingerprint, when known
  std::string detail;                   // why, for the refusal's text
  std::string english_detail;           // `detail` in English when it is translated, else empty
};

class Approvals {
 public:
  virtual ~Approvals() = default;
  // The signature of commit `commit` (40 hex) checked against `roots`.
  virtual SignatureCheck check_commit(const std::string& commit, const TrustRoots& roots) = 0;
};

// Whether a principal of a trust root (an allowed-signers pattern such as "*@ops.example.org",
// or a key's email) names `approver`; case-insensitive, as email addresses are compared.
bool principal_names(std::string_view principal, std::string_view approver);

}  // namespace opsgate
