#pragma once
// One condition ({ key = ..., <operator> = ..., ... }) checked against one manifest.

#include <string>

#include "eval_context.hpp"
#include "manifest.hpp"

namespace opsgate {

struct ConditionOutcome {
  bool holds = false;
  std::string message;  // what was found, and what is required when it does not hold
  SourcePos where;      // the value's position, or its nearest declared table
};

ConditionOutcome check_condition(const Condition& condition, const Manifest& manifest,
                                 const EvalContext& context, HeadingCache& headings);

}  // namespace opsgate
