#!/usr/bin/env bash
# A distroless-style base image for Jib, built from this machine's JDK instead of pulled from a
# registry (the development machines reach none): a jlinked Java runtime, the C libraries it
# links, CA certificates, and a non-root user, in one layer. Written as a `docker save` tarball,
# which Jib reads as `tar://...` (pom.xml, profile "image").
#
#   k8s/image/base-image.sh OUTPUT_DIR [JDK_HOME]    (JDK_HOME needs jmods/; default $JAVA_HOME)
set -euo pipefail
out=${1:?usage: base-image.sh OUTPUT_DIR [JDK_HOME]}
jdk=${2:-${JAVA_HOME:?set JAVA_HOME or name the JDK}}
# What Roster and its libraries use (jdeps on the jar names only the first three; the rest are
# reached by reflection or service loading: JMX metrics, JNDI in logback, JDBC in Flyway, TLS).
modules=java.base,java.logging,jdk.unsupported,java.management,jdk.management,java.naming,java.sql,\
java.xml,java.net.http,java.security.jgss,java.security.sasl,jdk.crypto.ec,jdk.crypto.cryptoki,\
jdk.charsets,jdk.zipfs,jdk.jfr,jdk.management.jfr,jdk.naming.dns

[ -d "$jdk/jmods" ] || { echo "base-image.sh: $jdk has no jmods/ (install the JDK's jmods package)" >&2; exit 1; }
rm -rf "$out"
root="$out/rootfs"
mkdir -p "$root/etc" "$root/tmp" "$root/app" "$out/image"
"$jdk/bin/jlink" --module-path "$jdk/jmods" --add-modules "$modules" --strip-debug --no-man-pages \
  --no-header-files --compress=2 --generate-cds-archive --output "$root/opt/java" >/dev/null
# Debian's JDK keeps its CA store outside the JDK; take the system's Java store where there is one.
for store in /etc/ssl/certs/java/cacerts "$jdk/lib/security/cacerts"; do
  if [ -s "$store" ]; then cp -L "$store" "$root/opt/java/lib/security/cacerts"; break; fi
done
# The shared libraries the runtime links, at the paths the dynamic loader looks for them.
{ echo "$root/opt/java/bin/java"; find "$root/opt/java/lib" -name '*.so'; } | while read -r binary; do
  ldd "$binary" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'
done | grep -v "^$root" | sort -u | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
chmod 1777 "$root/tmp"

tar --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -C "$root" -cf "$out/image/layer.tar" .
diff_id=$(sha256sum "$out/image/layer.tar" | cut -d' ' -f1)
version=$("$root/opt/java/bin/java" -XshowSettings:properties -version 2>&1 | awk '/java.runtime.version/ {print $3}')
cat >"$out/image/config.json" <<EOF
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"User":"65532:65532","WorkingDir":"/",
   "Env":["PATH=/opt/java/bin:/usr/bin:/bin","JAVA_HOME=/opt/java","LANG=C.UTF-8","JAVA_VERSION=$version"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"k8s/image/base-image.sh: jlink $version, its C libraries, CA certificates, user 65532"}]}
EOF
echo '[{"Config":"config.json","RepoTags":["roster-base:local"],"Layers":["layer.tar"]}]' >"$out/image/manifest.json"
tar --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -C "$out/image" -cf "$out/base.tar" \
  manifest.json config.json layer.tar
rm -rf "$out/image" "$root"
echo "base image: $out/base.tar (Java $version, $(du -h "$out/base.tar" | cut -f1))"
