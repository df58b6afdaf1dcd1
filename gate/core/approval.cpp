#include "approval.hpp"

#include <fnmatch.h>

#include <string>

namespace opsgate {

std::string_view refusal_code(ProofRefusal refusal) {
  switch (refusal) {
    case ProofRefusal::unsigned_commit:
      return "unsigned";
    case ProofRefusal::unknown_key:
      return "unknown-key";
    case ProofRefusal::signer_not_approver:
      return "signer-not-approver";
    case ProofRefusal::self_approval:
      return "self-approval";
    case ProofRefusal::bad_signature:
      return "bad-signature";
    case ProofRefusal::unattributed:
      return "unattributed";
  }
  return "unattributed";
}

bool principal_names(std::string_view principal, std::string_view approver) {
  if (principal.empty() || approver.empty()) return false;
  // OpenSSH's principals are patterns ("*@ops.example.org"); gpg's are plain addresses, where
  // fnmatch compares like equality.
  const std::string pattern(principal), name(approver);
  return fnmatch(pattern.c_str(), name.c_str(), FNM_CASEFOLD) == 0;
}

}  // namespace opsgate
