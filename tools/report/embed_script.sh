#!/bin/sh
# embed_script.sh IN OUT: writes a C++ file defining `const char kMakeReportPy[]` with IN's text (a raw string).
# Used by the Bazel genrule and the CMake mirror alike.
set -e
{
  echo 'extern const char kMakeReportPy[];'
  echo 'const char kMakeReportPy[] = R"zgpy('
  cat "$1"
  echo ')zgpy";'
} > "$2"
