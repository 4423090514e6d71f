//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// The package's only C: the system calls Glibc does not import without
// _GNU_SOURCE (futex, gettid, thread names), word-sized atomics on addresses
// that a futex can wait on, and ThreadSanitizer annotations compiled only
// under `-sanitize=thread`.
//
//===----------------------------------------------------------------------===//

#ifndef C_THREADING_SHIMS_H
#define C_THREADING_SHIMS_H

#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <pthread.h>
#include <sys/types.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

// MARK: - Futex

/// Sleeps while `*word == expected`, until woken or until the absolute
/// CLOCK_MONOTONIC `deadline` (NULL: no deadline). Returns 0 when woken,
/// otherwise the errno (EAGAIN, EINTR, ETIMEDOUT, ...).
int cshim_futex_wait(uint32_t *word, uint32_t expected, const struct timespec *deadline);

/// Wakes up to `count` threads sleeping on `word`. Returns the number woken,
/// or -errno.
int cshim_futex_wake(uint32_t *word, int count);

// MARK: - Threads

/// The kernel thread id (Linux TID) of the calling thread.
pid_t cshim_gettid(void);

/// Sets a thread's OS name (at most 15 bytes plus NUL). Returns 0 or an errno.
int cshim_pthread_setname_np(pthread_t thread, const char *name);

/// Reads a thread's OS name into `buffer`. Returns 0 or an errno.
int cshim_pthread_getname_np(pthread_t thread, char *buffer, size_t length);

/// The number of CPUs the process may run on (its affinity mask), at least 1: Python's
/// `os.process_cpu_count()`.
int cshim_process_cpu_count(void);

/// The `pthread_t` of the process's main thread, recorded when the library was loaded.
pthread_t cshim_main_thread(void);

// MARK: - Atomics on a futex word

static inline uint32_t cshim_atomic_load_acquire(const uint32_t *word) {
    return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

static inline void cshim_atomic_store_release(uint32_t *word, uint32_t value) {
    __atomic_store_n(word, value, __ATOMIC_RELEASE);
}

static inline uint32_t cshim_atomic_exchange_acq_rel(uint32_t *word, uint32_t value) {
    return __atomic_exchange_n(word, value, __ATOMIC_ACQ_REL);
}

static inline bool cshim_atomic_compare_exchange_acq_rel(uint32_t *word, uint32_t expected, uint32_t desired) {
    return __atomic_compare_exchange_n(word, &expected, desired, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/// A spin-wait hint to the CPU (PAUSE on x86).
static inline void cshim_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/// The CPU the calling thread runs on (`sched_getcpu`), or -1 if unknown.
int cshim_current_cpu(void);

// MARK: - Deferred futex wakes

/// How many futex wakes a thread may defer at once; one more is issued at once.
#define CSHIM_DEFERRED_WAKES_MAX 16

/// The number of wakes the calling thread has deferred (see `cshim_defer_wake`).
extern __thread int cshim_deferred_wake_count __attribute__((tls_model("initial-exec")));

/// How many internal mutexes the calling thread holds (see `cshim_mutex_released`).
extern __thread int cshim_mutex_depth __attribute__((tls_model("initial-exec")));

/// Counts an internal mutex the calling thread has just locked.
static inline void cshim_mutex_acquired(void) {
    cshim_mutex_depth++;
}

/// Counts an internal mutex the calling thread has just unlocked; true when it now holds
/// none and has deferred wakes to issue. Two TLS accesses, inlined into every unlock.
static inline bool cshim_mutex_released(void) {
    return --cshim_mutex_depth == 0 && cshim_deferred_wake_count != 0;
}

/// Records `item` (a retained parker) for the calling thread to wake once it holds no
/// internal mutex. Returns false when the thread's list is full.
bool cshim_defer_wake(void *item);

/// Takes one deferred item of the calling thread, or NULL when none is left.
void *cshim_take_deferred_wake(void);

// MARK: - ThreadSanitizer

/// Tells ThreadSanitizer that the calling thread acquired the synchronization
/// object at `address` (a no-op unless built with -sanitize=thread).
void cshim_tsan_acquire(void *address);

/// Tells ThreadSanitizer that the calling thread released the synchronization
/// object at `address` (a no-op unless built with -sanitize=thread).
void cshim_tsan_release(void *address);

// MARK: - Interrupts (Ctrl-C as KeyboardInterrupt)

/// Installs the SIGINT handler and records the main thread's parker word, which the
/// handler nudges so a parked main thread wakes. Returns 0 or an errno.
int cshim_interrupts_install(uint32_t *main_parker_word);

/// True once `cshim_interrupts_install` has run.
bool cshim_interrupts_installed(void);

/// The main thread's parker word, or NULL before interrupts are installed.
uint32_t *cshim_main_parker_word(void);

/// Nonzero while a Ctrl-C (or `interrupt_main`) waits to be raised in the main thread.
extern int cshim_interrupt_flag;

/// True while a Ctrl-C (or `interrupt_main`) waits to be raised in the main thread.
static inline bool cshim_interrupt_pending(void) {
    return __atomic_load_n(&cshim_interrupt_flag, __ATOMIC_ACQUIRE) != 0;
}

/// Consumes the pending interrupt: true if there was one.
bool cshim_interrupt_take(void);

/// Does what the SIGINT handler does, from ordinary code (`_thread.interruptMain`).
void cshim_interrupt_main(void);

// MARK: - Thread dumps on SIGQUIT

/// Installs a SIGQUIT handler that writes a byte to a pipe. Returns the pipe's read end,
/// or -1 with errno set.
int cshim_sigquit_pipe_install(void);

// MARK: - Diagnostics switches

/// Bits of `cshim_diagnostics`: which opt-in diagnostics are on.
enum {
    CSHIM_DIAG_TRACK_HOLDERS = 1,
    CSHIM_DIAG_LOCK_ORDER = 2,
    CSHIM_DIAG_STATISTICS = 4,
};

/// The diagnostics switches; zero (all off) unless a program turns one on.
extern uint32_t cshim_diagnostics;

/// The switches, read with a relaxed load: what a lock's fast path checks.
static inline uint32_t cshim_diagnostics_flags(void) {
    return __atomic_load_n(&cshim_diagnostics, __ATOMIC_RELAXED);
}

static inline void cshim_diagnostics_set_flags(uint32_t flags) {
    __atomic_store_n(&cshim_diagnostics, flags, __ATOMIC_RELEASE);
}

// MARK: - Fault injection (tests)

/// The system calls whose errno a test can force, per thread.
typedef enum {
    CSHIM_SYSCALL_FUTEX_WAIT = 0,
    CSHIM_SYSCALL_THREAD_CREATE = 1,
    CSHIM_SYSCALL_COUNT = 2
} cshim_syscall;

/// Makes the next `count` calls of `syscall` on the calling thread fail with
/// `error` without reaching the kernel. `count` 0 clears the setting.
void cshim_mock_force_errno(cshim_syscall syscall, int error, int count);

/// How many forced failures of `syscall` are still pending on the calling thread.
int cshim_mock_forced_remaining(cshim_syscall syscall);

/// Consumes one forced failure of `syscall` on the calling thread: returns its
/// errno, or 0 when none is pending.
int cshim_mock_take_forced_errno(cshim_syscall syscall);

#ifdef __cplusplus
}
#endif

#endif // C_THREADING_SHIMS_H
