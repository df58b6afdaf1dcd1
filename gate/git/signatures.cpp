#include "signatures.hpp"

#include <fmt/format.h>

#include <sstream>

#include "i18n.hpp"
#include "repo.hpp"

namespace opsgate {

namespace {

using Result = SignatureCheck::Result;

constexpr std::string_view k_ssh_armor = "-----BEGIN SSH SIGNATURE-----";
constexpr std::string_view k_pgp_armor = "-----BEGIN PGP SIGNATURE-----";

// `detail` in the thread's language and, when that is not English, in English too (a
// GATE-EMERGENCY message quotes it, and its fingerprint reads the English).
SignatureCheck refused(Result result, std::string format, LocalText detail) {
  SignatureCheck check;
  check.result = result;
  check.format = std::move(format);
  check.detail = std::move(detail.text);
  check.english_detail = std::move(detail.english);
  return check;
}
// An error as the detail: its message, and its English when the message is translated (a
// program that cannot start, a file that cannot be written).
LocalText said(const Error& error) {
  return {error.message, error.english};
}
SignatureCheck refused(Result result, std::string format, const Error& error) {
  return refused(result, std::move(format), said(error));
}
// A detail that is one message: `msgid` marked with tr_noop.
LocalText said(std::string_view msgid) {
  return say_in_both([msgid] { return std::string(tr(msgid)); });
}

// The check's detail in the thread's language.
const std::string& detail_of(const SignatureCheck& check) {
  return language() == Lang::en && !check.english_detail.empty() ? check.english_detail
                                                                 : check.detail;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string first_line(const std::string& text) {
  auto lines = lines_of(text);
  return lines.empty() ? std::string() : lines.front();
}

// Nothing from the caller's environment: no GNUPGHOME, no SSH_AUTH_SOCK, no LD_PRELOAD.
std::vector<std::string> scrubbed_env(const std::string& home) {
  return {"PATH=/usr/bin:/bin", "LC_ALL=C", "HOME=" + home};
}

std::string timed_out(const std::string& program, std::chrono::milliseconds timeout) {
  return trf("{} did not answer within {:g} s", program,
             static_cast<double>(timeout.count()) / 1000);
}

}  // namespace

SignatureTools SignatureTools::find() {
  SignatureTools tools;
  tools.ssh_keygen = find_program("ssh-keygen");
  tools.gpg = find_program("gpg");
  return tools;
}

Expected<std::optional<SignedObject>> commit_signature(git_repository* repo, const git_oid& id) {
  git_buf signature = GIT_BUF_INIT, payload = GIT_BUF_INIT;
  git_oid commit = id;
  const int found = git_commit_extract_signature(&signature, &payload, repo, &commit, nullptr);
  if (found == GIT_ENOTFOUND) {
    git_buf_dispose(&signature);
    git_buf_dispose(&payload);
    // Not signed, or not a readable commit: tell the two apart.
    git_commit* raw = nullptr;
    if (git_commit_lookup(&raw, repo, &id) != 0)
      return std::unexpected(missing_object(repo, "commit", id, tr("whose signature is checked")));
    git_commit_free(raw);
    return std::nullopt;
  }
  if (found != 0)
    return fail(ErrorKind::internal, fmt::format("cannot read the signature of {}: {}", oid_hex(id),
                                                 git_error_message()));
  SignedObject object{std::string(signature.ptr, signature.size),
                      std::string(payload.ptr, payload.size)};
  git_buf_dispose(&signature);
  git_buf_dispose(&payload);
  return object;
}

Expected<std::optional<SignedObject>> tag_signature(git_repository* repo, const git_oid& id) {
  git_odb* raw_odb = nullptr;
  if (git_repository_odb(&raw_odb, repo) != 0)
    return fail(ErrorKind::internal, git_error_message());
  std::unique_ptr<git_odb, FreeWith<git_odb_free>> odb(raw_odb);
  git_odb_object* raw_object = nullptr;
  if (git_odb_read(&raw_object, odb.get(), &id) != 0)
    return std::unexpected(missing_object(repo, "tag", id, tr("whose signature is checked")));
  std::unique_ptr<git_odb_object, FreeWith<git_odb_object_free>> object(raw_object);
  if (git_odb_object_type(object.get()) != GIT_OBJECT_TAG) return std::nullopt;
  std::string_view text(static_cast<const char*>(git_odb_object_data(object.get())),
                        git_odb_object_size(object.get()));
  // git appends the signature to the tag's message; the payload is everything before it.
  for (std::string_view armor : {k_ssh_armor, k_pgp_armor}) {
    std::size_t at = text.rfind(armor);
    if (at == std::string_view::npos || (at > 0 && text[at - 1] != '\n')) continue;
    return SignedObject{std::string(text.substr(at)), std::string(text.substr(0, at))};
  }
  return std::nullopt;
}

SignatureCheck GitApprovals::check_commit(const std::string& commit, const TrustRoots& roots) {
  const std::string key =
      fmt::format("{}\n{}\n{}", roots.allowed_signers ? roots.allowed_signers->name : "",
                  roots.gpg_keyring ? roots.gpg_keyring->name : "", commit);
  if (auto cached = m_cache.find(key); cached != m_cache.end()) return cached->second;
  git_oid id;
  SignatureCheck check;
  if (git_oid_fromstr(&id, commit.c_str()) != 0) {
    check = refused(Result::bad_signature, "",
                    say_in_both([&] { return trf("not a commit id: {}", commit); }));
  } else if (auto object = commit_signature(m_repo, id); !object) {
    check = refused(Result::bad_signature, "", object.error());
  } else if (!*object) {
    check = refused(Result::unsigned_commit, "", said(tr_noop("the commit is not signed")));
  } else {
    check = check_signed(**object, roots);
  }
  m_cache.emplace(key, check);
  return check;
}

SignatureCheck GitApprovals::check_signed(const SignedObject& object, const TrustRoots& roots) {
  const std::string& signature = object.signature;
  if (signature.starts_with(k_ssh_armor)) {
    if (!roots.allowed_signers)
      return refused(
          Result::unknown_key, "ssh",
          said(tr_noop("signed with an SSH key, and the pack names no allowed_signers")));
    return check_ssh(object, *roots.allowed_signers);
  }
  if (signature.starts_with(k_pgp_armor)) {
    if (!roots.gpg_keyring)
      return refused(
          Result::unknown_key, "gpg",
          said(tr_noop("signed with an OpenPGP key, and the pack names no gpg_keyring")));
    return check_gpg(object, *roots.gpg_keyring);
  }
  return refused(Result::bad_signature, "",
                 said(tr_noop("the signature is neither SSH nor OpenPGP (x509?)")));
}

SignatureCheck GitApprovals::check_ssh(const SignedObject& object, const TrustFile& signers) {
  const std::string& program = *m_tools.ssh_keygen;
  auto dir = PrivateDir::create();
  if (!dir) return refused(Result::bad_signature, "ssh", dir.error());
  auto signers_file = dir->write("allowed_signers", signers.text);
  auto signature_file = dir->write("signature", object.signature);
  if (!signers_file || !signature_file)
    return refused(Result::bad_signature, "ssh",
                   said(tr_noop("cannot write the files ssh-keygen reads")));
  const auto env = scrubbed_env(dir->path());
  // Which principals allowed_signers gives the signing key (read from the signature).
  auto principals =
      run_program({program, "-Y", "find-principals", "-s", *signature_file, "-f", *signers_file},
                  env, "", m_tools.timeout);
  if (!principals) return refused(Result::bad_signature, "ssh", principals.error());
  if (principals->timed_out)
    return refused(Result::bad_signature, "ssh",
                   say_in_both([&] { return timed_out("ssh-keygen", m_tools.timeout); }));
  if (principals->exit_status != 0) {
    // Not in allowed_signers; or not a signature at all.
    auto sound =
        run_program({program, "-Y", "check-novalidate", "-n", "git", "-s", *signature_file}, env,
                    object.payload, m_tools.timeout);
    if (sound && sound->timed_out)
      return refused(Result::bad_signature, "ssh",
                     say_in_both([&] { return timed_out("ssh-keygen", m_tools.timeout); }));
    if (sound && sound->exit_status == 0)
      return refused(Result::unknown_key, "ssh", say_in_both([&] {
                       return trf("signed by an SSH key that {} does not list", signers.name);
                     }));
    const LocalText why = sound ? LocalText{first_line(sound->err), {}} : said(sound.error());
    return refused(Result::bad_signature, "ssh", say_in_both([&] {
                     return trf("the SSH signature does not verify ({})", why.in_thread_language());
                   }));
  }
  SignatureCheck check;
  check.format = "ssh";
  for (const std::string& line : lines_of(principals->out)) {
    std::string_view rest = line;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      if (comma != 0) check.principals.emplace_back(rest.substr(0, comma));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (check.principals.empty())
    return refused(Result::unknown_key, "ssh", say_in_both([&] {
                     return trf("{} names no principal for the signing key", signers.name);
                   }));
  // The signature itself, over exactly these bytes, in git's namespace.
  auto verified = run_program({program, "-Y", "verify", "-f", *signers_file, "-I",
                               check.principals.front(), "-n", "git", "-s", *signature_file},
                              env, object.payload, m_tools.timeout);
  if (!verified) return refused(Result::bad_signature, "ssh", verified.error());
  if (verified->timed_out)
    return refused(Result::bad_signature, "ssh",
                   say_in_both([&] { return timed_out("ssh-keygen", m_tools.timeout); }));
  if (verified->exit_status != 0) {
    const std::string why = first_line(verified->err + verified->out);
    return refused(Result::bad_signature, "ssh",
                   say_in_both([&] { return trf("the SSH signature does not verify ({})", why); }));
  }
  // "Good "git" signature for X with ED25519 key SHA256:..."
  const std::string said = first_line(verified->out + "\n" + verified->err);
  if (const std::size_t at = said.find(" key "); at != std::string::npos)
    check.key = said.substr(at + 5);
  check.result = Result::valid;
  return check;
}

SignatureCheck GitApprovals::check_gpg(const SignedObject& object, const TrustFile& keyring) {
  const std::string& program = *m_tools.gpg;
  std::shared_ptr<PrivateDir>& home = m_gpg_homes[keyring.name];
  if (!home) {
    auto created = PrivateDir::create();
    if (!created) return refused(Result::bad_signature, "gpg", created.error());
    home = std::make_shared<PrivateDir>(std::move(*created));
    auto keys = home->write("keyring.asc", keyring.text);
    if (!keys) {
      m_gpg_homes.erase(keyring.name);
      return refused(Result::bad_signature, "gpg", keys.error());
    }
    auto imported =
        run_program({program, "--batch", "--no-tty", "--homedir", home->path(), "--import", *keys},
                    scrubbed_env(home->path()), "", m_tools.timeout);
    if (!imported || imported->timed_out || imported->exit_status != 0) {
      const bool late = imported && imported->timed_out;
      const LocalText output = !imported ? said(imported.error())
                               : late    ? LocalText{}
                                         : LocalText{first_line(imported->err), {}};
      m_gpg_homes.erase(keyring.name);  // the next signature tries again, from scratch
      return refused(Result::bad_signature, "gpg", say_in_both([&] {
                       return trf(
                           "{} does not import ({})", keyring.name,
                           late ? timed_out("gpg", m_tools.timeout) : output.in_thread_language());
                     }));
    }
  }
  auto scratch = PrivateDir::create();
  if (!scratch) return refused(Result::bad_signature, "gpg", scratch.error());
  auto signature_file = scratch->write("signature.asc", object.signature);
  auto payload_file = scratch->write("payload", object.payload);
  if (!signature_file || !payload_file)
    return refused(Result::bad_signature, "gpg", said(tr_noop("cannot write the files gpg reads")));
  const auto env = scrubbed_env(home->path());
  auto verified = run_program(
      {program, "--batch", "--no-tty", "--homedir", home->path(), "--no-auto-key-retrieve",
       "--trust-model", "always", "--status-fd", "1", "--verify", *signature_file, *payload_file},
      env, "", m_tools.timeout);
  if (!verified) return refused(Result::bad_signature, "gpg", verified.error());
  if (verified->timed_out)
    return refused(Result::bad_signature, "gpg",
                   say_in_both([&] { return timed_out("gpg", m_tools.timeout); }));
  std::string primary;
  bool good = false, missing_key = false, bad = false;
  std::string_view problem;  // a message marked with tr_noop
  for (const std::string& line : lines_of(verified->out)) {
    if (!line.starts_with("[GNUPG:] ")) continue;
    std::istringstream words(line.substr(9));
    std::vector<std::string> fields;
    for (std::string word; words >> word;) fields.push_back(word);
    if (fields.empty()) continue;
    const std::string& status = fields[0];
    if (status == "GOODSIG") good = true;
    if (status == "VALIDSIG" && fields.size() >= 11) primary = fields[10];
    if (status == "NO_PUBKEY") missing_key = true;
    if (status == "BADSIG") bad = true;
    if (status == "EXPKEYSIG" || status == "REVKEYSIG" || status == "EXPSIG") {
      bad = true;
      problem = status == "REVKEYSIG" ? tr_noop("the key was revoked")
                                      : tr_noop("the key or signature expired");
    }
  }
  if (missing_key)
    return refused(Result::unknown_key, "gpg", say_in_both([&] {
                     return trf("signed by an OpenPGP key that {} does not hold", keyring.name);
                   }));
  if (bad || !good || primary.empty() || verified->exit_status != 0) {
    const std::string output = first_line(verified->err);
    return refused(Result::bad_signature, "gpg", say_in_both([&] {
                     return trf("the OpenPGP signature does not verify ({})",
                                problem.empty() ? output : std::string(tr(problem)));
                   }));
  }
  SignatureCheck check;
  check.format = "gpg";
  check.key = primary;
  auto listed = run_program({program, "--batch", "--no-tty", "--homedir", home->path(),
                             "--with-colons", "--list-keys", primary},
                            env, "", m_tools.timeout);
  if (listed && listed->timed_out)
    return refused(Result::bad_signature, "gpg",
                   say_in_both([&] { return timed_out("gpg", m_tools.timeout); }));
  if (!listed || listed->exit_status != 0)
    return refused(Result::bad_signature, "gpg",
                   said(tr_noop("cannot list the signing key's user ids")));
  for (const std::string& line : lines_of(listed->out)) {
    if (!line.starts_with("uid:")) continue;
    std::vector<std::string> fields;
    std::string_view rest = line;
    while (true) {
      const std::size_t colon = rest.find(':');
      fields.emplace_back(rest.substr(0, colon));
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
    if (fields.size() < 10 || fields[1] == "r") continue;  // revoked user id
    const std::string& uid = fields[9];
    const std::size_t open = uid.rfind('<'), close = uid.rfind('>');
    check.principals.push_back(
        open != std::string::npos && close > open ? uid.substr(open + 1, close - open - 1) : uid);
  }
  check.result = Result::valid;
  return check;
}

namespace {

// Whether a valid check names an approver of `pack`.
std::optional<std::string> approver_of(const SignatureCheck& check, const Pack& pack) {
  for (const std::string& principal : check.principals) {
    if (pack.waiver_approvers.empty()) return principal;
    for (const std::string& approver : pack.waiver_approvers)
      // Both may be patterns: a principal that names the approver, or an approver pattern
      // that names the principal.
      if (principal_names(principal, approver) || principal_names(approver, principal))
        return principal;
  }
  return std::nullopt;
}

}  // namespace

Finding emergency_finding(const Repository& repo, const std::string& commit, const RuleSet& rules,
                          GitApprovals& approvals) {
  // One text per language, as a rule's.
  static const GateTitle k_titles[] = {
      gate_title(tr_noop("An emergency is proven by an approver's signature"), Lang::en),
      gate_title(tr_noop("An emergency is proven by an approver's signature"), Lang::fr)};
  static const SharedText k_helps[] = {
      "An approver signs the commit (git commit -S) or tags it with a signed tag (git tag -s) "
      "before --emergency is used; see integrations/README.md.",
      std::string(
          tr_in(Lang::fr,
                "An approver signs the commit (git commit -S) or tags it with a signed "
                "tag (git tag -s) before --emergency is used; see integrations/README.md."))};
  const std::size_t lang = language() == Lang::fr ? 1 : 0;
  std::vector<SignedObject> candidates;                 // the commit's signature, then the tags'
  std::vector<std::pair<bool, std::string>> signed_by;  // is a tag, short id
  git_oid id;
  git_oid_fromstr(&id, commit.c_str());
  if (auto signed_commit = commit_signature(repo.raw(), id); signed_commit && *signed_commit) {
    candidates.push_back(**signed_commit);
    signed_by.emplace_back(false, commit.substr(0, 12));
  }
  if (auto tags = repo.tags_pointing_at(commit))
    for (const std::string& tag : *tags) {
      git_oid tag_id;
      git_oid_fromstr(&tag_id, tag.c_str());
      if (auto object = tag_signature(repo.raw(), tag_id); object && *object) {
        candidates.push_back(**object);
        signed_by.emplace_back(true, tag.substr(0, 12));
      }
    }
  // "commit 1a2b3c4d5e6f", "tag 1a2b3c4d5e6f", in the thread's language.
  const auto name = [&signed_by](std::size_t i) {
    return signed_by[i].first ? trf("tag {}", signed_by[i].second)
                              : trf("commit {}", signed_by[i].second);
  };
  std::vector<LocalText> proofs;
  for (const Pack& pack : rules.packs) {
    if (!pack.emergency_proof_signed) continue;
    std::optional<LocalText> proven;
    ProofRefusal refusal = ProofRefusal::unsigned_commit;
    LocalText why = say_in_both([&] {
      return trf("neither commit {} nor an annotated tag pointing at it is signed",
                 commit.substr(0, 12));
    });
    for (std::size_t i = 0; i < candidates.size() && !proven; ++i) {
      const SignatureCheck check = approvals.check_signed(candidates[i], pack.trust);
      if (check.result == SignatureCheck::Result::valid) {
        if (auto approver = approver_of(check, pack)) {
          proven = say_in_both([&] {
            return trf("{} signed by {} ({} key {})", name(i), *approver, check.format, check.key);
          });
        } else {
          refusal = ProofRefusal::signer_not_approver;
          why = say_in_both([&] {
            return trf("{} is signed by {}, not a waiver approver of pack {}", name(i),
                       fmt::join(check.principals, ", "), pack.name);
          });
        }
      } else if (check.result == SignatureCheck::Result::unknown_key) {
        refusal = ProofRefusal::unknown_key;
        why = say_in_both([&] { return trf("{} is {}", name(i), detail_of(check)); });
      } else if (check.result == SignatureCheck::Result::bad_signature) {
        refusal = ProofRefusal::bad_signature;
        // One message per kind of object: French says "du commit", "du tag".
        why = say_in_both([&] {
          return signed_by[i].first ? trf("the signature of tag {} is not valid: {}",
                                          signed_by[i].second, detail_of(check))
                                    : trf("the signature of commit {} is not valid: {}",
                                          signed_by[i].second, detail_of(check));
        });
      }
    }
    if (!proven)
      return make_gate_finding(
          "GATE-EMERGENCY", k_titles[lang], Status::fail, Severity::error, say_in_both([&] {
            return trf(
                "{}: pack {} requires a signed emergency (emergency_proof = \"signed\"), "
                "and {}; the emergency waives nothing",
                refusal_code(refusal), pack.name, why.in_thread_language());
          }),
          SourcePos{}, k_helps[lang]);
    proofs.push_back(std::move(*proven));
  }
  return make_gate_finding(
      "GATE-EMERGENCY", k_titles[lang], Status::pass, Severity::error, say_in_both([&] {
        std::vector<std::string> said;
        for (const LocalText& proof : proofs) said.push_back(proof.in_thread_language());
        return trf("the emergency is proven: {}", fmt::join(said, clause_separator()));
      }),
      SourcePos{}, k_helps[lang]);
}

}  // namespace opsgate
