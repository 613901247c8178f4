/* The test application: ticks on stdout, optionally deaf to SIGTERM, exits $EXIT_CODE (else 7, or 0 after 256 ticks). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int ticks = argc > 1 ? atoi(argv[1]) : 5;
  if (getenv("IGNORE_TERM")) signal(SIGTERM, SIG_IGN);
  for (int i = 0; i < ticks; i++) {
    printf("tick %d\n", i);
    fflush(stdout);
    usleep(200000);
  }
  fprintf(stderr, "done after %d ticks\n", ticks);
  const char *code = getenv("EXIT_CODE");
  return code ? atoi(code) : ticks % 256 == 0 ? 0 : 7;
}
