// Wall-clock durations as the CLI prints them (progress ETA, run summaries): "m:ss", or "h:mm:ss"
// from one hour on.
#pragma once

#include <string>

namespace adalora::cli {

/// `seconds` (truncated to whole seconds) as "m:ss" or "h:mm:ss".
std::string format_duration(double seconds);

}  // namespace adalora::cli
