// Functional tests: each capability run once, for real, through our Ring layer on a loopback TCP
// pair; every wait is bounded and everything opened is closed before returning.
#pragma once
#include <string>
#include <vector>

namespace probe {

struct FunctionalResult {
  bool ran = false;    // false when no test has that name
  bool ok = false;
  int err = 0;         // errno of the step that failed (0 when the failure has no errno)
  std::string detail;  // one line: what was shown, or which step failed
};

FunctionalResult run_functional(const std::string& name);
std::vector<std::string> functional_test_names();

}  // namespace probe
