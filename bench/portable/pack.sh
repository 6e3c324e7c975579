#!/usr/bin/env bash
# Packs kdstream for a host that has a Python PyTorch (e.g. a GPU box with `pip install torch`) but no Java, no
# Maven and no network: a jlink'd Java 17 runtime, the application jars WITHOUT the CPU libtorch jar (libtorch comes
# from the host's PyTorch through PYTORCH_LIBRARY_PATH), the shipped teacher and the launcher beside this script.
#   bench/portable/pack.sh [OUT_DIR]      -> OUT_DIR/kdstream-portable.tar.xz (default: target/portable)
# On the host: tar xJf kdstream-portable.tar.xz && kdstream-portable/kdstream engine --device=gpu
# Only linux-x86_64 natives are kept (zstd, snappy, lz4, JNA, DJL's JNI) and jars are stored uncompressed so that
# xz compresses the class files once; the tarball is about 40 MB.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$(mkdir -p "${1:-$ROOT/target/portable}" && cd "${1:-$ROOT/target/portable}" && pwd)"
JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
B="$STAGE/kdstream-portable"
mkdir -p "$B/lib"

echo "portable: building the jars (mvn -q -B -DskipTests install)" >&2
(cd "$ROOT" && mvn -q -B -DskipTests install) >&2

echo "portable: jlink runtime from $JAVA_HOME" >&2
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.desktop,java.management,java.naming,java.logging,java.xml,\
java.sql,jdk.unsupported,java.security.sasl,java.security.jgss,jdk.management,java.net.http,jdk.crypto.ec,\
java.scripting,jdk.zipfs,java.instrument,java.compiler,jdk.jcmd,jdk.attach \
  --strip-debug --no-man-pages --no-header-files --output "$B/jre"

echo "portable: jars (linux-x86_64 natives only, stored)" >&2
for j in "$ROOT"/app/target/kdstream-app-*.jar "$ROOT"/app/target/lib/*.jar; do
  name="$(basename "$j")"
  case "$name" in pytorch-native-*) continue ;; esac
  x="$STAGE/x"; rm -rf "$x"; mkdir "$x"
  (cd "$x" && unzip -q "$j")
  # native libraries of other platforms: keep only linux x86-64 ones
  find "$x" -type f \( -name '*.so' -o -name '*.so.*' -o -name '*.dylib' -o -name '*.dll' -o -name '*.jnilib' \) \
    | { grep -v -E '[Ll]inux[-/](amd64|x86_64|x86-64)/' || true; } | xargs -r rm -f
  (cd "$x" && zip -q -0 -r -X "$B/lib/$name" .)
done
rm -rf "$STAGE/x"

cp -r "$ROOT/teachers" "$B/teachers"
cp "$ROOT/bench/portable/kdstream" "$B/kdstream"
chmod +x "$B/kdstream"
echo "portable: compressing" >&2
(cd "$STAGE" && tar cf - kdstream-portable | xz -9 -T0 > "$OUT/kdstream-portable.tar.xz")
ls -la "$OUT/kdstream-portable.tar.xz" >&2
