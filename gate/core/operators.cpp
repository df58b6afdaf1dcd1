#include "operators.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "i18n.hpp"
#include "limits.hpp"
#include "paths.hpp"
#include "toml_util.hpp"
#include "window.hpp"

namespace opsgate {

namespace {

struct OpResult {
  bool holds;
  std::string message;
  std::string requirement = {};  // set when `message` is "<key> is <value> (<requirement>)"
};

OpResult verdict(bool holds, const std::string& key, const toml::node& value,
                 std::string_view required) {
  if (holds)
    return {true, trf("{} is {} ({})", key, describe_value(value), required),
            std::string(required)};
  return {false, trf("{} is {}; {} is required", key, describe_value(value), required)};
}

// After "has no heading with that anchor": the anchor a typo away, and the ones that exist (a
// runbook may have hundreds: the first few are enough to see how they are spelt).
std::string anchors_hint(const std::vector<Heading>& headings, std::string_view anchor) {
  constexpr std::size_t k_listed = 12;
  std::string hint;
  if (auto guess = closest_anchor(headings, anchor)) hint = trf("; did you mean #{}?", *guess);
  std::vector<std::string> anchors = heading_anchors(headings);
  std::erase(anchors, std::string());  // a heading of punctuation only has no anchor to link
  if (anchors.empty()) return hint + std::string(tr(" (it has no headings)"));
  std::string listed;
  for (std::size_t i = 0; i < anchors.size() && i < k_listed; ++i)
    listed += (i ? ", #" : "#") + anchors[i];
  if (const std::size_t more = anchors.size() - std::min(anchors.size(), k_listed))
    listed += trnf(" and {} more", " and {} more", more, more);
  return hint + trf(" (its anchors: {})", listed);
}

// "an integer", "a string": a TOML type name (an id, never translated) as a requirement.
std::string with_article(std::string_view noun) {
  bool vowel =
      !noun.empty() && std::string_view("aeiou").find(noun.front()) != std::string_view::npos;
  return vowel ? trf("an {}", noun) : trf("a {}", noun);
}

std::string list_values(const toml::array& values, std::string_view joiner = ", ") {
  std::string out;
  for (const toml::node& value : values) {
    if (!out.empty()) out += joiner;
    out += describe_value(value);
  }
  return out;
}

bool is_empty(const toml::node& value) {
  if (auto text = value.as_string()) return text->get().empty();
  if (auto array = value.as_array()) return array->empty();
  return false;
}

bool has_type(const toml::node& value, std::string_view type) {
  if (type == "number") return value.is_number();
  return type_name(value) == type;
}

std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

bool in_list(const toml::node& value, const toml::array& list) {
  for (const toml::node& candidate : list)
    if (values_equal(value, candidate)) return true;
  return false;
}

// Every string the value names (one string or an array of them); nullopt for other shapes.
std::optional<std::vector<std::string>> string_items(const toml::node& value) {
  if (auto text = value.as_string()) return std::vector<std::string>{text->get()};
  const toml::array* array = value.as_array();
  if (!array) return std::nullopt;
  std::vector<std::string> out;
  for (const toml::node& item : *array) {
    if (!item.is_string()) return std::nullopt;
    out.push_back(item.as_string()->get());
  }
  return out;
}

class OperatorChecker {
 public:
  OperatorChecker(const Condition& condition, const toml::node& value, const Manifest& manifest,
                  const EvalContext& context, HeadingCache& headings)
      : m_key(condition.key),
        m_value(value),
        m_manifest(manifest),
        m_context(context),
        m_headings(headings) {}

