// Signed waivers and emergencies (issue 19) on real repositories, with real SSH and OpenPGP
// keys made in temporary directories and commits signed by git itself.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "check.hpp"
#include "render.hpp"
#include "report.hpp"
#include "test_repo.hpp"

namespace approvals_test {

namespace fs = std::filesystem;
using namespace opsgate;
using opsgate::test::TempDir;
using opsgate::test::TempRepo;

namespace {

std::string sh(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe);
  char buffer[4096];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  REQUIRE(pclose(pipe) == 0);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

constexpr const char* k_rules = R"(
[pack]
name = "signed"
waiver_proof = "signed"
allowed_signers = "allowed_signers"
gpg_keyring = "approvers.asc"
waiver_approvers = ["*@ops.example.org"]

[[rule]]
id = "BKP-002"
area = "backup"
title = "Backups are kept a week"
severity = "error"
level = 1
check = [ { key = "backup.retention_days", min = 7 } ]
)";

std::string manifest(const std::string& approver = "lead@ops.example.org",
                     const std::string& expires = "2026-12-15") {
  return "schema = 1\n[service]\nname = \"billing\"\nowner = \"team\"\n[backup]\n"
         "retention_days = 3\n\n[[waiver]]\nrule = \"BKP-002\"\nreason = \"restore test booked\"\n"
         "expires = " +
         expires + "\napproved_by = \"" + approver + "\"\n";
}

// Keys: the lead's (listed for lead@), another approver's (listed for other@), a stranger's
// (not listed); a GPG approver (in the keyring) and a GPG stranger (not in it).
struct Keys {
  TempDir dir;
  std::string lead, other, stranger, signers;
  Keys() {
    for (const char* name : {"lead", "other", "stranger"})
      sh("ssh-keygen -q -t ed25519 -N '' -C " + std::string(name) + " -f '" +
         (dir.path() / name).string() + "'");
    lead = (dir.path() / "lead").string();
    other = (dir.path() / "other").string();
    stranger = (dir.path() / "stranger").string();
    signers = "lead@ops.example.org " + read_file(lead + ".pub") + "other@ops.example.org " +
              read_file(other + ".pub");
  }
  static std::string ssh(const std::string& key) {
    return "-c gpg.format=ssh -c user.signingkey='" + key + "'";
  }
};

const Finding& bkp(const Report& report) {
  for (const Finding& finding : report.manifests.at(0).findings)
    if (finding.rule == "BKP-002") return finding;
  FAIL("no BKP-002 finding");
  throw std::logic_error("unreachable");
}

Keys& keys() {
  static Keys shared;
  return shared;
}

struct Fixture {
  TempDir rules_dir;
  TempRepo repo;
  Executor executor{1};

  explicit Fixture(const std::string& keyring = "") {
    std::ofstream(rules_dir.path() / "signed.toml") << k_rules;
    std::ofstream(rules_dir.path() / "allowed_signers") << keys().signers;
    std::ofstream(rules_dir.path() / "approvers.asc") << keyring;
    repo.write("operability.toml",
               "schema = 1\n[service]\nname = \"billing\"\nowner = \"team\"\n[backup]\n"
               "retention_days = 35\n");
    repo.commit_as("start", "2026-11-01T10:00:00+01:00", "Dev", "dev@example.org");
  }

  CheckRequest request() const {
    CheckRequest request;
    request.repository = repo.path().string();
    request.rules = {rules_dir.path().string()};
    request.at = *parse_rfc3339("2026-11-26T10:00:00+01:00");
    return request;
  }

  // Signed by the lead's SSH key, as the lead.
  std::string lead_signs(const std::string& message, const std::string& date) {
    return repo.commit_as(message, date, "Lead", "lead@ops.example.org", Keys::ssh(keys().lead),
                          "-S");
  }

  const WaiverOutcome& waiver(const CheckTarget& target = CheckTarget{"HEAD"}) {
    auto report = check(request(), target, executor);
    REQUIRE(report.has_value());
    m_report = std::move(*report);
    const Finding& finding = bkp(*m_report);
    REQUIRE(finding.waiver);
    CHECK((finding.status == Status::waived) == finding.waiver->accepted);
    return *finding.waiver;
  }

