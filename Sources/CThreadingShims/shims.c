//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

#include "CThreadingShims.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CSHIM_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define CSHIM_TSAN 1
#endif

#if CSHIM_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#endif

int cshim_futex_wait(uint32_t *word, uint32_t expected, const struct timespec *deadline) {
    // FUTEX_WAIT_BITSET takes an absolute timeout, on CLOCK_MONOTONIC unless
    // FUTEX_CLOCK_REALTIME is given.
    long rc = syscall(SYS_futex, word, FUTEX_WAIT_BITSET_PRIVATE, expected, deadline, NULL,
                      FUTEX_BITSET_MATCH_ANY);
    return rc == 0 ? 0 : errno;
}

int cshim_futex_wake(uint32_t *word, int count) {
    long rc = syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, count, NULL, NULL, 0);
    return rc >= 0 ? (int)rc : -errno;
}

pid_t cshim_gettid(void) {
    return (pid_t)syscall(SYS_gettid);
}

int cshim_process_cpu_count(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        int count = CPU_COUNT(&set);
        if (count > 0) {
            return count;
        }
    }
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int)online : 1;
}

static pthread_t main_thread;

// Runs on the main thread when the library is loaded, before `main`.
__attribute__((constructor)) static void cshim_record_main_thread(void) {
    main_thread = pthread_self();
}

pthread_t cshim_main_thread(void) {
    return main_thread;
}

int cshim_pthread_setname_np(pthread_t thread, const char *name) {
    return pthread_setname_np(thread, name);
}

int cshim_pthread_getname_np(pthread_t thread, char *buffer, size_t length) {
    return pthread_getname_np(thread, buffer, length);
}

int cshim_current_cpu(void) {
    return sched_getcpu();
}

__thread int cshim_deferred_wake_count __attribute__((tls_model("initial-exec"))) = 0;
__thread int cshim_mutex_depth __attribute__((tls_model("initial-exec"))) = 0;
static __thread void *deferred_wakes[CSHIM_DEFERRED_WAKES_MAX];

bool cshim_defer_wake(void *item) {
    if (cshim_deferred_wake_count == CSHIM_DEFERRED_WAKES_MAX) {
        return false;
    }
    deferred_wakes[cshim_deferred_wake_count++] = item;
    return true;
}

void *cshim_take_deferred_wake(void) {
    if (cshim_deferred_wake_count == 0) {
        return NULL;
    }
    return deferred_wakes[--cshim_deferred_wake_count];
}

void cshim_tsan_acquire(void *address) {
#if CSHIM_TSAN
    __tsan_acquire(address);
#else
    (void)address;
#endif
}

void cshim_tsan_release(void *address) {
#if CSHIM_TSAN
    __tsan_release(address);
#else
    (void)address;
#endif
}

static __thread int forced_errno[CSHIM_SYSCALL_COUNT];
static __thread int forced_remaining[CSHIM_SYSCALL_COUNT];

void cshim_mock_force_errno(cshim_syscall syscall, int error, int count) {
    forced_errno[syscall] = error;
    forced_remaining[syscall] = count;
}

int cshim_mock_forced_remaining(cshim_syscall syscall) {
    return forced_remaining[syscall] > 0 ? forced_remaining[syscall] : 0;
}

int cshim_mock_take_forced_errno(cshim_syscall syscall) {
    if (forced_remaining[syscall] <= 0) {
        return 0;
    }
    forced_remaining[syscall] -= 1;
    return forced_errno[syscall];
}

// MARK: - Interrupts

uint32_t cshim_diagnostics = 0;

// THREADING_DIAGNOSTICS=lock-order,statistics,holders turns diagnostics on from the
// start, without touching the program (as GODEBUG does for Go).
__attribute__((constructor)) static void cshim_read_diagnostics_environment(void) {
    const char *setting = getenv("THREADING_DIAGNOSTICS");
    if (setting == NULL) {
        return;
    }
    uint32_t flags = 0;
    if (strstr(setting, "lock-order") != NULL) {
        flags |= CSHIM_DIAG_LOCK_ORDER | CSHIM_DIAG_TRACK_HOLDERS;
    }
    if (strstr(setting, "statistics") != NULL) {
        flags |= CSHIM_DIAG_STATISTICS;
    }
    if (strstr(setting, "holders") != NULL) {
        flags |= CSHIM_DIAG_TRACK_HOLDERS;
    }
    cshim_diagnostics = flags;
}

