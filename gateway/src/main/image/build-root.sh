#!/usr/bin/env bash
# Builds the file tree that the gateway's image adds to an empty base image: a Java runtime
# cut by jlink from the JDK running the build, the C libraries that runtime links against,
# taken from the build machine, and the few files under /etc a process expects.
#
# Why not a base image: the image is built where no container registry can be reached, so
# it starts from `scratch` and brings everything itself, as distroless images do.
#
# Usage: build-root.sh <java.home> <output directory> <application jar> <uid>
set -euo pipefail

java_home=$1
root=$2
jar=$3
uid=$4
command -v unzip >/dev/null || { echo "build-root.sh needs unzip" >&2; exit 1; }

# The modules the gateway's jar needs (jdeps --print-module-deps over it), plus jdk.crypto.ec
# (TLS key exchange, APNs p8 tokens), jdk.naming.dns (mongodb+srv:// seed lists) and
# java.logging, which other code reaches by reflection.
modules=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,\
java.scripting,java.security.jgss,java.security.sasl,java.sql,jdk.crypto.ec,jdk.httpserver,jdk.jfr,\
jdk.management,jdk.naming.dns,jdk.net,jdk.unsupported

# java.desktop is there for java.beans only; its graphics and sound libraries would pull in
# X11, FreeType and ALSA, and a headless server never loads them.
desktop_natives='**/libawt*.so,**/libjawt.so,**/libfontmanager.so,**/libjavajpeg.so,**/liblcms.so,**/libmlib_image.so,**/libsplashscreen.so,**/libjsound.so'

rm -rf "$root"
mkdir -p "$root/opt"
"$java_home/bin/jlink" --add-modules "$modules" --exclude-files "$desktop_natives" \
    --strip-debug --no-man-pages --no-header-files --compress=2 --output "$root/opt/java"

# The C libraries: whatever the runtime's programs and libraries link against, and the
# native libraries that Netty, gRPC and Conscrypt unpack from the application's jars (built
# against an older C library, they still ask for libdl, libpthread and librt), the dynamic
# loader included, except the runtime's own (libjvm.so, libjli.so).
runtime=$(realpath "$root/opt/java")
natives=$(mktemp -d)
trap 'rm -rf "$natives"' EXIT
unzip -q -j -o "$jar" 'META-INF/native/*x86?64*.so' -d "$natives"
find "$runtime" "$natives" -type f \( -name '*.so' -o -perm -u+x \) -print0 \
    | xargs -0 ldd 2>/dev/null \
    | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }' \
    | sort -u \
    | while read -r library; do
        case $(realpath "$library") in
            "$runtime"/*) ;;
            *) cp --dereference --parents "$library" "$root" ;;
        esac
    done

mkdir -p "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/var/lib/push-gateway"
printf 'root:x:0:0:root:/root:/sbin/nologin\ngateway:x:%d:%d:Parse Push Gateway:/var/lib/push-gateway:/sbin/nologin\n' \
    "$uid" "$uid" > "$root/etc/passwd"
printf 'root:x:0:\ngateway:x:%d:\n' "$uid" > "$root/etc/group"
# Names from /etc/hosts first, then DNS (Kubernetes mounts both files into the container).
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$root/etc/nsswitch.conf"
