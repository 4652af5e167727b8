# Sourced by the run-*.sh scripts from the repository root: builds bench/target/benchmarks.jar when it
# is missing or older than any pom or main source it is made from.
jar=bench/target/benchmarks.jar
if [[ ! -f "$jar" ]] || [[ -n "$(find pom.xml ops lab pcaps compare proxy checkpoint kvm cli bench \( -name pom.xml -o -path '*/src/main/*' \) \
        -newer "$jar" -type f -print -quit 2>/dev/null)" ]]; then
    echo "building $jar ..." >&2
    mvn -B -ntp -q -pl bench -am package -DskipTests >&2
fi
