#pragma once
// One condition ({ key = ..., <operator> = ..., ... }) checked against one manifest.

#include <string>

#include <vector>

#include "eval_context.hpp"
#include "manifest.hpp"

namespace opsgate {

struct ConditionOutcome {
  bool holds = false;
  std::string message;  // what was found, and what is required when it does not hold
  SourcePos where;      // the value's position, or its nearest declared table
  // Failed on `window_open = true` alone (every other operator of the condition held): the one
  // failure --emergency waives.
  bool only_window_open = false;
  // The files changed_within_days read, with the commit that last changed each (as known).
  std::vector<Evidence> evidence;
};

ConditionOutcome check_condition(const Condition& condition, const Manifest& manifest,
                                 const EvalContext& context, HeadingCache& headings);

}  // namespace opsgate
