#include "holidays.hpp"

#include <array>

namespace opsgate {

namespace {

using namespace std::string_view_literals;
using std::chrono::days;
using std::chrono::sys_days;

constexpr std::array k_calendars = {"FR"sv};

sys_days ymd(int year, unsigned month, unsigned day) {
  return sys_days(std::chrono::year(year) / std::chrono::month(month) / std::chrono::day(day));
}

// The 11 public holidays of the Code du travail (art. L3133-1), mainland France.
std::vector<NamedDay> france(int year) {
  sys_days easter = easter_sunday(year);
  return {
      {ymd(year, 1, 1), "Jour de l'an"},    {easter + days(1), "Lundi de Pâques"},
      {ymd(year, 5, 1), "Fête du Travail"}, {ymd(year, 5, 8), "Victoire 1945"},
      {easter + days(39), "Ascension"},     {easter + days(50), "Lundi de Pentecôte"},
      {ymd(year, 7, 14), "Fête nationale"}, {ymd(year, 8, 15), "Assomption"},
      {ymd(year, 11, 1), "Toussaint"},      {ymd(year, 11, 11), "Armistice 1918"},
      {ymd(year, 12, 25), "Noël"},
  };
}

}  // namespace

std::span<const std::string_view> holiday_calendars() {
  return k_calendars;
}

bool is_holiday_calendar(std::string_view calendar) {
  for (std::string_view known : k_calendars)
    if (known == calendar) return true;
  return false;
}

std::vector<NamedDay> holidays_in(std::string_view calendar, int year) {
  if (calendar == "FR") return france(year);
  return {};
}

sys_days easter_sunday(int year) {
  int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
  int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
  int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
  return ymd(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

}  // namespace opsgate
