// For bench/proxy-memory.mjs: glibc's own view of the proxy's native memory.
// Preloaded into the proxy (LD_PRELOAD), it starts one thread that reads
// commands from the FIFO named by $MALLOC_PROBE_FIFO: "info" writes
// malloc_info()'s XML (bytes mapped, free chunks kept, per arena) to
// $MALLOC_PROBE_FIFO.out; "trim" first calls malloc_trim(0), which hands the
// free pages inside the heap back to the kernel. Node has no binding for
// either. The malloc calls take glibc's own locks, so a thread is safe where
// a signal handler would not be. Built by the bench with gcc (BENCH_MALLOC_PROBE=1).
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *serve(void *arg) {
  const char *fifo = arg;
  char out[4096], partial[4200];
  snprintf(out, sizeof out, "%s.out", fifo);
  snprintf(partial, sizeof partial, "%s.tmp", out);
  for (;;) {
    FILE *in = fopen(fifo, "r");
    if (!in) return NULL;
    char line[64];
    while (fgets(line, sizeof line, in)) {
      int trimmed = strncmp(line, "trim", 4) == 0 ? malloc_trim(0) : -1;
      FILE *o = fopen(partial, "w");
      if (!o) continue;
      fprintf(o, "<!-- malloc_trim: %d -->\n", trimmed);
      malloc_info(0, o);
      fclose(o);
      rename(partial, out); // the bench sees a whole document or none
    }
    fclose(in);
  }
}

__attribute__((constructor)) static void start(void) {
  const char *fifo = getenv("MALLOC_PROBE_FIFO");
  if (!fifo) return;
  pthread_t thread;
  if (pthread_create(&thread, NULL, serve, strdup(fifo)) == 0) pthread_detach(thread);
}
