#pragma once
// Built-in public holiday calendars a rule pack can name (`[pack] holidays = "FR"`), computed
// per year (Easter-based holidays move), so no list of dates ever needs updating.

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace opsgate {

struct NamedDay {
  std::chrono::sys_days day;
  std::string name;
};

// The calendars this opsgate knows ("FR").
std::span<const std::string_view> holiday_calendars();
bool is_holiday_calendar(std::string_view calendar);

// The holidays of `calendar` in `year`, in date order; empty for an unknown calendar.
std::vector<NamedDay> holidays_in(std::string_view calendar, int year);

// Easter Sunday of the Gregorian calendar (anonymous Gregorian computus).
std::chrono::sys_days easter_sunday(int year);

}  // namespace opsgate
