/*
 * maxrss: runs a command and writes its peak resident memory (wait4's ru_maxrss, KiB) to a
 * file, exiting with the command's status. bench/run starts every timed program through it:
 * a child forked from the Python runner would carry the runner's resident pages until its
 * exec, and Linux counts those in the child's ru_maxrss; forked from this small program the
 * baseline is about a megabyte.
 *
 * usage: maxrss REPORT_FILE COMMAND [ARG...]   (bench/run compiles it with cc -O2)
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: maxrss REPORT_FILE COMMAND [ARG...]\n");
    return 2;
  }
  pid_t pid = fork();
  if (pid < 0) {
    perror("maxrss: fork");
    return 70;
  }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    perror(argv[2]);
    _exit(127);
  }
  int status;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0) {
    perror("maxrss: wait4");
    return 70;
  }
  FILE *fp = fopen(argv[1], "w");
  if (fp == NULL || fprintf(fp, "%ld\n", ru.ru_maxrss) < 0 || fclose(fp) != 0) {
    perror(argv[1]);
    return 73;
  }
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
