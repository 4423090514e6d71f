// The floor under any futex-style lock's uncontended acquire+release on this machine:
// one compare-and-swap to take the lock and one to release it, in a loop, with a second
// thread alive (as in the benchmark's lock_uncontended). Referenced by RESULTS.md.
//
//     cc -O2 Benchmarks/floor/cas_pair.c -o /tmp/cas_pair -lpthread && /tmp/cas_pair
#include <stdio.h>
#include <stdatomic.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>
static _Atomic unsigned s;
static void *idle(void *a){pause();return 0;}
int main(){pthread_t t;pthread_create(&t,0,idle,0);
struct timespec a,b;int n=100000000;
for(int r=0;r<3;r++){
clock_gettime(CLOCK_MONOTONIC,&a);
for(int i=0;i<n;i++){unsigned e=0;atomic_compare_exchange_strong_explicit(&s,&e,1,memory_order_acquire,memory_order_relaxed);e=1;atomic_compare_exchange_strong_explicit(&s,&e,0,memory_order_release,memory_order_relaxed);}
clock_gettime(CLOCK_MONOTONIC,&b);
printf("CAS pair: %.2f ns\n",((b.tv_sec-a.tv_sec)*1e9+(b.tv_nsec-a.tv_nsec))/n);}
}
