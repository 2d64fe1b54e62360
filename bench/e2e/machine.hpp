#pragma once

// One line describing where the figures come from: CPU, cores, memory,
// kernel and the load average (the machine may be shared).

#include <string>

namespace holobroker::bench {

std::string describe_machine();

/// "1.23 0.98 0.75" from /proc/loadavg.
std::string load_average();

} // namespace holobroker::bench