  std::optional<Report> m_report;
};

}  // namespace

TEST_CASE("approvals: a waiver signed by an approver counts", "[approvals]") {
  Fixture f;
  f.repo.write("operability.toml", manifest());
  const std::string signed_commit = f.lead_signs("waiver", "2026-11-20T10:00:00+01:00");
  const WaiverOutcome& waiver = f.waiver();
  CHECK(waiver.accepted);
  CHECK(waiver.code.empty());
  CHECK_THAT(waiver.proof, Catch::Contains(signed_commit.substr(0, 12) +
                                           " signed by lead@ops.example.org (ssh key") &&
                               Catch::Contains("separation of duties not checked (no --base)"));
  CHECK(f.m_report->outcome == Outcome::pass);
  CHECK_THAT(render_json(*f.m_report), Catch::Contains(R"("proof": ")"));

  SECTION("with --base, separation of duties is checked and holds") {
    f.repo.git("tag base HEAD~1");
    const WaiverOutcome& based = f.waiver(CheckTarget{"HEAD", "base"});
    CHECK(based.accepted);
    CHECK_THAT(based.proof, Catch::Contains("the signer authored no other commit of the change"));
  }
  SECTION("self-approval: the signer also authored the change it waives") {
    f.repo.git("tag base HEAD~1");
    f.repo.write("README.md", "more\n");
    f.repo.commit_as("more", "2026-11-21T10:00:00+01:00", "Lead", "lead@ops.example.org");
    const WaiverOutcome& self = f.waiver(CheckTarget{"HEAD", "base"});
    CHECK_FALSE(self.accepted);
    CHECK(self.code == "self-approval");
    CHECK_THAT(self.refusal, Catch::StartsWith("self-approval: lead@ops.example.org approved"));
    CHECK(f.m_report->outcome == Outcome::fail);
  }
  SECTION("a waiver edited after signing by an unsigned commit is refused") {
    f.repo.write("operability.toml", manifest("lead@ops.example.org", "2026-12-20"));
    const std::string edit =
        f.repo.commit_as("extend", "2026-11-22T10:00:00+01:00", "Dev", "dev@example.org");
    const WaiverOutcome& edited = f.waiver();
    CHECK_FALSE(edited.accepted);
    CHECK(edited.code == "unsigned");
    CHECK_THAT(edited.refusal, Catch::Contains(edit.substr(0, 12) + " (by Dev)"));
  }
  SECTION("a backdated unsigned edit is refused too (every line's commit counts)") {
    f.repo.write("operability.toml", manifest("lead@ops.example.org", "2026-12-20"));
    f.repo.commit_as("extend", "2020-01-01T10:00:00+01:00", "Dev", "dev@example.org");
    CHECK(f.waiver().code == "unsigned");
  }
  SECTION("a manifest moved by an unsigned commit keeps its signed waiver (blame follows it)") {
    fs::create_directories(f.repo.path() / "services" / "billing");
    f.repo.git("mv operability.toml services/billing/operability.toml");
    f.repo.write("services/billing/operability.toml", "# moved with the service\n" + manifest());
    f.repo.commit_as("move", "2026-11-22T10:00:00+01:00", "Dev", "dev@example.org");
    const WaiverOutcome& renamed = f.waiver();
    CHECK(renamed.accepted);
    CHECK_THAT(renamed.proof, Catch::Contains(signed_commit.substr(0, 12) + " signed by lead@"));
  }
  SECTION("a shallow clone cannot attribute the lines: refused, never accepted") {
    f.repo.write("README.md", "later\n");
    f.repo.commit_as("later", "2026-11-23T10:00:00+01:00", "Dev", "dev@example.org");
    TempDir clone_dir;
    const std::string clone = (clone_dir.path() / "c").string();
    sh("git clone -q --depth 1 file://" + f.repo.path().string() + " '" + clone + "' 2>/dev/null");
    CheckRequest request = f.request();
    request.repository = clone;
    auto report = check(request, CheckTarget{"HEAD"}, f.executor);
    REQUIRE(report);
    const Finding& finding = bkp(*report);
    REQUIRE(finding.waiver);
    CHECK(finding.status == Status::fail);
    CHECK(finding.waiver->code == "unattributed");
  }
  SECTION("the work tree is not signed: refused") {
    auto report = check(f.request(), CheckTarget{"HEAD", "", true}, f.executor);
    REQUIRE(report);
    const Finding& finding = bkp(*report);
    REQUIRE(finding.waiver);
    CHECK(finding.waiver->code == "unattributed");
  }
}

TEST_CASE("approvals: unsigned, strangers and other names are refused", "[approvals]") {
  Fixture f;
  SECTION("unsigned") {
    f.repo.write("operability.toml", manifest());
    f.repo.commit_as("waiver", "2026-11-20T10:00:00+01:00", "Lead", "lead@ops.example.org");
    const WaiverOutcome& waiver = f.waiver();
    CHECK_FALSE(waiver.accepted);
    CHECK(waiver.code == "unsigned");
    CHECK_THAT(waiver.refusal, Catch::StartsWith("unsigned: the waiver was last changed in"));
  }
  SECTION("signed by a key allowed_signers does not list") {
    f.repo.write("operability.toml", manifest());
    f.repo.commit_as("waiver", "2026-11-20T10:00:00+01:00", "Lead", "lead@ops.example.org",
                     Keys::ssh(keys().stranger), "-S");
    const WaiverOutcome& waiver = f.waiver();
    CHECK_FALSE(waiver.accepted);
    CHECK(waiver.code == "unknown-key");
  }
  SECTION("signed by an approver named differently from approved_by") {
    f.repo.write("operability.toml", manifest());
    f.repo.commit_as("waiver", "2026-11-20T10:00:00+01:00", "Other", "other@ops.example.org",
                     Keys::ssh(keys().other), "-S");
    const WaiverOutcome& waiver = f.waiver();
    CHECK_FALSE(waiver.accepted);
    CHECK(waiver.code == "signer-not-approver");
    CHECK_THAT(waiver.refusal, Catch::Contains("signed by other@ops.example.org"));
  }
  SECTION("a signature over another payload (copied onto a forged commit)") {
    f.repo.write("operability.toml", manifest());
    const std::string good = f.lead_signs("waiver", "2026-11-20T10:00:00+01:00");
    // The same signature header on a commit whose message differs: git hash-object writes it.
    std::string raw = f.repo.git("cat-file commit " + good);
    const std::size_t message = raw.rfind("\n\nwaiver");
    REQUIRE(message != std::string::npos);
    raw = raw.substr(0, message) + "\n\nwaiver, forged\n";
    std::ofstream(f.repo.path() / "forged") << raw;
    const std::string forged = f.repo.git("hash-object -t commit -w forged");
    f.repo.git("update-ref refs/heads/main " + forged);
    const WaiverOutcome& waiver = f.waiver();
    CHECK_FALSE(waiver.accepted);
    CHECK(waiver.code == "bad-signature");
  }
}

TEST_CASE("approvals: trust roots come from the rules' source, not from the change",
          "[approvals]") {
  Fixture f;
  // The rules live in the repository; main's allowed_signers lists the lead only.
  f.repo.write(".opsgate/rules/signed.toml", k_rules);
  f.repo.write(".opsgate/rules/allowed_signers", keys().signers);
  f.repo.write(".opsgate/rules/approvers.asc", "");
  f.repo.commit_as("rules", "2026-11-02T10:00:00+01:00", "Ops", "ops@example.org");
  f.repo.git("branch trusted");
  // The change lists the stranger's key for the lead's name, and signs its waiver with it.
  f.repo.write(".opsgate/rules/allowed_signers",
               keys().signers + "lead@ops.example.org " + read_file(keys().stranger + ".pub"));
  f.repo.write("operability.toml", manifest());
  f.repo.commit_as("waiver", "2026-11-20T10:00:00+01:00", "Dev", "dev@example.org",
                   Keys::ssh(keys().stranger), "-S");
  CheckRequest request = f.request();
  request.rules = {"trusted:.opsgate/rules"};
  auto report = check(request, CheckTarget{"HEAD", "trusted"}, f.executor);
  REQUIRE(report);
  const Finding& finding = bkp(*report);
  REQUIRE(finding.waiver);
  CHECK(finding.status == Status::fail);
  CHECK(finding.waiver->code == "unknown-key");
  CHECK_THAT(finding.waiver->refusal, Catch::Contains("trusted:.opsgate/rules/allowed_signers"));
  // The change's edit of the trust roots is a rule change, read from the base side.
  REQUIRE(report->findings.size() == 1);
  CHECK(report->findings[0].rule == "GATE-RULES-CHANGED");
  CHECK(report->findings[0].severity == Severity::warning);

  SECTION("read from the change itself, the same rules accept it: hence GATE-RULES-CHANGED") {
    request.rules = {"HEAD:.opsgate/rules"};
    auto own = check(request, CheckTarget{"HEAD", "trusted"}, f.executor);
    REQUIRE(own);
    CHECK(own->findings.at(0).rule == "GATE-RULES-CHANGED");
    CHECK(own->findings.at(0).severity == Severity::error);
    CHECK(own->outcome == Outcome::fail);
  }
}

TEST_CASE("approvals: OpenPGP signatures against the pack's keyring", "[approvals]") {
  TempDir gnupg;
  const std::string home = "GNUPGHOME='" + gnupg.path().string() + "' ";
  sh(home +
     "gpg --batch --quiet --passphrase '' --quick-gen-key 'Lead <lead@ops.example.org>' "
     "ed25519 sign never 2>/dev/null");
  sh(home +
     "gpg --batch --quiet --passphrase '' --quick-gen-key 'Eve <eve@example.org>' ed25519 "
     "sign never 2>/dev/null");
  const std::string keyring =
      sh(home + "gpg --batch --armor --export lead@ops.example.org 2>/dev/null");
  Fixture f(keyring);
  const std::string gpg_sign = "-c gpg.program=gpg -c user.signingkey=";
  auto sign_as = [&](const std::string& uid) {
    return sh("cd '" + f.repo.path().string() + "' && git add -A && " + home +
              "GIT_AUTHOR_DATE=2026-11-20T10:00:00 GIT_COMMITTER_DATE=2026-11-20T10:00:00 git -c "
              "user.name=X -c user.email=" +
              uid + " " + gpg_sign + uid + " commit -q -S -m waiver && git rev-parse HEAD");
  };
  f.repo.write("operability.toml", manifest());
  SECTION("signed by a key of the keyring whose user id is approved_by") {
    sign_as("lead@ops.example.org");
    const WaiverOutcome& waiver = f.waiver();
    CHECK(waiver.accepted);
    CHECK_THAT(waiver.proof, Catch::Contains("(gpg key"));
  }
  SECTION("signed by a key the keyring does not hold") {
    sign_as("eve@example.org");
    const WaiverOutcome& waiver = f.waiver();
    CHECK_FALSE(waiver.accepted);
    CHECK(waiver.code == "unknown-key");
  }
}

TEST_CASE("approvals: emergencies under emergency_proof = \"signed\"", "[approvals]") {
  TempDir rules_dir;
  std::ofstream(rules_dir.path() / "r.toml") << R"(
[pack]
name = "windows"
emergency_proof = "signed"
allowed_signers = "allowed_signers"
waiver_approvers = ["lead@ops.example.org"]

[[rule]]
id = "REL-001"
area = "release_window"
title = "Deploy inside a window"
severity = "error"
level = 1
check = [ { key = "release_window", window_open = true } ]
)";
  std::ofstream(rules_dir.path() / "allowed_signers") << keys().signers;
  TempRepo repo;
  repo.write("operability.toml",
             "schema = 1\n[service]\nname = \"billing\"\nowner = \"team\"\n[release_window]\n"
             "timezone = \"UTC\"\n[[release_window.allow]]\ndays = [\"mon\"]\nstart = \"20:00\"\n"
             "end = \"21:00\"\n");
  Executor executor(1);
  CheckRequest request;
  request.repository = repo.path().string();
  request.rules = {rules_dir.path().string()};
  request.at = *parse_rfc3339("2026-11-26T10:00:00+01:00");  // a Thursday: closed
  request.emergency = "outage";
  auto status = [&](const Report& report) { return report.manifests.at(0).findings.at(1).status; };
  SECTION("an unsigned revision: the emergency waives nothing") {
    repo.commit_as("fix", "2026-11-26T09:00:00+01:00", "Dev", "dev@example.org");
    auto report = check(request, CheckTarget{"HEAD"}, executor);
    REQUIRE(report);
    REQUIRE(report->findings.size() == 1);
    CHECK(report->findings[0].rule == "GATE-EMERGENCY");
    CHECK(report->findings[0].status == Status::fail);
    CHECK_THAT(report->findings[0].message, Catch::StartsWith("unsigned: "));
    CHECK(status(*report) == Status::fail);
  }
  SECTION("a revision signed by an approver: proven") {
    repo.commit_as("fix", "2026-11-26T09:00:00+01:00", "Lead", "lead@ops.example.org",
                   Keys::ssh(keys().lead), "-S");
    auto report = check(request, CheckTarget{"HEAD"}, executor);
    REQUIRE(report);
    CHECK(report->findings.at(0).status == Status::pass);
    CHECK(status(*report) == Status::waived);
    CHECK(report->outcome == Outcome::pass);
  }
  SECTION("a signed tag by an approver on the revision: proven; on another commit: not") {
    const std::string fix = repo.commit_as("fix", "2026-11-26T09:00:00+01:00", "Dev", "d@x");
    repo.git("-c gpg.format=ssh -c user.signingkey='" + keys().lead +
             "' -c user.name=Lead -c user.email=lead@ops.example.org tag -s -m ok approved");
    auto report = check(request, CheckTarget{"HEAD"}, executor);
    REQUIRE(report);
    CHECK(report->findings.at(0).status == Status::pass);
    CHECK_THAT(report->findings.at(0).message, Catch::Contains("tag "));
    repo.write("x", "y");
    repo.commit_as("after", "2026-11-26T09:30:00+01:00", "Dev", "d@x");
    auto later = check(request, CheckTarget{"HEAD"}, executor);
    REQUIRE(later);
    CHECK(later->findings.at(0).status == Status::fail);
  }
  SECTION("signed by a listed key that is not an approver") {
    repo.commit_as("fix", "2026-11-26T09:00:00+01:00", "Other", "other@ops.example.org",
                   Keys::ssh(keys().other), "-S");
    auto report = check(request, CheckTarget{"HEAD"}, executor);
    REQUIRE(report);
    CHECK_THAT(report->findings.at(0).message, Catch::StartsWith("signer-not-approver: "));
  }
}