static uint32_t *main_parker_word;
int cshim_interrupt_flag = 0;
static int interrupts_installed;

// The parker states of Parker.swift that matter here.
enum { PARKER_WAITING = 1, PARKER_SLEEPING = 2 };

// Async-signal-safe: atomics and system calls only.
static void nudge_main_thread(void) {
    uint32_t *word = __atomic_load_n(&main_parker_word, __ATOMIC_ACQUIRE);
    if (word == NULL) {
        return;
    }
    // A sleeping main thread is moved back to "waiting" so that a futex wait about to
    // start sees a changed word, then woken; it re-checks the pending flag either way.
    uint32_t expected = PARKER_SLEEPING;
    __atomic_compare_exchange_n(word, &expected, PARKER_WAITING, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void interrupt_handler(int signal_number) {
    int saved_errno = errno;
    if (__atomic_exchange_n(&cshim_interrupt_flag, 1, __ATOMIC_ACQ_REL)) {
        // A second Ctrl-C before the first was raised: end the process as an
        // unhandled Ctrl-C would.
        struct sigaction action;
        memset(&action, 0, sizeof(action));
        action.sa_handler = SIG_DFL;
        sigaction(signal_number, &action, NULL);
        raise(signal_number);
    }
    nudge_main_thread();
    errno = saved_errno;
}

int cshim_interrupts_install(uint32_t *main_word) {
    __atomic_store_n(&main_parker_word, main_word, __ATOMIC_RELEASE);
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = interrupt_handler;
    sigemptyset(&action.sa_mask);
    // Restart the system calls the signal interrupts: code outside the library (a
    // blocking read, say) must not see EINTR, which some callers cannot handle (Swift's
    // readLine() spins on it forever). The interrupt is raised by the next library wait,
    // whose futex wait the handler's nudge ends either way.
    action.sa_flags = SA_RESTART;
    if (sigaction(SIGINT, &action, NULL) != 0) {
        return errno;
    }
    // A process may start with SIGINT blocked (inherited from its parent's thread).
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
    __atomic_store_n(&interrupts_installed, 1, __ATOMIC_RELEASE);
    return 0;
}

bool cshim_interrupts_installed(void) {
    return __atomic_load_n(&interrupts_installed, __ATOMIC_ACQUIRE) != 0;
}

uint32_t *cshim_main_parker_word(void) {
    return __atomic_load_n(&main_parker_word, __ATOMIC_ACQUIRE);
}

bool cshim_interrupt_take(void) {
    return __atomic_exchange_n(&cshim_interrupt_flag, 0, __ATOMIC_ACQ_REL) != 0;
}

void cshim_interrupt_main(void) {
    __atomic_store_n(&cshim_interrupt_flag, 1, __ATOMIC_RELEASE);
    nudge_main_thread();
}

// MARK: - SIGQUIT

static int sigquit_pipe[2] = {-1, -1};

static void sigquit_handler(int signal_number) {
    (void)signal_number;
    int saved_errno = errno;
    char byte = 'q';
    ssize_t ignored = write(sigquit_pipe[1], &byte, 1);
    (void)ignored;
    errno = saved_errno;
}

int cshim_sigquit_pipe_install(void) {
    if (sigquit_pipe[0] >= 0) {
        return sigquit_pipe[0];
    }
    if (pipe2(sigquit_pipe, O_CLOEXEC) != 0) {
        return -1;
    }
    fcntl(sigquit_pipe[1], F_SETFL, O_NONBLOCK);
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = sigquit_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (sigaction(SIGQUIT, &action, NULL) != 0) {
        return -1;
    }
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, SIGQUIT);
    pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
    return sigquit_pipe[0];
}
