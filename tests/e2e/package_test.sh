#!/usr/bin/env bash
# End-to-end: the Debian package. cpack builds the .deb from the build directory, `dpkg -x`
# unpacks it into a temporary root (container-less staging), and the installed binary checks an
# example with its own baseline pack, found next to it without flags or environment.
#
# Environment: OPSGATE_BUILD_DIR (the CMake build directory that built $OPSGATE); without it, or
# without cpack and dpkg-deb, the suite is skipped (exit 77).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

setup() {
  if [[ -z "${OPSGATE_BUILD_DIR:-}" || ! -f "${OPSGATE_BUILD_DIR}/CPackConfig.cmake" ]] ||
    ! command -v cpack >/dev/null || ! command -v dpkg-deb >/dev/null; then
    skip "needs OPSGATE_BUILD_DIR with CPackConfig.cmake, cpack and dpkg-deb"
  fi
}

# build_deb: cpack builds the .deb into $E2E_TMP/cpack; sets debs (the files) and DEB (the first).
# Returns 1, with a failure recorded, when cpack fails.
build_deb() {
  local output="${E2E_TMP}/cpack"
  if ! cpack -G DEB --config "${OPSGATE_BUILD_DIR}/CPackConfig.cmake" -B "${output}" \
    >"${E2E_TMP}/cpack.log" 2>&1; then
    fail_ "cpack builds the .deb" "$(tail -n 20 "${E2E_TMP}/cpack.log")"
    return 1
  fi
  shopt -s nullglob
  debs=("${output}"/opsgate_*.deb)
  DEB="${debs[0]:-}"
}

# --- metadata --------------------------------------------------------------------------------

scenario "the .deb's control fields and contents" scenario_metadata
scenario_metadata() {
build_deb || return
assert_eq "cpack: exactly one .deb" 1 "${#debs[@]}"

INFO="$(dpkg-deb -I "${DEB}")"
OUT="${INFO}"
ERR=""
DEPENDS="$(dpkg-deb -f "${DEB}" Depends)"
assert_eq "control: package name" "opsgate" "$(dpkg-deb -f "${DEB}" Package)"
assert_matches "control: a maintainer" "$(dpkg-deb -f "${DEB}" Maintainer)" ".+<.+@.+>"
assert_not_contains "control: the maintainer is no placeholder address" \
  "$(dpkg-deb -f "${DEB}" Maintainer)" "example.org"
assert_eq "control: no Homepage unless OPSGATE_PACKAGE_HOMEPAGE names one" "" \
  "$(dpkg-deb -f "${DEB}" Homepage)"
assert_contains "control: a description" "${INFO}" "operability quality gate"
for library in libgit2 libcurl libre2 libfmt libmd4c libc6 libstdc++6 tzdata; do
  assert_contains "control: Depends lists ${library}" "${DEPENDS}" "${library}"
done
assert_matches "control: library dependencies carry versions (dpkg-shlibdeps)" "${DEPENDS}" \
  "libgit2-[0-9.]+ \(>= [0-9]"

CONTENTS="$(dpkg-deb -c "${DEB}")"
OUT="${CONTENTS}"
assert_contains "contents: the binary in /usr/bin" "${CONTENTS}" "./usr/bin/opsgate"
assert_contains "contents: the baseline pack" "${CONTENTS}" "./usr/share/opsgate/rules/baseline/"
assert_not_contains "contents: without the pack's own test cases" "${CONTENTS}" \
  "rules/baseline/tests/"
assert_contains "contents: the integrations" "${CONTENTS}" "./usr/share/opsgate/integrations/"
assert_contains "contents: the Dockerfile" "${CONTENTS}" \
  "./usr/share/opsgate/integrations/docker/Dockerfile"
# The man pages and completions, where Debian 12's man, bash-completion, zsh and fish read them.
local page
for page in opsgate opsgate-check opsgate-window opsgate-rules opsgate-hook; do
  assert_contains "contents: the man page ${page}(1)" "${CONTENTS}" "./usr/share/man/man1/${page}.1"
  assert_contains "contents: the French man page ${page}(1)" "${CONTENTS}" \
    "./usr/share/man/fr/man1/${page}.1"
done
assert_contains "contents: the bash completion" "${CONTENTS}" \
  "./usr/share/bash-completion/completions/opsgate"
assert_contains "contents: the zsh completion, in Debian's zsh vendor directory" "${CONTENTS}" \
  "./usr/share/zsh/vendor-completions/_opsgate"
assert_contains "contents: the fish completion" "${CONTENTS}" \
  "./usr/share/fish/vendor_completions.d/opsgate.fish"
}

# --- installed: unpacked into a temporary root -----------------------------------------------