  OpResult check(const Operator& op) {
    const toml::node& arg = *op.value;
    switch (op.kind) {
      case OpKind::present: {
        bool want = arg.value_or(true);
        bool empty = is_empty(m_value);
        if (want)
          return {!empty,
                  empty ? trf("{} is empty; a value is required", m_key) : trf("{} is set", m_key)};
        return {empty,
                empty ? trf("{} is empty", m_key)
                      : trf("{} is set to {}; it must not be set", m_key, describe_value(m_value))};
      }
      case OpKind::type: {
        std::string type = arg.value_or(std::string());
        if (has_type(m_value, type)) return verdict(true, m_key, m_value, with_article(type));
        return {false, trf("{} is {} ({}); {} is required", m_key, describe_value(m_value),
                           with_article(type_name(m_value)), with_article(type))};
      }
      case OpKind::equals:
        if (values_equal(m_value, arg))
          return verdict(true, m_key, m_value, tr("the required value"));
        return verdict(false, m_key, m_value, describe_value(arg));
      case OpKind::one_of:
      case OpKind::not_one_of: {
        const toml::array& list = *arg.as_array();
        bool want_in = op.kind == OpKind::one_of;
        auto fits = [&](const toml::node& item) { return in_list(item, list) == want_in; };
        bool holds;
        if (m_value.is_array() && !in_list(m_value, list)) {
          holds = true;
          for (const toml::node& item : *m_value.as_array()) holds = holds && fits(item);
        } else {
          holds = fits(m_value);
        }
        return verdict(
            holds, m_key, m_value,
            want_in ? trf("one of {}", list_values(list)) : trf("none of {}", list_values(list)));
      }
      case OpKind::min:
      case OpKind::max: {
        double bound = *as_number(arg);
        bool is_min = op.kind == OpKind::min;
        std::string required = is_min ? trf("at least {}", describe_value(arg))
                                      : trf("at most {}", describe_value(arg));
        auto number = as_number(m_value);
        if (!number) return verdict(false, m_key, m_value, trf("a number {}", required));
        return verdict(is_min ? *number >= bound : *number <= bound, m_key, m_value, required);
      }
      case OpKind::min_items:
      case OpKind::max_items: {
        auto bound = static_cast<std::size_t>(arg.value_or<std::int64_t>(0));
        bool is_min = op.kind == OpKind::min_items;
        std::string required = is_min ? trnf("at least {} item", "at least {} items", bound, bound)
                                      : trnf("at most {} item", "at most {} items", bound, bound);
        const toml::array* array = m_value.as_array();
        if (!array) return verdict(false, m_key, m_value, trf("an array with {}", required));
        std::size_t size = array->size();
        bool holds = is_min ? size >= bound : size <= bound;
        return {holds,
                trnf("{} has {} item", "{} has {} items", size, m_key, size) +
                    (holds ? fmt::format(" ({})", required)
                           : trnf("; {} is required", "; {} are required", bound, required))};
      }
      case OpKind::min_length:
      case OpKind::max_length: {
        auto bound = static_cast<std::size_t>(arg.value_or<std::int64_t>(0));
        bool is_min = op.kind == OpKind::min_length;
        std::string required =
            is_min ? trnf("at least {} character", "at least {} characters", bound, bound)
                   : trnf("at most {} character", "at most {} characters", bound, bound);
        const toml::value<std::string>* text = m_value.as_string();
        if (!text) return verdict(false, m_key, m_value, trf("a string of {}", required));
        std::size_t length = utf8_length(text->get());
        bool holds = is_min ? length >= bound : length <= bound;
        return {holds,
                trnf("{} is {} character long", "{} is {} characters long", length, m_key, length) +
                    (holds ? fmt::format(" ({})", required)
                           : trnf("; {} is required", "; {} are required", bound, required))};
      }
      case OpKind::matches: {
        std::string required = trf("a value matching {}", describe_value(arg));
        auto items = string_items(m_value);
        if (!items) return verdict(false, m_key, m_value, required);
        for (const std::string& item : *items)
          if (!RE2::FullMatch(item, *op.regex))
            return {false,
                    trf("{} holds {}, which does not match {}", m_key,
                        describe_value(toml::value<std::string>(item)), describe_value(arg))};
        return verdict(true, m_key, m_value, required);
      }
      case OpKind::max_age_days:
        return max_age(arg.value_or<std::int64_t>(0));
      case OpKind::path_exists:
        return path_exists(arg.value_or(true));
      case OpKind::executable:
        return executable(arg.value_or(true));
      case OpKind::has_sections:
        return has_sections(*arg.as_array());
      case OpKind::changed_within_days:
        return changed_within(arg.value_or<std::int64_t>(0));
      case OpKind::windows_outside:
      case OpKind::window_max_hours:
      case OpKind::window_open:
        return window_operator(op.kind, arg);
    }
    return {false, std::string(tr("unknown operator"))};
  }

