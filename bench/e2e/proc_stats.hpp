#pragma once

// What /proc says about a process: resident memory, threads and CPU time.

#include <cstdint>

#include <sys/types.h>

namespace holobroker::bench {

struct proc_snapshot {
  double rss_mb = 0;      ///< VmRSS (MB = 10^6 bytes)
  double peak_rss_mb = 0; ///< VmHWM (MB)
  int threads = 0;
  double cpu_seconds = 0;  ///< utime + stime
};

/// Reads /proc/<pid>/status and /proc/<pid>/stat; throws if the process is gone.
proc_snapshot read_proc(pid_t pid);

} // namespace holobroker::bench
