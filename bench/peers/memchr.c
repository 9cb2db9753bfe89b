/*
 * The read limit of the aggregate and register-load cases (bench/README.md): reads each file
 * named on the command line with read() in blocks of 1 MiB and counts its lines with memchr,
 * which is about the least a program can do to see every byte. Prints bytes and lines.
 *
 * usage: memchr FILE...   (bench/run compiles it with cc -O2)
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK (1 << 20)

int main(int argc, char **argv) {
  static char buf[BLOCK];
  unsigned long long bytes = 0, lines = 0;
  for (int i = 1; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      perror(argv[i]);
      return 66;
    }
    for (;;) {
      ssize_t n = read(fd, buf, BLOCK);
      if (n < 0) {
        perror(argv[i]);
        close(fd);
        return 74;
      }
      if (n == 0)
        break;
      bytes += (unsigned long long)n;
      const char *p = buf, *end = buf + n;
      while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        lines++;
        p++;
      }
    }
    close(fd);
  }
  printf("{\"bytes\": %llu, \"lines\": %llu}\n", bytes, lines);
  return 0;
}