 private:
  OpResult max_age(std::int64_t limit) {
    Days day;
    if (const auto* date = m_value.as_date()) {
      day = to_days(date->get());
    } else if (const auto* stamp = m_value.as_date_time()) {
      Seconds instant = to_instant(stamp->get(), m_context.at.offset);
      day = std::chrono::floor<std::chrono::days>(instant + m_context.at.offset);
    } else {
      return verdict(false, m_key, m_value,
                     trnf("a date at most {} day before the evaluation",
                          "a date at most {} days before the evaluation", limit, limit));
    }
    Days today = m_context.at.local_day();
    auto age = (today - day).count();
    std::string shown = describe_value(m_value);
    if (age < 0)
      return {false, trnf("{} is {}, in the future of {}; a date at most {} day old is required",
                          "{} is {}, in the future of {}; a date at most {} days old is required",
                          limit, m_key, shown, format_day(today), limit)};
    if (age > limit)
      return {false, trf("{} is {}, {} days before {}; at most {} days is required", m_key, shown,
                         age, format_day(today), limit)};
    return {true, trnf("{} is {}, {} day before {} (at most {})",
                       "{} is {}, {} days before {} (at most {})", age, m_key, shown, age,
                       format_day(today), limit)};
  }

  // "1,362" (French: "1 362"): day counts of old evidence are read at a glance.
  static std::string grouped(long value) {
    // TRANSLATORS: the thousands separator of a day count ("1,362 days"); French writes a
    // narrow no-break space, U+202F ("1 362 jours"): "1,362" would read as a decimal.
    const std::string_view separator = tr(",");
    const std::string digits = std::to_string(value < 0 ? -value : value);
    std::string out = value < 0 ? "-" : "";
    for (std::size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) out += separator;
      out.push_back(digits[i]);
    }
    return out;
  }

  // "docs/runbook.md last changed 2023-03-14 by X in abc123456789 (1,362 days before
  // 2026-11-26)", and the same as evidence for the report.
  std::string cite_change(const std::string& path, const FileChange& change, Days today) {
    Evidence evidence{path, change.commit, {}, {}, change.when};
    auto who = m_context.history->describe(change.commit);
    if (who) {
      evidence.author = who->author;
      evidence.email = who->email;
    }
    Days day = std::chrono::floor<std::chrono::days>(change.when + m_context.at.offset);
    long age = std::max<long>(0, (today - day).count());
    m_evidence.push_back(std::move(evidence));
    return who ? trnf("{} last changed {} by {} in {} ({} day before {})",
                      "{} last changed {} by {} in {} ({} days before {})", age, path,
                      format_day(day), who->author, change.commit.substr(0, 12), grouped(age),
                      format_day(today))
               : trnf("{} last changed {} in {} ({} day before {})",
                      "{} last changed {} in {} ({} days before {})", age, path, format_day(day),
                      change.commit.substr(0, 12), grouped(age), format_day(today));
  }

