#include "errno_name.h"

#include <cstring>
#include <utility>

namespace bench {

namespace {
std::vector<std::string>& table() {
  static std::vector<std::string> names;
  return names;
}
}  // namespace

void set_errno_names(std::vector<std::string> names) { table() = std::move(names); }

std::string errno_name(int err) {
  const auto& names = table();
  return err >= 0 && static_cast<size_t>(err) < names.size() ? names[err] : std::string();
}

std::string errno_words(int err) {
  std::string name = errno_name(err);
  if (name.empty()) name = "errno " + std::to_string(err);
  return name + " (" + strerror(err) + ")";
}

}  // namespace bench
