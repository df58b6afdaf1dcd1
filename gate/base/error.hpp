#pragma once
// The one error type of the library. Rule violations are findings, never errors: an Error
// means opsgate could not evaluate (exit 2) or an edge such as the network failed.

#include <cstdint>
#include <expected>
#include <optional>
#include <string>

namespace opsgate {

// A position in a file, 1-based. line == 0 means "the file as a whole".
struct SourcePos {
  std::string path;
  std::uint32_t line = 0;
  std::uint32_t column = 0;

  std::string to_string() const;  // "path:line:column", "path:line" or "path"
};

// A problem in a document that is reported as a finding, not an error (GATE-SCHEMA).
struct SchemaProblem {
  std::string message;  // in the process's language
  SourcePos where;
  bool warning = false;  // a likely mistake, not a broken rule of the schema
  // The message in English when `message` is translated (GATE-SCHEMA's fingerprint reads it);
  // empty otherwise.
  std::string english = {};
};

enum class ErrorKind {
  usage,      // bad command line
  not_found,  // repository, revision, rule pack or file not found
  invalid,    // malformed input: TOML syntax, rule file, unsupported schema
  io,         // reading or writing failed
  network,    // an HTTP exchange failed
  internal,   // a library call failed unexpectedly
  // The gate's own environment failed: the repository cannot be opened at all, memory ran out.
  // With network, the only errors a push cannot cause (hooks' --on-error allow lets only these
  // through).
  unavailable,
};

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;
  std::optional<SourcePos> where;
  // The message in English when `message` is translated and a finding may quote it (a verifier
  // that cannot start fails an emergency proof: GATE-EMERGENCY's fingerprint reads the
  // English); empty otherwise.
  std::string english = {};

  // "path:line:column: message" when a position is known, else the message.
  std::string to_string() const;
};

template <class T>
using Expected = std::expected<T, Error>;

inline std::unexpected<Error> fail(ErrorKind kind, std::string message,
                                   std::optional<SourcePos> where = std::nullopt) {
  return std::unexpected(Error{kind, std::move(message), std::move(where)});
}

}  // namespace opsgate
