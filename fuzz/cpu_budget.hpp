#pragma once

// A per-input CPU-time budget for the libFuzzer targets.
//
// libFuzzer's -timeout measures wall-clock time, so a fuzzer that is niced or
// starved of CPU (a shared machine) "times out" on inputs that take 0.3 s of
// CPU, and a short -timeout is a false finding waiting to happen. What makes
// an input a hang or a slow unit is the CPU it burns, whatever the load: so
// every target arms a CPU-time timer of the fuzzing thread for the length of
// one input (the guard below, first thing in LLVMFuzzerTestOneInput). When it
// fires (the input burnt the budget, default 10 s: the old -timeout=10 on a
// free core), the handler names the cause and aborts; libFuzzer's abort
// handler saves the input as a crash artifact with the stack of the loop
// (from signal context, as libFuzzer's own -timeout handler reports).
// It fires inside an endless loop too, so hangs are caught as early as they
// were on an idle machine. fuzz/run.sh keeps a long wall-clock -timeout only
// as the backstop for a hang that burns no CPU (a blocked wait).
//
// HOLOBROKER_FUZZ_CPU_BUDGET=SECONDS changes the budget (0 turns it off).

#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace holobroker::fuzz {

inline constexpr long default_cpu_budget_seconds = 10;

namespace detail {

inline void cpu_budget_spent(int) {
  // Async-signal-safe: write(2) and abort() only.
  static constexpr char message[] =
    "==fuzz== the input used up its CPU-time budget (HOLOBROKER_FUZZ_CPU_BUDGET, "
    "default 10 s): an endless loop or a slow unit\n";
  (void)!::write(2, message, sizeof message - 1);
  std::abort();
}

struct cpu_timer {
  timer_t id{};
  long seconds = 0; ///< 0: no budget

  cpu_timer() {
    if (const char* env = std::getenv("HOLOBROKER_FUZZ_CPU_BUDGET"))
      seconds = std::strtol(env, nullptr, 10);
    else
      seconds = default_cpu_budget_seconds;
    if (seconds <= 0)
      return;
    struct sigaction action {};
    action.sa_handler = cpu_budget_spent;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGXCPU, &action, nullptr);
    // The thread that runs the inputs, on its own CPU clock, gets the signal
    // (libFuzzer's other threads neither count nor take it).
    sigevent event{};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = SIGXCPU;
    event._sigev_un._tid = static_cast<pid_t>(::syscall(SYS_gettid));
    if (::timer_create(CLOCK_THREAD_CPUTIME_ID, &event, &id) != 0) {
      std::perror("fuzz: timer_create for the CPU-time budget");
      std::abort();
    }
  }

  void set(long s) const {
    itimerspec spec{};
    spec.it_value.tv_sec = s;
    ::timer_settime(id, 0, &spec, nullptr);
  }
};

} // namespace detail

/// Arms the budget for one input; disarms it when the input is done.
class cpu_budget {
public:
  cpu_budget() : timer_(instance()) {
    if (timer_.seconds > 0)
      timer_.set(timer_.seconds);
  }
  ~cpu_budget() {
    if (timer_.seconds > 0)
      timer_.set(0);
  }
  cpu_budget(const cpu_budget&) = delete;
  cpu_budget& operator=(const cpu_budget&) = delete;

private:
  static const detail::cpu_timer& instance() {
    static const detail::cpu_timer timer; // created by the first input's thread
    return timer;
  }
  const detail::cpu_timer& timer_;
};

} // namespace holobroker::fuzz
