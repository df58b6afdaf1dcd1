#include "completion.hpp"

#include <fmt/format.h>

#include <functional>

namespace opsgate::cli {

namespace {

constexpr std::string_view k_generated =
    "Written by opsgate's build from its command line definitions (gate/cli/completion.cpp): do "
    "not edit.";

void for_each_command(const CommandSpec& command,
                      const std::function<void(const CommandSpec&)>& visit) {
  visit(command);
  for (const CommandSpec& sub : command.subcommands) for_each_command(sub, visit);
}

std::string path_key(const CommandSpec& command) {
  return fmt::format("{}", fmt::join(command.path, " "));
}

std::vector<std::string> option_words(const OptionSpec& option) {
  std::vector<std::string> words;
  for (const std::string& name : option.short_names) words.push_back("-" + name);
  for (const std::string& name : option.long_names) words.push_back("--" + name);
  return words;
}

// 'text' for sh, bash and zsh.
std::string single_quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// --- bash ------------------------------------------------------------------------------------

// The case pattern `"PATH|WORD"` for every word of `words`.
std::string bash_patterns(const std::string& key, const std::vector<std::string>& words) {
  std::vector<std::string> patterns;
  for (const std::string& word : words) patterns.push_back(fmt::format("\"{}|{}\"", key, word));
  return fmt::format("{}", fmt::join(patterns, " | "));
}

std::string bash_value_reply(ValueKind kind, const std::vector<std::string>& choices) {
  switch (kind) {
    case ValueKind::choice:
      return fmt::format("_opsgate_words {}",
                         single_quoted(fmt::format("{}", fmt::join(choices, " "))));
    case ValueKind::pack:
      return "_opsgate_words \"$(_opsgate_packs \"$command\")\"; _opsgate_files";
    case ValueKind::rule_id:
      return "_opsgate_words \"$(_opsgate_rule_ids \"$command\")\"";
    case ValueKind::directory:
      return "_opsgate_directories";
    case ValueKind::text:
      return ":";
    case ValueKind::path:
      break;
  }
  return "_opsgate_files";
}

// --- zsh -------------------------------------------------------------------------------------

// _opsgate_cmd, _opsgate_cmd_rules_list, _opsgate_cmd_hook_pre_push
std::string zsh_function(const CommandSpec& command) {
  std::string name = "_opsgate_cmd";
  for (const std::string& part : command.path) {
    name += "_";
    for (char c : part) name += (c == '-' ? '_' : c);
  }
  return name;
}

// Text inside an _arguments [explanation] or a message: brackets and colons escaped.
std::string zsh_escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '[' || c == ']' || c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string zsh_action(ValueKind kind, const std::vector<std::string>& choices) {
  switch (kind) {
    case ValueKind::choice:
      return fmt::format("({})", fmt::join(choices, " "));
    case ValueKind::pack:
      return "_opsgate_packs";
    case ValueKind::rule_id:
      return "_opsgate_rule_ids";
    case ValueKind::directory:
      return "_files -/";
    case ValueKind::text:
      return " ";
    case ValueKind::path:
      break;
  }
  return "_files";
}

// One _arguments spec per option: '(-q --quiet)'{-q,--quiet}'[Only the verdict line]'.
std::vector<std::string> zsh_option_specs(const OptionSpec& option) {
  const std::vector<std::string> words = option_words(option);
  std::string value;
  if (option.value_optional)
    value = fmt::format("::{}:{}", zsh_escaped(option.value_name),
                        zsh_action(option.kind, option.choices));
  else if (option.takes_value())
    value = fmt::format(":{}:{}", zsh_escaped(option.value_name),
                        zsh_action(option.kind, option.choices));
  const std::string explanation = "[" + zsh_escaped(option.description) + "]";
  std::vector<std::string> specs;
  for (const std::string& word : words) {
    std::string prefix;  // what the option excludes once given
    if (word == "-h" || word == "--help")
      prefix = "(- *)";
    else if (option.repeatable)
      prefix = "*";
    else if (words.size() > 1)
      prefix = fmt::format("({})", fmt::join(words, " "));
    std::string form = word;
    if (option.value_optional)
      form += word.starts_with("--") ? "=-" : "-";
    else if (option.takes_value())
      form += word.starts_with("--") ? "=" : "+";
    specs.push_back(single_quoted(prefix + form + explanation + value));
  }
  return specs;
}

void zsh_command(std::string& out, const CommandSpec& command) {
  std::vector<std::string> specs;
  for (const OptionSpec& option : command.options)
    for (std::string& spec : zsh_option_specs(option)) specs.push_back(std::move(spec));
  if (!command.subcommands.empty()) {
    specs.push_back("': :->command'");
    specs.push_back("'*:: :->argument'");
  } else {
    int index = 1;
    for (const PositionalSpec& positional : command.positionals) {
      const std::string position = positional.repeatable ? "*" : std::to_string(index++);
      specs.push_back(single_quoted(fmt::format("{}:{}:{}", position, zsh_escaped(positional.name),
                                                zsh_action(positional.kind, {}))));
    }
  }
  out += fmt::format("{}() {{\n", zsh_function(command));
  out += "  local curcontext=$curcontext state state_descr line ret=1\n";
  out += "  typeset -A opt_args\n";
  out += fmt::format("  _arguments -C -s -S \\\n    {} && ret=0\n", fmt::join(specs, " \\\n    "));
  if (!command.subcommands.empty()) {
    std::vector<std::string> described;
    for (const CommandSpec& sub : command.subcommands)
      described.push_back(single_quoted(sub.name + ":" + sub.description));
    out += "  case $state in\n";
    out += "    command)\n";
    out += fmt::format("      local -a commands=(\n        {}\n      )\n",
                       fmt::join(described, "\n        "));
    out += fmt::format("      _describe -t commands {} commands && ret=0\n      ;;\n",
                       single_quoted(command.full_name() + " command"));
    out += "    argument)\n";
    out += fmt::format(
        "      curcontext=${{curcontext%:*:*}}:{}-$words[1]:\n",
        fmt::join(command.path.empty() ? std::vector<std::string>{"opsgate"} : command.path, "-"));
    out += "      case $words[1] in\n";
    for (const CommandSpec& sub : command.subcommands)
      out += fmt::format("        {}) {} && ret=0 ;;\n", sub.name, zsh_function(sub));
    out += "      esac\n      ;;\n  esac\n";
  }
  out += "  return ret\n}\n\n";
  for (const CommandSpec& sub : command.subcommands) zsh_command(out, sub);
}

// --- fish ------------------------------------------------------------------------------------

// 'text' for fish: \ and ' escaped.
std::string fish_quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string fish_arguments(ValueKind kind, const std::vector<std::string>& choices) {
  switch (kind) {
    case ValueKind::choice:
      return fmt::format(" -x -a {}", fish_quoted(fmt::format("{}", fmt::join(choices, " "))));
    case ValueKind::pack:
      return " -r -a '(__opsgate_packs)'";
    case ValueKind::rule_id:
      return " -x -a '(__opsgate_rule_ids)'";
    case ValueKind::directory:
      return " -x -a '(__fish_complete_directories)'";
    case ValueKind::text:
      return " -x";
    case ValueKind::path:
      break;
  }
  return " -r -F";
}

}  // namespace

std::string bash_completion(const CommandSpec& cli) {
  std::string steps;    // the walk over the words before the cursor
  std::string values;   // the value of the option before the cursor
  std::string options;  // -... at the cursor
  std::string others;   // anything else at the cursor: a subcommand or a positional
  for_each_command(cli, [&](const CommandSpec& command) {
    const std::string key = path_key(command);
    std::vector<std::string> subcommands, option_list, value_options, optional_options;
    for (const CommandSpec& sub : command.subcommands) subcommands.push_back(sub.name);
    for (const OptionSpec& option : command.options) {
      for (const std::string& word : option_words(option)) {
        option_list.push_back(word);
        if (option.takes_value()) value_options.push_back(word);
      }
      if (option.takes_value() || option.value_optional) {
        // "--opt VALUE" and "--opt=VALUE"; a flag's optional value only ever follows `=`.
        std::vector<std::string> words;
        for (const std::string& word : option_words(option)) {
          if (!option.value_optional) words.push_back(word);
          words.push_back(word + "=");
        }
        values += fmt::format("    {}) {} ;;\n", bash_patterns(key, words),
                              bash_value_reply(option.kind, option.choices));
      }
    }
    if (!subcommands.empty())
      steps += fmt::format("      {}) path=\"${{path:+$path }}$word\" ;;\n",
                           bash_patterns(key, subcommands));
    if (!value_options.empty())
      steps += fmt::format("      {}) [[ ${{COMP_WORDS[i + 1]:-}} == = ]] && ((i++)); ((i++)) ;;\n",
                           bash_patterns(key, value_options));
    options += fmt::format("    \"{}\") _opsgate_words {} ;;\n", key,
                           single_quoted(fmt::format("{}", fmt::join(option_list, " "))));
    if (!subcommands.empty())
      others += fmt::format("    \"{}\") _opsgate_words {} ;;\n", key,
                            single_quoted(fmt::format("{}", fmt::join(subcommands, " "))));
    else if (!command.positionals.empty())
      others += fmt::format("    \"{}\") {} ;;\n", key,
                            bash_value_reply(command.positionals.front().kind, {}));
  });

  return fmt::format(R"sh(# bash completion for opsgate. {generated}
# Sourced by bash-completion from its completions directory, or by hand: `source THIS_FILE`.

# The installed rule packs and the loaded rules' ids, as the opsgate being completed lists them.
_opsgate_packs() {{
  local name rest
  "$1" rules packs 2>/dev/null | while read -r name rest; do printf '%s\n' "$name"; done
}}
_opsgate_rule_ids() {{
  local id rest
  "$1" rules list 2>/dev/null | while read -r id rest; do
    [[ $id == "#" || $id == ID || -z $id ]] || printf '%s\n' "$id"
  done
}}
_opsgate_words() {{
  local IFS=$'\n'
  COMPREPLY+=($(IFS=$' \t\n' compgen -W "$1" -- "$cur"))
}}
_opsgate_files() {{
  local IFS=$'\n'
  compopt -o filenames 2>/dev/null
  COMPREPLY+=($(compgen -f -- "$cur"))
}}
_opsgate_directories() {{
  local IFS=$'\n'
  compopt -o filenames 2>/dev/null
  COMPREPLY+=($(compgen -d -- "$cur"))
}}

_opsgate() {{
  local command=${{COMP_WORDS[0]}} cur=${{COMP_WORDS[COMP_CWORD]}} option="" path="" word i
  COMPREPLY=()
  # The subcommands named so far, skipping each option's value ("--opt" "=" "value" when
  # COMP_WORDBREAKS splits "--opt=value").
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${{COMP_WORDS[i]}}
    case "$path|$word" in
{steps}    esac
  done
  # The option whose value is at the cursor: "--opt VALUE", "--opt=VALUE" ("--opt" "=" "VALUE").
  if [[ $cur == = ]]; then
    option="${{COMP_WORDS[COMP_CWORD - 1]}}="
    cur=""
  elif ((COMP_CWORD > 2)) && [[ ${{COMP_WORDS[COMP_CWORD - 1]}} == = ]]; then
    option="${{COMP_WORDS[COMP_CWORD - 2]}}="
  elif ((COMP_CWORD > 1)); then
    option=${{COMP_WORDS[COMP_CWORD - 1]}}
  fi
  case "$path|$option" in
{values}    *) option="" ;;
  esac
  [[ -z $option ]] || return 0
  if [[ $cur == -* ]]; then
    case "$path" in
{options}    esac
    return 0
  fi
  case "$path" in
{others}  esac
  return 0
}}
complete -F _opsgate opsgate
)sh",
                     fmt::arg("generated", k_generated), fmt::arg("steps", steps),
                     fmt::arg("values", values), fmt::arg("options", options),
                     fmt::arg("others", others));
}

}  // namespace opsgate::cli

