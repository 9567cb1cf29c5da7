// shootdown-cost: what one TLB shootdown costs on this host. It times
// mprotect of one touched page (read-only, then read-write again), alone,
// then with a second thread of the process spinning on CPU 1, so that each
// mprotect must interrupt that CPU (an IPI) and wait for its flush; the
// difference is the shootdown. Needs 2 CPUs.
//   gcc -O2 -pthread -o /tmp/shootdown-cost scripts/shootdown-cost.c && /tmp/shootdown-cost
// docs/multicore.md gives what it measured and how the model compares.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <stdatomic.h>
static atomic_int stop;
static void pin(int cpu){cpu_set_t s;CPU_ZERO(&s);CPU_SET(cpu,&s);pthread_setaffinity_np(pthread_self(),sizeof s,&s);}
static void *spin(void *p){pin(1);volatile char *b=p;while(!atomic_load(&stop)){(void)b[0];}return 0;}
static double ns(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e9+t.tv_nsec;}
static double run(char *b,int n){
  double best=1e18;
  for(int r=0;r<5;r++){
    double t0=ns();
    for(int i=0;i<n;i++){ mprotect(b,4096,PROT_READ); b[0]; mprotect(b,4096,PROT_READ|PROT_WRITE); b[0]=1; }
    double d=(ns()-t0)/n/2; if(d<best)best=d;
  }
  return best;
}
int main(){
  pin(0);
  char *b=mmap(0,4096,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0); b[0]=1;
  int n=20000;
  double alone=run(b,n);
  pthread_t t; pthread_create(&t,0,spin,b);
  struct timespec w={0,50000000}; nanosleep(&w,0);
  double with=run(b,n);
  atomic_store(&stop,1); pthread_join(t,0);
  printf("mprotect of one touched page: alone %.0f ns, with a thread on the other CPU %.0f ns, shootdown %.0f ns\n",alone,with,with-alone);
  return 0;
}