TEST_CASE("approvals: a verifier the policy needs and the machine lacks is exit 2", "[approvals]") {
  Fixture f;
  const std::string saved = std::getenv("PATH") ? std::getenv("PATH") : "";
  TempDir empty;
  setenv("PATH", empty.path().c_str(), 1);
  auto report = check(f.request(), CheckTarget{"HEAD"}, f.executor);
  setenv("PATH", saved.c_str(), 1);
  REQUIRE_FALSE(report);
  CHECK_THAT(report.error().message, Catch::Contains("ssh-keygen is not installed"));
}

TEST_CASE("approvals: a verifier that does not answer refuses the waiver at its bound",
          "[approvals]") {
  Fixture f;
  f.repo.write("operability.toml", manifest());
  f.lead_signs("waiver", "2026-11-20T10:00:00+01:00");
  // An ssh-keygen that hangs, first in PATH (the programs are looked up once per run).
  TempDir bin;
  const fs::path fake = bin.path() / "ssh-keygen";
  std::ofstream(fake) << "#!/bin/sh\nexec >/dev/null 2>&1\nsleep 60\n";
  fs::permissions(fake, fs::perms::owner_all);
  const std::string saved = std::getenv("PATH") ? std::getenv("PATH") : "";
  setenv("PATH", (bin.path().string() + ":" + saved).c_str(), 1);
  CheckRequest request = f.request();
  request.verifier_timeout = std::chrono::milliseconds(500);
  auto report = check(request, CheckTarget{"HEAD"}, f.executor);
  setenv("PATH", saved.c_str(), 1);
  REQUIRE(report);
  const Finding& finding = bkp(*report);
  REQUIRE(finding.waiver);
  CHECK_FALSE(finding.waiver->accepted);
  CHECK(finding.waiver->code == "bad-signature");
  CHECK_THAT(finding.waiver->refusal, Catch::Contains("ssh-keygen did not answer within 0.5 s"));
  CHECK(finding.status == Status::fail);
  CHECK(report->outcome == Outcome::fail);
}