namespace opsgate::cli {

std::string zsh_completion(const CommandSpec& cli) {
  std::string functions;
  zsh_command(functions, cli);
  return fmt::format(R"sh(#compdef opsgate
# zsh completion for opsgate. {generated}

# The installed rule packs and the loaded rules' ids, as the opsgate being completed lists them.
_opsgate_packs() {{
  local -a packs
  packs=(${{${{(f)"$(_call_program packs $_opsgate_command rules packs 2>/dev/null)"}}%% *}})
  _describe -t packs 'installed rule pack' packs
  _files
}}

_opsgate_rule_ids() {{
  local -a ids
  ids=(${{${{(f)"$(_call_program rules $_opsgate_command rules list 2>/dev/null)"}}%% *}})
  ids=(${{ids:#(\#|ID)}})
  _describe -t rules 'rule id' ids
}}

{functions}_opsgate() {{
  local _opsgate_command=${{words[1]}}
  {main}
}}

if [[ $funcstack[1] == _opsgate ]]; then
  _opsgate "$@"
else
  compdef _opsgate opsgate
fi
)sh",
                     fmt::arg("generated", k_generated), fmt::arg("functions", functions),
                     fmt::arg("main", zsh_function(cli)));
}

std::string fish_completion(const CommandSpec& cli) {
  std::string subcommands;    // the subcommands of each path
  std::string value_options;  // the options of each path that take the next word
  std::string completions;
  for_each_command(cli, [&](const CommandSpec& command) {
    const std::string key = path_key(command);
    const std::string at = fish_quoted("__opsgate_at " + fish_quoted(key));
    std::vector<std::string> names, takers;
    for (const CommandSpec& sub : command.subcommands) {
      names.push_back(sub.name);
      completions += fmt::format("complete -c opsgate -n {} -f -a {} -d {}\n", at,
                                 fish_quoted(sub.name), fish_quoted(sub.description));
    }
    for (const OptionSpec& option : command.options) {
      std::string line = fmt::format("complete -c opsgate -n {}", at);
      for (const std::string& name : option.short_names) line += " -s " + name;
      for (const std::string& name : option.long_names) line += " -l " + name;
      if (option.takes_value()) {
        line += fish_arguments(option.kind, option.choices);
        for (const std::string& word : option_words(option)) takers.push_back(word);
      }
      line += " -d " + fish_quoted(option.description);
      completions += line + "\n";
    }
    if (!command.subcommands.empty())
      completions += fmt::format("complete -c opsgate -n {} -f\n", at);
    else if (!command.positionals.empty())
      completions += fmt::format("complete -c opsgate -n {}{}\n", at,
                                 fish_arguments(command.positionals.front().kind, {}));
    if (!names.empty())
      subcommands += fmt::format("        case {}\n            printf '%s\\n' {}\n",
                                 fish_quoted(key), fmt::join(names, " "));
    if (!takers.empty())
      value_options += fmt::format("        case {}\n            printf '%s\\n' {}\n",
                                   fish_quoted(key), fmt::join(takers, " "));
  });
  return fmt::format(R"sh(# fish completion for opsgate. {generated}

function __opsgate_subcommands --argument-names path
    switch $path
{subcommands}    end
end

function __opsgate_value_options --argument-names path
    switch $path
{value_options}    end
end

# The subcommands named on the command line so far ("rules list"), each option's value skipped.
function __opsgate_path
    set -l path ''
    set -l skip 0
    for token in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
        else if contains -- $token (__opsgate_value_options $path)
            set skip 1
        else if contains -- $token (__opsgate_subcommands $path)
            set path (string trim -- "$path $token")
        end
    end
    echo $path
end

function __opsgate_at --argument-names path
    test "$(__opsgate_path)" = "$path"
end

# The installed rule packs and the loaded rules' ids, as the opsgate being completed lists them.
function __opsgate_packs
    set -l command (commandline -opc)[1]
    $command rules packs 2>/dev/null | string replace -r ' .*' ''
end

function __opsgate_rule_ids
    set -l command (commandline -opc)[1]
    $command rules list 2>/dev/null | string match -rv '^(#|ID )' | string replace -r ' .*' ''
end

{completions})sh",
                     fmt::arg("generated", k_generated), fmt::arg("subcommands", subcommands),
                     fmt::arg("value_options", value_options),
                     fmt::arg("completions", completions));
}

}  // namespace opsgate::cli
