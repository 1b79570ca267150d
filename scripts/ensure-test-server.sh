#!/usr/bin/env bash
# Prints the path of a wrapper that runs Temporal's time-skipping test server (the Java one the SDK's
# TestWorkflowEnvironment.createTimeSkipping starts), installing it once into ~/.cache/agntix-temporal/ from Maven
# Central: the SDK's own download of it is not reachable from CI. Needs java (17+) and mvn on the first run only
# (Debian: default-jdk-headless maven; .ci/run installs them). Idempotent: the cache is used when present, and a run
# builds in a staging folder that is moved into place whole, so a broken download is never taken for an install.
set -euo pipefail
VERSION=1.38.0
home="${XDG_CACHE_HOME:-$HOME/.cache}/agntix-temporal/test-server-$VERSION"
wrapper="$home/temporal-test-server"
if [ -x "$wrapper" ] && [ -f "$home/lib/temporal-test-server-$VERSION.jar" ]; then
  echo "$wrapper"
  exit 0
fi
for tool in java mvn; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "$tool is needed to install the Temporal test server once (Debian: apt-get install default-jdk-headless maven)" >&2
    exit 1
  }
done

echo "installing the Temporal test server $VERSION from Maven Central into $home" >&2
mkdir -p "$(dirname "$home")"
staging="$(mktemp -d "$(dirname "$home")/.test-server-staging.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
# The server and its runtime dependencies; slf4j-nop quiets SLF4J's "no provider" warning on every start.
cat >"$staging/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.agntix-temporal</groupId>
  <artifactId>test-server-install</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>$VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-nop</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
EOF
mvn -q -B -f "$staging/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$staging/install/lib" >&2

# The server logs every gRPC call it serves at INFO: only its errors are worth a test's output.
printf '.level=SEVERE\nhandlers=java.util.logging.ConsoleHandler\n' >"$staging/install/logging.properties"
cat >"$staging/install/temporal-test-server" <<EOF
#!/bin/sh
# Serial GC and the client compiler: the server is small, and the machines running it are shared.
exec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.util.logging.config.file="$home/logging.properties" \\
  -cp "$home/lib/*" io.temporal.testserver.TestServer "\$@"
EOF
chmod +x "$staging/install/temporal-test-server"
rm -rf "$home"
mv "$staging/install" "$home" # whole or not at all
echo "$wrapper"