TEST_CASE(
    "approvals: an emergency proof whose verifier cannot start has one fingerprint in every "
    "language",
    "[approvals][i18n]") {
  TempDir rules_dir;
  std::ofstream(rules_dir.path() / "r.toml") << R"(
[pack]
name = "windows"
emergency_proof = "signed"
allowed_signers = "allowed_signers"

[[rule]]
id = "SVC-001"
area = "service"
title = "The service has an owner"
severity = "error"
level = 1
check = [ { key = "service.owner", present = true } ]
)";
  std::ofstream(rules_dir.path() / "allowed_signers") << keys().signers;
  TempRepo repo;
  repo.write("operability.toml", "schema = 1\n[service]\nname = \"billing\"\nowner = \"team\"\n");
  const std::string signed_commit =
      repo.commit_as("fix", "2026-11-26T09:00:00+01:00", "Lead", "lead@ops.example.org",
                     Keys::ssh(keys().lead), "-S");
  repo.write("x", "y");
  repo.commit_as("tagged", "2026-11-26T09:30:00+01:00", "Dev", "d@x");
  repo.git("-c gpg.format=ssh -c user.signingkey='" + keys().lead +
           "' -c user.name=Lead -c user.email=lead@ops.example.org tag -s -m ok approved");
  // An ssh-keygen first in PATH that exec cannot start (its interpreter does not exist): "cannot
  // run ...", an error opsgate words itself.
  TempDir bin;
  const fs::path fake = bin.path() / "ssh-keygen";
  std::ofstream(fake) << "#!/nonexistent/interpreter\n";
  fs::permissions(fake, fs::perms::owner_all);
  const std::string saved = std::getenv("PATH") ? std::getenv("PATH") : "";
  setenv("PATH", (bin.path().string() + ":" + saved).c_str(), 1);
  Executor executor(1);
  CheckRequest request;
  request.repository = repo.path().string();
  request.rules = {rules_dir.path().string()};
  request.at = *parse_rfc3339("2026-11-26T10:00:00+01:00");
  request.emergency = "outage";
  const auto emergency = [&](Lang lang, const std::string& revision) {
    set_language(lang);
    auto report = check(request, CheckTarget{revision}, executor);
    set_language(Lang::en);
    REQUIRE(report);
    REQUIRE(report->findings.size() == 1);
    return report->findings[0];
  };
  const Finding english = emergency(Lang::en, signed_commit);
  const Finding french = emergency(Lang::fr, signed_commit);
  const Finding english_tag = emergency(Lang::en, "HEAD");
  const Finding french_tag = emergency(Lang::fr, "HEAD");
  setenv("PATH", saved.c_str(), 1);
  CHECK(english.rule == "GATE-EMERGENCY");
  CHECK(english.status == Status::fail);
  CHECK_THAT(english.message,
             Catch::StartsWith("bad-signature: ") &&
                 Catch::Contains("the signature of commit " + signed_commit.substr(0, 12) +
                                 " is not valid: " + "cannot run " + fake.string()));
  CHECK_THAT(french.message,
             Catch::Contains("la signature du commit " + signed_commit.substr(0, 12) +
                             " n'est pas valide : impossible de lancer " + fake.string()));
  CHECK(french.english_message == english.message);
  CHECK(finding_fingerprint("", french) == finding_fingerprint("", english));
  // A signed tag on the revision: "du tag", and the same fingerprint too.
  CHECK_THAT(english_tag.message, Catch::Contains("the signature of tag "));
  CHECK_THAT(french_tag.message, Catch::Contains("la signature du tag "));
  CHECK(french_tag.english_message == english_tag.message);
  CHECK(finding_fingerprint("", french_tag) == finding_fingerprint("", english_tag));
}

}  // namespace approvals_test