scenario "installed: the unpacked binary finds its own baseline pack" scenario_installed
scenario_installed() {
build_deb || return

ROOT="${E2E_TMP}/root"
dpkg -x "${DEB}" "${ROOT}"
INSTALLED="${ROOT}/usr/bin/opsgate"
assert_eq "installed: the binary is executable" yes "$([[ -x "${INSTALLED}" ]] && echo yes)"

# Away from the source tree, with no OPSGATE_* variable: the pack must come from the root. A
# marker rule added to the unpacked copy proves which baseline was read (the binary also knows
# the source tree's pack as a last resort).
unset OPSGATE_RULES_PATH
write_file "${ROOT}/usr/share/opsgate/rules/baseline/zz-package-marker.toml" <<'EOF'
[[rule]]
id = "PKG-MARKER"
area = "service"
title = "Marker: read from the unpacked package"
severity = "info"
level = 1
check = [ { key = "service.name", present = true } ]
EOF
(cd "${E2E_TMP}" && env -u OPSGATE_SOURCE_DIR "${INSTALLED}" rules list \
  >"${E2E_TMP}/.stdout" 2>"${E2E_TMP}/.stderr")
RC=$?
OUT="$(cat "${E2E_TMP}/.stdout")"
ERR="$(cat "${E2E_TMP}/.stderr")"
assert_exit "installed: rules list finds the baseline pack" 0
assert_contains "installed: it lists baseline rules" "${OUT}" "BKP-002"
assert_contains "installed: the pack is the one next to the binary" "${OUT}" "PKG-MARKER"

REPO="$(new_repo billing)"
cp -r "${OPSGATE_SOURCE_DIR}/examples/billing-api/." "${REPO}/"
commit_all "${REPO}" "2026-11-20T09:00:00+01:00" "import billing-api"
(cd "${REPO}" && env -u OPSGATE_SOURCE_DIR "${INSTALLED}" check --format json \
  --at "2026-11-26T21:30:00+01:00" >"${E2E_TMP}/.stdout" 2>"${E2E_TMP}/.stderr")
RC=$?
OUT="$(cat "${E2E_TMP}/.stdout")"
ERR="$(cat "${E2E_TMP}/.stderr")"
if [[ "${RC}" == 0 || "${RC}" == 1 ]]; then pass_ "installed: check evaluates the example"; else
  fail_ "installed: check evaluates the example" "exit ${RC}"; fi
assert_json "installed: the report used the installed baseline pack" \
  "[p['name'] for p in d['rule_packs']] == ['baseline'] and st('PKG-MARKER') == 'pass'"
assert_json "installed: the example's manifest was evaluated" \
  "d['manifests'][0]['service'] == 'billing-api' and len(d['manifests'][0]['findings']) > 10"
}

# --- the container image (integrations/docker/Dockerfile) --------------------------------------
# No image is built here (no Docker daemon, no registry but Debian's): these check that the
# Dockerfile's steps agree with what the build and cpack really do.

DOCKERFILE="${OPSGATE_SOURCE_DIR}/integrations/docker/Dockerfile"

scenario "docker: the Dockerfile copies the .deb cpack builds, with every build dependency" scenario_dockerfile
scenario_dockerfile() {
build_deb || return
local text
text="$(cat "${DOCKERFILE}")"
OUT="${text}"
ERR=""
assert_eq "docker: both stages start from Debian 12 slim" \
  "debian:bookworm-slim AS build|debian:bookworm-slim" \
  "$(sed -n 's/^FROM //p' "${DOCKERFILE}" | paste -sd'|')"
# The build stage: WORKDIR /src, a CMake build in build/, cpack there; the final stage copies
# /src/build/GLOB, which must match the file cpack wrote.
assert_contains "docker: the build stage works in /src" "${text}" $'\nWORKDIR /src\n'
assert_matches "docker: it configures into build/" "${text}" "cmake -S \. -B build "
assert_contains "docker: it runs cpack in build/" "${text}" "(cd build && cpack -G DEB)"
local glob
glob="$(sed -n 's|^COPY --from=build /src/build/\([^ ]*\) .*|\1|p' "${DOCKERFILE}")"
assert_matches "docker: the final stage copies a .deb from the build stage" "${glob}" '^opsgate_.*\.deb$'
# shellcheck disable=SC2053  # the glob is the Dockerfile's pattern
if [[ -n "${glob}" && "$(basename "${DEB}")" == ${glob} ]]; then
  pass_ "docker: its pattern ${glob} matches cpack's $(basename "${DEB}")"
else
  fail_ "docker: its pattern matches cpack's .deb" "pattern '${glob}', cpack wrote $(basename "${DEB}")"
fi
local final
final="$(sed -n '/^FROM debian:bookworm-slim$/,$p' "${DOCKERFILE}")"
assert_contains "docker: the final stage installs packages with apt-get" "${final}" "apt-get install"
assert_contains "docker: ... that .deb" "${final}" " /tmp/${glob} "
# Every package .ci/bootstrap installs to build opsgate is installed by the build stage.
local package missing=()
for package in $(sed -n '/^packages=(/,/)/p' "${OPSGATE_SOURCE_DIR}/.ci/bootstrap" |
  sed 's/^packages=(//; s/).*//; s/#.*//'); do
  grep -qE "(^|[[:space:]])${package}([[:space:]]|$)" <<<"$(sed -n '/AS build/,/^FROM/p' "${DOCKERFILE}")" ||
    missing+=("${package}")
done
assert_eq "docker: the build stage installs every build package of .ci/bootstrap" "" "${missing[*]}"
for package in dpkg-dev file; do
  assert_matches "docker: the build stage installs ${package} (cpack's dpkg-shlibdeps)" \
    "$(sed -n '/AS build/,/^FROM/p' "${DOCKERFILE}")" "[[:space:]]${package}([[:space:]]|$)"
done
}

scenario "docker: apt-get on Debian 12 can install the .deb as the Dockerfile does" scenario_docker_apt
scenario_docker_apt() {
grep -qx 'VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null || skip "not Debian 12"
apt-cache show libgit2-1.5 >/dev/null 2>&1 || skip "apt has no package lists (apt-get update)"
build_deb || return
# The final stage's apt-get install, simulated against this Debian 12's package lists: the .deb's
# Depends (dpkg-shlibdeps' libraries, tzdata, libcurl4) all resolve.
OUT="$(apt-get install -s --no-install-recommends git ca-certificates "${DEB}" 2>&1)"
RC=$?
ERR=""
assert_exit "docker: apt-get install -s resolves the .deb and its Depends" 0
assert_matches "docker: the simulation configures opsgate" "${OUT}" "(^|"$'\n'")(Inst|Conf) opsgate "
}

run_scenarios "$@"