  OpResult changed_within(std::int64_t days) {
    auto refs = references();
    if (!refs) return verdict(false, m_key, m_value, tr("a repository path or an array of them"));
    Days today = m_context.at.local_day();
    Days cutoff_day = today - std::chrono::days(days);
    // Calendar days in --at's offset, like max_age_days: a change any time on the cutoff day
    // counts.
    Seconds cutoff = Seconds(cutoff_day) - m_context.at.offset;
    std::vector<std::string> found;
    for (const ResolvedRef& ref : *refs) {
      std::string reason = missing_reason(ref);
      if (!reason.empty()) return {false, reason};
      if (!m_context.history)
        return {false,
                trf("{}: no git history to read at {} (changed_within_days needs a revision)",
                    *ref.path, m_context.tree->describe())};
      // Through a symlink, the history of the file it leads to.
      auto change = m_context.history->last_change(
          m_context.tree->real_path(*ref.path).value_or(*ref.path), cutoff);
      if (!change) return {false, trf("{}: {}", *ref.path, change.error().message)};
      switch (change->kind) {
        case FileChange::Kind::changed: {
          Days day = std::chrono::floor<std::chrono::days>(change->when + m_context.at.offset);
          // A committer date after the evaluation time is no evidence: one commit dated 2099
          // would keep the rule green for ever.
          if (day > today)
            return {false, trf("{} last changed in {}, dated {}, after {}: a commit from the "
                               "future is no evidence of freshness",
                               *ref.path, change->commit.substr(0, 12), format_day(day),
                               format_day(today))};
          found.push_back(cite_change(*ref.path, *change, today));
          break;
        }
        case FileChange::Kind::unchanged: {
          // The walk stopped at the cutoff; the evidence is the change before it, found by
          // walking on (failing findings only: the chain is shared, Bloom filters skip most).
          std::string cited, unknown;
          auto ever = m_context.history->last_change_ever(*ref.path);
          if (ever && ever->kind == FileChange::Kind::changed) {
            cited = cite_change(*ref.path, *ever, today);
          } else {
            m_evidence.push_back(Evidence{*ref.path, {}, {}, {}, {}});
            if (!ever) unknown = "; " + ever.error().message;
          }
          if (cited.empty())
            return {false,
                    trf("{} is unchanged since before {} ({} days before {}){}; it must "
                        "change at least every {} days",
                        *ref.path, format_day(cutoff_day), days, format_day(today), unknown, days)};
          return {false,
                  trf("{}: it is unchanged since before {} ({} days before {}){}; it must "
                      "change at least every {} days",
                      cited, format_day(cutoff_day), days, format_day(today), unknown, days)};
        }
        case FileChange::Kind::reverted: {
          const std::string cited = cite_change(*ref.path, *change, today);
          return {false, trf("{}, back to its content of {} (before {}): a change undone is no "
                             "change; it must change at least every {} days",
                             cited, change->since.substr(0, 12), format_day(cutoff_day), days)};
        }
        case FileChange::Kind::shallow:
          m_evidence.push_back(Evidence{*ref.path, {}, {}, {}, {}});
          if (!change->since.empty())
            return {false,
                    trf("history is shallow at {}: {} changed in {}, but whether the content it "
                        "had on {} came back is unknown; fetch deeper (git fetch "
                        "--shallow-since={})",
                        change->commit.substr(0, 12), *ref.path, change->since.substr(0, 12),
                        format_day(cutoff_day), format_day(cutoff_day))};
          return {false,
                  trf("history is shallow at {}: {} is unchanged back to {}, but the cutoff is "
                      "{}; fetch deeper (git fetch --shallow-since={})",
                      change->commit.substr(0, 12), *ref.path,
                      format_day(std::chrono::floor<std::chrono::days>(change->when +
                                                                       m_context.at.offset)),
                      format_day(cutoff_day), format_day(cutoff_day))};
        case FileChange::Kind::absent:
          return {false, trf("{} is not in the history of the evaluated revision (it may be "
                             "uncommitted)",
                             *ref.path)};
      }
    }
    return {true, fmt::format("{}", fmt::join(found, clause_separator()))};
  }

 public:
  std::vector<Evidence> take_evidence() { return std::move(m_evidence); }

 private:
  struct ResolvedRef {
    std::string written;  // as in the manifest
    std::optional<std::string> path;
    std::string anchor;
  };

  std::optional<std::vector<ResolvedRef>> references() const {
    auto items = string_items(m_value);
    if (!items) return std::nullopt;
    std::vector<ResolvedRef> out;
    for (const std::string& item : *items) {
      // A '#' may belong to a file or directory name too: the longest prefix that exists is the
      // path, the rest the anchor; when nothing exists, the first '#' starts the anchor.
      PathRef ref = split_anchor(item);
      for (std::size_t end = item.size(); end != std::string::npos && end > 0;
           end = item.rfind('#', end - 1)) {
        auto path = resolve_manifest_path(m_manifest.dir, std::string_view(item).substr(0, end));
        if (path && m_context.tree->kind(*path) != EntryKind::missing) {
          ref = {item.substr(0, end), end < item.size() ? item.substr(end + 1) : std::string()};
          break;
        }
      }
      out.push_back({item, resolve_manifest_path(m_manifest.dir, ref.path), ref.anchor});
    }
    return out;
  }

