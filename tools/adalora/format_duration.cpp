// Durations for the CLI's progress and summary lines (see format_duration.h).
#include "tools/adalora/format_duration.h"

#include <cstdint>
#include <iomanip>
#include <sstream>

namespace adalora::cli {

std::string format_duration(double seconds) {
  const int64_t s = static_cast<int64_t>(seconds);
  std::ostringstream out;
  out << std::setfill('0');
  if (s >= 3600) out << s / 3600 << ":" << std::setw(2);
  out << (s / 60) % 60 << ":" << std::setw(2) << s % 60;
  return out.str();
}

}  // namespace adalora::cli
