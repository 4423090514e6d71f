//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

#include "CThreadingShims.h"

#include <errno.h>
#include <sched.h>
#include <linux/futex.h>
#include <sys/prctl.h>
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
    if (deadline == NULL) {
        long rc = syscall(SYS_futex, word, FUTEX_WAIT_BITSET_PRIVATE, expected, NULL, NULL,
                          FUTEX_BITSET_MATCH_ANY);
        return rc == 0 ? 0 : errno;
    }
    // The kernel may fire a sleeping thread's timer anywhere up to the thread's timer
    // slack past its deadline (50 us by default), so every timed wait would overshoot by
    // about that much. For the length of this one wait the slack is cut to 1 ns, then put
    // back as it was: a timed wait wakes as close to its deadline as the scheduler allows,
    // and the thread's other timers keep whatever slack it chose.
    int slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    bool tightened = slack > 1 && prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0) == 0;
    long rc = syscall(SYS_futex, word, FUTEX_WAIT_BITSET_PRIVATE, expected, deadline, NULL,
                      FUTEX_BITSET_MATCH_ANY);
    int error = rc == 0 ? 0 : errno;
    if (tightened) {
        prctl(PR_SET_TIMERSLACK, (unsigned long)slack, 0, 0, 0);
    }
    return error;
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

__thread int cshim_deferred_wake_count __attribute__((tls_model("initial-exec"))) = 0;
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

bool cshim_tsan_enabled(void) {
#if CSHIM_TSAN
    return true;
#else
    return false;
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