  // A reason the reference names nothing, or "" when something is there.
  std::string absent_reason(const ResolvedRef& ref) const {
    if (split_anchor(ref.written).path.empty())
      return trf("{} is empty; a repository path is required", m_key);
    if (!ref.path)
      return trf("{} is {}, which leaves the repository", m_key,
                 describe_value(toml::value<std::string>(ref.written)));
    if (m_context.tree->kind(*ref.path) == EntryKind::missing)
      return trf("{} names {}, which does not exist in {}", m_key, *ref.path,
                 m_context.tree->describe());
    return {};
  }

  // A reason the reference cannot be used as the document it stands for, or "" when it names
  // a file: a directory ("/", ".") or a submodule is no runbook, however it exists.
  std::string missing_reason(const ResolvedRef& ref) const {
    if (std::string absent = absent_reason(ref); !absent.empty()) return absent;
    switch (m_context.tree->kind(*ref.path)) {
      case EntryKind::directory:
        return trf("{} names {}, which is a directory; a file is required", m_key,
                   ref.path->empty() ? std::string(tr("the repository root")) : *ref.path);
      case EntryKind::submodule:
        return trf("{} names {}, which is a submodule; a file is required", m_key, *ref.path);
      default:
        return {};
    }
  }

  // Keyed by path, or with headings_by_blob by blob id where the tree has one (so that a cache
  // kept across the commits of a fleet trend never answers for another content).
  const std::vector<Heading>* headings_of(const std::string& path) {
    std::string key = m_context.headings_by_blob ? m_context.tree->blob_id(path) : std::string();
    key = key.empty() ? path : std::string(1, '\0') + key;
    auto it = m_headings.find(key);
    if (it == m_headings.end()) {
      std::optional<std::vector<Heading>> parsed;
      // An oversized file is never read: it has no headings, and has_sections says why.
      auto bytes = m_context.tree->size(path);
      if (bytes && *bytes && **bytes <= k_max_file_bytes)
        if (auto text = m_context.tree->read(path); text && *text)
          parsed = markdown_headings(**text);
      it = m_headings.emplace(std::move(key), std::move(parsed)).first;
    }
    return it->second ? &*it->second : nullptr;
  }

  // Why headings_of() found no markdown to read at `path`.
  std::string unreadable_reason(const std::string& path) const {
    auto bytes = m_context.tree->size(path);
    if (bytes && *bytes && **bytes > k_max_file_bytes) return oversize_message(path, **bytes);
    return trf("{} names {}, which is not a file", m_key, path);
  }

  OpResult path_exists(bool want) {
    auto refs = references();
    if (!refs) return verdict(false, m_key, m_value, tr("a repository path or an array of them"));
    std::vector<std::string> found;
    for (const ResolvedRef& ref : *refs) {
      std::string reason = want ? missing_reason(ref) : absent_reason(ref);
      if (!want) {
        if (reason.empty())
          return {false, trf("{} names {}, which exists; it must not", m_key, *ref.path)};
        continue;
      }
      if (!reason.empty()) return {false, reason};
      if (!ref.anchor.empty()) {
        const std::vector<Heading>* headings = headings_of(*ref.path);
        if (!headings) return {false, unreadable_reason(*ref.path)};
        if (!has_anchor(*headings, ref.anchor))
          return {false, trf("{} names {}#{}, but {} has no heading with that anchor", m_key,
                             *ref.path, ref.anchor, *ref.path) +
                             anchors_hint(*headings, ref.anchor)};
      }
      found.push_back(ref.anchor.empty() ? *ref.path : *ref.path + "#" + ref.anchor);
    }
    if (!want) return {true, trf("{} names nothing that exists", m_key)};
    return {true, trf("{} exists ({})", m_key, fmt::join(found, ", "))};
  }

  OpResult executable(bool want) {
    auto refs = references();
    if (!refs) return verdict(false, m_key, m_value, tr("a repository path or an array of them"));
    for (const ResolvedRef& ref : *refs) {
      std::string reason = missing_reason(ref);
      if (!reason.empty()) return {false, reason};
      bool is_exec = m_context.tree->kind(*ref.path) == EntryKind::executable;
      if (is_exec != want)
        return {false,
                is_exec
                    ? trf("{} names {}, which is executable; it must not be", m_key, *ref.path)
                    : trf("{} names {}, which is not executable; it must be", m_key, *ref.path)};
    }
    return {true, want ? trf("{} is executable", m_key) : trf("{} is not executable", m_key)};
  }

