#!/usr/bin/env bash
# End-to-end: libmandat as a package. Installs the build into a temporary prefix; every public
# header compiles alone as C11 and as C++11; two example programs build against the prefix,
# one with CMake's find_package (shared and static), one with pkg-config, run the default
# scenario through the library and give what the program gives: the same folder, byte for
# byte, and the same settlement table; the installed program runs from its prefix without
# LD_LIBRARY_PATH.
set -euo pipefail
: "${MANDAT:?path to the mandat program}" "${MDT_SOURCE_DIR:?source tree}" \
  "${MDT_BINARY_DIR:?build tree}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
prefix="$tmp/prefix"
scenario="$MDT_SOURCE_DIR/models/ks-2024/scenario.ini"
cmake --install "$MDT_BINARY_DIR" --prefix "$prefix" > "$tmp/install.log" \
  || { cat "$tmp/install.log" >&2; fail "cmake --install"; }
libdir=$(dirname "$(find "$prefix" -name 'libmandat.so' | head -1)")
[ -n "$libdir" ] || fail "no libmandat.so installed"
[ -f "$libdir/libmandat.a" ] || fail "no static library installed"
for h in csv.h numparse.h hash.h; do
  [ ! -e "$prefix/include/mandat/$h" ] || fail "internal header $h is installed"
done
if grep -l "jansson" "$prefix"/include/mandat/*.h; then fail "a public header needs jansson"; fi

# A sanitized build's library needs the sanitizer runtime in every program that links it.
san=""
# (grep reads all of nm's output: with pipefail, -q would make nm fail on a closed pipe)
if nm -D "$libdir/libmandat.so" | grep "__asan_" > /dev/null; then san="-fsanitize=address,undefined"; fi

# 1. Every public header alone, as C and as C++.
gsl_cflags=$(pkg-config --cflags gsl)
for h in "$prefix"/include/mandat/*.h; do
  name=$(basename "$h")
  printf '#include <mandat/%s>\nint main(void) { return 0; }\n' "$name" > "$tmp/h.c"
  cc -std=c11 -Wall -Wextra -Werror -pedantic -Wno-pedantic -I"$prefix/include" $gsl_cflags \
    -fsyntax-only "$tmp/h.c" || fail "$name does not compile alone as C"
  cp "$tmp/h.c" "$tmp/h.cpp"
  c++ -std=c++11 -Wall -Wextra -Werror -I"$prefix/include" $gsl_cflags -fsyntax-only \
    "$tmp/h.cpp" || fail "$name does not compile alone as C++"
done
# ... and a C++ program links against the C library (extern "C").
printf '#include <mandat/mandat.h>\n#include <cstdio>\nint main() { std::printf("%%s\\n", mdt_strerror(MDT_EDATA)); return 0; }\n' \
  > "$tmp/link.cpp"
c++ -std=c++11 $san -I"$prefix/include" $gsl_cflags "$tmp/link.cpp" -L"$libdir" -lmandat \
  -Wl,-rpath,"$libdir" -o "$tmp/link_cpp" || fail "a C++ program does not link"
"$tmp/link_cpp" | grep "invalid input data" > /dev/null || fail "the C++ program"

# 2. find_package: the example project, shared and static.
cmake -S "$MDT_SOURCE_DIR/tests/examples" -B "$tmp/ex" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_FLAGS="$san" -DCMAKE_EXE_LINKER_FLAGS="$san" > "$tmp/ex.log" 2>&1 \
  || { cat "$tmp/ex.log" >&2; fail "find_package(mandat) failed"; }
cmake --build "$tmp/ex" > "$tmp/exb.log" 2>&1 || { cat "$tmp/exb.log" >&2; fail "example build"; }
"$prefix/bin/mandat" run "$scenario" --out "$tmp/program" --quiet \
  || fail "the installed mandat does not run from its prefix"
ldd "$prefix/bin/mandat" | grep "$prefix" > /dev/null || fail "the installed mandat does not use the prefix's library"
"$tmp/ex/run_scenario" "$scenario" "$tmp/library" || fail "run_scenario"
"$tmp/ex/run_scenario_static" "$scenario" "$tmp/static" || fail "run_scenario_static"
diff -r "$tmp/program" "$tmp/library" > /dev/null || fail "the library's folder differs from the program's"
diff -r "$tmp/program" "$tmp/static" > /dev/null || fail "the static library's folder differs"
[ "$(ls "$tmp/program" | wc -l)" -ge 10 ] || fail "too few files"

# 3. pkg-config.
PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --exists mandat || fail "pkg-config mandat"
cc -std=c11 $san "$MDT_SOURCE_DIR/tests/examples/settlement_table.c" -o "$tmp/settlement_table" \
  $(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs mandat) \
  -Wl,-rpath,"$libdir" || fail "the pkg-config example does not build"
"$tmp/settlement_table" "$scenario" > "$tmp/settlement.csv" || fail "settlement_table"
cmp -s "$tmp/settlement.csv" "$tmp/program/settlement.csv" || fail "settlement tables differ"
echo ok