  OpResult has_sections(const toml::array& sections) {
    auto refs = references();
    if (!refs) return verdict(false, m_key, m_value, tr("a markdown file path"));
    for (const ResolvedRef& ref : *refs) {
      std::string reason = missing_reason(ref);
      if (!reason.empty()) return {false, reason};
      const std::vector<Heading>* headings = headings_of(*ref.path);
      if (!headings) return {false, unreadable_reason(*ref.path)};
      std::vector<std::string> lacking;
      for (const toml::node& section : sections) {
        std::string name = section.value_or(std::string());
        if (!has_heading(*headings, name)) lacking.push_back(name);
      }
      if (!lacking.empty())
        return {false, trnf("{} lacks the section {}; add that heading",
                            "{} lacks the sections {}; add those headings", lacking.size(),
                            *ref.path, fmt::join(lacking, ", "))};
    }
    return {true, trf("{} has the sections {}", m_key, list_values(sections))};
  }

  // The three window operators read the value as a table shaped like [release_window].
  OpResult window_operator(OpKind kind, const toml::node& arg) {
    const toml::table* table = m_value.as_table();
    if (!table) return verdict(false, m_key, m_value, tr("a table shaped like [release_window]"));
    // [release_window] was parsed by the schema check; any other table is parsed here.
    const ParsedSchedule* parsed = m_manifest.release_window.get();
    std::optional<ParsedSchedule> fresh;
    if (!parsed || table != m_manifest.doc["release_window"].as_table()) {
      fresh.emplace();
      fresh->schedule = parse_schedule(*table, m_key, m_manifest.path, fresh->problems);
      parsed = &*fresh;
    }
    if (!parsed->problems.empty()) {
      // [release_window]'s problems are GATE-SCHEMA findings already: each said once, there.
      if (!fresh)
        return {false, trf("{} is invalid; GATE-SCHEMA says why at {}", m_key,
                           parsed->problems.front().where.to_string())};
      return {false, trf("{} is invalid: {}", m_key, parsed->problems.front().message)};
    }
    const Schedule& schedule = parsed->schedule;
    std::vector<const WindowSpec*> allows;
    for (const WindowSpec& spec : schedule.allow)
      if (spec.applies_to(m_context.environment)) allows.push_back(&spec);
    if (kind == OpKind::window_open) return window_open(schedule, arg.value_or(true));
    if (kind == OpKind::window_max_hours) return window_max_hours(allows, *as_number(arg));
    const toml::table& period = *arg.as_table();
    std::bitset<7> days;
    if (const toml::array* names = period["days"].as_array())
      for (const toml::node& name : *names) days.set(*parse_day_name(name.value_or(std::string())));
    if (!period.contains("days")) days.set();
    auto start = *parse_clock(period["start"].value_or(std::string()));
    auto end = *parse_clock(period["end"].value_or(std::string()));
    auto length = end > start ? end - start : end - start + std::chrono::hours(24);
    auto overlaps = weekly_overlaps(schedule, m_context.environment, days, start, length);
    if (overlaps.empty())
      return {true,
              trf("{}: no allow window for {} overlaps {} {}-{}", m_key, m_context.environment,
                  period["days"] ? tr("those days") : tr("daily"),
                  period["start"].value_or(std::string()), period["end"].value_or(std::string()))};
    std::string more = overlaps.size() == 1
                           ? ""
                           : trnf(" (and {} more overlap)", " (and {} more overlaps)",
                                  overlaps.size() - 1, overlaps.size() - 1);
    return {false, trf("{}: {}", m_key, overlaps.front() + more)};
  }

  OpResult window_open(const Schedule& schedule, bool want) {
    std::span<const Calendar> calendars;
    if (m_context.rules) calendars = m_context.rules->calendars;
    WindowState state = window_state(schedule, calendars, m_context.environment, m_context.at.utc);
    std::string when = format_local(schedule, m_context.at.utc);
    std::string message;
    if (state.open) {
      message = trf("{} is open at {}: {}", m_key, when, state.reason);
      if (state.closes_at)
        message += trf("; it closes at {}", format_local(schedule, *state.closes_at));
    } else {
      message = trf("{} is closed at {}: {}", m_key, when, state.reason);
      if (state.next_open)
        message += trf("; it next opens at {}", format_local(schedule, *state.next_open));
      else if (state.cause != WindowCause::no_allow)
        message += tr("; it does not open in the next 8 years");
    }
    if (state.open == want) return {true, message};
    return {false, want ? message : message + std::string(tr("; it must be closed"))};
  }

  OpResult window_max_hours(const std::vector<const WindowSpec*>& allows, double limit) {
    auto limit_length = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::duration<double, std::ratio<3600>>(limit));
    const WindowSpec* longest = nullptr;
    for (const WindowSpec* spec : allows) {
      if (spec->form != WindowSpec::Form::recurring) continue;
      if (!longest || spec->length > longest->length) longest = spec;
    }
    if (!longest) return {true, trf("{} has no allow window for {}", m_key, m_context.environment)};
    std::string limit_text = format_duration(limit_length);
    if (longest->length > limit_length)
      return {false, trf("{}: allow window {} lasts {}; at most {} is allowed", m_key,
                         longest->label, format_duration(longest->length), limit_text)};
    return {true, trf("{}: the longest allow window ({}) lasts {} (at most {})", m_key,
                      longest->label, format_duration(longest->length), limit_text)};
  }

  const std::string& m_key;
  const toml::node& m_value;
  const Manifest& m_manifest;
  const EvalContext& m_context;
  HeadingCache& m_headings;
  std::vector<Evidence> m_evidence;
};

}  // namespace

namespace {

bool is_window_open_true(const Operator& op) {
  return op.kind == OpKind::window_open && op.value && op.value->value_or(false);
}

}  // namespace

ConditionOutcome check_condition(const Condition& condition, const Manifest& manifest,
                                 const EvalContext& context, HeadingCache& headings) {
  const toml::node* value = lookup(manifest.doc, condition.key);
  if (!value) {
    bool absent_ok = condition.ops.size() == 1 && condition.ops[0].kind == OpKind::present &&
                     !condition.ops[0].value->value_or(true);
    const toml::node* parent = nearest_parent(manifest.doc, condition.key);
    SourcePos where = parent ? position_of(*parent, manifest.path) : SourcePos{manifest.path};
    // A window that is not declared is closed: waivable like one that is, when nothing else
    // is asked of the key.
    const bool only_window =
        std::all_of(condition.ops.begin(), condition.ops.end(),
                    [](const Operator& op) { return is_window_open_true(op); });
    return {absent_ok,
            absent_ok ? trf("{} is not set", condition.key) : trf("{} is missing", condition.key),
            std::move(where), !absent_ok && only_window};
  }
  OperatorChecker checker(condition, *value, manifest, context, headings);
  std::vector<std::string> requirements, messages;
  // A failing window_open = true is kept aside while the other operators are checked: an
  // emergency may waive it, never them.
  std::optional<OpResult> window_closed;
  for (const Operator& op : condition.ops) {
    OpResult result = checker.check(op);
    if (!result.holds && is_window_open_true(op)) {
      if (!window_closed) window_closed = std::move(result);
      continue;
    }
    if (!result.holds)
      return {false, result.message, position_of(*value, manifest.path), false,
              checker.take_evidence()};
    if (!result.requirement.empty())
      requirements.push_back(std::move(result.requirement));
    else
      messages.push_back(std::move(result.message));
  }
  if (window_closed)
    return {false, window_closed->message, position_of(*value, manifest.path), true,
            checker.take_evidence()};
  // "backup.retention_days is 35 (an integer, at least 7)" rather than one clause per operator.
  if (!requirements.empty())
    messages.insert(messages.begin(), trf("{} is {} ({})", condition.key, describe_value(*value),
                                          fmt::join(requirements, ", ")));
  return {true, fmt::format("{}", fmt::join(messages, clause_separator())),
          position_of(*value, manifest.path), false, checker.take_evidence()};
}

}  // namespace opsgate
